package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each error code the server reports on purpose, as the Java caller sees it. */
abstract class ErrorsContract extends ServerContract {
  private static final String MISSING_RUN = "f".repeat(32);

  /** Asserts the call fails with {@code code}, an ErrorInfo reason and a message. */
  static TrackdException assertFails(ErrorCode code, Executable call) {
    TrackdException e = assertThrows(TrackdException.class, call);
    assertEquals(code, e.getCode(), e.getMessage());
    assertTrue(e.getReason().isPresent(), "no ErrorInfo reason in " + e.getMessage());
    assertFalse(e.getServerMessage().isEmpty());
    return e;
  }

  /** Asserts the call fails with {@code code} and exactly {@code reason} (docs/errors.md). */
  static TrackdException assertFails(ErrorCode code, String reason, Executable call) {
    TrackdException e = assertFails(code, call);
    assertEquals(Optional.of(reason), e.getReason(), e.getMessage());
    return e;
  }

  @Test
  void notFound() {
    assertFails(ErrorCode.NOT_FOUND, "RUN_NOT_FOUND", () -> client.getRun(MISSING_RUN));
    assertFails(
        ErrorCode.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> client.getExperiment("987654321"));
    assertFails(ErrorCode.NOT_FOUND, () -> client.logParam(MISSING_RUN, "k", "v"));
    assertFails(ErrorCode.NOT_FOUND, () -> client.getMetricHistory(MISSING_RUN, "m"));
    String run = client.createRun(newExperiment()).runId();
    assertFails(ErrorCode.NOT_FOUND, "TAG_NOT_FOUND", () -> client.deleteTag(run, "never-set"));
  }

  @Test
  void alreadyExists() {
    String name = unique("dup");
    client.createExperiment(name);
    assertFails(
        ErrorCode.ALREADY_EXISTS, "EXPERIMENT_NAME_TAKEN", () -> client.createExperiment(name));
    String other = newExperiment();
    assertFails(ErrorCode.ALREADY_EXISTS, () -> client.renameExperiment(other, name));
  }

  @Test
  void invalidArgument() {
    String run = client.createRun(newExperiment()).runId();
    client.logParam(run, "lr", "0.1");
    TrackdException changed =
        assertFails(
            ErrorCode.INVALID_ARGUMENT,
            "PARAM_VALUE_CHANGED",
            () -> client.logParam(run, "lr", "0.2"));
    assertTrue(changed.getServerMessage().contains("lr"), changed.getServerMessage());
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.setTag(run, "k".repeat(251), "v"));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.logParam(run, "big", "x".repeat(6001)));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.createExperiment(""));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "PAGE_SIZE_OUT_OF_RANGE",
        () -> client.searchRunsPage(RunSearch.inExperiments("0").withPageSize(1001), ""));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "INVALID_FILTER",
        () -> client.searchRunsPage(RunSearch.inExperiments("0").withFilter("metrics.loss <"), ""));
  }

  @Test
  void invalidBatchWritesNothing() {
    String run = client.createRun(newExperiment()).runId();
    List<Param> params = List.of(new Param("ok", "1"), new Param("bad", "x".repeat(6001)));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> client.logBatch(run, List.of(Metric.of("m", 1)), params, null));
    RunData data = client.getRun(run).data();
    assertEquals(List.of(), data.params());
    assertEquals(List.of(), data.metrics());
  }

  @Test
  void failedPrecondition() {
    String exp = newExperiment();
    String run = client.createRun(exp).runId();
    client.deleteRun(run);
    assertFails(
        ErrorCode.FAILED_PRECONDITION, "RUN_DELETED", () -> client.logMetric(run, "m", 1.0));
    assertFails(ErrorCode.FAILED_PRECONDITION, () -> client.setTag(run, "k", "v"));
    client.deleteExperiment(exp);
    assertFails(ErrorCode.FAILED_PRECONDITION, () -> client.renameExperiment(exp, unique("x")));
    assertFails(ErrorCode.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> client.createRun(exp));
  }

  @Test
  void resourceExhaustedForAMessageOverTheServersLimit() {
    String run = client.createRun(newExperiment()).runId();
    // The server accepts messages up to 16 MiB; gRPC itself refuses a larger one before trackd
    // sees it, so there is no ErrorInfo here.
    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.logParam(run, "huge", "x".repeat(20_000_000)));
    assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.getCode(), e.getMessage());
  }
}
