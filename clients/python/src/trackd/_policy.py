"""The retry and deadline policy that all trackd clients share.

The one source is proto/trackd/v1/service_config.json, a gRPC service config; `make gen` copies
it beside the generated stubs, so the wheel carries it. gRPC applies it to unary calls itself:
their attempts are re-sent by gRPC from the serialized message, so every attempt carries the
same `request_id`. The streamed artifact transfers are not named in it (gRPC can replay only
what it buffered); they restart themselves with the same numbers, see `RetryPolicy.delay`.

A user's knob (`max_retries`, `backoff_factor`, `timeout`) overrides the file's number; the
file stays the single default.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# gRPC clamps maxAttempts to 5 (C core's MAX_MAX_RETRY_ATTEMPTS, grpc-java's default); more
# would be ignored silently, so the client says what it will really do.
GRPC_MAX_ATTEMPTS = 5


@cache
def shared_service_config() -> dict[str, Any]:
    """The service config shipped with the package (a copy of proto/trackd/v1's file)."""
    text = resources.files("trackd.v1").joinpath("service_config.json").read_text("utf-8")
    config: dict[str, Any] = json.loads(text)
    return config


def _seconds(duration: str) -> float:
    if not duration.endswith("s"):
        raise ValueError(f"not a service-config duration: {duration!r}")
    return float(duration[:-1])


def _duration(seconds: float) -> str:
    # Protobuf JSON durations allow at most nanosecond precision.
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


def _unary_config(config: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = config["methodConfig"][0]
    return entry


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently UNAVAILABLE calls are retried, in the service config's terms.

    The n-th retry (n = 0, 1, ...) waits a random time in [0, min(backoff_factor *
    multiplier**n, max_backoff)] seconds: gRPC's full jitter, so that many clients do not
    retry in lockstep.
    """

    max_retries: int
    backoff_factor: float
    max_backoff: float
    multiplier: float

    @classmethod
    def shared(
        cls, max_retries: int | None = None, backoff_factor: float | None = None
    ) -> RetryPolicy:
        """The shared file's policy, with the caller's overrides."""
        retry = _unary_config(shared_service_config())["retryPolicy"]
        retries = int(retry["maxAttempts"]) - 1 if max_retries is None else max_retries
        if retries < 0:
            raise ValueError(f"max_retries must be at least 0: {retries}")
        initial = _seconds(retry["initialBackoff"]) if backoff_factor is None else backoff_factor
        if initial <= 0:
            raise ValueError(f"backoff_factor must be positive: {initial}")
        return cls(
            max_retries=min(retries, GRPC_MAX_ATTEMPTS - 1),
            backoff_factor=initial,
            max_backoff=max(_seconds(retry["maxBackoff"]), initial),
            multiplier=float(retry["backoffMultiplier"]),
        )

    def ceiling(self, retry_number: int) -> float:
        return min(self.max_backoff, self.backoff_factor * self.multiplier**retry_number)

    def delay(self, retry_number: int) -> float:
        return random.uniform(0.0, self.ceiling(retry_number))

    def longest_wait(self) -> float:
        """The most time all retries of one call can spend waiting."""
        return sum(self.ceiling(n) for n in range(self.max_retries))

    def announcement(self) -> str:
        """What the client says it does when the server cannot be reached (see _outage.py)."""
        return (
            f"retrying up to {self.max_retries} times "
            f"(at most {self.longest_wait():g} s of backoff) before UNAVAILABLE"
        )


def default_timeout() -> float:
    """The shared file's deadline of one call, retries included, in seconds."""
    return _seconds(_unary_config(shared_service_config())["timeout"])


def service_config_json(policy: RetryPolicy) -> str:
    """The shared service config with the caller's numbers, as the channel option takes it.

    Without the file's `timeout`: grpc-python applies a service-config timeout about a second
    early (grpc/grpc#34547), so the transport passes the same deadline with each call."""
    config = copy.deepcopy(shared_service_config())
    entry = _unary_config(config)
    del entry["timeout"]
    if policy.max_retries == 0:
        # gRPC wants maxAttempts >= 2 in a retryPolicy; no policy means no retries.
        del entry["retryPolicy"]
    else:
        entry["retryPolicy"].update(
            maxAttempts=policy.max_retries + 1,
            initialBackoff=_duration(policy.backoff_factor),
            maxBackoff=_duration(policy.max_backoff),
        )
    return json.dumps(config)
