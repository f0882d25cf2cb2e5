"""Adding a station to a province: a new one, or an existing SQLite station with its history.

Everything in the database happens in one PostgreSQL transaction: the schema, its migrations,
the rows (seeded, or copied and checked row for row), and the register's line. A failure leaves
no schema, no register line and no folder behind.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from loa.core.db import Base, sqlite_path
from loa.core.errors import UserError
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.core.station import CONFIG_NAME, Station, station_toml
from loa.province.registry import (
    Prepared,
    Province,
    StationRecord,
    check_ident,
    prepare_database,
    stations_table,
)

T = Catalog(
    {
        "taken": (
            "Tỉnh đã có đài {ident}. Chọn tên khác, hoặc xem danh sách: loa province list.",
            "The province already has a station {ident}. Choose another name, or see the "
            "list: loa province list.",
        ),
        "folder_taken": (
            "Thư mục {path} đã có; xoá hoặc chuyển nó đi rồi chạy lại.",
            "The folder {path} already exists; remove or move it and run again.",
        ),
        "not_sqlite": (
            "Đài {path} không dùng tệp SQLite ({url}); chỉ nhập được đài một xã dùng SQLite.",
            "The station {path} does not keep a SQLite file ({url}); only a single-commune "
            "SQLite station can be imported.",
        ),
        "mismatch": (
            "Kiểm tra sau khi chép thấy bảng {table} khác bản gốc ({detail}); không có gì được "
            "lưu. Báo cho người quản trị kèm tệp cơ sở dữ liệu của đài.",
            "The check after copying found table {table} differs from the original ({detail}); "
            "nothing was saved. Tell the administrator and keep the station's database file.",
        ),
    }
)

BATCH = 1000


@dataclass(frozen=True)
class ImportCheck:
    """What was copied: rows per table, each compared with the original."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[Table]:
    import loa.channels.models  # noqa: F401  (every model registered on Base.metadata)

    return list(Base.metadata.sorted_tables)


def _rows(conn: Connection, table: Table) -> list[tuple[Any, ...]]:
    order = list(table.primary_key.columns) or list(table.columns)
    return [tuple(r) for r in conn.execute(select(table).order_by(*order))]


def _copy(source: Connection, target: Connection) -> ImportCheck:
    """Copy every table, then compare each with the original row for row; fix the sequences."""
    counts: dict[str, int] = {}
    for table in _tables():
        rows = _rows(source, table)
        names = [c.name for c in table.columns]
        for start in range(0, len(rows), BATCH):
            chunk = [dict(zip(names, r, strict=True)) for r in rows[start : start + BATCH]]
            target.execute(insert(table), chunk)
        copied = _rows(target, table)
        if copied != rows:
            detail = f"{len(rows)} / {len(copied)}"
            for a, b in zip(rows, copied, strict=False):
                if a != b:
                    detail = f"{a!r} ≠ {b!r}"[:300]
                    break
            raise UserError(T("mismatch", table=table.name, detail=detail))
        counts[table.name] = len(rows)
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and _is_int(pk[0].type):
            target.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f"GREATEST(COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0), 1), "
                    f"(SELECT MAX({pk[0].name}) FROM {table.name}) IS NOT NULL)"
                )
            )
    return ImportCheck(rows=counts)


def _is_int(type_: Any) -> bool:
    from sqlalchemy import Integer

    return isinstance(type_, Integer)


def _station_text(base: str, province: Province, ident: str) -> str:
    import tomlkit

    doc = tomlkit.parse(base)
    station = doc["station"]
    station["database"] = province.database
    station["schema"] = ident
    return tomlkit.dumps(doc)


def add_station(
    province: Province,
    ident: str,
    *,
    name: str = "",
    source: Path | None = None,
    now: datetime | None = None,
) -> tuple[StationRecord, ImportCheck | None]:
    """Register a station `ident` (its schema and folder name) in `province`.

    New (no `source`): the taxonomy seeded, like `loa init`. Imported (`source`, a single-commune
    station folder on SQLite): its loa.toml (database pointed at the province), media folder,
    encrypted token files and every row of every table, each table checked row for row against
    the original.
    Raises UserError.
    """
    from loa.content.taxonomy import seed_taxonomy
    from loa.core.db import MIGRATIONS

    check_ident(ident)
    clock = now or province.now()  # province messages are valid by the province's date
    now = now or datetime.now().replace(microsecond=0)
    folder = province.stations_dir / ident
    if ident in {r.ident for r in province.stations()}:
        raise UserError(T("taken", ident=ident))
    if folder.exists():
        raise UserError(T("folder_taken", path=folder))
    origin: Station | None = None
    if source is not None:
        from loa.core.station import find_station

        origin = find_station(source)
        if sqlite_path(origin.db_url) is None:
            raise UserError(T("not_sqlite", path=origin.root, url=origin.db_url))
        origin.engine  # noqa: B018  (brings the file to the newest schema first)
        base = (origin.root / CONFIG_NAME).read_text(encoding="utf-8")
        name = name or origin.name
    else:
        name = name or ident
        base = station_toml(name)
    toml_text = _station_text(base, province, ident)
    tomllib.loads(toml_text)
    engine = province.engine(schema=ident)
    check: ImportCheck | None = None
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{ident}"'))
            from alembic import command
            from alembic.config import Config

            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
            if origin is not None:
                with origin.engine.connect() as src:
                    check = _copy(src, conn)
            else:
                from sqlalchemy.orm import Session

                session = Session(bind=conn)
                seed_taxonomy(session)
                session.flush()
                session.close()
            conn.execute(
                insert(stations_table).values(
                    ident=ident,
                    name=name,
                    folder=f"stations/{ident}",
                    created_at=now,
                    imported_from=str(origin.root) if origin is not None else None,
                )
            )
            # the province messages still valid for every commune (tagged ones when tagged)
            from loa.province.messages import catch_up

            catch_up(conn, province, ident, now=clock)
            folder.mkdir(parents=True)
            try:
                if origin is not None and origin.media_dir.is_dir():
                    shutil.copytree(origin.media_dir, folder / origin.media_dir.name)
                else:
                    (folder / "media").mkdir()
                if origin is not None:
                    # the station's own encrypted token files (Zalo) go with it, still sealed
                    for secret in origin.root.glob("secrets.*"):
                        shutil.copy2(secret, folder / secret.name)
                atomic_write_text(folder / CONFIG_NAME, toml_text)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
    finally:
        engine.dispose()
    record = StationRecord(
        ident=ident,
        name=name,
        folder=folder,
        created_at=now,
        imported_from=str(origin.root) if origin is not None else None,
    )
    return record, check


def station_count(province: Province) -> int:
    engine = province.engine()
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(stations_table)) or 0)
    finally:
        engine.dispose()


def open_station(province: Province, ident: str, *, pool_size: int | None = None) -> Station:
    """The station `ident` of the province, opened from its folder. `pool_size`: connections
    its engine keeps (a worker holding many stations open keeps one each)."""
    station = Station.load(province.stations_dir / check_ident(ident))
    if pool_size is not None:
        from loa.core.db import open_database

        station.__dict__["engine"] = open_database(
            station.db_url, schema=station.db_schema, pool_size=pool_size
        )
    return station


def upgrade_province(province: Province) -> tuple[Prepared, list[str], list[tuple[str, str]]]:
    """`loa province upgrade`: the province-wide schemas (`prepare_database`), then every
    station's own schema (opening a station brings it to the newest migration). Returns (what
    the province-wide part changed, the stations brought up to date, (ident, why) of stations
    that could not be)."""
    from loa.core.errors import LoaError

    prepared = prepare_database(province.database)
    checked: list[str] = []
    problems: list[tuple[str, str]] = []
    for record in province.stations():
        try:
            station = open_station(province, record.ident)
            try:
                station.engine  # noqa: B018  (migrates the station's schema)
            finally:
                station.engine.dispose()
        except LoaError as exc:
            problems.append((record.ident, str(exc)))
        except OSError as exc:
            problems.append((record.ident, f"{exc.strerror}: {exc.filename}"))
        else:
            checked.append(record.ident)
    return prepared, checked, problems
