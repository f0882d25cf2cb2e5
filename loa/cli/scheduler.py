"""`loa slots`, `loa calendar`, `loa plan`, `loa schedule`, `loa run`: planning and the daemon."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from loa.cli.common import LoaGroup, console, day_option, get_station, print_json, row_id, sub_app
from loa.core.i18n import Catalog

T = Catalog(
    {
        "slots": (
            "Khung giờ phát/đăng theo đối tượng (mẫu hằng tuần của từng kênh).",
            "Audience time slots (each channel's weekly template).",
        ),
        "slots_list": ("Liệt kê các khung giờ.", "List the slots."),
        "slots_add": (
            "Thêm một khung giờ (kiểm tra trùng giờ, giờ sai, sức chứa, đối tượng).",
            "Add a slot (checked for overlaps, bad times, capacity, audiences).",
        ),
        "slots_edit": (
            "Sửa một khung giờ; chỉ đổi những gì được chỉ ra.",
            "Edit a slot; only what is given changes.",
        ),
        "slots_rm": (
            "Xóa một khung giờ (lịch đã phát được giữ lại).",
            "Remove a slot (what already ran is kept).",
        ),
        "slots_defaults": (
            "Thêm bộ khung giờ mặc định cho xã nông thôn (nếu đài chưa có).",
            "Add the default rural-commune slots (if the station has none).",
        ),
        "o_channel": (
            "Kênh, ví dụ radio, facebook, website.",
            "Channel, e.g. radio, facebook, website.",
        ),
        "o_name": ('Tên khung, ví dụ "Bản tin sáng".', 'Slot name, e.g. "Morning bulletin".'),
        "o_start": ("Giờ bắt đầu GIỜ:PHÚT, ví dụ 05:30.", "Start time HH:MM, e.g. 05:30."),
        "o_capacity": (
            "Sức chứa: số giây phát sóng (radio) hoặc số bài (kênh khác).",
            "Capacity: airtime seconds (radio) or number of posts (other channels).",
        ),
        "o_days": (
            'Ngày trong tuần: "2-6", "2,4,6", "CN", "hằng ngày" hoặc 0-6 (0 = thứ Hai).',
            'Weekdays: "mon,wed", "0-4" (0 = Monday), "daily", or Vietnamese "2-6".',
        ),
        "o_reach": (
            "Độ phủ theo đối tượng NHÓM=0..1, lặp lại được: --reach residents=0.6.",
            "Reach per audience GROUP=0..1, repeatable: --reach residents=0.6.",
        ),
        "o_note": ("Ghi chú (giả định về độ phủ).", "Note (the reach assumption)."),
        "o_json": ("In kết quả dạng JSON.", "Print JSON."),
        "a_id": ("Số của khung giờ (xem loa slots list).", "Slot id (see loa slots list)."),
        "added": ("Đã thêm khung {id}: {name}.", "Added slot {id}: {name}."),
        "edited": ("Đã sửa khung {id}: {name}.", "Edited slot {id}: {name}."),
        "removed": (
            "Đã xóa khung {id} ({n} mục lịch chưa phát bị bỏ).",
            "Removed slot {id} ({n} planned entries dropped).",
        ),
        "defaults": ("Đã thêm {n} khung giờ mặc định.", "Added {n} default slots."),
        "defaults_none": (
            "Đài đã có khung giờ; không thêm gì.",
            "The station has slots; nothing added.",
        ),
        "no_slots": (
            "Chưa có khung giờ nào. Thêm bằng: loa slots defaults hoặc loa slots add",
            "No slots yet. Add them with: loa slots defaults or loa slots add",
        ),
        "c_id": ("Số", "Id"),
        "c_channel": ("Kênh", "Channel"),
        "c_name": ("Tên", "Name"),
        "c_days": ("Ngày", "Days"),
        "c_start": ("Giờ", "Start"),
        "c_capacity": ("Sức chứa", "Capacity"),
        "c_reach": ("Độ phủ", "Reach"),
        "c_time": ("Thời điểm", "Time"),
        "c_slot": ("Khung", "Slot"),
        "c_items": ("Tin", "Items"),
        "c_dur": ("Thời lượng", "Duration"),
        "c_status": ("Trạng thái", "Status"),
        "c_day": ("Ngày", "Day"),
        "c_what": ("Nội dung", "What"),
        "cap_s": ("{n} giây", "{n} s"),
        "cap_posts": ("{n} bài", "{n} posts"),
        "calendar": (
            "Lịch nghỉ (lễ, ngày nghỉ phát) và các đợt tuyên truyền.",
            "Holidays, blackout days and campaigns.",
        ),
        "cal_list": (
            "Liệt kê ngày lễ, ngày nghỉ phát và đợt tuyên truyền trong khoảng thời gian.",
            "List holidays, blackout days and campaigns in a period.",
        ),
        "cal_blackout": (
            "Thêm một ngày nghỉ phát (không lên lịch gì).",
            "Add a blackout day (nothing is planned).",
        ),
        "cal_unblackout": ("Bỏ một ngày nghỉ phát.", "Remove a blackout day."),
        "cal_campaign": (
            "Thêm một đợt tuyên truyền: khoảng ngày tăng ưu tiên cho tin của đợt.",
            "Add a campaign: a date window that boosts its messages.",
        ),
        "a_day": (
            'Ngày (23/11/2026, 2026-11-23, "hôm nay", "mai").',
            'Day (23/11/2026, 2026-11-23, "today", "tomorrow").',
        ),
        "o_reason": ("Lý do.", "Reason."),
        "a_campaign": ('Tên đợt, ví dụ "Ngày hội Đại đoàn kết toàn dân tộc".', "Campaign name."),
        "o_cfrom": ("Ngày bắt đầu đợt.", "First day of the campaign."),
        "o_cto": ("Ngày kết thúc đợt.", "Last day of the campaign."),
        "o_boost": ("Hệ số tăng ưu tiên (1-5, mặc định 1.5).", "Boost factor (1-5, default 1.5)."),
        "o_topic": ("Chủ đề thuộc đợt (lặp lại được).", "A topic in the campaign (repeatable)."),
        "o_message": (
            "Số tin thuộc đợt (lặp lại được).",
            "A message id in the campaign (repeatable).",
        ),
        "blackout_added": ("Đã thêm ngày nghỉ phát {day}.", "Added blackout day {day}."),
        "blackout_removed": ("Đã bỏ ngày nghỉ phát {day}.", "Removed blackout day {day}."),
        "campaign_added": (
            "Đã thêm đợt {id}: {name} ({start} - {end}, x{boost:g}).",
            "Added campaign {id}: {name} ({start} - {end}, x{boost:g}).",
        ),
        "k_holiday": ("Ngày lễ", "Holiday"),
        "k_blackout": ("Nghỉ phát", "Blackout"),
        "k_campaign": ("Đợt tuyên truyền", "Campaign"),
        "plan": (
            "Lập lịch: xếp các tin đã duyệt vào khung giờ theo đối tượng; pin/unpin/drop "
            "sửa một mục bằng tay.",
            "Plan: place approved messages into audience time slots; pin/unpin/drop change "
            "one entry by hand.",
        ),
        "plan_pin": (
            "Ghim mục lịch ENTRY (số trong loa schedule --json): lập lịch lại không dời nó.",
            "Pin plan entry ENTRY (its id in loa schedule --json): a re-plan does not move it.",
        ),
        "plan_unpin": (
            "Bỏ ghim mục lịch ENTRY: lập lịch lại có thể dời nó.",
            "Unpin plan entry ENTRY: a re-plan may move it again.",
        ),
        "plan_drop": (
            "Bỏ mục lịch ENTRY khỏi lịch: nó không được phát hay đăng.",
            "Drop plan entry ENTRY from the plan: it is never aired or posted.",
        ),
        "a_entry": ("Số mục lịch.", "Plan entry id."),
        "pinned_done": (
            "Đã ghim mục {id} ({when}, {channel}): lập lịch lại không dời nó.",
            "Pinned entry {id} ({when}, {channel}): a re-plan leaves it there.",
        ),
        "unpinned_done": (
            "Đã bỏ ghim mục {id} ({when}, {channel}).",
            "Unpinned entry {id} ({when}, {channel}).",
        ),
        "dropped_done": (
            "Đã bỏ mục {id} khỏi lịch; lập lịch lại không đặt lại nó vào khung này.",
            "Dropped entry {id}; a re-plan does not put it back in that slot.",
        ),
        "o_from": (
            "Ngày bắt đầu, ví dụ 23/11/2026 hoặc mai (mặc định: hôm nay).",
            "First day, e.g. 23/11/2026 or tomorrow (default: today).",
        ),
        "o_ndays": ("Số ngày.", "Number of days."),
        "slots_suggest": (
            "Đề xuất khung giờ mới mà số liệu cho thấy nhiều người xem, nghe hơn.",
            "Propose new slots where the figures show more people watch or listen.",
        ),
        "suggest_none": (
            "Chưa có đề xuất: cần số liệu (loa insights pull) của bài đăng ngoài các khung hiện có.",
            "Nothing to propose: figures (loa insights pull) of posts outside the current slots "
            "are needed.",
        ),
        "suggest_line": (
            "- {channel}, {day}, khoảng {hour}: độ phủ học được {learned} (khung tốt nhất hiện "
            "có {best}; {n} lần đo)",
            "- {channel}, {day}, around {hour}: learned reach {learned} (best current slot "
            "{best}; {n} figures)",
        ),
        "suggest_how": (
            'Thêm khung bằng: loa slots add --channel KÊNH --name "..." --start HH:MM',
            'Add one with: loa slots add --channel CHANNEL --name "..." --start HH:MM',
        ),
        "day_work": ("ngày thường", "working days"),
        "day_sat": ("thứ Bảy", "Saturdays"),
        "day_sun": ("Chủ nhật", "Sundays"),
        "o_explain": (
            "Giải thích vì sao tin số ID được xếp như vậy hoặc bị bỏ ra.",
            "Explain why message ID went where it went, or was left out.",
        ),
        "planned": (
            "Đã lập lịch {start} - {end}: thêm {added}, giữ {kept}, bỏ {removed}.",
            "Planned {start} - {end}: {added} added, {kept} kept, {removed} removed.",
        ),
        "planned_short": (
            "Tin {id} mới có {got}/{want} lần trên {channel}.",
            "Message {id} has {got}/{want} airings on {channel}.",
        ),
        "planned_blocked": ("Không lập lịch các ngày: {days}.", "Nothing planned on: {days}."),
        "planned_urgent": (
            'Tin khẩn cấp {ids}: "loa run" phát và đăng ngay, ngoài khung giờ.',
            'Urgent messages {ids}: "loa run" airs and posts them at once.',
        ),
        "planned_next": ("Xem lịch: loa schedule --week", "See it: loa schedule --week"),
        "explain_title": ("Tin {id}: {title}", "Message {id}: {title}"),
        "schedule": (
            "Xem lịch đã lập (bảng); export --ics, runsheet --date.",
            "Show the plan (table); export --ics, runsheet --date.",
        ),
        "o_week": (
            "Cả tuần (thứ Hai đến Chủ nhật) chứa ngày bắt đầu.",
            "The whole week (Monday to Sunday) holding the first day.",
        ),
        "o_sched_channel": ("Chỉ một kênh.", "Only one channel."),
        "empty_schedule": (
            "Chưa có lịch trong khoảng này. Lập lịch bằng: loa plan --days 7",
            "Nothing planned in this period. Plan with: loa plan --days 7",
        ),
        "export": (
            "Xuất lịch ra tệp iCalendar (.ics) để nhập vào ứng dụng lịch.",
            "Export the plan as an iCalendar (.ics) file for a calendar app.",
        ),
        "o_ics": ("Tệp .ics cần ghi.", "The .ics file to write."),
        "exported": ("Đã ghi {n} sự kiện vào {path}.", "Wrote {n} events to {path}."),
        "runsheet": (
            "Ghi lịch phát thanh in được (HTML) cho nhân viên đài cho một ngày.",
            "Write the printable radio run sheet (HTML) for one day.",
        ),
        "o_date": ("Ngày (mặc định: hôm nay).", "Day (default: today)."),
        "o_out": (
            "Tệp HTML cần ghi (mặc định: media/runsheets/NGÀY.html).",
            "HTML file to write (default: media/runsheets/DAY.html).",
        ),
        "estimate_note": (
            "Dấu ~: thời lượng ước tính; bản tin chưa được dựng theo lịch hiện tại (loa render).",
            "~: an estimated length; the bulletin is not rendered for the current plan "
            "(loa render).",
        ),
        "run_next": (
            "Việc sắp tới (giờ của đài, {zone}):",
            "Coming up (station time, {zone}):",
        ),
        "run_items": ("({n} tin)", "({n} items)"),
        "run_nothing": (
            "Chưa có gì trong lịch 8 ngày tới: lập lịch bằng loa plan --days 7.",
            "Nothing is planned in the next 8 days: plan with loa plan --days 7.",
        ),
        "sheet_written": ("Đã ghi lịch phát thanh: {path}", "Wrote the run sheet: {path}"),
        "run": (
            "Chạy tự động: dựng bản tin, phát đúng giờ, đăng bài đúng giờ (dừng bằng Ctrl+C).",
            "Run unattended: render bulletins, play and post on time (stop with Ctrl+C).",
        ),
        "o_once": (
            "Làm những việc đến hạn bây giờ rồi thoát (dùng với cron).",
            "Do what is due now and exit (for cron).",
        ),
        "o_web": (
            "Chạy cả bảng điều khiển web (loa web) trong cùng tiến trình, cho một máy ở xã.",
            "Serve the web dashboard (loa web) in the same process, for a single commune PC.",
        ),
        "o_web_host": (
            "Địa chỉ của bảng điều khiển với --web (mặc định 127.0.0.1).",
            "The dashboard's address with --web (default 127.0.0.1).",
        ),
        "o_web_port": (
            "Cổng của bảng điều khiển với --web (mặc định 8080).",
            "The dashboard's port with --web (default 8080).",
        ),
        "once_done": (
            "Xong: {urgent} tin khẩn, {bulletins} bản tin, {posts} bài, dựng {rendered}.",
            "Done: {urgent} urgent, {bulletins} bulletins, {posts} posts, rendered {rendered}.",
        ),
    }
)

slots_app = sub_app(T("slots"))
calendar_app = sub_app(T("calendar"))
plan_app = typer.Typer(
    cls=LoaGroup,
    help=T("plan"),
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    add_completion=False,
)
schedule_app = typer.Typer(
    cls=LoaGroup,
    help=T("schedule"),
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    add_completion=False,
)

JsonOpt = Annotated[bool, typer.Option("--json", help=T("o_json"))]


def _capacity(channel: str, capacity: float) -> str:
    n = int(capacity)
    return T("cap_s", n=n) if channel == "radio" else T("cap_posts", n=n)


def _slot_dict(slot: Any) -> dict[str, Any]:
    return {
        "id": slot.id,
        "channel": slot.channel,
        "name": slot.name,
        "weekdays": slot.weekdays,
        "start": slot.start,
        "capacity": slot.capacity,
        "reach": slot.reach,
        "note": slot.note,
    }


@slots_app.command("list", help=T("slots_list"))
def slots_list(
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from rich.table import Table

    from loa.content.models import Audience
    from loa.core.i18n import decimal
    from loa.core.registry import channel_label
    from loa.planning.slots import format_weekdays, list_slots

    station = get_station()
    with station.transaction() as session:
        slots = [_slot_dict(s) for s in list_slots(session, channel)]
        names = {a.code: a.label for a in session.query(Audience)}
    if as_json:
        print_json(slots)
        return
    if not slots:
        console().print(T("no_slots"), highlight=False)
        return
    table = Table()
    for key in ("c_id", "c_channel", "c_name", "c_days", "c_start", "c_capacity", "c_reach"):
        table.add_column(T(key))
    for s in slots:
        reach = "; ".join(
            f"{names.get(k, k)} {decimal(v, 2)}"
            for k, v in sorted(s["reach"].items(), key=lambda kv: -kv[1])
        )
        table.add_row(
            str(s["id"]),
            channel_label(s["channel"]),
            s["name"],
            format_weekdays(s["weekdays"]),
            s["start"],
            _capacity(s["channel"], s["capacity"]),
            reach,
        )
    console().print(table)


@slots_app.command("add", help=T("slots_add"))
def slots_add(
    channel: Annotated[str, typer.Option("--channel", "-c", help=T("o_channel"))],
    name: Annotated[str, typer.Option("--name", "-n", help=T("o_name"))],
    start: Annotated[str, typer.Option("--start", help=T("o_start"))],
    capacity: Annotated[int, typer.Option("--capacity", help=T("o_capacity"))],
    days: Annotated[str, typer.Option("--days", help=T("o_days"))] = "daily",
    reach: Annotated[list[str] | None, typer.Option("--reach", help=T("o_reach"))] = None,
    note: Annotated[str | None, typer.Option("--note", help=T("o_note"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.planning.slots import SlotSpec, add_slot, parse_reach, parse_weekdays

    station = get_station()
    spec = SlotSpec(
        channel.strip().lower(),
        name,
        start,
        capacity,
        parse_weekdays(days),
        parse_reach(reach or []),
        note,
    )
    with station.transaction() as session:
        slot = add_slot(session, spec)
        data = _slot_dict(slot)
    if as_json:
        print_json(data)
    else:
        console().print(T("added", id=data["id"], name=data["name"]), highlight=False)


@slots_app.command("edit", help=T("slots_edit"))
def slots_edit(
    slot_id: Annotated[int, typer.Argument(help=T("a_id"), parser=row_id)],
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help=T("o_name"))] = None,
    start: Annotated[str | None, typer.Option("--start", help=T("o_start"))] = None,
    capacity: Annotated[int | None, typer.Option("--capacity", help=T("o_capacity"))] = None,
    days: Annotated[str | None, typer.Option("--days", help=T("o_days"))] = None,
    reach: Annotated[list[str] | None, typer.Option("--reach", help=T("o_reach"))] = None,
    note: Annotated[str | None, typer.Option("--note", help=T("o_note"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.planning.slots import edit_slot, parse_reach, parse_weekdays

    station = get_station()
    with station.transaction() as session:
        slot = edit_slot(
            session,
            slot_id,
            channel=channel.strip().lower() if channel else None,
            name=name,
            start=start,
            capacity=capacity,
            weekdays=parse_weekdays(days) if days else None,
            reach=parse_reach(reach or []),
            note=note,
        )
        data = _slot_dict(slot)
    if as_json:
        print_json(data)
    else:
        console().print(T("edited", id=data["id"], name=data["name"]), highlight=False)


@slots_app.command("rm", help=T("slots_rm"))
def slots_rm(slot_id: Annotated[int, typer.Argument(help=T("a_id"), parser=row_id)]) -> None:
    from loa.planning.slots import remove_slot

    station = get_station()
    with station.transaction() as session:
        n = remove_slot(session, slot_id)
    console().print(T("removed", id=slot_id, n=n), highlight=False)


@slots_app.command("suggest", help=T("slots_suggest"))
def slots_suggest(as_json: JsonOpt = False) -> None:
    from loa.app.insights import suggest_slots
    from loa.core.i18n import decimal
    from loa.core.registry import channel_label

    station = get_station()
    found = suggest_slots(station)
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    out = console()
    if not found:
        out.print(T("suggest_none"), highlight=False)
        return
    for s in found:
        out.print(
            T(
                "suggest_line",
                channel=channel_label(s.cell.channel),
                day=T(f"day_{s.cell.day}"),
                hour=f"{s.cell.hour:02d}:00",
                learned=decimal(s.learned, 2),
                best=decimal(s.best_own, 2),
                n=s.n,
            ),
            highlight=False,
        )
    out.print(T("suggest_how"), highlight=False)


@slots_app.command("defaults", help=T("slots_defaults"))
def slots_defaults() -> None:
    from loa.planning.defaults import seed_default_slots

    station = get_station()
    with station.transaction() as session:
        n = seed_default_slots(session)
    console().print(T("defaults", n=n) if n else T("defaults_none"), highlight=False)


# --------------------------------------------------------------------------- calendar


@calendar_app.command("list", help=T("cal_list"))
def calendar_list(
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=3660)] = 365,
    as_json: JsonOpt = False,
) -> None:
    from datetime import timedelta

    from rich.table import Table

    from loa.planning.calendar import blocked_days, campaign_windows, holidays_between

    station = get_station()
    first = day_option(start, station)
    last = first + timedelta(days=days - 1)
    rows: list[tuple[str, str, str]] = []
    with station.transaction() as session:
        holidays = holidays_between(first, last)
        for day, reason in blocked_days(session, first, last, holidays=True).items():
            kind = (
                T("k_holiday") if day in holidays and holidays[day] == reason else T("k_blackout")
            )
            rows.append((day.isoformat(), kind, reason))
        for c in campaign_windows(session):
            if c.ends_on >= first and c.starts_on <= last:
                rows.append(
                    (
                        f"{c.starts_on.isoformat()} – {c.ends_on.isoformat()}",
                        T("k_campaign"),
                        f"{c.name} (x{c.boost:g}; {', '.join(sorted(c.topics)) or '-'})",
                    )
                )
    rows.sort()
    if as_json:
        print_json([{"day": d, "kind": k, "what": w} for d, k, w in rows])
        return
    table = Table()
    for key in ("c_day", "c_status", "c_what"):
        table.add_column(T(key))
    for row in rows:
        table.add_row(*row)
    console().print(table)


@calendar_app.command("blackout", help=T("cal_blackout"))
def calendar_blackout(
    day: Annotated[str, typer.Argument(help=T("a_day"))],
    reason: Annotated[str, typer.Option("--reason", help=T("o_reason"))] = "",
) -> None:
    from loa.planning.calendar import add_blackout

    station = get_station()
    when = day_option(day, station)
    with station.transaction() as session:
        add_blackout(session, when, reason)
    console().print(T("blackout_added", day=when.strftime("%d/%m/%Y")), highlight=False)


@calendar_app.command("unblackout", help=T("cal_unblackout"))
def calendar_unblackout(day: Annotated[str, typer.Argument(help=T("a_day"))]) -> None:
    from loa.planning.calendar import remove_blackout

    station = get_station()
    when = day_option(day, station)
    with station.transaction() as session:
        remove_blackout(session, when)
    console().print(T("blackout_removed", day=when.strftime("%d/%m/%Y")), highlight=False)


@calendar_app.command("campaign", help=T("cal_campaign"))
def calendar_campaign(
    name: Annotated[str, typer.Argument(help=T("a_campaign"))],
    start: Annotated[str, typer.Option("--from", help=T("o_cfrom"))],
    end: Annotated[str, typer.Option("--to", help=T("o_cto"))],
    boost: Annotated[float, typer.Option("--boost", help=T("o_boost"))] = 1.5,
    topic: Annotated[list[str] | None, typer.Option("--topic", help=T("o_topic"))] = None,
    message: Annotated[
        list[int] | None, typer.Option("--message", help=T("o_message"), parser=row_id)
    ] = None,
) -> None:
    from loa.planning.calendar import add_campaign

    station = get_station()
    first, last = day_option(start, station), day_option(end, station)
    with station.transaction() as session:
        c = add_campaign(
            session, name, first, last, boost=boost, topics=topic or [], messages=message or []
        )
        cid = c.id
    console().print(
        T(
            "campaign_added",
            id=cid,
            name=name,
            start=first.strftime("%d/%m/%Y"),
            end=last.strftime("%d/%m/%Y"),
            boost=boost,
        ),
        highlight=False,
    )


# --------------------------------------------------------------------------- plan


@plan_app.callback()
def plan_cmd(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 7,
    explain_id: Annotated[
        int | None, typer.Option("--explain", help=T("o_explain"), parser=row_id)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from datetime import timedelta

    from loa.app.planning import explain_station, plan_station
    from loa.core.dates import parse_date
    from loa.planning.models import PlanStatus

    station = get_station()
    now = station.now()
    first = parse_date(start, today=now.date()) if start is not None else now.date()
    out = console()
    if explain_id is not None:
        result = explain_station(station, explain_id, first, days, now=now)
        if as_json:
            print_json(result.to_dict())
            return
        out.print(T("explain_title", id=result.message_id, title=result.title), highlight=False)
        for line in result.lines:
            out.print(f"- {line}", highlight=False)
        from datetime import datetime

        from loa.core.registry import channel_label

        for e in result.entries:
            when = datetime.fromisoformat(e["when"])
            out.print(
                f"  {when:%d/%m %H:%M}  {channel_label(e['channel'])}  {e['slot']}  "
                f"#{e['position'] + 1}  [{PlanStatus(e['status']).label}]  {e['reason']}",
                highlight=False,
            )
        return
    report = plan_station(station, first, days, now=now)
    if as_json:
        print_json(report.to_dict())
        return
    last = first + timedelta(days=days - 1)
    out.print(
        T(
            "planned",
            start=first.strftime("%d/%m/%Y"),
            end=last.strftime("%d/%m/%Y"),
            added=report.added,
            kept=report.kept + report.locked,
            removed=report.removed,
        ),
        highlight=False,
    )
    weeks = max(1.0, days / 7)
    for mid, wanted in sorted(report.wanted.items()):
        got = report.per_message.get(mid, {})
        for channel, want in wanted.items():
            target = int(want * weeks) if days >= 7 else 0
            if target and got.get(channel, 0) < target:
                out.print(
                    T(
                        "planned_short",
                        id=mid,
                        got=got.get(channel, 0),
                        want=target,
                        channel=channel,
                    ),
                    highlight=False,
                )
    if report.blocked:
        out.print(
            T(
                "planned_blocked",
                days=", ".join(f"{d.strftime('%d/%m')} ({r})" for d, r in report.blocked.items()),
            ),
            highlight=False,
        )
    if report.urgent:
        out.print(T("planned_urgent", ids=", ".join(map(str, report.urgent))), highlight=False)
    out.print(T("planned_next"), highlight=False)


EntryArg = Annotated[int, typer.Argument(help=T("a_entry"), metavar="ENTRY", parser=row_id)]


def _entry_done(key: str, entry: Any) -> None:
    from loa.core.registry import channel_label

    when = f"{entry.scheduled_at:%d/%m %H:%M}"
    console().print(
        T(key, id=entry.id, when=when, channel=channel_label(entry.channel)), highlight=False
    )


@plan_app.command("pin", help=T("plan_pin"))
def plan_pin(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import pin_entry

    station = get_station()
    _entry_done("pinned_done", pin_entry(station, entry_id, True, now=station.now()))


@plan_app.command("unpin", help=T("plan_unpin"))
def plan_unpin(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import pin_entry

    station = get_station()
    _entry_done("unpinned_done", pin_entry(station, entry_id, False, now=station.now()))


@plan_app.command("drop", help=T("plan_drop"))
def plan_drop(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import drop_entry

    station = get_station()
    drop_entry(station, entry_id, now=station.now())
    console().print(T("dropped_done", id=entry_id), highlight=False)


# --------------------------------------------------------------------------- schedule


def _period(start: str | None, days: int, week: bool) -> tuple[Any, Any, int]:
    from datetime import timedelta

    station = get_station()
    first = day_option(start, station)
    if week:
        first, days = first - timedelta(days=first.weekday()), 7
    return station, first, days


@schedule_app.callback()
def schedule_cmd(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 1,
    week: Annotated[bool, typer.Option("--week", "-w", help=T("o_week"))] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", "-c", help=T("o_sched_channel"))
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table
    from rich.text import Text

    from loa.core.registry import channel_label, check_channel
    from loa.planning.models import PlanStatus
    from loa.planning.views import schedule

    station, first, days = _period(start, days, week)
    if channel is not None and channel != "urgent":
        channel = check_channel(channel.strip().lower())
    with station.transaction() as session:
        slots = schedule(session, first, days, channel=channel)
    if as_json:
        print_json([s.to_dict() for s in slots])
        return
    if not slots:
        console().print(T("empty_schedule"), highlight=False)
        return
    from loa.report.lengths import bulletin_length

    weekday = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
    estimated = False
    # With --channel the channel is the table's title, not a column repeated on every row.
    # "urgent" spans every channel, so it keeps the column
    title = channel_label(channel) if channel is not None and channel != "urgent" else None
    single = title is not None
    table = Table(show_lines=True, title=title)
    keys = (
        ("c_time", "c_slot", "c_items", "c_dur")
        if single
        else ("c_time", "c_channel", "c_slot", "c_items", "c_dur")
    )
    # On a narrow terminal each item keeps to one line so a day fits a screen
    # (the items column alone gives way; its lines end in "…" instead of wrapping).
    narrow = console().width < 110
    for key in keys:
        table.add_column(T(key), no_wrap=narrow and key != "c_items")
    for s in slots:
        items = Text(
            "\n".join(
                f"{n}. [#{i.message_id}] {i.title}"
                + (f" ({PlanStatus(i.status).label})" if i.status != PlanStatus.PLANNED else "")
                for n, i in enumerate(s.items, start=1)
            ),
            no_wrap=narrow,
            overflow="ellipsis" if narrow else "fold",
        )
        duration = str(bulletin_length(station, s)) if s.channel == "radio" else "—"
        estimated = estimated or duration.startswith("~")
        table.add_row(
            f"{weekday[s.start.weekday()]} {s.start:%d/%m %H:%M}",
            *([] if single else [channel_label(s.channel)]),
            s.slot_name,
            items,
            duration,
        )
    console().print(table)
    if estimated:
        console().print(T("estimate_note"), highlight=False)


@schedule_app.command("export", help=T("export"))
def schedule_export(
    ics: Annotated[Path, typer.Option("--ics", help=T("o_ics"))],
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 7,
    week: Annotated[bool, typer.Option("--week", "-w", help=T("o_week"))] = False,
) -> None:
    from loa.planning.views import export_ics

    station, first, days = _period(start, days, week)
    n = export_ics(station, first, days, ics)
    console().print(T("exported", n=n, path=ics), highlight=False)


@schedule_app.command("runsheet", help=T("runsheet"))
def schedule_runsheet(
    day: Annotated[str | None, typer.Option("--date", help=T("o_date"))] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help=T("o_out"))] = None,
) -> None:
    from loa.report.runsheet import write_runsheet

    station = get_station()
    when = day_option(day, station)
    path = write_runsheet(station, when, out)
    console().print(T("sheet_written", path=path), highlight=False)


# --------------------------------------------------------------------------- run


def run_cmd(
    once: Annotated[bool, typer.Option("--once", help=T("o_once"))] = False,
    as_json: JsonOpt = False,
    web: Annotated[bool, typer.Option("--web", help=T("o_web"))] = False,
    host: Annotated[str, typer.Option("--host", help=T("o_web_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=T("o_web_port"))] = 8080,
) -> None:
    from loa.app.daemon import Daemon, run_once

    station = get_station()
    _station_time_logging(station)
    if once:
        report = run_once(station, now=station.now())
        if as_json:
            print_json(report.to_dict())
        else:
            console().print(
                T(
                    "once_done",
                    urgent=len(report.urgent),
                    bulletins=len(report.bulletins),
                    posts=len(report.posts),
                    rendered=report.rendered if report.rendered is not None else "-",
                ),
                highlight=False,
            )
        return
    _show_next(station)
    daemon = Daemon(station)
    if web:
        from loa.web.serve import background

        with background(station, host, port):
            daemon.run()
    else:
        daemon.run()
    if daemon.abandoned:
        # A job outlived the stop grace: end now rather than wait for it (systemd expects
        # SIGTERM to end the process in seconds); the outbox reconciles it at the next start.
        import logging

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _station_time_logging(station: Any) -> None:
    """Log lines stamped in the station's time (not the machine's UTC); the scheduler's own
    job bookkeeping ("Added job ...") and migrations stay quiet unless something goes wrong."""
    import logging
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(station.timezone)
    formatter = logging.Formatter("%(asctime)s %(message)s", datefmt="%d/%m/%Y %H:%M:%S")
    formatter.converter = lambda seconds: datetime.fromtimestamp(seconds or 0, zone).timetuple()
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ("apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _show_next(station: Any, limit: int = 5) -> None:
    """What the daemon will do next, in the station's time, before it starts waiting."""
    from loa.core.registry import channel_label
    from loa.planning.models import PlanStatus
    from loa.planning.views import schedule

    now = station.now()
    with station.transaction() as session:
        slots = [
            s
            for s in schedule(session, now.date(), 8)
            if s.start >= now and any(i.status == PlanStatus.PLANNED for i in s.items)
        ]
    out = console()
    if not slots:
        out.print(T("run_nothing"), highlight=False)
        return
    out.print(T("run_next", zone=station.timezone), highlight=False)
    for s in slots[:limit]:
        out.print(
            f"  {s.start:%d/%m %H:%M}  {channel_label(s.channel)}: {s.slot_name} "
            + T("run_items", n=len(s.items)),
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(slots_app, name="slots")
    app.add_typer(calendar_app, name="calendar")
    app.add_typer(plan_app, name="plan")
    app.add_typer(schedule_app, name="schedule")
    app.command("run", help=T("run"))(run_cmd)
