package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

abstract class ContextContract extends ServerContract {
  private TrackingContext context() {
    return new TrackingContext(client);
  }

  @Test
  void setExperimentNameCreatesTheExperimentOnce() {
    String name = unique("ctx");
    TrackingContext first = context().setExperimentName(name);
    String id = first.getExperimentId();
    assertEquals(name, client.experiments().get(id).name());
    assertEquals(id, context().setExperimentName(name).getExperimentId());
  }

  @Test
  void setExperimentNameRefusesADeletedExperiment() {
    String name = unique("gone");
    client.experiments().delete(client.experiments().create(name));
    TrackdException e =
        assertThrows(TrackdException.class, () -> context().setExperimentName(name));
    assertEquals(ErrorCode.FAILED_PRECONDITION, e.getCode());
    assertEquals(Optional.of("EXPERIMENT_DELETED"), e.getReason());
  }

  @Test
  void defaultExperimentAndSetExperimentId() {
    TrackingContext ctx = context();
    assertEquals("0", ctx.getExperimentId());
    String exp = newExperiment();
    assertSame(ctx, ctx.setExperimentId(exp));
    try (ActiveRun run = ctx.startRun()) {
      assertEquals(exp, client.runs().get(run.getId()).info().experimentId());
    }
  }

  @Test
  void startRunSetsTheSystemTags() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    ActiveRun run = ctx.startRun("named");
    RunData data = client.runs().get(run.getId()).data();
    assertEquals(Optional.of(System.getProperty("user.name")), data.tag(SystemTags.USER));
    assertEquals(Optional.of("LOCAL"), data.tag(SystemTags.SOURCE_TYPE));
    assertEquals(Optional.of(TrackingContext.sourceName()), data.tag(SystemTags.SOURCE_NAME));
    assertEquals(Optional.of("named"), data.tag(SystemTags.RUN_NAME));
    assertEquals(Optional.empty(), data.tag(SystemTags.PARENT_RUN_ID));
    assertEquals("named", run.getInfo().runName());
    run.endRun();
  }

  @Test
  void nestedRunsCarryTheirParent() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    try (ActiveRun parent = ctx.startRun("parent");
        ActiveRun child = ctx.startRun("child", parent.getId())) {
      RunData data = client.runs().get(child.getId()).data();
      assertEquals(Optional.of(parent.getId()), data.tag(SystemTags.PARENT_RUN_ID));
      assertEquals(Optional.of("child"), data.tag(SystemTags.RUN_NAME));
    }
  }

  @Test
  void activeRunLogsEverything() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    String id;
    try (ActiveRun run = ctx.startRun("all-methods")) {
      id = run.getId();
      assertEquals(client.runs().get(id).info().artifactUri(), run.getArtifactUri());
      run.logParam("a", "1");
      run.logParams(Map.of("b", "2", "c", "3"));
      run.logMetric("m1", 1.0);
      run.logMetric("m2", 2.0, 7);
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("m3", 3.0);
      metrics.put("m4", 4.0);
      run.logMetrics(metrics);
      run.logMetrics(Map.of("m5", 5.0), 9);
      run.setTag("t1", "x");
      run.setTags(Map.of("t2", "y", "t3", "z"));
    }
    Run run = client.runs().get(id);
    assertEquals(RunStatus.FINISHED, run.info().status(), "try-with-resources ends the run");
    assertTrue(run.info().endTime().isPresent());
    RunData data = run.data();
    assertEquals(Optional.of("1"), data.param("a"));
    assertEquals(Optional.of("2"), data.param("b"));
    assertEquals(Optional.of("3"), data.param("c"));
    assertEquals(0, data.metric("m1").orElseThrow().step());
    assertEquals(7, data.metric("m2").orElseThrow().step());
    assertEquals(3.0, data.metric("m3").orElseThrow().value());
    assertEquals(
        data.metric("m3").orElseThrow().timestamp(), data.metric("m4").orElseThrow().timestamp());
    assertEquals(
        new Metric("m5", 5.0, data.metric("m5").orElseThrow().timestamp(), 9),
        data.metric("m5").orElseThrow());
    assertEquals(Optional.of("x"), data.tag("t1"));
    assertEquals(Optional.of("y"), data.tag("t2"));
    assertEquals(Optional.of("z"), data.tag("t3"));
  }

  @Test
  void endRunWithStatusIsNotOverriddenByClose() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    String id;
    try (ActiveRun run = ctx.startRun()) {
      id = run.getId();
      run.endRun(RunStatus.KILLED);
    }
    assertEquals(RunStatus.KILLED, client.runs().get(id).info().status());
  }

  @Test
  void withActiveRunFinishesTheRun() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    AtomicReference<String> id = new AtomicReference<>();
    ctx.withActiveRun(
        "ok",
        run -> {
          id.set(run.getId());
          run.logMetric("m", 1.0);
        });
    Run run = client.runs().get(id.get());
    assertEquals(RunStatus.FINISHED, run.info().status());
    assertEquals("ok", run.info().runName());
  }

  @Test
  void withActiveRunMarksFailedAndRethrows() {
    String exp = newExperiment();
    TrackingContext ctx = context().setExperimentId(exp);
    AtomicReference<String> id = new AtomicReference<>();
    IllegalStateException boom = new IllegalStateException("training diverged");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                ctx.withActiveRun(
                    "failing",
                    run -> {
                      id.set(run.getId());
                      throw boom;
                    }));
    assertSame(boom, thrown);
    Run run = client.runs().get(id.get());
    assertEquals(RunStatus.FAILED, run.info().status());
    assertTrue(run.info().endTime().isPresent());
  }

  @Test
  void withActiveRunWithoutName() {
    TrackingContext ctx = context().setExperimentId(newExperiment());
    AtomicReference<String> id = new AtomicReference<>();
    ctx.withActiveRun(run -> id.set(run.getId()));
    assertEquals(RunStatus.FINISHED, client.runs().get(id.get()).info().status());
  }

  @Test
  void constructorsFindTheServer() {
    String exp = newExperiment();
    String previous = System.getProperty("trackd.tracking.uri");
    System.setProperty("trackd.tracking.uri", server().uri());
    try (TrackingContext fromEnvironment = new TrackingContext();
        TrackingContext fromUri = new TrackingContext(server().uri())) {
      assertEquals(server().uri(), fromEnvironment.getClient().getTrackingUri());
      assertEquals(server().uri(), fromUri.getClient().getTrackingUri());
      String a = fromEnvironment.setExperimentId(exp).startRun().getId();
      String b = fromUri.setExperimentId(exp).startRun().getId();
      assertNotEquals(a, b);
      assertEquals(
          2,
          RunsContract.ids(client.runs().search(SearchRunsOptions.inExperiments(List.of(exp))))
              .size());
    } finally {
      if (previous == null) {
        System.clearProperty("trackd.tracking.uri");
      } else {
        System.setProperty("trackd.tracking.uri", previous);
      }
    }
    // Closing a context leaves a client it was given open.
    new TrackingContext(client).close();
    assertEquals("Default", client.experiments().get("0").name());
  }
}
