package io.trackd.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link Runs#create(String, CreateRunOptions)} starts a run. Immutable: the {@code with...}
 * methods return a modified copy.
 *
 * @param runName the run's name; empty lets the server generate one
 * @param parentRunId the parent of a nested run (stored as tag {@code mlflow.parentRunId}); empty
 *     for a top-level run
 * @param userId who runs the code (stored as tag {@code mlflow.user} too); empty for nobody
 * @param startTime milliseconds since the Unix epoch; 0 means the server's now
 * @param tags the run's initial tags
 */
public record CreateRunOptions(
    String runName, String parentRunId, String userId, long startTime, Map<String, String> tags) {
  /**
   * Checks the components and copies the tags, so the record stays immutable.
   *
   * @param runName the run's name; empty lets the server generate one
   * @param parentRunId the parent of a nested run (stored as tag {@code mlflow.parentRunId}); empty
   *     for a top-level run
   * @param userId who runs the code (stored as tag {@code mlflow.user} too); empty for nobody
   * @param startTime milliseconds since the Unix epoch; 0 means the server's now
   * @param tags the run's initial tags
   */
  public CreateRunOptions {
    Objects.requireNonNull(runName, "runName");
    Objects.requireNonNull(parentRunId, "parentRunId");
    Objects.requireNonNull(userId, "userId");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /**
   * A top-level run with a server-generated name, started now by the current user (system property
   * {@code user.name}, as MLflow's Java client does), with no tags.
   *
   * @return the default options
   */
  public static CreateRunOptions defaults() {
    return new CreateRunOptions("", "", System.getProperty("user.name", ""), 0L, Map.of());
  }

  /**
   * These options with a run name.
   *
   * @param name the run's name
   * @return a copy
   */
  public CreateRunOptions withRunName(String name) {
    return new CreateRunOptions(name, parentRunId, userId, startTime, tags);
  }

  /**
   * These options for a nested run of the given parent.
   *
   * @param parentId the parent run's id
   * @return a copy
   */
  public CreateRunOptions withParentRunId(String parentId) {
    return new CreateRunOptions(runName, parentId, userId, startTime, tags);
  }

  /**
   * These options with another user.
   *
   * @param user who runs the code; empty for nobody
   * @return a copy
   */
  public CreateRunOptions withUserId(String user) {
    return new CreateRunOptions(runName, parentRunId, user, startTime, tags);
  }

  /**
   * These options with an explicit start time.
   *
   * @param millis milliseconds since the Unix epoch
   * @return a copy
   */
  public CreateRunOptions withStartTime(long millis) {
    return new CreateRunOptions(runName, parentRunId, userId, millis, tags);
  }

  /**
   * These options with these tags added (replacing tags of the same key).
   *
   * @param moreTags the tags to add
   * @return a copy
   */
  public CreateRunOptions withTags(Map<String, String> moreTags) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(moreTags);
    return new CreateRunOptions(runName, parentRunId, userId, startTime, merged);
  }
}
