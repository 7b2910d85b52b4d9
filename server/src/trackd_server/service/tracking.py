"""The composition root of the service layer: one store, the services over it, and the
artifact store the artifact service proxies to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..artifacts import ArtifactStore, open_artifact_store
from ..store.protocol import TrackingStore
from .artifacts import ArtifactService
from .clock import now_ms
from .experiments import ExperimentService
from .idempotency import RETENTION_MS
from .metrics import MetricService
from .pagination import PageTokens
from .runs import RunService

PAGE_TOKEN_KEY_SETTING = "page_token_key"


@dataclass(frozen=True)
class TrackingServices:
    experiments: ExperimentService
    runs: RunService
    metrics: MetricService
    store: TrackingStore
    artifacts: ArtifactService

    def expire_request_ids(self) -> int:
        """Forgets request ids older than the retention period; returns how many."""
        with self.store.transaction(write=True) as tx:
            return tx.idempotency.expire(now_ms() - RETENTION_MS)


def build_services(
    store: TrackingStore, artifact_root: str, artifact_store: ArtifactStore | None = None
) -> TrackingServices:
    """Wires the services and prepares the store's shared state (the default experiment and
    the page-token key); the schema must already be at the latest revision.

    `artifact_root` is where new experiments' artifact locations go; `artifact_store` holds
    the bytes (default: a local store whose destination is `artifact_root`)."""
    key = store.setting(PAGE_TOKEN_KEY_SETTING, secrets.token_hex(32))
    tokens = PageTokens(bytes.fromhex(key))
    artifacts = ArtifactService(store, artifact_store or open_artifact_store(artifact_root), tokens)
    services = TrackingServices(
        experiments=ExperimentService(
            store, artifact_root, tokens, check_location=artifacts.check_location
        ),
        runs=RunService(store, tokens),
        metrics=MetricService(store, tokens),
        store=store,
        artifacts=artifacts,
    )
    services.experiments.ensure_default_experiment()
    return services
