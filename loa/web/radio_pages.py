"""The dashboard's Today and Radio pages (bulletins, run sheet, rendering, urgent airing) and
the station's media files. Each handler calls one loa.app function and renders a template."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse

from loa.core.errors import UserError
from loa.web.context import (
    FormId,
    Operator,
    Reader,
    asked_day,
    back,
    client_address,
    for_people,
    page,
    web_of,
)
from loa.web.media import media_file, media_url
from loa.web.text import T

router = APIRouter(include_in_schema=False)


@router.get("/")
def today(request: Request, user: Reader) -> HTMLResponse:
    from loa.app.dashboard import day_view

    web = web_of(request)
    view = day_view(web.station, now=web.now())
    return page(request, "today.html", view=view, media_url=media_url(web.station))


@router.get("/radio")
def radio(request: Request, user: Reader, day: str | None = None, note: str = "") -> HTMLResponse:
    from loa.app.dashboard import as_run_of, bulletins_of, day_totals
    from loa.app.messages import approved_messages

    web = web_of(request)
    chosen = asked_day(request, day)
    approved = approved_messages(web.station)
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

    from loa.app.runsheets import runsheet_page

    html = runsheet_page(
        web_of(request).station, asked_day(request, day), how_to_render=T("sheet_render")
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
    return back("/radio", urgent_note(result))


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
