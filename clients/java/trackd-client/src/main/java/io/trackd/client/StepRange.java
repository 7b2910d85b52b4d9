package io.trackd.client;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * An inclusive range of training steps that restricts a metric history read; either end may be
 * open.
 *
 * @param start the smallest step included, or empty for no lower bound
 * @param end the largest step included, or empty for no upper bound
 */
public record StepRange(OptionalLong start, OptionalLong end) {
  private static final StepRange ALL = new StepRange(OptionalLong.empty(), OptionalLong.empty());

  /**
   * Checks the bounds.
   *
   * @param start the smallest step included, or empty for no lower bound
   * @param end the largest step included, or empty for no upper bound
   * @throws IllegalArgumentException if {@code start} is greater than {@code end}
   */
  public StepRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.isPresent() && end.isPresent() && start.getAsLong() > end.getAsLong()) {
      throw new IllegalArgumentException(
          "start step " + start.getAsLong() + " is after end step " + end.getAsLong());
    }
  }

  /**
   * Every step.
   *
   * @return the unbounded range
   */
  public static StepRange all() {
    return ALL;
  }

  /**
   * Steps from {@code start} to {@code end}, both included.
   *
   * @param start the smallest step included
   * @param end the largest step included
   * @return the range
   */
  public static StepRange between(long start, long end) {
    return new StepRange(OptionalLong.of(start), OptionalLong.of(end));
  }

  /**
   * Steps from {@code start} on, included.
   *
   * @param start the smallest step included
   * @return the range
   */
  public static StepRange from(long start) {
    return new StepRange(OptionalLong.of(start), OptionalLong.empty());
  }

  /**
   * Steps up to {@code end}, included.
   *
   * @param end the largest step included
   * @return the range
   */
  public static StepRange upTo(long end) {
    return new StepRange(OptionalLong.empty(), OptionalLong.of(end));
  }
}
