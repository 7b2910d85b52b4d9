package io.trackd.client;

import java.util.List;
import java.util.Optional;

/**
 * What a run has logged. {@code metrics} holds the latest point of each metric (greatest step, then
 * greatest timestamp); the full series is {@link Metrics#history}.
 *
 * @param metrics the latest point of each metric
 * @param params every param of the run
 * @param tags every tag of the run, system tags included
 */
public record RunData(List<Metric> metrics, List<Param> params, List<Tag> tags) {
  /**
   * Copies the lists, so the record stays immutable.
   *
   * @param metrics the latest point of each metric
   * @param params every param of the run
   * @param tags every tag of the run, system tags included
   */
  public RunData {
    metrics = List.copyOf(metrics);
    params = List.copyOf(params);
    tags = List.copyOf(tags);
  }

  /**
   * The latest point of one metric.
   *
   * @param key the metric's name
   * @return the point, or empty if the run has no such metric
   */
  public Optional<Metric> metric(String key) {
    return metrics.stream().filter(m -> m.key().equals(key)).findFirst();
  }

  /**
   * The value of one param.
   *
   * @param key the param's name
   * @return the value, or empty if the run has no such param
   */
  public Optional<String> param(String key) {
    return params.stream().filter(p -> p.key().equals(key)).map(Param::value).findFirst();
  }

  /**
   * The value of one tag.
   *
   * @param key the tag's name
   * @return the value, or empty if the run has no such tag
   */
  public Optional<String> tag(String key) {
    return tags.stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst();
  }
}
