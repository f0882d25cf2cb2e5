"""Database plumbing: the declarative base, engines (SQLite with its pragmas, or PostgreSQL
through psycopg 3, one schema per station), and Alembic upgrades.

Convention: every datetime column holds a naive wall-clock time in the station's timezone
(Vietnam has no daylight saving time, so such times are unambiguous), and every date is a
calendar date in that timezone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog, language

T = Catalog(
    {
        "missing": (
            "Không có cơ sở dữ liệu của đài: {path}. Nếu tệp bị xoá hay chuyển đi, hãy chép "
            'lại bản sao lưu vào chỗ đó; đài mới thì tạo bằng: loa init THƯ_MỤC --name "Xã ...".',
            "The station's database is missing: {path}. If it was deleted or moved, copy the "
            'backup back there; for a new station use: loa init DIR --name "Xã ...".',
        ),
        "empty": (
            "Cơ sở dữ liệu của đài {path} là tệp rỗng (0 byte): dữ liệu đã mất. Chép lại bản "
            "sao lưu vào chỗ đó rồi chạy lại.",
            "The station's database {path} is an empty file (0 bytes): its data is gone. Copy "
            "the backup back there and run again.",
        ),
        "folder": (
            "Mục [station] database trong loa.toml chỉ tới thư mục {path}, không phải tệp "
            'cơ sở dữ liệu. Sửa thành tên tệp, ví dụ database = "loa.db".',
            "[station] database in loa.toml points at the folder {path}, not a database file. "
            'Make it a file name, e.g. database = "loa.db".',
        ),
        "garbage": (
            "Tệp {path} không phải cơ sở dữ liệu của loa (hỏng hoặc bị ghi đè: {error}). "
            "Chép lại bản sao lưu vào chỗ đó rồi chạy lại.",
            "{path} is not a loa database (damaged or overwritten: {error}). Copy the backup "
            "back there and run again.",
        ),
        "newer": (
            "Cơ sở dữ liệu {path} do một phiên bản loa mới hơn tạo (phiên bản cấu trúc "
            "{revisions}). Cập nhật loa (pip install -U loa) rồi chạy lại; đừng dùng bản cũ "
            "với dữ liệu này.",
            "The database {path} was made by a newer loa (schema {revisions}). Upgrade loa "
            "(pip install -U loa) and run again; do not use this older version on it.",
        ),
        "locked": (
            "Cơ sở dữ liệu {path} đang bị tiến trình khác khoá (có thể một lệnh loa khác đang "
            "chạy). Đợi lệnh đó xong rồi chạy lại.",
            "The database {path} is locked by another process (perhaps another loa command is "
            "running). Wait for it to finish and run again.",
        ),
        "busy": (
            "Cơ sở dữ liệu của đài đang bị một tiến trình khác giữ ({path}{holder}); đã chờ "
            "{seconds} giây mà chưa được. Đợi tiến trình đó xong (một lệnh loa khác, một bản "
            "sao lưu) rồi thử lại, hoặc dừng nó nếu nó bị treo. Chưa có gì được lưu.",
            "The station's database is held by another process ({path}{holder}); waited "
            "{seconds} s without success. Wait for that process to finish (another loa command, "
            "a backup) and try again, or stop it if it hangs. Nothing was saved.",
        ),
        "holder": (", bởi {who}", ", by {who}"),
        "no_server": (
            "Không kết nối được máy chủ PostgreSQL {where}: {error}. Kiểm tra máy chủ đang chạy "
            "(pg_isready -h MÁY -p CỔNG) và địa chỉ trong [station] database của loa.toml hay "
            "biến môi trường LOA_DATABASE_URL.",
            "Cannot connect to the PostgreSQL server {where}: {error}. Check that the server is "
            "running (pg_isready -h HOST -p PORT) and the address in [station] database of "
            "loa.toml or the LOA_DATABASE_URL environment variable.",
        ),
        "no_schema": (
            "Cơ sở dữ liệu {where} không có schema {schema} của đài này. Nếu đài mới, tạo bằng "
            "loa province add-station; nếu dữ liệu bị xoá, khôi phục bản sao lưu (pg_restore).",
            "The database {where} has no schema {schema} for this station. For a new station "
            "use loa province add-station; if the data was dropped, restore the backup "
            "(pg_restore).",
        ),
        "bad_schema": (
            "Tên schema {schema!r} không hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu _ "
            "(bắt đầu bằng chữ, tối đa 63 ký tự), ví dụ xa_cam_nhuong.",
            "The schema name {schema!r} is not valid: use lower-case ASCII letters, digits and _ "
            "(starting with a letter, at most 63 characters), e.g. xa_cam_nhuong.",
        ),
        "bad_port": (
            "Cổng trong địa chỉ cơ sở dữ liệu {url} không phải là số. Dạng đúng: "
            "postgresql://NGƯỜI_DÙNG@MÁY:5432/TÊN_CSDL (cổng mặc định của PostgreSQL là 5432).",
            "The port in the database address {url} is not a number. The right form is "
            "postgresql://USER@HOST:5432/DBNAME (PostgreSQL's default port is 5432).",
        ),
        "bad_url": (
            "Địa chỉ cơ sở dữ liệu {url} không hợp lệ ({error}). Dạng đúng: "
            "postgresql://NGƯỜI_DÙNG@MÁY:5432/TÊN_CSDL hoặc sqlite:///đường/dẫn/loa.db.",
            "The database address {url} is not valid ({error}). The right form is "
            "postgresql://USER@HOST:5432/DBNAME or sqlite:///path/to/loa.db.",
        ),
        "readonly": (
            "Không ghi được vào cơ sở dữ liệu {path} (chỉ đọc). Kiểm tra quyền ghi của tệp và "
            "thư mục đài cho người dùng đang chạy loa.",
            "Cannot write to the database {path} (read-only). Check that the user running loa "
            "may write the file and the station folder.",
        ),
    }
)

# What the database drivers (sqlite3, psycopg) say, in their English, and what it means: the
# first entry with a pattern found in a driver message gives the reason shown (Vietnamese by
# default).
_DRIVER_REASONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("file is not a database",), "tệp không phải cơ sở dữ liệu SQLite", "not an SQLite database"),
    (
        ("database disk image is malformed",),
        "tệp cơ sở dữ liệu SQLite bị hỏng",
        "the SQLite database file is damaged",
    ),
    (
        ("unable to open database file",),
        "không mở được tệp cơ sở dữ liệu",
        "cannot open the file",
    ),
    (("disk i/o error",), "lỗi đọc/ghi đĩa", "a disk read/write error"),
    (("database or disk is full",), "đĩa đã đầy", "the disk is full"),
    (
        ("connection refused",),
        "máy chủ từ chối kết nối (không có PostgreSQL nào nghe ở cổng đó, hoặc máy chủ đang tắt)",
        "connection refused (nothing listens on that port, or the server is down)",
    ),
    (
        ("could not translate host name", "name or service not known"),
        "không tìm thấy tên máy chủ",
        "the host name cannot be found",
    ),
    (
        ("timeout expired", "timed out"),
        "hết thời gian chờ máy chủ trả lời",
        "the server did not answer in time",
    ),
    (
        ("password authentication failed",),
        "sai tên người dùng hoặc mật khẩu",
        "wrong user name or password",
    ),
    (
        ("no password supplied",),
        "máy chủ cần mật khẩu (đặt trong ~/.pgpass hoặc PGPASSWORD)",
        "the server needs a password (put it in ~/.pgpass or PGPASSWORD)",
    ),
    (
        ("does not exist",),
        "cơ sở dữ liệu hoặc người dùng này không có trên máy chủ",
        "that database or user does not exist on the server",
    ),
    (
        ("the database system is starting up",),
        "máy chủ đang khởi động",
        "the server is starting up",
    ),
    (("the database system is shutting down",), "máy chủ đang tắt", "the server is shutting down"),
    (
        ("too many connections",),
        "máy chủ đã đủ số kết nối tối đa",
        "the server has too many connections",
    ),
    (
        ("server closed the connection",),
        "máy chủ đóng kết nối giữa chừng",
        "the server closed the connection",
    ),
    (("no route to host",), "không có đường mạng tới máy chủ", "no network route to the server"),
    (("network is unreachable",), "mạng không tới được máy chủ", "the network is unreachable"),
    (("connection failed",), "không kết nối được", "the connection failed"),
)


def _driver_text(error: BaseException | str) -> str:
    """The driver's own message: SQLAlchemy's wrapped `orig` when there is one."""
    orig = getattr(error, "orig", None) if isinstance(error, BaseException) else None
    return str(orig if orig is not None else error).strip()


def driver_reason(error: BaseException | str) -> str:
    """What a database driver's error (sqlite3, psycopg; SQLAlchemy's wrapper or the message)
    means, in the user's language; the driver's own first line when loa does not know it."""
    text = _driver_text(error)
    lowered = text.lower()
    for patterns, vi, en in _DRIVER_REASONS:
        if any(pattern in lowered for pattern in patterns):
            return en if language() == "en" else vi
    first = text.splitlines()[0][:200] if text else ""
    return first or (type(error).__name__ if isinstance(error, BaseException) else "")


#: How long a statement waits for a lock another process holds before loa gives up and says
#: so (SQLite's busy timeout; PostgreSQL's connect timeout is derived from it).
BUSY_TIMEOUT_MS = 4_000


class DatabaseBusy(RuntimeFailure):
    """Another process holds the station database's lock longer than the busy timeout."""


def lock_holders(path: str) -> list[str]:
    """Other processes on this machine that have the database file open ("pid command")."""
    import os

    try:
        target = str(Path(path).resolve())
    except OSError:
        return []
    wanted = {target, f"{target}-wal", f"{target}-journal"}
    holders: list[str] = []
    me = os.getpid()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in wanted:
                    raw = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    command = " ".join(raw.decode("utf-8", "replace").split())[:60] or "?"
                    holders.append(f"{entry.name} {command}")
                    break
            except OSError:
                continue
    return holders


def is_busy_error(error: BaseException) -> bool:
    """Whether a driver error says a lock held elsewhere outlasted the wait."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return False
    text = _driver_text(error).lower()
    return any(
        word in text for word in ("database is locked", "database table is locked", "busy")
    ) or ("lock timeout" in text)


def busy_failure(error: BaseException, engine: Engine | None) -> DatabaseBusy | None:
    """The user's message for `error` when it is a lock held by another process (naming the
    database and, for SQLite, who holds it); None for any other error."""
    if not is_busy_error(error):
        return None
    path: str = "?"
    holders: list[str] = []
    seconds = BUSY_TIMEOUT_MS / 1000  # what the station's engine waits (open_database)
    if engine is not None:
        file = sqlite_path(engine.url.render_as_string(hide_password=False))
        path = str(file) if file is not None else redact(str(engine.url))
        if file is not None:
            holders = lock_holders(str(file))
    holder = T("holder", who="; ".join(holders[:3])) if holders else ""
    return DatabaseBusy(T("busy", path=path, holder=holder, seconds=f"{seconds:g}"))


MIGRATIONS = Path(__file__).parent.parent / "migrations"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[int]: JSON,
        dict[str, float]: JSON,
    }


SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_schema(schema: str) -> str:
    """`schema` if it is a safe PostgreSQL schema name (it is written into SQL); else UserError."""
    if not SCHEMA_NAME.match(schema) or schema.startswith("pg_"):
        raise UserError(T("bad_schema", schema=schema))
    return schema


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL loa uses: plain ``postgresql://`` (what libpq users write) means
    psycopg 3, not the psycopg2 driver SQLAlchemy would pick. Raises UserError on a bad URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserError(T("bad_url", url=redact(url), error=exc)) from None
    except ValueError:  # a port that is not a number ("localhost:54x2")
        raise UserError(T("bad_port", url=redact(url))) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """`url` without its password, for messages and logs."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1]


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    schema: str | None = None,
    pool_size: int = 5,
) -> Engine:
    """Create an engine; for SQLite turn on foreign keys, WAL and a busy timeout (how long to
    wait for another process's lock); for PostgreSQL put `schema` (a station's) first on the
    search path of every connection, so the same models and migrations serve every station."""
    url = normalize_url(url)
    if is_postgresql(url):
        args: dict[str, Any] = {"connect_timeout": max(1, busy_timeout_ms // 1000)}
        if schema:
            args["options"] = f"-csearch_path={check_schema(schema)}"
        return create_engine(
            url,
            future=True,
            connect_args=args,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=pool_size,
        )
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.close()

    return engine


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another engine or an in-memory database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


class ChangeWatch:
    """Whether anything was committed to a SQLite database since the last look, by any
    connection or process: `PRAGMA data_version` on a connection of its own that never writes
    (SQLite changes that number when another connection commits). Lets a reader keep what it
    built from the database while `stamp()` stays the same. On PostgreSQL `stamp()` is None:
    there is no such number, and nothing may be kept."""

    def __init__(self, url: str) -> None:
        import sqlite3
        import threading

        path = sqlite_path(normalize_url(url))
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False) if path else None

    def stamp(self) -> int | None:
        if self._conn is None:
            return None
        with self._lock:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def open_database(
    url: str,
    *,
    create: bool = False,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    schema: str | None = None,
    pool_size: int = 5,
) -> Engine:
    """An engine on the station's database with its schema brought up to date.

    Only `create` (loa init) may make a new SQLite file or PostgreSQL schema: a missing, empty
    or folder database (a missing schema) is refused, so a lost database is never silently
    replaced by an empty one. A file that is not a database, one made by a newer loa, a lock
    held by another process, a read-only file and an unreachable server each get their own
    message. Raises UserError or RuntimeFailure.
    """
    from sqlalchemy.exc import DatabaseError, OperationalError

    url = normalize_url(url)
    path = sqlite_path(url)
    where = path if path is not None else redact(url)
    if path is not None and not create:
        if path.is_dir():
            raise UserError(T("folder", path=path))
        if not path.exists():
            raise UserError(T("missing", path=path))
        if path.stat().st_size == 0:
            raise UserError(T("empty", path=path))
    engine = make_engine(url, busy_timeout_ms=busy_timeout_ms, schema=schema, pool_size=pool_size)
    if engine.dialect.name == "postgresql":
        try:
            _ensure_schema(engine, schema, create=create, where=str(where))
        except OperationalError as exc:
            engine.dispose()
            raise RuntimeFailure(T("no_server", where=where, error=driver_reason(exc))) from None
        except BaseException:
            engine.dispose()
            raise
    try:
        newer = unknown_revisions(engine)
        if newer:
            raise UserError(T("newer", path=where, revisions=", ".join(sorted(newer))))
        if not is_current(engine):
            upgrade(engine)
    except DatabaseError as exc:
        engine.dispose()
        text = _driver_text(exc)
        if engine.dialect.name == "postgresql" and isinstance(exc, OperationalError):
            # the server cannot be reached (or dropped us): not a damaged database
            raise RuntimeFailure(T("no_server", where=where, error=driver_reason(exc))) from None
        if "locked" in text:
            raise RuntimeFailure(T("locked", path=where)) from None
        if "readonly" in text or "read-only" in text:
            raise UserError(T("readonly", path=where)) from None
        raise UserError(T("garbage", path=where, error=driver_reason(exc))) from None
    return engine


def _ensure_schema(engine: Engine, schema: str | None, *, create: bool, where: str) -> None:
    """Make (with `create`) or require the station's PostgreSQL schema."""
    from sqlalchemy import text

    if not schema:
        return
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
            {"s": schema},
        ).first()
        if found is None:
            if not create:
                raise UserError(T("no_schema", where=where, schema=schema))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{check_schema(schema)}"'))


def unknown_revisions(engine: Engine) -> set[str]:
    """Revisions recorded in the database that this loa does not know (a newer loa's)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current - known


def upgrade(engine: Engine) -> None:
    """Bring the schema up to the newest revision(s), keeping all data."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


@functools.cache
def _heads() -> frozenset[str]:
    """The head revisions of loa's migrations (read once per process: ~50 ms each time)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def is_current(engine: Engine) -> bool:
    """True when the database already sits at every head revision (cheap check before upgrade)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == _heads()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back entirely on any error.
    A lock another process held past the busy timeout raises DatabaseBusy (a RuntimeFailure
    that says so) instead of the driver's OperationalError."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException as error:
        session.rollback()
        bind = factory.kw.get("bind")
        busy = busy_failure(error, bind if isinstance(bind, Engine) else None)
        if busy is not None:
            raise busy from None
        raise
    finally:
        session.close()
