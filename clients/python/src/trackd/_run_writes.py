"""The methods of `TrackingClient` that write to runs: params, metrics, tags and batches,
synchronously or queued for the background sender (`synchronous=False`, _async_logging.py).

`synchronous=None` (the default) follows the process-wide setting: off unless
`trackd.enable_async_logging()` was called or `TRACKD_ASYNC_LOGGING` is true.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trackd import _convert
from trackd._async_logging import (
    MAX_METRICS,
    MAX_PARAMS,
    MAX_TAGS,
    AsyncLogger,
    PendingWrite,
    WriteId,
)
from trackd._transport import Transport
from trackd.entities import Metric, Param, RunTag
from trackd.v1 import metric_service_pb2 as metric_pb
from trackd.v1 import run_service_pb2 as run_pb

ASYNC_LOGGING = "TRACKD_ASYNC_LOGGING"
_async_override: bool | None = None


def enable_async_logging(enable: bool = True) -> None:
    """Makes writes without an explicit `synchronous` argument asynchronous (or, with False,
    synchronous again) for the whole process, overriding `TRACKD_ASYNC_LOGGING`."""
    global _async_override
    _async_override = bool(enable)


def async_logging_enabled() -> bool:
    """The process-wide default of `synchronous=None` writes (True: they are queued)."""
    if _async_override is not None:
        return _async_override
    return os.environ.get(ASYNC_LOGGING, "").strip().lower() in ("1", "true", "yes", "on")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _params(params: Iterable[Param] | Mapping[str, Any]) -> list[Param]:
    if isinstance(params, Mapping):
        return [Param(str(k), str(v)) for k, v in params.items()]
    return [Param(p.key, str(p.value)) for p in params]


def _tags(tags: Iterable[RunTag] | Mapping[str, Any]) -> list[RunTag]:
    if isinstance(tags, Mapping):
        return [RunTag(str(k), str(v)) for k, v in tags.items()]
    return [RunTag(t.key, str(t.value)) for t in tags]


class RunWriteMethods:
    """Mixed into `TrackingClient`."""

    _transport: Transport
    _async_logger: AsyncLogger | None = None
    _async_lock = threading.Lock()

    def log_param(self, run_id: str, key: str, value: Any, synchronous: bool | None = None) -> Any:
        """Logs a param (stored as `str(value)`) and returns `value` (a `PendingWrite` when
        asynchronous).

        Params are write-once: the same value again is fine; a different one raises
        InvalidArgumentError naming both values.
        """
        if self._queued(synchronous):
            return self._async().submit(run_id, params=[Param(key, str(value))])
        request = run_pb.LogParamRequest(run_id=run_id, key=key, value=str(value))
        self._transport.call(lambda s: s.runs.LogParam, request)
        return value

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        timestamp: int | None = None,
        step: int | None = None,
        synchronous: bool | None = None,
    ) -> PendingWrite | None:
        """Appends a point to a metric's history. NaN and infinities are kept.

        Args:
            timestamp: milliseconds since the epoch; default now (the time of the call, also
                when the point is sent later).
            step: default 0.
            synchronous: False queues the point and returns a `PendingWrite` at once; None
                follows `trackd.enable_async_logging` / `TRACKD_ASYNC_LOGGING`.
        Raises:
            InvalidArgumentError: if `value` is a bool or not a number (before any request,
                also when asynchronous).
        """
        checked = _convert.metric_value(key, value)
        when = timestamp if timestamp is not None else _now_ms()
        if self._queued(synchronous):
            return self._async().submit(run_id, metrics=[Metric(key, checked, when, step or 0)])
        request = metric_pb.LogMetricRequest(
            run_id=run_id, key=key, value=checked, timestamp=when, step=step or 0
        )
        self._transport.call(lambda s: s.metrics.LogMetric, request)
        return None

    def set_tag(
        self, run_id: str, key: str, value: Any, synchronous: bool | None = None
    ) -> PendingWrite | None:
        """Sets (inserts or overwrites) a run tag; setting `mlflow.runName` renames the run."""
        if self._queued(synchronous):
            return self._async().submit(run_id, tags=[RunTag(key, str(value))])
        request = run_pb.SetRunTagRequest(run_id=run_id, key=key, value=str(value))
        self._transport.call(lambda s: s.runs.SetRunTag, request)
        return None

    def delete_tag(self, run_id: str, key: str) -> None:
        """Removes a run tag. NotFoundError if the run has no such tag. Always synchronous; it
        first sends any queued writes, so it never overtakes a queued `set_tag`."""
        self.flush()
        request = run_pb.DeleteRunTagRequest(run_id=run_id, key=key)
        self._transport.call(lambda s: s.runs.DeleteRunTag, request)

    def log_batch(
        self,
        run_id: str,
        metrics: Iterable[Metric] = (),
        params: Iterable[Param] | Mapping[str, Any] = (),
        tags: Iterable[RunTag] | Mapping[str, Any] = (),
        synchronous: bool | None = None,
    ) -> PendingWrite | None:
        """Logs metrics, params and tags, split into requests within the server's limits
        (1000 metrics, 100 params, 100 tags each).

        Each request is atomic and has its own request id; a batch that needs several requests
        is not atomic as a whole: if one fails, the ones before it stay written. Every metric
        value is checked before anything is sent. Asynchronously, a batch within the limits
        travels as one request (possibly with other queued writes to the same run).
        """
        metric_list = [
            Metric(m.key, _convert.metric_value(m.key, m.value), m.timestamp, m.step)
            for m in metrics
        ]
        param_list, tag_list = _params(params), _tags(tags)
        if self._queued(synchronous):
            fits = (
                len(metric_list) <= MAX_METRICS
                and len(param_list) <= MAX_PARAMS
                and len(tag_list) <= MAX_TAGS
            )
            if fits:
                return self._async().submit(run_id, metric_list, param_list, tag_list)
            self.flush()  # an oversized batch goes synchronously, after what is queued
        self._send_batch(run_id, metric_list, param_list, tag_list)
        return None

    def flush(self, timeout: float | None = None) -> None:
        """Waits until every write queued by this client (in this process) has been sent.

        Raises:
            AsyncLoggingError: some queued writes failed and nobody called their `wait()`;
                its `errors` lists them.
            TimeoutError: writes were still queued after `timeout` seconds.
        """
        logger = self._async_logger
        if logger is not None and logger.owner_pid == os.getpid():
            logger.flush(timeout)

    def _queued(self, synchronous: bool | None) -> bool:
        return not synchronous if synchronous is not None else async_logging_enabled()

    def _async(self) -> AsyncLogger:
        with self._async_lock:
            logger = self._async_logger
            # A child process after fork() gets its own sender; the parent's queue stays his.
            if logger is None or logger.owner_pid != os.getpid():
                logger = self._async_logger = AsyncLogger(self._send_batch)
            return logger

    def _send_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[RunTag],
        writer_id: str = "",
        write_ids: Sequence[WriteId] = (),
    ) -> None:
        """Sends the items in LogBatch requests within the server's limits. The asynchronous
        logger's batches fit in one request and name the ids of the writes they carry."""
        metric_msgs = [_convert.metric_to_proto(m) for m in metrics]
        param_msgs = [_convert.param_to_proto(p) for p in params]
        tag_msgs = [_convert.tag_to_proto(t) for t in tags]
        chunks = max(
            math.ceil(len(metric_msgs) / MAX_METRICS),
            math.ceil(len(param_msgs) / MAX_PARAMS),
            math.ceil(len(tag_msgs) / MAX_TAGS),
        )
        for i in range(chunks):
            request = run_pb.LogBatchRequest(
                run_id=run_id,
                metrics=metric_msgs[i * MAX_METRICS : (i + 1) * MAX_METRICS],
                params=param_msgs[i * MAX_PARAMS : (i + 1) * MAX_PARAMS],
                tags=tag_msgs[i * MAX_TAGS : (i + 1) * MAX_TAGS],
            )
            if write_ids:
                request.writes.writer_id = writer_id
                request.writes.writes.extend(
                    run_pb.BatchWrite(
                        sequence=w.sequence,
                        metric_count=w.metrics,
                        param_count=w.params,
                        tag_count=w.tags,
                    )
                    for w in write_ids
                )
            self._transport.call(lambda s: s.runs.LogBatch, request)
