"""The dashboard's message pages: the queue, a message's form and page, its photo and
recording, approving, archiving, the speech preview and importing a file. Each handler calls
one loa.app function (the same the CLI calls) and renders a template."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, HTMLResponse, Response

from loa.app.users import Account, Action
from loa.core.errors import LoaError, UserError
from loa.web.context import (
    Editor,
    Id,
    Reader,
    back,
    client_address,
    for_people,
    may,
    page,
    role,
    web_of,
)
from loa.web.media import kept_photo, media_url
from loa.web.radio_pages import urgent_note
from loa.web.text import T

router = APIRouter(include_in_schema=False)


def _taxonomy(station: Any) -> dict[str, Any]:
    from loa.app.messages import taxonomy

    known = taxonomy(station)
    return {
        "topics": [(t.code, t.name) for t in known.topics],
        "audiences": [(a.code, a.name) for a in known.audiences],
        "channels": known.channels,
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
    from loa.app.messages import find_view_page

    web = web_of(request)

    def read() -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        total, shown = find_view_page(
            web.station,
            status=status or None,
            topic=topic or None,
            audience=audience or None,
            channel=channel or None,
            text=q or None,
            offset=(page_no - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        rows = [
            {
                "id": m.id,
                "title": m.title,
                "topic": m.topic_name,
                "audiences": ", ".join(m.audience_names),
                "priority": m.priority,
                "until": m.valid_until,
                "status": m.status,
            }
            for m in shown
        ]
        return total, rows, _taxonomy(web.station)

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
        "audiences": ", ".join(message.audience_codes),
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
    taxonomy = _taxonomy(web.station)
    return page(
        request, "message_form.html", message=None, form=_form_values(None), error="", **taxonomy
    )


@router.post("/messages/new")
async def create_message(request: Request, user: Editor) -> Response:
    from loa.app.messages import add_message
    from loa.app.recordings import keeping

    web = web_of(request)
    try:
        form = await _posted(request)
    except UserError as error:  # a bad photo: the form again, with what was typed
        typed = _typed(await request.form())
        taxonomy = _taxonomy(web.station)
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
        return add_message(web.station, raw, now=web.now()).id

    try:
        with keeping(web.station) as keeper:
            audio = await _posted_audio(request, keeper)
            message_id = await run_in_threadpool(save, audio)
    except UserError as error:
        taxonomy = _taxonomy(web.station)
        return page(
            request,
            "message_form.html",
            400,
            message=None,
            form=form,
            error=for_people(str(error)),
            **taxonomy,
        )
    return back(f"/messages/{message_id}", T("saved"))


@router.get("/messages/{message_id}")
def show_message(request: Request, user: Reader, message_id: Id, note: str = "") -> HTMLResponse:
    from loa.app.message_files import is_address
    from loa.app.messages import message_view
    from loa.core.registry import channel_label

    web = web_of(request)
    message = message_view(web.station, message_id)
    info = {
        "id": message.id,
        "title": message.title,
        "body": message.body,
        "topic": message.topic_name,
        "audiences": ", ".join(message.audience_names),
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
    taxonomy = _taxonomy(web.station)
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
    from loa.app.messages import edit_message as change
    from loa.app.messages import message_view
    from loa.app.recordings import keeping

    web = web_of(request)

    def current() -> str | None:
        return message_view(web.station, message_id).image

    form = await _posted(request, await run_in_threadpool(current))

    def save(audio: dict[str, Any] | str | None) -> bool:
        raw = _raw(form)
        if audio is not None:
            raw["audio"] = audio or None
        return change(web.station, message_id, raw, now=web.now()).reopened

    with keeping(web.station) as keeper:
        audio = await _posted_audio(request, keeper)
        reopened = await run_in_threadpool(save, audio)
    return back(f"/messages/{message_id}", T("reopened") if reopened else T("saved"))


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
    return back(f"/messages/{message_id}", urgent_note(result) if result is not None else "")


@router.post("/messages/{message_id}/archive")
def archive_message(request: Request, user: Editor, message_id: Id) -> Response:
    from loa.app.messages import archive_messages

    web = web_of(request)
    archive_messages(web.station, [message_id], now=web.now())
    return back(f"/messages/{message_id}")


def _spans(station: Any, text: str) -> list[dict[str, str]]:
    from loa.app.messages import spoken_spans

    return spoken_spans(station, text)


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
    return back("/messages", T("imported", n=len(report.created)))
