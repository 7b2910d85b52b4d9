package io.trackd.client.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retry and deadline policy every trackd client shares: proto/trackd/v1/service_config.json,
 * a gRPC service config that the build puts on the classpath beside this class (a Maven resource
 * of trackd-client's pom, read from proto/ itself: there is no copy to go stale). grpc-java
 * applies its {@code retryPolicy} to the unary calls it names; its {@code timeout} is the default
 * deadline of a call.
 */
public final class ServiceConfig {
  private static final String RESOURCE = "service_config.json";
  private static final Struct SHARED = load();

  private ServiceConfig() {}

  /** The file's retry numbers. */
  static RetryPolicy sharedPolicy() {
    Map<String, Object> retry = map(methodConfig(toMap(SHARED)).get("retryPolicy"));
    return new RetryPolicy(
        ((Double) retry.get("maxAttempts")).intValue(),
        duration((String) retry.get("initialBackoff")),
        duration((String) retry.get("maxBackoff")),
        (Double) retry.get("backoffMultiplier"));
  }

  /** The file's deadline of one call, its retries included. */
  public static Duration sharedTimeout() {
    return duration((String) methodConfig(toMap(SHARED)).get("timeout"));
  }

  /**
   * The shared config with {@code policy}'s numbers, in the form {@code
   * ManagedChannelBuilder.defaultServiceConfig} takes (numbers as {@code Double}). Without the
   * file's timeout: the transport sets the caller's deadline on each call, and a service-config
   * timeout would cut a longer one short.
   */
  static Map<String, Object> forChannel(RetryPolicy policy) {
    Map<String, Object> config = toMap(SHARED);
    Map<String, Object> entry = methodConfig(config);
    entry.remove("timeout");
    if (policy.maxAttempts() < 2) {
      entry.remove("retryPolicy"); // gRPC wants at least 2 attempts in a retry policy
    } else {
      Map<String, Object> retry = map(entry.get("retryPolicy"));
      retry.put("maxAttempts", (double) policy.maxAttempts());
      retry.put("initialBackoff", text(policy.initialBackoff()));
      retry.put("maxBackoff", text(policy.maxBackoff()));
      retry.put("backoffMultiplier", policy.multiplier());
    }
    return config;
  }

  private static Struct load() {
    try (InputStream in = ServiceConfig.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the trackd-client jar");
      }
      Struct.Builder struct = Struct.newBuilder();
      JsonFormat.parser().merge(new String(in.readAllBytes(), StandardCharsets.UTF_8), struct);
      return struct.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(RESOURCE + " is not valid JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> methodConfig(Map<String, Object> config) {
    @SuppressWarnings("unchecked")
    List<Object> entries = (List<Object>) config.get("methodConfig");
    return map(entries.get(0));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  /** A fresh, mutable copy in plain Java types. */
  private static Map<String, Object> toMap(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((key, value) -> map.put(key, plain(value)));
    return map;
  }

  private static Object plain(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> toMap(value.getStructValue());
      case LIST_VALUE -> {
        List<Object> list = new ArrayList<>();
        value.getListValue().getValuesList().forEach(v -> list.add(plain(v)));
        yield list;
      }
      default -> null;
    };
  }

  /** A protobuf JSON duration such as {@code "1s"} or {@code "0.25s"}. */
  static Duration duration(String text) {
    if (!text.endsWith("s")) {
      throw new IllegalArgumentException("not a service-config duration: " + text);
    }
    BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1));
    return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
  }

  static String text(Duration duration) {
    return seconds(duration) + "s";
  }

  /** Seconds without trailing zeros: {@code 15}, {@code 1.5}. */
  static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros().toPlainString();
  }
}
