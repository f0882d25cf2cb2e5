"""The dashboard's HTML pages. Each handler reads the request, calls one loa.app or library
function (the same the CLI calls) and renders a template; no business logic lives here."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from loa.app import users
from loa.app.users import Account, Action
from loa.core.errors import LoaError, UserError
from loa.web.context import (
    FormId,
    Id,
    client_address,
    for_people,
    may,
    page,
    reader,
    role,
    web_of,
    writer,
)
from loa.web.media import kept_photo, media_file, media_url
from loa.web.security import SESSION_COOKIE, SESSION_HOURS, safe_next
from loa.web.text import T

router = APIRouter(include_in_schema=False)

Reader = Annotated[Account, Depends(reader)]
Editor = Annotated[Account, Depends(writer(Action.EDIT))]
Operator = Annotated[Account, Depends(writer(Action.RADIO))]


def _day(request: Request, value: str | None) -> date:
    from loa.core.dates import parse_date

    today = web_of(request).now().date()
    return today if not value else parse_date(value, today=today)


def _back(path: str, note: str = "") -> RedirectResponse:
    return RedirectResponse(path + (f"?note={quote(note)}" if note else ""), status_code=303)


# ------------------------------------------------------------------ login


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


# ------------------------------------------------------------------ today and radio


@router.get("/")
def today(request: Request, user: Reader) -> HTMLResponse:
    from loa.app.dashboard import day_view

    web = web_of(request)
    view = day_view(web.station, now=web.now())
    return page(request, "today.html", view=view, media_url=media_url(web.station))


@router.get("/radio")
def radio(request: Request, user: Reader, day: str | None = None, note: str = "") -> HTMLResponse:
    from sqlalchemy import select

    from loa.app.dashboard import as_run_of, bulletins_of, day_totals
    from loa.content.models import Message, MessageStatus

    web = web_of(request)
    chosen = _day(request, day)
    with web.station.transaction() as session:
        approved = [
            (m.id, m.title, m.priority)
            for m in session.scalars(
                select(Message)
                .where(Message.status == MessageStatus.APPROVED)
                .order_by(Message.priority.desc(), Message.id)
            )
        ]
    return page(
        request,
        "radio.html",
        day=chosen,
        bulletins=bulletins_of(web.station, chosen),
        as_run=as_run_of(web.station, chosen),
        sounds=day_totals(web.station, chosen),
        approved=approved,
        note=note,
        media_url=media_url(web.station),
    )


@router.get("/radio/runsheet")
def runsheet(request: Request, user: Reader, day: str | None = None) -> HTMLResponse:
    """The printable run sheet. Its own stylesheet is inline (the same file `loa runsheet`
    writes): allowed by its hash alone, nothing else inline is."""
    import base64
    import hashlib
    import re

    from loa.report.runsheet import runsheet_html

    html = runsheet_html(
        web_of(request).station, _day(request, day), how_to_render=T("sheet_render")
    )
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode() + "'"
        for css in re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    )
    styles = hashes or "'none'"
    policy = (
        f"default-src 'none'; style-src {styles}; img-src 'self'; "
        "frame-ancestors 'none'; form-action 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


@router.post("/radio/render")
async def render_bulletin(
    request: Request, user: Operator, when: Annotated[str, Form()]
) -> RedirectResponse:
    """Render the bulletin of one slot from the current plan (the daemon does it before
    airtime; this is for a file left old by a re-plan or an edit)."""
    from datetime import datetime

    from loa.app.render import render_slot

    web = web_of(request)
    try:
        at = datetime.fromisoformat(when)
    except ValueError:
        raise UserError(T("bad_request", fields="when")) from None
    result = await run_in_threadpool(render_slot, web.station, at)
    from loa.core.dates import clock_text

    note = (
        T("rendered", time=f"{at:%H:%M}", length=clock_text(result.duration_s))
        if result is not None
        else T("no_bulletins")
    )
    return RedirectResponse(f"/radio?day={at.date()}&note={quote(note)}", status_code=303)


@router.post("/radio/urgent")
def urgent(request: Request, user: Operator, message_id: FormId) -> RedirectResponse:
    from loa.app.urgent import air_urgent

    web = web_of(request)
    result = air_urgent(
        web.station,
        message_id,
        by=user.name,
        address=client_address(request),
        now=web.now(),
        here="none",
        must_air=True,
    )
    return _back("/radio", urgent_note(result))


def urgent_note(result: Any) -> str:
    """What the officer reads after the urgent button: aired how, or not aired and why."""
    from loa.web.context import channel_name

    posted = [channel_name(channel) for channel in result.posted]
    posts = T("urgent_posts", channels=", ".join(posted)) if posted else T("urgent_no_posts")
    if result.on_air:
        how = T(f"urgent_how_{result.aired}")
        return str(T("urgent_done", id=result.message_id, how=how, posts=posts))
    if result.aired == "no_radio":
        return str(T("urgent_not_aired", id=result.message_id, problem="", posts=posts)).strip()
    # no daemon: said for the person at the page, not as the commands the terminal takes
    problem = T("urgent_no_daemon") if result.aired == "none" else for_people(result.problem or "")
    return str(T("urgent_not_aired", id=result.message_id, problem=problem, posts=posts))


@router.get("/media/{path:path}")
def media(request: Request, user: Reader, path: str) -> FileResponse:
    return FileResponse(media_file(web_of(request).station, path))


# ------------------------------------------------------------------ messages


def _taxonomy(session: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from loa.content.models import Audience, Topic
    from loa.core.registry import channel_names

    return {
        "topics": [
            (t.code, t.name) for t in session.scalars(select(Topic).order_by(Topic.position))
        ],
        "audiences": [
            (a.code, a.name) for a in session.scalars(select(Audience).order_by(Audience.position))
        ],
        "channels": list(channel_names()),
    }


#: Messages shown on one page of the list.
PAGE_SIZE = 50
#: The last page number asked for that is not refused (50 million messages).
MAX_PAGE = 1_000_000


@router.get("/messages")
def messages(
    request: Request,
    user: Reader,
    status: str = "",
    topic: str = "",
    audience: str = "",
    channel: str = "",
    q: str = "",
    note: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    from loa.content.queue import Filters, find_page

    web = web_of(request)

    def read() -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        with web.station.transaction() as session:
            total, shown = find_page(
                session,
                Filters(
                    status=status or None,
                    topic=topic or None,
                    audience=audience or None,
                    channel=channel or None,
                    text=q or None,
                ),
                offset=(page_no - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            rows = [
                {
                    "id": m.id,
                    "title": m.title,
                    "topic": m.topic.name,
                    "audiences": ", ".join(a.name for a in m.audiences),
                    "priority": m.priority,
                    "until": m.valid_until,
                    "status": m.status,
                }
                for m in shown
            ]
            return total, rows, _taxonomy(session)

    from markupsafe import Markup

    from loa.core.i18n import language
    from loa.web.fragments import CSRF_PLACEHOLDER

    assert web.fragments is not None
    editing = may(request.state.user, Action.EDIT)
    key = ("messages", status, topic, audience, channel, q, page_no, language(), editing)

    def render() -> str:
        total, rows, taxonomy = read()
        return web.env.get_template("_messages.html").render(
            t=T,
            csrf=CSRF_PLACEHOLDER,
            may_edit=editing,
            rows=rows,
            total=total,
            page_no=page_no,
            pages=max(1, -(-total // PAGE_SIZE)),
            query=urlencode(
                {"status": status, "topic": topic, "audience": audience, "channel": channel, "q": q}
            ),
            filters={
                "status": status,
                "topic": topic,
                "audience": audience,
                "channel": channel,
                "q": q,
            },
            **taxonomy,
        )

    body = web.fragments.get(key, render, csrf=request.state.csrf)
    return page(request, "messages.html", body=Markup(body), note=note)


def _form_values(message: Any | None) -> dict[str, str]:
    if message is None:
        return {
            "title": "",
            "body": "",
            "topic": "",
            "audiences": "",
            "source": "",
            "valid_from": "",
            "valid_until": "",
            "priority": "normal",
            "airings": "2",
            "channels": "radio, facebook, website",
            "radio_script": "",
            "post_text": "",
            "link": "",
            "image": "",
            "audio": "",
            "audio_name": "",
        }
    return {
        "title": message.title,
        "body": message.body,
        "topic": message.topic_code,
        "audiences": ", ".join(a.code for a in message.audiences),
        "source": message.source_document or "",
        "valid_from": message.valid_from.isoformat() if message.valid_from else "",
        "valid_until": message.valid_until.isoformat() if message.valid_until else "",
        "priority": message.priority,
        "airings": str(message.airings_per_week),
        "channels": ", ".join(message.channels),
        "radio_script": message.radio_script or "",
        "post_text": message.post_text or "",
        "link": message.link or "",
        "image": message.image or "",
        "audio": message.audio or "",
        "audio_name": message.audio_name or "",
    }


def _raw(form: dict[str, str]) -> dict[str, Any]:
    """The form as the fields the importer and `loa msg add` validate (empty ones left out)."""
    keys = {
        "title": "title",
        "body": "body",
        "topic": "topic",
        "audiences": "audiences",
        "source": "source_document",
        "valid_from": "valid_from",
        "valid_until": "valid_until",
        "priority": "priority",
        "airings": "airings_per_week",
        "channels": "channels",
        "radio_script": "radio_script",
        "post_text": "post_text",
        "link": "link",
        "image": "image",
    }
    raw = {keys[k]: v for k, v in form.items() if k in keys and v.strip()}
    if form.get("image_remove"):
        raw["image"] = ""  # stored as no photo
    return raw


FIELDS = (
    "title",
    "body",
    "topic",
    "audiences",
    "source",
    "valid_from",
    "valid_until",
    "priority",
    "airings",
    "channels",
    "radio_script",
    "post_text",
    "link",
    "image",
    "image_url",
    "image_remove",
    "audio",
    "audio_name",
)


async def _posted_audio(request: Request, keeper: Any) -> dict[str, Any] | str | None:
    """The posted form's recording: a file uploaded (or recorded in the browser), checked and
    kept through `keeper`; "" when "remove" is ticked; None when it stays as it is."""
    from loa.app.message_files import RECORDING_MAX_BYTES

    form = await request.form()
    upload = form.get("recording")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(RECORDING_MAX_BYTES + 1)
        kept: dict[str, Any] = await run_in_threadpool(keeper.keep_bytes, upload.filename, data)
        return kept
    if form.get("audio_remove"):
        return ""
    return None


async def _posted(request: Request, current: str | None = None) -> dict[str, str]:
    """The posted form. Its photo: a file uploaded (kept in the station folder), else an
    address typed, else the one it had (`current` when editing; a photo kept from a form shown
    again must be an address or a file in the station folder)."""
    from loa.app.message_files import MAX_PHOTO_BYTES
    from loa.app.upload import save_photo

    web = web_of(request)
    form = await request.form()
    values = _typed(form)
    upload = form.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        values["image"] = await run_in_threadpool(save_photo, web.station, upload.filename, data)
        values["image_remove"] = ""  # a new photo wins over "remove"
    elif values["image_url"].strip():
        values["image"] = values["image_url"].strip()
        values["image_remove"] = ""
    elif values["image"] and values["image"] != (current or ""):
        values["image"] = await run_in_threadpool(kept_photo, web.station, values["image"])
    elif values["image"]:
        values["image"] = ""  # unchanged: not sent again
    return values


def _typed(form: Any) -> dict[str, str]:
    """The form's fields as typed (audiences and channels: the boxes ticked, or a list
    typed as one field, as the API and older pages send it)."""
    typed = {k: str(form.get(k, "")) for k in FIELDS}
    for many in ("audiences", "channels"):
        typed[many] = ", ".join(str(v) for v in form.getlist(many) if str(v).strip())
    return typed


@router.get("/messages/new")
def new_message(
    request: Request, user: Annotated[Account, Depends(role(Action.EDIT))]
) -> HTMLResponse:
    web = web_of(request)
    with web.station.transaction() as session:
        taxonomy = _taxonomy(session)
    return page(
        request, "message_form.html", message=None, form=_form_values(None), error="", **taxonomy
    )


@router.post("/messages/new")
async def create_message(request: Request, user: Editor) -> Response:
    from loa.app.recordings import keeping
    from loa.content.queue import create

    web = web_of(request)
    try:
        form = await _posted(request)
    except UserError as error:  # a bad photo: the form again, with what was typed
        typed = _typed(await request.form())
        with web.station.transaction() as session:
            taxonomy = _taxonomy(session)
        return page(
            request,
            "message_form.html",
            400,
            message=None,
            form=typed,
            error=for_people(str(error)),
            **taxonomy,
        )

    def save(audio: dict[str, Any] | str | None) -> int:
        raw = _raw(form)
        if audio is not None:
            raw["audio"] = audio or None
        with web.station.transaction() as session:
            return create(session, raw, now=web.now()).id

    try:
        with keeping(web.station) as keeper:
            audio = await _posted_audio(request, keeper)
            message_id = await run_in_threadpool(save, audio)
    except UserError as error:
        with web.station.transaction() as session:
            taxonomy = _taxonomy(session)
        return page(
            request,
            "message_form.html",
            400,
            message=None,
            form=form,
            error=for_people(str(error)),
            **taxonomy,
        )
    return _back(f"/messages/{message_id}", T("saved"))


@router.get("/messages/{message_id}")
def show_message(request: Request, user: Reader, message_id: Id, note: str = "") -> HTMLResponse:
    from loa.app.message_files import is_address
    from loa.content.queue import get_message
    from loa.core.registry import channel_label

    web = web_of(request)
    with web.station.transaction() as session:
        message = get_message(session, message_id)
        info = {
            "id": message.id,
            "title": message.title,
            "body": message.body,
            "topic": message.topic.name,
            "audiences": ", ".join(a.name for a in message.audiences),
            "source": message.source_document or "",
            "valid_from": message.valid_from,
            "valid_until": message.valid_until,
            "priority": message.priority,
            "airings": message.airings_per_week,
            "channels": ", ".join(channel_label(c) for c in message.channels),
            "status": message.status,
            "image": message.image or "",
            "image_address": is_address(message.image),
            "link": message.link or "",
            "approved_by": message.approved_by,
            "approved_at": message.approved_at,
            "spoken": message.spoken_text,
            "audio": message.audio or "",
            "audio_name": message.audio_name or "",
        }
        form = _form_values(message)
        taxonomy = _taxonomy(session)
    return page(
        request,
        "message.html",
        m=info,
        form=form,
        spans=_spans(web.station, message.spoken_text),
        note=note,
        error="",
        **taxonomy,
    )


@router.post("/messages/{message_id}/edit")
async def edit_message(request: Request, user: Editor, message_id: Id) -> Response:
    from loa.app.recordings import keeping
    from loa.content.queue import edit, get_message

    web = web_of(request)

    def current() -> str | None:
        with web.station.transaction() as session:
            return get_message(session, message_id).image

    form = await _posted(request, await run_in_threadpool(current))

    def save(audio: dict[str, Any] | str | None) -> bool:
        raw = _raw(form)
        if audio is not None:
            raw["audio"] = audio or None
        with web.station.transaction() as session:
            return edit(session, message_id, raw, now=web.now())[1]

    with keeping(web.station) as keeper:
        audio = await _posted_audio(request, keeper)
        reopened = await run_in_threadpool(save, audio)
    return _back(f"/messages/{message_id}", T("reopened") if reopened else T("saved"))


@router.get("/messages/{message_id}/photo")
def message_photo(request: Request, user: Reader, message_id: Id) -> Response:
    """The message's own photo file (only that file: its path comes from the message), when it
    lies in the station's photo folder."""
    from loa.app.message_files import message_photo as photo_of

    found = photo_of(web_of(request).station, message_id)
    if found is None:
        return Response(status_code=404)
    path, mime = found
    return FileResponse(path, media_type=mime)


@router.get("/messages/{message_id}/recording")
async def message_recording(request: Request, user: Reader, message_id: Id) -> Response:
    """The message's recording as mastered for the loudspeakers (MP3)."""
    from loa.app.message_files import message_recording
    from loa.app.recordings import mastered_mp3

    station = web_of(request).station
    ref = await run_in_threadpool(message_recording, station, message_id)
    if not ref:
        return Response(status_code=404)
    try:
        path = await run_in_threadpool(mastered_mp3, station, ref)
    except UserError:
        return Response(status_code=404)
    return FileResponse(path, media_type="audio/mpeg")


@router.get("/messages/{message_id}/recording/original")
def message_recording_original(request: Request, user: Reader, message_id: Id) -> Response:
    """The message's recording as it was given (only that file: its name comes from the
    message)."""
    from loa.app.message_files import message_recording
    from loa.app.recordings import original_path

    station = web_of(request).station
    ref = message_recording(station, message_id)
    path = original_path(station, ref) if ref else None
    if path is None or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type=_AUDIO_TYPES.get(path.suffix, "application/octet-stream"))


_AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".amr": "audio/amr",
    ".wav": "audio/wav",
    ".webm": "audio/webm",
}


@router.post("/messages/{message_id}/approve")
def approve_message(request: Request, user: Editor, message_id: Id) -> Response:
    from loa.app.approval import approve_message as approve

    web = web_of(request)
    result = approve(
        web.station, message_id, by=user.name, address=client_address(request), now=web.now()
    )
    return _back(f"/messages/{message_id}", urgent_note(result) if result is not None else "")


@router.post("/messages/{message_id}/archive")
def archive_message(request: Request, user: Editor, message_id: Id) -> Response:
    from loa.content.queue import archive

    web = web_of(request)
    with web.station.transaction() as session:
        archive(session, message_id, now=web.now())
    return _back(f"/messages/{message_id}")


def _spans(station: Any, text: str) -> list[dict[str, str]]:
    from loa.content.normalize import explain, station_dictionary

    return [
        {"source": s.source, "spoken": s.spoken, "rule": s.rule}
        for s in explain(text[:20_000], station_dictionary(station))
    ]


@router.post("/messages/preview")
async def preview(request: Request, user: Reader) -> HTMLResponse:
    """The live speech preview (htmx): the normalised text with each rewritten span marked."""
    form = await request.form()
    text = str(form.get("radio_script") or "").strip() or (
        f"{form.get('title', '')}. {form.get('body', '')}".strip(". ")
    )
    spans = await run_in_threadpool(_spans, web_of(request).station, text)
    return page(request, "preview.html", spans=spans)


@router.post("/messages/listen")
async def listen(request: Request, user: Editor) -> HTMLResponse:
    """ "Nghe thử": the text rendered in the station's voice, as an audio player (htmx)."""
    from loa.app.preview import MAX_PREVIEW_CHARS, preview_part, speak_preview

    web = web_of(request)
    form = await request.form()
    text = str(form.get("radio_script") or "").strip() or (
        f"{form.get('title', '')}. {form.get('body', '')}".strip(". ")
    )
    part, cut = preview_part(text)
    try:
        path = await run_in_threadpool(speak_preview, web.station, part)
    except LoaError as error:  # shown where the player would be (htmx swaps only a 200)
        return page(request, "listen.html", src="", error=for_people(str(error)), cut="")
    note = T("listen_cut", n=MAX_PREVIEW_CHARS) if cut else ""
    return page(request, "listen.html", src=media_url(web.station)(path), error="", cut=note)


@router.post("/messages/import")
async def import_messages(request: Request, user: Editor) -> Response:
    from loa.app.upload import import_upload

    web = web_of(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UserError(T("import_none"))
    from loa.app.upload import MAX_UPLOAD

    data = await upload.read(MAX_UPLOAD + 1)  # a larger file is refused by its size alone
    report = await run_in_threadpool(
        import_upload, web.station, upload.filename, data, now=web.now()
    )
    return _back("/messages", T("imported", n=len(report.created)))
