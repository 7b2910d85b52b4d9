package io.trackd.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How calls that fail with UNAVAILABLE are retried: exponential backoff with full jitter, capped.
 * Safe for mutating calls because each retry carries the first attempt's request id.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
    }
  }

  /** The longest pause after the given (1-based) failed attempt; jitter picks below it. */
  Duration ceiling(int failedAttempt) {
    long base = initialBackoff.toMillis();
    int shift = Math.min(failedAttempt - 1, 30);
    long grown = base << shift;
    boolean overflowed = base != 0 && (grown >>> shift) != base;
    return overflowed ? maxBackoff : Duration.ofMillis(Math.min(grown, maxBackoff.toMillis()));
  }

  /** The pause after the given failed attempt: uniform in [ceiling/2, ceiling]. */
  Duration backoff(int failedAttempt) {
    long ceiling = ceiling(failedAttempt).toMillis();
    long floor = ceiling / 2;
    return Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1));
  }
}
