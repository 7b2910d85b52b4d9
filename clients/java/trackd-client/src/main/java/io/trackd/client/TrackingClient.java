package io.trackd.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
public final class TrackingClient implements AutoCloseable {
  private final TrackingUri uri;
  private final Transport transport;
  private final ExperimentCalls experiments;
  private final RunCalls runs;
  private final LoggingCalls logging;
  private final HistoryCalls history;
  private final ArtifactCalls artifacts;

  TrackingClient(TrackingUri uri, Transport transport) {
    this.uri = uri;
    this.transport = transport;
    this.experiments = new ExperimentCalls(transport);
    this.runs = new RunCalls(transport);
    this.logging = new LoggingCalls(transport, BatchSplitter.SERVER_LIMITS);
    this.history = new HistoryCalls(transport);
    this.artifacts = new ArtifactCalls(transport);
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
    return logging.metricHistory(runId, key);
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

  // ---- Artifacts --------------------------------------------------------------------------

  /**
   * Uploads a local file to the root of the run's artifacts, under the file's own name.
   *
   * @param runId the run's id
   * @param localFile the file
   * @return what the server stored
   * @throws TrackdException see {@link #logArtifact(String, Path, String)}
   */
  public FileInfo logArtifact(String runId, Path localFile) {
    return artifacts.logArtifact(runId, localFile, null);
  }

  /**
   * Uploads a local file into a directory of the run's artifacts, under the file's own name,
   * replacing a file there. The file is streamed in chunks of 1 MiB (never read into memory whole)
   * with its SHA-256, which the server checks before it stores the file atomically. A retry after a
   * lost connection reuses the request id, so the file is stored once.
   *
   * @param runId the run's id
   * @param localFile the file
   * @param artifactPath the directory, e.g. {@code model}; null or empty for the root
   * @return what the server stored
   * @throws TrackdException INVALID_ARGUMENT (reason UNSAFE_ARTIFACT_PATH) for a path such as
   *     {@code ../x}, or NOT_A_FILE; NOT_FOUND; FAILED_PRECONDITION if the run is deleted
   * @throws UncheckedIOException if the local file cannot be read
   */
  public FileInfo logArtifact(String runId, Path localFile, String artifactPath) {
    return artifacts.logArtifact(runId, localFile, artifactPath);
  }

  /**
   * Uploads every file under a local directory, recursively, to the root of the run's artifacts,
   * keeping the layout (empty directories are not represented).
   *
   * @param runId the run's id
   * @param localDir the directory
   * @return what the server stored, one entry per file
   * @throws TrackdException see {@link #logArtifact(String, Path, String)}; NOT_A_DIRECTORY
   */
  public List<FileInfo> logArtifacts(String runId, Path localDir) {
    return artifacts.logArtifacts(runId, localDir, null);
  }

  /**
   * Uploads every file under a local directory, recursively, into a directory of the run's
   * artifacts, keeping the layout. Each file is uploaded as by {@link #logArtifact(String, Path,
   * String)}; if one fails, the ones before it stay stored.
   *
   * @param runId the run's id
   * @param localDir the directory
   * @param artifactPath the target directory; null or empty for the root
   * @return what the server stored, one entry per file
   * @throws TrackdException see {@link #logArtifact(String, Path, String)}; NOT_A_DIRECTORY
   */
  public List<FileInfo> logArtifacts(String runId, Path localDir, String artifactPath) {
    return artifacts.logArtifacts(runId, localDir, artifactPath);
  }

  /**
   * The files and directories directly at the root of the run's artifacts.
   *
   * @param runId the run's id
   * @return ordered by name
   * @throws TrackdException NOT_FOUND if there is no such run
   */
  public List<FileInfo> listArtifacts(String runId) {
    return artifacts.list(runId, "");
  }

  /**
   * The files and directories directly in a directory of the run's artifacts, every page fetched.
   * Paths are relative to the run's artifact root, not to {@code path}.
   *
   * @param runId the run's id
   * @param path the directory; null or empty for the root
   * @return ordered by name; empty if {@code path} is missing or a file
   * @throws TrackdException NOT_FOUND if there is no such run, INVALID_ARGUMENT for an unsafe path
   */
  public List<FileInfo> listArtifacts(String runId, String path) {
    return artifacts.list(runId, path);
  }

  /**
   * Downloads an artifact file or directory into a new temporary directory.
   *
   * @param runId the run's id
   * @param path the file or directory; empty for every artifact of the run
   * @return the local copy: {@code <temporary directory>/<path>}
   * @throws TrackdException see {@link #downloadArtifacts(String, String, Path)}
   */
  public Path downloadArtifacts(String runId, String path) {
    try {
      return artifacts.download(runId, path, Files.createTempDirectory("trackd-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
  }

  /**
   * Downloads an artifact file or directory (recursively) to {@code dst/path}, replacing files
   * there. Each file streams into a temporary file, is checked against the SHA-256 the server
   * announces, and is moved into place only when complete.
   *
   * @param runId the run's id
   * @param path the file or directory, relative to the run's artifact root; empty for all
   * @param dst the local directory to download into (created if missing)
   * @return the local copy, {@code dst/path}
   * @throws TrackdException NOT_FOUND if there is no such run or artifact, INVALID_ARGUMENT for an
   *     unsafe path, DATA_LOSS if a file arrived corrupt
   * @throws UncheckedIOException if a local file cannot be written
   */
  public Path downloadArtifacts(String runId, String path, Path dst) {
    return artifacts.download(runId, path, dst);
  }

  /** Shuts the channel down, waiting a few seconds for calls in flight. */
  @Override
  public void close() {
    transport.close();
  }
}
