package io.trackd.client;

import io.trackd.v1.DeleteRunTagRequest;
import io.trackd.v1.LogBatchRequest;
import io.trackd.v1.LogMetricRequest;
import io.trackd.v1.LogParamRequest;
import io.trackd.v1.SetRunTagRequest;
import java.util.ArrayList;
import java.util.List;

/** Params, metrics, tags and batches behind {@link TrackingClient}; documented there. */
final class LoggingCalls {
  private final Transport transport;
  private final BatchSplitter splitter;

  LoggingCalls(Transport transport, BatchSplitter splitter) {
    this.transport = transport;
    this.splitter = splitter;
  }

  void logParam(String runId, String key, String value) {
    LogParamRequest request =
        LogParamRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().logParam(r));
  }

  void logMetric(String runId, String key, double value, long timestamp, long step) {
    LogMetricRequest request =
        LogMetricRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setValue(value)
            .setTimestamp(timestamp)
            .setStep(step)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.metrics().logMetric(r));
  }

  void setTag(String runId, String key, String value) {
    SetRunTagRequest request =
        SetRunTagRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().setRunTag(r));
  }

  void deleteTag(String runId, String key) {
    DeleteRunTagRequest request =
        DeleteRunTagRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().deleteRunTag(r));
  }

  void logBatch(
      String runId, Iterable<Metric> metrics, Iterable<Param> params, Iterable<Tag> tags) {
    List<io.trackd.v1.Metric> m = new ArrayList<>();
    List<io.trackd.v1.Param> p = new ArrayList<>();
    List<io.trackd.v1.RunTag> t = new ArrayList<>();
    if (metrics != null) {
      metrics.forEach(x -> m.add(Protos.metric(x)));
    }
    if (params != null) {
      params.forEach(x -> p.add(Protos.param(x)));
    }
    if (tags != null) {
      tags.forEach(x -> t.add(Protos.tag(x)));
    }
    for (BatchSplitter.Chunk chunk : splitter.split(m, p, t)) {
      LogBatchRequest request =
          LogBatchRequest.newBuilder()
              .setRunId(runId)
              .addAllMetrics(chunk.metrics())
              .addAllParams(chunk.params())
              .addAllTags(chunk.tags())
              .setRequestId(RequestIds.next())
              .build();
      transport.call(request, (s, r) -> s.runs().logBatch(r));
    }
  }
}
