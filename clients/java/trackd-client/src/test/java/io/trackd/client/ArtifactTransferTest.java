package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.trackd.v1.ArtifactServiceGrpc;
import io.trackd.v1.DownloadArtifactRequest;
import io.trackd.v1.DownloadArtifactResponse;
import io.trackd.v1.UploadArtifactHeader;
import io.trackd.v1.UploadArtifactRequest;
import io.trackd.v1.UploadArtifactResponse;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers over a network that misbehaves on cue: an in-process endpoint that drops the first
 * attempt (UNAVAILABLE), sends a corrupt file, or stalls. A real server cannot be made to do that;
 * what it stores is tested against it (ArtifactsContract). Here: retries resend everything under
 * the same request id, and a corrupt or stalled download leaves nothing behind.
 */
class ArtifactTransferTest {
  private static final int SIZE = 2 * 1024 * 1024 + 5;

  @TempDir Path scratch;

  private final byte[] content = new byte[SIZE];
  private final List<UploadArtifactHeader> headers = new CopyOnWriteArrayList<>();
  private final List<byte[]> received = new CopyOnWriteArrayList<>();
  private final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile String announcedSha256;
  private volatile boolean stall;
  private Server server;
  private TrackingClient client;

  @BeforeEach
  void start() throws Exception {
    new Random(3).nextBytes(content);
    announcedSha256 = sha256(content);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new FlakyArtifacts()).build().start();
    RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));
    Transport transport =
        new Transport(InProcessChannelBuilder.forName(name).build(), Duration.ofMillis(500), retry);
    client = new TrackingClient(TrackingUri.parse("grpc://in-process:1"), transport);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static String sha256(byte[] bytes) {
    java.security.MessageDigest digest = Checksums.sha256();
    digest.update(bytes);
    return Checksums.hex(digest);
  }

  @Test
  void aLostUploadIsResentWholeUnderTheSameRequestId() throws Exception {
    Path local = Files.write(scratch.resolve("model.bin"), content);
    failuresLeft.set(1);

    FileInfo stored = client.logArtifact("run1", local, "m");

    assertEquals(new FileInfo("m/model.bin", false, SIZE), stored);
    assertEquals(2, headers.size());
    assertEquals(headers.get(0), headers.get(1), "a retry repeats the header, request id included");
    UploadArtifactHeader header = headers.get(0);
    assertEquals(36, header.getRequestId().length());
    assertEquals(SIZE, header.getSize());
    assertEquals(sha256(content), header.getSha256());
    assertArrayEquals(content, received.get(0));
    assertArrayEquals(content, received.get(1));
    assertTrue(chunkSizes.stream().allMatch(n -> n > 0 && n <= 1024 * 1024), chunkSizes::toString);
  }

  @Test
  void aDownloadCutOffMidwayIsRetried() throws Exception {
    failuresLeft.set(1);
    Path copy = client.downloadArtifacts("run1", "m/model.bin", scratch.resolve("down"));
    assertArrayEquals(content, Files.readAllBytes(copy));
    assertEquals(List.of("model.bin"), names(copy.getParent()));
  }

  @Test
  void aCorruptDownloadIsDataLossAndLeavesNothing() throws Exception {
    announcedSha256 = "0".repeat(64);
    Path dst = scratch.resolve("down");
    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.downloadArtifacts("run1", "m/model.bin", dst));
    assertEquals(ErrorCode.DATA_LOSS, e.getCode());
    assertEquals(Optional.of("ARTIFACT_CHECKSUM_MISMATCH"), e.getReason());
    assertEquals(List.of(), names(dst.resolve("m")));
  }

  @Test
  void aStalledDownloadFailsAfterTheDeadlineAndLeavesNothing() throws Exception {
    stall = true;
    Path dst = scratch.resolve("down");
    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.downloadArtifacts("run1", "m/model.bin", dst));
    assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.getCode());
    assertEquals(Optional.of("TRANSFER_STALLED"), e.getReason());
    assertEquals(List.of(), names(dst.resolve("m")));
  }

  private static List<String> names(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Fails the first {@code failuresLeft} attempts with UNAVAILABLE, after moving the content. */
  private final class FlakyArtifacts extends ArtifactServiceGrpc.ArtifactServiceImplBase {
    @Override
    public StreamObserver<UploadArtifactRequest> uploadArtifact(
        StreamObserver<UploadArtifactResponse> reply) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      return new StreamObserver<>() {
        @Override
        public void onNext(UploadArtifactRequest message) {
          if (message.hasHeader()) {
            headers.add(message.getHeader());
          } else {
            chunkSizes.add(message.getChunk().size());
            body.writeBytes(message.getChunk().toByteArray());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          received.add(body.toByteArray());
          if (failuresLeft.getAndDecrement() > 0) {
            reply.onError(Status.UNAVAILABLE.withDescription("reply lost").asRuntimeException());
            return;
          }
          UploadArtifactHeader h = headers.get(headers.size() - 1);
          reply.onNext(
              UploadArtifactResponse.newBuilder()
                  .setFile(
                      io.trackd.v1.FileInfo.newBuilder()
                          .setPath(h.getPath())
                          .setSize(h.getSize())
                          .setSha256(h.getSha256()))
                  .build());
          reply.onCompleted();
        }
      };
    }

    @Override
    public void downloadArtifact(
        DownloadArtifactRequest request, StreamObserver<DownloadArtifactResponse> reply) {
      reply.onNext(
          DownloadArtifactResponse.newBuilder()
              .setFile(
                  io.trackd.v1.FileInfo.newBuilder()
                      .setPath(request.getPath())
                      .setSize(SIZE)
                      .setSha256(announcedSha256))
              .build());
      if (stall) {
        return; // never completes: the client must give up on its own
      }
      int chunk = 1024 * 1024;
      for (int offset = 0; offset < SIZE; offset += chunk) {
        if (offset > 0 && failuresLeft.getAndDecrement() > 0) {
          reply.onError(Status.UNAVAILABLE.withDescription("cut off").asRuntimeException());
          return;
        }
        ByteString bytes = ByteString.copyFrom(content, offset, Math.min(chunk, SIZE - offset));
        reply.onNext(DownloadArtifactResponse.newBuilder().setChunk(bytes).build());
      }
      reply.onCompleted();
    }
  }
}
