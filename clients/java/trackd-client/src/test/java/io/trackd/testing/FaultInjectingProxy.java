package io.trackd.testing;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A network that misbehaves on cue, in front of a real trackd server. Clients connect to {@link
 * #uri()}; a {@link TcpRelay} there forwards their connections to a gRPC proxy, which forwards each
 * call's raw messages to the real server and the answers back, recording every call ({@link
 * #calls}). A test queues {@link Fault}s per method ({@link #inject}); the proxy applies one to
 * each new call of that method. Faults that drop the connection close the client's TCP connection
 * at the relay, so the client sees a real transport failure (UNAVAILABLE), not a made-up status.
 */
public final class FaultInjectingProxy implements AutoCloseable {
  /** Artifact chunks and search pages pass through whole. */
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** Set by gRPC's retry machinery on every attempt after the first (gRFC A6). */
  private static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel backend;
  private final Server proxy;
  private final TcpRelay relay;
  private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
  private final List<ProxiedCall> calls = new CopyOnWriteArrayList<>();

  private FaultInjectingProxy(TrackdServer target) throws IOException {
    backend =
        ManagedChannelBuilder.forAddress("127.0.0.1", target.port())
            .usePlaintext()
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .build();
    proxy =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .fallbackHandlerRegistry(new AnyMethod())
            .build()
            .start();
    relay = new TcpRelay(proxy.getPort());
  }

  /** Starts a proxy in front of {@code target}; close it when done. */
  public static FaultInjectingProxy start(TrackdServer target) {
    try {
      return new FaultInjectingProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the proxy", e);
    }
  }

  /** The tracking URI clients use to go through the proxy. */
  public String uri() {
    return "grpc://127.0.0.1:" + relay.port();
  }

  /** Applies {@code fault} to each of the next {@code times} calls of {@code method}. */
  public void inject(MethodDescriptor<?, ?> method, int times, Fault fault) {
    Queue<Fault> queue =
        faults.computeIfAbsent(method.getFullMethodName(), k -> new ConcurrentLinkedQueue<>());
    for (int i = 0; i < times; i++) {
      queue.add(fault);
    }
  }

  /** The calls of {@code method} that reached the proxy so far, in arrival order. */
  public List<ProxiedCall> calls(MethodDescriptor<?, ?> method) {
    return calls.stream()
        .filter(c -> c.fullMethodName().equals(method.getFullMethodName()))
        .toList();
  }

  @Override
  public void close() {
    relay.close();
    proxy.shutdownNow();
    backend.shutdownNow();
    try {
      proxy.awaitTermination(5, TimeUnit.SECONDS);
      backend.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Fault nextFault(String fullMethodName) {
    Queue<Fault> queue = faults.get(fullMethodName);
    Fault fault = queue == null ? null : queue.poll();
    return fault == null ? Fault.none() : fault;
  }

  /** Serves every method name the client asks for, with raw bytes in and out. */
  private final class AnyMethod extends HandlerRegistry {
    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
      MethodDescriptor<byte[], byte[]> method =
          MethodDescriptor.<byte[], byte[]>newBuilder()
              .setType(MethodDescriptor.MethodType.UNKNOWN)
              .setFullMethodName(methodName)
              .setRequestMarshaller(RAW)
              .setResponseMarshaller(RAW)
              .build();
      return ServerMethodDefinition.create(method, new Forward());
    }
  }

  /** Starts the matching call on the real server and pairs the two. */
  private final class Forward implements ServerCallHandler<byte[], byte[]> {
    @Override
    public ServerCall.Listener<byte[]> startCall(
        ServerCall<byte[], byte[]> fromClient, Metadata headers) {
      MethodDescriptor<byte[], byte[]> method = fromClient.getMethodDescriptor();
      Deadline deadline = Context.current().getDeadline();
      ProxiedCall record =
          new ProxiedCall(
              method.getFullMethodName(),
              deadline == null
                  ? null
                  : Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)),
              headers.get(PREVIOUS_ATTEMPTS));
      calls.add(record);
      ClientCall<byte[], byte[]> toServer =
          backend.newCall(method, CallOptions.DEFAULT.withDeadline(deadline));
      CallPair pair =
          new CallPair(fromClient, toServer, nextFault(method.getFullMethodName()), record);
      pair.start(headers);
      return pair.clientSide();
    }
  }

  /**
   * One call through the proxy: the client's side and the real server's. Every use of either call
   * object holds this pair's lock, since gRPC calls are not thread-safe.
   */
  private final class CallPair extends ClientCall.Listener<byte[]> {
    private final ServerCall<byte[], byte[]> client;
    private final ClientCall<byte[], byte[]> server;
    private final Fault fault;
    private final ProxiedCall record;
    private int answers;

    /** The client's side is closed or severed: nothing more goes to it. */
    private boolean finished;

    /** The real server's side was cancelled: nothing more goes to it. */
    private boolean serverCancelled;

    CallPair(
        ServerCall<byte[], byte[]> client,
        ClientCall<byte[], byte[]> server,
        Fault fault,
        ProxiedCall record) {
      this.client = client;
      this.server = server;
      this.fault = fault;
      this.record = record;
    }

    synchronized void start(Metadata headers) {
      server.start(this, headers);
      server.request(1);
      client.request(1);
    }

    // The real server's side.

    @Override
    public synchronized void onHeaders(Metadata headers) {
      if (!finished && fault.kind != Fault.Kind.LOSE_REPLY) {
        client.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void onMessage(byte[] message) {
      int index = answers++;
      if (!finished) {
        switch (fault.kind) {
          case ALTER -> {
            byte[] changed = fault.alter.apply(message);
            if (changed != null) {
              client.sendMessage(changed);
            }
          }
          case LOSE_REPLY -> {}
          case STALL -> {
            if (index < fault.messages) {
              client.sendMessage(message);
            }
          }
          case CUT -> {
            if (index < fault.messages) {
              client.sendMessage(message);
            } else {
              sever();
            }
          }
        }
      }
      if (!serverCancelled) {
        server.request(1);
      }
    }

    @Override
    public synchronized void onClose(Status status, Metadata trailers) {
      record.serverClosed(status);
      if (finished) {
        return;
      }
      switch (fault.kind) {
        case LOSE_REPLY, CUT -> sever();
        case STALL -> {} // the client gives up on its own and cancels
        case ALTER -> {
          finished = true;
          client.close(status, trailers);
        }
      }
    }

    /** Drops the client's connection: from its side the network failed mid-call. */
    private void sever() {
      finished = true;
      try {
        fault.beforeSevering.run();
      } finally {
        cancelServer("the proxy severed the client's connection");
        relay.severAll();
      }
    }

    private void cancelServer(String why) {
      if (!serverCancelled) {
        serverCancelled = true;
        server.cancel(why, null);
      }
    }

    // The client's side.

    ServerCall.Listener<byte[]> clientSide() {
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          record.addRequest(message);
          synchronized (CallPair.this) {
            if (!serverCancelled) {
              server.sendMessage(message);
              client.request(1);
            }
          }
        }

        @Override
        public void onHalfClose() {
          synchronized (CallPair.this) {
            if (!serverCancelled) {
              server.halfClose();
            }
          }
        }

        @Override
        public void onCancel() {
          synchronized (CallPair.this) {
            finished = true;
            cancelServer("the client cancelled");
          }
        }
      };
    }
  }
}
