"""The `trackd` command: `trackd server`, `trackd db upgrade URI`, `trackd runs export`,
`trackd --version`.

`pip install trackd` installs this command without the server's dependencies (those come with
the `[server]` extra). So this module imports only the standard library at the top: `--help`,
`--version` and `runs export` (a client, in the client package) work on a client-only
install, and `server` and `db` say which extra they need instead of failing on an import.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50051
DEFAULT_HTTP_PORT = 50052
DEFAULT_STORE = "sqlite:///trackd.db"
DEFAULT_ARTIFACTS = "trackd-artifacts"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trackd",
        description="trackd experiment tracking",
        epilog="`server` and `db` need the server extra (pip install 'trackd[server]'); "
        "`runs export` needs only the client (Parquet: pip install 'trackd[parquet]').",
    )
    parser.add_argument("--version", action="version", version=f"trackd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("server", help="serve the tracking API (needs the server extra)")
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
        "--artifacts-destination",
        default=None,
        help="where the server stores artifact bytes: a directory, file:///dir or "
        "s3://bucket/prefix (default: the --default-artifact-root)",
    )
    server.add_argument(
        "--default-artifact-root",
        default=None,
        help="where new experiments' artifact locations go; must be inside the artifacts "
        f"destination (default: the destination, else ./{DEFAULT_ARTIFACTS})",
    )
    server.add_argument(
        "--s3-endpoint-url",
        default=None,
        help="endpoint of an S3-compatible store such as MinIO (default: $AWS_ENDPOINT_URL, "
        "else AWS); credentials come from the standard AWS environment",
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

    db = commands.add_parser("db", help="database maintenance (needs the server extra)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="bring a database's schema to this version")
    upgrade.add_argument("uri", help="the backend store URI")

    runs = commands.add_parser("runs", help="work with the runs on a trackd server")
    runs_commands = runs.add_subparsers(dest="runs_command", required=True)
    export = runs_commands.add_parser(
        "export", help="write an experiment's runs to CSV, Parquet or JSON Lines"
    )
    export.add_argument("--experiment", required=True, help="the experiment's name")
    export.add_argument("--filter", default="", help='a search filter, e.g. "metrics.loss < 1"')
    export.add_argument(
        "--tracking-uri",
        default=None,
        help="grpc://host:port of the server (default: $TRACKD_TRACKING_URI, else "
        "grpc://127.0.0.1:50051)",
    )
    export.add_argument("--format", required=True, choices=("csv", "parquet", "jsonl"))
    export.add_argument("-o", "--output", required=True, help="the file to write")
    return parser


def _artifact_root(value: str) -> str:
    if "://" in value:
        return value.rstrip("/")
    return Path(value).resolve().as_uri()


def _artifact_settings(destination: str | None, root: str | None) -> tuple[str, str]:
    """(destination, default artifact root): either defaults to the other, both to
    ./trackd-artifacts. The server checks at start-up that the root is inside the
    destination."""
    if destination is None and root is None:
        root = DEFAULT_ARTIFACTS
    resolved_destination = _artifact_root(destination or str(root))
    return resolved_destination, _artifact_root(root) if root else resolved_destination


SERVER_EXTRA_HINT = "pip install 'trackd[server]'"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "runs":
        return _export(args)
    try:
        from . import runtime
    except ModuleNotFoundError as exc:
        # A module of ours missing is a broken install, not a missing extra.
        if (exc.name or "").split(".")[0] in ("trackd", "trackd_server"):
            raise
        print(
            f"trackd {args.command}: needs the server extra ({exc.name} is not installed): "
            f"{SERVER_EXTRA_HINT}",
            file=sys.stderr,
        )
        return 2
    if args.command == "db":
        runtime.upgrade_database(args.uri)
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
    destination, root = _artifact_settings(args.artifacts_destination, args.default_artifact_root)
    config = runtime.ServerConfig(
        store_uri=args.backend_store_uri,
        host=args.host,
        port=args.port,
        http_port=args.http_port,
        artifact_root=root,
        artifacts_destination=destination,
        s3_endpoint_url=args.s3_endpoint_url or "",
        workers=args.workers,
        threads=args.threads,
        shutdown_grace=args.shutdown_grace,
    )
    return runtime.run_server(config)


def _export(args: argparse.Namespace) -> int:
    # Imported here, and only the client's public API: serving does not need the client side.
    from trackd.exceptions import TrackdError
    from trackd.export import export_runs

    try:
        count = export_runs(
            args.tracking_uri, args.experiment, args.output, args.format, args.filter
        )
    except (TrackdError, ImportError) as exc:
        print(f"trackd runs export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {count} runs to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
