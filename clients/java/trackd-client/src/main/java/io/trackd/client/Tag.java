package io.trackd.client;

import java.util.Objects;

/**
 * A mutable key/value annotation on a run (MLflow's RunTag).
 *
 * @param key the tag's name, at most 250 characters
 * @param value the value, at most 8000 characters
 */
public record Tag(String key, String value) {
  /**
   * Checks that key and value are present.
   *
   * @param key the tag's name, at most 250 characters
   * @param value the value, at most 8000 characters
   */
  public Tag {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
