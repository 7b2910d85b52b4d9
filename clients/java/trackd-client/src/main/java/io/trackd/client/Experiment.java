package io.trackd.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A named group of runs. Experiment {@code "0"} ("Default") exists on every server.
 *
 * @param experimentId the server-assigned decimal id, for example {@code "17"}
 * @param name the unique name
 * @param artifactLocation the root under which the artifacts of its runs are stored
 * @param lifecycleStage whether the experiment is active or soft-deleted
 * @param creationTime milliseconds since the Unix epoch
 * @param lastUpdateTime milliseconds since the Unix epoch
 * @param tags the experiment's tags, in the server's order
 */
public record Experiment(
    String experimentId,
    String name,
    String artifactLocation,
    LifecycleStage lifecycleStage,
    long creationTime,
    long lastUpdateTime,
    Map<String, String> tags) {
  /**
   * Checks the components and copies the tags, so the record stays immutable.
   *
   * @param experimentId the server-assigned decimal id, for example {@code "17"}
   * @param name the unique name
   * @param artifactLocation the root under which the artifacts of its runs are stored
   * @param lifecycleStage whether the experiment is active or soft-deleted
   * @param creationTime milliseconds since the Unix epoch
   * @param lastUpdateTime milliseconds since the Unix epoch
   * @param tags the experiment's tags, in the server's order
   */
  public Experiment {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(artifactLocation, "artifactLocation");
    Objects.requireNonNull(lifecycleStage, "lifecycleStage");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }
}
