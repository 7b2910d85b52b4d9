package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.examples.JavaQuickstart;
import io.trackd.testing.DocSnippets;
import io.trackd.testing.SharedServers;
import io.trackd.testing.TestPaths;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Java quickstart of docs/java-client.md compiles (it is this module's test source) and works.
 */
class DocsExamplesTest {
  @Test
  void docsShowTheTestedJavaQuickstart() {
    String snippet =
        DocSnippets.region(
            TestPaths.repoRoot()
                .resolve(
                    "clients/java/trackd-client/src/test/java/io/trackd/examples/JavaQuickstart.java"),
            "java-quickstart");
    DocSnippets.assertDocumented(snippet);
  }

  @Test
  void javaQuickstartLogsWhatItSays() {
    try (TrackingClient client = TrackingClient.create(SharedServers.sqlite().uri())) {
      String runId = JavaQuickstart.train(new TrackingContext(client));
      Run run = client.getRun(runId);
      assertEquals(RunStatus.FINISHED, run.info().status());
      assertEquals("baseline", run.info().runName());
      assertEquals("java-quickstart", client.getExperiment(run.info().experimentId()).name());
      assertEquals(Optional.of("0.01"), run.data().param("lr"));
      assertEquals(Optional.of("adam"), run.data().param("optimizer"));
      assertEquals(Optional.of("java"), run.data().tag("language"));
      assertEquals(
          List.of(1.0, 0.5, 1.0 / 3),
          client.getMetricHistory(runId, "loss").stream().map(Metric::value).toList());
      assertTrue(run.data().tag(SystemTags.SOURCE_TYPE).isPresent());
    }
  }
}
