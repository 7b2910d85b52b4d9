package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackd.client.TrackingClient;
import io.trackd.testing.TestPaths;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000), 2);

  @Test
  void theDefaultsAreTheSharedFile() throws IOException {
    JsonNode entry =
        new ObjectMapper()
            .readTree(TestPaths.repoRoot().resolve("proto/trackd/v1/service_config.json").toFile())
            .get("methodConfig")
            .get(0);
    JsonNode retry = entry.get("retryPolicy");
    assertEquals(
        new RetryPolicy(
            retry.get("maxAttempts").asInt(),
            ServiceConfig.duration(retry.get("initialBackoff").asText()),
            ServiceConfig.duration(retry.get("maxBackoff").asText()),
            retry.get("backoffMultiplier").asDouble()),
        RetryPolicy.DEFAULT);
    assertEquals(
        new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(8), 2), RetryPolicy.DEFAULT);
    assertEquals(
        ServiceConfig.duration(entry.get("timeout").asText()), ServiceConfig.sharedTimeout());
  }

  @Test
  void theChannelGetsTheCallersNumbersAndNoTimeout() {
    Map<String, Object> config =
        ServiceConfig.forChannel(
            new RetryPolicy(3, Duration.ofMillis(250), Duration.ofSeconds(2), 2));
    @SuppressWarnings("unchecked")
    Map<String, Object> entry =
        (Map<String, Object>) ((List<?>) config.get("methodConfig")).get(0);
    assertFalse(entry.containsKey("timeout"));
    assertEquals(
        Map.of(
            "maxAttempts", 3.0,
            "initialBackoff", "0.25s",
            "maxBackoff", "2s",
            "backoffMultiplier", 2.0,
            "retryableStatusCodes", List.of("UNAVAILABLE")),
        entry.get("retryPolicy"));
    Map<String, Object> none =
        ServiceConfig.forChannel(
            new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), 2));
    assertFalse(none.toString().contains("retryPolicy"), none::toString);
  }

  @Test
  void backoffGrowsUntilTheCap() {
    assertEquals(Duration.ofMillis(100), policy.ceiling(1));
    assertEquals(Duration.ofMillis(200), policy.ceiling(2));
    assertEquals(Duration.ofMillis(800), policy.ceiling(4));
    assertEquals(Duration.ofMillis(1000), policy.ceiling(5));
    assertEquals(Duration.ofMillis(1000), policy.ceiling(200));
    assertEquals(Duration.ofSeconds(15), RetryPolicy.DEFAULT.longestWait());
  }

  @Test
  void pausesAreFullJitterBelowTheCeiling() {
    long below = 0;
    for (int i = 0; i < 1000; i++) {
      long pause = policy.backoff(3).toMillis();
      assertTrue(pause >= 0 && pause <= 400, "pause " + pause);
      below += pause < 200 ? 1 : 0;
    }
    assertTrue(below > 300, "pauses below half the ceiling: " + below);
  }

  @Test
  void rejectsNonsense() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1), 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5));
    assertThrows(
        IllegalArgumentException.class, () -> TrackingClient.builder().deadline(Duration.ZERO));
  }
}
