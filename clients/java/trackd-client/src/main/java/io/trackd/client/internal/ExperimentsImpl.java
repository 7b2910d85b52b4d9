package io.trackd.client.internal;

import io.trackd.client.CreateExperimentOptions;
import io.trackd.client.ErrorCode;
import io.trackd.client.Experiment;
import io.trackd.client.Experiments;
import io.trackd.client.Page;
import io.trackd.client.SearchExperimentsOptions;
import io.trackd.client.TrackdException;
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
import java.util.Optional;

/** {@link Experiments} over ExperimentService; documented there. */
final class ExperimentsImpl implements Experiments {
  private final Transport transport;

  ExperimentsImpl(Transport transport) {
    this.transport = transport;
  }

  @Override
  public String create(String name, CreateExperimentOptions options) {
    CreateExperimentRequest request =
        CreateExperimentRequest.newBuilder()
            .setName(name)
            .setArtifactLocation(options.artifactLocation())
            .addAllTags(Protos.experimentTags(options.tags()))
            .setRequestId(RequestIds.next())
            .build();
    return transport
        .call(request, (s, r) -> s.experiments().createExperiment(r))
        .getExperiment()
        .getExperimentId();
  }

  @Override
  public Experiment get(String experimentId) {
    GetExperimentRequest request =
        GetExperimentRequest.newBuilder().setExperimentId(experimentId).build();
    return Protos.experiment(
        transport.call(request, (s, r) -> s.experiments().getExperiment(r)).getExperiment());
  }

  @Override
  public Optional<Experiment> getByName(String name) {
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

  @Override
  public Iterable<Experiment> search(SearchExperimentsOptions options) {
    return new PagedIterable<>(() -> searchPage(options));
  }

  @Override
  public Page<Experiment> searchPage(SearchExperimentsOptions options) {
    SearchExperimentsRequest request =
        SearchExperimentsRequest.newBuilder()
            .setFilter(options.filter())
            .setViewType(Protos.viewType(options.viewType()))
            .addAllOrderBy(options.orderBy())
            .setPageSize(options.pageSize())
            .setPageToken(options.pageToken())
            .build();
    SearchExperimentsResponse response =
        transport.call(request, (s, r) -> s.experiments().searchExperiments(r));
    return Page.of(
        response.getExperimentsList().stream().map(Protos::experiment).toList(),
        response.getNextPageToken(),
        token -> searchPage(options.withPageToken(token)));
  }

  @Override
  public Experiment rename(String experimentId, String newName) {
    UpdateExperimentRequest request =
        UpdateExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setNewName(newName)
            .setRequestId(RequestIds.next())
            .build();
    return Protos.experiment(
        transport.call(request, (s, r) -> s.experiments().updateExperiment(r)).getExperiment());
  }

  @Override
  public void delete(String experimentId) {
    DeleteExperimentRequest request =
        DeleteExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().deleteExperiment(r));
  }

  @Override
  public void restore(String experimentId) {
    RestoreExperimentRequest request =
        RestoreExperimentRequest.newBuilder()
            .setExperimentId(experimentId)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().restoreExperiment(r));
  }

  @Override
  public void setTag(String experimentId, String key, String value) {
    SetExperimentTagRequest request =
        SetExperimentTagRequest.newBuilder()
            .setExperimentId(experimentId)
            .setKey(key)
            .setValue(value)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().setExperimentTag(r));
  }

  @Override
  public void deleteTag(String experimentId, String key) {
    DeleteExperimentTagRequest request =
        DeleteExperimentTagRequest.newBuilder()
            .setExperimentId(experimentId)
            .setKey(key)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.experiments().deleteExperimentTag(r));
  }
}
