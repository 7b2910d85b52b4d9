package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads, listings and downloads of files and directory trees, read back byte for byte. */
abstract class ArtifactsContract extends ServerContract {
  @TempDir Path scratch;

  String newRun() {
    return client.createRun(newExperiment()).runId();
  }

  /** A file of {@code size} random bytes (seeded, so a failure can be reproduced). */
  static Path randomFile(Path path, int size, long seed) throws IOException {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    Files.createDirectories(path.getParent());
    return Files.write(path, bytes);
  }

  static Path textFile(Path path, String text) throws IOException {
    Files.createDirectories(path.getParent());
    return Files.writeString(path, text, StandardCharsets.UTF_8);
  }

  /** Every regular file under {@code root}, as {@code /}-separated relative paths. */
  static Set<String> filesUnder(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertSameBytes(Path expected, Path actual) throws IOException {
    assertEquals(-1L, Files.mismatch(expected, actual), actual + " differs from " + expected);
  }

  @Test
  void multiChunkFileRoundTripsByteIdentical() throws IOException {
    String run = newRun();
    // 5 MiB and a bit: five full chunks and a short one.
    int size = 5 * 1024 * 1024 + 12_345;
    Path local = randomFile(scratch.resolve("up/weights.bin"), size, 42);

    FileInfo stored = client.logArtifact(run, local, "model");

    assertEquals(new FileInfo("model/weights.bin", false, size), stored);
    assertEquals(List.of(new FileInfo("model", true, 0)), client.listArtifacts(run));
    assertEquals(List.of(stored), client.listArtifacts(run, "model"));
    assertEquals(List.of(stored), client.listArtifacts(run, "model/"));
    Path dst = scratch.resolve("down");
    Path copy = client.downloadArtifacts(run, "model/weights.bin", dst);
    assertEquals(dst.toAbsolutePath().resolve("model/weights.bin"), copy);
    assertSameBytes(local, copy);
    // Nothing but the file: the temporary .part file was moved into place.
    assertEquals(Set.of("model/weights.bin"), filesUnder(dst));
  }

  @Test
  void directoryTreeRoundTrips() throws IOException {
    String run = newRun();
    Path tree = scratch.resolve("tree");
    textFile(tree.resolve("a.txt"), "alpha ü");
    randomFile(tree.resolve("sub/b.bin"), 1024 * 1024 + 1, 7);
    textFile(tree.resolve("sub/deeper/c.txt"), "gamma");
    Files.write(tree.resolve("sub/empty.txt"), new byte[0]);

    List<FileInfo> stored = client.logArtifacts(run, tree, "outputs/v1");

    assertEquals(
        Set.of(
            "outputs/v1/a.txt",
            "outputs/v1/sub/b.bin",
            "outputs/v1/sub/deeper/c.txt",
            "outputs/v1/sub/empty.txt"),
        stored.stream().map(FileInfo::path).collect(Collectors.toSet()));
    assertEquals(
        Set.of(new FileInfo("outputs/v1/a.txt", false, 8), new FileInfo("outputs/v1/sub", true, 0)),
        Set.copyOf(client.listArtifacts(run, "outputs/v1")));
    assertEquals(
        Set.of(
            new FileInfo("outputs/v1/sub/b.bin", false, 1024 * 1024 + 1),
            new FileInfo("outputs/v1/sub/deeper", true, 0),
            new FileInfo("outputs/v1/sub/empty.txt", false, 0)),
        Set.copyOf(client.listArtifacts(run, "outputs/v1/sub")));

    Path dst = scratch.resolve("down");
    Path copy = client.downloadArtifacts(run, "outputs/v1", dst);
    assertEquals(dst.toAbsolutePath().resolve("outputs/v1"), copy);
    assertEquals(filesUnder(tree), filesUnder(copy));
    for (String file : filesUnder(tree)) {
      assertSameBytes(tree.resolve(file), copy.resolve(file));
    }

    // Everything of the run, into a new temporary directory.
    Path all = client.downloadArtifacts(run, "");
    assertTrue(Files.isDirectory(all));
    assertEquals(
        filesUnder(tree).stream().map(f -> "outputs/v1/" + f).collect(Collectors.toSet()),
        filesUnder(all));
  }

  @Test
  void activeRunLogsArtifacts() throws IOException {
    Path file = textFile(scratch.resolve("notes.txt"), "notes");
    Path dir = scratch.resolve("plots");
    textFile(dir.resolve("loss.svg"), "<svg/>");
    String runId;
    try (TrackingContext context = new TrackingContext(client).setExperimentId(newExperiment());
        ActiveRun run = context.startRun("artifacts")) {
      runId = run.getId();
      assertEquals(new FileInfo("notes.txt", false, 5), run.logArtifact(file));
      assertEquals(new FileInfo("docs/notes.txt", false, 5), run.logArtifact(file, "docs"));
      assertEquals(List.of(new FileInfo("loss.svg", false, 6)), run.logArtifacts(dir));
      assertEquals(
          List.of(new FileInfo("figures/loss.svg", false, 6)), run.logArtifacts(dir, "figures"));
    }
    assertEquals(
        Set.of(
            new FileInfo("docs", true, 0),
            new FileInfo("figures", true, 0),
            new FileInfo("loss.svg", false, 6),
            new FileInfo("notes.txt", false, 5)),
        Set.copyOf(client.listArtifacts(runId)));
    Path copy = client.downloadArtifacts(runId, "docs/notes.txt", scratch.resolve("down"));
    assertEquals("notes", Files.readString(copy));
  }

  @Test
  void aNewUploadReplacesTheFileAndADownloadReplacesTheLocalCopy() throws IOException {
    String run = newRun();
    client.logArtifact(run, textFile(scratch.resolve("v1/config.json"), "{\"v\": 1}"));
    Path dst = scratch.resolve("down");
    assertEquals("{\"v\": 1}", Files.readString(client.downloadArtifacts(run, "config.json", dst)));
    client.logArtifact(run, textFile(scratch.resolve("v2/config.json"), "{\"v\": 2}"));
    assertEquals(List.of(new FileInfo("config.json", false, 8)), client.listArtifacts(run));
    assertEquals("{\"v\": 2}", Files.readString(client.downloadArtifacts(run, "config.json", dst)));
  }

  @Test
  void listingFetchesEveryPage() throws IOException {
    String run = newRun();
    Path dir = scratch.resolve("many");
    for (int i = 0; i < 7; i++) {
      textFile(dir.resolve("f" + i + ".txt"), "x".repeat(i));
    }
    client.logArtifacts(run, dir, "many");
    List<FileInfo> all = client.listArtifacts(run, "many");
    assertEquals(7, all.size());
    try (Transport transport = openTransport()) {
      assertEquals(all, new ArtifactCalls(transport).list(run, "many", 2));
    }
    assertEquals(List.of(), client.listArtifacts(run, "no-such-dir"));
    assertEquals(List.of(), client.listArtifacts(run, "many/f1.txt"));
  }

  @Test
  void emptyRunHasNoArtifacts() {
    assertEquals(List.of(), client.listArtifacts(newRun()));
  }

  /** A transport to the server, for the package-private calls some tests make directly. */
  Transport openTransport() {
    TrackingUri uri = TrackingUri.parse(server().uri());
    return new Transport(uri, Duration.ofSeconds(30), RetryPolicy.DEFAULT);
  }
}
