package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trackd.testing.Subprocess;
import io.trackd.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts cross languages unchanged: what Java uploads, the Python client downloads byte for
 * byte, and the other way round (artifacts.py, run by the repository's Python).
 */
abstract class PythonArtifactsContract extends ServerContract {
  @TempDir Path scratch;

  private String python(String... args) {
    String script =
        TestPaths.repoRoot()
            .resolve("clients/java/trackd-client/src/test/python/artifacts.py")
            .toString();
    List<String> command =
        new java.util.ArrayList<>(List.of(TestPaths.python().toString(), script));
    command.addAll(List.of(args));
    return Subprocess.run(command).trim();
  }

  @Test
  void pythonDownloadsWhatJavaUploaded() throws IOException {
    String run = client.runs().create(newExperiment()).id();
    Path local =
        ArtifactsContract.randomFile(scratch.resolve("up/model.bin"), 3 * 1024 * 1024 + 99, 11);
    client.artifacts().upload(run, local, UploadOptions.into("java"));

    Path dst = scratch.resolve("py-down");
    String printed = python("download", server().uri(), run, "java/model.bin", dst.toString());

    assertEquals(dst.resolve("java/model.bin"), Path.of(printed));
    ArtifactsContract.assertSameBytes(local, Path.of(printed));
  }

  @Test
  void javaDownloadsWhatPythonUploaded() throws IOException {
    String run = client.runs().create(newExperiment()).id();
    Path local =
        ArtifactsContract.randomFile(scratch.resolve("up/table.parquet"), 2 * 1024 * 1024 + 7, 12);
    python("upload", server().uri(), run, local.toString(), "python");

    assertEquals(
        List.of(new FileInfo("python/table.parquet", false, 2 * 1024 * 1024 + 7)),
        client.artifacts().list(run, "python"));
    Path copy = client.artifacts().download(run, "python/table.parquet", scratch.resolve("down"));
    ArtifactsContract.assertSameBytes(local, copy);
  }
}
