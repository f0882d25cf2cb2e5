"""Dashboard users, their roles, API tokens, login lockout and the audit log.

Passwords are hashed with argon2; an API token is shown once and only its SHA-256 is kept
(tokens are 256 random bits, so a fast hash is safe and lets a request be checked in
microseconds). A dashboard login is a row in web_sessions, ended by logging out; a password
change ends every session and API token of the user. Failed logins are slowed down by the web
door (per address, `loa.web.throttle`), never by locking the account: an attacker must not be
able to keep the real user out.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from loa.core.db import Base
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.station import Station

T = Catalog(
    {
        "bad_role": (
            'Vai trò "{role}" không hợp lệ. Dùng: officer (cán bộ văn hóa: mọi việc), operator '
            "(nhân viên đài: phát thanh, hộp thư đi, nút khẩn cấp), viewer (chỉ xem).",
            'Unknown role "{role}". Use: officer (everything), operator (radio, outbox, the '
            "urgent button), viewer (read only).",
        ),
        "bad_name": (
            'Tên đăng nhập "{name}" không hợp lệ: dùng 1-40 chữ cái không dấu, chữ số, ".", "-" '
            'hoặc "_", ví dụ: lan.nguyen',
            'The user name "{name}" is not valid: use 1-40 unaccented letters, digits, ".", "-" '
            'or "_", e.g. lan.nguyen',
        ),
        "exists": (
            'Đã có người dùng "{name}". Chọn tên khác, hoặc đổi mật khẩu bằng: loa user passwd {name}',
            'There is already a user "{name}". Choose another name, or change the password '
            "with: loa user passwd {name}",
        ),
        "no_user": (
            'Không có người dùng "{name}". Xem danh sách bằng: loa user list',
            'There is no user "{name}". See the list with: loa user list',
        ),
        "short": (
            "Mật khẩu cần ít nhất {n} ký tự. Chọn mật khẩu dài hơn.",
            "The password needs at least {n} characters. Choose a longer one.",
        ),
        "login_failed": (
            "Sai tên đăng nhập hoặc mật khẩu.",
            "Wrong user name or password.",
        ),
        "no_token": (
            'Người dùng "{name}" không có mã API số {id}. Xem các mã bằng: loa user tokens {name}',
            'User "{name}" has no API token number {id}. See the tokens with: '
            "loa user tokens {name}",
        ),
    }
)

MIN_PASSWORD = 8
#: How long a dashboard session lasts (the signed cookie says the same).
SESSION_AGE = timedelta(hours=12)
TOKEN_PREFIX = "loa_"


class Role(StrEnum):
    OFFICER = "officer"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a request does; `allowed(role, action)` decides."""

    READ = "read"
    EDIT = "edit"  # messages, plan, settings
    RADIO = "radio"  # run sheet, outbox retry/confirm, urgent button


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OFFICER: frozenset(Action),
    Role.OPERATOR: frozenset({Action.READ, Action.RADIO}),
    Role.VIEWER: frozenset({Action.READ}),
}


def allowed(role: str, action: Action) -> bool:
    """True when a user with `role` may do `action` (an unknown role may do nothing)."""
    try:
        return action in _ALLOWED[Role(role)]
    except ValueError:
        return False


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebSession(Base):
    """One dashboard login, until its logout, the user's password change or removal. The
    cookie carries a random key; only its SHA-256 is kept."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    who: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(60), default="")


@dataclass(frozen=True)
class Account:
    """A user as the web layer sees it (no hash)."""

    id: int
    name: str
    role: str
    #: A fingerprint of the password hash: a session signed with an old one is refused.
    stamp: str


def _account(user: User) -> Account:
    stamp = hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]
    return Account(id=user.id, name=user.name, role=user.role, stamp=stamp)


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise UserError(T("bad_role", role=value)) from None


def _check_name(name: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", name):
        raise UserError(T("bad_name", name=name))
    return name


def hash_password(password: str) -> str:
    """An argon2id hash of `password`. Raises UserError when it is too short."""
    from argon2 import PasswordHasher

    if len(password) < MIN_PASSWORD:
        raise UserError(T("short", n=MIN_PASSWORD))
    return PasswordHasher().hash(password)


def _verify(hashed: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# An argon2 hash to check against when the user does not exist, so a wrong name takes as long
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        from argon2 import PasswordHasher

        _DUMMY_HASH.append(PasswordHasher().hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def _get(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(T("no_user", name=name))
    return user


def add_user(station: Station, name: str, role: str, password: str, *, now: datetime) -> Account:
    """Create a user. Raises UserError for a bad name or role, a taken name, a short password."""
    role_value = parse_role(role)
    _check_name(name)
    hashed = hash_password(password)
    with station.transaction() as session:
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise UserError(T("exists", name=name))
        user = User(name=name, role=role_value.value, password_hash=hashed, created_at=now)
        session.add(user)
        session.flush()
        return _account(user)


def list_users(station: Station) -> list[Account]:
    with station.transaction() as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.name))]


def has_users(station: Station) -> bool:
    with station.transaction() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def set_password(station: Station, name: str, password: str) -> None:
    """Change a user's password; their dashboard sessions and API tokens end (whoever knew the
    old password may have made them). Raises UserError."""
    hashed = hash_password(password)
    with station.transaction() as session:
        user = _get(session, name)
        user.password_hash, user.failed_logins, user.locked_until = hashed, 0, None
        session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def remove_user(station: Station, name: str) -> None:
    """Delete a user and their API tokens. Raises UserError when there is no such user."""
    with station.transaction() as session:
        user = _get(session, name)
        session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        session.delete(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(station: Station, name: str, *, now: datetime) -> str:
    """A new API token for `name`, returned once (only its hash is stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with station.transaction() as session:
        user = _get(session, name)
        session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    return token


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (never its value)."""

    id: int
    created_at: datetime


def list_tokens(station: Station, name: str) -> list[TokenInfo]:
    """The API tokens of `name`, oldest first. Raises UserError when there is no such user."""
    with station.transaction() as session:
        user = _get(session, name)
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )
        return [TokenInfo(t.id, t.created_at) for t in rows]


def revoke_token(station: Station, name: str, token_id: int) -> None:
    """End one API token of `name` (its number from `list_tokens`). Raises UserError when the
    user has no such token."""
    with station.transaction() as session:
        user = _get(session, name)
        found = session.scalar(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        )
        if found is None:
            raise UserError(T("no_token", name=name, id=token_id))
        session.delete(found)


def start_session(station: Station, account: Account, *, now: datetime) -> str:
    """A new dashboard session for `account`: the random key its cookie carries (only the
    key's hash is stored). Sessions older than SESSION_HOURS are cleared on the way."""
    key = secrets.token_urlsafe(32)
    with station.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.created_at < now - SESSION_AGE))
        session.add(WebSession(user_id=account.id, key_hash=_token_hash(key), created_at=now))
    return key


def session_account(station: Station, key: str) -> Account | None:
    """The user of a live dashboard session, or None when it ended (logout, password change,
    removed user) or never existed."""
    with station.transaction() as session:
        user = session.scalar(
            select(User)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.key_hash == _token_hash(key))
        )
        return None if user is None else _account(user)


def end_session(station: Station, key: str) -> None:
    """Log out: the session's cookie, replayed, is refused from now on."""
    with station.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.key_hash == _token_hash(key)))


def user_for_token(station: Station, token: str) -> Account | None:
    """The user an API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with station.transaction() as session:
        user = session.scalar(
            select(User)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == _token_hash(token))
        )
        return None if user is None else _account(user)


def get_account(station: Station, user_id: int) -> Account | None:
    with station.transaction() as session:
        user = session.get(User, user_id)
        return None if user is None else _account(user)


class LoginRefused(UserError):
    """A login that did not succeed (the same message for a wrong name or password)."""


def login(
    station: Station,
    name: str,
    password: str,
    *,
    address: str,
    now: datetime,
    check: Callable[[Callable[[], bool]], bool] | None = None,
) -> Account:
    """Check a name and password; every attempt goes to the audit log. A wrong name takes as
    long and answers the same as a wrong password. `check` runs the password check (argon2:
    costly on purpose), e.g. in threads of its own; no database connection is held while it
    runs. Raises LoginRefused."""
    with station.transaction() as session:
        hashed = session.scalar(select(User.password_hash).where(User.name == name))

    def verify() -> bool:
        return _verify(hashed or _dummy_hash(), password)

    right = (check or (lambda run: run()))(verify) and hashed is not None
    with station.transaction() as session:
        user = session.scalar(select(User).where(User.name == name)) if right else None
        if user is not None and user.password_hash == hashed:  # not changed meanwhile
            user.failed_logins, user.locked_until = 0, None
            session.add(_entry(name, "login", "", address, now))
            return _account(user)
        session.add(_entry(name[:40], "login_failed", "", address, now))
    raise LoginRefused(T("login_failed"))


def _entry(who: str, action: str, detail: str, address: str, now: datetime) -> AuditEntry:
    return AuditEntry(at=now, who=who, action=action, detail=detail, address=address[:60])


def audit(
    station: Station, who: str, action: str, detail: str, *, address: str, now: datetime
) -> None:
    """Record who did what, when, from which address."""
    with station.transaction() as session:
        audit_in(session, who, action, detail, address=address, now=now)


def audit_in(
    session: Session, who: str, action: str, detail: str, *, address: str, now: datetime
) -> None:
    """`audit` in a transaction the caller holds (committed with what it records)."""
    session.add(_entry(who, action, detail, address, now))


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    action: str
    detail: str
    address: str


def audit_log(station: Station, *, limit: int = 200) -> Sequence[AuditRow]:
    """The newest audit entries first."""
    with station.transaction() as session:
        rows = session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
        return [AuditRow(r.at, r.who, r.action, r.detail, r.address) for r in rows]
