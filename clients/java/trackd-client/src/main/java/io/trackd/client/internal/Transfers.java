package io.trackd.client.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import java.time.Duration;
import java.util.Map;

/** Failures that artifact transfers share. */
final class Transfers {
  private Transfers() {}

  /** Nothing moved for the client's deadline; the call was cancelled. */
  static TrackdException stalled(String transfer, String doing, Duration patience) {
    return new TrackdException(
        ErrorCode.DEADLINE_EXCEEDED,
        "TRANSFER_STALLED",
        "the "
            + transfer
            + " made no progress for "
            + patience.toMillis()
            + " ms while "
            + doing
            + " and was cancelled (TrackingClientBuilder.deadline sets the limit)",
        Map.of(),
        null);
  }

  /** The calling thread was interrupted; the call was cancelled. */
  static TrackdException interrupted(String transfer, InterruptedException e) {
    return new TrackdException(
        ErrorCode.CANCELLED, null, "interrupted during an artifact " + transfer, Map.of(), e);
  }

  /** A stream's failure in the form {@link Transport#withRetries} retries and maps. */
  static StatusRuntimeException asStatusException(Throwable t) {
    if (t instanceof StatusRuntimeException e) {
      return e;
    }
    return Status.fromThrowable(t).asRuntimeException(Status.trailersFromThrowable(t));
  }
}
