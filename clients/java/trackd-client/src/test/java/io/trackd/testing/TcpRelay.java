package io.trackd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards every TCP connection made to a loopback port to a target port, byte for byte, until told
 * to sever them: then each client sees its connection drop, as when a network fails. New
 * connections (a client reconnecting to retry) are forwarded again.
 */
final class TcpRelay implements AutoCloseable {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final ServerSocket listener;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  TcpRelay(int targetPort) {
    this.targetPort = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("tcp-relay-accept-" + port(), this::acceptLoop).start();
  }

  /** The loopback port clients connect to. */
  int port() {
    return listener.getLocalPort();
  }

  /**
   * Closes every connection open right now, both its sides. The set is copied first: a client that
   * reconnects as soon as its old connection closes gets a new connection that survives.
   */
  void severAll() {
    for (Socket socket : List.copyOf(open)) {
      closeQuietly(socket);
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    severAll();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      Socket server;
      try {
        server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        continue;
      }
      open.add(client);
      open.add(server);
      daemon("tcp-relay-up-" + client.getPort(), () -> pump(client, server)).start();
      daemon("tcp-relay-down-" + client.getPort(), () -> pump(server, client)).start();
    }
  }

  /** Copies one direction until either side closes; then closes both (HTTP/2 needs no half). */
  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[BUFFER_BYTES];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException endOfConnection) {
      // Severed, or the peer went away: either way this connection is over.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(AutoCloseable closeable) {
    if (closeable instanceof Socket socket) {
      open.remove(socket);
    }
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Already closed.
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }
}
