package io.trackd.client;

import java.util.List;
import java.util.Objects;

/**
 * What {@link TrackingClient#searchExperiments(ExperimentSearch)} looks for. Immutable: the {@code
 * with...} methods return a modified copy.
 *
 * @param filter a filter over {@code name}, {@code experiment_id}, {@code creation_time}, {@code
 *     last_update_time} and {@code tags.<key>}, for example {@code name LIKE 'fraud-%'}; empty
 *     matches every experiment
 * @param viewType which lifecycle stages to return
 * @param orderBy sort keys such as {@code name ASC}; empty means newest first
 * @param pageSize experiments per page, 1 to 1000; 0 means the server's default (100)
 */
public record ExperimentSearch(
    String filter, ViewType viewType, List<String> orderBy, int pageSize) {
  /**
   * Checks and copies the components.
   *
   * @param filter a filter over {@code name}, {@code experiment_id}, {@code creation_time}, {@code
   *     last_update_time} and {@code tags.<key>}, for example {@code name LIKE 'fraud-%'}; empty
   *     matches every experiment
   * @param viewType which lifecycle stages to return
   * @param orderBy sort keys such as {@code name ASC}; empty means newest first
   * @param pageSize experiments per page, 1 to 1000; 0 means the server's default (100)
   */
  public ExperimentSearch {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(viewType, "viewType");
    orderBy = List.copyOf(orderBy);
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative: " + pageSize);
    }
  }

  /**
   * Every active experiment, newest first.
   *
   * @return the search
   */
  public static ExperimentSearch all() {
    return new ExperimentSearch("", ViewType.ACTIVE_ONLY, List.of(), 0);
  }

  /**
   * This search with another filter.
   *
   * @param newFilter the filter expression; empty matches every experiment
   * @return a copy
   */
  public ExperimentSearch withFilter(String newFilter) {
    return new ExperimentSearch(newFilter, viewType, orderBy, pageSize);
  }

  /**
   * This search with another view type.
   *
   * @param newViewType which lifecycle stages to return
   * @return a copy
   */
  public ExperimentSearch withViewType(ViewType newViewType) {
    return new ExperimentSearch(filter, newViewType, orderBy, pageSize);
  }

  /**
   * This search with other sort keys.
   *
   * @param newOrderBy sort keys such as {@code name ASC}
   * @return a copy
   */
  public ExperimentSearch withOrderBy(String... newOrderBy) {
    return new ExperimentSearch(filter, viewType, List.of(newOrderBy), pageSize);
  }

  /**
   * This search with another page size.
   *
   * @param newPageSize experiments per page, 1 to 1000; 0 for the server's default
   * @return a copy
   */
  public ExperimentSearch withPageSize(int newPageSize) {
    return new ExperimentSearch(filter, viewType, orderBy, newPageSize);
  }
}
