"""The dashboard's sign-in pages: log in and out, the language switch, the web app manifest
and icon."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from loa.app import users
from loa.app.users import Account, Action
from loa.web.context import (
    client_address,
    page,
    web_of,
    writer,
)
from loa.web.security import SESSION_COOKIE, SESSION_HOURS, safe_next
from loa.web.text import T

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", next=safe_next(next), error="")


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    from loa.web.security import same_token
    from loa.web.throttle import WAITING

    web = web_of(request)
    if not same_token(csrf, request.state.csrf):
        from loa.web.context import T as CT

        return page(request, "login.html", 403, next=safe_next(next), error=CT("csrf"))
    address, name = client_address(request), username.strip()[:40]
    wait = web.throttle.wait(address, name, web.now())
    if wait:  # checked before the password: a throttled guess costs nothing and learns nothing
        await asyncio.sleep(web.login_delay)  # a tarpit: the attacker waits, we do not work
        message = T("login_wait", seconds=wait)
        return page(request, "login.html", 429, next=safe_next(next), error=message)
    if web.logins >= WAITING:
        return page(request, "login.html", 429, next=safe_next(next), error=T("login_busy"))
    # counted before the check, so parallel guesses cannot all pass the limit; a correct
    # password takes it back
    failures = web.throttle.failed(address, name, web.now())
    web.logins += 1
    try:
        account = await web.check_password(
            lambda check: users.login(
                web.station, name, password, address=address, now=web.now(), check=check
            )
        )
    except users.LoginRefused as refused:
        if failures > 2:  # a typing mistake or two answers at once; guessing waits
            await asyncio.sleep(web.login_delay)
        return page(request, "login.html", 401, next=safe_next(next), error=str(refused))
    finally:
        web.logins -= 1
    web.throttle.succeeded(address, name)
    key = await run_in_threadpool(users.start_session, web.station, account, now=web.now())
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        web.sessions.dumps(account.id, account.stamp, key),
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        path="/",
        secure=web.secure_cookies,
    )
    return response


@router.post("/logout")
def logout(request: Request, _user: Annotated[Account, Depends(writer(Action.READ))]) -> Response:
    """Ends the session on the server too: the cookie, replayed, no longer logs anyone in."""
    key = getattr(request.state, "session_key", "")
    if key:
        users.end_session(web_of(request).station, key)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=web_of(request).secure_cookies
    )
    return response


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    """The web app manifest: the dashboard can be added to a phone's home screen and opens
    like an app. No login (browsers fetch it without cookies); it names only the station."""
    import json

    from loa.core.i18n import language

    station = web_of(request).station
    data = {
        "name": f"loa · {station.name}",
        "short_name": "loa",
        "description": T("app_description"),
        "lang": language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/static/icon-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        json.dumps(data, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    from loa.web.app import STATIC

    return FileResponse(
        STATIC / "favicon.png",
        media_type="image/png",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.post("/lang")
def switch_language(
    request: Request,
    lang: Annotated[str, Form()] = "vi",
    next: Annotated[str, Form()] = "/",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The language switch in every page: kept in a cookie, it wins over the station's."""
    from loa.web.context import Forbidden
    from loa.web.context import T as CT
    from loa.web.security import language_redirect, same_token

    if not same_token(csrf, request.state.csrf):
        raise Forbidden(CT("csrf"))
    return language_redirect(next, lang, secure=web_of(request).secure_cookies)
