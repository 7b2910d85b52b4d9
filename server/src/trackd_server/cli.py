"""The `trackd` command: `trackd server`, `trackd db upgrade URI`, `trackd --version`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .runtime import ServerConfig, run_server, upgrade_database

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50051
DEFAULT_HTTP_PORT = 50052
DEFAULT_STORE = "sqlite:///trackd.db"
DEFAULT_ARTIFACTS = "trackd-artifacts"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trackd", description="trackd experiment tracking")
    parser.add_argument("--version", action="version", version=f"trackd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("server", help="serve the tracking API")
    server.add_argument(
        "--backend-store-uri",
        default=DEFAULT_STORE,
        help="postgresql://user:password@host:port/db or sqlite:///path.db (default: %(default)s "
        "in the working directory)",
    )
    server.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    server.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="gRPC port (default: %(default)s)"
    )
    server.add_argument(
        "--http-port",
        type=int,
        default=DEFAULT_HTTP_PORT,
        help="HTTP/JSON port, 0 to disable (default: %(default)s)",
    )
    server.add_argument(
        "--default-artifact-root",
        default=DEFAULT_ARTIFACTS,
        help="where new experiments keep artifacts (default: ./%(default)s)",
    )
    server.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port; use the number of cores (default: %(default)s)",
    )
    server.add_argument(
        "--threads",
        type=int,
        default=16,
        help="concurrent calls per process (default: %(default)s)",
    )
    server.add_argument(
        "--shutdown-grace",
        type=float,
        default=30.0,
        help="seconds in-flight calls get to finish on SIGTERM/SIGINT (default: %(default)s)",
    )
    server.add_argument("--log-level", default="INFO", help="logging level (default: %(default)s)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="bring a database's schema to this version")
    upgrade.add_argument("uri", help="the backend store URI")
    return parser


def _artifact_root(value: str) -> str:
    if "://" in value:
        return value.rstrip("/")
    return Path(value).resolve().as_uri()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "db":
        upgrade_database(args.uri)
        print(f"database at {args.uri} is at the latest schema revision")
        return 0
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    config = ServerConfig(
        store_uri=args.backend_store_uri,
        host=args.host,
        port=args.port,
        http_port=args.http_port,
        artifact_root=_artifact_root(args.default_artifact_root),
        workers=args.workers,
        threads=args.threads,
        shutdown_grace=args.shutdown_grace,
    )
    return run_server(config)


if __name__ == "__main__":
    sys.exit(main())
