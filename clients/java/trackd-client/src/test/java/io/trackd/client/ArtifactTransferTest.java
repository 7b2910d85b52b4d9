package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.trackd.testing.Fault;
import io.trackd.testing.FaultInjectingProxy;
import io.trackd.testing.ProxiedCall;
import io.trackd.testing.SharedServers;
import io.trackd.testing.TrackdServer;
import io.trackd.v1.ArtifactServiceGrpc;
import io.trackd.v1.DownloadArtifactRequest;
import io.trackd.v1.DownloadArtifactResponse;
import io.trackd.v1.UploadArtifactHeader;
import io.trackd.v1.UploadArtifactRequest;
import io.trackd.v1.UploadArtifactResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers over a network that misbehaves on cue: a {@link FaultInjectingProxy} in front of the
 * real server (SQLite) loses an upload's reply, cuts a download off midway, flips or drops bytes of
 * a download, or stalls one. Retries resend everything under the same request id and the server
 * stores the file once; a corrupt or stalled download fails and leaves nothing behind.
 */
class ArtifactTransferTest {
  private static final MethodDescriptor<UploadArtifactRequest, UploadArtifactResponse> UPLOAD =
      ArtifactServiceGrpc.getUploadArtifactMethod();
  private static final MethodDescriptor<DownloadArtifactRequest, DownloadArtifactResponse>
      DOWNLOAD = ArtifactServiceGrpc.getDownloadArtifactMethod();

  /** Two full chunks and a short one. */
  private static final int SIZE = 2 * 1024 * 1024 + 5;

  /** Bytes the proxy looks for in the answer, to alter the content and nothing else. */
  private static final byte[] MARKER =
      "<trackd artifact transfer test marker>".getBytes(StandardCharsets.US_ASCII);

  /** In the second chunk, so the first chunk passes intact. */
  private static final int MARKER_AT = 1_500_000;

  @TempDir Path scratch;

  private final byte[] content = new byte[SIZE];
  private FaultInjectingProxy proxy;

  /** Straight to the server: setup and read-back. */
  private TrackingClient direct;

  /** Through the proxy. */
  private TrackingClient client;

  private String runId;

  @BeforeEach
  void start() {
    new Random(3).nextBytes(content);
    System.arraycopy(MARKER, 0, content, MARKER_AT, MARKER.length);
    TrackdServer server = SharedServers.sqlite();
    proxy = FaultInjectingProxy.start(server);
    direct = TrackingClient.create(server.uri());
    // The deadline is also how long a transfer may go without progress: long enough for a busy
    // machine, short enough for the stall test.
    client =
        TrackingClient.builder()
            .trackingUri(proxy.uri())
            .deadline(Duration.ofSeconds(2))
            .maxAttempts(3)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .build();
    String experiment = direct.experiments().create("artifact-transfer-" + UUID.randomUUID());
    runId = direct.runs().create(experiment).id();
  }

  @AfterEach
  void stop() {
    client.close();
    direct.close();
    proxy.close();
  }

  @Test
  void aLostUploadIsResentWholeUnderTheSameRequestIdAndStoredOnce() throws Exception {
    Path local = Files.write(scratch.resolve("model.bin"), content);
    Path stored = storedFile("m/model.bin");
    AtomicReference<Object> firstCopy = new AtomicReference<>();
    proxy.inject(UPLOAD, 1, Fault.loseReply(() -> firstCopy.set(fileKey(stored))));

    FileInfo info = client.artifacts().upload(runId, local, UploadOptions.into("m"));

    assertEquals(new FileInfo("m/model.bin", false, SIZE), info);
    List<ProxiedCall> calls = proxy.calls(UPLOAD);
    assertEquals(2, calls.size(), calls::toString);
    List<UploadArtifactRequest> first = calls.get(0).requests(UPLOAD);
    List<UploadArtifactRequest> retry = calls.get(1).requests(UPLOAD);
    assertEquals(
        first.get(0).getHeader(),
        retry.get(0).getHeader(),
        "a retry repeats the header, request id included");
    UploadArtifactHeader header = first.get(0).getHeader();
    assertEquals(36, header.getRequestId().length());
    assertEquals(SIZE, header.getSize());
    assertEquals(sha256(content), header.getSha256());
    for (ProxiedCall call : calls) {
      assertArrayEquals(content, body(call.requests(UPLOAD)), "each attempt sends the whole file");
      assertEquals(Status.Code.OK, call.serverStatus().orElseThrow().getCode());
    }
    List<Integer> chunkSizes = first.stream().skip(1).map(m -> m.getChunk().size()).toList();
    assertTrue(chunkSizes.stream().allMatch(n -> n > 0 && n <= 1024 * 1024), chunkSizes::toString);
    // Read back: one file, the right bytes, and the server did not store it again on the retry.
    assertEquals(List.of(info), direct.artifacts().list(runId, "m"));
    Path copy = direct.artifacts().download(runId, "m/model.bin", scratch.resolve("check"));
    assertArrayEquals(content, Files.readAllBytes(copy));
    assertNotNull(firstCopy.get(), "the file was stored before the reply was lost");
    assertEquals(firstCopy.get(), fileKey(stored), "the retry replaced the stored file");
  }

  @Test
  void aDownloadCutOffMidwayIsRetried() throws Exception {
    uploadDirectly();
    // The file's description and the first chunk get through, then the connection drops.
    proxy.inject(DOWNLOAD, 1, Fault.cutAfter(2));

    Path copy = client.artifacts().download(runId, "m/model.bin", scratch.resolve("down"));

    assertArrayEquals(content, Files.readAllBytes(copy));
    assertEquals(List.of("model.bin"), names(copy.getParent()));
    assertEquals(2, proxy.calls(DOWNLOAD).size());
  }

  @Test
  void aCorruptDownloadIsDataLossAndLeavesNothing() throws Exception {
    uploadDirectly();
    AtomicInteger flipped = new AtomicInteger();
    proxy.inject(
        DOWNLOAD,
        1,
        Fault.alter(
            message -> {
              int at = indexOf(message, MARKER);
              if (at >= 0) {
                message[at] ^= 0x01;
                flipped.incrementAndGet();
              }
              return message;
            }));
    Path dst = scratch.resolve("down");

    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.artifacts().download(runId, "m/model.bin", dst));

    assertEquals(ErrorCode.DATA_LOSS, e.getCode());
    assertEquals(Optional.of("ARTIFACT_CHECKSUM_MISMATCH"), e.getReason());
    assertEquals(1, flipped.get(), "one byte of the content was flipped on the way");
    assertEquals(List.of(), names(dst.resolve("m")));
    assertEquals(1, proxy.calls(DOWNLOAD).size(), "DATA_LOSS is not retried");
    assertServerStillHasTheFile();
  }

  @Test
  void aDownloadMissingAChunkIsDataLossAndLeavesNothing() throws Exception {
    uploadDirectly();
    proxy.inject(DOWNLOAD, 1, Fault.alter(m -> indexOf(m, MARKER) >= 0 ? null : m));
    Path dst = scratch.resolve("down");

    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.artifacts().download(runId, "m/model.bin", dst));

    assertEquals(ErrorCode.DATA_LOSS, e.getCode());
    assertEquals(Optional.of("ARTIFACT_CHECKSUM_MISMATCH"), e.getReason());
    assertTrue(e.getMessage().contains("bytes arrived"), e.getMessage());
    assertEquals(List.of(), names(dst.resolve("m")));
    assertServerStillHasTheFile();
  }

  @Test
  void aStalledDownloadFailsAfterTheDeadlineAndLeavesNothing() throws Exception {
    uploadDirectly();
    // The file's description gets through, then nothing more.
    proxy.inject(DOWNLOAD, 1, Fault.stallAfter(1));
    Path dst = scratch.resolve("down");

    TrackdException e =
        assertThrows(
            TrackdException.class, () -> client.artifacts().download(runId, "m/model.bin", dst));

    assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.getCode());
    assertEquals(Optional.of("TRANSFER_STALLED"), e.getReason());
    assertEquals(List.of(), names(dst.resolve("m")));
    assertEquals(1, proxy.calls(DOWNLOAD).size());
  }

  private void uploadDirectly() throws IOException {
    Path local = Files.write(scratch.resolve("model.bin"), content);
    assertEquals(
        new FileInfo("m/model.bin", false, SIZE),
        direct.artifacts().upload(runId, local, UploadOptions.into("m")));
  }

  private void assertServerStillHasTheFile() throws IOException {
    Path copy = direct.artifacts().download(runId, "m/model.bin", scratch.resolve("check"));
    assertArrayEquals(content, Files.readAllBytes(copy));
  }

  /** Where the server keeps the run's artifact {@code path} (its store is a local directory). */
  private Path storedFile(String path) {
    String root = direct.runs().get(runId).info().artifactUri();
    Path dir = root.startsWith("file:") ? Path.of(URI.create(root)) : Path.of(root);
    return dir.resolve(path);
  }

  /** The file's identity on disk (inode): a new store of the file would replace it. */
  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] body(List<UploadArtifactRequest> messages) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    messages.stream().skip(1).forEach(m -> body.writeBytes(m.getChunk().toByteArray()));
    return body.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Computed here, independently of the client's own checksum code. */
  private static String sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    return java.util.HexFormat.of().formatHex(digest);
  }

  private static List<String> names(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
