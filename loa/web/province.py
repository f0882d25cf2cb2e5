"""One `loa web` for a whole province (`loa province web`).

A single process serves every commune of the province and the province's own pages:

- ``/x/<ident>/...`` is commune `ident`'s dashboard: the same page code as a commune's own
  `loa web` (one FastAPI app for all communes), with the station chosen per request. Links,
  forms and redirects in its pages are given the ``/x/<ident>`` prefix on the way out.
- everything else is the province's: its login, every commune's state now with alerts, the
  province messages with their delivery, and the form the province officer writes one with.

Who may see what: a province user (`loa province user add`, `loa.province.users`) logs in at
/login and sees every commune; in a commune's pages they act with their role there (officer,
operator, viewer). A commune's user logs in at /x/<ident>/login with that commune's account and
sees only that commune: another commune's pages answer 403, its API 401.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loa.core.errors import LoaError
from loa.core.i18n import Catalog, language
from loa.core.station import Station
from loa.province.registry import Province
from loa.province.users import ProvinceAccount, ProvinceUsers
from loa.web.context import Forbidden, LoginRequired, Web, for_people, make_env
from loa.web.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SESSION_HOURS,
    Sessions,
    safe_next,
    same_token,
    signing_key,
)
from loa.web.throttle import LoginThrottle

P = Catalog(
    {
        "title": ("Toàn tỉnh: {name}", "Province: {name}"),
        "nav_now": ("Tình hình các xã", "Communes now"),
        "nav_messages": ("Tin của tỉnh", "Province messages"),
        "nav_new": ("Viết tin", "Write a message"),
        "nav_report": ("Báo cáo", "Report"),
        "r_title": ("Kết quả từ {start} đến {end}", "Results from {start} to {end}"),
        "r_from": ("Từ ngày", "From"),
        "r_to": ("Đến ngày", "To"),
        "r_show": ("Xem", "Show"),
        "r_bulletins": ("Bản tin", "Bulletins"),
        "r_items": ("Lượt tin trên loa", "Radio items"),
        "r_airtime": ("Phút phát", "Minutes aired"),
        "r_total": ("Cả tỉnh", "Whole province"),
        "r_problem": ("Không đọc được số liệu của xã {name}: {why}", "Commune {name}: {why}"),
        "r_own": ("Tin của tỉnh gửi xuống", "Messages the province sent down"),
        "r_sent": ("Tin đã gửi", "Messages sent"),
        "r_deliveries": ("Lượt xã nhận", "Commune deliveries"),
        "r_targeted": ("Số xã nhận", "Communes targeted"),
        "r_aired": ("Số xã đã phát", "Communes that aired them"),
        "r_posted": ("Số xã đã đăng", "Communes that posted them"),
        "r_zones": ("Khu vực loa đã phát", "Loudspeaker zones reached"),
        "r_airings": ("Lượt phát", "Airings"),
        "r_posts": ("Bài đăng", "Posts"),
        "login_title": ("Đăng nhập cán bộ tỉnh", "Province staff login"),
        "communes_login": (
            "Cán bộ xã: chọn xã của mình để đăng nhập bằng tài khoản của xã.",
            "Commune staff: choose your commune to log in with its account.",
        ),
        "login_needed": (
            "Cần đăng nhập với tài khoản của tỉnh (tạo bằng loa province user add).",
            "Log in with a province account (made with loa province user add).",
        ),
        "not_province": (
            "Trang này dành cho cán bộ tỉnh. Tài khoản của xã chỉ xem được xã mình.",
            "This page is for the province's staff. A commune's account sees its commune only.",
        ),
        "other_commune": (
            "Bạn đăng nhập bằng tài khoản của xã {own}; không xem được trang của xã {ident}.",
            "You are logged in with commune {own}'s account; commune {ident}'s pages are not "
            "yours to see.",
        ),
        "back_own": ("Về trang của xã {own}", "Back to commune {own}"),
        "no_commune": (
            "Tỉnh không có xã {ident}. Chọn xã trong danh sách ở trang chính.",
            "The province has no commune {ident}. Choose one from the list on the home page.",
        ),
        "officer_only": (
            "Chỉ cán bộ tỉnh (vai trò officer) được viết tin của tỉnh.",
            "Only a province officer (role officer) may write province messages.",
        ),
        "machinery": ("Máy chạy nền của tỉnh", "The province's machinery"),
        "workers": (
            "loa worker đang chạy: {alive}/{n}",
            "loa worker running: {alive}/{n}",
        ),
        "scheduler": ("loa scheduler: {who}", "loa scheduler: {who}"),
        "scheduler_none": ("loa scheduler: KHÔNG CHẠY", "loa scheduler: NOT RUNNING"),
        "alerts": ("Cảnh báo", "Alerts"),
        "no_alerts": ("Không có cảnh báo nào.", "No alerts."),
        "communes": ("Từng xã lúc {at}", "Each commune at {at}"),
        "c_commune": ("Xã", "Commune"),
        "c_stream": ("Luồng phát", "Stream"),
        "c_last": ("Bản tin phát gần nhất", "Last aired"),
        "c_missed": ("Giờ phát lỡ hôm nay", "Slots missed today"),
        "c_failed": ("Việc lỗi", "Failed"),
        "c_uncertain": ("Bài chưa rõ", "Uncertain posts"),
        "c_listeners": ("Người nghe", "Listeners"),
        "c_open": ("Trang của xã", "Commune's pages"),
        "open": ("Mở", "Open"),
        "stream_none": ("không dùng", "none"),
        "stream_ok": ("{up}/{n} luồng kết nối", "{up}/{n} mounts connected"),
        "stream_down": ("không chạy", "not running"),
        "never": ("chưa phát", "never"),
        "unknown": ("không rõ", "unknown"),
        "m_none": ("Tỉnh chưa gửi tin nào.", "The province has sent no messages yet."),
        "m_id": ("Số", "No."),
        "m_class": ("Mức độ", "Class"),
        "m_title": ("Tiêu đề", "Title"),
        "m_to": ("Gửi tới", "To"),
        "m_communes": ("Xã nhận", "Communes"),
        "m_aired": ("Đã phát ở", "Aired in"),
        "m_posted": ("Đã đăng ở", "Posted in"),
        "m_when": ("Lúc gửi", "Sent"),
        "m_by": ("Người gửi", "By"),
        "m_until": ("Hết hạn", "Valid until"),
        "m_channels": ("Kênh", "Channels"),
        "d_delivered": ("Nhận lúc", "Delivered"),
        "d_aired": ("Phát lúc", "Aired at"),
        "d_zones": ("Khu vực loa", "Zones"),
        "d_posted": ("Đăng", "Posted"),
        "d_problem": ("Trục trặc", "Problem"),
        "not_yet": ("chưa", "not yet"),
        "f_title": ("Tiêu đề", "Title"),
        "f_body": ("Nội dung (đọc trên loa và đăng)", "Text (read on air and posted)"),
        "f_to": (
            "Gửi tới: all (mọi xã), nhãn hoặc mã xã, cách nhau bằng dấu phẩy",
            "Send to: all (every commune), tags or commune ids, separated by commas",
        ),
        "f_to_help": (
            "Nhãn đang dùng: {tags}. Mã xã: {idents}.",
            "Tags: {tags}. Communes: {idents}.",
        ),
        "f_class": ("Mức độ (Thông tư 39)", "Class (Circular 39)"),
        "f_from": ("Hiệu lực từ ngày (dd/mm/yyyy)", "Valid from (dd/mm/yyyy)"),
        "f_until": (
            "Hết hạn sau ngày (dd/mm/yyyy; khẩn cấp: hôm nay)",
            "Valid until (dd/mm/yyyy; urgent: today)",
        ),
        "f_channels": ("Kênh", "Channels"),
        "f_send": ("Gửi xuống các xã", "Send to the communes"),
        "f_urgent_note": (
            "Tin khẩn cấp được phát ngay trên loa của mọi xã nhận.",
            "An urgent message airs at once on every target commune's loudspeakers.",
        ),
        "sent": (
            "Đã gửi tin số {id} vào hàng đợi của {n} xã.",
            "Sent message {id} into the queues of {n} communes.",
        ),
        "no_tags": ("chưa có", "none yet"),
        "logout": ("Đăng xuất", "Log out"),
        "k_normal": ("Thông thường", "Normal"),
        "k_high": ("Ưu tiên", "Priority"),
        "k_urgent": ("Khẩn cấp", "Urgent"),
    }
)

#: The province user's session cookie (signed with the province's key).
PROVINCE_COOKIE = "loa_tinh"
#: Which commune a commune's user logged in to: tells them, not a stranger, that another
#: commune's pages are not theirs (the session itself only opens its own commune's).
COMMUNE_COOKIE = "loa_xa"
#: Paths of a commune that a user of another commune may still open (to log in there).
OPEN_PATHS = ("/login", "/lang", "/static/", "/favicon.ico", "/manifest.webmanifest")

#: Communes whose database connections are kept open between requests (at most 2 each).
WARM = 8

_COMMUNE_PATH = re.compile(r"^/x/([A-Za-z0-9_]{1,63})(/.*)?$")
_LINK = re.compile(
    rb'(\s(?:href|action|src|formaction|hx-get|hx-post|hx-put|hx-delete|hx-patch)=")/(?!/|static/)'
)


@dataclass
class Home:
    """The province door's shared state."""

    province: Province
    env: Environment
    users: ProvinceUsers
    sessions: Sessions
    clock: Callable[[], datetime]
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    login_delay: float = 1.0
    secure_cookies: bool = False
    communes: dict[str, Web] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # ident -> name
    #: The communes' pages use `clock` too (a test's fixed time), else each station's own.
    fixed_clock: bool = False
    recent: OrderedDict[str, Web] = field(default_factory=OrderedDict)
    #: The communes' settings as loaded for the province page (no database connection).
    settings: dict[str, Station] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        return self.clock()

    def account(self, request: Request) -> ProvinceAccount | None:
        """The province user behind a request's cookie, or None."""
        cookie = request.cookies.get(PROVINCE_COOKIE)
        if not cookie:
            return None
        found = self.sessions.loads(cookie)
        if found is None:
            return None
        user_id, stamp, key = found
        account = self.users.session_account(key)
        if account is None or -account.id != user_id or account.stamp != stamp:
            return None
        request.state.province_key = key
        return account

    def names(self) -> dict[str, str]:
        """The communes (ident -> name), read again when asked for one not known."""
        if not self.known:
            self.known = {r.ident: r.name for r in self.province.stations()}
        return self.known

    def commune(self, ident: str) -> Web | None:
        """Commune `ident`'s dashboard state, opened on its first request and kept; None when
        the province has no such commune."""
        with self._lock:
            found = self.communes.get(ident)
            if found is not None:
                self._warm(ident, found)
                return found
            if ident not in self.names():
                self.known = {}
                if ident not in self.names():
                    return None
            from loa.province.stations import open_station

            station = open_station(self.province, ident, pool_size=2)
            web = Web.make(station, self.clock if self.fixed_clock else None, env=self.env)
            web.throttle = self.throttle  # one count of guesses, whichever commune is tried
            web.login_delay = self.login_delay
            web.secure_cookies = self.secure_cookies
            web.guest = self.account
            web.extra["province"] = self.province
            self.communes[ident] = web
            self._warm(ident, web)
            return web

    def _warm(self, ident: str, web: Web) -> None:
        """Keep the database connections of the WARM communes used last; the others' are
        closed (reopened on their next request), so a hundred communes do not hold a hundred
        pools of idle PostgreSQL sessions."""
        self.recent.pop(ident, None)
        self.recent[ident] = web
        while len(self.recent) > WARM:
            _, cold = self.recent.popitem(last=False)
            cold.station.engine.dispose()  # connections in use are let go when returned

    def close(self) -> None:
        for web in self.communes.values():
            web.station.engine.dispose()
            if web.fragments is not None:
                web.fragments.watch.close()
        self.users.close()


# --------------------------------------------------------------------------- rendering


def home_of(request: Request) -> Home:
    found: Home = request.app.state.home
    return found


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    from loa.web.text import T as TEXT

    home = home_of(request)
    html = home.env.get_template(template).render(
        t=TEXT,
        p=P,
        lang=language(),
        user=getattr(request.state, "user", None),
        csrf=request.state.csrf,
        path=request.url.path,
        province=home.province,
        **values,
    )
    return HTMLResponse(html, status_code=status_code)


def _error_page(lang_request: Request, status: int, message: str) -> HTMLResponse:
    return render(lang_request, "province_error.html", status, message=message)


# --------------------------------------------------------------------------- who asks


def province_user(request: Request) -> ProvinceAccount:
    """Dependency: a logged-in province user."""
    account = home_of(request).account(request)
    if account is None:
        raise LoginRequired
    request.state.user = account
    return account


async def _csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_token(sent, request.state.csrf):
        from loa.web.context import T as CT

        raise Forbidden(CT("csrf"))


async def province_writer(request: Request) -> ProvinceAccount:
    """Dependency: a province user on a request carrying the CSRF token."""
    account = await run_in_threadpool(province_user, request)
    await _csrf(request)
    return account


User = Annotated[ProvinceAccount, Depends(province_user)]
Writer = Annotated[ProvinceAccount, Depends(province_writer)]

router = APIRouter()


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    home = home_of(request)
    return render(
        request, "province_login.html", next=safe_next(next), error="", communes=home.names()
    )


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    import asyncio

    from loa.app.users import LoginRefused
    from loa.web.context import T as CT
    from loa.web.context import client_address
    from loa.web.text import T as TEXT

    home = home_of(request)
    again = {"next": safe_next(next), "communes": home.names()}
    if not same_token(csrf, request.state.csrf):
        return render(request, "province_login.html", 403, error=CT("csrf"), **again)
    address, name = client_address(request), username.strip()[:40]
    wait = home.throttle.wait(address, name, home.now())
    if wait:
        await asyncio.sleep(home.login_delay)
        message = TEXT("login_wait", seconds=wait)
        return render(request, "province_login.html", 429, error=message, **again)
    failures = home.throttle.failed(address, name, home.now())
    try:
        account = await run_in_threadpool(
            home.users.login, name, password, address=address, now=home.now()
        )
    except LoginRefused as refused:
        if failures > 2:
            await asyncio.sleep(home.login_delay)
        return render(request, "province_login.html", 401, error=str(refused), **again)
    home.throttle.succeeded(address, name)
    key = await run_in_threadpool(home.users.start_session, account, now=home.now())
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        PROVINCE_COOKIE,
        home.sessions.dumps(-account.id, account.stamp, key),
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        path="/",
        secure=home.secure_cookies,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Ends the province session (and a commune session in the same browser)."""
    await _csrf(request)
    home = home_of(request)
    account = await run_in_threadpool(home.account, request)
    key = getattr(request.state, "province_key", "")
    if account is not None and key:
        await run_in_threadpool(home.users.end_session, key)
    response = RedirectResponse("/login", status_code=303)
    for name in (PROVINCE_COOKIE, SESSION_COOKIE, COMMUNE_COOKIE):
        response.delete_cookie(name, path="/", httponly=True, secure=home.secure_cookies)
    return response


@router.post("/lang")
async def switch_language(
    request: Request, lang: Annotated[str, Form()] = "vi", next: Annotated[str, Form()] = "/"
) -> Response:
    from loa.web.security import language_redirect

    await _csrf(request)
    return language_redirect(next, lang, secure=home_of(request).secure_cookies)


@router.get("/")
def now_page(request: Request, user: User) -> HTMLResponse:
    """Every commune's state now, the alerts, the province's machinery."""
    from loa.province.status import province_now

    home = home_of(request)
    found = province_now(home.province, now=home.now(), live=True, stations=home.settings)
    return render(request, "province_now.html", state=found)


@router.get("/report")
def report_page(request: Request, user: User, start: str = "", end: str = "") -> HTMLResponse:
    """Each commune's report figures over a period and their sum (`loa province report`),
    with the province's own: messages sent down by class and their coverage."""
    from loa.core.dates import parse_date
    from loa.province.messages import province_figures
    from loa.province.status import province_report

    home = home_of(request)
    today = home.now().date()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)  # this quarter
    start_day = parse_date(start, today=today) if start.strip() else first
    end_day = parse_date(end, today=today) if end.strip() else today
    report = province_report(home.province, start_day, end_day, now=home.now())
    own = province_figures(home.province, start_day, end_day)
    channels = sorted({ch for c in report.communes for ch in c.posts})
    return render(
        request,
        "province_report.html",
        report=report,
        own=own,
        channels=channels,
        start=start_day,
        end=end_day,
    )


@router.get("/messages")
def messages_page(request: Request, user: User, note: str = "") -> HTMLResponse:
    from loa.province.messages import list_messages

    found = list_messages(home_of(request).province)
    return render(request, "province_messages.html", messages=found, note=note)


def _form_values(home: Home, **given: Any) -> dict[str, Any]:
    from loa.province.messages import tags_of

    tags = sorted({t for its in tags_of(home.province).values() for t in its})
    values = {
        "title": "",
        "body": "",
        "to": "all",
        "klass": "thuong",
        "valid_from": "",
        "valid_until": "",
        "channels": ["radio", "facebook", "website"],
    }
    values.update(given)
    return {"v": values, "tags": tags, "idents": sorted(home.names()), "error": ""}


def _officer(user: ProvinceAccount) -> None:
    if not user.writes_messages:
        raise Forbidden(P("officer_only"))


@router.get("/messages/new")
def new_message_form(request: Request, user: User) -> HTMLResponse:
    _officer(user)
    return render(request, "province_message_form.html", **_form_values(home_of(request)))


#: The channels offered on the form (any other may be named in `loa province msg add`).
FORM_CHANNELS = ("radio", "facebook", "zalo", "website", "wordpress")


@router.post("/messages/new")
def new_message(
    request: Request,
    user: Writer,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    klass: Annotated[str, Form()] = "thuong",
    valid_from: Annotated[str, Form()] = "",
    valid_until: Annotated[str, Form()] = "",
    channels: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The same as `loa province msg add`: written once, delivered into each target
    commune's queue with the jobs its class calls for."""
    from loa.core.dates import parse_date
    from loa.core.errors import UserError
    from loa.province.messages import parse_class, send
    from loa.web.context import client_address

    _officer(user)
    home = home_of(request)
    chosen = [c for c in (channels or []) if c in FORM_CHANNELS]
    given = {
        "title": title,
        "body": body,
        "to": to,
        "klass": klass,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "channels": chosen,
    }
    today = home.now().date()
    try:
        sent = send(
            home.province,
            title=title,
            body=body,
            priority=parse_class(klass),
            targets=[t.strip() for t in to.split(",") if t.strip()],
            by=user.login,
            channels=chosen or ["radio"],
            valid_from=parse_date(valid_from, today=today) if valid_from.strip() else None,
            valid_until=parse_date(valid_until, today=today) if valid_until.strip() else None,
            now=home.now(),
        )
    except UserError as exc:
        values = _form_values(home, **given)
        values["error"] = for_people(str(exc))
        return render(request, "province_message_form.html", 400, **values)
    home.users.record(
        user.login,
        "province_message",
        f"{sent.message_id} {sent.priority} → {len(sent.delivered)}",
        address=client_address(request),
        now=home.now(),
    )
    note = P("sent", id=sent.message_id, n=len(sent.delivered))
    return RedirectResponse(f"/messages/{sent.message_id}?note={quote(note)}", status_code=303)


@router.get("/messages/{message_id}")
def message_page(request: Request, user: User, message_id: int, note: str = "") -> HTMLResponse:
    from loa.province.messages import list_messages

    home = home_of(request)
    found = list_messages(home.province, message_id=message_id)[0]
    return render(request, "province_message.html", m=found, names=home.names(), note=note)


# --------------------------------------------------------------------------- the door


def _home_app(home: Home) -> FastAPI:
    """The province's own pages, with the same middleware as a commune's dashboard."""
    import os

    from loa.web.app import STATIC, BodyLimit, LanguageAndCsrf
    from loa.web.text import T as TEXT

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.home = home

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        account_hint = request.cookies.get(COMMUNE_COOKIE, "")
        if account_hint and account_hint in home.known and request.url.path == "/":
            return RedirectResponse(f"/x/{account_hint}/", status_code=303)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error_page(request, 403, for_people(exc.message))

    @app.exception_handler(LoaError)
    async def _user_error(request: Request, exc: LoaError) -> Response:
        status = 400 if exc.exit_code == 2 else 500
        return _error_page(request, status, for_people(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _bad(request: Request, exc: RequestValidationError) -> Response:
        return _error_page(request, 404, TEXT("not_found"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = (
            TEXT("not_found") if exc.status_code == 404 else TEXT("http", code=exc.status_code)
        )
        return _error_page(request, exc.status_code, message)

    from fastapi.staticfiles import StaticFiles

    app.add_middleware(
        LanguageAndCsrf,
        station_language="vi",
        secure_cookies=home.secure_cookies,
        proxies=os.environ.get("LOA_WEB_PROXIES", ""),
    )
    app.add_middleware(BodyLimit)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    return app


class ProvinceDoor:
    """Pure ASGI: /x/<ident>/... to the communes' dashboard with that commune's state, the
    rest to the province's pages."""

    def __init__(self, home: Home, communes: ASGIApp, own: ASGIApp) -> None:
        self.home = home
        self.communes = communes
        self.own = own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _COMMUNE_PATH.match(scope["path"]) if scope["type"] == "http" else None
        if found is None:
            await self.own(scope, receive, send)
            return
        ident, rest = found.group(1), found.group(2) or "/"
        web = await run_in_threadpool(self.home.commune, ident)
        if web is None:
            await self._refuse(scope, receive, send, 404, P("no_commune", ident=ident), "")
            return
        cookies = cookie_parser(dict(_headers(scope)).get("cookie", ""))
        if rest == "/logout" and cookies.get(PROVINCE_COOKIE):
            await self.own(dict(scope, path="/logout", raw_path=b"/logout"), receive, send)
            return
        own = cookies.get(COMMUNE_COOKIE, "")
        if (
            own
            and own != ident
            and cookies.get(SESSION_COOKIE)
            and not cookies.get(PROVINCE_COOKIE)
            and not rest.startswith(OPEN_PATHS)
        ):
            message = P("other_commune", own=own, ident=ident)
            await self._refuse(scope, receive, send, 403, message, own)
            return
        prefix = f"/x/{ident}"
        inner = dict(scope, path=rest, raw_path=rest.encode("utf-8"))
        inner["loa.web"] = web
        await self.communes(
            inner, receive, _prefixing(send, prefix, ident, self.home.secure_cookies)
        )

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str, own: str
    ) -> None:
        if "/api/" in scope["path"]:
            from starlette.responses import JSONResponse

            response: Response = JSONResponse({"error": message}, status_code=status)
        else:
            back = (
                f'<p><a href="/x/{escape(own)}/">{escape(P("back_own", own=own))}</a></p>'
                if own
                else '<p><a href="/">loa</a></p>'
            )
            body = (
                f'<!doctype html><html lang="{language()}"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<link rel="stylesheet" href="/static/style.css">'
                f'<main><p class="error" role="alert">{escape(message)}</p>{back}</main>'
            )
            response = HTMLResponse(body, status_code=status)
        await response(scope, receive, send)


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]


def _prefixing(
    send: Send, prefix: str, ident: str, secure: bool
) -> Callable[[Message], Awaitable[None]]:
    """`send` with the commune's prefix put on redirects and on the links and forms of its
    pages, and, when a commune user logs in, the cookie naming their commune."""
    held: Message | None = None
    chunks: list[bytes] = []
    link = prefix.encode("ascii")

    async def wrapped(message: Message) -> None:
        nonlocal held
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            location = headers.get("location")
            if location and location.startswith("/") and not location.startswith("//"):
                headers["location"] = prefix + location
            for value in headers.getlist("set-cookie"):
                if value.startswith(f"{SESSION_COOKIE}=") and not value.startswith(
                    f'{SESSION_COOKIE}="";'
                ):
                    cookie = f"{COMMUNE_COOKIE}={ident}; HttpOnly; Path=/; SameSite=lax"
                    headers.append("set-cookie", cookie + ("; Secure" if secure else ""))
                    break
            if headers.get("content-type", "").startswith("text/html"):
                held = message
                return
            await send(message)
            return
        if held is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = _LINK.sub(lambda m: m.group(1) + link + b"/", b"".join(chunks))
        headers = MutableHeaders(scope=held)
        if "content-length" in headers:
            headers["content-length"] = str(len(body))
        await send(held)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped


def create_province_app(
    province: Province,
    *,
    clock: Callable[[], datetime] | None = None,
    login_delay: float = 1.0,
) -> ASGIApp:
    """One dashboard for the whole province (see the module). `clock` gives the wall-clock
    time of the province and of every commune (tests pass a fixed one)."""
    import os

    from loa.web.app import create_app

    secure = os.environ.get("LOA_WEB_SECURE_COOKIES", "") == "1"
    env = make_env()
    home = Home(
        province=province,
        env=env,
        users=ProvinceUsers(province),
        sessions=Sessions(signing_key(province.root)),
        clock=clock or province.now,
        login_delay=login_delay,
        secure_cookies=secure,
        fixed_clock=clock is not None,
    )
    home.names()
    return ProvinceDoor(home, create_app(None, login_delay=login_delay), _home_app(home))
