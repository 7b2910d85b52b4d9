package io.trackd.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One page of a search. Ask for the next one with {@link #nextPage()}, or iterate every result with
 * the {@code Iterable}-returning {@code search} methods of {@link Experiments} and {@link Runs}
 * instead.
 *
 * @param <T> the type of the items
 */
public final class Page<T> {
  private final List<T> items;
  private final String nextPageToken;
  private final Function<String, Page<T>> fetch;

  private Page(List<T> items, String nextPageToken, Function<String, Page<T>> fetch) {
    this.items = List.copyOf(items);
    this.nextPageToken = nextPageToken;
    this.fetch = fetch;
  }

  /**
   * A page, as the area implementations (and test doubles of them) build it.
   *
   * @param <T> the type of the items
   * @param items the items of this page, in the search's order
   * @param nextPageToken the token of the next page; empty on the last page
   * @param fetch fetches the page of a token, for {@link #nextPage()}
   * @return the page
   */
  public static <T> Page<T> of(
      List<T> items, String nextPageToken, Function<String, Page<T>> fetch) {
    return new Page<>(
        items,
        Objects.requireNonNull(nextPageToken, "nextPageToken"),
        Objects.requireNonNull(fetch));
  }

  /**
   * The items of this page, in the search's order.
   *
   * @return an immutable list
   */
  public List<T> getItems() {
    return items;
  }

  /**
   * How many items this page holds.
   *
   * @return the number of items
   */
  public int getPageSize() {
    return items.size();
  }

  /**
   * Whether there are more results after this page.
   *
   * @return true unless this is the last page
   */
  public boolean hasNextPage() {
    return !nextPageToken.isEmpty();
  }

  /**
   * The token that asks for the next page, to resume a search later.
   *
   * @return the token, or empty on the last page
   */
  public Optional<String> getNextPageToken() {
    return nextPageToken.isEmpty() ? Optional.empty() : Optional.of(nextPageToken);
  }

  /**
   * Fetches the next page of the same search.
   *
   * @return the next page; an empty last page if this is already the last one
   * @throws TrackdException if the server refuses the request
   */
  public Page<T> nextPage() {
    return hasNextPage() ? fetch.apply(nextPageToken) : new Page<>(List.of(), "", fetch);
  }
}
