"""Everything a station's database holds, as bytes: to check that a secret is nowhere in it."""

from __future__ import annotations

from loa.core.db import sqlite_path
from loa.core.station import Station


def database_bytes(station: Station) -> bytes:
    """The SQLite file's bytes, or on PostgreSQL every row of every table of the station's
    schema rendered as text."""
    path = sqlite_path(station.db_url)
    if path is not None:
        station.engine.dispose()
        parts = [path.read_bytes()]
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            parts.append(wal.read_bytes())
        return b"".join(parts)
    from sqlalchemy import inspect, text

    out: list[str] = []
    with station.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                out.append(repr(tuple(row)))
    return "\n".join(out).encode()
