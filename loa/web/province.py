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

from collections.abc import Awaitable, Callable
from datetime import datetime
from html import escape
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loa.core.errors import LoaError
from loa.core.i18n import language
from loa.province.registry import Province
from loa.province.users import ProvinceUsers
from loa.web.context import Forbidden, LoginRequired, for_people, make_env
from loa.web.province_home import (
    _COMMUNE_PATH,
    _LINK,
    COMMUNE_COOKIE,
    OPEN_PATHS,
    PROVINCE_COOKIE,
    Home,
    P,
    _error_page,
)
from loa.web.province_pages import router
from loa.web.security import (
    SESSION_COOKIE,
    Sessions,
    signing_key,
)

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
