package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.client.TrackingClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrackingUriTest {
  @Test
  void parsesHostAndPort() {
    TrackingUri uri = TrackingUri.parse("grpc://tracking.example.com:6000");
    assertEquals("tracking.example.com", uri.host());
    assertEquals(6000, uri.port());
    assertFalse(uri.tls());
    assertEquals("grpc://tracking.example.com:6000", uri.toString());
  }

  @Test
  void defaultsThePortAndAcceptsATrailingSlash() {
    assertEquals(TrackingUri.DEFAULT_PORT, TrackingUri.parse("grpc://localhost/").port());
  }

  @Test
  void grpcsMeansTls() {
    assertTrue(TrackingUri.parse("grpcs://secure:443").tls());
  }

  @Test
  void acceptsIpv6Literals() {
    TrackingUri uri = TrackingUri.parse("grpc://[::1]:7000");
    assertEquals("::1", uri.host());
    assertEquals("grpc://[::1]:7000", uri.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://localhost:5000",
        "localhost:7",
        "grpc://",
        "grpc://host:1/api",
        "grpc://user@host:1",
        "grpc://host:1?x=1",
        "not a uri"
      })
  void rejectsWhatIsNotAGrpcUri(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrackingUri.parse(text));
    assertTrue(e.getMessage().contains(text.trim()), e.getMessage());
  }

  @Test
  void systemPropertyWinsOverEnvironmentWhichWinsOverDefault() {
    Map<String, String> env = Map.of("TRACKD_TRACKING_URI", "grpc://from-env:1");
    assertEquals(
        "grpc://from-prop:2",
        TrackingUri.configured(
            k -> k.equals("trackd.tracking.uri") ? "grpc://from-prop:2" : null, env));
    assertEquals("grpc://from-env:1", TrackingUri.configured(k -> null, env));
    assertEquals(TrackingUri.DEFAULT, TrackingUri.configured(k -> null, Map.of()));
    assertEquals(
        TrackingUri.DEFAULT,
        TrackingUri.configured(k -> " ", Map.of("TRACKD_TRACKING_URI", "")));
  }

  @Test
  void builderRejectsABadUriBeforeConnecting() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackingClient.builder().trackingUri("http://localhost:5000").build());
  }
}
