"""Province users: the province's officer, operators and viewers, kept province-wide.

They log in once to the province's `loa web` (`loa province web`) and see every commune: the
province pages (each commune's state, alerts, the province messages) and each commune's own
pages at /x/<ident>/. Their passwords are hashed like a commune's users' (argon2,
`loa.app.users`); a dashboard login is a row of ``province.web_sessions`` (only the key's
SHA-256), ended by logging out or a password change. Only an officer writes province messages.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)

from loa.app.users import SESSION_AGE, Account, LoginRefused, hash_password
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.province.registry import REGISTER_SCHEMA, Province, metadata

T = Catalog(
    {
        "bad_role": (
            'Vai trò "{role}" không hợp lệ. Dùng: officer (cán bộ tỉnh: xem mọi xã, viết tin '
            "của tỉnh), operator (nhân viên kỹ thuật tỉnh: xem mọi xã, phát thanh ở các xã), "
            "viewer (chỉ xem).",
            'Unknown role "{role}". Use: officer (sees every commune, writes province '
            "messages), operator (sees every commune, runs their radio), viewer (read only).",
        ),
        "bad_name": (
            'Tên đăng nhập "{name}" không hợp lệ: dùng 1-35 chữ cái không dấu, chữ số, ".", "-" '
            'hoặc "_", ví dụ: lan.nguyen',
            'The user name "{name}" is not valid: use 1-35 unaccented letters, digits, ".", "-" '
            'or "_", e.g. lan.nguyen',
        ),
        "exists": (
            'Tỉnh đã có người dùng "{name}". Chọn tên khác, hoặc đổi mật khẩu bằng: loa '
            "province user passwd {name}",
            'The province already has a user "{name}". Choose another name, or change the '
            "password with: loa province user passwd {name}",
        ),
        "no_user": (
            'Tỉnh không có người dùng "{name}". Xem danh sách bằng: loa province user list',
            'The province has no user "{name}". See the list with: loa province user list',
        ),
        "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    }
)


class ProvinceRole(StrEnum):
    OFFICER = "officer"
    OPERATOR = "operator"
    VIEWER = "viewer"


#: A province user's name in a commune's pages and audit log: "tinh:lan" (a commune user's
#: name never has a colon, so the two cannot be taken for each other).
PREFIX = "tinh:"

users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("role", String(10), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

sessions_table = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "user_id",
        Integer,
        ForeignKey(f"{REGISTER_SCHEMA}.users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
)

#: Who did what on the province's pages (logins, province messages written).
audit_table = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("who", String(40), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("address", String(60), nullable=False, default=""),
)


@dataclass(frozen=True)
class ProvinceAccount(Account):
    """A province user as the web layer sees it. `role` is what the user may do in a commune's
    pages (the same words as a commune's roles); `name` carries the "tinh:" prefix there."""

    login: str = ""

    @property
    def province_role(self) -> str:
        return self.role

    @property
    def writes_messages(self) -> bool:
        return self.role == ProvinceRole.OFFICER


def _account(row: object) -> ProvinceAccount:
    hashed = str(row.password_hash)  # type: ignore[attr-defined]
    stamp = hashlib.sha256(hashed.encode("utf-8")).hexdigest()[:16]
    name = str(row.name)  # type: ignore[attr-defined]
    return ProvinceAccount(
        id=-int(row.id),  # type: ignore[attr-defined]
        name=PREFIX + name,
        role=str(row.role),  # type: ignore[attr-defined]
        stamp=stamp,
        login=name,
    )


def parse_role(value: str) -> ProvinceRole:
    """officer, operator or viewer (also "province-officer", ...). Raises UserError."""
    word = value.strip().lower().removeprefix("province").lstrip("-_ ")
    try:
        return ProvinceRole(word)
    except ValueError:
        raise UserError(T("bad_role", role=value)) from None


def _check_name(name: str) -> str:
    # 35, so "tinh:" + the name fits a commune's audit log (40)
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,35}", name):
        raise UserError(T("bad_name", name=name))
    return name


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_user(
    province: Province, name: str, role: str, password: str, *, now: datetime
) -> ProvinceAccount:
    """Create a province user. Raises UserError for a bad name or role, a taken name or a
    short password (nothing saved)."""
    chosen = parse_role(role)
    _check_name(name)
    hashed = hash_password(password)
    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            if conn.scalar(select(users_table.c.id).where(users_table.c.name == name)):
                raise UserError(T("exists", name=name))
            conn.execute(
                insert(users_table).values(
                    name=name, role=chosen.value, password_hash=hashed, created_at=now
                )
            )
            row = conn.execute(select(users_table).where(users_table.c.name == name)).one()
            return _account(row)
    finally:
        engine.dispose()


def list_users(province: Province) -> list[ProvinceAccount]:
    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            return [_account(r) for r in conn.execute(select(users_table).order_by("name"))]
    finally:
        engine.dispose()


def has_users(province: Province) -> bool:
    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(select(func.count()).select_from(users_table)))
    finally:
        engine.dispose()


def set_password(province: Province, name: str, password: str) -> None:
    """Change a province user's password; their sessions end. Raises UserError."""
    hashed = hash_password(password)
    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            found = conn.scalar(select(users_table.c.id).where(users_table.c.name == name))
            if found is None:
                raise UserError(T("no_user", name=name))
            conn.execute(
                update(users_table).where(users_table.c.id == found).values(password_hash=hashed)
            )
            conn.execute(delete(sessions_table).where(sessions_table.c.user_id == found))
    finally:
        engine.dispose()


def remove_user(province: Province, name: str) -> None:
    """Delete a province user and their sessions. Raises UserError."""
    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            found = conn.scalar(select(users_table.c.id).where(users_table.c.name == name))
            if found is None:
                raise UserError(T("no_user", name=name))
            conn.execute(delete(sessions_table).where(sessions_table.c.user_id == found))
            conn.execute(delete(users_table).where(users_table.c.id == found))
    finally:
        engine.dispose()


class ProvinceUsers:
    """The province users' logins and sessions for a running dashboard (one engine kept)."""

    def __init__(self, province: Province) -> None:
        self.province = province
        self.engine = province.engine(pool_size=2)

    def close(self) -> None:
        self.engine.dispose()

    def login(self, name: str, password: str, *, address: str, now: datetime) -> ProvinceAccount:
        """Check a name and password (a wrong name takes as long as a wrong password); each
        attempt goes to the province's audit log. Raises LoginRefused."""
        from loa.app.users import _dummy_hash, _verify

        with self.engine.begin() as conn:
            row = conn.execute(select(users_table).where(users_table.c.name == name)).first()
            ok = row is not None and _verify(str(row.password_hash), password)
            if row is None:
                _verify(_dummy_hash(), password)
            self.audit(conn, name[:40], "login" if ok else "login_failed", "", address, now)
        if not ok or row is None:
            raise LoginRefused(T("login_failed"))
        return _account(row)

    def start_session(self, account: ProvinceAccount, *, now: datetime) -> str:
        """A new session's random key (only its hash kept); old sessions cleared."""
        key = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions_table).where(sessions_table.c.created_at < now - SESSION_AGE)
            )
            conn.execute(
                insert(sessions_table).values(
                    user_id=-account.id, key_hash=_hash(key), created_at=now
                )
            )
        return key

    def session_account(self, key: str) -> ProvinceAccount | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users_table)
                .join(sessions_table, sessions_table.c.user_id == users_table.c.id)
                .where(sessions_table.c.key_hash == _hash(key))
            ).first()
        return None if row is None else _account(row)

    def end_session(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.key_hash == _hash(key)))

    def record(self, who: str, action: str, detail: str, *, address: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            self.audit(conn, who, action, detail, address, now)

    @staticmethod
    def audit(
        conn: object, who: str, action: str, detail: str, address: str, now: datetime
    ) -> None:
        conn.execute(  # type: ignore[attr-defined]
            insert(audit_table).values(
                at=now, who=who[:40], action=action, detail=detail, address=address[:60]
            )
        )
