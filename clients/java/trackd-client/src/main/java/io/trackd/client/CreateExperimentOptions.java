package io.trackd.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link Experiments#create(String, CreateExperimentOptions)} creates an experiment besides its
 * name. Immutable: the {@code with...} methods return a modified copy.
 *
 * @param artifactLocation where its runs store artifacts; empty for the server's default
 * @param tags the experiment's initial tags
 */
public record CreateExperimentOptions(String artifactLocation, Map<String, String> tags) {
  private static final CreateExperimentOptions DEFAULTS = new CreateExperimentOptions("", Map.of());

  /**
   * Checks the components and copies the tags, so the record stays immutable.
   *
   * @param artifactLocation where its runs store artifacts; empty for the server's default
   * @param tags the experiment's initial tags
   */
  public CreateExperimentOptions {
    Objects.requireNonNull(artifactLocation, "artifactLocation");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /**
   * The server's default artifact location and no tags.
   *
   * @return the default options
   */
  public static CreateExperimentOptions defaults() {
    return DEFAULTS;
  }

  /**
   * These options with an artifact location.
   *
   * @param location where the experiment's runs store artifacts; empty for the server's default
   * @return a copy
   */
  public CreateExperimentOptions withArtifactLocation(String location) {
    return new CreateExperimentOptions(location, tags);
  }

  /**
   * These options with these tags added (replacing tags of the same key).
   *
   * @param moreTags the tags to add
   * @return a copy
   */
  public CreateExperimentOptions withTags(Map<String, String> moreTags) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(moreTags);
    return new CreateExperimentOptions(artifactLocation, merged);
  }
}
