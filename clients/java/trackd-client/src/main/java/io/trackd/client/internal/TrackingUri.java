package io.trackd.client.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.function.Function;

/**
 * A parsed tracking URI: {@code grpc://host:port} (plaintext) or {@code grpcs://host:port} (TLS).
 */
public record TrackingUri(String host, int port, boolean tls) {
  static final String DEFAULT = "grpc://127.0.0.1:50051";
  static final String ENV_VAR = "TRACKD_TRACKING_URI";
  static final String SYSTEM_PROPERTY = "trackd.tracking.uri";
  static final int DEFAULT_PORT = 50051;

  /**
   * The tracking URI this process is configured with: the system property, else the environment
   * variable, else the default. The lookups are parameters so tests need not touch the real ones.
   */
  public static String configured(Function<String, String> properties, Map<String, String> env) {
    String fromProperty = properties.apply(SYSTEM_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return fromProperty.trim();
    }
    String fromEnv = env.get(ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    return DEFAULT;
  }

  public static TrackingUri parse(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a tracking URI: '" + text + "'", e);
    }
    String scheme = uri.getScheme();
    if (!"grpc".equals(scheme) && !"grpcs".equals(scheme)) {
      throw new IllegalArgumentException(
          "tracking URI '" + text + "' must look like grpc://host:port (or grpcs:// for TLS)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("tracking URI '" + text + "' has no host");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "tracking URI '" + text + "' may only have a scheme, a host and a port");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    return new TrackingUri(host, port, "grpcs".equals(scheme));
  }

  @Override
  public String toString() {
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    return (tls ? "grpcs" : "grpc") + "://" + shownHost + ":" + port;
  }
}
