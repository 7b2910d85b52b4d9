package io.trackd.client;

import java.util.Objects;

/**
 * A write-once string input of a run: logging the same key again with another value fails.
 *
 * @param key the param's name, at most 250 characters
 * @param value the value, at most 6000 characters
 */
public record Param(String key, String value) {
  /**
   * Checks that key and value are present.
   *
   * @param key the param's name, at most 250 characters
   * @param value the value, at most 6000 characters
   */
  public Param {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
