"""Moves artifacts with the Python client, for the Java tests' cross-language checks.

Usage:
    artifacts.py download TRACKING_URI RUN_ID ARTIFACT_PATH DST_DIR
        downloads with TrackingClient.download_artifacts and prints the local path;
    artifacts.py upload TRACKING_URI RUN_ID LOCAL_FILE ARTIFACT_DIR
        uploads with TrackingClient.log_artifact ("" for the run's root).
"""

from __future__ import annotations

import sys

import trackd


def main(argv: list[str]) -> None:
    command, uri, run_id, first, second = argv
    client = trackd.TrackingClient(uri)
    if command == "download":
        print(client.download_artifacts(run_id, first, second))
    elif command == "upload":
        client.log_artifact(run_id, first, second or None)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
