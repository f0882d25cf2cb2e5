"""What every request handler shares: the station, the clock, templates, the signed session,
who is asking (cookie or bearer token) and what their role allows."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Form, Path, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse

from loa.app import users
from loa.app.users import Account, Action
from loa.core.i18n import Catalog, language
from loa.core.station import Station
from loa.web.fragments import FragmentCache
from loa.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Sessions,
    same_token,
    signing_key,
)
from loa.web.throttle import LoginThrottle

T = Catalog(
    {
        "login_needed": (
            "Cần đăng nhập. Đăng nhập ở /login, hoặc gửi kèm 'Authorization: Bearer <mã>' "
            "với mã tạo bằng: loa user token TÊN",
            "Login needed. Log in at /login, or send 'Authorization: Bearer <token>' with a "
            "token made by: loa user token NAME",
        ),
        "forbidden": (
            "Vai trò {role} của {name} không được làm việc này. Nhờ cán bộ văn hóa làm, hoặc "
            "xin vai trò khác.",
            "{name}'s role {role} may not do this. Ask the officer to do it, or for another role.",
        ),
        "csrf": (
            "Biểu mẫu đã cũ hoặc không do loa tạo (thiếu mã chống giả mạo). Tải lại trang rồi "
            "làm lại.",
            "The form is stale or did not come from loa (its anti-forgery token is missing). "
            "Reload the page and try again.",
        ),
    }
)


#: The largest row id a database holds (SQLite's INTEGER): a larger number in an address is a
#: page that cannot exist (404), never a 500.
MAX_ID = 2**63 - 1

#: A row id in an address.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
#: A row id in a form.
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]


class LoginRequired(Exception):
    """No valid session cookie or bearer token."""


class Forbidden(Exception):
    """The user's role may not do this; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Web:
    """The dashboard's shared state (one per app)."""

    station: Station
    clock: Callable[[], datetime]
    sessions: Sessions
    env: Environment
    extra: dict[str, Any] = field(default_factory=dict)
    fragments: FragmentCache | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    #: Cookies marked Secure (LOA_WEB_SECURE_COOKIES=1: the dashboard is served over HTTPS).
    secure_cookies: bool = False
    #: Logins waiting for, or in, a password check (at most CHECKS checked at once).
    logins: int = 0
    #: Seconds a throttled or repeated wrong login waits before its answer (a tarpit).
    login_delay: float = 1.0
    #: Users from outside the station who may use its pages (a province's, `loa.web.province`):
    #: the account behind a request, or None to look for the station's own user.
    guest: Callable[[Request], Account | None] | None = None
    _checks: ThreadPoolExecutor | None = None

    async def check_password(
        self, call: Callable[[Callable[[Callable[[], bool]], bool]], Account]
    ) -> Account:
        """Run a login: `call(check)` in a page thread, where `check` runs its password check
        (argon2) in the login threads, one at a time, at a lower CPU priority than the pages
        (`loa.web.throttle`). Only the check runs there: a low-priority thread holding the
        GIL (the database work of a login) would stall every page on a busy machine."""
        from starlette.concurrency import run_in_threadpool

        if self._checks is None:
            from loa.web.throttle import password_checks

            self._checks = password_checks()
        checks = self._checks

        def check(verify: Callable[[], bool]) -> bool:
            return checks.submit(verify).result()

        return await run_in_threadpool(call, check)

    @classmethod
    def make(
        cls,
        station: Station,
        clock: Callable[[], datetime] | None = None,
        env: Environment | None = None,
    ) -> Web:
        """The state of `station`'s dashboard; `env` the templates, shared when one process
        serves many stations."""
        from loa.core.db import ChangeWatch

        return cls(
            station=station,
            clock=clock or station.now,
            sessions=Sessions(signing_key(station.root)),
            env=env or make_env(),
            fragments=FragmentCache(ChangeWatch(station.db_url)),
        )

    def now(self) -> datetime:
        return self.clock()

    def province(self) -> Any:
        """The province this station belongs to (a province folder above it, or
        LOA_PROVINCE), looked for once; None for a commune on its own."""
        if "province" not in self.extra:
            from loa.core.errors import LoaError
            from loa.province.registry import find_province

            try:
                self.extra["province"] = find_province(cwd=self.station.root)
            except LoaError:
                self.extra["province"] = None
        return self.extra["province"]


def make_env() -> Environment:
    """The dashboard's templates, with the helpers every page uses."""
    from loa.core.i18n import decimal

    env = Environment(
        loader=PackageLoader("loa.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["label"] = status_label
    env.globals["channel_name"] = channel_name
    env.globals["word"] = word
    env.globals["decimal"] = decimal
    return env


def status_label(kind: str, value: str) -> str:
    """A status in the user's language: kind is message, plan, publication or asrun."""
    return _status_label(kind, str(value), language())


@lru_cache(maxsize=512)
def _status_label(kind: str, value: str, _lang: str) -> str:
    from loa.app.labels import status_label as label

    found = label(kind, value)
    if found is not None:
        return found
    from loa.web.text import T as TEXT

    return TEXT("overdue") if value == "overdue" else value


def word(kind: str, code: str) -> str:
    """A code shown to people (a priority, an audit action, a report figure, a period kind,
    a role) in the user's language: the text catalogue's `kind_code`, else the code itself."""
    from loa.web.text import T as TEXT

    key = f"{kind}_{code}"
    return TEXT(key) if key in TEXT.entries else str(code)


def channel_name(name: str) -> str:
    """A channel's name in the user's language ("urgent": an urgent air on every channel)."""
    return _channel_label(name, language())


@lru_cache(maxsize=256)
def _channel_label(name: str, _lang: str) -> str:
    from loa.core.registry import channel_label

    return channel_label(name)  # "urgent" (an urgent air, every channel) has its name too


#: A loa command in a message ("loa msg list", "--port"): an ASCII word after "loa", so the
#: Vietnamese word "loa" (the loudspeaker: "trên loa", "loa tạo") is not taken for one.
_COMMAND = re.compile(r"\bloa [a-z][a-z-]*(?=[\s.,;:)]|$)")
#: A command-line option before its example value ("ví dụ --quarter 2026Q4").
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*(?:=|\s+)(?=\S)")
#: A hint in brackets that names a command ("(xem: loa channels check)").
_HINT = re.compile(r"\s*\([^()]*\bloa [a-z][a-z-]*(?=[\s.,;:)])[^()]*\)")


def for_people(message: str) -> str:
    """A library message for a page: without its sentences telling to run a loa command (the
    person at the dashboard may not have the station's terminal), and an example's option
    name left out (its value is what the form takes)."""
    message = _OPTION.sub("", _HINT.sub("", message))
    sentences = re.split(r"(?<=[.!?])\s+", message.strip())
    kept = [s for s in sentences if not _COMMAND.search(s)]
    if kept:
        return " ".join(kept)
    found = _COMMAND.search(message)
    return message[: found.start() if found else None].rstrip(" :,;(") or message


def web_of(request: Request) -> Web:
    """The request's dashboard state: the commune the province door chose for it (one `loa
    web` for a whole province, `loa.web.province`), else the app's one station."""
    chosen = request.scope.get("loa.web")
    web: Web = chosen if chosen is not None else request.app.state.web
    return web


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def identify(request: Request) -> Account | None:
    """The user behind a request: a bearer token first, else the session cookie."""
    web = web_of(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        request.state.bearer = True
        token = header[7:].strip()
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()  # no token kept in memory
        assert web.fragments is not None
        return web.fragments.value(
            ("token", digest), lambda: users.user_for_token(web.station, token)
        )
    request.state.bearer = False
    if web.guest is not None:
        guest = web.guest(request)
        if guest is not None:
            return guest
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = web.sessions.loads(cookie)
    if found is None:
        return None
    assert web.fragments is not None
    user_id, stamp, key = found
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    account = web.fragments.value(
        ("session", digest), lambda: users.session_account(web.station, key)
    )
    if account is None or account.id != user_id or account.stamp != stamp:
        return None  # logged out, password changed, user removed
    request.state.session_key = key
    return account


def _check_role(account: Account, action: Action) -> Account:
    if not users.allowed(account.role, action):
        raise Forbidden(T("forbidden", name=account.name, role=word("role", account.role)))
    return account


async def _check_csrf(request: Request) -> None:
    if getattr(request.state, "bearer", False):
        return  # a token is sent deliberately by a program; no browser adds it on its own
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_token(sent, request.state.csrf):
        raise Forbidden(T("csrf"))


def reader(request: Request) -> Account:
    """Dependency: any logged-in user."""
    account = identify(request)
    if account is None:
        raise LoginRequired
    request.state.user = account
    return account


def role(action: Action) -> Callable[[Request], Account]:
    """Dependency for a page that only shows something (a form): a logged-in user whose role
    allows `action`."""

    def dependency(request: Request) -> Account:
        return _check_role(reader(request), action)

    return dependency


def writer(action: Action) -> Callable[[Request], Any]:
    """Dependency: a logged-in user whose role allows `action`, on a request carrying the
    CSRF token (form field or X-CSRF-Token header) unless it uses a bearer token."""

    async def dependency(request: Request) -> Account:
        account = await run_in_threadpool(identify, request)
        if account is None:
            raise LoginRequired
        request.state.user = account
        await _check_csrf(request)
        return _check_role(account, action)

    return dependency


#: The page dependencies: any logged-in user; one who may edit (with the CSRF token); one who
#: may work the radio (the same).
Reader = Annotated[Account, Depends(reader)]
Editor = Annotated[Account, Depends(writer(Action.EDIT))]
Operator = Annotated[Account, Depends(writer(Action.RADIO))]


def may(account: Account | None, action: Action) -> bool:
    return account is not None and users.allowed(account.role, action)


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page template with what every page needs (user, CSRF token, language)."""
    from loa.web.text import T as TEXT

    web = web_of(request)
    account: Account | None = getattr(request.state, "user", None)
    html = web.env.get_template(template).render(
        t=TEXT,
        lang=language(),
        user=account,
        csrf=request.state.csrf,
        path=request.url.path,
        station_name=web.station.name,
        may_edit=may(account, Action.EDIT),
        may_radio=may(account, Action.RADIO),
        in_province=web.province() is not None,
        **values,
    )
    return HTMLResponse(html, status_code=status_code)


def back(path: str, note: str = "") -> RedirectResponse:
    """A 303 back to `path`, with `note` shown there."""
    from urllib.parse import quote

    return RedirectResponse(path + (f"?note={quote(note)}" if note else ""), status_code=303)


def asked_day(request: Request, value: str | None) -> date:
    """The day a page was asked for (dd/mm/yyyy, yyyy-mm-dd, "hôm nay"...), else today."""
    from loa.core.dates import parse_date

    today = web_of(request).now().date()
    return today if not value else parse_date(value, today=today)
