package io.trackd.client;

/**
 * Why a call failed: the gRPC status code the server (or the transport) reported. The codes the
 * trackd server reports on purpose are INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
 * FAILED_PRECONDITION, RESOURCE_EXHAUSTED, PERMISSION_DENIED, UNAVAILABLE and INTERNAL.
 */
public enum ErrorCode {
  /** The call was cancelled, usually by the caller (or an interrupt). */
  CANCELLED,
  /** An error the server did not classify. */
  UNKNOWN,
  /** A value broke a rule: a limit, a format, a changed param value. */
  INVALID_ARGUMENT,
  /** The deadline passed before the server answered. */
  DEADLINE_EXCEEDED,
  /** The run, experiment or tag does not exist. */
  NOT_FOUND,
  /** The entity exists already, for example an experiment name that is taken. */
  ALREADY_EXISTS,
  /** The caller may not do this. */
  PERMISSION_DENIED,
  /** A size or rate limit was hit, for example a message larger than the server accepts. */
  RESOURCE_EXHAUSTED,
  /** The state forbids it, for example a write to a deleted run, or a reused request id. */
  FAILED_PRECONDITION,
  /** A concurrent change got in the way; the call may be retried. */
  ABORTED,
  /** A value is outside the valid range. */
  OUT_OF_RANGE,
  /** The server does not implement this call. */
  UNIMPLEMENTED,
  /** A bug or an unexpected failure on the server. */
  INTERNAL,
  /** The server could not be reached, or asked to retry; retried automatically first. */
  UNAVAILABLE,
  /** Data was lost or corrupted. */
  DATA_LOSS,
  /** The caller did not authenticate. */
  UNAUTHENTICATED
}
