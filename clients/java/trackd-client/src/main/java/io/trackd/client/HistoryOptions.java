package io.trackd.client;

import java.util.Objects;

/**
 * How much of a metric history {@link Metrics#downsampledHistory} and {@link Metrics#bulkHistory}
 * read. Immutable: the {@code with...} methods return a modified copy.
 *
 * <pre>{@code
 * client.metrics().downsampledHistory(runId, "loss",
 *     HistoryOptions.maxPoints(1000).withSteps(StepRange.between(5_000, 10_000)));
 * }</pre>
 *
 * @param maxPoints the most points per series; 0 lets the server choose (bulk reads only)
 * @param steps the steps to read
 */
public record HistoryOptions(int maxPoints, StepRange steps) {
  /**
   * Checks the components.
   *
   * @param maxPoints the most points per series; 0 lets the server choose (bulk reads only)
   * @param steps the steps to read
   * @throws IllegalArgumentException if {@code maxPoints} is negative
   */
  public HistoryOptions {
    if (maxPoints < 0) {
      throw new IllegalArgumentException("maxPoints must not be negative: " + maxPoints);
    }
    Objects.requireNonNull(steps, "steps");
  }

  /**
   * At most {@code maxPoints} points per series, over every step.
   *
   * @param maxPoints 4 to 25000 for one series, 4 to 10000 per series of a bulk read
   * @return the options
   */
  public static HistoryOptions maxPoints(int maxPoints) {
    return new HistoryOptions(maxPoints, StepRange.all());
  }

  /**
   * As many points per series as the server chooses (bulk reads: 1000, or fewer so that every
   * series fits), over every step.
   *
   * @return the options
   */
  public static HistoryOptions serverChosen() {
    return new HistoryOptions(0, StepRange.all());
  }

  /**
   * These options for the points within a step range.
   *
   * @param range the steps to read, e.g. {@code StepRange.between(100, 200)}
   * @return a copy
   */
  public HistoryOptions withSteps(StepRange range) {
    return new HistoryOptions(maxPoints, range);
  }
}
