"""The dashboard application: FastAPI with Jinja2 pages, htmx, and a JSON API under /api."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loa import __version__
from loa.core.errors import LoaError
from loa.core.i18n import SUPPORTED, request_language
from loa.core.station import Station
from loa.web.context import Forbidden, LoginRequired, Web, for_people, page
from loa.web.security import (
    CSRF_COOKIE,
    LANG_COOKIE,
    forwarded_client,
    new_csrf_token,
    trusted_proxies,
)
from loa.web.text import T

STATIC = Path(__file__).with_name("static")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def choose_language(chosen: str, station_language: str) -> str:
    """The language of a page: the one the user switched to in the page (the `loa_lang`
    cookie), else LOA_LANG, else the station's. The browser's Accept-Language is not asked: a
    phone set to English still shows a Vietnamese station in Vietnamese, with a switch."""
    for candidate in (chosen, os.environ.get("LOA_LANG", "")):
        tag = candidate.strip().lower()[:2]
        if tag in SUPPORTED:
            return tag
    return station_language if station_language in SUPPORTED else "vi"


class LanguageAndCsrf:
    """Pure ASGI middleware: each request's language (LOA_LANG, Accept-Language, the
    station's), its CSRF token (the `loa_csrf` cookie, made on the first visit), and the
    security headers on every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        station_language: str,
        secure_cookies: bool,
        proxies: str = "",
    ) -> None:
        self.app = app
        self.station_language = station_language
        self.secure_cookies = secure_cookies
        self.proxies = trusted_proxies(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.proxies and scope.get("client"):
            peer, port = scope["client"]
            forwarded = headers.get("x-forwarded-for", "")
            scope["client"] = (forwarded_client(peer, forwarded, self.proxies), port)
        private = not scope["path"].startswith("/static/")
        cookies = cookie_parser(headers.get("cookie", ""))
        lang = choose_language(cookies.get(LANG_COOKIE, ""), self.station_language)
        known = cookies.get(CSRF_COOKIE)
        token = known or new_csrf_token()
        state = scope.setdefault("state", {})
        state["csrf"], state["user"], state["lang"] = token, None, lang
        cookie = f"{CSRF_COOKIE}={token}; HttpOnly; Path=/; SameSite=strict"
        if self.secure_cookies:
            cookie += "; Secure"

        async def start(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if not known:
                    out.append("set-cookie", cookie)
                for name, value in SECURITY_HEADERS.items():
                    if name not in out:
                        out[name] = value
                if private and "cache-control" not in out:
                    out["Cache-Control"] = "no-store"  # Back after logout shows nothing kept
                if "content-language" not in out:
                    out["Content-Language"] = lang
            await send(message)

        with request_language(lang):
            await self.app(scope, receive, start)


#: The largest request body read: a form with a photo and a file to import (10 MB each).
MAX_BODY = 24 * 2**20
#: The largest body that is not a file upload (a form or JSON).
MAX_FORM = 2 * 2**20


class BodyLimit:
    """Pure ASGI middleware: a body larger than the limit is refused (413) before it is read
    into memory or onto disk, by its Content-Length, or, without one, as soon as more has
    arrived than the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = headers.get("content-type", "")
        limit = MAX_BODY if kind.startswith("multipart/form-data") else MAX_FORM
        try:
            declared = int(headers.get("content-length", "0"))
        except ValueError:
            declared = 0
        if declared > limit:
            await _too_large(scope, receive, send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, limited, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    headers = Headers(scope=scope)
    lang = choose_language(cookie_parser(headers.get("cookie", "")).get(LANG_COOKIE, ""), "vi")
    with request_language(lang):
        message = T("too_large", mb=limit // 2**20)
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"error": message}, status_code=413)
    else:
        from html import escape

        body = f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><p>{escape(message)}</p>'
        response = Response(body, status_code=413, media_type="text/html")
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


def _where(error: object) -> str:
    """Where a validation error is: "path", "query", "body", ..."""
    loc = error.get("loc") if isinstance(error, dict) else None
    return str(loc[0]) if loc else ""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    station: Station | None,
    *,
    clock: Callable[[], datetime] | None = None,
    login_delay: float = 1.0,
) -> FastAPI:
    """The dashboard for `station`. `clock` gives the station's wall-clock time (tests pass a
    fixed one); `login_delay` the seconds a throttled or repeated wrong login waits. Without a
    station, each request must bring its own (`loa.web.province`: one app for every commune)."""
    from loa.web import (
        account_pages,
        api,
        live,
        message_pages,
        plan_pages,
        radio_pages,
        report_pages,
        settings_pages,
    )

    app = FastAPI(
        title="loa",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    secure = os.environ.get("LOA_WEB_SECURE_COOKIES", "") == "1"
    app.state.web = None
    if station is not None:
        web = Web.make(station, clock)
        web.login_delay = login_delay
        web.secure_cookies = secure
        app.state.web = web
    station_language = station.language if station is not None else "vi"
    app.add_middleware(
        LanguageAndCsrf,
        station_language=station_language,
        secure_cookies=secure,
        proxies=os.environ.get("LOA_WEB_PROXIES", ""),
    )

    def _lang_of(request: Request) -> str:
        found = getattr(request.state, "lang", None)
        if isinstance(found, str):
            return found
        return choose_language(request.cookies.get(LANG_COOKIE, ""), station_language)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        with request_language(_lang_of(request)):
            if _is_api(request):
                from loa.web.context import T as CT

                return JSONResponse({"error": CT("login_needed")}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        with request_language(_lang_of(request)):
            if _is_api(request):
                return JSONResponse({"error": exc.message}, status_code=403)
            return page(request, "error.html", 403, message=for_people(exc.message))

    @app.exception_handler(LoaError)
    async def _user_error(request: Request, exc: LoaError) -> Response:
        status = 400 if exc.exit_code == 2 else 500
        with request_language(_lang_of(request)):
            if _is_api(request):
                return JSONResponse({"error": str(exc)}, status_code=status)
            return page(request, "error.html", status, message=for_people(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        with request_language(_lang_of(request)):
            fields = ", ".join(
                str(e.get("loc", ["?"])[-1]) for e in exc.errors() if isinstance(e, dict)
            )
            if any(_where(e) == "path" for e in exc.errors()):
                status, message = 404, T("not_found")  # /messages/abc, /messages/99…9: no page
            else:
                status = 400 if all(_where(e) == "query" for e in exc.errors()) else 422
                message = T("bad_request", fields=fields or "?")
            if _is_api(request):
                return JSONResponse({"error": message}, status_code=status)
            return page(request, "error.html", status, message=message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        with request_language(_lang_of(request)):
            if exc.status_code == 404:
                message = T("not_found")
            elif exc.status_code == 413:
                message = T("too_large", mb=MAX_BODY // 2**20)
            else:
                message = T("http", code=exc.status_code)
            if _is_api(request):
                return JSONResponse({"error": message}, status_code=exc.status_code)
            return page(request, "error.html", exc.status_code, message=message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        with request_language(_lang_of(request)):
            if isinstance(exc, OverflowError):  # a number too large for the database
                message = T("bad_request", fields="?")
                if _is_api(request):
                    return JSONResponse({"error": message}, status_code=400)
                return page(request, "error.html", 400, message=message)
            message = T("unexpected", error=type(exc).__name__)
            if _is_api(request):
                return JSONResponse({"error": message}, status_code=500)
            return page(request, "error.html", 500, message=message)

    app.add_middleware(BodyLimit)  # outermost of ours: before anything reads the body
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(account_pages.router)
    app.include_router(radio_pages.router)
    app.include_router(message_pages.router)
    app.include_router(plan_pages.router)
    app.include_router(report_pages.router)
    app.include_router(settings_pages.router)
    app.include_router(live.router)
    app.include_router(api.router)
    return app
