"""The province: province.toml, its PostgreSQL database, and the register of its stations.

Each station is a schema of its own in the province database (same models, same migrations,
search_path pointing at it) plus a folder under ``stations/<ident>/`` holding its loa.toml and
media. The register (schema ``province``, table ``stations``) lists them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Engine, Float, MetaData, String, Table, select

from loa.core.db import (
    check_schema,
    driver_reason,
    is_postgresql,
    make_engine,
    normalize_url,
    redact,
)
from loa.core.errors import RuntimeFailure, UserError
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog

PROVINCE_FILE = "province.toml"
REGISTER_SCHEMA = "province"
QUEUE_SCHEMA = "procrastinate"
#: The databases every PostgreSQL server has for its own use: never a province's.
MAINTENANCE_DATABASES = ("postgres", "template0", "template1")

T = Catalog(
    {
        "not_found": (
            "Không tìm thấy tỉnh (thư mục có tệp province.toml) ở {where}. Tạo bằng: loa "
            "province init THƯ_MỤC --database postgresql://NGƯỜI_DÙNG@MÁY/TÊN_CSDL, hoặc chỉ rõ "
            "bằng --province THƯ_MỤC hay biến môi trường LOA_PROVINCE.",
            "No province (a folder with province.toml) found at {where}. Create one with: loa "
            "province init DIR --database postgresql://USER@HOST/DBNAME, or point to it with "
            "--province DIR or the LOA_PROVINCE environment variable.",
        ),
        "station_folder": (
            "Thư mục {path} là thư mục của một đài (có loa.toml): tỉnh cần một thư mục riêng. "
            "Chọn thư mục khác, ví dụ loa province init ../tinh; muốn đưa đài này vào tỉnh "
            "thì dùng loa province add-station MÃ --from {path}.",
            "{path} is a station's folder (it holds loa.toml): a province needs a folder of its "
            "own. Choose another, e.g. loa province init ../province; to bring this station "
            "into a province use loa province add-station ID --from {path}.",
        ),
        "maintenance_db": (
            'Cơ sở dữ liệu "{name}" là cơ sở dữ liệu quản trị của máy chủ PostgreSQL, không '
            "dùng để chứa dữ liệu. Tạo một cơ sở dữ liệu riêng cho tỉnh (createdb loa_tinh) "
            "rồi dùng --database postgresql://NGƯỜI_DÙNG@MÁY/loa_tinh.",
            'The database "{name}" is the PostgreSQL server\'s maintenance database, not a '
            "place for data. Make one for the province (createdb loa_province) and use "
            "--database postgresql://USER@HOST/loa_province.",
        ),
        "cwd": ("thư mục hiện tại và các thư mục cha", "the current folder and its parents"),
        "exists": (
            "Thư mục {path} đã là một tỉnh (có province.toml).",
            "{path} already holds a province (province.toml).",
        ),
        "not_pg": (
            "Chế độ tỉnh cần PostgreSQL, không phải {url}. Dạng đúng: "
            "postgresql://NGƯỜI_DÙNG@MÁY:5432/TÊN_CSDL.",
            "Province mode needs PostgreSQL, not {url}. The right form is "
            "postgresql://USER@HOST:5432/DBNAME.",
        ),
        "password": (
            "Địa chỉ cơ sở dữ liệu có mật khẩu; loa không ghi mật khẩu vào tệp. Bỏ mật khẩu "
            "khỏi địa chỉ và đặt nó trong ~/.pgpass hoặc biến môi trường PGPASSWORD.",
            "The database address carries a password; loa never writes passwords to files. "
            "Take it out of the address and put it in ~/.pgpass or the PGPASSWORD environment "
            "variable.",
        ),
        "bad_toml": (
            "Tệp {path} bị lỗi: {error}. Sửa dòng đó rồi chạy lại.",
            "{path} is malformed: {error}. Fix that line and run again.",
        ),
        "no_database": (
            "Tệp {path} thiếu [province] database. Thêm dòng "
            'database = "postgresql://NGƯỜI_DÙNG@MÁY/TÊN_CSDL".',
            "{path} has no [province] database. Add the line "
            'database = "postgresql://USER@HOST/DBNAME".',
        ),
        "not_init": (
            "Cơ sở dữ liệu {where} chưa được chuẩn bị cho tỉnh. Chạy: loa province init.",
            "The database {where} is not set up for a province. Run: loa province init.",
        ),
        "reserved": (
            "Tên {ident} đã dành riêng cho loa; chọn tên khác cho đài, ví dụ xa_cam_nhuong.",
            "The name {ident} is reserved by loa; choose another for the station, e.g. "
            "xa_cam_nhuong.",
        ),
        "foreign": (
            "Cơ sở dữ liệu {where} đã có bảng {table} nhưng không phải của loa (thiếu cột "
            "{missing}). Dùng một cơ sở dữ liệu riêng cho tỉnh: createdb loa_tinh, rồi chạy "
            "lại với --database postgresql://NGƯỜI_DÙNG@MÁY/loa_tinh.",
            "The database {where} already has a table {table} that is not loa's (no column "
            "{missing}). Use a database of the province's own: createdb loa_province, then run "
            "again with --database postgresql://USER@HOST/loa_province.",
        ),
        "no_server": (
            "Không kết nối được PostgreSQL {where}: {error}. Kiểm tra máy chủ (pg_isready).",
            "Cannot connect to PostgreSQL {where}: {error}. Check the server (pg_isready).",
        ),
    }
)

metadata = MetaData(schema=REGISTER_SCHEMA)

stations_table = Table(
    "stations",
    metadata,
    Column("ident", String(63), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("folder", String(500), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("imported_from", String(1000), nullable=True),
)


#: Token buckets of the channels' rate limits, shared by every worker of the province.
buckets_table = Table(
    "rate_buckets",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

#: The version of each province-wide schema loa installed ("queue": procrastinate's).
versions_table = Table(
    "schema_versions",
    metadata,
    Column("component", String(63), primary_key=True),
    Column("version", String(63), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


@dataclass(frozen=True)
class StationRecord:
    ident: str
    name: str
    folder: Path
    created_at: datetime
    imported_from: str | None = None


@dataclass
class Province:
    """An opened province: its folder and the URL of its database (no password in it)."""

    root: Path
    name: str
    database: str
    #: The province's wall clock zone ([province] timezone; Vietnam has one).
    timezone: str = "Asia/Ho_Chi_Minh"
    #: Dashboard users who see every commune on the province page ([province] staff); any
    #: other user of a commune's dashboard sees only that commune.
    staff: tuple[str, ...] = ()

    def now(self) -> datetime:
        """The province's wall-clock time now (naive, in its timezone)."""
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone)).replace(tzinfo=None)

    @property
    def stations_dir(self) -> Path:
        return self.root / "stations"

    def engine(self, *, schema: str | None = None, pool_size: int = 5) -> Engine:
        """An engine on the province database (search_path `schema` when given)."""
        return make_engine(self.database, schema=schema, pool_size=pool_size)

    def stations(self) -> list[StationRecord]:
        """Every registered station, by ident."""
        from sqlalchemy.exc import OperationalError, ProgrammingError

        engine = self.engine()
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(stations_table).order_by(stations_table.c.ident)).all()
        except ProgrammingError:
            raise UserError(T("not_init", where=redact(self.database))) from None
        except OperationalError as exc:
            raise RuntimeFailure(
                T("no_server", where=redact(self.database), error=driver_reason(exc))
            ) from None
        finally:
            engine.dispose()
        return [
            StationRecord(
                ident=r.ident,
                name=r.name,
                folder=self.root / r.folder,
                created_at=r.created_at,
                imported_from=r.imported_from,
            )
            for r in rows
        ]


def province_url(url: str) -> str:
    """`url` checked for province use: PostgreSQL, no password. Raises UserError."""
    from sqlalchemy.engine import make_url

    url = normalize_url(url)
    if not is_postgresql(url):
        raise UserError(T("not_pg", url=redact(url)))
    if make_url(url).password:
        raise UserError(T("password"))
    return url


def load_province(root: Path) -> Province:
    path = root / PROVINCE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(T("bad_toml", path=path, error=exc)) from None
    section = data.get("province", {})
    database = os.environ.get("LOA_DATABASE_URL") or section.get("database")
    if not isinstance(database, str) or not database:
        raise UserError(T("no_database", path=path))
    return Province(
        root=root.resolve(),
        name=str(section.get("name", root.name)),
        database=database,
        timezone=str(section.get("timezone", "Asia/Ho_Chi_Minh")),
        staff=tuple(str(n) for n in section.get("staff", []) if isinstance(n, str)),
    )


def find_province(
    explicit: Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Province:
    """--province DIR, then LOA_PROVINCE, then walking up from the current folder."""
    env = os.environ if env is None else env
    if explicit is None and env.get("LOA_PROVINCE"):
        explicit = Path(env["LOA_PROVINCE"])
    if explicit is not None:
        if (explicit / PROVINCE_FILE).is_file():
            return load_province(explicit)
        raise UserError(T("not_found", where=explicit))
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROVINCE_FILE).is_file():
            return load_province(folder)
    raise UserError(T("not_found", where=T("cwd")))


def init_province(root: Path, *, name: str, database: str) -> Province:
    """Make a province folder and prepare its database (`prepare_database`: idempotent, so
    running it again on the same database is harmless). province.toml is written last.
    Raises UserError or RuntimeFailure."""
    from sqlalchemy.engine import make_url

    root = root.resolve()
    if (root / PROVINCE_FILE).exists():
        raise UserError(T("exists", path=root))
    if (root / "loa.toml").exists():
        raise UserError(T("station_folder", path=root))
    url = province_url(database)
    name_of_db = make_url(url).database or ""
    if name_of_db in MAINTENANCE_DATABASES:
        raise UserError(T("maintenance_db", name=name_of_db))
    province = Province(root=root, name=name, database=url)
    prepare_database(url)
    province.stations_dir.mkdir(parents=True, exist_ok=True)
    import tomlkit

    doc = tomlkit.document()
    section = tomlkit.table()
    section["name"] = name
    section["database"] = url
    doc["province"] = section
    atomic_write_text(root / PROVINCE_FILE, tomlkit.dumps(doc))
    return province


@dataclass
class Prepared:
    """What `prepare_database` changed: register tables made, queue migrations applied."""

    tables: list[str]
    queue_from: str | None
    queue_to: str
    applied: list[str]


def prepare_database(url: str) -> Prepared:
    """Bring the province-wide schemas of `url` to what this loa needs: the register's tables
    (made when missing; a same-named table that is not loa's is refused) and the job queue's
    schema (made, or its newer procrastinate migrations applied). Raises UserError or
    RuntimeFailure."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import OperationalError

    # their tables: tags, province messages, deliveries; province users, sessions, audit log
    import loa.province.messages
    import loa.province.users  # noqa: F401

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{REGISTER_SCHEMA}"'))
            look = inspect(conn)
            have = set(look.get_table_names(schema=REGISTER_SCHEMA))
            for table in metadata.sorted_tables:
                if table.name not in have:
                    continue
                columns = {c["name"] for c in look.get_columns(table.name, schema=REGISTER_SCHEMA)}
                missing = [c.name for c in table.columns if c.name not in columns]
                if missing:
                    raise UserError(
                        T(
                            "foreign",
                            where=redact(url),
                            table=f"{REGISTER_SCHEMA}.{table.name}",
                            missing=", ".join(missing),
                        )
                    )
            made = [t.name for t in metadata.sorted_tables if t.name not in have]
            metadata.create_all(conn)
    except OperationalError as exc:
        raise RuntimeFailure(T("no_server", where=redact(url), error=driver_reason(exc))) from None
    finally:
        engine.dispose()
    from loa.province.queue import upgrade_queue

    before, after, applied = upgrade_queue(url)
    return Prepared(tables=made, queue_from=before, queue_to=after, applied=applied)


def check_ident(ident: str) -> str:
    """A station ident is its schema name and folder name. Raises UserError."""
    check_schema(ident)
    if ident in (REGISTER_SCHEMA, QUEUE_SCHEMA, "public", "information_schema"):
        raise UserError(T("reserved", ident=ident))
    return ident
