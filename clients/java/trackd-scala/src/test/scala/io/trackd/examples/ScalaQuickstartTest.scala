package io.trackd.examples

import io.trackd.client.{Metric, RunStatus, SearchRunsOptions, TrackingClient, TrackingContext}
import io.trackd.testing.{DocSnippets, SharedServers, TestPaths, TrackdServer}
import org.junit.jupiter.api.Assertions.{assertEquals, assertThrows, assertTrue}
import org.junit.jupiter.api.Test

import java.util.{Optional, UUID}
import scala.jdk.CollectionConverters._
import scala.util.Using

/** Runs the Scala example of docs/java-client.md against real servers and reads the run back. */
class ScalaQuickstartTest {

  @Test def docsShowTheTestedScalaQuickstart(): Unit = {
    val source = TestPaths
      .repoRoot()
      .resolve("clients/java/trackd-scala/src/main/scala/io/trackd/examples/ScalaQuickstart.scala")
    DocSnippets.assertDocumented(DocSnippets.region(source, "scala-quickstart"))
  }

  @Test def quickstartOverSqlite(): Unit = checkQuickstart(SharedServers.sqlite())

  @Test def quickstartOverPostgres(): Unit = checkQuickstart(SharedServers.postgres())

  @Test def failingBodyMarksTheRunFailedAndRethrows(): Unit =
    Using.resource(TrackingClient.create(SharedServers.sqlite().uri())) { client =>
      val context = new TrackingContext(client).setExperimentName(s"scala-failing-${UUID.randomUUID()}")
      val e = assertThrows(classOf[IllegalStateException], () => ScalaQuickstart.failingStep(context))
      assertEquals("loss is NaN", e.getMessage)
      val diverged = SearchRunsOptions
        .inExperiments(context.getExperimentId)
        .withFilter("attributes.run_name = 'diverged'")
      val run = client
        .runs()
        .search(diverged)
        .asScala
        .head
      assertEquals(RunStatus.FAILED, run.info.status)
      assertTrue(run.data.metric("loss").get.value.isNaN)
    }

  @Test def mainUsesTheTrackingUriProperty(): Unit = {
    System.setProperty("trackd.tracking.uri", SharedServers.sqlite().uri())
    try ScalaQuickstart.main(Array.empty)
    finally System.clearProperty("trackd.tracking.uri")
  }

  private def checkQuickstart(server: TrackdServer): Unit =
    Using.resource(TrackingClient.create(server.uri())) { client =>
      val runId = ScalaQuickstart.train(new TrackingContext(client))
      val run = client.runs().get(runId)
      assertEquals(RunStatus.FINISHED, run.info.status)
      assertEquals("baseline", run.info.runName)
      assertEquals("scala-quickstart", client.experiments().get(run.info.experimentId).name)
      assertEquals(Optional.of("adam"), run.data.param("optimizer"))
      assertEquals(Optional.of("0.01"), run.data.param("lr"))
      assertEquals(Optional.of("scala"), run.data.tag("language"))
      val history = client.metrics().history(runId, "loss").asScala.toList
      assertEquals(
        List(new Metric("loss", 1.0, history.head.timestamp, 1), new Metric("loss", 0.5, history(1).timestamp, 2)),
        history.take(2))
      assertEquals(List(1.0, 0.5, 1.0 / 3), history.map(_.value))
    }
}
