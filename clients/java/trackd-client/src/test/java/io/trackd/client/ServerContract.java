package io.trackd.client;

import io.trackd.testing.TrackdServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the behaviour suites that run against a real server, once per backend (see
 * SqliteBackendTest and PostgresBackendTest). Each test isolates its data by unique names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerContract {
  protected TrackingClient client;

  /** The server of the backend this suite runs against. */
  protected abstract TrackdServer server();

  @BeforeAll
  void connect() {
    client = TrackingClient.create(server().uri());
  }

  @AfterAll
  void disconnect() {
    client.close();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
  }

  String newExperiment() {
    return client.experiments().create(unique("exp"));
  }
}
