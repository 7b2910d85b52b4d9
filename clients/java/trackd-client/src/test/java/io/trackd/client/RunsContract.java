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
  void createRunWithoutExperimentUsesTheDefault() {
    RunInfo info = client.createRun();
    assertEquals("0", info.experimentId());
    assertEquals(RunStatus.RUNNING, info.status());
    assertEquals(32, info.runId().length());
  }

  @Test
  void createRunRecordsTheUser() {
    String exp = newExperiment();
    RunInfo info = client.createRun(exp);
    assertEquals(exp, info.experimentId());
    assertEquals(System.getProperty("user.name"), info.userId());
    assertEquals(OptionalLong.empty(), info.endTime());
    assertFalse(info.runName().isEmpty(), "the server generates a name");
    Run run = client.getRun(info.runId());
    assertEquals(info, run.info());
    assertEquals(Optional.of(System.getProperty("user.name")), run.data().tag(SystemTags.USER));
  }

  @Test
  void createRunFromASpec() {
    String exp = newExperiment();
    String parent = client.createRun(exp).runId();
    Run run =
        client.createRun(
            RunSpec.inExperiment(exp)
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
    assertEquals(run, client.getRun(run.id()));
  }

  @Test
  void updateRunChangesOnlyWhatIsGiven() {
    String id = client.createRun(newExperiment()).runId();
    RunInfo renamed = client.updateRun(id, null, null, "renamed");
    assertEquals("renamed", renamed.runName());
    assertEquals(RunStatus.RUNNING, renamed.status());
    assertEquals(Optional.of("renamed"), client.getRun(id).data().tag(SystemTags.RUN_NAME));
    RunInfo ended = client.updateRun(id, RunStatus.KILLED, 1_800_000_000_000L, null);
    assertEquals(RunStatus.KILLED, ended.status());
    assertEquals(OptionalLong.of(1_800_000_000_000L), ended.endTime());
    assertEquals("renamed", ended.runName());
  }

  @Test
  void setTerminatedOverloads() {
    String exp = newExperiment();
    String a = client.createRun(exp).runId();
    String b = client.createRun(exp).runId();
    String c = client.createRun(exp).runId();
    long before = System.currentTimeMillis();
    client.setTerminated(a);
    client.setTerminated(b, RunStatus.FAILED);
    client.setTerminated(c, RunStatus.KILLED, 1_750_000_000_000L);
    RunInfo ia = client.getRun(a).info();
    assertEquals(RunStatus.FINISHED, ia.status());
    assertTrue(ia.endTime().orElseThrow() >= before);
    assertEquals(RunStatus.FAILED, client.getRun(b).info().status());
    RunInfo ic = client.getRun(c).info();
    assertEquals(RunStatus.KILLED, ic.status());
    assertEquals(OptionalLong.of(1_750_000_000_000L), ic.endTime());
  }

  @Test
  void deletesAndRestoresRuns() {
    String exp = newExperiment();
    String id = client.createRun(exp).runId();
    client.deleteRun(id);
    assertEquals(LifecycleStage.DELETED, client.getRun(id).info().lifecycleStage());
    assertEquals(List.of(), ids(client.searchRuns(List.of(exp), "")));
    RunSearch deleted = RunSearch.inExperiments(exp).withViewType(ViewType.DELETED_ONLY);
    assertEquals(List.of(id), ids(client.searchRuns(deleted)));
    client.restoreRun(id);
    assertEquals(LifecycleStage.ACTIVE, client.getRun(id).info().lifecycleStage());
    assertEquals(List.of(id), ids(client.searchRuns(List.of(exp), "")));
  }

  @Test
  void searchRunsIteratesOverEveryPageInOrder() {
    String exp = newExperiment();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = client.createRun(exp).runId();
      client.logMetric(id, "loss", 10 - i, 0, 0);
      expected.add(id);
    }
    RunSearch search =
        RunSearch.inExperiments(exp).withOrderBy("metrics.loss DESC").withPageSize(2);
    assertEquals(expected, ids(client.searchRuns(search)));

    Page<Run> first = client.searchRunsPage(search, "");
    assertEquals(expected.subList(0, 2), ids(first.getItems()));
    assertTrue(first.hasNextPage());
    Page<Run> second = first.nextPage();
    assertEquals(expected.subList(2, 4), ids(second.getItems()));
    Page<Run> last = client.searchRunsPage(search, second.getNextPageToken().orElseThrow());
    assertEquals(expected.subList(4, 5), ids(last.getItems()));
    assertFalse(last.hasNextPage());
  }

  @Test
  void searchRunsFilters() {
    String exp = newExperiment();
    String good = client.createRun(exp).runId();
    String bad = client.createRun(exp).runId();
    client.logMetric(good, "loss", 0.1, 0, 0);
    client.logMetric(bad, "loss", 0.9, 0, 0);
    client.logParam(good, "optimizer", "adam");
    assertEquals(List.of(good), ids(client.searchRuns(List.of(exp), "metrics.loss < 0.5")));
    assertEquals(List.of(good), ids(client.searchRuns(List.of(exp), "params.optimizer = 'adam'")));
    Run found = client.searchRuns(List.of(exp), "metrics.loss < 0.5").iterator().next();
    assertEquals(Optional.of("adam"), found.data().param("optimizer"));
  }

  static List<String> ids(Iterable<Run> runs) {
    List<String> out = new ArrayList<>();
    runs.forEach(r -> out.add(r.id()));
    return out;
  }
}
