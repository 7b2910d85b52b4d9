"""One line on stderr when calls start retrying because the server cannot be reached.

gRPC retries inside its core, out of the client's sight, and an unreachable server otherwise
means many seconds of silence before `UnavailableError`. gRPC tells a channel's connectivity to
subscribers, so a call that has not been answered after `GRACE` seconds has its channel watched
until it ends; when the channel is in TRANSIENT_FAILURE (it could not connect), the notice logs
one warning naming the server. The outage ends when a call gets an answer from the server; the
next outage is announced again. One warning per outage, not per attempt or per call.

Why not subscribe once per channel: a subscribed channel is polled by a gRPC thread that is
inside gRPC's core all the time, so fork() skips gRPC's fork handlers (a forked worker's
channel then hangs) and the interpreter's exit waits on that thread. Here a channel is watched
only while one of its calls is slow, by a thread of pure Python that never enters gRPC while it
waits, and a quick call costs a lock and a dictionary entry.

The warning goes to the `trackd` logger: with no logging configured, Python prints warnings to
stderr; an application that configures logging decides for itself.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time

import grpc

logger = logging.getLogger("trackd")

# How long a call may go unanswered before its channel's connectivity is watched: shorter than
# the policy's first backoff (1 s), longer than any call of a healthy server.
GRACE = 0.5
_TICK = 0.1


class OutageNotice:
    """The calls under way on one channel; warns once per outage of its server."""

    def __init__(self, channel: grpc.Channel, target: str, what_happens: str) -> None:
        self._channel = channel
        self._target = target
        self._what_happens = what_happens
        self._lock = threading.Lock()
        self._tokens = itertools.count()
        self._calls: dict[int, float] = {}  # token -> start; insertion order is start order
        self._watching = False  # wanted; `_subscribed` follows it under `_subscribing`
        self._subscribing = threading.Lock()
        self._subscribed = False
        self._announced = False

    def call_started(self) -> int:
        token = next(self._tokens)
        with self._lock:
            self._calls[token] = time.monotonic()
        _watchdog.busy(self)
        return token

    def call_ended(self, token: int, *, answered: bool) -> None:
        """`answered`: the server answered (with any status but UNAVAILABLE): no outage."""
        with self._lock:
            self._calls.pop(token, None)
            if answered:
                self._announced = False
            stop = self._watching and not self._calls
            self._watching = self._watching and not stop
        if stop:
            self._follow()

    def idle(self) -> bool:
        with self._lock:
            return not self._calls

    def check(self, now: float) -> None:
        """Starts watching the channel if its oldest call under way is older than GRACE."""
        with self._lock:
            oldest = next(iter(self._calls.values()), None)
            start = not self._watching and oldest is not None and now - oldest >= GRACE
            self._watching = self._watching or start
        if start:
            self._follow()

    def _follow(self) -> None:
        # check() and call_ended() run in different threads: whichever comes last here leaves
        # the subscription as `_watching` says now, so no subscription outlives its calls.
        with self._subscribing:
            with self._lock:
                wanted = self._watching
            if wanted and not self._subscribed:
                # gRPC reports the current state at once, then every change.
                self._channel.subscribe(self._on_connectivity, try_to_connect=False)
            elif self._subscribed and not wanted:
                self._channel.unsubscribe(self._on_connectivity)
            self._subscribed = wanted

    def _on_connectivity(self, state: grpc.ChannelConnectivity) -> None:
        if state != grpc.ChannelConnectivity.TRANSIENT_FAILURE:
            return
        with self._lock:
            announce = bool(self._calls) and not self._announced
            self._announced = self._announced or announce
        if announce:
            logger.warning("trackd: server %s unreachable, %s", self._target, self._what_happens)


class _Watchdog:
    """One thread per process that looks at the notices with calls under way every _TICK
    seconds and sleeps while there are none; started again in a forked child."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy: set[OutageNotice] = set()
        self._pid: int | None = None

    def busy(self, notice: OutageNotice) -> None:
        with self._cond:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="trackd-outage", daemon=True).start()
            if not self._busy:
                self._cond.notify()
            self._busy.add(notice)

    def _after_fork_in_child(self) -> None:
        # The parent's thread does not exist here, and it may have held the lock at fork().
        self._cond = threading.Condition()
        self._busy = set()
        self._pid = None

    def _run(self) -> None:
        cond = self._cond
        while True:
            with cond:
                while not self._busy:
                    cond.wait()
                notices = list(self._busy)
            now = time.monotonic()
            for notice in notices:
                notice.check(now)
            with cond:
                self._busy = {n for n in self._busy if not n.idle()}
                cond.wait(_TICK)


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog._after_fork_in_child)
