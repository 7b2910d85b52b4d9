package io.trackd.client;

import java.util.Objects;

/**
 * One execution of training or evaluation code, with what it logged.
 *
 * @param info the run's metadata
 * @param data the run's metrics (latest values), params and tags
 */
public record Run(RunInfo info, RunData data) {
  /**
   * Checks that both parts are present.
   *
   * @param info the run's metadata
   * @param data the run's metrics (latest values), params and tags
   */
  public Run {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(data, "data");
  }

  /**
   * The run's id, a shortcut for {@code info().runId()}.
   *
   * @return the run id
   */
  public String id() {
    return info.runId();
  }
}
