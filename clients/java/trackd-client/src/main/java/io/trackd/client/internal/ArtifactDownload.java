package io.trackd.client.internal;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import io.trackd.v1.DownloadArtifactRequest;
import io.trackd.v1.DownloadArtifactResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streams one artifact file from the server (DownloadArtifact) into a temporary file beside its
 * destination, one message at a time (flow control: the server sends the next chunk when this one
 * is written), then checks the size and SHA-256 the server announced and moves the file into place.
 * A failed or corrupt download leaves nothing behind. Like uploads, a download has no overall
 * deadline but fails when nothing moved for the client's deadline, and UNAVAILABLE is retried.
 */
final class ArtifactDownload {
  private final Transport transport;

  ArtifactDownload(Transport transport) {
    this.transport = transport;
  }

  /**
   * Downloads artifact file {@code path} of the run to {@code target}, replacing a file there.
   *
   * @throws TrackdException FAILED_PRECONDITION (reason ARTIFACT_IS_DIRECTORY) for a directory,
   *     NOT_FOUND, DATA_LOSS if what arrived does not match what the server announced
   */
  void download(String runId, String path, Path target) {
    DownloadArtifactRequest request =
        DownloadArtifactRequest.newBuilder().setRunId(runId).setPath(path).build();
    transport.withRetries(
        () -> {
          attempt(request, target);
          return null;
        });
  }

  private void attempt(DownloadArtifactRequest request, Path target) {
    Path parent = target.toAbsolutePath().getParent();
    Path temp = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    Messages messages = new Messages();
    transport.artifactStreams().downloadArtifact(request, messages);
    try {
      Files.createDirectories(parent);
      try (FileChannel out =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        receive(messages, out, request.getPath());
        out.force(true);
      }
      moveIntoPlace(temp, target);
    } catch (IOException e) {
      messages.cancel(e);
      throw new UncheckedIOException("cannot write " + target, e);
    } catch (RuntimeException e) {
      messages.cancel(e);
      throw e;
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // Best effort: a leftover .part file is harmless and named as such.
      }
    }
  }

  private void receive(Messages messages, FileChannel out, String path) throws IOException {
    Duration patience = transport.deadline();
    MessageDigest digest = Checksums.sha256();
    io.trackd.v1.FileInfo info = null;
    long received = 0;
    for (DownloadArtifactResponse m = messages.next(patience);
        m != null;
        m = messages.next(patience)) {
      if (m.hasFile()) {
        info = m.getFile();
      } else {
        ByteBuffer chunk = m.getChunk().asReadOnlyByteBuffer();
        digest.update(chunk.duplicate());
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        received += m.getChunk().size();
      }
      messages.request();
    }
    if (info == null) {
      throw new TrackdException(
          ErrorCode.INTERNAL, null, "the server sent no description of " + path, Map.of(), null);
    }
    verify(info, Checksums.hex(digest), received, path);
  }

  private static void verify(io.trackd.v1.FileInfo info, String sha256, long size, String path) {
    String problem = null;
    if (size != info.getSize()) {
      problem = size + " bytes arrived, the server announced " + info.getSize();
    } else if (!info.getSha256().isEmpty() && !info.getSha256().equalsIgnoreCase(sha256)) {
      problem = "SHA-256 " + sha256 + " arrived, the server announced " + info.getSha256();
    }
    if (problem != null) {
      throw new TrackdException(
          ErrorCode.DATA_LOSS,
          "ARTIFACT_CHECKSUM_MISMATCH",
          "download of " + path + " is corrupt (" + problem + "); nothing was kept",
          Map.of("path", path),
          null);
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The response stream as a queue the caller's thread drains, one requested message at a time. */
  private static final class Messages
      implements ClientResponseObserver<DownloadArtifactRequest, DownloadArtifactResponse> {
    private static final Object END = new Object();
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private ClientCallStreamObserver<DownloadArtifactRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<DownloadArtifactRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(DownloadArtifactResponse value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      events.add(t);
    }

    @Override
    public void onCompleted() {
      events.add(END);
    }

    /** The next message, or null at the end of the stream; throws the stream's failure. */
    DownloadArtifactResponse next(Duration patience) {
      Object event;
      try {
        event = events.poll(patience.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        call.cancel("interrupted", e);
        throw Transfers.interrupted("download", e);
      }
      if (event == null) {
        call.cancel("stalled", null);
        throw Transfers.stalled("download", "receiving", patience);
      }
      if (event == END) {
        return null;
      }
      if (event instanceof Throwable t) {
        StatusRuntimeException failure = Transfers.asStatusException(t);
        throw failure;
      }
      return (DownloadArtifactResponse) event;
    }

    /** Asks the server for the next message, now that this one is written. */
    void request() {
      call.request(1);
    }

    void cancel(Throwable why) {
      call.cancel("download abandoned", why);
    }
  }
}
