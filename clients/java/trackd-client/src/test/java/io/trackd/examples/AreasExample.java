package io.trackd.examples;

// docs:begin java-areas
import io.trackd.client.HistoryOptions;
import io.trackd.client.Metric;
import io.trackd.client.MetricSeries;
import io.trackd.client.Param;
import io.trackd.client.Run;
import io.trackd.client.RunStatus;
import io.trackd.client.SearchRunsOptions;
import io.trackd.client.Tag;
import io.trackd.client.TrackingClient;
import java.util.ArrayList;
import java.util.List;

public class AreasExample {
  /** Logs two runs, finds the better one by search and returns its downsampled loss curve. */
  public static MetricSeries bestLossCurve(TrackingClient client, String experimentName) {
    String exp = client.experiments().create(experimentName);
    for (double lr : List.of(0.1, 0.01)) {
      Run run = client.runs().create(exp);
      List<Metric> losses = new ArrayList<>();
      for (int step = 1; step <= 100; step++) {
        losses.add(new Metric("loss", lr * 10 / step, System.currentTimeMillis(), step));
      }
      List<Param> params = List.of(new Param("lr", String.valueOf(lr)));
      client.runs().logBatch(run.id(), losses, params, List.of(new Tag("team", "risk")));
      client.metrics().log(run.id(), "auc", 0.9 + lr);
      client.runs().setTerminated(run.id(), RunStatus.FINISHED);
    }
    SearchRunsOptions best =
        SearchRunsOptions.inExperiments(exp)
            .withFilter("metrics.auc > 0.95 AND tags.team = 'risk'")
            .withOrderBy("metrics.auc DESC");
    Run top = client.runs().search(best).iterator().next(); // pages fetched as you iterate
    return client.metrics().downsampledHistory(top.id(), "loss", HistoryOptions.maxPoints(20));
  }
}
// docs:end
