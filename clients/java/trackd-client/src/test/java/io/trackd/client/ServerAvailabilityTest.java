package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.testing.SharedServers;
import io.trackd.testing.TrackdServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Transport failures against real processes: no server, a server starting late, deadlines. */
class ServerAvailabilityTest {
  @Test
  void noServerIsUnavailableAfterTheRetriesAndSaysSoOnce() {
    int port = TrackdServer.freePort();
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            warnings.add(record.getLevel() + " " + record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger("io.trackd.client");
    logger.addHandler(handler);
    try (TrackingClient client =
        TrackingClient.builder()
            .trackingUri("grpc://127.0.0.1:" + port)
            .maxAttempts(3)
            .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
            .build()) {
      for (int call = 0; call < 2; call++) {
        TrackdException e = assertThrows(TrackdException.class, () -> client.experiments().get("0"));
        assertEquals(ErrorCode.UNAVAILABLE, e.getCode());
        assertTrue(e.getReason().isEmpty());
      }
    } finally {
      logger.removeHandler(handler);
    }
    // One outage, two calls, six attempts: one line, saying where and what happens.
    assertEquals(
        List.of(
            "WARNING trackd: server 127.0.0.1:"
                + port
                + " unreachable, retrying up to 2 times (at most 0.03 s of backoff) before"
                + " UNAVAILABLE"),
        warnings);
  }

  @Test
  void aMutatingCallWaitsForAServerThatStartsLate() throws Exception {
    int port = TrackdServer.freePort();
    Path dir = SharedServers.tempDir("late");
    try (TrackingClient client =
            TrackingClient.builder()
                .trackingUri("grpc://127.0.0.1:" + port)
                .maxAttempts(60)
                .backoff(Duration.ofMillis(200), Duration.ofMillis(500))
                .build();
        TrackdServer server =
            TrackdServer.spawn("sqlite:///" + dir.resolve("late.db"), dir, port)) {
      // The server is still starting when the call begins; the client retries until it's up.
      String id = client.experiments().create("late-start");
      assertEquals("late-start", client.experiments().get(id).name());
      assertEquals(
          1,
          ExperimentsContract.names(
                  client
                      .experiments()
                      .search(
                          SearchExperimentsOptions.defaults().withFilter("name = 'late-start'")))
              .size());
      server.awaitServing();
    }
  }

  @Test
  void aCallThatOutlivesItsDeadlineFails() {
    try (TrackingClient client =
        TrackingClient.builder()
            .trackingUri(SharedServers.sqlite().uri())
            .deadline(Duration.ofNanos(1))
            .build()) {
      TrackdException e = assertThrows(TrackdException.class, () -> client.experiments().get("0"));
      assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.getCode());
    }
  }
}
