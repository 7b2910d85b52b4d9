package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The value types of artifacts, histories, read masks and option records, without a server. */
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
    SearchRunsOptions search = SearchRunsOptions.inExperiments("1");
    assertEquals(RunReadMask.all(), search.readMask());
    SearchRunsOptions masked =
        search.withReadMask(RunReadMask.none()).withFilter("x").withPageSize(3);
    assertEquals(RunReadMask.none(), masked.readMask());
    assertEquals(
        RunReadMask.none(), masked.withOrderBy("metrics.a").withViewType(ViewType.ALL).readMask());
    assertEquals(RunReadMask.all(), search.withViewType(ViewType.ALL).readMask());
    assertThrows(NullPointerException.class, () -> search.withReadMask(null));
  }

  @Test
  void searchOptionsStartFromAPageToken() {
    SearchRunsOptions runs = SearchRunsOptions.inExperiments("1", "2");
    assertEquals("", runs.pageToken());
    assertEquals("t", runs.withPageToken("t").pageToken());
    assertEquals("", runs.withPageToken("t").withPageToken(null).pageToken());
    assertEquals(List.of("1", "2"), runs.withPageToken("t").withFilter("x").experimentIds());
    assertThrows(IllegalArgumentException.class, () -> SearchRunsOptions.inExperiments(List.of()));
    SearchExperimentsOptions experiments = SearchExperimentsOptions.defaults();
    assertEquals(ViewType.ACTIVE_ONLY, experiments.viewType());
    assertEquals("t", experiments.withPageToken("t").withOrderBy("name").pageToken());
    assertEquals("", experiments.withPageToken(null).pageToken());
    assertThrows(IllegalArgumentException.class, () -> experiments.withPageSize(-1));
  }

  @Test
  void createOptionsCopyTheirTagsAndDefaultToTheCurrentUser() {
    CreateRunOptions run = CreateRunOptions.defaults();
    assertEquals(System.getProperty("user.name"), run.userId());
    assertEquals("", run.withUserId("").userId());
    assertEquals(0L, run.startTime());
    Map<String, String> tags = new HashMap<>(Map.of("a", "1"));
    CreateRunOptions tagged = run.withTags(tags).withTags(Map.of("b", "2", "a", "3"));
    tags.put("c", "4");
    assertEquals(Map.of("a", "3", "b", "2"), tagged.tags());
    assertThrows(UnsupportedOperationException.class, () -> tagged.tags().put("d", "5"));
    CreateExperimentOptions experiment =
        CreateExperimentOptions.defaults().withArtifactLocation("s3://b/x").withTags(tags);
    assertEquals("s3://b/x", experiment.artifactLocation());
    assertEquals(Map.of("a", "1", "c", "4"), experiment.tags());
    assertEquals(Map.of(), CreateExperimentOptions.defaults().tags());
  }

  @Test
  void updateHistoryAndUploadOptions() {
    UpdateRunOptions none = UpdateRunOptions.unchanged();
    assertEquals(Optional.empty(), none.status());
    assertEquals(OptionalLong.empty(), none.endTime());
    UpdateRunOptions all = none.withStatus(RunStatus.KILLED).withEndTime(7).withRunName("n");
    assertEquals(Optional.of(RunStatus.KILLED), all.status());
    assertEquals(OptionalLong.of(7), all.endTime());
    assertEquals(Optional.of("n"), all.runName());
    assertEquals(Optional.empty(), none.runName());

    assertEquals(new HistoryOptions(0, StepRange.all()), HistoryOptions.serverChosen());
    assertEquals(
        StepRange.from(3), HistoryOptions.maxPoints(10).withSteps(StepRange.from(3)).steps());
    assertThrows(IllegalArgumentException.class, () -> HistoryOptions.maxPoints(-1));
    assertThrows(NullPointerException.class, () -> HistoryOptions.maxPoints(4).withSteps(null));

    assertEquals(UploadOptions.root(), UploadOptions.into(null));
    assertEquals(UploadOptions.root(), UploadOptions.into(""));
    assertEquals("model", UploadOptions.into("model").artifactPath());
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
}
