package io.trackd.client;

import static io.trackd.client.ErrorsContract.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trackd.client.internal.InternalAccess;
import io.trackd.client.internal.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How artifact calls fail, and why retrying an upload is safe. */
abstract class ArtifactErrorsContract extends ServerContract {
  private static final String MISSING_RUN = "e".repeat(32);

  @TempDir Path scratch;

  private String newRun() {
    return client.runs().create(newExperiment()).id();
  }

  @Test
  void pathsThatLeaveTheRunAreInvalidArguments() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    for (String attack : List.of("../x", "a/../../x", "%2e%2e/x", "a\\..\\..\\x", "a?b")) {
      assertFails(
          ErrorCode.INVALID_ARGUMENT,
          "UNSAFE_ARTIFACT_PATH",
          () -> client.artifacts().upload(run, file, UploadOptions.into(attack)));
    }
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.artifacts().list(run, "../x"));
    // Refused before anything is written locally, whatever the server would say.
    Path dst = scratch.resolve("down");
    TrackdException e =
        assertThrows(TrackdException.class, () -> client.artifacts().download(run, "../x", dst));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.getCode());
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "UNSAFE_ARTIFACT_PATH",
        () -> client.artifacts().download(run, "a/%2e%2e/%2e%2e/x", dst));
    assertFalse(Files.exists(scratch.resolve("x")));
    assertEquals(List.of(), client.artifacts().list(run));
  }

  @Test
  void missingRunsAndFilesAreNotFound() throws IOException {
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    assertFails(ErrorCode.NOT_FOUND, () -> client.artifacts().upload(MISSING_RUN, file));
    assertFails(ErrorCode.NOT_FOUND, () -> client.artifacts().list(MISSING_RUN));
    String run = newRun();
    Path dst = scratch.resolve("down");
    assertFails(ErrorCode.NOT_FOUND, () -> client.artifacts().download(run, "nothing.bin", dst));
    assertEquals(Set.of(), ArtifactsContract.filesUnder(dst));
  }

  @Test
  void uploadsToADeletedRunFailTheirPrecondition() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    client.artifacts().upload(run, file);
    client.runs().delete(run);
    assertFails(
        ErrorCode.FAILED_PRECONDITION,
        () -> client.artifacts().upload(run, file, UploadOptions.into("later")));
    // Reads still work on a deleted run, like GetRun.
    assertEquals(List.of(new FileInfo("x.txt", false, 1)), client.artifacts().list(run));
  }

  @Test
  void localPathsOfTheWrongKindAreRefused() throws IOException {
    String run = newRun();
    Path file = ArtifactsContract.textFile(scratch.resolve("x.txt"), "x");
    assertFails(
        ErrorCode.INVALID_ARGUMENT, "NOT_A_FILE", () -> client.artifacts().upload(run, scratch));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "NOT_A_FILE",
        () -> client.artifacts().upload(run, scratch.resolve("missing.txt")));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "NOT_A_DIRECTORY",
        () -> client.artifacts().uploadDirectory(run, file));
  }

  @Test
  void aRetriedUploadWithTheSameRequestIdStoresNothingTwice() throws IOException {
    String run = newRun();
    Path first = ArtifactsContract.textFile(scratch.resolve("a/data.csv"), "first");
    Path second = ArtifactsContract.textFile(scratch.resolve("b/data.csv"), "second!");
    String requestId = InternalAccess.requestId();
    try (Transport transport = InternalAccess.openTransport(server().uri())) {
      FileInfo stored = InternalAccess.upload(transport, run, first, "data.csv", requestId);
      assertEquals(new FileInfo("data.csv", false, 5), stored);
      // Another upload replaces the file; then the first one is "retried" after a lost reply.
      InternalAccess.upload(transport, run, second, "data.csv", InternalAccess.requestId());
      assertEquals(stored, InternalAccess.upload(transport, run, first, "data.csv", requestId));
    }
    Path copy = client.artifacts().download(run, "data.csv", scratch.resolve("down"));
    assertEquals("second!", Files.readString(copy));
  }
}
