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
        "sheet_voice": ("Giọng", "Voice"),
        "sheet_speech": ("Giọng máy", "Synthetic"),
        "sheet_recorded": ("Ghi âm của xã", "Commune's recording"),
        "sheet_sounds": (
            "giọng máy {speech}, ghi âm của xã {recorded}",
            "synthetic voice {speech}, the commune's recordings {recorded}",
        ),
        "sheet_live": ("Phát trực tiếp trong ngày", "Live broadcasts of the day"),
        "sheet_live_time": ("Thời gian", "Time"),
        "sheet_live_by": ("Người nói", "Speaker"),
        "sheet_live_zones": ("Vùng", "Zones"),
        "sheet_live_file": ("Bản ghi", "Recording"),
        "sheet_live_total": (
            "Tổng phát trực tiếp: {length} ({count} lần)",
            "Live in total: {length} ({count} times)",
        ),
        "sheet_all_zones": ("tất cả", "all"),
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


def _recorded_ids(station: Station, ids: list[int]) -> set[int]:
    """The messages among `ids` that have the commune's own recording (it airs in place of
    the synthetic reading)."""
    from sqlalchemy import select

    from loa.content.models import Message

    if not ids:
        return set()
    with station.transaction() as session:
        return set(
            session.scalars(
                select(Message.id).where(Message.id.in_(ids), Message.audio.is_not(None))
            )
        )


def _live_of(station: Station, day: date) -> list[dict[str, Any]]:
    """The day's live broadcasts from the as-run log: time, speaker, zones, length, file."""
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from loa.channels.models import AsRunRecord

    lo = datetime.combine(day, datetime.min.time())
    with station.transaction() as session:
        rows = session.scalars(
            select(AsRunRecord)
            .where(
                AsRunRecord.kind == "live",
                AsRunRecord.started_at >= lo,
                AsRunRecord.started_at < lo + timedelta(days=1),
            )
            .order_by(AsRunRecord.started_at, AsRunRecord.id)
        )
        out = []
        for r in rows:
            extra = r.extra or {}
            end = f"–{r.ended_at:%H:%M:%S}" if r.ended_at else ""
            out.append(
                {
                    "time": f"{r.started_at:%H:%M:%S}{end}",
                    "by": str(extra.get("by") or ""),
                    "zones": ", ".join(r.zones or []) or T("sheet_all_zones"),
                    "duration_s": float(r.duration_s or 0.0),
                    "duration": clock_text(float(r.duration_s or 0.0)),
                    "file": str(extra.get("recording") or ""),
                }
            )
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
        items = sidecar_items(path) if current else []
        real = _durations(items)
        if current:
            recorded = {int(i["message_id"]) for i in items if i.get("kind") == "recorded"}
        else:  # what will air: each message's recording, when it has one
            recorded = _recorded_ids(station, [i.message_id for i in slot.items])
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
                "voice": T("sheet_recorded" if item.message_id in recorded else "sheet_speech"),
            }
            for item in slot.items
        ]
        recorded_s = sum(
            real.get(i.message_id, i.duration_s) for i in slot.items if i.message_id in recorded
        )
        speech_s = sum(
            real.get(i.message_id, i.duration_s) for i in slot.items if i.message_id not in recorded
        )
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
                "sounds": T(
                    "sheet_sounds",
                    speech=clock_text(speech_s, estimate=not length.rendered),
                    recorded=clock_text(recorded_s, estimate=not length.rendered),
                )
                if recorded
                else "",
                # a fallback voice (the offline one) spoke some of it: the operator is told
                "voice_note": fallback_text(fallback_of(path)) if path.is_file() else "",
            }
        )
    live = _live_of(station, day)
    return render(
        "loa.report",
        "runsheet.html.j2",
        t=T,
        title=T("sheet_title", day=day.strftime("%d/%m/%Y")),
        station_name=station.name,
        bulletins=bulletins,
        live=live,
        live_total=T(
            "sheet_live_total",
            length=clock_text(sum(r["duration_s"] for r in live)),
            count=len(live),
        ),
        estimated=any(str(b["total"]).startswith("~") for b in bulletins),
    )


def write_runsheet(station: Station, day: date, path: Path | None = None) -> Path:
    """Write the run sheet (default media/runsheets/YYYY-MM-DD.html) atomically; return it."""

    path = path or station.media_dir / "runsheets" / f"{day.isoformat()}.html"
    atomic_write_text(path, runsheet_html(station, day))
    return path
