package io.trackd.examples;

// docs:begin java-quickstart
import io.trackd.client.ActiveRun;
import io.trackd.client.Metric;
import io.trackd.client.Run;
import io.trackd.client.TrackingClient;
import io.trackd.client.TrackingContext;
import java.util.List;
import java.util.Map;

public class JavaQuickstart {
  /** Trains a toy model, logging to trackd; returns the run id. */
  public static String train(TrackingContext context) {
    context.setExperimentName("java-quickstart"); // created if missing
    try (ActiveRun run = context.startRun("baseline")) { // ends FINISHED on close
      run.logParams(Map.of("optimizer", "adam", "lr", "0.01"));
      for (int epoch = 1; epoch <= 3; epoch++) {
        run.logMetric("loss", 1.0 / epoch, epoch);
      }
      run.setTag("language", "java");
      return run.getId();
    }
  }

  public static void main(String[] args) {
    // TRACKD_TRACKING_URI (or -Dtrackd.tracking.uri), default grpc://127.0.0.1:50051
    try (TrackingContext context = new TrackingContext()) {
      String runId = train(context);
      TrackingClient client = context.getClient();
      Run run = client.runs().get(runId);
      List<Metric> losses = client.metrics().history(runId, "loss");
      System.out.printf(
          "%s lr=%s, %d loss points%n",
          run.info().status(), run.data().param("lr").orElse("?"), losses.size());
    }
  }
}
// docs:end
