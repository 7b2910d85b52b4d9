package io.trackd.client;

/**
 * Where an experiment or a run is in its life. Deletion is soft: a deleted entity can be read by id
 * and restored, but not written to.
 */
public enum LifecycleStage {
  /** Visible and writable. */
  ACTIVE,
  /** Soft-deleted: readable by id, read-only, hidden from default searches. */
  DELETED
}
