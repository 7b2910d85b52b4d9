package io.trackd.client.internal;

import io.trackd.client.ErrorCode;
import io.trackd.client.HistoryOptions;
import io.trackd.client.Metric;
import io.trackd.client.MetricSeries;
import io.trackd.client.Metrics;
import io.trackd.client.StepRange;
import io.trackd.client.TrackdException;
import io.trackd.v1.GetMetricHistoryBulkRequest;
import io.trackd.v1.GetMetricHistoryBulkResponse;
import io.trackd.v1.GetMetricHistoryRequest;
import io.trackd.v1.GetMetricHistoryResponse;
import io.trackd.v1.HistoryLayout;
import io.trackd.v1.LogMetricRequest;
import io.trackd.v1.MetricColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link Metrics} over MetricService: logging points, and histories (every point, one series
 * downsampled, or runs x keys); documented there.
 *
 * <p>Every history call asks for the COLUMNS layout: three packed arrays per page (pages of up to
 * 100000 points) instead of one message per point, which is far cheaper to parse. An older server
 * ignores the layout and answers with rows, which are read as well.
 */
final class MetricsImpl implements Metrics {
  private final Transport transport;

  MetricsImpl(Transport transport) {
    this.transport = transport;
  }

  @Override
  public void log(String runId, Metric point) {
    LogMetricRequest request =
        LogMetricRequest.newBuilder()
            .setRunId(runId)
            .setKey(point.key())
            .setValue(point.value())
            .setTimestamp(point.timestamp())
            .setStep(point.step())
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.metrics().logMetric(r));
  }

  @Override
  public List<Metric> history(String runId, String key) {
    List<Metric> points = new ArrayList<>();
    String token = "";
    do {
      GetMetricHistoryRequest request =
          GetMetricHistoryRequest.newBuilder()
              .setRunId(runId)
              .setMetricKey(key)
              .setPageToken(token)
              .setLayout(HistoryLayout.HISTORY_LAYOUT_COLUMNS)
              .build();
      GetMetricHistoryResponse response =
          transport.call(request, (s, r) -> s.metrics().getMetricHistory(r));
      if (response.hasColumns()) {
        addColumns(key, response.getColumns(), points);
      } else {
        response.getMetricsList().forEach(x -> points.add(Protos.metric(x)));
      }
      token = response.getNextPageToken();
    } while (!token.isEmpty());
    return List.copyOf(points);
  }

  @Override
  public MetricSeries downsampledHistory(String runId, String key, HistoryOptions options) {
    int maxPoints = options.maxPoints();
    StepRange steps = options.steps();
    if (maxPoints <= 0) {
      // 0 would ask the server for the first page of the full history instead.
      throw new IllegalArgumentException("maxPoints must be positive: " + maxPoints);
    }
    GetMetricHistoryRequest.Builder request =
        GetMetricHistoryRequest.newBuilder()
            .setRunId(runId)
            .setMetricKey(key)
            .setMaxPoints(maxPoints)
            .setLayout(HistoryLayout.HISTORY_LAYOUT_COLUMNS);
    steps.start().ifPresent(request::setStartStep);
    steps.end().ifPresent(request::setEndStep);
    GetMetricHistoryResponse response =
        transport.call(request.build(), (s, r) -> s.metrics().getMetricHistory(r));
    List<Metric> points = new ArrayList<>();
    if (response.hasColumns()) {
      addColumns(key, response.getColumns(), points);
    } else {
      addRows(key, response.getMetricsList(), points);
    }
    return series(runId, key, points, response.getTotalPoints(), response.getDownsampled());
  }

  @Override
  public List<MetricSeries> bulkHistory(
      List<String> runIds, List<String> keys, HistoryOptions options) {
    int maxPoints = options.maxPoints();
    StepRange steps = options.steps();
    GetMetricHistoryBulkRequest.Builder request =
        GetMetricHistoryBulkRequest.newBuilder()
            .addAllRunIds(runIds)
            .addAllMetricKeys(keys)
            .setMaxPoints(maxPoints)
            .setLayout(HistoryLayout.HISTORY_LAYOUT_COLUMNS);
    steps.start().ifPresent(request::setStartStep);
    steps.end().ifPresent(request::setEndStep);
    GetMetricHistoryBulkResponse response =
        transport.call(request.build(), (s, r) -> s.metrics().getMetricHistoryBulk(r));
    List<MetricSeries> out = new ArrayList<>(response.getSeriesCount());
    for (io.trackd.v1.MetricSeries found : response.getSeriesList()) {
      String key = found.getMetricKey();
      List<Metric> points = new ArrayList<>();
      if (found.hasColumns()) {
        addColumns(key, found.getColumns(), points);
      } else {
        addRows(key, found.getPointsList(), points);
      }
      out.add(
          series(found.getRunId(), key, points, found.getTotalPoints(), found.getDownsampled()));
    }
    return List.copyOf(out);
  }

  /** Appends point i = (steps[i], timestamps[i], values[i]) of a columns answer, in order. */
  static void addColumns(String key, MetricColumns columns, List<Metric> out) {
    int n = columns.getValuesCount();
    if (columns.getStepsCount() != n || columns.getTimestampsCount() != n) {
      throw new TrackdException(
          ErrorCode.DATA_LOSS,
          null,
          "the server's history columns differ in length: "
              + columns.getStepsCount()
              + " steps, "
              + columns.getTimestampsCount()
              + " timestamps, "
              + n
              + " values",
          Map.of(),
          null);
    }
    for (int i = 0; i < n; i++) {
      out.add(new Metric(key, columns.getValues(i), columns.getTimestamps(i), columns.getSteps(i)));
    }
  }

  /** Appends the points of a rows answer (an older server); their key may be empty. */
  private static void addRows(String key, List<io.trackd.v1.Metric> rows, List<Metric> out) {
    rows.forEach(p -> out.add(new Metric(key, p.getValue(), p.getTimestamp(), p.getStep())));
  }

  private static MetricSeries series(
      String runId, String key, List<Metric> points, long total, boolean sampled) {
    return new MetricSeries(runId, key, points, Math.max(total, points.size()), sampled);
  }
}
