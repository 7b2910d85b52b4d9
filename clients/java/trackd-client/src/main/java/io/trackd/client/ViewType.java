package io.trackd.client;

/** Which lifecycle stages a search returns. */
public enum ViewType {
  /** Only active experiments or runs (the default). */
  ACTIVE_ONLY,
  /** Only soft-deleted experiments or runs. */
  DELETED_ONLY,
  /** Active and soft-deleted alike. */
  ALL
}
