package io.trackd.client.internal;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.lang.System.Logger.Level;

/**
 * One warning when calls start retrying because the server cannot be reached. gRPC retries
 * inside the channel, out of the client's sight, and an unreachable server otherwise means many
 * seconds of silence before UNAVAILABLE. The channel tells its connectivity to a one-shot callback
 * (no thread of ours): when it is in TRANSIENT_FAILURE (it could not connect) while a call is under
 * way, the notice logs one warning naming the server. The outage ends when the channel is READY or
 * a call gets an answer from the server; the next one is announced again.
 *
 * <p>The warning goes to the {@code io.trackd.client} logger ({@link System.Logger}): with no
 * logging configured, java.util.logging prints it to stderr.
 */
final class OutageNotice {
  private static final System.Logger LOG = System.getLogger("io.trackd.client");

  private final ManagedChannel channel;
  private final String target;
  private final String whatHappens;
  private int calls;
  private boolean announced;

  OutageNotice(ManagedChannel channel, String target, String whatHappens) {
    this.channel = channel;
    this.target = target;
    this.whatHappens = whatHappens;
    watch(channel.getState(false));
  }

  void callStarted() {
    synchronized (this) {
      calls++;
    }
    // An outage that began before this call leaves the state as it is: look now.
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      announce();
    }
  }

  /**
   * @param answered the server answered (with any status but UNAVAILABLE)
   */
  synchronized void callEnded(boolean answered) {
    calls--;
    if (answered) {
      announced = false;
    }
  }

  private void watch(ConnectivityState seen) {
    channel.notifyWhenStateChanged(seen, this::changed);
  }

  private void changed() {
    ConnectivityState now = channel.getState(false);
    if (now == ConnectivityState.SHUTDOWN) {
      return;
    }
    if (now == ConnectivityState.READY) {
      synchronized (this) {
        announced = false;
      }
    } else if (now == ConnectivityState.TRANSIENT_FAILURE) {
      announce();
    }
    watch(now);
  }

  private void announce() {
    synchronized (this) {
      if (calls == 0 || announced) {
        return;
      }
      announced = true;
    }
    LOG.log(Level.WARNING, "trackd: server " + target + " unreachable, " + whatHappens);
  }
}
