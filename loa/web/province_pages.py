"""The province's own pages: log in and out, language, every commune's state now, the
province report, and the province messages with the form an officer writes one with."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from loa.province.users import ProvinceAccount
from loa.web.context import Forbidden, for_people
from loa.web.province_home import (
    COMMUNE_COOKIE,
    PROVINCE_COOKIE,
    Home,
    P,
    User,
    Writer,
    _csrf,
    home_of,
    render,
)
from loa.web.security import (
    SESSION_COOKIE,
    SESSION_HOURS,
    safe_next,
    same_token,
)

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
    from loa.province.deliveries import province_figures
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
    from loa.province.deliveries import list_messages

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
    from loa.province.deliveries import list_messages

    home = home_of(request)
    found = list_messages(home.province, message_id=message_id)[0]
    return render(request, "province_message.html", m=found, names=home.names(), note=note)
