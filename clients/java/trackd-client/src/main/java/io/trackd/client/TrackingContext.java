package io.trackd.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fluent entry point (the counterpart of MLflow's {@code MlflowContext}): it remembers an
 * experiment and starts runs in it with the system tags MLflow tools expect.
 *
 * <pre>{@code
 * TrackingContext context = new TrackingContext("grpc://127.0.0.1:50051")
 *     .setExperimentName("fraud-model");
 * context.withActiveRun("baseline", run -> {
 *   run.logParam("lr", "0.01");
 *   run.logMetric("auc", 0.91);
 * });
 * }</pre>
 *
 * <p>Unlike MLflow, {@link #setExperimentName} creates a missing experiment, and {@link
 * #withActiveRun} rethrows the body's exception after marking the run FAILED.
 */
public final class TrackingContext implements AutoCloseable {
  private final TrackingClient client;
  private final boolean ownsClient;
  private String experimentId = "0";

  /** A context for the server named by {@code trackd.tracking.uri} or TRACKD_TRACKING_URI. */
  public TrackingContext() {
    this(TrackingClient.create(), true);
  }

  /**
   * A context for the given server.
   *
   * @param trackingUri {@code grpc://host:port}
   */
  public TrackingContext(String trackingUri) {
    this(TrackingClient.create(trackingUri), true);
  }

  /**
   * A context that uses an existing client; closing the context leaves the client open.
   *
   * @param client the client to use
   */
  public TrackingContext(TrackingClient client) {
    this(client, false);
  }

  private TrackingContext(TrackingClient client, boolean ownsClient) {
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
  }

  /**
   * The client this context uses.
   *
   * @return the client
   */
  public TrackingClient getClient() {
    return client;
  }

  /**
   * Uses the experiment with this name for new runs, creating it if there is none.
   *
   * @param experimentName the experiment's name
   * @return this context
   * @throws TrackdException FAILED_PRECONDITION (reason {@code EXPERIMENT_DELETED}) if an
   *     experiment of that name exists but is deleted
   */
  public TrackingContext setExperimentName(String experimentName) {
    Experiment experiment =
        client.experiments().getByName(experimentName).orElseGet(() -> create(experimentName));
    if (experiment.lifecycleStage() == LifecycleStage.DELETED) {
      throw new TrackdException(
          ErrorCode.FAILED_PRECONDITION,
          "EXPERIMENT_DELETED",
          "experiment '"
              + experimentName
              + "' (id "
              + experiment.experimentId()
              + ") is deleted; restore it or choose another name",
          Map.of(),
          null);
    }
    this.experimentId = experiment.experimentId();
    return this;
  }

  private Experiment create(String name) {
    try {
      return client.experiments().get(client.experiments().create(name));
    } catch (TrackdException e) {
      // Another process created it between our lookup and our create: use theirs.
      Optional<Experiment> existing =
          e.getCode() == ErrorCode.ALREADY_EXISTS
              ? client.experiments().getByName(name)
              : Optional.empty();
      return existing.orElseThrow(() -> e);
    }
  }

  /**
   * Uses this experiment for new runs.
   *
   * @param id the experiment's id
   * @return this context
   */
  public TrackingContext setExperimentId(String id) {
    this.experimentId = Objects.requireNonNull(id, "id");
    return this;
  }

  /**
   * The experiment new runs start in; {@code "0"} (Default) until one is set.
   *
   * @return the experiment id
   */
  public String getExperimentId() {
    return experimentId;
  }

  /**
   * Starts a run with a server-generated name.
   *
   * @return the running run; end it with {@link ActiveRun#endRun()} or close it
   */
  public ActiveRun startRun() {
    return startRun(null, null);
  }

  /**
   * Starts a named run.
   *
   * @param runName the run's name, or null for a generated one
   * @return the running run
   */
  public ActiveRun startRun(String runName) {
    return startRun(runName, null);
  }

  /**
   * Starts a run nested under a parent run (tag {@code mlflow.parentRunId}).
   *
   * @param runName the run's name, or null for a generated one
   * @param parentRunId the parent run's id, or null for a top-level run
   * @return the running run
   */
  public ActiveRun startRun(String runName, String parentRunId) {
    String user = System.getProperty("user.name", "");
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(SystemTags.USER, user);
    tags.put(SystemTags.SOURCE_NAME, sourceName());
    tags.put(SystemTags.SOURCE_TYPE, "LOCAL");
    if (runName != null) {
      tags.put(SystemTags.RUN_NAME, runName);
    }
    CreateRunOptions options =
        CreateRunOptions.defaults()
            .withRunName(runName == null ? "" : runName)
            .withParentRunId(parentRunId == null ? "" : parentRunId)
            .withUserId(user)
            .withTags(tags);
    return new ActiveRun(client, client.runs().create(experimentId, options).info());
  }

  /**
   * Runs {@code body} in a new run with a generated name; see {@link #withActiveRun(String,
   * Consumer)}.
   *
   * @param body the code to run
   */
  public void withActiveRun(Consumer<ActiveRun> body) {
    withActiveRun(null, body);
  }

  /**
   * Runs {@code body} in a new run, then ends the run FINISHED. If the body throws, the run is
   * ended FAILED and the exception is rethrown (MLflow swallows it; we don't hide failures).
   *
   * @param runName the run's name, or null for a generated one
   * @param body the code to run
   */
  public void withActiveRun(String runName, Consumer<ActiveRun> body) {
    ActiveRun run = startRun(runName);
    try {
      body.accept(run);
    } catch (Throwable failure) {
      // Precise rethrow: the body declares no checked exception, so this stays unchecked
      // unless one was thrown sneakily, which is rethrown as it is.
      try {
        run.endRun(RunStatus.FAILED);
      } catch (RuntimeException endFailure) {
        failure.addSuppressed(endFailure);
      }
      throw failure;
    }
    run.endRun();
  }

  /** Closes the client if this context created it. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  /** The main class or jar of this JVM, the closest thing to MLflow's entry-point script. */
  static String sourceName() {
    String command = System.getProperty("sun.java.command", "");
    String first = command.isBlank() ? "" : command.trim().split("\\s+")[0];
    return first.isEmpty() ? "java" : first;
  }
}
