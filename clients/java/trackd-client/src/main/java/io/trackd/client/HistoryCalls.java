package io.trackd.client;

import io.trackd.v1.GetMetricHistoryBulkRequest;
import io.trackd.v1.GetMetricHistoryBulkResponse;
import io.trackd.v1.GetMetricHistoryRequest;
import io.trackd.v1.GetMetricHistoryResponse;
import java.util.ArrayList;
import java.util.List;

/** Downsampled metric histories (one series, or runs x keys) behind {@link TrackingClient}. */
final class HistoryCalls {
  private final Transport transport;

  HistoryCalls(Transport transport) {
    this.transport = transport;
  }

  MetricSeries downsampled(String runId, String key, int maxPoints, StepRange steps) {
    if (maxPoints <= 0) {
      // 0 would ask the server for the first page of the full history instead.
      throw new IllegalArgumentException("maxPoints must be positive: " + maxPoints);
    }
    GetMetricHistoryRequest.Builder request =
        GetMetricHistoryRequest.newBuilder()
            .setRunId(runId)
            .setMetricKey(key)
            .setMaxPoints(maxPoints);
    steps.start().ifPresent(request::setStartStep);
    steps.end().ifPresent(request::setEndStep);
    GetMetricHistoryResponse response =
        transport.call(request.build(), (s, r) -> s.metrics().getMetricHistory(r));
    return Protos.series(
        runId,
        key,
        response.getMetricsList(),
        response.getTotalPoints(),
        response.getDownsampled());
  }

  List<MetricSeries> bulk(List<String> runIds, List<String> keys, int maxPoints, StepRange steps) {
    if (maxPoints < 0) {
      throw new IllegalArgumentException("maxPoints must not be negative: " + maxPoints);
    }
    GetMetricHistoryBulkRequest.Builder request =
        GetMetricHistoryBulkRequest.newBuilder()
            .addAllRunIds(runIds)
            .addAllMetricKeys(keys)
            .setMaxPoints(maxPoints);
    steps.start().ifPresent(request::setStartStep);
    steps.end().ifPresent(request::setEndStep);
    GetMetricHistoryBulkResponse response =
        transport.call(request.build(), (s, r) -> s.metrics().getMetricHistoryBulk(r));
    List<MetricSeries> out = new ArrayList<>(response.getSeriesCount());
    for (io.trackd.v1.MetricSeries series : response.getSeriesList()) {
      out.add(
          Protos.series(
              series.getRunId(),
              series.getMetricKey(),
              series.getPointsList(),
              series.getTotalPoints(),
              series.getDownsampled()));
    }
    return List.copyOf(out);
  }
}
