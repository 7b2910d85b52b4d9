package io.trackd.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.trackd.client.FileInfo;
import io.trackd.v1.UploadArtifactHeader;
import io.trackd.v1.UploadArtifactRequest;
import io.trackd.v1.UploadArtifactResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Streams one local file to the server (UploadArtifact): a header with the file's size and SHA-256,
 * then the content in chunks of at most 1 MiB, read from disk as gRPC's flow control asks for them,
 * so memory stays flat whatever the file's size.
 *
 * <p>A transfer has no overall deadline (a big file may take long); it fails instead when nothing
 * moved for the client's deadline. An attempt that fails with UNAVAILABLE is repeated with the same
 * request id, so the server stores the file at most once.
 */
final class ArtifactUpload {
  /** The server's largest chunk. */
  static final int CHUNK_BYTES = 1024 * 1024;

  private final Transport transport;

  ArtifactUpload(Transport transport) {
    this.transport = transport;
  }

  /** Uploads {@code local} to {@code artifactFile} (relative to the run's artifact root). */
  FileInfo upload(String runId, Path local, String artifactFile) {
    return upload(runId, local, artifactFile, RequestIds.next());
  }

  /** As {@link #upload(String, Path, String)}, with a given request id (tests retry with it). */
  FileInfo upload(String runId, Path local, String artifactFile, String requestId) {
    // The header goes first and carries the checksum, so the file is read twice: once here for
    // its SHA-256, once to send it. If it changes in between, the server refuses it (DATA_LOSS).
    Checksums.Digest digest = Checksums.sha256(local);
    UploadArtifactHeader header =
        UploadArtifactHeader.newBuilder()
            .setRunId(runId)
            .setPath(artifactFile)
            .setSize(digest.size())
            .setSha256(digest.hex())
            .setRequestId(requestId)
            .build();
    return Protos.fileInfo(transport.withRetries(() -> attempt(header, local)));
  }

  private io.trackd.v1.FileInfo attempt(UploadArtifactHeader header, Path local) {
    Duration patience = transport.deadline();
    Reply reply = new Reply();
    transport.artifactStreams().uploadArtifact(reply);
    ClientCallStreamObserver<UploadArtifactRequest> call = reply.call;
    try (InputStream in = Files.newInputStream(local)) {
      reply.awaitReady(patience);
      call.onNext(UploadArtifactRequest.newBuilder().setHeader(header).build());
      byte[] buffer = new byte[CHUNK_BYTES];
      for (int n = in.readNBytes(buffer, 0, CHUNK_BYTES);
          n > 0;
          n = in.readNBytes(buffer, 0, CHUNK_BYTES)) {
        reply.awaitReady(patience);
        call.onNext(
            UploadArtifactRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
      }
      call.onCompleted();
    } catch (IOException e) {
      call.cancel("reading the local file failed", e);
      throw new UncheckedIOException("cannot read " + local, e);
    } catch (RuntimeException e) {
      call.cancel("upload abandoned", e);
      throw e;
    }
    // The server now checks the checksum and commits: allow it the same patience.
    return reply.awaitResponse(patience).getFile();
  }

  /** The call's side channel: readiness for more chunks, then the answer or the failure. */
  private static final class Reply
      implements ClientResponseObserver<UploadArtifactRequest, UploadArtifactResponse> {
    private final Object lock = new Object();
    private ClientCallStreamObserver<UploadArtifactRequest> call;
    private UploadArtifactResponse response;
    private Throwable error;
    private boolean done;

    @Override
    public void beforeStart(ClientCallStreamObserver<UploadArtifactRequest> requestStream) {
      call = requestStream;
      requestStream.setOnReadyHandler(this::wake);
    }

    @Override
    public void onNext(UploadArtifactResponse value) {
      synchronized (lock) {
        response = value;
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (lock) {
        error = t;
        done = true;
        lock.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        done = true;
        lock.notifyAll();
      }
    }

    private void wake() {
      synchronized (lock) {
        lock.notifyAll();
      }
    }

    /** Waits until gRPC takes another message; fails if the call failed or stalled. */
    void awaitReady(Duration patience) {
      await(patience, () -> call.isReady() || done, "sending");
      if (done) {
        throw failure();
      }
    }

    /** Waits for the server's answer. */
    UploadArtifactResponse awaitResponse(Duration patience) {
      await(patience, () -> done, "waiting for the server to store the file");
      if (error != null || response == null) {
        throw failure();
      }
      return response;
    }

    private void await(Duration patience, java.util.function.BooleanSupplier ready, String doing) {
      long deadline = System.nanoTime() + patience.toNanos();
      synchronized (lock) {
        while (!ready.getAsBoolean()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            call.cancel("stalled", null);
            throw Transfers.stalled("upload", doing, patience);
          }
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel("interrupted", e);
            throw Transfers.interrupted("upload", e);
          }
        }
      }
    }

    /** Why the call ended early, as gRPC reports it (so that UNAVAILABLE is retried). */
    private StatusRuntimeException failure() {
      synchronized (lock) {
        if (error != null) {
          return Transfers.asStatusException(error);
        }
        return Status.INTERNAL
            .withDescription("the server ended the upload without an answer")
            .asRuntimeException();
      }
    }
  }
}
