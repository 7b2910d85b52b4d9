"""One line on stderr when calls start retrying because the server cannot be reached.

gRPC retries inside its core, out of the client's sight, and an unreachable server otherwise
means many seconds of silence before `UnavailableError`. gRPC tells the channel's connectivity
to subscribers, so the notice watches that: when the channel fails to connect while a call is
under way, it logs one warning naming the server; the outage ends when the channel is READY
again. One warning per outage, not per attempt or per call.

The warning goes to the `trackd` logger: with no logging configured, Python prints warnings to
stderr; an application that configures logging decides for itself.
"""

from __future__ import annotations

import logging
import threading

import grpc

logger = logging.getLogger("trackd")


class OutageNotice:
    """Counts the calls under way on one channel and warns once per outage of its server."""

    def __init__(self, tracking_uri: str, target: str, what_happens: str) -> None:
        self._tracking_uri = tracking_uri
        self._target = target
        self._what_happens = what_happens
        self._lock = threading.Lock()
        self._calls = 0
        self._in_outage = False
        self._announced = False

    def call_started(self) -> None:
        with self._lock:
            self._calls += 1
            announce = self._in_outage and not self._announced
            self._announced = self._announced or announce
        if announce:
            self._warn()

    def call_ended(self) -> None:
        with self._lock:
            self._calls -= 1

    def on_connectivity(self, state: grpc.ChannelConnectivity) -> None:
        """The channel's subscriber; gRPC calls it from its own thread on every change."""
        with self._lock:
            if state == grpc.ChannelConnectivity.READY:
                self._in_outage = self._announced = False
                return
            if state != grpc.ChannelConnectivity.TRANSIENT_FAILURE:
                return
            self._in_outage = True
            announce = self._calls > 0 and not self._announced
            self._announced = self._announced or announce
        if announce:
            self._warn()

    def _warn(self) -> None:
        logger.warning(
            "trackd: cannot reach the tracking server at %s (%s); %s",
            self._tracking_uri,
            self._target,
            self._what_happens,
        )
