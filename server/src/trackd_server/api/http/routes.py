"""The route table, built from the `google.api.http` options of the service descriptors.

Nothing here names an RPC: every method of every bound service that carries an HTTP rule
becomes a route, so a new RPC in the proto is reachable over HTTP once `make gen` has run.

Path templates follow google/api/http.proto: literal segments, variables `{field.path}` (one
segment) or `{field.path=pattern}` with `*` (one segment) and `**` (any number of segments),
and an optional `:verb` suffix. A variable never matches a literal `:` (use `%3A`), so
`/v1/runs/abc:delete` reaches the `:delete` route and never GetRun with id "abc:delete".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from trackd_server.api.http.errors import HttpError

_SEGMENT = r"[^/:]+"
_SEGMENTS = r"[^/:]+(?:/[^/:]+)*"
_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class Route:
    """One HTTP rule of one RPC."""

    http_method: str
    template: str
    body: str
    method: MethodDescriptor
    pattern: re.Pattern[str]
    variables: tuple[str, ...]
    literal_chars: int = field(compare=False)

    def bind(self, path: str) -> dict[str, str] | None:
        """The percent-decoded variable values of `path`, or None when it does not match."""
        match = self.pattern.fullmatch(path)
        if match is None:
            return None
        return {name: unquote(match.group(i + 1)) for i, name in enumerate(self.variables)}


def _compile_pattern(pattern: str) -> str:
    parts = []
    for segment in pattern.split("/"):
        if segment == "**":
            parts.append(_SEGMENTS)
        elif segment == "*":
            parts.append(_SEGMENT)
        else:
            parts.append(re.escape(segment))
    return "/".join(parts)


def compile_template(template: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    """A regular expression for `template`, its variable field paths and its literal length.

    The literal length ranks routes: when two templates of the same HTTP method match a path,
    the one with more literal characters (the more specific one) wins.
    """
    if not template.startswith("/"):
        raise ValueError(f"HTTP path template {template!r} does not start with '/'")
    regex, variables, literal_chars, pos = [], [], 0, 0
    for match in _VARIABLE.finditer(template):
        literal = template[pos : match.start()]
        regex.append(_compile_pattern(literal))
        literal_chars += len(literal.replace("*", ""))
        variables.append(match.group(1))
        regex.append("(" + _compile_pattern(match.group(2) or "*") + ")")
        pos = match.end()
    tail = template[pos:]
    regex.append(_compile_pattern(tail))
    literal_chars += len(tail.replace("*", ""))
    return re.compile("".join(regex)), tuple(variables), literal_chars


def _rules(method: MethodDescriptor) -> Iterable[http_pb2.HttpRule]:
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
    yield rule
    yield from rule.additional_bindings


def _route(rule: http_pb2.HttpRule, method: MethodDescriptor) -> Route | None:
    kind = rule.WhichOneof("pattern")
    if kind is None:
        return None
    if kind == "custom":
        http_method, template = rule.custom.kind.upper(), rule.custom.path
    else:
        http_method, template = kind.upper(), getattr(rule, kind)
    pattern, variables, literal_chars = compile_template(template)
    return Route(http_method, template, rule.body, method, pattern, variables, literal_chars)


def routes_for(service: ServiceDescriptor) -> list[Route]:
    """Every HTTP route of `service`, additional bindings included."""
    routes = []
    for method in service.methods:
        for rule in _rules(method):
            route = _route(rule, method)
            if route is not None:
                routes.append(route)
    return routes


class RouteTable:
    """Finds the route of a request: 404 when no template matches, 405 when only the HTTP
    method is wrong (with the allowed methods in `Allow`)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: -r.literal_chars)

    def match(self, http_method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: list[str] = []
        for route in self.routes:
            bindings = route.bind(path)
            if bindings is None:
                continue
            if route.http_method == http_method:
                return route, bindings
            allowed.append(route.http_method)
        if allowed:
            allow = ", ".join(sorted(set(allowed)))
            raise HttpError(
                "UNIMPLEMENTED",
                "METHOD_NOT_ALLOWED",
                f"{http_method} is not allowed on {path}; allowed: {allow}",
                http_status=405,
                metadata={"method": http_method, "path": path, "allow": allow},
                headers={"Allow": allow},
            )
        raise HttpError(
            "NOT_FOUND",
            "ROUTE_NOT_FOUND",
            f"no route for {http_method} {path}",
            metadata={"method": http_method, "path": path},
        )
