"""Regenerate the Python code for the trackd API from proto/ (run by `make gen`).

The generated modules land in clients/python/src/trackd/v1/, so that the proto import path
(`trackd/v1/run.proto`) is the Python import path (`trackd.v1.run_pb2`) and no generated import
has to be rewritten. google/api protos are taken from the googleapis-common-protos wheel and
also copied to build/third_party/proto for `buf lint`.

The clients' retry and deadline policy, proto/trackd/v1/service_config.json, is copied into the
Python package (beside the stubs) and into the R package's inst/, so that each built package
carries the one file; the Java build takes it from proto/ itself (a Maven resource).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import google.api
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "proto"
OUT = ROOT / "clients" / "python" / "src"
GENERATED_PACKAGE = OUT / "trackd" / "v1"
THIRD_PARTY = ROOT / "build" / "third_party" / "proto"
GOOGLE_API_FILES = ("annotations.proto", "http.proto")
SERVICE_CONFIG = PROTO_ROOT / "trackd" / "v1" / "service_config.json"
SERVICE_CONFIG_COPIES = (
    GENERATED_PACKAGE / "service_config.json",
    ROOT / "clients" / "r" / "inst" / "service_config.json",
)

SERVICE_LINE = re.compile(r"^service \w+", re.MULTILINE)


def copy_google_api_protos() -> Path:
    """Copy the google/api protos we import to build/third_party/proto; return that root."""
    source = Path(next(iter(google.api.__path__)))
    target = THIRD_PARTY / "google" / "api"
    target.mkdir(parents=True, exist_ok=True)
    for name in GOOGLE_API_FILES:
        shutil.copyfile(source / name, target / name)
    return THIRD_PARTY


def main() -> int:
    third_party = copy_google_api_protos()
    grpc_tools_protos = Path(protoc.__file__).parent / "_proto"
    if GENERATED_PACKAGE.exists():
        shutil.rmtree(GENERATED_PACKAGE)
    GENERATED_PACKAGE.mkdir(parents=True)
    protos = sorted(PROTO_ROOT.rglob("*.proto"))
    sources = [str(p.relative_to(PROTO_ROOT)) for p in protos]
    # grpc_tools writes a *_pb2_grpc.py for every file, an empty one (a version check only) for
    # files without a service; only the files that declare services get one.
    with_services = [
        str(p.relative_to(PROTO_ROOT)) for p in protos if SERVICE_LINE.search(p.read_text())
    ]
    includes = [f"-I{PROTO_ROOT}", f"-I{third_party}", f"-I{grpc_tools_protos}"]
    runs = [
        [f"--python_out={OUT}", f"--pyi_out={OUT}", *sources],
        [f"--grpc_python_out={OUT}", *with_services],
    ]
    for outputs in runs:
        if protoc.main(["grpc_tools.protoc", *includes, *outputs]) != 0:
            print("protoc failed", file=sys.stderr)
            return 1
    (GENERATED_PACKAGE / "__init__.py").write_text(
        '"""Generated from proto/trackd/v1 by `make gen`. Do not edit."""\n'
    )
    for copy in SERVICE_CONFIG_COPIES:
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SERVICE_CONFIG, copy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
