package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

abstract class RunsContract extends ServerContract {
  @Test
  void createRunInTheDefaultExperiment() {
    RunInfo info = client.runs().create("0").info();
    assertEquals("0", info.experimentId());
    assertEquals(RunStatus.RUNNING, info.status());
    assertEquals(32, info.runId().length());
  }

  @Test
  void createRunRecordsTheUser() {
    String exp = newExperiment();
    RunInfo info = client.runs().create(exp).info();
    assertEquals(exp, info.experimentId());
    assertEquals(System.getProperty("user.name"), info.userId());
    assertEquals(OptionalLong.empty(), info.endTime());
    assertFalse(info.runName().isEmpty(), "the server generates a name");
    Run run = client.runs().get(info.runId());
    assertEquals(info, run.info());
    assertEquals(Optional.of(System.getProperty("user.name")), run.data().tag(SystemTags.USER));
  }

  @Test
  void createRunWithOptions() {
    String exp = newExperiment();
    String parent = client.runs().create(exp).id();
    Run run =
        client
            .runs()
            .create(
                exp,
                CreateRunOptions.defaults()
                    .withRunName("child")
                    .withParentRunId(parent)
                    .withUserId("ana")
                    .withStartTime(1_700_000_000_000L)
                    .withTags(Map.of("team", "risk")));
    assertEquals("child", run.info().runName());
    assertEquals("ana", run.info().userId());
    assertEquals(1_700_000_000_000L, run.info().startTime());
    assertEquals(Optional.of("risk"), run.data().tag("team"));
    assertEquals(Optional.of(parent), run.data().tag(SystemTags.PARENT_RUN_ID));
    assertEquals(Optional.of("child"), run.data().tag(SystemTags.RUN_NAME));
    assertEquals(run, client.runs().get(run.id()));
  }

  @Test
  void updateRunChangesOnlyWhatIsGiven() {
    String id = client.runs().create(newExperiment()).id();
    RunInfo renamed = client.runs().update(id, UpdateRunOptions.unchanged().withRunName("renamed"));
    assertEquals("renamed", renamed.runName());
    assertEquals(RunStatus.RUNNING, renamed.status());
    assertEquals(Optional.of("renamed"), client.runs().get(id).data().tag(SystemTags.RUN_NAME));
    RunInfo ended =
        client
            .runs()
            .update(
                id,
                UpdateRunOptions.unchanged()
                    .withStatus(RunStatus.KILLED)
                    .withEndTime(1_800_000_000_000L));
    assertEquals(RunStatus.KILLED, ended.status());
    assertEquals(OptionalLong.of(1_800_000_000_000L), ended.endTime());
    assertEquals("renamed", ended.runName());
  }

  @Test
  void setTerminatedAndUpdateEndRuns() {
    String exp = newExperiment();
    String a = client.runs().create(exp).id();
    String b = client.runs().create(exp).id();
    String c = client.runs().create(exp).id();
    long before = System.currentTimeMillis();
    client.runs().setTerminated(a);
    client.runs().setTerminated(b, RunStatus.FAILED);
    client
        .runs()
        .update(
            c,
            UpdateRunOptions.unchanged()
                .withStatus(RunStatus.KILLED)
                .withEndTime(1_750_000_000_000L));
    RunInfo ia = client.runs().get(a).info();
    assertEquals(RunStatus.FINISHED, ia.status());
    assertTrue(ia.endTime().orElseThrow() >= before);
    assertEquals(RunStatus.FAILED, client.runs().get(b).info().status());
    RunInfo ic = client.runs().get(c).info();
    assertEquals(RunStatus.KILLED, ic.status());
    assertEquals(OptionalLong.of(1_750_000_000_000L), ic.endTime());
  }

  @Test
  void deletesAndRestoresRuns() {
    String exp = newExperiment();
    String id = client.runs().create(exp).id();
    client.runs().delete(id);
    assertEquals(LifecycleStage.DELETED, client.runs().get(id).info().lifecycleStage());
    assertEquals(
        List.of(), ids(client.runs().search(SearchRunsOptions.inExperiments(List.of(exp)))));
    SearchRunsOptions deleted =
        SearchRunsOptions.inExperiments(exp).withViewType(ViewType.DELETED_ONLY);
    assertEquals(List.of(id), ids(client.runs().search(deleted)));
    client.runs().restore(id);
    assertEquals(LifecycleStage.ACTIVE, client.runs().get(id).info().lifecycleStage());
    assertEquals(
        List.of(id), ids(client.runs().search(SearchRunsOptions.inExperiments(List.of(exp)))));
  }

  @Test
  void searchRunsIteratesOverEveryPageInOrder() {
    String exp = newExperiment();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = client.runs().create(exp).id();
      client.metrics().log(id, new Metric("loss", 10 - i, 0, 0));
      expected.add(id);
    }
    SearchRunsOptions search =
        SearchRunsOptions.inExperiments(exp).withOrderBy("metrics.loss DESC").withPageSize(2);
    assertEquals(expected, ids(client.runs().search(search)));

    Page<Run> first = client.runs().searchPage(search);
    assertEquals(expected.subList(0, 2), ids(first.getItems()));
    assertTrue(first.hasNextPage());
    Page<Run> second = first.nextPage();
    assertEquals(expected.subList(2, 4), ids(second.getItems()));
    Page<Run> last =
        client.runs().searchPage(search.withPageToken(second.getNextPageToken().orElseThrow()));
    assertEquals(expected.subList(4, 5), ids(last.getItems()));
    assertFalse(last.hasNextPage());
  }

  @Test
  void searchRunsFilters() {
    String exp = newExperiment();
    String good = client.runs().create(exp).id();
    String bad = client.runs().create(exp).id();
    client.metrics().log(good, new Metric("loss", 0.1, 0, 0));
    client.metrics().log(bad, new Metric("loss", 0.9, 0, 0));
    client.runs().logParam(good, "optimizer", "adam");
    for (String filter : List.of("metrics.loss < 0.5", "params.optimizer = 'adam'")) {
      SearchRunsOptions search = SearchRunsOptions.inExperiments(List.of(exp)).withFilter(filter);
      assertEquals(List.of(good), ids(client.runs().search(search)), filter);
    }
    Run found =
        client
            .runs()
            .search(SearchRunsOptions.inExperiments(List.of(exp)).withFilter("metrics.loss < 0.5"))
            .iterator()
            .next();
    assertEquals(Optional.of("adam"), found.data().param("optimizer"));
  }

  static List<String> ids(Iterable<Run> runs) {
    List<String> out = new ArrayList<>();
    runs.forEach(r -> out.add(r.id()));
    return out;
  }
}
