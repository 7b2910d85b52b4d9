from google.api import annotations_pb2 as _annotations_pb2
from trackd.v1 import common_pb2 as _common_pb2
from trackd.v1 import run_pb2 as _run_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateRunRequest(_message.Message):
    __slots__ = ("experiment_id", "run_name", "start_time", "tags", "parent_run_id", "user_id", "request_id")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    run_name: str
    start_time: int
    tags: _containers.RepeatedCompositeFieldContainer[_run_pb2.RunTag]
    parent_run_id: str
    user_id: str
    request_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., run_name: _Optional[str] = ..., start_time: _Optional[int] = ..., tags: _Optional[_Iterable[_Union[_run_pb2.RunTag, _Mapping]]] = ..., parent_run_id: _Optional[str] = ..., user_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _run_pb2.Run
    def __init__(self, run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _run_pb2.Run
    def __init__(self, run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ...) -> None: ...

class UpdateRunRequest(_message.Message):
    __slots__ = ("run_id", "status", "end_time", "run_name", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    RUN_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    status: _run_pb2.RunStatus
    end_time: int
    run_name: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., status: _Optional[_Union[_run_pb2.RunStatus, str]] = ..., end_time: _Optional[int] = ..., run_name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateRunResponse(_message.Message):
    __slots__ = ("run_info",)
    RUN_INFO_FIELD_NUMBER: _ClassVar[int]
    run_info: _run_pb2.RunInfo
    def __init__(self, run_info: _Optional[_Union[_run_pb2.RunInfo, _Mapping]] = ...) -> None: ...

class DeleteRunRequest(_message.Message):
    __slots__ = ("run_id", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DeleteRunResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RestoreRunRequest(_message.Message):
    __slots__ = ("run_id", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RestoreRunResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetRunTagRequest(_message.Message):
    __slots__ = ("run_id", "key", "value", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    value: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., value: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRunTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteRunTagRequest(_message.Message):
    __slots__ = ("run_id", "key", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DeleteRunTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LogParamRequest(_message.Message):
    __slots__ = ("run_id", "key", "value", "request_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    value: str
    request_id: str
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., value: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LogParamResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LogBatchRequest(_message.Message):
    __slots__ = ("run_id", "metrics", "params", "tags", "request_id", "writes")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    metrics: _containers.RepeatedCompositeFieldContainer[_run_pb2.Metric]
    params: _containers.RepeatedCompositeFieldContainer[_run_pb2.Param]
    tags: _containers.RepeatedCompositeFieldContainer[_run_pb2.RunTag]
    request_id: str
    writes: BatchWrites
    def __init__(self, run_id: _Optional[str] = ..., metrics: _Optional[_Iterable[_Union[_run_pb2.Metric, _Mapping]]] = ..., params: _Optional[_Iterable[_Union[_run_pb2.Param, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[_run_pb2.RunTag, _Mapping]]] = ..., request_id: _Optional[str] = ..., writes: _Optional[_Union[BatchWrites, _Mapping]] = ...) -> None: ...

class BatchWrites(_message.Message):
    __slots__ = ("writer_id", "writes")
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    writer_id: str
    writes: _containers.RepeatedCompositeFieldContainer[BatchWrite]
    def __init__(self, writer_id: _Optional[str] = ..., writes: _Optional[_Iterable[_Union[BatchWrite, _Mapping]]] = ...) -> None: ...

class BatchWrite(_message.Message):
    __slots__ = ("sequence", "metric_count", "param_count", "tag_count")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    METRIC_COUNT_FIELD_NUMBER: _ClassVar[int]
    PARAM_COUNT_FIELD_NUMBER: _ClassVar[int]
    TAG_COUNT_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    metric_count: int
    param_count: int
    tag_count: int
    def __init__(self, sequence: _Optional[int] = ..., metric_count: _Optional[int] = ..., param_count: _Optional[int] = ..., tag_count: _Optional[int] = ...) -> None: ...

class LogBatchResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SearchRunsRequest(_message.Message):
    __slots__ = ("experiment_ids", "filter", "view_type", "order_by", "page_size", "page_token", "read_mask")
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    VIEW_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    READ_MASK_FIELD_NUMBER: _ClassVar[int]
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    filter: str
    view_type: _common_pb2.ViewType
    order_by: _containers.RepeatedScalarFieldContainer[str]
    page_size: int
    page_token: str
    read_mask: RunReadMask
    def __init__(self, experiment_ids: _Optional[_Iterable[str]] = ..., filter: _Optional[str] = ..., view_type: _Optional[_Union[_common_pb2.ViewType, str]] = ..., order_by: _Optional[_Iterable[str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., read_mask: _Optional[_Union[RunReadMask, _Mapping]] = ...) -> None: ...

class RunReadMask(_message.Message):
    __slots__ = ("metric_keys", "all_metrics", "param_keys", "all_params", "tag_keys", "all_tags")
    METRIC_KEYS_FIELD_NUMBER: _ClassVar[int]
    ALL_METRICS_FIELD_NUMBER: _ClassVar[int]
    PARAM_KEYS_FIELD_NUMBER: _ClassVar[int]
    ALL_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    ALL_TAGS_FIELD_NUMBER: _ClassVar[int]
    metric_keys: _containers.RepeatedScalarFieldContainer[str]
    all_metrics: bool
    param_keys: _containers.RepeatedScalarFieldContainer[str]
    all_params: bool
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    all_tags: bool
    def __init__(self, metric_keys: _Optional[_Iterable[str]] = ..., all_metrics: _Optional[bool] = ..., param_keys: _Optional[_Iterable[str]] = ..., all_params: _Optional[bool] = ..., tag_keys: _Optional[_Iterable[str]] = ..., all_tags: _Optional[bool] = ...) -> None: ...

class SearchRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[_run_pb2.Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[_run_pb2.Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
