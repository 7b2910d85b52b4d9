package io.trackd.client;

import java.util.Objects;

/**
 * A file or directory among a run's artifacts (MLflow's {@code FileInfo}).
 *
 * @param path relative to the run's artifact root, {@code /}-separated, e.g. {@code
 *     model/weights.bin}
 * @param isDir true for a directory
 * @param size the file's size in bytes; 0 for a directory
 */
public record FileInfo(String path, boolean isDir, long size) {
  /**
   * Checks the components.
   *
   * @param path relative to the run's artifact root, {@code /}-separated
   * @param isDir true for a directory
   * @param size the file's size in bytes; 0 for a directory
   */
  public FileInfo {
    Objects.requireNonNull(path, "path");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }
}
