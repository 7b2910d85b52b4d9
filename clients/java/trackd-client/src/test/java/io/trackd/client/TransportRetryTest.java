package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.trackd.v1.LogParamRequest;
import io.trackd.v1.LogParamResponse;
import io.trackd.v1.RunServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, request ids and deadlines as seen on the wire. A real server cannot be made to drop an
 * answer on cue, so an in-process endpoint plays a flaky network: it answers UNAVAILABLE a given
 * number of times, then succeeds, and records what each attempt carried. What the server does with
 * a repeated request id is tested against the real server (RequestIdContract).
 */
class TransportRetryTest {
  private final List<String> requestIds = new CopyOnWriteArrayList<>();
  private final List<Boolean> hadDeadline = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile Status failure = Status.UNAVAILABLE;
  private Server server;
  private TrackingClient client;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                new RunServiceGrpc.RunServiceImplBase() {
                  @Override
                  public void logParam(
                      LogParamRequest request, StreamObserver<LogParamResponse> reply) {
                    requestIds.add(request.getRequestId());
                    hadDeadline.add(Context.current().getDeadline() != null);
                    if (failuresLeft.getAndDecrement() > 0) {
                      reply.onError(failure.withDescription("flaky").asRuntimeException());
                    } else {
                      reply.onNext(LogParamResponse.getDefaultInstance());
                      reply.onCompleted();
                    }
                  }
                })
            .build()
            .start();
    RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));
    Transport transport =
        new Transport(InProcessChannelBuilder.forName(name).build(), Duration.ofSeconds(5), retry);
    client = new TrackingClient(TrackingUri.parse("grpc://in-process:1"), transport);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void retriesUnavailableWithTheSameRequestId() {
    failuresLeft.set(2);
    client.logParam("run", "k", "v");
    assertEquals(3, requestIds.size());
    assertEquals(1, requestIds.stream().distinct().count(), requestIds.toString());
    assertEquals(36, requestIds.get(0).length(), "a UUID");
  }

  @Test
  void everyAttemptHasADeadline() {
    failuresLeft.set(1);
    client.logParam("run", "k", "v");
    assertEquals(List.of(true, true), hadDeadline);
  }

  @Test
  void eachLogicalCallHasItsOwnRequestId() {
    client.logParam("run", "a", "1");
    client.logParam("run", "b", "2");
    assertNotEquals(requestIds.get(0), requestIds.get(1));
  }

  @Test
  void givesUpAfterMaxAttempts() {
    failuresLeft.set(100);
    TrackdException e = assertThrows(TrackdException.class, () -> client.logParam("r", "k", "v"));
    assertEquals(ErrorCode.UNAVAILABLE, e.getCode());
    assertEquals(4, requestIds.size());
  }

  @Test
  void doesNotRetryOtherFailures() {
    failure = Status.INVALID_ARGUMENT;
    failuresLeft.set(1);
    TrackdException e = assertThrows(TrackdException.class, () -> client.logParam("r", "k", "v"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
    assertTrue(e.getMessage().contains("flaky"));
    assertEquals(1, requestIds.size());
  }
}
