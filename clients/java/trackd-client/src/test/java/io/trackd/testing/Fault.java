package io.trackd.testing;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What a {@link FaultInjectingProxy} does to one call. The request always reaches the real server
 * whole; a fault acts on the way back, on the answer's messages (as raw serialized bytes) and on
 * the end of the call.
 */
public final class Fault {
  enum Kind {
    /** Relays everything, each answer message through {@link #alter}. */
    ALTER,
    /** Relays none of the answer; once the server has finished the call, severs the connection. */
    LOSE_REPLY,
    /** Relays the first {@link #messages} answer messages, then severs the connection. */
    CUT,
    /**
     * Relays the first {@link #messages} answer messages, then nothing, and never ends the call.
     */
    STALL
  }

  final Kind kind;
  final int messages;
  final UnaryOperator<byte[]> alter;
  final Runnable beforeSevering;

  private Fault(Kind kind, int messages, UnaryOperator<byte[]> alter, Runnable beforeSevering) {
    this.kind = kind;
    this.messages = messages;
    this.alter = alter;
    this.beforeSevering = beforeSevering;
  }

  /** Forwards the call unchanged. */
  static Fault none() {
    return alter(UnaryOperator.identity());
  }

  /**
   * The answer is lost: the server handles the call to its end (its write is done), then the
   * client's connection drops before any byte of the answer reaches it, so the client sees
   * UNAVAILABLE.
   */
  public static Fault loseReply() {
    return loseReply(() -> {});
  }

  /**
   * As {@link #loseReply()}, running {@code whenServerDone} after the server finished the call and
   * before the connection drops: a test can look at what the server stored before any retry.
   */
  public static Fault loseReply(Runnable whenServerDone) {
    return new Fault(Kind.LOSE_REPLY, 0, null, Objects.requireNonNull(whenServerDone));
  }

  /** The connection drops after the first {@code messages} messages of the answer were relayed. */
  public static Fault cutAfter(int messages) {
    return new Fault(Kind.CUT, requireNonNegative(messages), null, () -> {});
  }

  /**
   * The answer stops after its first {@code messages} messages: nothing more arrives and the call
   * never ends, until the client gives up and cancels it.
   */
  public static Fault stallAfter(int messages) {
    return new Fault(Kind.STALL, requireNonNegative(messages), null, () -> {});
  }

  /**
   * Each message of the answer (its serialized bytes) is replaced by what {@code change} returns
   * for it; null drops the message. The end of the call is relayed unchanged.
   */
  public static Fault alter(UnaryOperator<byte[]> change) {
    return new Fault(Kind.ALTER, 0, Objects.requireNonNull(change), () -> {});
  }

  private static int requireNonNegative(int messages) {
    if (messages < 0) {
      throw new IllegalArgumentException("messages must be >= 0: " + messages);
    }
    return messages;
  }
}
