package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.trackd.testing.Fault;
import io.trackd.testing.FaultInjectingProxy;
import io.trackd.testing.ProxiedCall;
import io.trackd.testing.SharedServers;
import io.trackd.testing.TrackdServer;
import io.trackd.v1.CreateRunRequest;
import io.trackd.v1.CreateRunResponse;
import io.trackd.v1.LogMetricRequest;
import io.trackd.v1.LogMetricResponse;
import io.trackd.v1.LogParamRequest;
import io.trackd.v1.LogParamResponse;
import io.trackd.v1.MetricServiceGrpc;
import io.trackd.v1.RunServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, request ids and deadlines as seen on the wire, against the real server (SQLite) behind a
 * {@link FaultInjectingProxy}. A lost reply is the case retries exist for: the call reached the
 * server and was applied, then the connection dropped before the answer came back. The client must
 * retry with the same request id, and reading back through the server shows the write was applied
 * exactly once.
 */
class TransportRetryTest {
  private static final MethodDescriptor<LogParamRequest, LogParamResponse> LOG_PARAM =
      RunServiceGrpc.getLogParamMethod();
  private static final MethodDescriptor<LogMetricRequest, LogMetricResponse> LOG_METRIC =
      MetricServiceGrpc.getLogMetricMethod();
  private static final MethodDescriptor<CreateRunRequest, CreateRunResponse> CREATE_RUN =
      RunServiceGrpc.getCreateRunMethod();
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private FaultInjectingProxy proxy;

  /** Straight to the server: setup and read-back. */
  private TrackingClient direct;

  /** Through the proxy, with four attempts and short pauses. */
  private TrackingClient client;

  private String experimentId;
  private String runId;

  @BeforeEach
  void start() {
    TrackdServer server = SharedServers.sqlite();
    proxy = FaultInjectingProxy.start(server);
    direct = TrackingClient.create(server.uri());
    client =
        TrackingClient.builder()
            .trackingUri(proxy.uri())
            .deadline(DEADLINE)
            .maxAttempts(4)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .build();
    experimentId = direct.experiments().create("transport-retry-" + UUID.randomUUID());
    runId = direct.runs().create(experimentId).id();
  }

  @AfterEach
  void stop() {
    client.close();
    direct.close();
    proxy.close();
  }

  @Test
  void retriesUnavailableWithTheSameRequestId() {
    proxy.inject(LOG_PARAM, 2, Fault.loseReply());

    client.runs().logParam(runId, "k", "v");

    List<ProxiedCall> calls = proxy.calls(LOG_PARAM);
    assertEquals(3, calls.size(), calls::toString);
    List<String> ids = requestIds(calls, LOG_PARAM, LogParamRequest::getRequestId);
    assertEquals(1, ids.stream().distinct().count(), ids::toString);
    assertEquals(36, ids.get(0).length(), "a UUID");
    assertMadeByGrpc(calls);
    assertServerAnsweredOk(calls);
    assertEquals(Map.of("k", "v"), params());
  }

  @Test
  void aRetriedMetricIsLoggedExactlyOnce() {
    proxy.inject(LOG_METRIC, 2, Fault.loseReply());

    client.metrics().log(runId, new Metric("loss", 0.25, 1_700_000_000_000L, 7));

    List<ProxiedCall> calls = proxy.calls(LOG_METRIC);
    assertEquals(3, calls.size(), calls::toString);
    assertEquals(
        1,
        requestIds(calls, LOG_METRIC, LogMetricRequest::getRequestId).stream().distinct().count());
    // Each attempt was applied or recognised by the server; the history holds one point.
    assertServerAnsweredOk(calls);
    assertEquals(
        List.of(new Metric("loss", 0.25, 1_700_000_000_000L, 7)),
        direct.metrics().history(runId, "loss"));
  }

  @Test
  void aRetriedCreateRunCreatesOneRun() {
    String experiment = direct.experiments().create("transport-retry-create-" + UUID.randomUUID());
    proxy.inject(CREATE_RUN, 1, Fault.loseReply());

    RunInfo created = client.runs().create(experiment).info();

    List<ProxiedCall> calls = proxy.calls(CREATE_RUN);
    assertEquals(2, calls.size(), calls::toString);
    assertEquals(
        1,
        requestIds(calls, CREATE_RUN, CreateRunRequest::getRequestId).stream().distinct().count());
    assertMadeByGrpc(calls);
    assertServerAnsweredOk(calls);
    List<String> runs = new ArrayList<>();
    direct
        .runs()
        .search(SearchRunsOptions.inExperiments(List.of(experiment)))
        .forEach(r -> runs.add(r.id()));
    assertEquals(List.of(created.runId()), runs, "no ghost run from the lost first answer");
  }

  @Test
  void everyAttemptHasTheCallsDeadline() {
    proxy.inject(LOG_PARAM, 1, Fault.loseReply());

    client.runs().logParam(runId, "k", "v");

    List<ProxiedCall> calls = proxy.calls(LOG_PARAM);
    assertEquals(2, calls.size(), calls::toString);
    for (ProxiedCall call : calls) {
      Duration left = call.deadline().orElseThrow(() -> new AssertionError("no deadline: " + call));
      assertTrue(!left.isNegative() && left.compareTo(DEADLINE) <= 0, left::toString);
    }
  }

  @Test
  void eachLogicalCallHasItsOwnRequestId() {
    client.runs().logParam(runId, "a", "1");
    client.runs().logParam(runId, "b", "2");

    List<String> ids = requestIds(proxy.calls(LOG_PARAM), LOG_PARAM, LogParamRequest::getRequestId);
    assertEquals(2, ids.size(), ids::toString);
    assertNotEquals(ids.get(0), ids.get(1));
    assertEquals(Map.of("a", "1", "b", "2"), params());
  }

  @Test
  void givesUpAfterMaxAttempts() {
    proxy.inject(LOG_METRIC, 100, Fault.loseReply());

    TrackdException e =
        assertThrows(
            TrackdException.class,
            () -> client.metrics().log(runId, new Metric("m", 1.0, 1000L, 0)));

    assertEquals(ErrorCode.UNAVAILABLE, e.getCode());
    List<ProxiedCall> calls = proxy.calls(LOG_METRIC);
    assertEquals(4, calls.size(), calls::toString);
    assertEquals(
        1,
        requestIds(calls, LOG_METRIC, LogMetricRequest::getRequestId).stream().distinct().count());
    // The client gave up, yet the server applied the write, once.
    assertEquals(List.of(new Metric("m", 1.0, 1000L, 0)), direct.metrics().history(runId, "m"));
  }

  @Test
  void doesNotRetryOtherFailures() {
    direct.runs().logParam(runId, "lr", "0.1");

    TrackdException e =
        assertThrows(TrackdException.class, () -> client.runs().logParam(runId, "lr", "0.2"));

    assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
    assertEquals(Optional.of("PARAM_VALUE_CHANGED"), e.getReason());
    assertTrue(e.getMessage().contains("lr"), e.getMessage());
    List<ProxiedCall> calls = proxy.calls(LOG_PARAM);
    assertEquals(1, calls.size(), calls::toString);
    assertEquals(Status.Code.INVALID_ARGUMENT, calls.get(0).serverStatus().orElseThrow().getCode());
    assertEquals(Map.of("lr", "0.1"), params());
  }

  /** The run's params, read back through the server. */
  private Map<String, String> params() {
    return direct.runs().get(runId).data().params().stream()
        .collect(Collectors.toMap(Param::key, Param::value));
  }

  private static <Q> List<String> requestIds(
      List<ProxiedCall> calls, MethodDescriptor<Q, ?> method, Function<Q, String> requestId) {
    return calls.stream().map(c -> requestId.apply(c.requests(method).get(0))).toList();
  }

  /**
   * The attempts are gRPC's own retries of one call (numbered by its grpc-previous-rpc-attempts
   * header), not calls the client sent again by itself.
   */
  private static void assertMadeByGrpc(List<ProxiedCall> calls) {
    assertEquals(
        IntStream.range(0, calls.size()).boxed().toList(),
        calls.stream().map(ProxiedCall::previousAttempts).toList());
  }

  private static void assertServerAnsweredOk(List<ProxiedCall> calls) {
    for (ProxiedCall call : calls) {
      assertEquals(
          Status.Code.OK,
          call.serverStatus().map(Status::getCode).orElse(null),
          "the real server's answer to " + call);
    }
  }
}
