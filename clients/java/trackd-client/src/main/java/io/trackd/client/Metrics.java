package io.trackd.client;

import java.util.List;

/**
 * The metrics area of a {@link TrackingClient} ({@code client.metrics()}): logging metric points
 * and reading histories, whole or downsampled by the server for charts.
 */
public interface Metrics {
  /**
   * Logs a metric point at step 0 with the current time.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value any double, NaN and infinities included
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  default void log(String runId, String key, double value) {
    log(runId, new Metric(key, value, System.currentTimeMillis(), 0));
  }

  /**
   * Appends a point to a metric's history.
   *
   * @param runId the run's id
   * @param point the key, value, timestamp (0 for the server's now) and step, e.g. {@code
   *     Metric.of("loss", 0.25, 3)}
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  void log(String runId, Metric point);

  /**
   * The full history of one metric, ordered by step, then timestamp, then logging order; all pages
   * are fetched.
   *
   * @param runId the run's id
   * @param key the metric's name
   * @return every point; empty if the run never logged the metric
   * @throws TrackdException NOT_FOUND if there is no such run
   */
  List<Metric> history(String runId, String key);

  /**
   * One metric's history downsampled by the server for a chart: at most {@code options.maxPoints()}
   * points, always including the first, the last, the minimum and the maximum (see
   * docs/metrics-history.md). A series of at most that many points comes back whole.
   *
   * @param runId the run's id
   * @param key the metric's name
   * @param options maxPoints (4 to 25000; 0 is refused) and an optional step range
   * @return the series; no points if the run never logged the metric
   * @throws TrackdException NOT_FOUND if there is no such run, INVALID_ARGUMENT for maxPoints
   * @throws IllegalArgumentException if {@code options.maxPoints()} is 0
   */
  MetricSeries downsampledHistory(String runId, String key, HistoryOptions options);

  /**
   * The histories of several metrics of several runs in one call, each downsampled like {@link
   * #downsampledHistory}.
   *
   * @param runIds 1 to 100 runs
   * @param keys 1 to 100 metric keys
   * @param options points per series (4 to 10000, at most 100000 in all; 0 lets the server choose
   *     1000, or fewer so that every series fits) and an optional step range
   * @return one series per (run, key) pair that has points, ordered as {@code runIds}, then {@code
   *     keys}
   * @throws TrackdException NOT_FOUND for an unknown run, INVALID_ARGUMENT beyond the limits
   */
  List<MetricSeries> bulkHistory(List<String> runIds, List<String> keys, HistoryOptions options);
}
