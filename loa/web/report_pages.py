"""The dashboard's Reports (with their downloads), Insights and Province pages; each handler
calls loa.app, the same as the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from loa.web.context import Reader, page, web_of

router = APIRouter(include_in_schema=False)


KINDS = ("quarter", "half", "year", "month")


def _report(request: Request, kind: str, value: str) -> Any:
    from loa.app.reports import station_report

    web = web_of(request)
    chosen = kind if kind in KINDS else "quarter"
    return station_report(web.station, now=web.now(), **{f"{chosen}_text": value})


@router.get("/reports")
def reports(request: Request, user: Reader, kind: str = "", value: str = "") -> HTMLResponse:
    import base64

    from loa.app.reports import report_charts

    figures: dict[str, Any] | None = None
    charts: list[str] = []
    if value.strip():
        report = _report(request, kind, value)
        figures = report.to_dict()
        made = report_charts(report)
        for chart in (made["monthly"], made["topics"]):
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
    from loa.app.reports import report_document

    report = _report(request, kind, value)
    stem = f"bao-cao-{report.period.start.isoformat()}-{report.period.end.isoformat()}"
    if format == "xlsx":
        data = report_document(report, "xlsx")
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = report_document(report, "docx")
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        format = "docx"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{format}"'},
    )


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
