package io.trackd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * One trackd server per backend for the whole test JVM, started on first use: over a temporary
 * SQLite file, and over a fresh PostgreSQL database created in the server at TRACKD_TEST_PG_URL
 * (`make postgres` provides it). Without PostgreSQL the tests fail; they never skip. Everything is
 * stopped and dropped when the JVM exits.
 */
public final class SharedServers {
  private static TrackdServer sqlite;
  private static TrackdServer postgres;

  private SharedServers() {}

  /** The server over SQLite. */
  public static synchronized TrackdServer sqlite() {
    if (sqlite == null) {
      Path dir = tempDir("sqlite");
      sqlite = TrackdServer.start("sqlite:///" + dir.resolve("trackd.db"), dir);
      stopAtExit(sqlite, null);
    }
    return sqlite;
  }

  /** The server over a fresh PostgreSQL database. */
  public static synchronized TrackdServer postgres() {
    if (postgres == null) {
      String database =
          "trackd_java_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      String url = runDatabaseScript("create", database);
      postgres = TrackdServer.start(url, tempDir("postgres"));
      stopAtExit(postgres, database);
    }
    return postgres;
  }

  /**
   * A new directory under the module's target/trackd-test (so `mvn clean` removes it); kept after
   * the run because the server logs in it explain failures.
   */
  public static Path tempDir(String prefix) {
    try {
      Path root = Path.of("target", "trackd-test").toAbsolutePath();
      Files.createDirectories(root);
      return Files.createTempDirectory(root, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stopAtExit(TrackdServer server, String database) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  if (database != null) {
                    runDatabaseScript("drop", database);
                  }
                }));
  }

  /** Creates or drops a database with the repository's Python (SQLAlchemy + psycopg). */
  private static String runDatabaseScript(String action, String database) {
    String admin = System.getenv("TRACKD_TEST_PG_URL");
    if (admin == null || admin.isBlank()) {
      throw new IllegalStateException(
          "TRACKD_TEST_PG_URL is not set: run `make test-java` (it starts PostgreSQL) or export"
              + " the URL of a role that may create databases");
    }
    Path script =
        TestPaths.repoRoot().resolve("clients/java/trackd-client/src/test/python/pg_database.py");
    return Subprocess.run(
            List.of(TestPaths.python().toString(), script.toString(), action, admin, database))
        .trim();
  }
}
