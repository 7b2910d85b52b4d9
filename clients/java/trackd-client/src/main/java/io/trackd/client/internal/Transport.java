package io.trackd.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import io.trackd.v1.ArtifactServiceGrpc;
import io.trackd.v1.ArtifactServiceGrpc.ArtifactServiceBlockingStub;
import io.trackd.v1.ArtifactServiceGrpc.ArtifactServiceStub;
import io.trackd.v1.ExperimentServiceGrpc;
import io.trackd.v1.ExperimentServiceGrpc.ExperimentServiceBlockingStub;
import io.trackd.v1.MetricServiceGrpc;
import io.trackd.v1.MetricServiceGrpc.MetricServiceBlockingStub;
import io.trackd.v1.RunServiceGrpc;
import io.trackd.v1.RunServiceGrpc.RunServiceBlockingStub;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The channel and the rules every call follows: a deadline per attempt, retries with backoff on
 * UNAVAILABLE (the same request object, hence the same request id, each time), and gRPC failures
 * turned into {@link TrackdException}.
 */
public final class Transport implements AutoCloseable {
  /** Search pages and metric histories can be large; the gRPC default (4 MiB) is too small. */
  private static final int MAX_INBOUND_BYTES = 256 * 1024 * 1024;

  /** The blocking stubs of one attempt, all with that attempt's deadline. */
  public record Stubs(
      ExperimentServiceBlockingStub experiments,
      RunServiceBlockingStub runs,
      MetricServiceBlockingStub metrics,
      ArtifactServiceBlockingStub artifacts) {}

  private final ManagedChannel channel;
  private final Duration deadline;
  private final RetryPolicy retry;

  public Transport(ManagedChannel channel, Duration deadline, RetryPolicy retry) {
    this.channel = channel;
    this.deadline = deadline;
    this.retry = retry;
  }

  public static ManagedChannel openChannel(TrackingUri uri) {
    ManagedChannelBuilder<?> builder =
        ManagedChannelBuilder.forAddress(uri.host(), uri.port())
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .userAgent("trackd-java-client/" + Version.VERSION);
    if (uri.tls()) {
      builder.useTransportSecurity();
    } else {
      builder.usePlaintext();
    }
    return builder.build();
  }

  /**
   * Sends {@code request} through {@code rpc}, retrying on UNAVAILABLE.
   *
   * @throws TrackdException when the call fails for good
   */
  public <Q, R> R call(Q request, BiFunction<Stubs, Q, R> rpc) {
    return withRetries(() -> rpc.apply(stubs(), request));
  }

  /**
   * Runs {@code attempt} until it succeeds, retrying on UNAVAILABLE with backoff. The attempt must
   * be safe to repeat (for a mutation: the same request id each time).
   *
   * @throws TrackdException when the attempt fails for good
   */
  <R> R withRetries(Supplier<R> attempt) {
    for (int n = 1; ; n++) {
      try {
        return attempt.get();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || n >= retry.maxAttempts()) {
          throw Errors.fromGrpc(e);
        }
        pause(retry.backoff(n), e);
        // Without this the channel would wait out its own reconnect backoff (up to minutes)
        // and fail our retries fast in the meantime.
        channel.resetConnectBackoff();
      }
    }
  }

  private Stubs stubs() {
    long millis = deadline.toMillis();
    return new Stubs(
        ExperimentServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(millis, TimeUnit.MILLISECONDS),
        RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(millis, TimeUnit.MILLISECONDS),
        MetricServiceGrpc.newBlockingStub(channel).withDeadlineAfter(millis, TimeUnit.MILLISECONDS),
        ArtifactServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(millis, TimeUnit.MILLISECONDS));
  }

  /**
   * The asynchronous artifact stub, without a deadline: a transfer may take longer than any fixed
   * deadline, so transfers watch for stalls instead (see {@link #deadline()}).
   */
  ArtifactServiceStub artifactStreams() {
    return ArtifactServiceGrpc.newStub(channel);
  }

  /** The per-call deadline; for transfers, the longest pause without progress. */
  Duration deadline() {
    return deadline;
  }

  private static void pause(Duration pause, StatusRuntimeException lastFailure) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new TrackdException(
          ErrorCode.CANCELLED,
          null,
          "interrupted while waiting to retry: " + lastFailure.getStatus(),
          Map.of(),
          interrupted);
    }
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
