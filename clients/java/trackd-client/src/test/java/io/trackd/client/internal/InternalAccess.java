package io.trackd.client.internal;

import io.trackd.client.FileInfo;
import io.trackd.client.Metric;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The package-private parts of the implementation that the behaviour suites (package {@code
 * io.trackd.client}) drive directly: a retry with a chosen request id, a listing with small pages,
 * raw requests through the client's own transport. Test code only; it keeps those parts
 * package-private in the client itself.
 */
public final class InternalAccess {
  private InternalAccess() {}

  /** A transport to {@code uri} with the client's default deadline and retries. */
  public static Transport openTransport(String uri) {
    TrackingUri parsed = TrackingUri.parse(uri);
    return new Transport(parsed, Duration.ofSeconds(30), RetryPolicy.DEFAULT);
  }

  /** A fresh request id, as the client makes one per logical call. */
  public static String requestId() {
    return RequestIds.next();
  }

  /** Every page of a listing, fetched {@code pageSize} entries at a time. */
  public static List<FileInfo> listArtifacts(
      Transport transport, String runId, String path, int pageSize) {
    return new ArtifactsImpl(transport).list(runId, path, pageSize);
  }

  /** Uploads {@code local} to {@code artifactFile} under a given request id, as a retry would. */
  public static FileInfo upload(
      Transport transport, String runId, Path local, String artifactFile, String requestId) {
    return new ArtifactUpload(transport).upload(runId, local, artifactFile, requestId);
  }

  /** The client's conversion of a generated metric point. */
  public static Metric metric(io.trackd.v1.Metric point) {
    return Protos.metric(point);
  }
}
