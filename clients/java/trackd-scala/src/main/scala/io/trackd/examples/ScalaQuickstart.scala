package io.trackd.examples

// docs:begin scala-quickstart
import io.trackd.client.{RunStatus, TrackingContext}

import scala.jdk.CollectionConverters._
import scala.util.Using

object ScalaQuickstart {

  /** Trains a toy model, logging to trackd; returns the run id. */
  def train(context: TrackingContext): String = {
    context.setExperimentName("scala-quickstart") // created if missing
    Using.resource(context.startRun("baseline")) { run => // ends FINISHED on close
      run.logParams(Map("optimizer" -> "adam", "lr" -> "0.01").asJava)
      for (epoch <- 1 to 3) run.logMetric("loss", 1.0 / epoch, epoch)
      run.setTag("language", "scala")
      run.getId
    }
  }

  /** A failing body: the run ends FAILED and the exception reaches the caller. */
  def failingStep(context: TrackingContext): Unit =
    context.withActiveRun("diverged", run => {
      run.logMetric("loss", Double.NaN)
      throw new IllegalStateException("loss is NaN")
    })

  def main(args: Array[String]): Unit =
    // TRACKD_TRACKING_URI (or -Dtrackd.tracking.uri), default grpc://127.0.0.1:50051
    Using.resource(new TrackingContext()) { context =>
      val runId = train(context)
      val run = context.getClient.runs().get(runId)
      println(s"${run.info.runName} ${run.info.status}: ${run.data.param("lr").orElse("?")}")
      assert(run.info.status == RunStatus.FINISHED)
    }
}
// docs:end
