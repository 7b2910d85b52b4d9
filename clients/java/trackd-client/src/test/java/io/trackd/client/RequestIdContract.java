package io.trackd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trackd.v1.CreateExperimentRequest;
import io.trackd.v1.CreateRunRequest;
import io.trackd.v1.LogMetricRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What makes the client's retries safe: the real server answers a repeated request id with the
 * first answer and changes nothing. Sent through the client's own transport, as a retry is.
 */
abstract class RequestIdContract extends ServerContract {
  private Transport transport;

  @BeforeAll
  void openTransport() {
    TrackingUri uri = TrackingUri.parse(server().uri());
    transport =
        new Transport(uri, Duration.ofSeconds(30), RetryPolicy.DEFAULT);
  }

  @AfterAll
  void closeTransport() {
    transport.close();
  }

  @Test
  void repeatedCreateExperimentReturnsTheFirstAnswer() {
    String name = unique("idem");
    CreateExperimentRequest request =
        CreateExperimentRequest.newBuilder().setName(name).setRequestId(RequestIds.next()).build();
    String first =
        transport
            .call(request, (s, r) -> s.experiments().createExperiment(r))
            .getExperiment()
            .getExperimentId();
    String again =
        transport
            .call(request, (s, r) -> s.experiments().createExperiment(r))
            .getExperiment()
            .getExperimentId();
    assertEquals(first, again);
    assertEquals(first, client.getExperimentByName(name).orElseThrow().experimentId());
  }

  @Test
  void repeatedCreateRunMakesOneRun() {
    String exp = newExperiment();
    CreateRunRequest request =
        CreateRunRequest.newBuilder().setExperimentId(exp).setRequestId(RequestIds.next()).build();
    String first =
        transport.call(request, (s, r) -> s.runs().createRun(r)).getRun().getInfo().getRunId();
    String again =
        transport.call(request, (s, r) -> s.runs().createRun(r)).getRun().getInfo().getRunId();
    assertEquals(first, again);
    assertEquals(List.of(first), RunsContract.ids(client.searchRuns(List.of(exp), "")));
  }

  @Test
  void repeatedLogMetricAppendsOnePoint() {
    String run = client.createRun(newExperiment()).runId();
    LogMetricRequest request =
        LogMetricRequest.newBuilder()
            .setRunId(run)
            .setKey("m")
            .setValue(1.0)
            .setTimestamp(5)
            .setStep(1)
            .setRequestId(RequestIds.next())
            .build();
    transport.call(request, (s, r) -> s.metrics().logMetric(r));
    transport.call(request, (s, r) -> s.metrics().logMetric(r));
    assertEquals(List.of(new Metric("m", 1.0, 5, 1)), client.getMetricHistory(run, "m"));
  }

  @Test
  void sameIdWithAnotherRequestIsFailedPrecondition() {
    String run = client.createRun(newExperiment()).runId();
    String id = RequestIds.next();
    LogMetricRequest first =
        LogMetricRequest.newBuilder()
            .setRunId(run)
            .setKey("m")
            .setValue(1)
            .setRequestId(id)
            .build();
    transport.call(first, (s, r) -> s.metrics().logMetric(r));
    LogMetricRequest other = first.toBuilder().setValue(2).build();
    ErrorsContract.assertFails(
        ErrorCode.FAILED_PRECONDITION,
        "REQUEST_ID_REUSED",
        () -> transport.call(other, (s, r) -> s.metrics().logMetric(r)));
  }
}
