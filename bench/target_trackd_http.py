"""The transport benchmark's operations over trackd's HTTP/JSON API, the way the R client and
curl use it: one kept-alive HTTP/1.1 connection, JSON bodies, no trackd imports."""

from __future__ import annotations

import http.client
import json
import uuid
from typing import Any
from urllib.parse import quote, urlsplit


class TrackdHttpTarget:
    """The subset of the workload's target API that the transport comparison measures."""

    name = "trackd-http"

    def __init__(self, uri: str) -> None:
        self.uri = uri
        parts = urlsplit(uri)
        self._connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=120
        )

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        self._connection.request(method, path, body=payload, headers=headers)
        reply = self._connection.getresponse()
        data = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {reply.status}: {data[:300]!r}")
        return json.loads(data)

    def experiment_id(self, name: str, create: bool) -> str:
        try:
            found = self._call("GET", f"/v1/experiments:getByName?name={quote(name)}")
            return str(found["experiment"]["experiment_id"])
        except RuntimeError:
            if not create:
                raise
        made = self._call("POST", "/v1/experiments", {"name": name})
        return str(made["experiment"]["experiment_id"])

    def create_run(self, experiment_id: str) -> str:
        made = self._call(
            "POST", "/v1/runs", {"experiment_id": experiment_id, "request_id": str(uuid.uuid4())}
        )
        return str(made["run"]["info"]["run_id"])

    def log_metric(self, run_id: str, key: str, value: float, step: int) -> None:
        body = {
            "key": key,
            "value": value,
            "step": step,
            "timestamp": 1_700_000_000_000 + step,
            "request_id": str(uuid.uuid4()),
        }
        self._call("POST", f"/v1/runs/{run_id}/metrics", body)

    def log_batch_metrics(self, run_id: str, points: list[tuple[str, float, int, int]]) -> None:
        metrics = [{"key": k, "value": v, "timestamp": ts, "step": s} for k, v, ts, s in points]
        body = {"metrics": metrics, "request_id": str(uuid.uuid4())}
        self._call("POST", f"/v1/runs/{run_id}:logBatch", body)

    def search_page(
        self,
        experiment_id: str,
        filter_string: str,
        order_by: list[str],
        max_results: int,
        page_token: str | None,
    ) -> tuple[list[str], str | None]:
        body: dict[str, Any] = {
            "experiment_ids": [experiment_id],
            "filter": filter_string,
            "order_by": order_by,
            "page_size": max_results,
        }
        if page_token:
            body["page_token"] = page_token
        page = self._call("POST", "/v1/runs:search", body)
        names = [run["info"].get("run_name", "") for run in page.get("runs", [])]
        return names, page.get("next_page_token") or None

    def close(self) -> None:
        self._connection.close()
