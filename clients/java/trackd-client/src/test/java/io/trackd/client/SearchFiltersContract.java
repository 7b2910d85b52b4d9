package io.trackd.client;

import static io.trackd.client.ErrorsContract.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Run searches with the server's richer filters (OR, NOT, parentheses), ordering by metrics, and
 * read masks, read back through the Java client.
 */
abstract class SearchFiltersContract extends ServerContract {
  private String exp;
  private String vision;
  private String nlp;
  private String audio;
  private String visionNoLoss;

  @BeforeAll
  void logRuns() {
    exp = newExperiment();
    vision = run("vision", 0.1, "0.1", RunStatus.FINISHED);
    nlp = run("nlp", 0.5, "0.5", RunStatus.FAILED);
    audio = run("audio", 0.3, "0.01", RunStatus.FINISHED);
    visionNoLoss = run("vision", null, "0.1", RunStatus.RUNNING);
  }

  private String run(String team, Double loss, String lr, RunStatus status) {
    String id = client.runs().create(exp).id();
    List<Metric> metrics = new ArrayList<>(List.of(new Metric("acc", 0.9, 1_000L, 1)));
    if (loss != null) {
      metrics.add(new Metric("loss", loss, 1_000L, 1));
    }
    client
        .runs()
        .logBatch(
            id,
            metrics,
            List.of(new Param("lr", lr), new Param("batch", "32")),
            List.of(new Tag("team", team)));
    if (status != RunStatus.RUNNING) {
      client.runs().setTerminated(id, status);
    }
    return id;
  }

  private List<String> ids(SearchRunsOptions search) {
    return StreamSupport.stream(client.runs().search(search).spliterator(), false)
        .map(Run::id)
        .toList();
  }

  private SearchRunsOptions search(String filter) {
    return SearchRunsOptions.inExperiments(exp).withFilter(filter).withOrderBy("metrics.loss ASC");
  }

  @Test
  void orNotAndParentheses() {
    assertEquals(
        List.of(vision, visionNoLoss),
        ids(search("(tags.team = 'vision' OR tags.team = 'nlp') AND NOT status = 'FAILED'")));
    assertEquals(
        List.of(vision, audio, nlp),
        ids(search("metrics.loss < 0.2 OR params.lr = '0.5' OR tags.team = 'audio'")));
    // NOT keeps unknown unknown: the run without a loss matches neither form.
    assertEquals(List.of(vision, audio), ids(search("NOT (metrics.loss > 0.4)")));
    // vision AND unknown is unknown, so its negation does not match the run without a loss.
    assertEquals(
        List.of(audio, nlp), ids(search("NOT (tags.team = 'vision' AND metrics.loss < 0.2)")));
    assertEquals(
        List.of(visionNoLoss), ids(search("metrics.loss IS NULL AND NOT params.lr != '0.1'")));
    assertFails(ErrorCode.INVALID_ARGUMENT, () -> ids(search("(metrics.loss < 1")));
  }

  @Test
  void ordersByMetricsWithMissingValuesLast() {
    SearchRunsOptions all = SearchRunsOptions.inExperiments(exp);
    assertEquals(
        List.of(nlp, audio, vision, visionNoLoss), ids(all.withOrderBy("metrics.loss DESC")));
    assertEquals(List.of(vision, audio, nlp, visionNoLoss), ids(all.withOrderBy("metrics.loss")));
    // Ties on acc are broken by the next key.
    assertEquals(
        List.of(nlp, audio, vision, visionNoLoss),
        ids(all.withOrderBy("metrics.acc DESC", "metrics.loss DESC")));
  }

  @Test
  void readMasksSelectWhatEachRunCarries() {
    SearchRunsOptions byLoss = search("metrics.loss < 0.2");
    Run full = client.runs().search(byLoss).iterator().next();
    assertEquals(client.runs().get(vision), full);

    Run narrow =
        client
            .runs()
            .search(byLoss.withReadMask(RunReadMask.none().withMetrics("loss").withParams("lr")))
            .iterator()
            .next();
    assertEquals(full.info(), narrow.info());
    assertEquals(List.of(new Metric("loss", 0.1, 1_000L, 1)), narrow.data().metrics());
    assertEquals(List.of(new Param("lr", "0.1")), narrow.data().params());
    assertEquals(List.of(), narrow.data().tags());

    Run infoOnly = client.runs().search(byLoss.withReadMask(RunReadMask.none())).iterator().next();
    assertEquals(new RunData(List.of(), List.of(), List.of()), infoOnly.data());

    Run tagsAndParams =
        client
            .runs()
            .search(
                byLoss.withReadMask(RunReadMask.none().withAllParams().withTags("team", "absent")))
            .iterator()
            .next();
    assertEquals(List.of(), tagsAndParams.data().metrics());
    assertEquals(full.data().params().size(), tagsAndParams.data().params().size());
    assertEquals(List.of(new Tag("team", "vision")), tagsAndParams.data().tags());
    assertEquals(Optional.of("vision"), tagsAndParams.data().tag("team"));
  }

  @Test
  void readMasksHoldAcrossPages() {
    SearchRunsOptions paged =
        SearchRunsOptions.inExperiments(exp)
            .withOrderBy("metrics.loss ASC")
            .withPageSize(1)
            .withReadMask(RunReadMask.none().withAllMetrics());
    List<Run> runs = new ArrayList<>();
    client.runs().search(paged).forEach(runs::add);
    assertEquals(List.of(vision, audio, nlp, visionNoLoss), runs.stream().map(Run::id).toList());
    for (Run run : runs) {
      assertEquals(List.of(), run.data().params());
      assertEquals(List.of(), run.data().tags());
      assertEquals(
          client.runs().get(run.id()).data().metrics().size(), run.data().metrics().size());
    }
    assertEquals(
        Map.of("loss", 0.1, "acc", 0.9),
        Map.of(
            "loss", runs.get(0).data().metric("loss").orElseThrow().value(),
            "acc", runs.get(0).data().metric("acc").orElseThrow().value()));
  }
}
