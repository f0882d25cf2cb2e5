"""The dashboard's Plan page (moving, pinning, dropping entries, re-planning) and Outbox page
(retrying, confirming posts); each handler calls loa.app, the same as the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse

from loa.app.users import Account, Action
from loa.web.context import (
    Editor,
    Id,
    Operator,
    Reader,
    asked_day,
    for_people,
    may,
    page,
    web_of,
)
from loa.web.text import T

router = APIRouter(include_in_schema=False)


@router.get("/plan")
def plan(
    request: Request, user: Reader, start: str | None = None, view: str = "week", note: str = ""
) -> HTMLResponse:
    from markupsafe import Markup

    from loa.core.i18n import language
    from loa.web.fragments import CSRF_PLACEHOLDER

    web = web_of(request)
    now = web.now()
    first = asked_day(request, start)
    days = 1 if view == "day" else 7
    if days == 7:
        first -= timedelta(days=first.weekday())  # weeks start on Monday
    account: Account | None = request.state.user
    editing = may(account, Action.EDIT)
    minute = now.replace(second=0, microsecond=0)  # what is past (no more moving) changes

    def render() -> str:
        from loa.app.dashboard import plan_grid
        from loa.app.plan_edit import targets

        slots = plan_grid(web.station, first, days)
        movable = targets(web.station, first, days, now=now) if editing else {}
        columns: list[tuple[date, list[Any]]] = [
            (first + timedelta(days=n), []) for n in range(days)
        ]
        for slot in slots:
            columns[(slot.start.date() - first).days][1].append(slot)
        return web.env.get_template("_week.html").render(
            t=T,
            columns=columns,
            first=first,
            may_edit=editing,
            csrf=CSRF_PLACEHOLDER,
            options=_target_options(movable),
            now=minute,
        )

    key = ("week", first, days, language(), editing, minute)
    assert web.fragments is not None
    grid = web.fragments.get(key, render, csrf=request.state.csrf)
    return page(
        request,
        "plan.html",
        grid=Markup(grid),
        first=first,
        last=first + timedelta(days=days - 1),
        view=view,
        step=days,
        timedelta=timedelta,
        note=note,
    )


def _target_options(movable: dict[str, list[Any]]) -> dict[str, Any]:
    """Each channel's `<option>`s of slot instances to move to, rendered once per page: a week
    shows about 180 entries, each with its own move form (escaped by Markup.format)."""
    from markupsafe import Markup

    option = Markup('<option value="{}">{} {}</option>')
    return {
        channel: Markup("").join(
            option.format(t.key, t.start.strftime("%d/%m %H:%M"), t.name) for t in found
        )
        for channel, found in movable.items()
    }


@router.post("/plan/entries/{entry_id}/move")
async def move(
    request: Request, user: Editor, entry_id: Id, target: Annotated[str, Form()]
) -> RedirectResponse:
    from datetime import datetime

    from loa.app.plan_edit import move_entry
    from loa.core.errors import UserError

    web = web_of(request)
    slot_text, _, at_text = target.partition("@")
    try:
        slot_id, at = int(slot_text), datetime.fromisoformat(at_text)
    except ValueError:
        raise UserError(T("bad_request", fields="target")) from None
    await run_in_threadpool(move_entry, web.station, entry_id, slot_id, at, now=web.now())
    return RedirectResponse(f"/plan?start={at.date().isoformat()}", status_code=303)


@router.post("/plan/entries/{entry_id}/drop")
def drop(
    request: Request, user: Editor, entry_id: Id, start: Annotated[str, Form()] = ""
) -> RedirectResponse:
    from loa.app.plan_edit import drop_entry

    web = web_of(request)
    drop_entry(web.station, entry_id, now=web.now())
    return RedirectResponse(f"/plan?start={quote(start)}", status_code=303)


def _pin(request: Request, entry_id: int, pinned: bool, start: str) -> RedirectResponse:
    from loa.app.plan_edit import pin_entry

    web = web_of(request)
    pin_entry(web.station, entry_id, pinned, now=web.now())
    return RedirectResponse(f"/plan?start={quote(start)}", status_code=303)


@router.post("/plan/entries/{entry_id}/pin")
def pin(
    request: Request, user: Editor, entry_id: Id, start: Annotated[str, Form()] = ""
) -> RedirectResponse:
    return _pin(request, entry_id, True, start)


@router.post("/plan/entries/{entry_id}/unpin")
def unpin(
    request: Request, user: Editor, entry_id: Id, start: Annotated[str, Form()] = ""
) -> RedirectResponse:
    return _pin(request, entry_id, False, start)


@router.get("/plan/explain/{message_id}")
def explain(
    request: Request, user: Reader, message_id: Id, start: str | None = None
) -> HTMLResponse:
    from loa.app.planning import explain_station

    web = web_of(request)
    first = asked_day(request, start)
    found = explain_station(web.station, message_id, first, 7, now=web.now())
    lines = [for_people(line) for line in found.lines]  # no "(xem: loa channels check)"
    return page(request, "explain.html", explanation=found, lines=lines)


@router.post("/plan/replan")
async def replan(
    request: Request, user: Editor, start: Annotated[str, Form()] = ""
) -> RedirectResponse:
    from loa.app.planning import plan_station

    web = web_of(request)
    first = asked_day(request, start or None)
    report = await run_in_threadpool(plan_station, web.station, first, 7, now=web.now())
    note = T("replanned", n=report.added + report.kept)
    return RedirectResponse(f"/plan?start={first.isoformat()}&note={quote(note)}", status_code=303)


@router.get("/outbox")
def outbox(request: Request, user: Reader, note: str = "", all: bool = False) -> HTMLResponse:
    from loa.app.outbox_view import outbox as rows

    web = web_of(request)
    found = rows(web.station, now=web.now(), include_done=all)
    found.sort(key=lambda r: (r.status, r.due_at or web.now()))  # grouped by state
    return page(request, "outbox.html", rows=found, note=note, show_all=all)


@router.post("/outbox/{publication_id}/retry")
def retry(request: Request, user: Operator, publication_id: Id) -> RedirectResponse:
    from loa.app.publish import resend

    web = web_of(request)
    resend(web.station, publication_id, now=web.now())
    return RedirectResponse("/outbox", status_code=303)


@router.post("/outbox/{publication_id}/confirm")
def confirm(request: Request, user: Operator, publication_id: Id) -> RedirectResponse:
    from loa.app.publish import confirm as confirm_posted

    web = web_of(request)
    confirm_posted(web.station, publication_id, posted=True, now=web.now())
    return RedirectResponse("/outbox", status_code=303)
