from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class LifecycleStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIFECYCLE_STAGE_UNSPECIFIED: _ClassVar[LifecycleStage]
    LIFECYCLE_STAGE_ACTIVE: _ClassVar[LifecycleStage]
    LIFECYCLE_STAGE_DELETED: _ClassVar[LifecycleStage]

class ViewType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIEW_TYPE_UNSPECIFIED: _ClassVar[ViewType]
    VIEW_TYPE_ACTIVE_ONLY: _ClassVar[ViewType]
    VIEW_TYPE_DELETED_ONLY: _ClassVar[ViewType]
    VIEW_TYPE_ALL: _ClassVar[ViewType]
LIFECYCLE_STAGE_UNSPECIFIED: LifecycleStage
LIFECYCLE_STAGE_ACTIVE: LifecycleStage
LIFECYCLE_STAGE_DELETED: LifecycleStage
VIEW_TYPE_UNSPECIFIED: ViewType
VIEW_TYPE_ACTIVE_ONLY: ViewType
VIEW_TYPE_DELETED_ONLY: ViewType
VIEW_TYPE_ALL: ViewType
