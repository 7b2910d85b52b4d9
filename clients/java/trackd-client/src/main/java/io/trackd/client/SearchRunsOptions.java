package io.trackd.client;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Runs#search(SearchRunsOptions)} looks for. Start from {@link #inExperiments}; the
 * record is immutable and the {@code with...} methods return a modified copy.
 *
 * <pre>{@code
 * client.runs().search(SearchRunsOptions.inExperiments(exp)
 *     .withFilter("metrics.loss < 0.2")
 *     .withOrderBy("metrics.loss ASC")
 *     .withReadMask(RunReadMask.none().withMetrics("loss")));
 * }</pre>
 *
 * @param experimentIds the experiments to search, at least one
 * @param filter a filter such as {@code metrics.loss < 0.2 AND params.optimizer = 'adam'}; empty
 *     matches every run
 * @param viewType which lifecycle stages to return
 * @param orderBy sort keys such as {@code metrics.loss ASC}; empty means newest first
 * @param pageSize runs per page, 1 to 1000; 0 means the server's default (100)
 * @param readMask what each run carries besides its info; {@link RunReadMask#all()} by default
 * @param pageToken where the search starts: a page's next-page token; empty for the first page
 */
public record SearchRunsOptions(
    List<String> experimentIds,
    String filter,
    ViewType viewType,
    List<String> orderBy,
    int pageSize,
    RunReadMask readMask,
    String pageToken) {
  /**
   * Checks and copies the components.
   *
   * @param experimentIds the experiments to search, at least one
   * @param filter a filter such as {@code metrics.loss < 0.2 AND params.optimizer = 'adam'}; empty
   *     matches every run
   * @param viewType which lifecycle stages to return
   * @param orderBy sort keys such as {@code metrics.loss ASC}; empty means newest first
   * @param pageSize runs per page, 1 to 1000; 0 means the server's default (100)
   * @param readMask what each run carries besides its info
   * @param pageToken where the search starts: a page's next-page token; empty for the first page
   */
  public SearchRunsOptions {
    experimentIds = List.copyOf(experimentIds);
    if (experimentIds.isEmpty()) {
      throw new IllegalArgumentException("a run search needs at least one experiment id");
    }
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(viewType, "viewType");
    orderBy = List.copyOf(orderBy);
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative: " + pageSize);
    }
    Objects.requireNonNull(readMask, "readMask");
    Objects.requireNonNull(pageToken, "pageToken");
  }

  /**
   * Every active run of the given experiments, newest first, with everything, from the first page.
   *
   * @param experimentIds the experiments to search, at least one
   * @return the options
   */
  public static SearchRunsOptions inExperiments(String... experimentIds) {
    return inExperiments(List.of(experimentIds));
  }

  /**
   * Every active run of the given experiments, newest first, with everything, from the first page.
   *
   * @param experimentIds the experiments to search, at least one
   * @return the options
   */
  public static SearchRunsOptions inExperiments(List<String> experimentIds) {
    return new SearchRunsOptions(
        experimentIds, "", ViewType.ACTIVE_ONLY, List.of(), 0, RunReadMask.all(), "");
  }

  /**
   * These options with another filter.
   *
   * @param newFilter the filter expression; empty matches every run
   * @return a copy
   */
  public SearchRunsOptions withFilter(String newFilter) {
    return new SearchRunsOptions(
        experimentIds, newFilter, viewType, orderBy, pageSize, readMask, pageToken);
  }

  /**
   * These options with another view type.
   *
   * @param newViewType which lifecycle stages to return
   * @return a copy
   */
  public SearchRunsOptions withViewType(ViewType newViewType) {
    return new SearchRunsOptions(
        experimentIds, filter, newViewType, orderBy, pageSize, readMask, pageToken);
  }

  /**
   * These options with other sort keys.
   *
   * @param newOrderBy sort keys such as {@code metrics.loss ASC}
   * @return a copy
   */
  public SearchRunsOptions withOrderBy(String... newOrderBy) {
    return new SearchRunsOptions(
        experimentIds, filter, viewType, List.of(newOrderBy), pageSize, readMask, pageToken);
  }

  /**
   * These options with another page size.
   *
   * @param newPageSize runs per page, 1 to 1000; 0 for the server's default
   * @return a copy
   */
  public SearchRunsOptions withPageSize(int newPageSize) {
    return new SearchRunsOptions(
        experimentIds, filter, viewType, orderBy, newPageSize, readMask, pageToken);
  }

  /**
   * These options with another read mask: which latest metrics, params and tags each run carries.
   *
   * @param newReadMask the mask, e.g. {@code RunReadMask.none().withMetrics("loss")}
   * @return a copy
   */
  public SearchRunsOptions withReadMask(RunReadMask newReadMask) {
    return new SearchRunsOptions(
        experimentIds, filter, viewType, orderBy, pageSize, newReadMask, pageToken);
  }

  /**
   * These options starting at another page.
   *
   * @param newPageToken a page's next-page token ({@link Page#getNextPageToken()}); empty or null
   *     for the first page
   * @return a copy
   */
  public SearchRunsOptions withPageToken(String newPageToken) {
    return new SearchRunsOptions(
        experimentIds,
        filter,
        viewType,
        orderBy,
        pageSize,
        readMask,
        newPageToken == null ? "" : newPageToken);
  }
}
