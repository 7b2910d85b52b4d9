package io.trackd.client;

import static io.trackd.client.ErrorsContract.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How artifact calls fail, and why retrying an upload is safe. */
abstract class ArtifactErrorsContract extends ServerContract {
  private static final String MISSING_RUN = "e".repeat(32);

  @TempDir Path scratch;

  private String newRun() {
    return client.createRun(newExperiment()).runId();
  }

  @Test
  void pathsThatLeaveTheRunAreInvalidArguments() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    for (String attack : List.of("../x", "a/../../x", "%2e%2e/x", "a\\..\\..\\x", "a?b")) {
      assertFails(
          ErrorCode.INVALID_ARGUMENT,
          "UNSAFE_ARTIFACT_PATH",
          () -> client.logArtifact(run, file, attack));
    }
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.listArtifacts(run, "../x"));
    // Refused before anything is written locally, whatever the server would say.
    Path dst = scratch.resolve("down");
    TrackdException e =
        assertThrows(TrackdException.class, () -> client.downloadArtifacts(run, "../x", dst));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "UNSAFE_ARTIFACT_PATH",
        () -> client.downloadArtifacts(run, "a/%2e%2e/%2e%2e/x", dst));
    assertFalse(Files.exists(scratch.resolve("x")));
    assertEquals(List.of(), client.listArtifacts(run));
  }

  @Test
  void missingRunsAndFilesAreNotFound() throws IOException {
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    assertFails(ErrorCode.NOT_FOUND, () -> client.logArtifact(MISSING_RUN, file));
    assertFails(ErrorCode.NOT_FOUND, () -> client.listArtifacts(MISSING_RUN));
    String run = newRun();
    Path dst = scratch.resolve("down");
    assertFails(ErrorCode.NOT_FOUND, () -> client.downloadArtifacts(run, "nothing.bin", dst));
    assertEquals(Set.of(), ArtifactsContract.filesUnder(dst));
  }

  @Test
  void uploadsToADeletedRunFailTheirPrecondition() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    client.logArtifact(run, file);
    client.deleteRun(run);
    assertFails(ErrorCode.FAILED_PRECONDITION, () -> client.logArtifact(run, file, "later"));
    // Reads still work on a deleted run, like GetRun.
    assertEquals(List.of(new FileInfo("x.txt", false, 1)), client.listArtifacts(run));
  }

  @Test
  void localPathsOfTheWrongKindAreRefused() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    assertFails(ErrorCode.INVALID_ARGUMENT, "NOT_A_FILE", () -> client.logArtifact(run, scratch));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "NOT_A_FILE",
        () -> client.logArtifact(run, scratch.resolve("missing.txt")));
    assertFails(
        ErrorCode.INVALID_ARGUMENT, "NOT_A_DIRECTORY", () -> client.logArtifacts(run, file));
  }

  @Test
  void aRetriedUploadWithTheSameRequestIdStoresNothingTwice() throws IOException {
    String run = newRun();
    Path first = ArtifactsContract.textFile(scratch.resolve("a/data.csv"), "first");
    Path second = ArtifactsContract.textFile(scratch.resolve("b/data.csv"), "second!");
    String requestId = RequestIds.next();
    TrackingUri uri = TrackingUri.parse(server().uri());
    try (Transport transport =
        new Transport(uri, Duration.ofSeconds(30), RetryPolicy.DEFAULT)) {
      ArtifactUpload upload = new ArtifactUpload(transport);
      FileInfo stored = upload.upload(run, first, "data.csv", requestId);
      assertEquals(new FileInfo("data.csv", false, 5), stored);
      // Another upload replaces the file; then the first one is "retried" after a lost reply.
      upload.upload(run, second, "data.csv", RequestIds.next());
      assertEquals(stored, upload.upload(run, first, "data.csv", requestId));
    }
    Path copy = client.downloadArtifacts(run, "data.csv", scratch.resolve("down"));
    assertEquals("second!", Files.readString(copy));
  }
}
