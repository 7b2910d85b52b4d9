package io.trackd.client;

/** The execution state of a run, as reported by the code that runs it (MLflow's RunStatus). */
public enum RunStatus {
  /** The run is in progress; every new run starts in this state. */
  RUNNING,
  /** The run is queued to start later. */
  SCHEDULED,
  /** The run ended normally. */
  FINISHED,
  /** The run ended with an error. */
  FAILED,
  /** The run was stopped before it could end. */
  KILLED
}
