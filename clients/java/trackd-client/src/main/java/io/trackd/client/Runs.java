package io.trackd.client;

/**
 * The runs area of a {@link TrackingClient} ({@code client.runs()}): runs, their params and tags,
 * and batches of metrics, params and tags.
 */
public interface Runs {
  /**
   * Starts a run in an experiment with the default options: a server-generated name, the current
   * user ({@code user.name}) and the server's time.
   *
   * @param experimentId the experiment's id; {@code "0"} is the default experiment
   * @return the new run (status RUNNING), with its tags
   * @throws TrackdException NOT_FOUND, or FAILED_PRECONDITION if the experiment is deleted
   */
  default Run create(String experimentId) {
    return create(experimentId, CreateRunOptions.defaults());
  }

  /**
   * Starts a run as described.
   *
   * @param experimentId the experiment's id; {@code "0"} is the default experiment
   * @param options the run's name, parent, user, start time and tags
   * @return the new run (status RUNNING), with its tags
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION
   */
  Run create(String experimentId, CreateRunOptions options);

  /**
   * Reads a run, deleted or not, with the latest value of each metric.
   *
   * @param runId the run's id
   * @return the run
   * @throws TrackdException NOT_FOUND if there is none
   */
  Run get(String runId);

  /**
   * Changes a run's status, end time and/or name; what the options leave out stays as it is.
   *
   * @param runId the run's id
   * @param options the changes, e.g. {@code UpdateRunOptions.unchanged().withRunName("b")}
   * @return the run's metadata after the change
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  RunInfo update(String runId, UpdateRunOptions options);

  /**
   * Ends a run as FINISHED now.
   *
   * @param runId the run's id
   * @throws TrackdException NOT_FOUND, or FAILED_PRECONDITION if the run is deleted
   */
  default void setTerminated(String runId) {
    setTerminated(runId, RunStatus.FINISHED);
  }

  /**
   * Ends a run with the given status now. For another end time use {@link #update}.
   *
   * @param runId the run's id
   * @param status the final status
   * @throws TrackdException NOT_FOUND, or FAILED_PRECONDITION if the run is deleted
   */
  default void setTerminated(String runId, RunStatus status) {
    update(
        runId,
        UpdateRunOptions.unchanged().withStatus(status).withEndTime(System.currentTimeMillis()));
  }

  /**
   * Soft-deletes a run.
   *
   * @param runId the run's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  void delete(String runId);

  /**
   * Restores a soft-deleted run.
   *
   * @param runId the run's id
   * @throws TrackdException NOT_FOUND if there is none
   */
  void restore(String runId);

  /**
   * Every run matching a search, fetched page by page as you iterate.
   *
   * @param options the experiments, filter, view type, order, page size, read mask and the page to
   *     start from, e.g. {@code SearchRunsOptions.inExperiments(id).withFilter("metrics.loss <
   *     0.2")}
   * @return a lazily paged iterable; each iteration starts again from the options' page
   */
  Iterable<Run> search(SearchRunsOptions options);

  /**
   * One page of a run search: the page {@link SearchRunsOptions#pageToken()} names, the first one
   * if it is empty.
   *
   * @param options the experiments, filter, view type, order, page size, read mask and page token
   * @return the page; {@link Page#nextPage()} fetches the following one
   * @throws TrackdException INVALID_ARGUMENT for a bad filter, order, page size or token
   */
  Page<Run> searchPage(SearchRunsOptions options);

  /**
   * Logs a param. Params are write-once: the same value again is accepted.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value at most 6000 characters
   * @throws TrackdException INVALID_ARGUMENT if the key has another value already
   */
  void logParam(String runId, String key, String value);

  /**
   * Sets (inserts or overwrites) a run tag; setting {@code mlflow.runName} renames the run.
   *
   * @param runId the run's id
   * @param key at most 250 characters
   * @param value at most 8000 characters
   * @throws TrackdException NOT_FOUND, INVALID_ARGUMENT, or FAILED_PRECONDITION if deleted
   */
  void setTag(String runId, String key, String value);

  /**
   * Removes a run tag.
   *
   * @param runId the run's id
   * @param key the tag's key
   * @throws TrackdException NOT_FOUND if the run or the tag is absent
   */
  void deleteTag(String runId, String key);

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
  void logBatch(String runId, Iterable<Metric> metrics, Iterable<Param> params, Iterable<Tag> tags);
}
