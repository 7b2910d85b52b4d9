package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.examples.AreasExample;
import io.trackd.examples.ArtifactsExample;
import io.trackd.examples.JavaQuickstart;
import io.trackd.testing.DocSnippets;
import io.trackd.testing.SharedServers;
import io.trackd.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples of docs/java-client.md compile (they are this module's test sources) and work.
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
      Run run = client.runs().get(runId);
      assertEquals(RunStatus.FINISHED, run.info().status());
      assertEquals("baseline", run.info().runName());
      assertEquals("java-quickstart", client.experiments().get(run.info().experimentId()).name());
      assertEquals(Optional.of("0.01"), run.data().param("lr"));
      assertEquals(Optional.of("adam"), run.data().param("optimizer"));
      assertEquals(Optional.of("java"), run.data().tag("language"));
      assertEquals(
          List.of(1.0, 0.5, 1.0 / 3),
          client.metrics().history(runId, "loss").stream().map(Metric::value).toList());
      assertTrue(run.data().tag(SystemTags.SOURCE_TYPE).isPresent());
    }
  }

  @Test
  void docsShowTheTestedArtifactsExample() {
    String snippet =
        DocSnippets.region(
            TestPaths.repoRoot()
                .resolve(
                    "clients/java/trackd-client/src/test/java/io/trackd/examples/ArtifactsExample.java"),
            "java-artifacts");
    DocSnippets.assertDocumented(snippet);
  }

  @Test
  void artifactsExampleRoundTrips(@TempDir Path scratch) throws IOException {
    try (TrackingClient client = TrackingClient.create(SharedServers.sqlite().uri())) {
      Path work = Files.createDirectories(scratch.resolve("work"));
      String runId = ArtifactsExample.logOutputs(new TrackingContext(client), work);
      assertEquals(
          List.of(new FileInfo("model", true, 0), new FileInfo("plots", true, 0)),
          client.artifacts().list(runId));
      assertEquals(
          List.of(new FileInfo("model/model.json", false, 12)),
          client.artifacts().list(runId, "model"));
      Path plots = ArtifactsExample.fetchPlots(client, runId, scratch.resolve("down"));
      assertEquals(scratch.resolve("down/plots").toAbsolutePath(), plots);
      assertEquals("<svg/>", Files.readString(plots.resolve("loss.svg")));
    }
  }

  @Test
  void docsShowTheTestedAreasExample() {
    String snippet =
        DocSnippets.region(
            TestPaths.repoRoot()
                .resolve(
                    "clients/java/trackd-client/src/test/java/io/trackd/examples/AreasExample.java"),
            "java-areas");
    DocSnippets.assertDocumented(snippet);
  }

  @Test
  void areasExampleFindsTheBetterRun() {
    try (TrackingClient client = TrackingClient.create(SharedServers.postgres().uri())) {
      MetricSeries curve = AreasExample.bestLossCurve(client, "areas-" + UUID.randomUUID());
      assertEquals("loss", curve.key());
      assertEquals(100, curve.totalPoints());
      assertTrue(curve.downsampled());
      assertTrue(curve.points().size() <= 20);
      // The first and last points survive downsampling: lr 0.1 gives 1.0 at step 1.
      assertEquals(
          new Metric("loss", 1.0, curve.points().get(0).timestamp(), 1), curve.points().get(0));
      assertEquals(100, curve.points().get(curve.points().size() - 1).step());
      Run run = client.runs().get(curve.runId());
      assertEquals(Optional.of("0.1"), run.data().param("lr"));
      assertEquals(Optional.of("risk"), run.data().tag("team"));
      assertEquals(RunStatus.FINISHED, run.info().status());
      assertFalse(run.info().endTime().isEmpty());
    }
  }
}
