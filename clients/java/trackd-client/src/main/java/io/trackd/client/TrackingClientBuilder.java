package io.trackd.client;

import io.trackd.client.internal.ClientImpl;
import io.trackd.client.internal.RetryPolicy;
import io.trackd.client.internal.TrackingUri;
import io.trackd.client.internal.Transport;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link TrackingClient}. Start from {@link TrackingClient#builder()}; every setting
 * has a default, so {@code TrackingClient.builder().build()} connects to the configured tracking
 * URI with a 30 s deadline and up to 5 attempts per call.
 */
public final class TrackingClientBuilder {
  private String trackingUri;
  private Duration deadline = Duration.ofSeconds(30);
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
   * How long one attempt of a call may take before it fails with DEADLINE_EXCEEDED.
   *
   * @param perAttempt a positive duration (default 30 s)
   * @return this builder
   */
  public TrackingClientBuilder deadline(Duration perAttempt) {
    if (perAttempt.isNegative() || perAttempt.isZero()) {
      throw new IllegalArgumentException("the deadline must be positive: " + perAttempt);
    }
    this.deadline = perAttempt;
    return this;
  }

  /**
   * How many times a call is tried in all when the server is UNAVAILABLE. Retries reuse the request
   * id, so the server applies a mutating call at most once.
   *
   * @param attempts at least 1 (default 5; 1 disables retries)
   * @return this builder
   */
  public TrackingClientBuilder maxAttempts(int attempts) {
    this.maxAttempts = attempts;
    return this;
  }

  /**
   * The backoff between attempts: it starts at {@code initial}, doubles after each failure and
   * never exceeds {@code max}; each pause is picked at random in its upper half.
   *
   * @param initial the first pause's ceiling (default 100 ms)
   * @param max the largest pause (default 5 s)
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
    RetryPolicy retry = new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
    return new ClientImpl(parsed, new Transport(Transport.openChannel(parsed), deadline, retry));
  }
}
