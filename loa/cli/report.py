"""`loa report`: the periodic report (.docx, .xlsx, charts) built on the as-run log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from loa.core.i18n import Catalog

T = Catalog(
    {
        "report": (
            "Lập báo cáo kết quả tuyên truyền CCHC cho một kỳ (quý, 6 tháng, năm, tháng hoặc "
            "khoảng ngày) từ nhật ký phát sóng: tệp Word (.docx), Excel (.xlsx) và biểu đồ.",
            "Build the CCHC communication report for a period (quarter, half-year, year, month "
            "or date range) from the as-run log: a Word (.docx), an Excel (.xlsx) and charts.",
        ),
        "quarter": ("Quý, ví dụ 2026Q4.", "Quarter, e.g. 2026Q4."),
        "half": (
            "Nửa năm, ví dụ 2026H1 (6 tháng đầu) hoặc 2026H2 (6 tháng cuối).",
            "Half-year, e.g. 2026H1 or 2026H2.",
        ),
        "year": ("Năm, ví dụ 2026.", "Year, e.g. 2026."),
        "month": ("Tháng, ví dụ 2026-11.", "Month, e.g. 2026-11."),
        "from": (
            "Từ ngày (01/11/2026, 01-11-2026, 01.11.2026 hoặc 2026-11-01), dùng cùng --to.",
            "From date (01/11/2026, 01-11-2026, 01.11.2026 or 2026-11-01), with --to.",
        ),
        "to": (
            "Đến ngày (tính cả ngày đó), dùng cùng --from.",
            "To date (inclusive), with --from.",
        ),
        "out": (
            "Thư mục ghi báo cáo (mặc định: media/reports của đài).",
            "Folder for the report files (default: the station's media/reports).",
        ),
        "json": ("In số liệu dạng JSON thay cho bảng.", "Print the figures as JSON."),
        "no_files": ("Chỉ in tóm tắt, không ghi tệp.", "Only print the summary; write no files."),
        "heading": ("Báo cáo {label} — {station}", "Report {label} — {station}"),
        "until": ("Số liệu tính đến {when}.", "Figures as of {when}."),
        "nothing": (
            "Trong kỳ không có tin, bài nào được phát hoặc đăng.",
            "Nothing aired or was published in the period.",
        ),
        "channel": ("Kênh", "Channel"),
        "bulletins": ("Bản tin", "Bulletins"),
        "items": ("Lượt tin, bài", "Items"),
        "minutes": ("Phút phát tin", "Item minutes"),
        "prev": ("Kỳ trước", "Previous"),
        "total": ("Tổng cộng", "Total"),
        "month_col": ("Tháng", "Month"),
        "topic": ("Lĩnh vực CCHC", "CCHC topic"),
        "und": ("Đã lên lịch nhưng chưa phát, chưa đăng: {n}", "Planned but not delivered: {n}"),
        "written": ("Đã ghi:", "Written:"),
        "targets": ("Chỉ tiêu ([report] targets):", "Targets ([report] targets):"),
        "sounds": (
            "Phút phát thanh: giọng máy {speech}, ghi âm của xã {recorded}, phát trực tiếp "
            "{live} ({lives} lần).",
            "Radio minutes: synthetic voice {speech}, the commune's recordings {recorded}, live "
            "{live} ({lives} times).",
        ),
    }
)


def report(
    quarter: Annotated[str | None, typer.Option("--quarter", "-q", help=T("quarter"))] = None,
    half: Annotated[str | None, typer.Option("--half", help=T("half"))] = None,
    year: Annotated[str | None, typer.Option("--year", "-y", help=T("year"))] = None,
    month: Annotated[str | None, typer.Option("--month", "-m", help=T("month"))] = None,
    from_: Annotated[str | None, typer.Option("--from", help=T("from"))] = None,
    to: Annotated[str | None, typer.Option("--to", help=T("to"))] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help=T("out"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("json"))] = False,
    no_files: Annotated[bool, typer.Option("--no-files", help=T("no_files"))] = False,
) -> None:
    from loa.app.reports import station_report, write_report_files
    from loa.app.reports import targets as targets_of
    from loa.cli.common import get_station, print_json

    station = get_station()
    now = station.now()
    result = station_report(
        station,
        now=now,
        quarter_text=quarter,
        half_text=half,
        year_text=year,
        month_text=month,
        from_text=from_,
        to_text=to,
    )
    files = None if no_files else write_report_files(station, result, out)
    targets = targets_of(station, today=now.date())
    if as_json:
        data = result.to_dict()
        data["files"] = [str(p) for p in files.all] if files else []
        data["targets"] = [
            {
                "channel": t.channel,
                "target": t.target,
                "done": t.done,
                "from": t.start.isoformat(),
                "until": t.end.isoformat(),
            }
            for t in targets
        ]
        print_json(data)
        return
    show_summary(result, files)
    if targets:
        from loa.cli.common import console

        console().print(T("targets"), highlight=False)
        for progress in targets:
            console().print(f"  {progress.line()}", highlight=False)


def show_summary(result: Any, files: Any) -> None:
    """The rich terminal summary of a report."""
    from rich.table import Table

    from loa.app.reports import fmt_datetime, fmt_int, fmt_num
    from loa.cli.common import console
    from loa.core.registry import channel_label

    out = console()
    t, p = result.totals, result.previous
    out.print(
        f"[bold]{T('heading', label=result.period.label, station=result.station_name)}[/]",
        highlight=False,
    )
    if result.data_until < result.period.bounds()[1]:
        out.print(T("until", when=fmt_datetime(result.data_until)), highlight=False)
    if result.empty:
        out.print(f"[yellow]{T('nothing')}[/]", highlight=False)

    table = Table(show_footer=True)
    table.add_column(T("channel"), footer=T("total"))
    table.add_column(T("bulletins"), justify="right", footer=fmt_int(t.bulletins))
    table.add_column(T("items"), justify="right", footer=fmt_int(t.items))
    table.add_column(T("minutes"), justify="right", footer=fmt_num(t.airtime_min))
    table.add_column(T("prev"), justify="right", footer=fmt_int(p.items))
    for c in result.channels:
        radio = c == "radio"
        table.add_row(
            channel_label(c),
            fmt_int(t.bulletins) if radio else "",
            fmt_int(t.channel_items(c)),
            fmt_num(t.airtime_min) if radio else "",
            fmt_int(p.channel_items(c)),
        )
    out.print(table)
    if t.recorded_s or t.live_s:
        out.print(
            T(
                "sounds",
                speech=fmt_num(t.speech_min),
                recorded=fmt_num(t.recorded_min),
                live=fmt_num(t.live_min),
                lives=fmt_int(t.lives),
            ),
            highlight=False,
        )

    months = Table()
    months.add_column(T("month_col"))
    months.add_column(T("bulletins"), justify="right")
    months.add_column(T("items"), justify="right")
    months.add_column(T("minutes"), justify="right")
    for m in result.months:
        months.add_row(
            m.label,
            fmt_int(m.totals.bulletins),
            fmt_int(m.totals.items),
            fmt_num(m.totals.airtime_min),
        )
    out.print(months)

    if result.topics:
        topics = Table()
        topics.add_column(T("topic"))
        topics.add_column(T("items"), justify="right")
        for r in result.topics:
            topics.add_row(r.name, fmt_int(r.total))
        out.print(topics)

    counts = result.undelivered_counts
    if counts:
        from loa.app.reports import undelivered_label

        detail = "; ".join(f"{undelivered_label(k)}: {v}" for k, v in counts.items())
        out.print(f"[yellow]{T('und', n=len(result.undelivered))}[/] ({detail})", highlight=False)
    if files:
        out.print(f"[green]{T('written')}[/]", highlight=False)
        for path in files.all:
            out.print(f"  {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report", help=T("report"))(report)
