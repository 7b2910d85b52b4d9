from google.api import annotations_pb2 as _annotations_pb2
from trackd.v1 import run_pb2 as _run_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HistoryLayout(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HISTORY_LAYOUT_UNSPECIFIED: _ClassVar[HistoryLayout]
    HISTORY_LAYOUT_ROWS: _ClassVar[HistoryLayout]
    HISTORY_LAYOUT_COLUMNS: _ClassVar[HistoryLayout]
HISTORY_LAYOUT_UNSPECIFIED: HistoryLayout
HISTORY_LAYOUT_ROWS: HistoryLayout
HISTORY_LAYOUT_COLUMNS: HistoryLayout

class LogMetricRequest(_message.Message):
    __slots__ = ("run_id", "key", "value", "timestamp", "step", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    value: float
    timestamp: int
    step: int
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., value: _Optional[float] = ..., timestamp: _Optional[int] = ..., step: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class LogMetricResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetMetricHistoryRequest(_message.Message):
    __slots__ = ("run_id", "metric_key", "page_size", "page_token", "max_points", "start_step", "end_step", "layout")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    METRIC_KEY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    START_STEP_FIELD_NUMBER: _ClassVar[int]
    END_STEP_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    metric_key: str
    page_size: int
    page_token: str
    max_points: int
    start_step: int
    end_step: int
    layout: HistoryLayout
    def __init__(self, run_id: _Optional[str] = ..., metric_key: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., max_points: _Optional[int] = ..., start_step: _Optional[int] = ..., end_step: _Optional[int] = ..., layout: _Optional[_Union[HistoryLayout, str]] = ...) -> None: ...

class GetMetricHistoryResponse(_message.Message):
    __slots__ = ("metrics", "next_page_token", "total_points", "downsampled", "columns")
    METRICS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POINTS_FIELD_NUMBER: _ClassVar[int]
    DOWNSAMPLED_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[_run_pb2.Metric]
    next_page_token: str
    total_points: int
    downsampled: bool
    columns: MetricColumns
    def __init__(self, metrics: _Optional[_Iterable[_Union[_run_pb2.Metric, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_points: _Optional[int] = ..., downsampled: _Optional[bool] = ..., columns: _Optional[_Union[MetricColumns, _Mapping]] = ...) -> None: ...

class MetricColumns(_message.Message):
    __slots__ = ("steps", "timestamps", "values")
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedScalarFieldContainer[int]
    timestamps: _containers.RepeatedScalarFieldContainer[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, steps: _Optional[_Iterable[int]] = ..., timestamps: _Optional[_Iterable[int]] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class GetMetricHistoryBulkRequest(_message.Message):
    __slots__ = ("run_ids", "metric_keys", "start_step", "end_step", "max_points", "layout")
    RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    METRIC_KEYS_FIELD_NUMBER: _ClassVar[int]
    START_STEP_FIELD_NUMBER: _ClassVar[int]
    END_STEP_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    run_ids: _containers.RepeatedScalarFieldContainer[str]
    metric_keys: _containers.RepeatedScalarFieldContainer[str]
    start_step: int
    end_step: int
    max_points: int
    layout: HistoryLayout
    def __init__(self, run_ids: _Optional[_Iterable[str]] = ..., metric_keys: _Optional[_Iterable[str]] = ..., start_step: _Optional[int] = ..., end_step: _Optional[int] = ..., max_points: _Optional[int] = ..., layout: _Optional[_Union[HistoryLayout, str]] = ...) -> None: ...

class GetMetricHistoryBulkResponse(_message.Message):
    __slots__ = ("series", "max_points")
    SERIES_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    series: _containers.RepeatedCompositeFieldContainer[MetricSeries]
    max_points: int
    def __init__(self, series: _Optional[_Iterable[_Union[MetricSeries, _Mapping]]] = ..., max_points: _Optional[int] = ...) -> None: ...

class MetricSeries(_message.Message):
    __slots__ = ("run_id", "metric_key", "points", "total_points", "downsampled", "columns")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    METRIC_KEY_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POINTS_FIELD_NUMBER: _ClassVar[int]
    DOWNSAMPLED_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    metric_key: str
    points: _containers.RepeatedCompositeFieldContainer[_run_pb2.Metric]
    total_points: int
    downsampled: bool
    columns: MetricColumns
    def __init__(self, run_id: _Optional[str] = ..., metric_key: _Optional[str] = ..., points: _Optional[_Iterable[_Union[_run_pb2.Metric, _Mapping]]] = ..., total_points: _Optional[int] = ..., downsampled: _Optional[bool] = ..., columns: _Optional[_Union[MetricColumns, _Mapping]] = ...) -> None: ...
