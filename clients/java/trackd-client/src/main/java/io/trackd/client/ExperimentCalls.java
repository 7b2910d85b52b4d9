package io.trackd.client;

import io.trackd.v1.CreateExperimentRequest;
import io.trackd.v1.DeleteExperimentRequest;
import io.trackd.v1.DeleteExperimentTagRequest;
import io.trackd.v1.GetExperimentByNameRequest;
import io.trackd.v1.GetExperimentRequest;
import io.trackd.v1.RestoreExperimentRequest;
import io.trackd.v1.SearchExperimentsRequest;
import io.trackd.v1.SearchExperimentsResponse;
import io.trackd.v1.SetExperimentTagRequest;
import io.trackd.v1.UpdateExperimentRequest;
import java.util.Map;
import java.util.Optional;

/** ExperimentService calls behind {@link TrackingClient}; documented there. */
final class ExperimentCalls {
  private final Transport transport;

  ExperimentCalls(Transport transport) {
    this.transport = transport;
  }

  String create(String name, String artifactLocation, Map<String, String> tags) {
    CreateExperimentRequest request =
        CreateExperimentRequest.newBuilder()
            .setName(name)
            .setArtifactLocation(artifactLocation)
            .addAllTags(Protos.experimentTags(tags))
            .setRequestId(RequestIds.next())
            .build();
    return transport
        .call(request, (s, r) -> s.experiments().createExperiment(r))
        .getExperiment()
        .getExperimentId();
  }

  Experiment get(String experimentId) {
    GetExperimentRequest request =
        GetExperimentRequest.newBuilder().setExperimentId(experimentId).build();
    return Protos.experiment(
        transport.call(request, (s, r) -> s.experiments().getExperiment(r)).getExperiment());
  }

  Optional<Experiment> getByName(String name) {
    GetExperimentByNameRequest request =
        GetExperimentByNameRequest.newBuilder().setName(name).build();
    try {
      return Optional.of(
          Protos.experiment(
              transport
                  .call(request, (s, r) -> s.experiments().getExperimentByName(r))
                  .getExperiment()));
    } catch (TrackdException e) {
      if (e.getCode() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  Page<Experiment> searchPage(ExperimentSearch search, String pageToken) {
    SearchExperimentsRequest request =
        SearchExperimentsRequest.newBuilder()
            .setFilter(search.filter())
            .setViewType(Protos.viewType(search.viewType()))
            .addAllOrderBy(search.orderBy())
            .setPageSize(search.pageSize())
            .setPageToken(pageToken == null ? "" : pageToken)
            .build();
    SearchExperimentsResponse response =
        transport.call(request, (s, r) -> s.experiments().searchExperiments(r));
    return new Page<>(
        response.getExperimentsList().stream().map(Protos::experiment).toList(),
        response.getNextPageToken(),
        token -> searchPage(search, token));
  }

  Experiment rename(String experimentId, String newName) {
    UpdateExperimentRequest request =
        UpdateExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setNewName(newName)
            .setRequestId(RequestIds.next())
            .build();
    return Protos.experiment(
        transport.call(request, (s, r) -> s.experiments().updateExperiment(r)).getExperiment());
  }

  void delete(String experimentId) {
    DeleteExperimentRequest request =
        DeleteExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().deleteExperiment(r));
  }

  void restore(String experimentId) {
    RestoreExperimentRequest request =
        RestoreExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().restoreExperiment(r));
  }

  void setTag(String experimentId, String key, String value) {
    SetExperimentTagRequest request =
        SetExperimentTagRequest.newBuilder()
            .setExperimentId(experimentId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().setExperimentTag(r));
  }

  void deleteTag(String experimentId, String key) {
    DeleteExperimentTagRequest request =
        DeleteExperimentTagRequest.newBuilder()
            .setExperimentId(experimentId)
            .setKey(key)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().deleteExperimentTag(r));
  }
}
