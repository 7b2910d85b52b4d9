package io.trackd.client;

import java.util.List;

/**
 * The metric-history methods of {@link TrackingClient}, which inherits them (a package-private
 * superclass keeps that file within bounds; the methods are documented as the client's own).
 */
abstract class HistoryMethods {
  private final HistoryCalls history;

  HistoryMethods(Transport transport) {
    this.history = new HistoryCalls(transport);
  }

  /**
   * The full history of one metric, ordered by step, then timestamp, then logging order; all pages
   * are fetched.
   *
   * @param runId the run's id
   * @param key the metric's name
   * @return every point; empty if the run never logged the metric
   * @throws TrackdException NOT_FOUND if there is no such run
   */
  public List<Metric> getMetricHistory(String runId, String key) {
    return history.full(runId, key);
  }

  /**
   * One metric's history downsampled by the server for a chart: at most {@code maxPoints} points,
   * always including the first, the last, the minimum and the maximum (see
   * docs/metrics-history.md). A series of at most {@code maxPoints} points comes back whole.
   *
   * @param runId the run's id
   * @param key the metric's name
   * @param maxPoints 4 to 25000
   * @return the series; no points if the run never logged the metric
   * @throws TrackdException NOT_FOUND if there is no such run, INVALID_ARGUMENT for maxPoints
   */
  public MetricSeries getMetricHistory(String runId, String key, int maxPoints) {
    return history.downsampled(runId, key, maxPoints, StepRange.all());
  }

  /**
   * As {@link #getMetricHistory(String, String, int)}, for the points within a step range.
   *
   * @param runId the run's id
   * @param key the metric's name
   * @param maxPoints 4 to 25000
   * @param steps the steps to read, e.g. {@code StepRange.between(100, 200)}
   * @return the series within the range
   * @throws TrackdException NOT_FOUND if there is no such run, INVALID_ARGUMENT for maxPoints
   */
  public MetricSeries getMetricHistory(String runId, String key, int maxPoints, StepRange steps) {
    return history.downsampled(runId, key, maxPoints, steps);
  }

  /**
   * The histories of several metrics of several runs in one call, each downsampled like {@link
   * #getMetricHistory(String, String, int)}.
   *
   * @param runIds 1 to 100 runs
   * @param keys 1 to 100 metric keys
   * @param maxPoints points per series, 4 to 10000, with at most 100000 in all; 0 lets the server
   *     choose (1000, or fewer so that every series fits)
   * @return one series per (run, key) pair that has points, ordered as {@code runIds}, then {@code
   *     keys}
   * @throws TrackdException NOT_FOUND for an unknown run, INVALID_ARGUMENT beyond the limits
   */
  public List<MetricSeries> getMetricHistoryBulk(
      List<String> runIds, List<String> keys, int maxPoints) {
    return history.bulk(runIds, keys, maxPoints, StepRange.all());
  }

  /**
   * As {@link #getMetricHistoryBulk(List, List, int)}, for the points within a step range.
   *
   * @param runIds 1 to 100 runs
   * @param keys 1 to 100 metric keys
   * @param maxPoints points per series, 4 to 10000; 0 lets the server choose
   * @param steps the steps to read
   * @return one series per (run, key) pair that has points in the range
   * @throws TrackdException NOT_FOUND for an unknown run, INVALID_ARGUMENT beyond the limits
   */
  public List<MetricSeries> getMetricHistoryBulk(
      List<String> runIds, List<String> keys, int maxPoints, StepRange steps) {
    return history.bulk(runIds, keys, maxPoints, steps);
  }
}
