package io.trackd.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trackd client: experiments, runs, params, metrics, tags and artifacts over gRPC, with
 * MLflow's semantics (the counterpart of MLflow's {@code MlflowClient}).
 *
 * <p>Every mutating call sends a fresh request id and every call has a deadline; calls that fail
 * with UNAVAILABLE are retried with exponential backoff under the same request id, so a retry never
 * applies a change twice. Failures throw {@link TrackdException}. The client is thread-safe; close
 * it to shut its channel down.
 *
 * <pre>{@code
 * try (TrackingClient client = TrackingClient.create("grpc://127.0.0.1:50051")) {
 *   String experimentId = client.createExperiment("fraud-model");
 *   RunInfo run = client.createRun(experimentId);
 *   client.logMetric(run.runId(), "auc", 0.91, System.currentTimeMillis(), 1);
 *   client.setTerminated(run.runId(), RunStatus.FINISHED, System.currentTimeMillis());
 * }
 * }</pre>
 */
public final class TrackingClient extends ArtifactMethods implements AutoCloseable {
  private final TrackingUri uri;
  private final Transport transport;
  private final ExperimentCalls experiments;
  private final RunCalls runs;
  private final LoggingCalls logging;

  TrackingClient(TrackingUri uri, Transport transport) {
    super(transport);
    this.uri = uri;
    this.transport = transport;
    this.experiments = new ExperimentCalls(transport);
    this.runs = new RunCalls(transport);
    this.logging = new LoggingCalls(transport, BatchSplitter.SERVER_LIMITS);
  }

  /**
   * A client for the configured server: system property {@code trackd.tracking.uri}, else
   * environment variable {@code TRACKD_TRACKING_URI}, else {@code grpc://127.0.0.1:50051}.
   *
   * @return a new client with default settings
   */
  public static TrackingClient create() {
    return builder().build();
  }

  /**
   * A client for the given server with default settings.
   *
   * @param trackingUri {@code grpc://host:port} (or {@code grpcs://host:port} for TLS)
   * @return a new client
   */
  public static TrackingClient create(String trackingUri) {
    return builder().trackingUri(trackingUri).build();
  }

  /**
   * A builder for a client with custom deadline, retries or URI.
   *
   * @return a new builder
   */
  public static TrackingClientBuilder builder() {
    return new TrackingClientBuilder();
  }

  /**
   * The server this client talks to.
   *
   * @return the normalised tracking URI, e.g. {@code grpc://127.0.0.1:50051}
   */
  public String getTrackingUri() {
    return uri.toString();
  }

  // ---- Experiments ------------------------------------------------------------------------

  /**
   * Creates an experiment with the server's default artifact location.
   *
   * @param name 1 to 500 characters, unique among active and deleted experiments
   * @return the new experiment's id
   * @throws TrackdException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT if invalid
   */
  public String createExperiment(String name) {
    return createExperiment(name, "", Map.of());
  }

  /**
   * Creates an experiment.
   *
   * @param name 1 to 500 characters, unique among active and deleted experiments
   * @param artifactLocation where its runs store artifacts; empty for the server's default
   * @param tags the experiment's initial tags
   * @return the new experiment's id
   * @throws TrackdException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT if invalid
   */
  public String createExperiment(String name, String artifactLocation, Map<String, String> tags) {
    return experiments.create(name, artifactLocation, tags);
  }

  /**
   * Reads an experiment, deleted or not.
   *
   * @param experimentId the experiment's id
   * @return the experiment
   * @throws TrackdException NOT_FOUND if there is none
   */
  public Experiment getExperiment(String experimentId) {
    return experiments.get(experimentId);
  }

  /**
   * Finds an experiment by its exact name, deleted or not.
   *
   * @param name the experiment's name
   * @return the experiment, or empty if no experiment has that name
   */
  public Optional<Experiment> getExperimentByName(String name) {
    return experiments.getByName(name);
  }

  /**
   * Every active experiment, newest first, fetched page by page as you iterate.
   *
   * @return a lazily paged iterable
   */
  public Iterable<Experiment> searchExperiments() {
    return searchExperiments(ExperimentSearch.all());
  }

  /**
   * Every experiment matching a search, fetched page by page as you iterate.
   *
   * @param search the filter, view type, order and page size
   * @return a lazily paged iterable; each iteration starts from the first page
   */
  public Iterable<Experiment> searchExperiments(ExperimentSearch search) {
    return new PagedIterable<>(() -> experiments.searchPage(search, ""));
  }

  /**
   * One page of an experiment search.
   *
   * @param search the filter, view type, order and page size
   * @param pageToken the previous page's next-page token; empty or null for the first page
   * @return the page; {@link Page#nextPage()} fetches the following one
   * @throws TrackdException INVALID_ARGUMENT for a bad filter, order or page size
   */
  public Page<Experiment> searchExperimentsPage(ExperimentSearch search, String pageToken) {
    return experiments.searchPage(search, pageToken);
  }

  /**
   * Renames an active experiment.
   *
   * @param experimentId the experiment's id
   * @param newName the new name, with the same rules as at creation
   * @return the renamed experiment
   * @throws TrackdException NOT_FOUND, ALREADY_EXISTS, or FAILED_PRECONDITION if deleted
   */
  public Experiment renameExperiment(String experimentId, String newName) {
    return experiments.rename(experimentId, newName);
  }

  /**
   * Soft-deletes an experiment; its runs disappear from default searches.
   *
   * @param experimentId the experiment's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  public void deleteExperiment(String experimentId) {
    experiments.delete(experimentId);
  }

  /**
   * Restores a soft-deleted experiment.
   *
   * @param experimentId the experiment's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  public void restoreExperiment(String experimentId) {
    experiments.restore(experimentId);
  }

  /**
   * Sets (inserts or overwrites) a tag on an active experiment.
   *
   * @param experimentId the experiment's id
   * @param key at most 250 characters
   * @param value at most 20000 characters
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  public void setExperimentTag(String experimentId, String key, String value) {
    experiments.setTag(experimentId, key, value);
  }

  /**
   * Removes a tag from an active experiment.
   *
   * @param experimentId the experiment's id
   * @param key the tag's key
   * @throws TrackdException NOT_FOUND if the experiment or the tag is absent
   */
  public void deleteExperimentTag(String experimentId, String key) {
    experiments.deleteTag(experimentId, key);
  }

  // ---- Runs -------------------------------------------------------------------------------

  /**
   * Starts a run in the default experiment {@code "0"}.
   *
   * @return the new run's metadata (status RUNNING)
   */
  public RunInfo createRun() {
    return createRun("0");
  }

  /**
   * Starts a run in an experiment, with the current user as {@code mlflow.user}.
   *
   * @param experimentId the experiment's id
   * @return the new run's metadata (status RUNNING)
   * @throws TrackdException NOT_FOUND, or FAILED_PRECONDITION if the experiment is deleted
   */
  public RunInfo createRun(String experimentId) {
    String user = System.getProperty("user.name", "");
    return runs.create(RunSpec.inExperiment(experimentId).withUserId(user)).info();
  }

  /**
   * Starts a run as described.
   *
   * @param spec the experiment, name, parent, user, start time and tags of the run
   * @return the new run, with its tags
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION
   */
  public Run createRun(RunSpec spec) {
    return runs.create(spec);
  }

  /**
   * Reads a run, deleted or not, with the latest value of each metric.
   *
   * @param runId the run's id
   * @return the run
   * @throws TrackdException NOT_FOUND if there is none
   */
  public Run getRun(String runId) {
    return runs.get(runId);
  }

  /**
   * Changes a run's status, end time and/or name; a null argument leaves that field as it is.
   *
   * @param runId the run's id
   * @param status the new status, or null
   * @param endTime the end time in milliseconds since the Unix epoch, or null
   * @param runName the new name, or null
   * @return the run's metadata after the change
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  public RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
    return runs.update(runId, status, endTime, runName);
  }

  /**
   * Ends a run as FINISHED now.
   *
   * @param runId the run's id
   */
  public void setTerminated(String runId) {
    setTerminated(runId, RunStatus.FINISHED);
  }

  /**
   * Ends a run with the given status now.
   *
   * @param runId the run's id
   * @param status the final status
   */
  public void setTerminated(String runId, RunStatus status) {
    setTerminated(runId, status, System.currentTimeMillis());
  }

  /**
   * Ends a run with the given status and end time.
   *
   * @param runId the run's id
   * @param status the final status
   * @param endTime milliseconds since the Unix epoch
   * @throws TrackdException NOT_FOUND, or FAILED_PRECONDITION if the run is deleted
   */
  public void setTerminated(String runId, RunStatus status, long endTime) {
    runs.update(runId, status, endTime, null);
  }

  /**
   * Soft-deletes a run.
   *
   * @param runId the run's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  public void deleteRun(String runId) {
    runs.delete(runId);
  }

  /**
   * Restores a soft-deleted run.
   *
   * @param runId the run's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  public void restoreRun(String runId) {
    runs.restore(runId);
  }

  /**
   * Every active run of some experiments matching a filter, newest first, fetched page by page.
   *
   * @param experimentIds the experiments to search, at least one
   * @param filter e.g. {@code metrics.loss < 0.2}; empty matches every run
   * @return a lazily paged iterable
   */
  public Iterable<Run> searchRuns(List<String> experimentIds, String filter) {
    return searchRuns(RunSearch.inExperiments(experimentIds).withFilter(filter));
  }

  /**
   * Every run matching a search, fetched page by page as you iterate.
   *
   * @param search the experiments, filter, view type, order, page size and read mask
   * @return a lazily paged iterable; each iteration starts from the first page
   */
  public Iterable<Run> searchRuns(RunSearch search) {
    return new PagedIterable<>(() -> runs.searchPage(search, ""));
  }

  /**
   * One page of a run search.
   *
   * @param search the experiments, filter, view type, order, page size and read mask
   * @param pageToken the previous page's next-page token; empty or null for the first page
   * @return the page; {@link Page#nextPage()} fetches the following one
   * @throws TrackdException INVALID_ARGUMENT for a bad filter, order or page size
   */
  public Page<Run> searchRunsPage(RunSearch search, String pageToken) {
    return runs.searchPage(search, pageToken);
  }

  // ---- Logging ----------------------------------------------------------------------------

  /**
   * Logs a param. Params are write-once: the same value again is accepted.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value at most 6000 characters
   * @throws TrackdException INVALID_ARGUMENT if the key has another value already
   */
  public void logParam(String runId, String key, String value) {
    logging.logParam(runId, key, value);
  }

  /**
   * Logs a metric point at step 0 with the current time.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value any double, NaN and infinities included
   */
  public void logMetric(String runId, String key, double value) {
    logMetric(runId, key, value, System.currentTimeMillis(), 0);
  }

  /**
   * Appends a point to a metric's history.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value any double, NaN and infinities included
   * @param timestamp milliseconds since the Unix epoch; 0 for the server's now
   * @param step the training step
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  public void logMetric(String runId, String key, double value, long timestamp, long step) {
    logging.logMetric(runId, key, value, timestamp, step);
  }

  /**
   * Sets (inserts or overwrites) a run tag; setting {@code mlflow.runName} renames the run.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value at most 8000 characters
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  public void setTag(String runId, String key, String value) {
    logging.setTag(runId, key, value);
  }

  /**
   * Removes a run tag.
   *
   * @param runId the run's id
   * @param key the tag's key
   * @throws TrackdException NOT_FOUND if the run or the tag is absent
   */
  public void deleteTag(String runId, String key) {
    logging.deleteTag(runId, key);
  }

  /**
   * Logs metrics, params and tags together. Any number of items is accepted: they are sent in as
   * few requests as the server's limits allow (1000 metrics, 100 params, 100 tags each), in order.
   * Each request is atomic; if one fails, the ones before it stay written.
   *
   * @param runId the run's id
   * @param metrics metric points (a timestamp of 0 means the server's now); may be null
   * @param params params; may be null
   * @param tags tags; for a key given twice the last value wins; may be null
   * @throws TrackdException for the first request the server refuses
   */
  public void logBatch(
      String runId, Iterable<Metric> metrics, Iterable<Param> params, Iterable<Tag> tags) {
    logging.logBatch(runId, metrics, params, tags);
  }

  // The metric-history and artifact methods are inherited from HistoryMethods and
  // ArtifactMethods, which keep this file short.

  /** Shuts the channel down, waiting a few seconds for calls in flight. */
  @Override
  public void close() {
    transport.close();
  }
}
