package io.trackd.client;

import java.util.Objects;

/**
 * Where {@link Artifacts#upload(String, java.nio.file.Path, UploadOptions)} and {@link
 * Artifacts#uploadDirectory(String, java.nio.file.Path, UploadOptions)} put what they upload.
 *
 * @param artifactPath the directory of the run's artifacts to upload into, e.g. {@code model};
 *     empty for the root
 */
public record UploadOptions(String artifactPath) {
  private static final UploadOptions ROOT = new UploadOptions("");

  /**
   * Checks the component.
   *
   * @param artifactPath the directory of the run's artifacts to upload into; empty for the root
   */
  public UploadOptions {
    Objects.requireNonNull(artifactPath, "artifactPath");
  }

  /**
   * Into the root of the run's artifacts.
   *
   * @return the options
   */
  public static UploadOptions root() {
    return ROOT;
  }

  /**
   * Into a directory of the run's artifacts.
   *
   * @param artifactPath the directory, e.g. {@code model} or {@code plots/epoch-3}; null or empty
   *     for the root
   * @return the options
   */
  public static UploadOptions into(String artifactPath) {
    return artifactPath == null || artifactPath.isEmpty() ? ROOT : new UploadOptions(artifactPath);
  }
}
