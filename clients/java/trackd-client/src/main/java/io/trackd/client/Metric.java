package io.trackd.client;

import java.util.Objects;

/**
 * One point of a metric's history. Any double is a valid value, NaN and infinities included.
 *
 * @param key the metric's name, at most 250 characters
 * @param value the measured value
 * @param timestamp milliseconds since the Unix epoch; 0 when logging means "the server's now"
 * @param step the training step the value belongs to
 */
public record Metric(String key, double value, long timestamp, long step) {
  /**
   * Checks that the key is present.
   *
   * @param key the metric's name, at most 250 characters
   * @param value the measured value
   * @param timestamp milliseconds since the Unix epoch; 0 when logging means "the server's now"
   * @param step the training step the value belongs to
   */
  public Metric {
    Objects.requireNonNull(key, "key");
  }

  /**
   * A point at step 0 whose timestamp the server sets when it is logged.
   *
   * @param key the metric's name
   * @param value the measured value
   * @return the metric point
   */
  public static Metric of(String key, double value) {
    return new Metric(key, value, 0L, 0L);
  }

  /**
   * A point at the given step whose timestamp the server sets when it is logged.
   *
   * @param key the metric's name
   * @param value the measured value
   * @param step the training step
   * @return the metric point
   */
  public static Metric of(String key, double value, long step) {
    return new Metric(key, value, 0L, step);
  }
}
