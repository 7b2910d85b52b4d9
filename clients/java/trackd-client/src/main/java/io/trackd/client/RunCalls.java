package io.trackd.client;

import io.trackd.v1.CreateRunRequest;
import io.trackd.v1.DeleteRunRequest;
import io.trackd.v1.GetRunRequest;
import io.trackd.v1.RestoreRunRequest;
import io.trackd.v1.SearchRunsRequest;
import io.trackd.v1.SearchRunsResponse;
import io.trackd.v1.UpdateRunRequest;

/** RunService calls about runs themselves behind {@link TrackingClient}; documented there. */
final class RunCalls {
  private final Transport transport;

  RunCalls(Transport transport) {
    this.transport = transport;
  }

  Run create(RunSpec spec) {
    CreateRunRequest.Builder request =
        CreateRunRequest.newBuilder()
            .setExperimentId(spec.experimentId())
            .setRunName(spec.runName())
            .setParentRunId(spec.parentRunId())
            .setUserId(spec.userId())
            .addAllTags(Protos.tags(spec.tags()))
            .setRequestId(RequestIds.next());
    if (spec.startTime() != 0) {
      request.setStartTime(spec.startTime());
    }
    return Protos.run(transport.call(request.build(), (s, r) -> s.runs().createRun(r)).getRun());
  }

  Run get(String runId) {
    GetRunRequest request = GetRunRequest.newBuilder().setRunId(runId).build();
    return Protos.run(transport.call(request, (s, r) -> s.runs().getRun(r)).getRun());
  }

  RunInfo update(String runId, RunStatus status, Long endTime, String runName) {
    UpdateRunRequest.Builder request =
        UpdateRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next());
    if (status != null) {
      request.setStatus(Protos.runStatus(status));
    }
    if (endTime != null) {
      request.setEndTime(endTime);
    }
    if (runName != null) {
      request.setRunName(runName);
    }
    return Protos.runInfo(
        transport.call(request.build(), (s, r) -> s.runs().updateRun(r)).getRunInfo());
  }

  void delete(String runId) {
    DeleteRunRequest request =
        DeleteRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next()).build();
    transport.call(request, (s, r) -> s.runs().deleteRun(r));
  }

  void restore(String runId) {
    RestoreRunRequest request =
        RestoreRunRequest.newBuilder().setRunId(runId).setRequestId(RequestIds.next()).build();
    transport.call(request, (s, r) -> s.runs().restoreRun(r));
  }

  Page<Run> searchPage(RunSearch search, String pageToken) {
    SearchRunsRequest.Builder request =
        SearchRunsRequest.newBuilder()
            .addAllExperimentIds(search.experimentIds())
            .setFilter(search.filter())
            .setViewType(Protos.viewType(search.viewType()))
            .addAllOrderBy(search.orderBy())
            .setPageSize(search.pageSize())
            .setPageToken(pageToken == null ? "" : pageToken);
    // Without a mask the server returns everything, which is what RunReadMask.all() asks for.
    if (!search.readMask().equals(RunReadMask.all())) {
      request.setReadMask(Protos.readMask(search.readMask()));
    }
    SearchRunsResponse response = transport.call(request.build(), (s, r) -> s.runs().searchRuns(r));
    return new Page<>(
        response.getRunsList().stream().map(Protos::run).toList(),
        response.getNextPageToken(),
        token -> searchPage(search, token));
  }
}
