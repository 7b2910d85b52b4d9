package io.trackd.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.v1.Metric;
import io.trackd.v1.Param;
import io.trackd.v1.RunTag;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchSplitterTest {
  private static List<Metric> metrics(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> Metric.newBuilder().setKey("m" + i).setValue(i).setStep(i).build())
        .toList();
  }

  private static List<Param> params(int n, String value) {
    return IntStream.range(0, n)
        .mapToObj(i -> Param.newBuilder().setKey("p" + i).setValue(value).build())
        .toList();
  }

  private static List<RunTag> tags(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> RunTag.newBuilder().setKey("t" + i).setValue("v" + i).build())
        .toList();
  }

  @Test
  void nothingToSendMeansNoRequest() {
    assertEquals(List.of(), BatchSplitter.SERVER_LIMITS.split(List.of(), List.of(), List.of()));
  }

  @Test
  void smallBatchIsOneRequest() {
    List<BatchSplitter.Chunk> chunks =
        BatchSplitter.SERVER_LIMITS.split(metrics(1000), params(100, "x"), tags(100));
    assertEquals(1, chunks.size());
    assertEquals(1000, chunks.get(0).metrics().size());
  }

  @Test
  void respectsEachServerLimitAndKeepsOrder() {
    List<Metric> m = metrics(2500);
    List<Param> p = params(250, "x");
    List<RunTag> t = tags(120);
    List<BatchSplitter.Chunk> chunks = BatchSplitter.SERVER_LIMITS.split(m, p, t);
    assertEquals(3, chunks.size(), "ceil(2500/1000) = ceil(250/100) = 3 requests");
    List<Metric> allM = new ArrayList<>();
    List<Param> allP = new ArrayList<>();
    List<RunTag> allT = new ArrayList<>();
    for (BatchSplitter.Chunk c : chunks) {
      assertTrue(c.metrics().size() <= 1000);
      assertTrue(c.params().size() <= 100);
      assertTrue(c.tags().size() <= 100);
      allM.addAll(c.metrics());
      allP.addAll(c.params());
      allT.addAll(c.tags());
    }
    assertEquals(m, allM);
    assertEquals(p, allP);
    assertEquals(t, allT);
  }

  @Test
  void keepsEachRequestUnderTheByteBudget() {
    // 100 params of 6000 four-byte characters (2.4 MB) plus 100 such tags would exceed 4 MiB.
    String big = "\uD83D\uDE00".repeat(6000);
    List<Param> p = params(100, big);
    List<RunTag> t =
        IntStream.range(0, 100)
            .mapToObj(i -> RunTag.newBuilder().setKey("t" + i).setValue(big).build())
            .toList();
    List<BatchSplitter.Chunk> chunks = BatchSplitter.SERVER_LIMITS.split(List.of(), p, t);
    assertTrue(chunks.size() >= 2);
    int params = 0;
    int tags = 0;
    for (BatchSplitter.Chunk c : chunks) {
      io.trackd.v1.LogBatchRequest request =
          io.trackd.v1.LogBatchRequest.newBuilder()
              .setRunId("0".repeat(32))
              .addAllParams(c.params())
              .addAllTags(c.tags())
              .build();
      assertTrue(request.getSerializedSize() < 4 * 1024 * 1024, "request too large");
      params += c.params().size();
      tags += c.tags().size();
    }
    assertEquals(100, params);
    assertEquals(100, tags);
  }

  @Test
  void anItemLargerThanTheBudgetIsSentAlone() {
    BatchSplitter tiny = new BatchSplitter(1000, 100, 100, 50);
    List<Param> p = params(2, "y".repeat(100));
    List<BatchSplitter.Chunk> chunks = tiny.split(metrics(1), p, List.of());
    assertEquals(3, chunks.size());
    assertEquals(1, chunks.get(0).metrics().size());
    assertEquals(List.of(p.get(0)), chunks.get(1).params());
    assertEquals(List.of(p.get(1)), chunks.get(2).params());
  }
}
