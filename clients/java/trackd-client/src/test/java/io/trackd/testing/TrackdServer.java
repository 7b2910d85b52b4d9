package io.trackd.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real `trackd server` process on loopback, ready (gRPC health SERVING) when returned. Closing it
 * sends SIGTERM and waits for the graceful stop.
 */
public final class TrackdServer implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Process process;
  private final int port;
  private final Path log;

  private TrackdServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a server over {@code backendUri} on free ports and waits until it is SERVING. */
  public static TrackdServer start(String backendUri, Path workdir) {
    return start(backendUri, workdir, freePort());
  }

  /** Starts a server on the given gRPC port (and a free HTTP port); waits until SERVING. */
  public static TrackdServer start(String backendUri, Path workdir, int port) {
    TrackdServer server = spawn(backendUri, workdir, port);
    server.awaitServing();
    return server;
  }

  /** Starts a server without waiting: for tests of clients that must wait for it themselves. */
  public static TrackdServer spawn(String backendUri, Path workdir, int port) {
    try {
      Files.createDirectories(workdir);
      Path log = workdir.resolve("server-" + port + ".log");
      List<String> command =
          List.of(
              TestPaths.serverBin().toString(),
              "server",
              "--backend-store-uri",
              backendUri,
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(port),
              "--http-port",
              Integer.toString(freePort()),
              "--default-artifact-root",
              workdir.resolve("artifacts").toString(),
              "--workers",
              "1");
      Process process =
          new ProcessBuilder(command)
              .directory(workdir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new TrackdServer(process, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + TestPaths.serverBin(), e);
    }
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the server's health service reports SERVING; fails with its log otherwise. */
  public void awaitServing() {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      Instant deadline = Instant.now().plus(STARTUP);
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("trackd server exited early:\n" + log());
        }
        try {
          ServingStatus status =
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(1, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.newBuilder().setService("").build())
                  .getStatus();
          if (status == ServingStatus.SERVING) {
            return;
          }
        } catch (StatusRuntimeException notYet) {
          channel.resetConnectBackoff();
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException("trackd server did not become SERVING:\n" + log());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      channel.shutdownNow();
    }
  }

  /** The tracking URI of this server. */
  public String uri() {
    return "grpc://127.0.0.1:" + port;
  }

  /** The gRPC port. */
  public int port() {
    return port;
  }

  /** What the server printed so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
