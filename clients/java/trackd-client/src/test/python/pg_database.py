"""Creates or drops a throw-away PostgreSQL database for the Java tests.

Usage: pg_database.py create|drop ADMIN_URL NAME. `create` prints the new database's URL.
Run with the repository's virtualenv Python (it has SQLAlchemy and psycopg).
"""

from __future__ import annotations

import sys

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def main(action: str, admin_url: str, name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unsafe database name: {name!r}")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if action == "create":
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        elif action == "drop":
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            raise SystemExit(f"unknown action {action!r}")
    engine.dispose()
    if action == "create":
        print(make_url(admin_url).set(database=name).render_as_string(hide_password=False))


if __name__ == "__main__":
    main(*sys.argv[1:4])
