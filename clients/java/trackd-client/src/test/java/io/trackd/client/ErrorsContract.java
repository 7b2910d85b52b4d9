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
    assertFails(ErrorCode.NOT_FOUND, "RUN_NOT_FOUND", () -> client.runs().get(MISSING_RUN));
    assertFails(
        ErrorCode.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> client.experiments().get("987654321"));
    assertFails(ErrorCode.NOT_FOUND, () -> client.runs().logParam(MISSING_RUN, "k", "v"));
    assertFails(ErrorCode.NOT_FOUND, () -> client.metrics().history(MISSING_RUN, "m"));
    String run = client.runs().create(newExperiment()).id();
    assertFails(
        ErrorCode.NOT_FOUND, "TAG_NOT_FOUND", () -> client.runs().deleteTag(run, "never-set"));
  }

  @Test
  void alreadyExists() {
    String name = unique("dup");
    client.experiments().create(name);
    assertFails(
        ErrorCode.ALREADY_EXISTS, "EXPERIMENT_NAME_TAKEN", () -> client.experiments().create(name));
    String other = newExperiment();
    assertFails(ErrorCode.ALREADY_EXISTS, () -> client.experiments().rename(other, name));
  }

  @Test
  void invalidArgument() {
    String run = client.runs().create(newExperiment()).id();
    client.runs().logParam(run, "lr", "0.1");
    TrackdException changed =
        assertFails(
            ErrorCode.INVALID_ARGUMENT,
            "PARAM_VALUE_CHANGED",
            () -> client.runs().logParam(run, "lr", "0.2"));
    assertTrue(changed.getServerMessage().contains("lr"), changed.getServerMessage());
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.runs().setTag(run, "k".repeat(251), "v"));
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> client.runs().logParam(run, "big", "x".repeat(6001)));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.experiments().create(""));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "PAGE_SIZE_OUT_OF_RANGE",
        () -> client.runs().searchPage(SearchRunsOptions.inExperiments("0").withPageSize(1001)));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "INVALID_FILTER",
        () ->
            client
                .runs()
                .searchPage(SearchRunsOptions.inExperiments("0").withFilter("metrics.loss <")));
  }

  @Test
  void invalidBatchWritesNothing() {
    String run = client.runs().create(newExperiment()).id();
    List<Param> params = List.of(new Param("ok", "1"), new Param("bad", "x".repeat(6001)));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> client.runs().logBatch(run, List.of(Metric.of("m", 1)), params, null));
    RunData data = client.runs().get(run).data();
    assertEquals(List.of(), data.params());
    assertEquals(List.of(), data.metrics());
  }

  @Test
  void failedPrecondition() {
    String exp = newExperiment();
    String run = client.runs().create(exp).id();
    client.runs().delete(run);
    assertFails(
        ErrorCode.FAILED_PRECONDITION, "RUN_DELETED", () -> client.metrics().log(run, "m", 1.0));
    assertFails(ErrorCode.FAILED_PRECONDITION, () -> client.runs().setTag(run, "k", "v"));
    client.experiments().delete(exp);
    assertFails(ErrorCode.FAILED_PRECONDITION, () -> client.experiments().rename(exp, unique("x")));
    assertFails(
        ErrorCode.FAILED_PRECONDITION,
        "EXPERIMENT_DELETED",
        () -> client.runs().create(exp).info());
  }

  @Test
  void resourceExhaustedForAMessageOverTheServersLimit() {
    String run = client.runs().create(newExperiment()).id();
    // The server accepts messages up to 16 MiB; gRPC itself refuses a larger one before trackd
    // sees it, so there is no ErrorInfo here.
    TrackdException e =
        assertThrows(
            TrackdException.class,
            () -> client.runs().logParam(run, "huge", "x".repeat(20_000_000)));
    assertEquals(ErrorCode.RESOURCE_EXHAUSTED, e.getCode(), e.getMessage());
  }
}
