"""Artifact path safety: every path a client names is canonicalised and checked for
containment in the run's root, never matched against a list of bad strings.

A path is checked in the form it arrived in and in every form that percent-decoding produces
(decoding is repeated until the text no longer changes), so that a layer that decodes later
(an HTTP proxy, a URL built from an S3 key) cannot turn `%252e%252e%252f` into `../`. The path
that is used is the canonical form of the text as received: a file may be named `a%20b.txt`.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from ..domain.errors import InvalidArgument

MAX_PATH_BYTES = 1024  # S3's key limit; also far below PATH_MAX
MAX_SEGMENT_BYTES = 255  # NAME_MAX of common file systems
MAX_DECODE_ROUNDS = 8
UNSAFE_PATH = "UNSAFE_ARTIFACT_PATH"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SENTINEL_ROOT = "/root"


def unsafe(field: str, value: str, why: str) -> InvalidArgument:
    """The INVALID_ARGUMENT for an unsafe path or location, saying why."""
    return InvalidArgument(
        f"{field}: {value[:200]!r} {why}",
        reason=UNSAFE_PATH,
        metadata={"field": field, "path": value[:200]},
    )


def decoded_forms(text: str) -> list[str]:
    """`text` and each distinct result of percent-decoding it again and again."""
    forms = [text]
    for _ in range(MAX_DECODE_ROUNDS):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            return forms
        forms.append(decoded)
    raise ValueError("is percent-encoded more times than any real file name")


def _problem(form: str) -> str | None:
    """Why `form` is not a safe relative path, or None."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in form):
        return "contains NUL or another control character"
    if "\\" in form:
        return "contains a backslash; separate directories with '/'"
    for char in "#?;":
        if char in form:
            return f"contains {char!r}, which is not allowed in an artifact path"
    if form.startswith("/"):
        return "is absolute; artifact paths are relative to the run's artifact root"
    if _SCHEME.match(form):
        return "looks like a URI or a drive letter; artifact paths are plain relative paths"
    if not contained(_SENTINEL_ROOT, posixpath.join(_SENTINEL_ROOT, form)):
        return "leaves the run's artifact root"
    return None


def contained(root: str, candidate: str) -> bool:
    """Whether `candidate`, once normalised, is `root` or inside it (both POSIX paths)."""
    root = posixpath.normpath(root)
    candidate = posixpath.normpath(candidate)
    return candidate == root or candidate.startswith(root.rstrip("/") + "/")


def canonical(text: str) -> str:
    """The normalised relative form: no `.`, no empty segments, no trailing `/`; "" = root."""
    normal = posixpath.normpath(posixpath.join(_SENTINEL_ROOT, text))
    return "" if normal == _SENTINEL_ROOT else normal[len(_SENTINEL_ROOT) + 1 :]


def relative_path(value: str, field: str = "path", allow_root: bool = True) -> str:
    """The canonical relative artifact path of `value`; INVALID_ARGUMENT if it is unsafe."""
    try:
        forms = decoded_forms(value)
    except ValueError as exc:
        raise unsafe(field, value, str(exc)) from None
    for form in forms:
        why = _problem(form)
        if why is not None:
            raise unsafe(field, value, why)
    path = canonical(value)
    if not path and not allow_root:
        raise unsafe(field, value, "names the run's artifact root, not a file")
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise unsafe(field, value, f"is longer than {MAX_PATH_BYTES} bytes")
    if any(len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES for segment in path.split("/")):
        raise unsafe(field, value, f"has a name longer than {MAX_SEGMENT_BYTES} bytes")
    return path


def join(*parts: str) -> str:
    """Joins canonical relative paths ("" is the root)."""
    return "/".join(p for p in parts if p)


def sort_key(name: str, is_dir: bool) -> str:
    """The order of a listing and of its page cursor, the same for every store: S3 orders keys
    by bytes, and a directory `a` is the key prefix `a/`, which sorts after `a.txt`."""
    return name + "/" if is_dir else name


def location_problem(text: str) -> str | None:
    """Why an absolute location (a path or a URI's path) is unsafe, or None. Unlike an
    artifact path it is absolute, but no decoded form of it may contain a `..` segment."""
    try:
        forms = decoded_forms(text)
    except ValueError as exc:
        return str(exc)
    for form in forms:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in form):
            return "contains NUL or another control character"
        if "\\" in form:
            return "contains a backslash"
        for char in "#?;":
            if char in form:
                return f"contains {char!r}"
        if ".." in form.split("/"):
            return "contains a '..' segment"
    return None
