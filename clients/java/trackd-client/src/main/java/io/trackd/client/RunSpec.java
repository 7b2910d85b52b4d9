package io.trackd.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TrackingClient#createRun(RunSpec)} creates. Immutable: the {@code with...} methods
 * return a modified copy.
 *
 * @param experimentId the experiment of the run; empty means the default experiment {@code "0"}
 * @param runName the run's name; empty lets the server generate one
 * @param parentRunId the parent of a nested run (stored as tag {@code mlflow.parentRunId}); empty
 *     for a top-level run
 * @param userId who runs the code (stored as tag {@code mlflow.user} too); may be empty
 * @param startTime milliseconds since the Unix epoch; 0 means the server's now
 * @param tags the run's initial tags
 */
public record RunSpec(
    String experimentId,
    String runName,
    String parentRunId,
    String userId,
    long startTime,
    Map<String, String> tags) {
  /**
   * Checks the components and copies the tags, so the record stays immutable.
   *
   * @param experimentId the experiment of the run; empty means the default experiment {@code "0"}
   * @param runName the run's name; empty lets the server generate one
   * @param parentRunId the parent of a nested run (stored as tag {@code mlflow.parentRunId}); empty
   *     for a top-level run
   * @param userId who runs the code (stored as tag {@code mlflow.user} too); may be empty
   * @param startTime milliseconds since the Unix epoch; 0 means the server's now
   * @param tags the run's initial tags
   */
  public RunSpec {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(runName, "runName");
    Objects.requireNonNull(parentRunId, "parentRunId");
    Objects.requireNonNull(userId, "userId");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /**
   * A run in the given experiment with no name, parent, user or tags.
   *
   * @param experimentId the experiment's id; empty for the default experiment
   * @return the spec
   */
  public static RunSpec inExperiment(String experimentId) {
    return new RunSpec(experimentId, "", "", "", 0L, Map.of());
  }

  /**
   * This spec with a run name.
   *
   * @param name the run's name
   * @return a copy
   */
  public RunSpec withRunName(String name) {
    return new RunSpec(experimentId, name, parentRunId, userId, startTime, tags);
  }

  /**
   * This spec as a nested run of the given parent.
   *
   * @param parentId the parent run's id
   * @return a copy
   */
  public RunSpec withParentRunId(String parentId) {
    return new RunSpec(experimentId, runName, parentId, userId, startTime, tags);
  }

  /**
   * This spec with a user.
   *
   * @param user who runs the code
   * @return a copy
   */
  public RunSpec withUserId(String user) {
    return new RunSpec(experimentId, runName, parentRunId, user, startTime, tags);
  }

  /**
   * This spec with an explicit start time.
   *
   * @param millis milliseconds since the Unix epoch
   * @return a copy
   */
  public RunSpec withStartTime(long millis) {
    return new RunSpec(experimentId, runName, parentRunId, userId, millis, tags);
  }

  /**
   * This spec with these tags added (replacing tags of the same key).
   *
   * @param moreTags the tags to add
   * @return a copy
   */
  public RunSpec withTags(Map<String, String> moreTags) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(moreTags);
    return new RunSpec(experimentId, runName, parentRunId, userId, startTime, merged);
  }
}
