package io.trackd.client;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A run's metadata.
 *
 * @param runId the server-assigned id, 32 lowercase hex characters
 * @param runName the run's name (also its {@code mlflow.runName} tag)
 * @param experimentId the id of the experiment the run belongs to
 * @param userId who ran the code
 * @param status the run's execution state
 * @param startTime milliseconds since the Unix epoch
 * @param endTime milliseconds since the Unix epoch; empty while the run has not ended
 * @param artifactUri where the run's artifacts are stored
 * @param lifecycleStage whether the run is active or soft-deleted
 */
public record RunInfo(
    String runId,
    String runName,
    String experimentId,
    String userId,
    RunStatus status,
    long startTime,
    OptionalLong endTime,
    String artifactUri,
    LifecycleStage lifecycleStage) {
  /**
   * Checks that every component is present.
   *
   * @param runId the server-assigned id, 32 lowercase hex characters
   * @param runName the run's name (also its {@code mlflow.runName} tag)
   * @param experimentId the id of the experiment the run belongs to
   * @param userId who ran the code
   * @param status the run's execution state
   * @param startTime milliseconds since the Unix epoch
   * @param endTime milliseconds since the Unix epoch; empty while the run has not ended
   * @param artifactUri where the run's artifacts are stored
   * @param lifecycleStage whether the run is active or soft-deleted
   */
  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(runName, "runName");
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(artifactUri, "artifactUri");
    Objects.requireNonNull(lifecycleStage, "lifecycleStage");
  }
}
