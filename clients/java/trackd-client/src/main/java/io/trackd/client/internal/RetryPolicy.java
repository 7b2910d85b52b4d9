package io.trackd.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How calls that fail with UNAVAILABLE are retried, in the terms of the shared service config
 * ({@link ServiceConfig}): gRPC retries unary calls itself by these numbers; the artifact
 * transfers, which gRPC does not replay, restart by the same numbers ({@link #backoff}). Safe for
 * mutating calls because every attempt carries the first attempt's request id.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
  public static final RetryPolicy DEFAULT = ServiceConfig.sharedPolicy();

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (initialBackoff.isNegative()
        || initialBackoff.isZero()
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("the backoff multiplier must be at least 1: " + multiplier);
    }
  }

  /** The longest pause after the given (1-based) failed attempt. */
  Duration ceiling(int failedAttempt) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, failedAttempt - 1);
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }

  /**
   * The pause after the given failed attempt: uniform in [0, ceiling], as gRPC picks its own
   * (gRFC A6), so that many clients do not retry in lockstep.
   */
  Duration backoff(int failedAttempt) {
    long ceiling = ceiling(failedAttempt).toNanos();
    return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  /** The most time all retries of one call can spend pausing. */
  Duration longestWait() {
    Duration total = Duration.ZERO;
    for (int n = 1; n < maxAttempts; n++) {
      total = total.plus(ceiling(n));
    }
    return total;
  }

  /** What the client says it does when the server cannot be reached ({@link OutageNotice}). */
  String announcement() {
    return "retrying up to "
        + (maxAttempts - 1)
        + " times (at most "
        + ServiceConfig.seconds(longestWait())
        + " s of backoff) before UNAVAILABLE";
  }
}
