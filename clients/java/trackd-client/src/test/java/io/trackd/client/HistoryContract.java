package io.trackd.client;

import static io.trackd.client.ErrorsContract.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackd.v1.GetMetricHistoryRequest;
import io.trackd.v1.GetMetricHistoryResponse;
import io.trackd.v1.HistoryLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Downsampled metric histories, one series at a time and in bulk. */
abstract class HistoryContract extends ServerContract {
  private static final String MISSING_RUN = "d".repeat(32);

  private String newRun() {
    return client.createRun(newExperiment()).runId();
  }

  /** Points 0..n-1 of a wave, with a spike up at {@code n/3} and one down at {@code 2n/3}. */
  private static List<Metric> wave(String key, int n) {
    List<Metric> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double value = Math.sin(i / 50.0);
      if (i == n / 3) {
        value = 100;
      } else if (i == 2 * n / 3) {
        value = -100;
      }
      points.add(new Metric(key, value, 1_700_000_000_000L + i, i));
    }
    return points;
  }

  @Test
  void aLongSeriesIsDownsampledKeepingEndsAndExtremes() {
    String run = newRun();
    List<Metric> points = wave("loss", 20_000);
    client.logBatch(run, points, null, null);

    MetricSeries series = client.getMetricHistory(run, "loss", 1000);

    assertEquals(run, series.runId());
    assertEquals("loss", series.key());
    assertEquals(20_000, series.totalPoints());
    assertTrue(series.downsampled());
    List<Metric> kept = series.points();
    assertTrue(kept.size() <= 1000, kept.size() + " points");
    assertTrue(kept.size() >= 500, "a bucket keeps at least its first and last point");
    assertEquals(points.get(0), kept.get(0));
    assertEquals(points.get(points.size() - 1), kept.get(kept.size() - 1));
    assertTrue(kept.contains(points.get(20_000 / 3)), "the spike up is kept");
    assertTrue(kept.contains(points.get(2 * 20_000 / 3)), "the spike down is kept");
    assertTrue(points.containsAll(kept), "only logged points are returned");
    List<Metric> sorted = new ArrayList<>(kept);
    sorted.sort(Comparator.comparingLong(Metric::step));
    assertEquals(sorted, kept);

    // A step range: the 100 points of steps 100..199 fit, so they come back exactly.
    MetricSeries window = client.getMetricHistory(run, "loss", 1000, StepRange.between(100, 199));
    assertEquals(points.subList(100, 200), window.points());
    assertEquals(100, window.totalPoints());
    assertFalse(window.downsampled());
    MetricSeries tail = client.getMetricHistory(run, "loss", 8, StepRange.from(19_990));
    assertEquals(10, tail.totalPoints());
    assertTrue(tail.points().size() <= 8);
    assertEquals(points.get(19_999), tail.points().get(tail.points().size() - 1));
    MetricSeries head = client.getMetricHistory(run, "loss", 4, StepRange.upTo(3));
    assertEquals(points.subList(0, 4), head.points());
  }

  /**
   * 30000 points (more than one page of rows, whose cap is 25000) with NaN, infinities and
   * extreme doubles, two points per step and some with equal step and timestamp, which keep their
   * logging order.
   */
  private static List<Metric> awkwardSeries(String key) {
    double[] specials = {
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE,
      -Double.MAX_VALUE, Double.MIN_VALUE, 1e-300, 0.1 + 0.2
    };
    List<Metric> points = new ArrayList<>(30_000);
    for (int i = 0; i < 30_000; i++) {
      double value = i % 7 == 0 ? specials[(i / 7) % specials.length] : Math.cos(i) * i;
      long timestamp = 1_700_000_000_000L + (i % 3 == 0 ? i - 1 : i);
      points.add(new Metric(key, value, Math.max(timestamp, 1_700_000_000_000L), i / 2));
    }
    points.sort(Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp));
    return points;
  }

  /** The history as the client read it before the COLUMNS layout: pages of rows (2 here). */
  private List<Metric> rowsLayoutHistory(String run, String key) {
    TrackingUri uri = TrackingUri.parse(server().uri());
    List<Metric> points = new ArrayList<>();
    int pages = 0;
    try (Transport transport =
        new Transport(uri, Duration.ofSeconds(30), RetryPolicy.DEFAULT)) {
      String token = "";
      do {
        GetMetricHistoryRequest request =
            GetMetricHistoryRequest.newBuilder()
                .setRunId(run)
                .setMetricKey(key)
                .setPageSize(25_000)
                .setPageToken(token)
                .setLayout(HistoryLayout.HISTORY_LAYOUT_ROWS)
                .build();
        GetMetricHistoryResponse page =
            transport.call(request, (s, r) -> s.metrics().getMetricHistory(r));
        assertFalse(page.hasColumns());
        page.getMetricsList().forEach(m -> points.add(Protos.metric(m)));
        token = page.getNextPageToken();
        pages++;
      } while (!token.isEmpty());
    }
    assertEquals(2, pages);
    return points;
  }

  @Test
  void aLongSeriesReadsBackExactlyAsLogged() {
    String run = newRun();
    List<Metric> points = awkwardSeries("loss");
    client.logBatch(run, points, null, null);

    List<Metric> read = client.getMetricHistory(run, "loss");
    assertEquals(points, read);
    assertEquals(rowsLayoutHistory(run, "loss"), read, "the same as the pages of rows");
    // Whole within maxPoints: the same points, not downsampled.
    assertEquals(
        new MetricSeries(run, "loss", points.subList(0, 20_000), 20_000, false),
        client.getMetricHistory(run, "loss", 25_000, StepRange.upTo(9_999)));
    List<MetricSeries> bulk = client.getMetricHistoryBulk(List.of(run), List.of("loss"), 10_000);
    MetricSeries sampled = bulk.get(0);
    assertEquals(30_000, sampled.totalPoints());
    assertTrue(sampled.downsampled());
    assertTrue(points.containsAll(sampled.points()), "only logged points, NaN included");
    assertTrue(sampled.points().stream().anyMatch(m -> Double.isNaN(m.value())));
    assertEquals(points.get(0), sampled.points().get(0));
    assertEquals(points.get(29_999), sampled.points().get(sampled.points().size() - 1));
  }

  @Test
  void aShortSeriesComesBackWhole() {
    String run = newRun();
    List<Metric> points = wave("acc", 10);
    client.logBatch(run, points, null, null);
    MetricSeries series = client.getMetricHistory(run, "acc", 1000);
    assertEquals(new MetricSeries(run, "acc", points, 10, false), series);
    assertEquals(client.getMetricHistory(run, "acc"), series.points());
    assertEquals(
        new MetricSeries(run, "never", List.of(), 0, false),
        client.getMetricHistory(run, "never", 100));
  }

  @Test
  void downsamplingRefusesBadArguments() {
    String run = newRun();
    assertThrows(IllegalArgumentException.class, () -> client.getMetricHistory(run, "m", 0));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.getMetricHistory(run, "m", 2));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> client.getMetricHistory(run, "m", 25_001));
    assertFails(ErrorCode.NOT_FOUND, () -> client.getMetricHistory(MISSING_RUN, "m", 100));
    assertThrows(IllegalArgumentException.class, () -> StepRange.between(5, 4));
  }

  @Test
  void bulkReturnsOneSeriesPerRunAndKeyInRequestOrder() {
    String exp = newExperiment();
    String a = client.createRun(exp).runId();
    String b = client.createRun(exp).runId();
    List<Metric> aLoss = wave("loss", 1000);
    List<Metric> aAcc = wave("acc", 30);
    List<Metric> bLoss = wave("loss", 50);
    List<Metric> all = new ArrayList<>(aLoss);
    all.addAll(aAcc);
    client.logBatch(a, all, null, null);
    client.logBatch(b, bLoss, null, null); // b has no "acc": no series for it

    List<MetricSeries> series =
        client.getMetricHistoryBulk(List.of(b, a), List.of("loss", "acc"), 100);

    assertEquals(3, series.size());
    assertEquals(new MetricSeries(b, "loss", bLoss, 50, false), series.get(0));
    MetricSeries downsampled = series.get(1);
    assertEquals(
        List.of(a, "loss", 1000L, true),
        List.of(
            downsampled.runId(),
            downsampled.key(),
            downsampled.totalPoints(),
            downsampled.downsampled()));
    assertTrue(downsampled.points().size() <= 100);
    assertEquals(aLoss.get(0), downsampled.points().get(0));
    assertEquals(aLoss.get(999), downsampled.points().get(downsampled.points().size() - 1));
    assertEquals(new MetricSeries(a, "acc", aAcc, 30, false), series.get(2));

    // A step range, and the server's default size.
    List<MetricSeries> window =
        client.getMetricHistoryBulk(List.of(a, b), List.of("loss"), 0, StepRange.between(10, 19));
    assertEquals(
        List.of(
            new MetricSeries(a, "loss", aLoss.subList(10, 20), 10, false),
            new MetricSeries(b, "loss", bLoss.subList(10, 20), 10, false)),
        window);
  }

  @Test
  void bulkRefusesUnknownRunsAndTooMuch() {
    String run = newRun();
    assertFails(
        ErrorCode.NOT_FOUND,
        () -> client.getMetricHistoryBulk(List.of(run, MISSING_RUN), List.of("m"), 10));
    List<String> keys = IntStream.range(0, 101).mapToObj(i -> "k" + i).toList();
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        "LIMIT_EXCEEDED",
        () -> client.getMetricHistoryBulk(List.of(run), keys, 10));
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () -> client.getMetricHistoryBulk(List.of(run), List.of("m"), 10_001));
    assertThrows(
        IllegalArgumentException.class,
        () -> client.getMetricHistoryBulk(List.of(run), List.of("m"), -1));
    assertEquals(
        Collections.emptyList(), client.getMetricHistoryBulk(List.of(run), List.of("m"), 10));
  }
}
