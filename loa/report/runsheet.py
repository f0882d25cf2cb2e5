"""The radio operator's printable run sheet for a day: each bulletin with its file, and every
item's title, duration, source document and full spoken script."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.audio.bulletin import fallback_of, fallback_text, sidecar_items, sidecar_matches
from loa.audio.render import bulletin_path
from loa.core.dates import clock_text
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.core.templates import render
from loa.planning.views import schedule
from loa.report.lengths import airing, bulletin_length

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "sheet_title": ("Lịch phát thanh ngày {day}", "Radio run sheet for {day}"),
        "sheet_station": ("Đài truyền thanh {name}", "{name} radio station"),
        "sheet_bulletin": ("Bản tin {time}: {slot}", "Bulletin {time}: {slot}"),
        "sheet_file": ("Tệp bản tin", "Bulletin file"),
        "sheet_missing": ("(chưa dựng; {how})", "(not rendered yet; {how})"),
        "sheet_stale": (
            "(chưa dựng lại theo lịch hiện tại: tệp này là bản cũ; {how})",
            "(not rendered again for the current plan: this file is old; {how})",
        ),
        "sheet_render": ("chạy: loa render --date {day}", "run: loa render --date {day}"),
        "sheet_total": ("Tổng thời lượng", "Total duration"),
        "sheet_items_total": (
            "trong đó các tin: {length}, phần còn lại là lời mở đầu, kết thúc; báo cáo tính "
            "thời lượng các tin",
            "of which the items: {length}, the rest is the opening and closing; the report "
            "counts the items' time",
        ),
        "sheet_estimate": (
            "Dấu ~: thời lượng ước tính, bản tin chưa được dựng theo lịch hiện tại.",
            "~: an estimated length; the bulletin is not rendered for the current plan.",
        ),
        "sheet_no": ("TT", "No."),
        "sheet_item": ("Tin", "Item"),
        "sheet_duration": ("Thời lượng", "Duration"),
        "sheet_source": ("Văn bản nguồn", "Source document"),
        "sheet_script": ("Nội dung đọc", "Spoken script"),
        "sheet_aired": ("Đã phát (ký)", "Aired (sign)"),
        "sheet_empty": ("Không có bản tin nào trong ngày này.", "No bulletin on this day."),
        "sheet_operator": ("Người trực máy", "Operator"),
    }
)


def _durations(items: list[dict[str, Any]]) -> dict[int, float]:
    """message id -> real seconds, from a rendered bulletin's sidecar items."""
    out: dict[int, float] = {}
    for item in items:
        try:
            out[int(item["message_id"])] = float(item["duration_s"])
        except (KeyError, TypeError, ValueError):
            continue
    return out


def runsheet_html(station: Station, day: date, *, how_to_render: str = "") -> str:
    """The printable run sheet for the radio operator on `day`: each bulletin's time, file,
    and every item's title, duration, source document and full spoken script
    (template loa/report/templates/runsheet.html.j2). `how_to_render` says how a bulletin not
    made for the current plan is made again (default: the loa command)."""

    how = how_to_render or T("sheet_render", day=day.isoformat())
    with station.transaction() as session:
        slots = schedule(session, day, 1, channel="radio")
    bulletins = []
    for slot in slots:
        path = bulletin_path(station, slot.start)
        current = sidecar_matches(path, airing(slot))
        real = _durations(sidecar_items(path)) if current else {}
        if current:
            shown = str(path)
        elif path.is_file():  # made before a re-plan or an edit: not what will air
            shown = f"{path} {T('sheet_stale', how=how)}"
        else:
            shown = f"{path} {T('sheet_missing', how=how)}"
        length = bulletin_length(station, slot)
        rows = [
            {
                "title": item.title,
                "duration": clock_text(
                    real.get(item.message_id, item.duration_s),
                    estimate=not length.rendered or item.message_id not in real,
                ),
                "source": item.source_document or "",
                "script": item.script,
            }
            for item in slot.items
        ]
        bulletins.append(
            {
                "time": slot.start.strftime("%H:%M"),
                "slot_name": slot.slot_name,
                "file": shown,
                "total": str(length),
                "items_total": clock_text(
                    sum(real.get(i.message_id, i.duration_s) for i in slot.items),
                    estimate=not length.rendered,
                ),
                "rows": rows,
                # a fallback voice (the offline one) spoke some of it: the operator is told
                "voice_note": fallback_text(fallback_of(path)) if path.is_file() else "",
            }
        )
    return render(
        "loa.report",
        "runsheet.html.j2",
        t=T,
        title=T("sheet_title", day=day.strftime("%d/%m/%Y")),
        station_name=station.name,
        bulletins=bulletins,
        estimated=any(str(b["total"]).startswith("~") for b in bulletins),
    )


def write_runsheet(station: Station, day: date, path: Path | None = None) -> Path:
    """Write the run sheet (default media/runsheets/YYYY-MM-DD.html) atomically; return it."""

    path = path or station.media_dir / "runsheets" / f"{day.isoformat()}.html"
    atomic_write_text(path, runsheet_html(station, day))
    return path
