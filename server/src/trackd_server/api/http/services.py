"""Which service each servicer implements, found from the generated code rather than a list.

A servicer is bound to the service whose generated `<Service>Servicer` base class it
subclasses (the same classes the gRPC server registers). Callers that do not subclass can pass
a mapping {service full name, e.g. "trackd.v1.RunService": servicer} instead.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType

from google.protobuf.descriptor import ServiceDescriptor

GENERATED_PACKAGE = "trackd.v1"


@dataclass(frozen=True)
class ServiceBinding:
    """A service descriptor and the object whose methods implement its RPCs."""

    service: ServiceDescriptor
    servicer: object


def _generated_modules(package: str) -> list[tuple[ModuleType, ModuleType]]:
    """Pairs of (`x_pb2`, `x_pb2_grpc`) modules of the generated package."""
    root = importlib.import_module(package)
    pairs = []
    for info in pkgutil.iter_modules(root.__path__):
        if info.name.endswith("_pb2_grpc"):
            grpc_module = importlib.import_module(f"{package}.{info.name}")
            pb2_module = importlib.import_module(f"{package}.{info.name[: -len('_grpc')]}")
            pairs.append((pb2_module, grpc_module))
    return pairs


def generated_services(
    package: str = GENERATED_PACKAGE,
) -> dict[str, tuple[ServiceDescriptor, type]]:
    """{service full name: (descriptor, generated Servicer base class)} of every service."""
    services: dict[str, tuple[ServiceDescriptor, type]] = {}
    for pb2_module, grpc_module in _generated_modules(package):
        for name, descriptor in pb2_module.DESCRIPTOR.services_by_name.items():
            base = getattr(grpc_module, f"{name}Servicer", None)
            if isinstance(base, type):
                services[descriptor.full_name] = (descriptor, base)
    return services


def bind_servicers(
    servicers: Sequence[object] | Mapping[str, object], package: str = GENERATED_PACKAGE
) -> list[ServiceBinding]:
    """Binds each servicer to its service; an unrecognisable servicer is a programming error."""
    known = generated_services(package)
    if isinstance(servicers, Mapping):
        bindings = []
        for full_name, servicer in servicers.items():
            if full_name not in known:
                raise ValueError(f"unknown service {full_name!r}; known: {sorted(known)}")
            bindings.append(ServiceBinding(known[full_name][0], servicer))
        return bindings
    bindings = []
    for servicer in servicers:
        matches = [desc for desc, base in known.values() if isinstance(servicer, base)]
        if not matches:
            raise ValueError(
                f"{type(servicer).__name__} subclasses no generated *Servicer class of "
                f"{package}; pass a mapping {{service full name: servicer}} instead"
            )
        bindings.extend(ServiceBinding(desc, servicer) for desc in matches)
    return bindings
