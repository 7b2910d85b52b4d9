package io.trackd.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link Runs#update(String, UpdateRunOptions)} changes; an empty component leaves that field
 * of the run as it is. Immutable: the {@code with...} methods return a modified copy.
 *
 * <pre>{@code
 * client.runs().update(runId, UpdateRunOptions.unchanged().withRunName("baseline-2"));
 * }</pre>
 *
 * @param status the new status, or empty
 * @param endTime the new end time in milliseconds since the Unix epoch, or empty
 * @param runName the new name, or empty
 */
public record UpdateRunOptions(
    Optional<RunStatus> status, OptionalLong endTime, Optional<String> runName) {
  private static final UpdateRunOptions UNCHANGED =
      new UpdateRunOptions(Optional.empty(), OptionalLong.empty(), Optional.empty());

  /**
   * Checks that no component is null.
   *
   * @param status the new status, or empty
   * @param endTime the new end time in milliseconds since the Unix epoch, or empty
   * @param runName the new name, or empty
   */
  public UpdateRunOptions {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(runName, "runName");
  }

  /**
   * No change; add changes with the {@code with...} methods.
   *
   * @return the empty update
   */
  public static UpdateRunOptions unchanged() {
    return UNCHANGED;
  }

  /**
   * These changes, and the run's status.
   *
   * @param newStatus the new status
   * @return a copy
   */
  public UpdateRunOptions withStatus(RunStatus newStatus) {
    return new UpdateRunOptions(Optional.of(newStatus), endTime, runName);
  }

  /**
   * These changes, and the run's end time.
   *
   * @param millis milliseconds since the Unix epoch
   * @return a copy
   */
  public UpdateRunOptions withEndTime(long millis) {
    return new UpdateRunOptions(status, OptionalLong.of(millis), runName);
  }

  /**
   * These changes, and the run's name (tag {@code mlflow.runName} follows).
   *
   * @param newName the new name
   * @return a copy
   */
  public UpdateRunOptions withRunName(String newName) {
    return new UpdateRunOptions(status, endTime, Optional.of(newName));
  }
}
