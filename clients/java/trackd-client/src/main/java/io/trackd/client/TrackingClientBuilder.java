package io.trackd.client;

import io.trackd.client.internal.ClientImpl;
import io.trackd.client.internal.RetryPolicy;
import io.trackd.client.internal.ServiceConfig;
import io.trackd.client.internal.TrackingUri;
import io.trackd.client.internal.Transport;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link TrackingClient}. Start from {@link TrackingClient#builder()}; every setting
 * has a default, so {@code TrackingClient.builder().build()} connects to the configured tracking
 * URI with the retry and deadline policy all trackd clients share (docs/errors.md#retries: a 60 s
 * deadline per call and up to 5 attempts).
 */
public final class TrackingClientBuilder {
  private String trackingUri;
  private Duration deadline = ServiceConfig.sharedTimeout();
  private int maxAttempts = RetryPolicy.DEFAULT.maxAttempts();
  private Duration initialBackoff = RetryPolicy.DEFAULT.initialBackoff();
  private Duration maxBackoff = RetryPolicy.DEFAULT.maxBackoff();

  TrackingClientBuilder() {}

  /**
   * The server to talk to. Without this the builder uses the system property {@code
   * trackd.tracking.uri}, else the environment variable {@code TRACKD_TRACKING_URI}, else {@code
   * grpc://127.0.0.1:50051}.
   *
   * @param uri {@code grpc://host:port} for plaintext or {@code grpcs://host:port} for TLS
   * @return this builder
   */
  public TrackingClientBuilder trackingUri(String uri) {
    this.trackingUri = Objects.requireNonNull(uri, "uri");
    return this;
  }

  /**
   * How long a call, its retries included, may take before it fails with DEADLINE_EXCEEDED.
   *
   * @param perCall a positive duration (default: the shared policy's, 60 s)
   * @return this builder
   */
  public TrackingClientBuilder deadline(Duration perCall) {
    if (perCall.isNegative() || perCall.isZero()) {
      throw new IllegalArgumentException("the deadline must be positive: " + perCall);
    }
    this.deadline = perCall;
    return this;
  }

  /**
   * How many times a call is tried in all when the server is UNAVAILABLE. Retries reuse the request
   * id, so the server applies a mutating call at most once.
   *
   * @param attempts at least 1 (default: the shared policy's, 5; 1 disables retries)
   * @return this builder
   */
  public TrackingClientBuilder maxAttempts(int attempts) {
    this.maxAttempts = attempts;
    return this;
  }

  /**
   * The backoff between attempts: its ceiling starts at {@code initial}, grows by the shared
   * policy's multiplier (2) after each failure and never exceeds {@code max}; each pause is picked
   * at random between 0 and the ceiling, as gRPC does.
   *
   * @param initial the first pause's ceiling (default: the shared policy's, 1 s)
   * @param max the largest pause (default: the shared policy's, 8 s)
   * @return this builder
   */
  public TrackingClientBuilder backoff(Duration initial, Duration max) {
    this.initialBackoff = Objects.requireNonNull(initial, "initial");
    this.maxBackoff = Objects.requireNonNull(max, "max");
    return this;
  }

  /**
   * Creates the client and its channel. The channel connects lazily, so this does not fail when the
   * server is down; the first call does (after its retries).
   *
   * @return a new client; close it when done
   * @throws IllegalArgumentException if the tracking URI or a setting is invalid
   */
  public TrackingClient build() {
    String uri =
        trackingUri != null
            ? trackingUri
            : TrackingUri.configured(System::getProperty, System.getenv());
    TrackingUri parsed = TrackingUri.parse(uri);
    RetryPolicy retry =
        new RetryPolicy(
            maxAttempts, initialBackoff, maxBackoff, RetryPolicy.DEFAULT.multiplier());
    return new ClientImpl(parsed, new Transport(parsed, deadline, retry));
  }
}
