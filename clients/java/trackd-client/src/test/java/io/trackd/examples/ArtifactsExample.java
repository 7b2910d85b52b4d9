package io.trackd.examples;

// docs:begin java-artifacts
import io.trackd.client.ActiveRun;
import io.trackd.client.FileInfo;
import io.trackd.client.TrackingClient;
import io.trackd.client.TrackingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

public class ArtifactsExample {
  /** Logs a model file and a directory of plots to a new run; returns the run id. */
  public static String logOutputs(TrackingContext context, Path workDir) throws IOException {
    Path model = Files.writeString(workDir.resolve("model.json"), "{\"depth\": 6}");
    Path plots = Files.createDirectories(workDir.resolve("plots"));
    Files.writeString(plots.resolve("loss.svg"), "<svg/>");
    try (ActiveRun run = context.startRun("with-artifacts")) {
      run.logArtifact(model, "model"); // stored as model/model.json
      run.logArtifacts(plots, "plots"); // plots/loss.svg, keeping the layout
      return run.getId();
    }
  }

  /** Lists the run's top-level artifacts and downloads its plots; returns dst/plots. */
  public static Path fetchPlots(TrackingClient client, String runId, Path dst) {
    for (FileInfo file : client.artifacts().list(runId)) {
      System.out.println(file.path() + (file.isDir() ? "/" : " (" + file.size() + " bytes)"));
    }
    return client.artifacts().download(runId, "plots", dst); // checked against its SHA-256
  }
}
// docs:end
