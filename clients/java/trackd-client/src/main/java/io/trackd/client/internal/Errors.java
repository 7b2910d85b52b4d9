package io.trackd.client.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.trackd.client.ErrorCode;
import io.trackd.client.TrackdException;
import java.util.Map;

/** Maps gRPC failures to {@link TrackdException}, reading ErrorInfo from the status details. */
final class Errors {
  private Errors() {}

  static TrackdException fromGrpc(StatusRuntimeException e) {
    Status status = e.getStatus();
    ErrorInfo info = errorInfo(e);
    String message = status.getDescription() == null ? "" : status.getDescription();
    Map<String, String> metadata = info == null ? Map.of() : info.getMetadataMap();
    String reason = info == null || info.getReason().isEmpty() ? null : info.getReason();
    return new TrackdException(code(status.getCode()), reason, message, metadata, e);
  }

  static ErrorCode code(Status.Code code) {
    return switch (code) {
      case CANCELLED -> ErrorCode.CANCELLED;
      case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
      case DEADLINE_EXCEEDED -> ErrorCode.DEADLINE_EXCEEDED;
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
      case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
      case FAILED_PRECONDITION -> ErrorCode.FAILED_PRECONDITION;
      case ABORTED -> ErrorCode.ABORTED;
      case OUT_OF_RANGE -> ErrorCode.OUT_OF_RANGE;
      case UNIMPLEMENTED -> ErrorCode.UNIMPLEMENTED;
      case INTERNAL -> ErrorCode.INTERNAL;
      case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
      case DATA_LOSS -> ErrorCode.DATA_LOSS;
      case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
        // OK never reaches here: a failed call never carries it.
      case OK, UNKNOWN -> ErrorCode.UNKNOWN;
    };
  }

  /** The ErrorInfo detail of the grpc-status-details-bin trailer, or null if there is none. */
  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details == null) {
      return null;
    }
    for (Any detail : details.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class);
        } catch (InvalidProtocolBufferException ignored) {
          // A malformed detail is no reason to hide the status itself.
          return null;
        }
      }
    }
    return null;
  }
}
