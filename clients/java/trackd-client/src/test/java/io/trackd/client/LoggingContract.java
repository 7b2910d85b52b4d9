package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

abstract class LoggingContract extends ServerContract {
  private String newRun() {
    return client.runs().create(newExperiment()).id();
  }

  @Test
  void logsParamsWriteOnce() {
    String run = newRun();
    client.runs().logParam(run, "lr", "0.01");
    client.runs().logParam(run, "lr", "0.01");
    assertEquals(List.of(new Param("lr", "0.01")), client.runs().get(run).data().params());
  }

  @Test
  void logsMetricsWithHistory() {
    String run = newRun();
    client.metrics().log(run, new Metric("loss", 0.9, 1_000L, 1));
    client.metrics().log(run, new Metric("loss", 0.5, 2_000L, 2));
    long before = System.currentTimeMillis();
    client.metrics().log(run, "acc", 0.7);
    assertEquals(
        List.of(new Metric("loss", 0.9, 1_000L, 1), new Metric("loss", 0.5, 2_000L, 2)),
        client.metrics().history(run, "loss"));
    Metric acc = client.runs().get(run).data().metric("acc").orElseThrow();
    assertEquals(0, acc.step());
    assertTrue(acc.timestamp() >= before);
    assertEquals(
        Optional.of(new Metric("loss", 0.5, 2_000L, 2)),
        client.runs().get(run).data().metric("loss"));
    assertEquals(List.of(), client.metrics().history(run, "never-logged"));
  }

  @Test
  void metricHistorySpansSeveralPages() {
    String run = newRun();
    List<Metric> points = new ArrayList<>();
    for (int i = 0; i < 12_345; i++) {
      points.add(new Metric("curve", i * 0.5, 1_000_000L + i, i));
    }
    client.runs().logBatch(run, points, null, null);
    assertEquals(points, client.metrics().history(run, "curve"));
  }

  @Test
  void setsAndDeletesTags() {
    String run = newRun();
    client.runs().setTag(run, "stage", "dev");
    client.runs().setTag(run, "stage", "prod");
    assertEquals(Optional.of("prod"), client.runs().get(run).data().tag("stage"));
    client.runs().deleteTag(run, "stage");
    assertEquals(Optional.empty(), client.runs().get(run).data().tag("stage"));
  }

  @Test
  void logBatchSplitsLargeBatchesAndEverythingArrives() {
    String run = newRun();
    List<Metric> metrics = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      metrics.add(new Metric("m" + (i % 25), i, 1_000L + i, i / 25));
    }
    List<Param> params = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      params.add(new Param("p" + i, "v" + i));
    }
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      tags.add(new Tag("t" + i, "w" + i));
    }
    client.runs().logBatch(run, metrics, params, tags);

    RunData data = client.runs().get(run).data();
    assertEquals(
        params.stream().collect(Collectors.toMap(Param::key, Param::value)),
        data.params().stream().collect(Collectors.toMap(Param::key, Param::value)));
    Map<String, String> readTags =
        data.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
    tags.forEach(t -> assertEquals(t.value(), readTags.get(t.key()), t.key()));
    assertEquals(25, data.metrics().size());
    for (int k = 0; k < 25; k++) {
      String key = "m" + k;
      List<Metric> expected =
          metrics.stream()
              .filter(m -> m.key().equals(key))
              .sorted(Comparator.comparingLong(Metric::step))
              .toList();
      assertEquals(expected, client.metrics().history(run, key), key);
    }
  }

  @Test
  void logBatchTagGivenTwiceKeepsTheLastValue() {
    String run = newRun();
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      tags.add(new Tag("same", "v" + i));
    }
    client.runs().logBatch(run, List.of(), List.of(), tags);
    assertEquals(Optional.of("v149"), client.runs().get(run).data().tag("same"));
  }

  @Test
  void logBatchWithZeroTimestampUsesServerTime() {
    String run = newRun();
    long before = System.currentTimeMillis();
    client.runs().logBatch(run, List.of(Metric.of("x", 1.5), Metric.of("y", 2.5, 3)), null, null);
    Metric y = client.runs().get(run).data().metric("y").orElseThrow();
    assertEquals(3, y.step());
    assertEquals(2.5, y.value());
    assertTrue(y.timestamp() >= before - 5_000, "timestamp " + y.timestamp());
  }

  @Test
  void nonFiniteValuesRoundTrip() {
    String run = newRun();
    client.metrics().log(run, new Metric("v", Double.NaN, 1, 0));
    client.metrics().log(run, new Metric("v", Double.POSITIVE_INFINITY, 2, 1));
    client.metrics().log(run, new Metric("v", Double.NEGATIVE_INFINITY, 3, 2));
    client.metrics().log(run, new Metric("v", Double.MIN_VALUE, 4, 3));
    client.metrics().log(run, new Metric("v", -Double.MAX_VALUE, 5, 4));
    List<Double> values = client.metrics().history(run, "v").stream().map(Metric::value).toList();
    assertEquals(
        List.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            -Double.MAX_VALUE),
        values);
  }

  @Test
  void negativeZeroReadsBackAsZero() {
    // SQLite stores -0.0 as 0.0, so only the numeric value is promised, not the sign of zero.
    String run = newRun();
    client.metrics().log(run, new Metric("z", -0.0, 1, 0));
    assertEquals(0.0, client.metrics().history(run, "z").get(0).value(), 0.0);
  }
}
