package io.trackd.client.internal;

import io.trackd.client.Page;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * Every item of a search, fetching pages lazily as iteration reaches them. Each call to {@link
 * #iterator()} starts the search again from its first page.
 */
final class PagedIterable<T> implements Iterable<T> {
  private final Supplier<Page<T>> firstPage;

  PagedIterable(Supplier<Page<T>> firstPage) {
    this.firstPage = firstPage;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private Page<T> page = firstPage.get();
      private Iterator<T> items = page.getItems().iterator();

      @Override
      public boolean hasNext() {
        // Loops because a page may be empty and still not be the last one.
        while (!items.hasNext() && page.hasNextPage()) {
          page = page.nextPage();
          items = page.getItems().iterator();
        }
        return items.hasNext();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return items.next();
      }
    };
  }
}
