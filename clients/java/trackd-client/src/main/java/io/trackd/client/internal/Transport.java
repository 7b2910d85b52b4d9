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
 * The channel and the rules every call follows: a deadline per call, gRPC's own retries on
 * UNAVAILABLE by the shared service config ({@link ServiceConfig}; gRPC re-sends the serialized
 * request, hence the same request id, on each attempt), and gRPC failures turned into {@link
 * TrackdException}.
 */
public final class Transport implements AutoCloseable {
  /** Search pages and metric histories can be large; the gRPC default (4 MiB) is too small. */
  private static final int MAX_INBOUND_BYTES = 256 * 1024 * 1024;

  /**
   * gRPC replays only what it buffered (1 MiB per call by default): a larger LogBatch would not be
   * retried. 16 MiB is the largest message the server takes.
   */
  private static final long RETRY_BUFFER_PER_CALL = 16L * 1024 * 1024;

  private static final long RETRY_BUFFER = 4 * RETRY_BUFFER_PER_CALL;

  /** grpc-java's own cap on attempts; a client asking for more gets what it asked for. */
  private static final int GRPC_MAX_ATTEMPTS = 5;

  /** The blocking stubs of one call, all with that call's deadline. */
  public record Stubs(
      ExperimentServiceBlockingStub experiments,
      RunServiceBlockingStub runs,
      MetricServiceBlockingStub metrics,
      ArtifactServiceBlockingStub artifacts) {}

  private final ManagedChannel channel;
  private final Duration deadline;
  private final RetryPolicy retry;
  private final OutageNotice notice;

  public Transport(TrackingUri uri, Duration deadline, RetryPolicy retry) {
    this.channel = openChannel(uri, retry);
    this.deadline = deadline;
    this.retry = retry;
    this.notice =
        retry.maxAttempts() > 1
            ? new OutageNotice(channel, uri.host() + ":" + uri.port(), retry.announcement())
            : null;
  }

  private static ManagedChannel openChannel(TrackingUri uri, RetryPolicy retry) {
    ManagedChannelBuilder<?> builder =
        ManagedChannelBuilder.forAddress(uri.host(), uri.port())
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .userAgent("trackd-java-client/" + Version.VERSION)
            // The policy is ours, not something a DNS TXT record may replace.
            .disableServiceConfigLookUp()
            .defaultServiceConfig(ServiceConfig.forChannel(retry))
            .enableRetry()
            .maxRetryAttempts(Math.max(GRPC_MAX_ATTEMPTS, retry.maxAttempts()))
            .perRpcBufferLimit(RETRY_BUFFER_PER_CALL)
            .retryBufferSize(RETRY_BUFFER);
    if (uri.tls()) {
      builder.useTransportSecurity();
    } else {
      builder.usePlaintext();
    }
    return builder.build();
  }

  /**
   * Sends {@code request} through {@code rpc}; gRPC retries it on UNAVAILABLE, within the deadline.
   *
   * @throws TrackdException when the call fails for good
   */
  public <Q, R> R call(Q request, BiFunction<Stubs, Q, R> rpc) {
    return watched(
        () -> {
          try {
            return rpc.apply(stubs(), request);
          } catch (StatusRuntimeException e) {
            throw Errors.fromGrpc(e);
          }
        });
  }

  /**
   * Runs {@code attempt} until it succeeds, retrying on UNAVAILABLE with the policy's backoff: for
   * the artifact streams, which gRPC does not replay. The attempt must be safe to repeat (for a
   * mutation: the same request id each time).
   *
   * @throws TrackdException when the attempt fails for good
   */
  <R> R withRetries(Supplier<R> attempt) {
    return watched(
        () -> {
          for (int n = 1; ; n++) {
            try {
              return attempt.get();
            } catch (StatusRuntimeException e) {
              if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || n >= retry.maxAttempts()) {
                throw Errors.fromGrpc(e);
              }
              pause(retry.backoff(n), e);
              // Without this the channel would wait out its own reconnect backoff (up to
              // minutes) and fail the next attempt fast in the meantime.
              channel.resetConnectBackoff();
            }
          }
        });
  }

  /** Runs one call under the outage notice's eye. */
  private <R> R watched(Supplier<R> call) {
    if (notice == null) {
      return call.get();
    }
    notice.callStarted();
    boolean answered = false;
    try {
      R result = call.get();
      answered = true;
      return result;
    } catch (TrackdException e) {
      answered = e.getCode() != ErrorCode.UNAVAILABLE;
      throw e;
    } finally {
      notice.callEnded(answered);
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
