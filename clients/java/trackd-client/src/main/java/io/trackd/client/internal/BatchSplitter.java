package io.trackd.client.internal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.trackd.v1.Param;
import io.trackd.v1.RunTag;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one logical batch into LogBatch requests the server accepts: at most 1000 metrics, 100
 * params and 100 tags each, and a bounded encoded size (the server, like every gRPC server by
 * default, refuses messages over 4 MiB; 100 params of 6000 four-byte characters come close). Each
 * chunk takes as many items of each kind as fit, so the number of requests is minimal in the common
 * case; order within each kind is kept, so for a tag given twice the last value wins.
 */
record BatchSplitter(int maxMetrics, int maxParams, int maxTags, int maxBytes) {
  /** The server's limits (see LogBatchRequest) and a size safely below 4 MiB. */
  static final BatchSplitter SERVER_LIMITS = new BatchSplitter(1000, 100, 100, 3 * 1024 * 1024);

  /** The items of one LogBatch request. */
  record Chunk(List<io.trackd.v1.Metric> metrics, List<Param> params, List<RunTag> tags) {}

  List<Chunk> split(List<io.trackd.v1.Metric> metrics, List<Param> params, List<RunTag> tags) {
    List<Chunk> chunks = new ArrayList<>();
    int m = 0;
    int p = 0;
    int t = 0;
    while (m < metrics.size() || p < params.size() || t < tags.size()) {
      int[] budget = {maxBytes};
      List<io.trackd.v1.Metric> chunkMetrics = take(metrics, m, maxMetrics, budget, 2);
      List<Param> chunkParams = take(params, p, maxParams, budget, 3);
      List<RunTag> chunkTags = take(tags, t, maxTags, budget, 4);
      if (chunkMetrics.isEmpty() && chunkParams.isEmpty() && chunkTags.isEmpty()) {
        // A single item larger than the budget: send it alone and let the server judge it.
        chunkMetrics = m < metrics.size() ? List.of(metrics.get(m)) : List.of();
        chunkParams =
            chunkMetrics.isEmpty() && p < params.size() ? List.of(params.get(p)) : List.of();
        chunkTags =
            chunkMetrics.isEmpty() && chunkParams.isEmpty() ? List.of(tags.get(t)) : List.of();
      }
      m += chunkMetrics.size();
      p += chunkParams.size();
      t += chunkTags.size();
      chunks.add(new Chunk(chunkMetrics, chunkParams, chunkTags));
    }
    return chunks;
  }

  /** Takes items from {@code from} while the count and the byte budget allow. */
  private static <T extends MessageLite> List<T> take(
      List<T> items, int from, int maxCount, int[] budget, int fieldNumber) {
    List<T> taken = new ArrayList<>();
    for (int i = from; i < items.size() && taken.size() < maxCount; i++) {
      int size = CodedOutputStream.computeMessageSize(fieldNumber, items.get(i));
      if (size > budget[0]) {
        break;
      }
      budget[0] -= size;
      taken.add(items.get(i));
    }
    return taken;
  }
}
