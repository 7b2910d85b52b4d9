package io.trackd.client.internal;

import io.trackd.client.Artifacts;
import io.trackd.client.Experiments;
import io.trackd.client.Metrics;
import io.trackd.client.Runs;
import io.trackd.client.TrackingClient;

/**
 * {@link TrackingClient} over one {@link Transport}: the four areas share its channel, deadline and
 * retries. Public only so that {@code TrackingClientBuilder} can build it; not part of the API.
 */
public final class ClientImpl implements TrackingClient {
  private final TrackingUri uri;
  private final Transport transport;
  private final Experiments experiments;
  private final Runs runs;
  private final Metrics metrics;
  private final Artifacts artifacts;

  public ClientImpl(TrackingUri uri, Transport transport) {
    this.uri = uri;
    this.transport = transport;
    this.experiments = new ExperimentsImpl(transport);
    this.runs = new RunsImpl(transport, BatchSplitter.SERVER_LIMITS);
    this.metrics = new MetricsImpl(transport);
    this.artifacts = new ArtifactsImpl(transport);
  }

  @Override
  public String getTrackingUri() {
    return uri.toString();
  }

  @Override
  public Experiments experiments() {
    return experiments;
  }

  @Override
  public Runs runs() {
    return runs;
  }

  @Override
  public Metrics metrics() {
    return metrics;
  }

  @Override
  public Artifacts artifacts() {
    return artifacts;
  }

  @Override
  public void close() {
    transport.close();
  }
}
