"""The dashboard's Settings page: time slots, blackout days, campaigns, the channels and their
check, users and the audit log; each handler calls loa.app, the same as the CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse

from loa.app.users import Account, Action
from loa.web.context import (
    Editor,
    Id,
    asked_day,
    page,
    role,
    web_of,
)
from loa.web.text import T

router = APIRouter(include_in_schema=False)


@router.get("/settings")
def settings(
    request: Request, user: Annotated[Account, Depends(role(Action.READ))], note: str = ""
) -> HTMLResponse:
    from loa.app import slot_calendar
    from loa.app.labels import audiences
    from loa.app.messages import taxonomy
    from loa.app.publish import station_channels
    from loa.app.users import audit_log, list_users
    from loa.core.i18n import language

    web = web_of(request)
    today = web.now().date()
    english = language() == "en"
    names = {code: (en if english and en else vi) for code, vi, en in audiences(web.station)}
    slots = [
        {
            "id": s.id,
            "channel": s.channel,
            "name": s.name,
            "days": s.days,
            "start": s.start,
            "capacity": s.capacity,
            "reach": _reach_text(s.reach, names),
        }
        for s in slot_calendar.slots(web.station)
    ]
    topics = [(t.code, t.label) for t in taxonomy(web.station).topics]
    blackouts = slot_calendar.blackouts(web.station)
    campaigns = [c for c in slot_calendar.campaigns(web.station) if c.ends_on >= today]
    holidays_between = slot_calendar.holidays_between
    return page(
        request,
        "settings.html",
        slots=slots,
        blackouts=blackouts,
        holidays=holidays_between(today, today + timedelta(days=365)),
        campaigns=campaigns,
        topics=topics,
        channels=station_channels(web.station),
        note=note,
        accounts=list_users(web.station),
        audit=audit_log(web.station, limit=100),
    )


@router.post("/settings/blackout")
def add_blackout(
    request: Request,
    user: Editor,
    day: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> RedirectResponse:
    from loa.app.slot_calendar import add_blackout as add

    web = web_of(request)
    chosen = asked_day(request, day)
    add(web.station, chosen, reason.strip()[:200])
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/slots")
def add_slot(
    request: Request,
    user: Editor,
    channel: Annotated[str, Form()],
    name: Annotated[str, Form()],
    start: Annotated[str, Form()],
    capacity: Annotated[int, Form(ge=1, le=100_000)],
    days: Annotated[str, Form()] = "hằng ngày",
    reach: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """A new slot (`loa slots add`); validated by the planning layer."""
    from loa.app.slot_calendar import add_slot as add

    web = web_of(request)
    add(
        web.station,
        channel=channel,
        name=name,
        start=start,
        capacity=capacity,
        days=days,
        reach=_reach_codes(web.station, reach),
    )
    return RedirectResponse(f"/settings?note={quote(T('slot_saved'))}", status_code=303)


@router.post("/settings/slots/{slot_id}")
def edit_slot(
    request: Request,
    user: Editor,
    slot_id: Id,
    name: Annotated[str, Form()],
    start: Annotated[str, Form()],
    capacity: Annotated[int, Form(ge=1, le=100_000)],
    days: Annotated[str, Form()],
    reach: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Change a slot (`loa slots edit`): its name, days, time, capacity and reach."""
    from loa.app.slot_calendar import edit_slot as edit

    web = web_of(request)
    edit(
        web.station,
        slot_id,
        name=name,
        start=start,
        capacity=capacity,
        days=days,
        reach=_reach_codes(web.station, reach),
    )
    return RedirectResponse(f"/settings?note={quote(T('slot_saved'))}", status_code=303)


def _reach_text(reach: dict[str, float], names: dict[str, str]) -> str:
    """A slot's reach as the officer reads it: "Người dân=0.6; Người cao tuổi=0.7" (audience
    names, which may hold commas: parts are split by semicolons)."""
    return "; ".join(f"{names.get(code, code)}={share:g}" for code, share in sorted(reach.items()))


def _reach_codes(station: Any, text: str) -> list[str]:
    """The reach typed in the form as `parse_reach` takes it ("residents=0.6"): each audience
    by its name in either language or its code; parts split by ";" (or by "," when there is
    no ";", as `loa slots` writes them)."""
    from loa.app.labels import audiences

    if not text.strip():
        return []
    known = {
        said.strip().casefold(): code
        for code, *names in audiences(station)
        for said in (code, *names)
        if said
    }
    out = []
    for part in text.split(";" if ";" in text else ","):
        said, sep, share = part.rpartition("=")
        if not sep:
            out.append(part)  # refused by parse_reach in its own words
            continue
        out.append(f"{known.get(said.strip().casefold(), said.strip())}={share.strip()}")
    return out


@router.post("/settings/slots/{slot_id}/remove")
def remove_slot(request: Request, user: Editor, slot_id: Id) -> RedirectResponse:
    """Remove a slot (`loa slots rm`): its planned entries go, what ran keeps its history."""
    from loa.app.slot_calendar import remove_slot as remove

    web = web_of(request)
    removed = remove(web.station, slot_id)
    note = T("slot_removed", entries=removed)
    return RedirectResponse(f"/settings?note={quote(note)}", status_code=303)


@router.post("/settings/campaigns")
def add_campaign(
    request: Request,
    user: Editor,
    name: Annotated[str, Form()],
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
    boost: Annotated[float, Form()] = 1.5,
    topics: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    """A campaign window (`loa calendar campaign`): its topics weigh more while it runs."""
    from loa.app.slot_calendar import add_campaign as add

    web = web_of(request)
    add(
        web.station,
        name.strip()[:200],
        asked_day(request, start),
        asked_day(request, end),
        boost=boost,
        topics=topics or (),
    )
    return RedirectResponse(f"/settings?note={quote(T('campaign_saved'))}", status_code=303)


@router.post("/settings/blackout/remove")
def remove_blackout(
    request: Request, user: Editor, day: Annotated[str, Form()]
) -> RedirectResponse:
    from loa.app.slot_calendar import remove_blackout as remove

    web = web_of(request)
    remove(web.station, asked_day(request, day))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/check")
async def check_channels(request: Request, user: Editor) -> HTMLResponse:
    """`loa channels check` for the configured channels (htmx fragment)."""
    from loa.app.publish import channel_checks

    results = await run_in_threadpool(channel_checks, web_of(request).station)
    return page(request, "checks.html", checks=results)
