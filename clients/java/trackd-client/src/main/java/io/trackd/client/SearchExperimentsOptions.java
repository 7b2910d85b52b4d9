package io.trackd.client;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Experiments#search(SearchExperimentsOptions)} looks for. Immutable: the {@code
 * with...} methods return a modified copy.
 *
 * @param filter a filter over {@code name}, {@code experiment_id}, {@code creation_time}, {@code
 *     last_update_time} and {@code tags.<key>}, for example {@code name LIKE 'fraud-%'}; empty
 *     matches every experiment
 * @param viewType which lifecycle stages to return
 * @param orderBy sort keys such as {@code name ASC}; empty means newest first
 * @param pageSize experiments per page, 1 to 1000; 0 means the server's default (100)
 * @param pageToken where the search starts: a page's next-page token; empty for the first page
 */
public record SearchExperimentsOptions(
    String filter, ViewType viewType, List<String> orderBy, int pageSize, String pageToken) {
  private static final SearchExperimentsOptions DEFAULTS =
      new SearchExperimentsOptions("", ViewType.ACTIVE_ONLY, List.of(), 0, "");

  /**
   * Checks and copies the components.
   *
   * @param filter a filter over {@code name}, {@code experiment_id}, {@code creation_time}, {@code
   *     last_update_time} and {@code tags.<key>}, for example {@code name LIKE 'fraud-%'}; empty
   *     matches every experiment
   * @param viewType which lifecycle stages to return
   * @param orderBy sort keys such as {@code name ASC}; empty means newest first
   * @param pageSize experiments per page, 1 to 1000; 0 means the server's default (100)
   * @param pageToken where the search starts: a page's next-page token; empty for the first page
   */
  public SearchExperimentsOptions {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(viewType, "viewType");
    orderBy = List.copyOf(orderBy);
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative: " + pageSize);
    }
    Objects.requireNonNull(pageToken, "pageToken");
  }

  /**
   * Every active experiment, newest first, from the first page.
   *
   * @return the default options
   */
  public static SearchExperimentsOptions defaults() {
    return DEFAULTS;
  }

  /**
   * These options with another filter.
   *
   * @param newFilter the filter expression; empty matches every experiment
   * @return a copy
   */
  public SearchExperimentsOptions withFilter(String newFilter) {
    return new SearchExperimentsOptions(newFilter, viewType, orderBy, pageSize, pageToken);
  }

  /**
   * These options with another view type.
   *
   * @param newViewType which lifecycle stages to return
   * @return a copy
   */
  public SearchExperimentsOptions withViewType(ViewType newViewType) {
    return new SearchExperimentsOptions(filter, newViewType, orderBy, pageSize, pageToken);
  }

  /**
   * These options with other sort keys.
   *
   * @param newOrderBy sort keys such as {@code name ASC}
   * @return a copy
   */
  public SearchExperimentsOptions withOrderBy(String... newOrderBy) {
    return new SearchExperimentsOptions(filter, viewType, List.of(newOrderBy), pageSize, pageToken);
  }

  /**
   * These options with another page size.
   *
   * @param newPageSize experiments per page, 1 to 1000; 0 for the server's default
   * @return a copy
   */
  public SearchExperimentsOptions withPageSize(int newPageSize) {
    return new SearchExperimentsOptions(filter, viewType, orderBy, newPageSize, pageToken);
  }

  /**
   * These options starting at another page.
   *
   * @param newPageToken a page's next-page token ({@link Page#getNextPageToken()}); empty or null
   *     for the first page
   * @return a copy
   */
  public SearchExperimentsOptions withPageToken(String newPageToken) {
    return new SearchExperimentsOptions(
        filter, viewType, orderBy, pageSize, newPageToken == null ? "" : newPageToken);
  }
}
