package io.trackd.testing;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One call that went through a {@link FaultInjectingProxy}, as the proxy saw it: the request
 * messages the client sent, the deadline it carried, and how the real server ended it.
 */
public final class ProxiedCall {
  private final String fullMethodName;
  private final Duration deadline;
  private final int previousAttempts;
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();
  private volatile Status serverStatus;

  ProxiedCall(String fullMethodName, Duration deadline, String previousAttempts) {
    this.fullMethodName = fullMethodName;
    this.deadline = deadline;
    this.previousAttempts = previousAttempts == null ? 0 : Integer.parseInt(previousAttempts);
  }

  /**
   * How many attempts of the same call gRPC's retry machinery made before this one (its {@code
   * grpc-previous-rpc-attempts} header): 0 for a first attempt, and for every call a client sends
   * again by itself.
   */
  public int previousAttempts() {
    return previousAttempts;
  }

  /** The method, e.g. {@code trackd.v1.RunService/LogParam}. */
  public String fullMethodName() {
    return fullMethodName;
  }

  /** The time the client still allowed the call when it reached the proxy; empty without one. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /**
   * The request messages, parsed as {@code method}'s request type, in the order they were sent.
   *
   * @throws IllegalArgumentException if this call is not one of {@code method}
   */
  public <Q> List<Q> requests(MethodDescriptor<Q, ?> method) {
    if (!method.getFullMethodName().equals(fullMethodName)) {
      throw new IllegalArgumentException(fullMethodName + " is not " + method.getFullMethodName());
    }
    return requests.stream().map(b -> method.parseRequest(new ByteArrayInputStream(b))).toList();
  }

  /** How the real server ended the call; empty while it has not (or when it never got to). */
  public Optional<Status> serverStatus() {
    return Optional.ofNullable(serverStatus);
  }

  void addRequest(byte[] message) {
    requests.add(message);
  }

  void serverClosed(Status status) {
    serverStatus = status;
  }

  @Override
  public String toString() {
    return fullMethodName + " (" + requests.size() + " messages, server: " + serverStatus + ")";
  }
}
