"""`loa insights pull|show`: the figures channels give back, and the reach learned from them."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.cli.common import console, get_station, print_json, sub_app
from loa.core.i18n import Catalog

T = Catalog(
    {
        "insights": (
            "Số liệu người xem, người nghe từ các kênh, và độ phủ học được cho lập lịch.",
            "Audience figures from the channels, and the reach the planner learns from them.",
        ),
        "pull": (
            "Lấy số liệu (lượt xem, người nghe, lượt tải) của các bài đã đăng, bản tin đã phát.",
            "Fetch the figures (views, listeners, hits) of what was posted and aired.",
        ),
        "show": (
            "Xem độ phủ học được theo kênh, loại ngày và khung giờ, với độ tin cậy.",
            "Show the learned reach per channel, day class and hour window, with confidence.",
        ),
        "o_channel": ("Chỉ kênh này (ví dụ facebook).", "Only this channel (e.g. facebook)."),
        "o_since": (
            "Từ ngày, ví dụ 01/11/2026 (mặc định: 30 ngày qua).",
            "Since this day, e.g. 01/11/2026 (default: the last 30 days).",
        ),
        "o_json": ("In kết quả dạng JSON.", "Print the result as JSON."),
        "pulled": (
            "{channel}: hỏi {asked} bài/bản tin, lưu {figures} số liệu, {empty} chưa có số liệu.",
            "{channel}: asked about {asked} posts/bulletins, stored {figures} figures, "
            "{empty} without figures yet.",
        ),
        "unavailable": (
            "  chỉ số không dùng được (đã ngừng hoặc đổi tên): {names}",
            "  metrics not available (retired or renamed): {names}",
        ),
        "error": ("  lỗi: {error}", "  error: {error}"),
        "note": ("  {note}", "  {note}"),
        "total": ("Tổng: {n} số liệu.", "Total: {n} figures."),
        "learn_off": (
            "[planning] learn = false: lập lịch chỉ dùng độ phủ giả định.",
            "[planning] learn = false: the planner uses the assumed reach only.",
        ),
        "summary": (
            "{figures} số liệu đã lưu; học khi có ít nhất {min} lần đo mỗi ô, tin cậy khi {ok}.",
            "{figures} figures stored; learns from {min} figures per cell, confident from {ok}.",
        ),
        "c_channel": ("Kênh", "Channel"),
        "c_day": ("Ngày", "Day"),
        "c_hours": ("Giờ", "Hours"),
        "c_n": ("Số lần đo", "Figures"),
        "c_mean": ("TB số người", "Mean people"),
        "c_assumed": ("Giả định", "Assumed"),
        "c_learned": ("Học được", "Learned"),
        "c_conf": ("Tin cậy", "Confidence"),
        "c_slot": ("Khung", "Slot"),
        "c_factor": ("Hệ số", "Factor"),
        "day_work": ("ngày thường", "working day"),
        "day_sat": ("thứ Bảy", "Saturday"),
        "day_sun": ("Chủ nhật", "Sunday"),
        "conf_none": ("chưa đủ", "none"),
        "conf_thin": ("ít", "thin"),
        "conf_ok": ("đủ", "ok"),
        "nothing": (
            "Chưa có số liệu nào: chạy loa insights pull sau khi đã đăng bài, phát bản tin.",
            "No figures yet: run loa insights pull after posting and airing.",
        ),
    }
)

insights_app = sub_app(T("insights"))


def _num(value: float | None, digits: int = 2) -> str:
    from loa.core.i18n import decimal

    return "-" if value is None else decimal(value, digits)


@insights_app.command("pull", help=T("pull"))
def pull_cmd(
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    since: Annotated[str | None, typer.Option("--since", help=T("o_since"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("o_json"))] = False,
) -> None:
    from datetime import datetime

    from rich.progress import Progress

    from loa.app.insights import pull
    from loa.core.dates import parse_date
    from loa.core.registry import channel_label

    station = get_station()
    now = station.now()
    start = (
        datetime.combine(parse_date(since, today=now.date()), datetime.min.time())
        if since is not None
        else None
    )
    with Progress(transient=True, console=console()) as progress:
        progress.add_task(T("pull"), total=None)
        report = pull(station, now=now, channel=channel, since=start)
    if as_json:
        print_json(report.to_dict())
    else:
        out = console()
        for c in report.channels:
            out.print(
                T(
                    "pulled",
                    channel=channel_label(c.channel),
                    asked=c.asked,
                    figures=c.figures,
                    empty=c.empty,
                ),
                highlight=False,
            )
            if c.unavailable:
                out.print(T("unavailable", names=", ".join(c.unavailable)), highlight=False)
            for note in c.notes[:3]:
                out.print(T("note", note=note), highlight=False)
            for error in c.errors[:3]:
                out.print(T("error", error=error), highlight=False)
        out.print(T("total", n=report.figures), highlight=False)
    if report.failed:
        raise typer.Exit(code=1)


@insights_app.command("show", help=T("show"))
def show_cmd(
    as_json: Annotated[bool, typer.Option("--json", help=T("o_json"))] = False,
) -> None:
    from rich.table import Table

    from loa.app.insights import show
    from loa.core.registry import channel_label

    station = get_station()
    view = show(station)
    if as_json:
        print_json(view.to_dict())
        return
    out = console()
    s = view.model.settings
    if not s.learn:
        out.print(T("learn_off"), highlight=False)
    out.print(
        T("summary", figures=view.figures, min=s.min_observations, ok=s.ok_observations),
        highlight=False,
    )
    cells = [e for _, e in sorted(view.model.cells.items())]
    if not view.figures:
        out.print(T("nothing"), highlight=False)
    table = Table()
    for key in ("c_channel", "c_day", "c_hours", "c_n", "c_mean", "c_assumed", "c_learned"):
        table.add_column(T(key))
    table.add_column(T("c_conf"))
    for e in cells:
        table.add_row(
            channel_label(e.cell.channel),
            T(f"day_{e.cell.day}"),
            f"{e.cell.hour:02d}-{e.cell.hour + s.window_hours:02d}h",
            str(e.n),
            _num(e.mean_value, 0),
            _num(e.assumed),
            _num(e.learned),
            T(f"conf_{e.confidence}"),
        )
    out.print(table)
    slots = Table()
    for key in ("c_slot", "c_channel", "c_hours", "c_n", "c_factor", "c_conf"):
        slots.add_column(T(key))
    for row in view.slots:
        slots.add_row(
            f"{row['slot_id']} {row['name']}",
            channel_label(row["channel"]),
            row["start"],
            str(row["n"]),
            ("x" + _num(row["factor"])) + (" *" if row["explore"] else ""),
            T(f"conf_{row['confidence']}"),
        )
    out.print(slots)


def register(app: typer.Typer) -> None:
    app.add_typer(insights_app, name="insights")
