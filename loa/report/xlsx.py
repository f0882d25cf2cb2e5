"""The report as an Excel workbook (.xlsx): the summary tables and every raw as-run row."""

from __future__ import annotations

import io
from typing import Any

from loa.core.i18n import Catalog
from loa.core.registry import channel_label, is_audio
from loa.report.figures import Report, Totals, undelivered_label

T = Catalog(
    {
        "sh_summary": ("Tổng hợp", "Summary"),
        "sh_months": ("Theo tháng", "By month"),
        "sh_topics": ("Theo lĩnh vực", "By topic"),
        "sh_audiences": ("Theo đối tượng", "By audience"),
        "sh_compare": ("So sánh kỳ trước", "Previous period"),
        "sh_undelivered": ("Chưa phát, chưa đăng", "Not delivered"),
        "sh_rows": ("Nhật ký phát", "As-run log"),
        "key": ("Mã", "Key"),
        "label": ("Chỉ tiêu", "Measure"),
        "value": ("Giá trị", "Value"),
        "station": ("Đài / xã", "Station"),
        "period": ("Kỳ báo cáo", "Period"),
        "start": ("Từ ngày", "From"),
        "end": ("Đến ngày", "To"),
        "data_until": ("Số liệu tính đến", "Figures as of"),
        "generated_at": ("Lập lúc", "Generated at"),
        "bulletins": ("Số bản tin phát thanh", "Radio bulletins"),
        "radio_items": ("Số lượt tin phát thanh", "Radio items"),
        "airtime_s": ("Thời lượng phát thanh (giây)", "Radio airtime (s)"),
        "airtime_min": ("Thời lượng phát thanh (phút)", "Radio airtime (min)"),
        "airtime_speech_min": (
            "Trong đó: giọng đọc máy (phút)",
            "Of which: synthetic voice (min)",
        ),
        "airtime_recorded_min": (
            "Trong đó: bản ghi âm của xã (phút)",
            "Of which: the commune's recordings (min)",
        ),
        "airtime_live_min": ("Trong đó: phát trực tiếp (phút)", "Of which: live (min)"),
        "live_broadcasts": ("Số lần phát trực tiếp", "Live broadcasts"),
        "posts": ("Số bài đăng trên {channel}", "Posts on {channel}"),
        "broadcasts": (
            "Số lần gửi tới người quan tâm trên {channel}",
            "Sent to followers on {channel}",
        ),
        "post_total": ("Tổng số bài đăng", "All posts"),
        "items": ("Tổng số lượt tin, bài", "All items"),
        "messages": ("Số nội dung tuyên truyền khác nhau", "Distinct messages"),
        "undelivered": ("Số lượt chưa phát, chưa đăng", "Items not delivered"),
        "undelivered_s": ("Chưa phát, chưa đăng: {status}", "Not delivered: {status}"),
        "month": ("Tháng", "Month"),
        "total": ("Tổng cộng", "Total"),
        "no": ("STT", "No."),
        "code": ("Mã", "Code"),
        "topic": ("Lĩnh vực", "Topic"),
        "audience": ("Nhóm đối tượng", "Audience group"),
        "sum": ("Tổng", "Total"),
        "this": ("Kỳ này", "This period"),
        "prev": ("Kỳ trước", "Previous period"),
        "delta": ("Tăng/giảm", "Change"),
        "delta_pct": ("Tăng/giảm (%)", "Change (%)"),
        "when": ("Thời gian", "When"),
        "channel": ("Kênh", "Channel"),
        "message_id": ("Mã tin", "Message id"),
        "plan_entry_id": ("Mã lịch", "Plan entry id"),
        "title": ("Tin, bài", "Title"),
        "status": ("Tình trạng", "Status"),
        "status_text": ("Diễn giải", "Meaning"),
        "reason": ("Lý do", "Reason"),
        "id": ("Mã ghi nhận", "Record id"),
        "started_at": ("Bắt đầu", "Started at"),
        "bulletin": ("Bản tin", "Bulletin"),
        "duration_s": ("Thời lượng (giây)", "Duration (s)"),
        "topic_code": ("Mã lĩnh vực", "Topic code"),
        "audiences": ("Nhóm đối tượng", "Audiences"),
        "remote_id": ("Mã bên ngoài", "Remote id"),
        "note": ("Ghi chú", "Note"),
    }
)

# Keys of the summary sheet's first column, in order; tests and other code read them.
SUMMARY_KEYS = (
    "bulletins",
    "radio_items",
    "airtime_s",
    "airtime_min",
    "airtime_speech_min",
    "airtime_recorded_min",
    "airtime_live_min",
    "live_broadcasts",
    "post_total",
    "items",
    "messages",
    "undelivered",
)


def _totals_rows(t: Totals, channels: list[str]) -> list[tuple[str, str, Any]]:
    rows: list[tuple[str, str, Any]] = [
        ("bulletins", T("bulletins"), t.bulletins),
        ("radio_items", T("radio_items"), t.radio_items),
        ("airtime_s", T("airtime_s"), round(t.airtime_s, 1)),
        ("airtime_min", T("airtime_min"), t.airtime_min),
        ("airtime_speech_min", T("airtime_speech_min"), t.speech_min),
        ("airtime_recorded_min", T("airtime_recorded_min"), t.recorded_min),
        ("airtime_live_min", T("airtime_live_min"), t.live_min),
        ("live_broadcasts", T("live_broadcasts"), t.lives),
    ]
    for c in channels:
        if is_audio(c):
            continue
        rows.append((f"posts.{c}", T("posts", channel=channel_label(c)), t.posts.get(c, 0)))
        if t.broadcasts.get(c):
            rows.append(
                (f"broadcasts.{c}", T("broadcasts", channel=channel_label(c)), t.broadcasts[c])
            )
    rows += [
        ("post_total", T("post_total"), t.post_total),
        ("items", T("items"), t.items),
        ("messages", T("messages"), t.messages),
    ]
    return rows


def render_xlsx(report: Report) -> bytes:
    """The .xlsx file as bytes."""
    from openpyxl import Workbook

    # Write-only mode streams rows: a year of raw as-run rows is written ~25% faster.
    wb = Workbook(write_only=True)
    t = report.totals
    others = [c for c in report.channels if not is_audio(c)]

    ws = _sheet(wb, T("sh_summary"), (18, 44, 28))
    _bold(ws, [T("key"), T("label"), T("value")])
    _append(ws, ["station", T("station"), report.station_name])
    _append(ws, ["period", T("period"), report.period.label])
    _append(ws, ["start", T("start"), report.period.start])
    _append(ws, ["end", T("end"), report.period.end])
    _append(ws, ["data_until", T("data_until"), report.data_until])
    _append(ws, ["generated_at", T("generated_at"), report.generated_at])
    for row in _totals_rows(t, report.channels):
        _append(ws, list(row))
    _append(ws, ["undelivered", T("undelivered"), len(report.undelivered)])
    for status, n in report.undelivered_counts.items():
        _append(
            ws, [f"undelivered.{status}", T("undelivered_s", status=undelivered_label(status)), n]
        )

    ws = _sheet(wb, T("sh_months"), (12, 14, 16, 16, *[16] * len(others), 10))
    _bold(
        ws,
        [
            T("month"),
            T("bulletins"),
            T("radio_items"),
            T("airtime_min"),
            *[channel_label(c) for c in others],
            T("sum"),
        ],
    )
    for m in report.months:
        _append(
            ws,
            [
                m.label,
                m.totals.bulletins,
                m.totals.radio_items,
                m.totals.airtime_min,
                *[m.totals.posts.get(c, 0) for c in others],
                m.totals.items,
            ],
        )
    _bold(
        ws,
        [
            T("total"),
            t.bulletins,
            t.radio_items,
            t.airtime_min,
            *[t.posts.get(c, 0) for c in others],
            t.items,
        ],
    )

    for sheet, breakdown, name_header, with_total in (
        ("sh_topics", report.topics, T("topic"), True),
        ("sh_audiences", report.audiences, T("audience"), False),
    ):
        ws = _sheet(wb, T(sheet), (6, 16, 48, *[14] * len(report.channels), 10))
        _bold(
            ws,
            [
                T("no"),
                T("code"),
                name_header,
                *[channel_label(c) for c in report.channels],
                T("sum"),
            ],
        )
        for i, b in enumerate(breakdown, 1):
            _append(
                ws,
                [
                    i,
                    b.code or "",
                    b.name,
                    *[b.by_channel.get(c, 0) for c in report.channels],
                    b.total,
                ],
            )
        if with_total:
            _bold(
                ws,
                [
                    "",
                    "",
                    T("total"),
                    *[sum(b.by_channel.get(c, 0) for b in breakdown) for c in report.channels],
                    sum(b.total for b in breakdown),
                ],
            )

    ws = _sheet(wb, T("sh_compare"), (16, 44, 14, 14, 14, 14))
    _bold(ws, [T("key"), T("label"), T("this"), T("prev"), T("delta"), T("delta_pct")])
    prev_rows = {k: v for k, _, v in _totals_rows(report.previous, report.channels)}
    for key, label, value in _totals_rows(t, report.channels):
        before = prev_rows.get(key, 0)
        pct = round((value - before) / before * 100.0, 1) if before else None
        _append(ws, [key, label, value, before, round(value - before, 1), pct])
    _append(ws, ["previous_start", T("start"), report.period.start, report.previous_period.start])
    _append(ws, ["previous_end", T("end"), report.period.end, report.previous_period.end])

    ws = _sheet(wb, T("sh_undelivered"), (18, 12, 10, 10, 50, 12, 30, 40))
    _bold(
        ws,
        [
            T("when"),
            T("channel"),
            T("message_id"),
            T("plan_entry_id"),
            T("title"),
            T("status"),
            T("status_text"),
            T("reason"),
        ],
    )
    for u in report.undelivered:
        _append(
            ws,
            [
                u.when,
                u.channel,
                u.message_id,
                u.plan_entry_id,
                u.title,
                u.status,
                u.status_text,
                u.reason,
            ],
        )

    ws = _sheet(wb, T("sh_rows"), (10, 18, 10, 10, 18, 12, 10, 10, 50, 16, 28, 16, 30))
    _bold(
        ws,
        [
            T("id"),
            T("started_at"),
            T("channel"),
            T("status"),
            T("bulletin"),
            T("duration_s"),
            T("message_id"),
            T("plan_entry_id"),
            T("title"),
            T("topic_code"),
            T("audiences"),
            T("remote_id"),
            T("note"),
        ],
    )
    for r in report.rows:
        _append(
            ws,
            [
                r.id,
                r.started_at,
                r.channel,
                r.status,
                r.bulletin_key if is_audio(r.channel) else (r.bulletin or ""),
                round(r.duration_s, 2),
                r.message_id,
                r.plan_entry_id,
                r.title,
                r.topic_code or "",
                ", ".join(r.audiences),
                r.remote_id or "",
                r.note or "",
            ],
        )

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb: Any, title: str, widths: tuple[int, ...]) -> Any:
    """A new write-only sheet with its column widths and a frozen header row."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _text_cell(ws: Any, value: Any) -> Any:
    """`value` as a cell: a string is written as text whatever it begins with, so a title such
    as '=HYPERLINK("http://…")' stays words in the workbook, never a live formula."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _append(ws: Any, values: Any) -> None:
    """Append a row, every string in it written as text (see _text_cell)."""
    ws.append([_text_cell(ws, value) for value in values])


def _bold(ws: Any, values: list[Any]) -> None:
    """Append a header or total row in bold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.font = bold
        cells.append(cell)
    _append(ws, cells)
