package io.trackd.client;

/** The names of the run tags with a meaning to trackd and MLflow tools. */
public final class SystemTags {
  /** The run's name; setting it renames the run. */
  public static final String RUN_NAME = "mlflow.runName";

  /** Who ran the code. */
  public static final String USER = "mlflow.user";

  /** The program that ran, for the JVM the main class or jar. */
  public static final String SOURCE_NAME = "mlflow.source.name";

  /** What kind of source ran: {@code LOCAL} for code started by {@link TrackingContext}. */
  public static final String SOURCE_TYPE = "mlflow.source.type";

  /** The git commit of the source. */
  public static final String GIT_COMMIT = "mlflow.source.git.commit";

  /** The id of the parent of a nested run. */
  public static final String PARENT_RUN_ID = "mlflow.parentRunId";

  private SystemTags() {}
}
