package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The value types and path rules of artifacts, histories and read masks, without a server. */
class HistoryAndArtifactValuesTest {
  @Test
  void readMasksAreBuiltByCopy() {
    RunReadMask mask = RunReadMask.none().withMetrics("loss", "acc").withParams("lr");
    assertEquals(List.of("loss", "acc"), mask.metricKeys());
    assertFalse(mask.allMetrics());
    assertEquals(List.of("lr"), mask.paramKeys());
    assertEquals(List.of(), mask.tagKeys());
    assertFalse(mask.allTags());
    assertEquals(
        RunReadMask.none(), new RunReadMask(List.of(), false, List.of(), false, List.of(), false));
    assertEquals(
        RunReadMask.all(), RunReadMask.none().withAllMetrics().withAllParams().withAllTags());
    assertEquals(List.of(), mask.withAllMetrics().metricKeys());
    assertEquals(
        RunReadMask.none().withTags("t"),
        RunReadMask.all().withMetrics().withParams().withTags("t"));
    List<String> keys = new ArrayList<>(List.of("a"));
    RunReadMask copy = new RunReadMask(keys, false, List.of(), false, List.of(), false);
    keys.add("b");
    assertEquals(List.of("a"), copy.metricKeys());
  }

  @Test
  void runSearchesCarryAReadMask() {
    RunSearch search = RunSearch.inExperiments("1");
    assertEquals(RunReadMask.all(), search.readMask());
    RunSearch masked = search.withReadMask(RunReadMask.none()).withFilter("x").withPageSize(3);
    assertEquals(RunReadMask.none(), masked.readMask());
    assertEquals(
        RunReadMask.none(), masked.withOrderBy("metrics.a").withViewType(ViewType.ALL).readMask());
    assertEquals(
        RunReadMask.all(), new RunSearch(List.of("1"), "", ViewType.ALL, List.of(), 0).readMask());
    assertThrows(NullPointerException.class, () -> search.withReadMask(null));
  }

  @Test
  void stepRanges() {
    assertEquals(new StepRange(OptionalLong.empty(), OptionalLong.empty()), StepRange.all());
    assertEquals(new StepRange(OptionalLong.of(3), OptionalLong.of(3)), StepRange.between(3, 3));
    assertEquals(OptionalLong.of(5), StepRange.from(5).start());
    assertEquals(OptionalLong.empty(), StepRange.from(5).end());
    assertEquals(OptionalLong.of(-1), StepRange.upTo(-1).end());
    assertThrows(IllegalArgumentException.class, () -> StepRange.between(2, 1));
  }

  @Test
  void seriesAndFileInfosAreCheckedValues() {
    List<Metric> points = new ArrayList<>(List.of(new Metric("m", 1, 1, 1)));
    MetricSeries series = new MetricSeries("r", "m", points, 5, true);
    points.clear();
    assertEquals(1, series.points().size());
    assertThrows(UnsupportedOperationException.class, () -> series.points().clear());
    assertThrows(
        IllegalArgumentException.class,
        () -> new MetricSeries("r", "m", List.of(new Metric("m", 1, 1, 1)), 0, false));
    assertThrows(IllegalArgumentException.class, () -> new FileInfo("a", false, -1));
    assertThrows(NullPointerException.class, () -> new FileInfo(null, true, 0));
  }

  @Test
  void artifactDirectoriesUseSlashesWithoutEdges() {
    assertEquals("", ArtifactCalls.artifactDir(null));
    assertEquals("", ArtifactCalls.artifactDir("/"));
    assertEquals("a/b", ArtifactCalls.artifactDir("/a/b/"));
    assertEquals("../x", ArtifactCalls.artifactDir("../x"));
  }

  @Test
  void downloadsStayInsideTheirDestination() {
    Path root = Path.of("/tmp/trackd-dst").toAbsolutePath();
    assertEquals(root, ArtifactCalls.localTarget(root, ""));
    assertEquals(root.resolve("a/b.txt"), ArtifactCalls.localTarget(root, "a/b.txt"));
    assertEquals(root.resolve("b.txt"), ArtifactCalls.localTarget(root, "a/../b.txt"));
    for (String escape : List.of("..", "../x", "a/../../x", "/etc/passwd")) {
      TrackdException e =
          assertThrows(TrackdException.class, () -> ArtifactCalls.localTarget(root, escape));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
      assertEquals(Optional.of("UNSAFE_ARTIFACT_PATH"), e.getReason());
    }
    assertTrue(ArtifactCalls.localTarget(root, "..a").startsWith(root));
  }
}
