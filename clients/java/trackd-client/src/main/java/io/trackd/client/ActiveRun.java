package io.trackd.client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run started by {@link TrackingContext}, with shortcuts that log to it (the counterpart of
 * MLflow's {@code ActiveRun}). Closing it ends the run as FINISHED unless it has ended already, so
 * try-with-resources fits:
 *
 * <pre>{@code
 * try (ActiveRun run = context.startRun("baseline")) {
 *   run.logParam("lr", "0.01");
 *   run.logMetric("loss", 0.25, 1);
 * }
 * }</pre>
 */
public final class ActiveRun implements AutoCloseable {
  private final TrackingClient client;
  private final RunInfo info;
  private final AtomicBoolean ended = new AtomicBoolean();

  ActiveRun(TrackingClient client, RunInfo info) {
    this.client = client;
    this.info = info;
  }

  /**
   * The run's id.
   *
   * @return 32 lowercase hex characters
   */
  public String getId() {
    return info.runId();
  }

  /**
   * The run's metadata as it was when the run started.
   *
   * @return the run info at creation
   */
  public RunInfo getInfo() {
    return info;
  }

  /**
   * Where the run's artifacts are stored.
   *
   * @return the artifact URI
   */
  public String getArtifactUri() {
    return info.artifactUri();
  }

  /**
   * Logs a param (write-once).
   *
   * @param key at most 250 characters
   * @param value at most 6000 characters
   */
  public void logParam(String key, String value) {
    client.runs().logParam(getId(), key, value);
  }

  /**
   * Logs several params in as few requests as the server allows.
   *
   * @param params keys and values
   */
  public void logParams(Map<String, String> params) {
    List<Param> list = new ArrayList<>(params.size());
    params.forEach((k, v) -> list.add(new Param(k, v)));
    client.runs().logBatch(getId(), null, list, null);
  }

  /**
   * Logs a metric point at step 0 with the current time.
   *
   * @param key at most 250 characters
   * @param value any double
   */
  public void logMetric(String key, double value) {
    logMetric(key, value, 0);
  }

  /**
   * Logs a metric point at a step with the current time.
   *
   * @param key at most 250 characters
   * @param value any double
   * @param step the training step
   */
  public void logMetric(String key, double value, long step) {
    client.metrics().log(getId(), new Metric(key, value, System.currentTimeMillis(), step));
  }

  /**
   * Logs several metrics at step 0, all with the same current time.
   *
   * @param metrics keys and values
   */
  public void logMetrics(Map<String, Double> metrics) {
    logMetrics(metrics, 0);
  }

  /**
   * Logs several metrics at a step, all with the same current time.
   *
   * @param metrics keys and values
   * @param step the training step
   */
  public void logMetrics(Map<String, Double> metrics, long step) {
    long now = System.currentTimeMillis();
    List<Metric> list = new ArrayList<>(metrics.size());
    metrics.forEach((k, v) -> list.add(new Metric(k, v, now, step)));
    client.runs().logBatch(getId(), list, null, null);
  }

  /**
   * Sets a tag.
   *
   * @param key at most 250 characters
   * @param value at most 8000 characters
   */
  public void setTag(String key, String value) {
    client.runs().setTag(getId(), key, value);
  }

  /**
   * Sets several tags in as few requests as the server allows.
   *
   * @param tags keys and values
   */
  public void setTags(Map<String, String> tags) {
    List<Tag> list = new ArrayList<>(tags.size());
    tags.forEach((k, v) -> list.add(new Tag(k, v)));
    client.runs().logBatch(getId(), null, null, list);
  }

  /**
   * Uploads a local file to the root of the run's artifacts, under its own name.
   *
   * @param localFile the file
   * @return what the server stored
   * @see Artifacts#upload(String, Path, UploadOptions)
   */
  public FileInfo logArtifact(Path localFile) {
    return client.artifacts().upload(getId(), localFile);
  }

  /**
   * Uploads a local file into a directory of the run's artifacts, under its own name.
   *
   * @param localFile the file
   * @param artifactPath the directory, e.g. {@code model}; null or empty for the root
   * @return what the server stored
   * @see Artifacts#upload(String, Path, UploadOptions)
   */
  public FileInfo logArtifact(Path localFile, String artifactPath) {
    return client.artifacts().upload(getId(), localFile, UploadOptions.into(artifactPath));
  }

  /**
   * Uploads every file under a local directory to the root of the run's artifacts, keeping the
   * layout.
   *
   * @param localDir the directory
   * @return what the server stored, one entry per file
   * @see Artifacts#uploadDirectory(String, Path, UploadOptions)
   */
  public List<FileInfo> logArtifacts(Path localDir) {
    return client.artifacts().uploadDirectory(getId(), localDir);
  }

  /**
   * Uploads every file under a local directory into a directory of the run's artifacts, keeping the
   * layout.
   *
   * @param localDir the directory
   * @param artifactPath the target directory; null or empty for the root
   * @return what the server stored, one entry per file
   * @see Artifacts#uploadDirectory(String, Path, UploadOptions)
   */
  public List<FileInfo> logArtifacts(Path localDir, String artifactPath) {
    return client.artifacts().uploadDirectory(getId(), localDir, UploadOptions.into(artifactPath));
  }

  /** Ends the run as FINISHED now. */
  public void endRun() {
    endRun(RunStatus.FINISHED);
  }

  /**
   * Ends the run with the given status now. Later calls to {@link #close()} do nothing.
   *
   * @param status the final status
   */
  public void endRun(RunStatus status) {
    client.runs().setTerminated(getId(), status);
    ended.set(true);
  }

  /** Ends the run as FINISHED, unless it has ended already. */
  @Override
  public void close() {
    if (!ended.get()) {
      endRun();
    }
  }
}
