package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.testing.SharedServers;
import io.trackd.testing.TrackdServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Transport failures against real processes: no server, a server starting late, deadlines. */
class ServerAvailabilityTest {
  @Test
  void noServerIsUnavailableAfterTheRetries() {
    int port = TrackdServer.freePort();
    try (TrackingClient client =
        TrackingClient.builder()
            .trackingUri("grpc://127.0.0.1:" + port)
            .maxAttempts(3)
            .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
            .build()) {
      TrackdException e = assertThrows(TrackdException.class, () -> client.experiments().get("0"));
      assertEquals(ErrorCode.UNAVAILABLE, e.getCode());
      assertTrue(e.getReason().isEmpty());
    }
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
