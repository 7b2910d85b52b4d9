"""Errors that only artifact transfers report. They extend the common hierarchy in
`domain.errors`, so the one interceptor maps them like any other."""

from __future__ import annotations

from .errors import TrackdError


class DataLoss(TrackdError):
    """What arrived is not what the client said it sent (size or checksum); nothing was kept."""

    code = "DATA_LOSS"
    default_reason = "ARTIFACT_CHECKSUM_MISMATCH"
