"""One exported run as a flat record, independent of the output format."""

from __future__ import annotations

from dataclasses import dataclass

from trackd.entities import Run

from .source import SOURCE_NAME_TAG, SOURCE_TYPE_TAG, USER_TAG


@dataclass(frozen=True)
class RunRecord:
    """What every format writes of a run. Times are milliseconds since the epoch."""

    run_id: str
    run_name: str
    experiment_id: str
    status: str
    user: str
    source_type: str
    source_name: str
    start_time: int
    end_time: int | None
    params: dict[str, str]
    metrics: dict[str, float]

    @classmethod
    def from_run(cls, run: Run) -> RunRecord:
        tags = run.data.tags
        info = run.info
        return cls(
            run_id=info.run_id,
            run_name=info.run_name,
            experiment_id=info.experiment_id,
            status=str(info.status),
            user=tags.get(USER_TAG) or info.user_id,
            source_type=tags.get(SOURCE_TYPE_TAG, ""),
            source_name=tags.get(SOURCE_NAME_TAG, ""),
            start_time=info.start_time,
            end_time=info.end_time,
            params=dict(run.data.params),
            metrics=dict(run.data.metrics),
        )
