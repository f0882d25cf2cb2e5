"""The texts of `loa slots`, `loa calendar`, `loa plan`, `loa schedule` and `loa run`."""

from __future__ import annotations

from typing import Annotated

import typer

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

JsonOpt = Annotated[bool, typer.Option("--json", help=T("o_json"))]
