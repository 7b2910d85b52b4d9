package io.trackd.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the test setup finds the repository, the trackd server and the repository's Python.
 * mk/java.mk sets the environment variables; the defaults work for `mvn` run from a checkout after
 * `make venv`.
 */
public final class TestPaths {
  private TestPaths() {}

  /** The repository root: system property trackd.repo.root (set by the POM), else a search. */
  public static Path repoRoot() {
    String configured = System.getProperty("trackd.repo.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("proto/trackd/v1"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root (proto/trackd/v1)");
  }

  /** The `trackd` executable: TRACKD_SERVER_BIN, else .venv/bin/trackd of the repository. */
  public static Path serverBin() {
    return fromEnv("TRACKD_SERVER_BIN", repoRoot().resolve(".venv/bin/trackd"));
  }

  /** The Python with the trackd package installed: TRACKD_PYTHON, else .venv/bin/python. */
  public static Path python() {
    return fromEnv("TRACKD_PYTHON", repoRoot().resolve(".venv/bin/python"));
  }

  private static Path fromEnv(String name, Path fallback) {
    String value = System.getenv(name);
    Path path = value == null || value.isBlank() ? fallback : Path.of(value);
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          path + " is not executable: run `make venv` or set " + name + " (mk/java.mk does)");
    }
    return path;
  }
}
