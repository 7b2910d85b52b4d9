"""Compiles parsed filter expressions to SQL conditions with bound parameters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def compile_run_filter(expression: Any) -> sa.ColumnElement[bool]:
    raise NotImplementedError("run filters are compiled once the filter language lands")


def compile_experiment_filter(expression: Any) -> sa.ColumnElement[bool]:
    raise NotImplementedError("experiment filters are compiled once the filter language lands")
