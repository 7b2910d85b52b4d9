package io.trackd.client.internal;

import io.trackd.client.CreateRunOptions;
import io.trackd.client.Metric;
import io.trackd.client.Page;
import io.trackd.client.Param;
import io.trackd.client.Run;
import io.trackd.client.RunInfo;
import io.trackd.client.RunReadMask;
import io.trackd.client.Runs;
import io.trackd.client.SearchRunsOptions;
import io.trackd.client.Tag;
import io.trackd.client.UpdateRunOptions;
import io.trackd.v1.CreateRunRequest;
import io.trackd.v1.DeleteRunRequest;
import io.trackd.v1.DeleteRunTagRequest;
import io.trackd.v1.GetRunRequest;
import io.trackd.v1.LogBatchRequest;
import io.trackd.v1.LogParamRequest;
import io.trackd.v1.RestoreRunRequest;
import io.trackd.v1.SearchRunsRequest;
import io.trackd.v1.SearchRunsResponse;
import io.trackd.v1.SetRunTagRequest;
import io.trackd.v1.UpdateRunRequest;
import java.util.ArrayList;
import java.util.List;

/** {@link Runs} over RunService: runs, params, tags and batches; documented there. */
final class RunsImpl implements Runs {
  private final Transport transport;
  private final BatchSplitter splitter;

  RunsImpl(Transport transport, BatchSplitter splitter) {
    this.transport = transport;
    this.splitter = splitter;
  }

  @Override
  public Run create(String experimentId, CreateRunOptions options) {
    CreateRunRequest.Builder request =
        CreateRunRequest.newBuilder()
            .setExperimentId(experimentId)
            .setRunName(options.runName())
            .setParentRunId(options.parentRunId())
            .setUserId(options.userId())
            .addAllTags(Protos.tags(options.tags()))
            .setRequestId(RequestIds.next());
    if (options.startTime() != 0) {
      request.setStartTime(options.startTime());
    }
    return Protos.run(transport.call(request.build(), (s, r) -> s.runs().createRun(r)).getRun());
  }

  @Override
  public Run get(String runId) {
    GetRunRequest request = GetRunRequest.newBuilder().setRunId(runId).build();
    return Protos.run(transport.call(request, (s, r) -> s.runs().getRun(r)).getRun());
  }

  @Override
  public RunInfo update(String runId, UpdateRunOptions options) {
    UpdateRunRequest.Builder request =
        UpdateRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next());
    options.status().ifPresent(status -> request.setStatus(Protos.runStatus(status)));
    options.endTime().ifPresent(request::setEndTime);
    options.runName().ifPresent(request::setRunName);
    return Protos.runInfo(
        transport.call(request.build(), (s, r) -> s.runs().updateRun(r)).getRunInfo());
  }

  @Override
  public void delete(String runId) {
    DeleteRunRequest request =
        DeleteRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next()).build();
    transport.call(request, (s, r) -> s.runs().deleteRun(r));
  }

  @Override
  public void restore(String runId) {
    RestoreRunRequest request =
        RestoreRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next()).build();
    transport.call(request, (s, r) -> s.runs().restoreRun(r));
  }

  @Override
  public Iterable<Run> search(SearchRunsOptions options) {
    return new PagedIterable<>(() -> searchPage(options));
  }

  @Override
  public Page<Run> searchPage(SearchRunsOptions options) {
    SearchRunsRequest.Builder request =
        SearchRunsRequest.newBuilder()
            .addAllExperimentIds(options.experimentIds())
            .setFilter(options.filter())
            .setViewType(Protos.viewType(options.viewType()))
            .addAllOrderBy(options.orderBy())
            .setPageSize(options.pageSize())
            .setPageToken(options.pageToken());
    // Without a mask the server returns everything, which is what RunReadMask.all() asks for.
    if (!options.readMask().equals(RunReadMask.all())) {
      request.setReadMask(Protos.readMask(options.readMask()));
    }
    SearchRunsResponse response = transport.call(request.build(), (s, r) -> s.runs().searchRuns(r));
    return Page.of(
        response.getRunsList().stream().map(Protos::run).toList(),
        response.getNextPageToken(),
        token -> searchPage(options.withPageToken(token)));
  }

  @Override
  public void logParam(String runId, String key, String value) {
    LogParamRequest request =
        LogParamRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().logParam(r));
  }

  @Override
  public void setTag(String runId, String key, String value) {
    SetRunTagRequest request =
        SetRunTagRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().setRunTag(r));
  }

  @Override
  public void deleteTag(String runId, String key) {
    DeleteRunTagRequest request =
        DeleteRunTagRequest.newBuilder()
            .setRunId(runId)
            .setKey(key)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.runs().deleteRunTag(r));
  }

  @Override
  public void logBatch(
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
