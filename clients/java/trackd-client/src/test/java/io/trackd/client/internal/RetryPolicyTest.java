package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.client.TrackingClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));

  @Test
  void backoffDoublesUntilTheCap() {
    assertEquals(Duration.ofMillis(100), policy.ceiling(1));
    assertEquals(Duration.ofMillis(200), policy.ceiling(2));
    assertEquals(Duration.ofMillis(800), policy.ceiling(4));
    assertEquals(Duration.ofMillis(1000), policy.ceiling(5));
    assertEquals(Duration.ofMillis(1000), policy.ceiling(200));
  }

  @Test
  void jitteredPauseStaysInTheUpperHalf() {
    for (int i = 0; i < 1000; i++) {
      long pause = policy.backoff(3).toMillis();
      assertTrue(pause >= 200 && pause <= 400, "pause " + pause);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThrows(
        IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class, () -> TrackingClient.builder().deadline(Duration.ZERO));
  }
}
