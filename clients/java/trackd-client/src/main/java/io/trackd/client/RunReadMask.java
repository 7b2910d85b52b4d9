package io.trackd.client;

import java.util.List;

/**
 * What a run search returns with each run besides its {@link RunInfo}: which latest metrics, params
 * and tags. Narrow masks keep pages of wide runs small. Immutable: the {@code with...} methods
 * return a modified copy.
 *
 * <pre>{@code
 * RunReadMask mask = RunReadMask.none().withMetrics("loss").withParams("lr");
 * client.runs().search(SearchRunsOptions.inExperiments(exp).withReadMask(mask));
 * }</pre>
 *
 * @param metricKeys the latest metrics returned, by key (at most 1000); ignored if {@code
 *     allMetrics}
 * @param allMetrics whether every latest metric is returned
 * @param paramKeys the params returned, by key (at most 1000); ignored if {@code allParams}
 * @param allParams whether every param is returned
 * @param tagKeys the tags returned, by key (at most 1000); ignored if {@code allTags}
 * @param allTags whether every tag is returned
 */
public record RunReadMask(
    List<String> metricKeys,
    boolean allMetrics,
    List<String> paramKeys,
    boolean allParams,
    List<String> tagKeys,
    boolean allTags) {
  private static final RunReadMask ALL =
      new RunReadMask(List.of(), true, List.of(), true, List.of(), true);
  private static final RunReadMask NONE =
      new RunReadMask(List.of(), false, List.of(), false, List.of(), false);

  /**
   * Copies the key lists, so the record stays immutable.
   *
   * @param metricKeys the latest metrics returned, by key; ignored if {@code allMetrics}
   * @param allMetrics whether every latest metric is returned
   * @param paramKeys the params returned, by key; ignored if {@code allParams}
   * @param allParams whether every param is returned
   * @param tagKeys the tags returned, by key; ignored if {@code allTags}
   * @param allTags whether every tag is returned
   */
  public RunReadMask {
    metricKeys = List.copyOf(metricKeys);
    paramKeys = List.copyOf(paramKeys);
    tagKeys = List.copyOf(tagKeys);
  }

  /**
   * Everything: every latest metric, param and tag (what a search returns without a mask).
   *
   * @return the full mask
   */
  public static RunReadMask all() {
    return ALL;
  }

  /**
   * Only the run info: no metrics, params or tags. Add what you need with the {@code with...}
   * methods.
   *
   * @return the empty mask
   */
  public static RunReadMask none() {
    return NONE;
  }

  /**
   * This mask with only the latest metrics of these keys.
   *
   * @param keys metric keys
   * @return a copy
   */
  public RunReadMask withMetrics(String... keys) {
    return new RunReadMask(List.of(keys), false, paramKeys, allParams, tagKeys, allTags);
  }

  /**
   * This mask with every latest metric.
   *
   * @return a copy
   */
  public RunReadMask withAllMetrics() {
    return new RunReadMask(List.of(), true, paramKeys, allParams, tagKeys, allTags);
  }

  /**
   * This mask with only the params of these keys.
   *
   * @param keys param keys
   * @return a copy
   */
  public RunReadMask withParams(String... keys) {
    return new RunReadMask(metricKeys, allMetrics, List.of(keys), false, tagKeys, allTags);
  }

  /**
   * This mask with every param.
   *
   * @return a copy
   */
  public RunReadMask withAllParams() {
    return new RunReadMask(metricKeys, allMetrics, List.of(), true, tagKeys, allTags);
  }

  /**
   * This mask with only the tags of these keys.
   *
   * @param keys tag keys
   * @return a copy
   */
  public RunReadMask withTags(String... keys) {
    return new RunReadMask(metricKeys, allMetrics, paramKeys, allParams, List.of(keys), false);
  }

  /**
   * This mask with every tag.
   *
   * @return a copy
   */
  public RunReadMask withAllTags() {
    return new RunReadMask(metricKeys, allMetrics, paramKeys, allParams, List.of(), true);
  }
}
