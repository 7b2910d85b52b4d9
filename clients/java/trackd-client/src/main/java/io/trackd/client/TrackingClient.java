package io.trackd.client;

/**
 * The trackd client: one interface per area of the tracking API, over gRPC, with MLflow's semantics
 * (the counterpart of MLflow's {@code MlflowClient}, shaped like etcd's jetcd client).
 *
 * <p>Every mutating call sends a fresh request id and every call has a deadline; calls that fail
 * with UNAVAILABLE are retried with exponential backoff under the same request id, so a retry never
 * applies a change twice. Failures throw {@link TrackdException}. The client and its areas are
 * thread-safe; close the client to shut its channel down.
 *
 * <pre>{@code
 * try (TrackingClient client = TrackingClient.create("grpc://127.0.0.1:50051")) {
 *   String experimentId = client.experiments().create("fraud-model");
 *   Run run = client.runs().create(experimentId);
 *   client.metrics().log(run.id(), new Metric("auc", 0.91, System.currentTimeMillis(), 1));
 *   client.runs().setTerminated(run.id(), RunStatus.FINISHED);
 * }
 * }</pre>
 *
 * <p>The implementations live in {@code io.trackd.client.internal}, which is not part of the API.
 */
public interface TrackingClient extends AutoCloseable {
  /**
   * A client for the configured server: system property {@code trackd.tracking.uri}, else
   * environment variable {@code TRACKD_TRACKING_URI}, else {@code grpc://127.0.0.1:50051}.
   *
   * @return a new client with default settings
   */
  static TrackingClient create() {
    return builder().build();
  }

  /**
   * A client for the given server with default settings.
   *
   * @param trackingUri {@code grpc://host:port} (or {@code grpcs://host:port} for TLS)
   * @return a new client
   */
  static TrackingClient create(String trackingUri) {
    return builder().trackingUri(trackingUri).build();
  }

  /**
   * A builder for a client with custom deadline, retries or URI.
   *
   * @return a new builder
   */
  static TrackingClientBuilder builder() {
    return new TrackingClientBuilder();
  }

  /**
   * The server this client talks to.
   *
   * @return the normalised tracking URI, e.g. {@code grpc://127.0.0.1:50051}
   */
  String getTrackingUri();

  /**
   * Experiments: create, read, search, rename, delete and restore them, and their tags.
   *
   * @return the experiments area of this client
   */
  Experiments experiments();

  /**
   * Runs: create, read, update, end, search, delete and restore them; their params, tags and
   * batches.
   *
   * @return the runs area of this client
   */
  Runs runs();

  /**
   * Metrics: log points and read histories, whole or downsampled.
   *
   * @return the metrics area of this client
   */
  Metrics metrics();

  /**
   * Artifacts: upload, list and download a run's files.
   *
   * @return the artifacts area of this client
   */
  Artifacts artifacts();

  /** Shuts the channel down, waiting a few seconds for calls in flight. */
  @Override
  void close();
}
