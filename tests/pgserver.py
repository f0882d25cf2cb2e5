"""The PostgreSQL server the tests use: a database of their own per run, a schema per test.

The server is the one on 127.0.0.1:5432 (LOA_TEST_POSTGRES_URL names another). It must answer:
CI has one, and .ci/run checks it with pg_isready. Set LOA_TEST_NO_POSTGRES=1 to say out loud
that this machine has none; the PostgreSQL half of the tests is then skipped with that reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get(
    "LOA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _admin():  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(ADMIN_URL)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        dbname=url.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


def database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(ADMIN_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database on the test server (its URL), dropped afterwards."""
    if os.environ.get("LOA_TEST_NO_POSTGRES") == "1":
        pytest.skip("LOA_TEST_NO_POSTGRES=1: this machine has no PostgreSQL server")
    name = f"loa_test_{secrets.token_hex(6)}"
    try:
        admin = _admin()
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at {ADMIN_URL.split('@')[-1]} does not answer ({exc}); start it, or set "
            "LOA_TEST_NO_POSTGRES=1 on a machine without one",
            pytrace=False,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
