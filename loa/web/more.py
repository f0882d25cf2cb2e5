"""The dashboard's Plan, Outbox, Reports and Settings pages (same library calls as the CLI)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from loa.app.users import Account, Action
from loa.web.context import Id, for_people, may, page, reader, role, web_of, writer
from loa.web.text import T

router = APIRouter(include_in_schema=False)

Reader = Annotated[Account, Depends(reader)]
Editor = Annotated[Account, Depends(writer(Action.EDIT))]
Operator = Annotated[Account, Depends(writer(Action.RADIO))]


def _start(request: Request, value: str | None) -> date:
    from loa.core.dates import parse_date

    today = web_of(request).now().date()
    return today if not value else parse_date(value, today=today)


@router.get("/plan")
def plan(
    request: Request, user: Reader, start: str | None = None, view: str = "week", note: str = ""
) -> HTMLResponse:
    from markupsafe import Markup

    from loa.core.i18n import language
    from loa.web.fragments import CSRF_PLACEHOLDER

    web = web_of(request)
    now = web.now()
    first = _start(request, start)
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
    first = _start(request, start)
    found = explain_station(web.station, message_id, first, 7, now=web.now())
    lines = [for_people(line) for line in found.lines]  # no "(xem: loa channels check)"
    return page(request, "explain.html", explanation=found, lines=lines)


@router.post("/plan/replan")
async def replan(
    request: Request, user: Editor, start: Annotated[str, Form()] = ""
) -> RedirectResponse:
    from loa.app.planning import plan_station

    web = web_of(request)
    first = _start(request, start or None)
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


KINDS = ("quarter", "half", "year", "month")


def _report(request: Request, kind: str, value: str) -> Any:
    from loa.report import report_for_period
    from loa.report.periods import parse_period

    web = web_of(request)
    now = web.now()
    chosen = kind if kind in KINDS else "quarter"
    period = parse_period(today=now.date(), **{f"{chosen}_text": value})
    return report_for_period(web.station, period, now=now)


@router.get("/reports")
def reports(request: Request, user: Reader, kind: str = "", value: str = "") -> HTMLResponse:
    import base64

    from loa.report.charts import monthly_chart, topic_chart

    figures: dict[str, Any] | None = None
    charts: list[str] = []
    if value.strip():
        report = _report(request, kind, value)
        figures = report.to_dict()
        for chart in (monthly_chart(report), topic_chart(report)):
            charts.append("data:image/png;base64," + base64.b64encode(chart).decode("ascii"))
    return page(
        request,
        "reports.html",
        kinds=KINDS,
        kind=kind or "quarter",
        value=value,
        figures=figures,
        charts=charts,
    )


@router.get("/reports/download")
def download(
    request: Request, user: Reader, kind: str, value: str, format: str = "docx"
) -> Response:
    from loa.report.charts import monthly_chart, topic_chart
    from loa.report.docx import render_docx
    from loa.report.xlsx import render_xlsx

    report = _report(request, kind, value)
    stem = f"bao-cao-{report.period.start.isoformat()}-{report.period.end.isoformat()}"
    if format == "xlsx":
        data = render_xlsx(report)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        charts = {"monthly": monthly_chart(report), "topics": topic_chart(report)}
        data = render_docx(report, charts)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        format = "docx"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{format}"'},
    )


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
    chosen = _start(request, day)
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
        _start(request, start),
        _start(request, end),
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
    remove(web.station, _start(request, day))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/check")
async def check_channels(request: Request, user: Editor) -> HTMLResponse:
    """`loa channels check` for the configured channels (htmx fragment)."""
    from loa.app.publish import channel_checks

    results = await run_in_threadpool(channel_checks, web_of(request).station)
    return page(request, "checks.html", checks=results)


@router.get("/insights")
def insights(request: Request, user: Reader) -> HTMLResponse:
    """What the channels' figures say (`loa insights show`): a weekday x hour heat map per
    channel with each cell's confidence, the factor the planner uses for each slot, and the
    slots the figures suggest (`loa slots suggest`)."""
    from loa.app.insights import heat, show, suggest_slots
    from loa.core.registry import channel_label

    station = web_of(request).station
    view = show(station)
    grids = heat(view)
    names = set(grids) | {s["channel"] for s in view.slots}
    return page(
        request,
        "insights.html",
        view=view,
        grids=grids,
        labels={name: channel_label(name) for name in names},
        suggestions=suggest_slots(station),
    )


@router.get("/province")
def province(request: Request, user: Reader, start: str = "", end: str = "") -> HTMLResponse:
    """The province at a glance (`loa province status`) and, for a period asked for, each
    commune's report figures and their sum (`loa province report`)."""
    from loa.core.dates import parse_date
    from loa.province.status import province_report, province_status

    web = web_of(request)
    found = web.province()
    if found is None:
        return page(request, "province.html", province=None)
    now = web.now()
    today = now.date()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)  # this quarter
    start_day = parse_date(start, today=today) if start else first
    end_day = parse_date(end, today=today) if end else today
    report = province_report(found, start_day, end_day, now=now) if start or end else None
    status = province_status(found)
    from loa.province.users import ProvinceAccount

    if not isinstance(user, ProvinceAccount):
        # A commune's own users see their commune; the province's users (logged in to the
        # province's `loa province web`) see them all.
        own = web.station.root.name
        status.stations = [s for s in status.stations if s.ident == own]
        if report is not None:
            report.communes = [c for c in report.communes if c.ident == own]
            report.problems = [p for p in report.problems if p[0] == own]
    channels = sorted({ch for c in report.communes for ch in c.posts}) if report else []
    return page(
        request,
        "province.html",
        province=found,
        status=status,
        report=report,
        channels=channels,
        start=start_day,
        end=end_day,
    )
