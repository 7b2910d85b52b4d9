package io.trackd.client;

import java.util.List;
import java.util.Objects;

/**
 * What {@link TrackingClient#searchRuns(RunSearch)} looks for. Immutable: the {@code with...}
 * methods return a modified copy.
 *
 * @param experimentIds the experiments to search, at least one
 * @param filter a filter such as {@code metrics.loss < 0.2 AND params.optimizer = 'adam'}; empty
 *     matches every run
 * @param viewType which lifecycle stages to return
 * @param orderBy sort keys such as {@code metrics.loss ASC}; empty means newest first
 * @param pageSize runs per page, 1 to 1000; 0 means the server's default (100)
 * @param readMask what each run carries besides its info; {@link RunReadMask#all()} by default
 */
public record RunSearch(
    List<String> experimentIds,
    String filter,
    ViewType viewType,
    List<String> orderBy,
    int pageSize,
    RunReadMask readMask) {
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
   */
  public RunSearch {
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
  }

  /**
   * A search whose runs carry everything (every latest metric, param and tag).
   *
   * @param experimentIds the experiments to search, at least one
   * @param filter a filter expression; empty matches every run
   * @param viewType which lifecycle stages to return
   * @param orderBy sort keys such as {@code metrics.loss ASC}; empty means newest first
   * @param pageSize runs per page, 1 to 1000; 0 means the server's default (100)
   */
  public RunSearch(
      List<String> experimentIds,
      String filter,
      ViewType viewType,
      List<String> orderBy,
      int pageSize) {
    this(experimentIds, filter, viewType, orderBy, pageSize, RunReadMask.all());
  }

  /**
   * Every active run of the given experiments, newest first.
   *
   * @param experimentIds the experiments to search, at least one
   * @return the search
   */
  public static RunSearch inExperiments(String... experimentIds) {
    return inExperiments(List.of(experimentIds));
  }

  /**
   * Every active run of the given experiments, newest first.
   *
   * @param experimentIds the experiments to search, at least one
   * @return the search
   */
  public static RunSearch inExperiments(List<String> experimentIds) {
    return new RunSearch(experimentIds, "", ViewType.ACTIVE_ONLY, List.of(), 0, RunReadMask.all());
  }

  /**
   * This search with another filter.
   *
   * @param newFilter the filter expression; empty matches every run
   * @return a copy
   */
  public RunSearch withFilter(String newFilter) {
    return new RunSearch(experimentIds, newFilter, viewType, orderBy, pageSize, readMask);
  }

  /**
   * This search with another view type.
   *
   * @param newViewType which lifecycle stages to return
   * @return a copy
   */
  public RunSearch withViewType(ViewType newViewType) {
    return new RunSearch(experimentIds, filter, newViewType, orderBy, pageSize, readMask);
  }

  /**
   * This search with other sort keys.
   *
   * @param newOrderBy sort keys such as {@code metrics.loss ASC}
   * @return a copy
   */
  public RunSearch withOrderBy(String... newOrderBy) {
    return new RunSearch(experimentIds, filter, viewType, List.of(newOrderBy), pageSize, readMask);
  }

  /**
   * This search with another page size.
   *
   * @param newPageSize runs per page, 1 to 1000; 0 for the server's default
   * @return a copy
   */
  public RunSearch withPageSize(int newPageSize) {
    return new RunSearch(experimentIds, filter, viewType, orderBy, newPageSize, readMask);
  }

  /**
   * This search with another read mask: which latest metrics, params and tags each run carries.
   *
   * @param newReadMask the mask, e.g. {@code RunReadMask.none().withMetrics("loss")}
   * @return a copy
   */
  public RunSearch withReadMask(RunReadMask newReadMask) {
    return new RunSearch(experimentIds, filter, viewType, orderBy, pageSize, newReadMask);
  }
}
