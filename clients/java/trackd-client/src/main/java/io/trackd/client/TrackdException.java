package io.trackd.client;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one exception every trackd client call throws: an {@link ErrorCode}, the server's
 * machine-readable reason (google.rpc.ErrorInfo) when it sent one, and its message. Catch it and
 * switch on {@link #getCode()} to handle a specific failure, for example {@link
 * ErrorCode#NOT_FOUND}.
 */
public class TrackdException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String reason;
  private final String serverMessage;
  private final Map<String, String> metadata;

  /**
   * Creates an exception.
   *
   * @param code why the call failed
   * @param reason the ErrorInfo reason, or null if there is none
   * @param serverMessage the message for people
   * @param metadata the ErrorInfo metadata (may be empty)
   * @param cause the underlying failure, or null
   */
  public TrackdException(
      ErrorCode code,
      String reason,
      String serverMessage,
      Map<String, String> metadata,
      Throwable cause) {
    super(describe(code, reason, serverMessage), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.reason = reason;
    this.serverMessage = serverMessage == null ? "" : serverMessage;
    this.metadata = Map.copyOf(metadata);
  }

  private static String describe(ErrorCode code, String reason, String message) {
    String prefix =
        reason == null || reason.equals(code.name()) ? code.name() : code + " " + reason;
    return message == null || message.isEmpty() ? prefix : prefix + ": " + message;
  }

  /**
   * Why the call failed.
   *
   * @return the error code
   */
  public ErrorCode getCode() {
    return code;
  }

  /**
   * The server's stable, machine-readable reason, such as {@code RUN_NOT_FOUND}.
   *
   * @return the ErrorInfo reason, or empty if the failure carried none (e.g. a network error)
   */
  public Optional<String> getReason() {
    return Optional.ofNullable(reason);
  }

  /**
   * The message the server (or the transport) gave, without the code prefix.
   *
   * @return the message; empty if there was none
   */
  public String getServerMessage() {
    return serverMessage;
  }

  /**
   * Details the server attached to the reason (ErrorInfo metadata), such as the offending key.
   *
   * @return an immutable map, empty if there are none
   */
  public Map<String, String> getMetadata() {
    return metadata;
  }
}
