package io.trackd.client;

import java.util.List;
import java.util.Objects;

/**
 * The history of one metric of one run as the server returned it for a chart: complete, or
 * downsampled to a bounded number of points (the first, last, minimum and maximum point of each
 * bucket are kept, so the series' first and last points and its extremes are always there).
 *
 * @param runId the run's id
 * @param key the metric's name; every point carries it too
 * @param points ordered by step, then timestamp, then logging order
 * @param totalPoints how many points the series holds (within the step range asked for), before
 *     downsampling
 * @param downsampled true when points were left out
 */
public record MetricSeries(
    String runId, String key, List<Metric> points, long totalPoints, boolean downsampled) {
  /**
   * Checks and copies the components.
   *
   * @param runId the run's id
   * @param key the metric's name; every point carries it too
   * @param points ordered by step, then timestamp, then logging order
   * @param totalPoints how many points the series holds before downsampling
   * @param downsampled true when points were left out
   */
  public MetricSeries {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(key, "key");
    points = List.copyOf(points);
    if (totalPoints < points.size()) {
      throw new IllegalArgumentException(
          "totalPoints " + totalPoints + " is less than the " + points.size() + " points given");
    }
  }
}
