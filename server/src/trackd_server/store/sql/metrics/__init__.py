"""The metrics aggregate: metric points, the latest value per key, and the per-block summaries
that downsampled reads go through."""
