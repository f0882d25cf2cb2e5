"""`loa publish`, `loa outbox`, `loa play`, `loa today`, `loa channels ...`: publishing by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loa.cli.common import console, day_option, get_station, print_json, row_id, shorten, sub_app
from loa.core.dates import parse_datetime, parse_time
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.registry import channel_label

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "channels": (
            "Kênh đăng tin: kiểm tra cấu hình, đối soát.",
            "Publishing channels: check settings, reconcile.",
        ),
        "publish": (
            "Đăng một tin lên một kênh ngay (cùng cơ chế chống đăng trùng như khi chạy tự động).",
            "Publish one message on one channel now (same no-double outbox as the daemon).",
        ),
        "opt_message": ("Số tin cần đăng.", "The message id to publish."),
        "opt_bulletin": (
            'Đăng bản tin phát thanh của giờ này ("YYYY-MM-DD HH:MM").',
            'Publish the radio bulletin of this slot ("YYYY-MM-DD HH:MM").',
        ),
        "opt_channel": (
            "Kênh: facebook, website, wordpress, zalo, null.",
            "Channel: facebook, website, wordpress, zalo, null.",
        ),
        "opt_now": ("Đăng ngay bây giờ.", "Publish right now."),
        "opt_at": (
            'Giờ đăng, ví dụ "2026-12-02 06:30", "02/12/2026 06:30" hoặc "mai 6h30" '
            "(Facebook tự đăng nếu bật scheduled_publishing).",
            'When to appear, e.g. "2026-12-02 06:30", "02/12/2026 06:30" or "mai 6h30" '
            "(tomorrow; Facebook schedules it if enabled).",
        ),
        "opt_key": (
            "Khoá chống trùng tự đặt (mặc định manual:TIN:KÊNH).",
            "Own idempotency key (default manual:MESSAGE:CHANNEL).",
        ),
        "opt_json": ("In kết quả dạng JSON.", "Print the result as JSON."),
        "remote_without_done": (
            "--remote-id chỉ dùng cùng --done (xác nhận bản ghi SỐ đã lên kênh với mã bài đó), "
            "ví dụ: loa outbox --done 12 --remote-id 123_456. Không có gì được thay đổi.",
            "--remote-id only goes with --done (confirming record NUMBER is on the channel with "
            "that post id), e.g. loa outbox --done 12 --remote-id 123_456. Nothing was changed.",
        ),
        "need_when": (
            'Chọn --now (đăng ngay) hoặc --at "YYYY-MM-DD HH:MM".',
            'Choose --now (publish now) or --at "YYYY-MM-DD HH:MM".',
        ),
        "need_what": (
            'Chọn --message SỐ_TIN hoặc --bulletin "YYYY-MM-DD HH:MM".',
            'Choose --message ID or --bulletin "YYYY-MM-DD HH:MM".',
        ),
        "published": (
            "Đã đăng lên {channel}: {remote} {url}",
            "Published on {channel}: {remote} {url}",
        ),
        "scheduled": (
            "Đã hẹn giờ đăng trên {channel} lúc {due}: {remote}",
            "Scheduled on {channel} for {due}: {remote}",
        ),
        "already": (
            "Đã đăng từ trước (bản ghi {id}, {status}): {remote}; không đăng lại.",
            "Already published (record {id}, {status}): {remote}; not posted again.",
        ),
        "state": ("Bản ghi {id}: {status}. {error}", "Record {id}: {status}. {error}"),
        "follow_uncertain": (
            "Chưa chắc {key} trên {channel} đã gửi hay chưa (bản ghi {id}): {error} loa không "
            "tự gửi lại. Kiểm tra trên {channel} rồi xác nhận: loa outbox --done {id} (đã gửi) "
            "hoặc loa outbox --retry {id} (chưa gửi, gửi lại).",
            "Not sure whether {key} went out on {channel} (record {id}): {error} loa does not "
            "send it again by itself. Check {channel}, then confirm: loa outbox --done {id} "
            "(it went out) or loa outbox --retry {id} (it did not, send again).",
        ),
        "follow_state": (
            "{key} (bản ghi {id}): {status}. {error}",
            "{key} (record {id}): {status}. {error}",
        ),
        "outbox": (
            "Hộp thư đi: bài đang gửi, lỗi, chưa chắc chắn, trễ hoặc hẹn giờ (đối soát trước).",
            "The outbox: posts sending, failed, uncertain, late or scheduled (reconciles first).",
        ),
        "opt_all": ("Hiện cả bài đã đăng xong.", "Show finished posts too."),
        "opt_done": (
            "Xác nhận bản ghi SỐ đã lên kênh (sau khi tự kiểm tra).",
            "Confirm record ID is on the channel (after checking it yourself).",
        ),
        "opt_retry": (
            "Đăng lại bản ghi SỐ (lỗi hoặc chưa chắc chắn).",
            "Send record ID again (failed or uncertain).",
        ),
        "opt_remote": ("Mã bài trên kênh khi xác nhận --done.", "The remote post id for --done."),
        "empty": (
            "Hộp thư đi trống: không có gì cần xử lý.",
            "The outbox is empty: nothing to do.",
        ),
        "reconciled": (
            "Đối soát bản ghi {id} ({channel}): {status}. {error}",
            "Reconciled record {id} ({channel}): {status}. {error}",
        ),
        "confirmed": ("Đã ghi nhận bản ghi {id}: {status}.", "Recorded {id}: {status}."),
        "col_id": ("Số", "ID"),
        "col_entry": ("Lịch", "Entry"),
        "col_msg": ("Tin", "Msg"),
        "col_channel": ("Kênh", "Channel"),
        "col_status": ("Trạng thái", "Status"),
        "col_due": ("Giờ", "Due"),
        "col_tries": ("Lần", "Tries"),
        "col_title": ("Tiêu đề", "Title"),
        "col_note": ("Ghi chú", "Note"),
        "col_slot": ("Khung giờ", "Slot"),
        "col_dur": ("Giây", "Secs"),
        "col_aired": ("Đã phát/đăng", "Aired/posted"),
        "col_zones": ("Vùng loa", "Zones"),
        "col_ok": ("Được", "OK"),
        "play": (
            "Phát bản tin của một khung giờ, hoặc một tệp, ra loa; ghi nhật ký phát sóng.",
            "Play a slot's bulletin, or a file, to the speakers; log it as run.",
        ),
        "opt_slot": (
            'Khung giờ: "HH:MM" hôm nay, "YYYY-MM-DD HH:MM" hoặc tên khung giờ.',
            'Slot: "HH:MM" today, "YYYY-MM-DD HH:MM" or a slot name.',
        ),
        "opt_file": ("Tệp âm thanh cần phát.", "An audio file to play."),
        "opt_sink": (
            "Phát qua: auto, command, ffmpeg, file, null (mặc định theo loa.toml).",
            "Play through: auto, command, ffmpeg, file, null (default from loa.toml).",
        ),
        "opt_force": ("Phát cả khi đã trễ giờ.", "Play even when late."),
        "opt_test": (
            "Phát thử ngoài giờ (ghi là phát thử, không tính là đã phát, lịch giữ nguyên).",
            "A test play outside its time (logged as a test, never counted as aired; the plan "
            "stays as it is).",
        ),
        "need_slot": (
            "Chọn --slot KHUNG_GIỜ hoặc --file TỆP.",
            "Choose --slot SLOT or --file FILE.",
        ),
        "no_slot": (
            'Không có khung giờ phát thanh "{name}". Xem: loa today.',
            'There is no radio slot "{name}". See: loa today.',
        ),
        "played": (
            "{status}: {title} ({start}–{end}, {secs:.0f} giây)",
            "{status}: {title} ({start}–{end}, {secs:.0f} s)",
        ),
        "today": (
            "Lịch hôm nay cho mọi kênh và những gì đã phát, đã đăng.",
            "Today's run sheet for every channel and what has gone out.",
        ),
        "opt_day": (
            'Ngày, ví dụ 02/12/2026, 2026-12-02 hoặc "mai" (mặc định hôm nay).',
            'Day, e.g. 02/12/2026, 2026-12-02 or "tomorrow" (default today).',
        ),
        "opt_playlists": (
            "Ghi thêm danh sách phát M3U cho từng khung giờ phát thanh.",
            "Also write an M3U playlist for each radio slot.",
        ),
        "nothing_today": ("Không có gì trong lịch ngày {day}.", "Nothing planned on {day}."),
        "playlist": ("Đã ghi {path}", "Wrote {path}"),
        "alert": ("Cần xử lý: {text}", "Needs attention: {text}"),
        "check": (
            "Kiểm tra từng kênh đã cấu hình (token, quyền, thư mục, thiết bị phát).",
            "Check every configured channel (token, permissions, folder, playout).",
        ),
        "check_failed": (
            "Có kênh chưa dùng được; sửa theo hướng dẫn ở trên.",
            "Some channels are not usable; fix them as described above.",
        ),
        "reconcile": (
            "Đối soát các bài bị gián đoạn khi đang gửi (chạy khi khởi động).",
            "Resolve posts interrupted while sending (run at start-up).",
        ),
        "nothing_reconciled": ("Không có bài nào bị gián đoạn.", "No interrupted posts."),
        "unconfigured": (
            "{channel}: chưa cấu hình (thêm mục [channels.{channel}] vào loa.toml để dùng).",
            "{channel}: not configured (add [channels.{channel}] to loa.toml to use it).",
        ),
        "st_overdue": ("quá giờ, chưa đăng", "overdue"),
        "yes": ("có", "yes"),
        "no": ("KHÔNG", "NO"),
    }
)

channels_app = sub_app(T("channels"))


def _outbox_status(status: str) -> str:
    """An outbox row's status for people: a publication's, or "overdue" (a plan entry past due
    with no publication yet, a status only the outbox view has)."""
    from loa.app.outbox_view import OVERDUE
    from loa.app.publish import PublicationStatus

    return T("st_overdue") if status == OVERDUE else PublicationStatus(status).label


def _fmt(value: datetime | None) -> str:
    return value.strftime("%d/%m %H:%M") if value else ""


def _publication_dict(pub: Any) -> dict[str, Any]:
    return {
        "id": pub.id,
        "key": pub.key,
        "channel": pub.channel,
        "status": pub.status,
        "remote_id": pub.remote_id,
        "remote_url": pub.remote_url,
        "attempts": pub.attempts,
        "due_at": pub.due_at,
        "error": pub.error,
    }


def publish(
    message: Annotated[
        int | None, typer.Option("--message", "-m", help=T("opt_message"), parser=row_id)
    ] = None,
    channel: Annotated[str, typer.Option("--channel", "-c", help=T("opt_channel"))] = "facebook",
    now_flag: Annotated[bool, typer.Option("--now", help=T("opt_now"))] = False,
    at: Annotated[str | None, typer.Option("--at", help=T("opt_at"))] = None,
    bulletin: Annotated[str | None, typer.Option("--bulletin", help=T("opt_bulletin"))] = None,
    key: Annotated[str | None, typer.Option("--key", help=T("opt_key"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    from loa.app.publish import DONE_STATUSES, PublicationStatus, publish_bulletin, publish_message

    station = get_station()
    now = station.now().replace(microsecond=0)
    if not now_flag and at is None:
        raise UserError(T("need_when"))
    if message is None and bulletin is None:
        raise UserError(T("need_what"))
    before = None
    if bulletin is not None or message is None:
        assert bulletin is not None
        pub = publish_bulletin(
            station, parse_datetime(bulletin, today=now.date()), channel, now=now
        )
    else:
        before = _existing(station, key or f"manual:{message}:{channel}")
        due = parse_datetime(at, today=now.date()) if at is not None else None
        pub = publish_message(station, message, channel, now=now, key=key, due_at=due)
    if as_json:
        from loa.app.publish import unfinished_follow_ups

        print_json({**_publication_dict(pub), "follow_ups": unfinished_follow_ups(station, pub)})
        return
    from loa.app.publish import sent_before

    out = console()
    if (before is not None and before in DONE_STATUSES) or sent_before(pub):
        status = PublicationStatus(pub.status).label
        out.print(
            T("already", id=pub.id, status=status, remote=pub.remote_id),
            highlight=False,
            markup=False,
        )
    elif pub.status == PublicationStatus.SCHEDULED:
        out.print(
            T("scheduled", channel=pub.channel, due=_fmt(pub.due_at), remote=pub.remote_id),
            highlight=False,
            markup=False,
        )
    elif pub.status in (PublicationStatus.PUBLISHED, PublicationStatus.LATE):
        url = pub.remote_url if pub.remote_url and pub.remote_url != pub.remote_id else ""
        out.print(
            T("published", channel=pub.channel, remote=pub.remote_id, url=url).rstrip(),
            highlight=False,
            markup=False,
        )
    else:
        out.print(
            T(
                "state",
                id=pub.id,
                status=PublicationStatus(pub.status).label,
                error=pub.error or "",
            ),
            highlight=False,
            markup=False,
        )
    _say_follow_ups(station, pub)


def _say_follow_ups(station: Station, pub: Any) -> None:
    """What followed the post and did not simply go out (an uncertain or held broadcast)."""
    from loa.app.publish import unfinished_follow_ups

    out = console()
    for follow in unfinished_follow_ups(station, pub):
        if follow["uncertain"]:
            text = T(
                "follow_uncertain",
                key=follow["key"],
                channel=follow["channel"],
                id=follow["id"],
                error=follow["error"],
            )
        else:
            text = T(
                "follow_state",
                key=follow["key"],
                id=follow["id"],
                status=follow["label"],
                error=follow["error"],
            )
        out.print(text, style="yellow", highlight=False, markup=False)


def _existing(station: Station, key: str) -> str | None:
    from loa.app.publish import publication_status

    return publication_status(station, key)


def outbox(
    show_all: Annotated[bool, typer.Option("--all", help=T("opt_all"))] = False,
    done: Annotated[int | None, typer.Option("--done", help=T("opt_done"), parser=row_id)] = None,
    retry: Annotated[
        int | None, typer.Option("--retry", help=T("opt_retry"), parser=row_id)
    ] = None,
    remote_id: Annotated[str | None, typer.Option("--remote-id", help=T("opt_remote"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    from loa.app import publish as service
    from loa.app.outbox_view import outbox
    from loa.app.publish import PublicationStatus

    if remote_id is not None and done is None:
        raise UserError(T("remote_without_done"))
    station = get_station()
    now = station.now().replace(microsecond=0)
    out = console()
    if done is not None or retry is not None:
        if done is not None:
            pub = service.confirm(station, done, posted=True, now=now, remote_id=remote_id)
        else:
            assert retry is not None
            note = service.changed_since(station, retry)
            if note is not None and not as_json:
                out.print(note, highlight=False, markup=False)
            pub = service.resend(station, retry, now=now)
        if as_json:
            print_json(_publication_dict(pub))
        else:
            out.print(
                T("confirmed", id=pub.id, status=PublicationStatus(pub.status).label),
                highlight=False,
                markup=False,
            )
        return
    changed = service.reconcile(station, now=now)
    rows = outbox(station, now=now, include_done=show_all)
    if as_json:
        print_json(
            {
                "reconciled": [_publication_dict(p) for p in changed],
                "outbox": [r.to_dict() for r in rows],
            }
        )
        return
    for pub in changed:
        out.print(
            T(
                "reconciled",
                id=pub.id,
                channel=pub.channel,
                status=PublicationStatus(pub.status).label,
                error=pub.error or "",
            ),
            highlight=False,
            markup=False,
        )
    if not rows:
        out.print(T("empty"), markup=False)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for col in (
        "col_id",
        "col_entry",
        "col_msg",
        "col_channel",
        "col_status",
        "col_due",
        "col_tries",
        "col_title",
        "col_note",
    ):
        table.add_column(T(col), overflow="fold")
    for r in rows:
        table.add_row(
            *map(
                escape,
                (
                    str(r.publication_id or ""),
                    str(r.plan_entry_id or ""),
                    str(r.message_id or ""),
                    channel_label(r.channel),
                    _outbox_status(r.status),
                    _fmt(r.due_at),
                    str(r.attempts),
                    shorten(r.title),
                    shorten(r.error or "", 160),
                ),
            )
        )
    out.print(table)


def _slot_time(station: Station, slot: str, now: datetime) -> datetime:
    try:
        return parse_datetime(slot, today=now.date())
    except UserError:
        pass
    from loa.app.play import radio_slot_start

    start = radio_slot_start(station, slot)
    if start is None:
        raise UserError(T("no_slot", name=slot))
    return datetime.combine(now.date(), parse_time(start))


def play(
    slot: Annotated[str | None, typer.Option("--slot", help=T("opt_slot"))] = None,
    file: Annotated[Path | None, typer.Option("--file", help=T("opt_file"))] = None,
    sink: Annotated[str | None, typer.Option("--sink", help=T("opt_sink"))] = None,
    force: Annotated[bool, typer.Option("--force", help=T("opt_force"))] = False,
    test: Annotated[bool, typer.Option("--test", help=T("opt_test"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    from loa.app.play import AsRunStatus, make_sink, play_file, play_slot

    station = get_station()
    now = station.now().replace(microsecond=0)
    chosen = make_sink(station, sink)
    if file is not None:
        records = [play_file(station, file, now=now, sink=chosen)]
    elif slot is not None:
        records = play_slot(
            station, _slot_time(station, slot, now), now=now, sink=chosen, force=force, test=test
        )
    else:
        raise UserError(T("need_slot"))
    if as_json:
        print_json(
            [
                {
                    "bulletin": r.bulletin,
                    "message_id": r.message_id,
                    "title": r.title,
                    "status": r.status,
                    "started_at": r.started_at,
                    "ended_at": r.ended_at,
                    "duration_s": r.duration_s,
                    "note": r.note,
                }
                for r in records
            ]
        )
        return
    out = console()
    for r in records:
        out.print(
            T(
                "played",
                status=AsRunStatus(r.status).label,
                title=r.title,
                start=r.started_at.strftime("%H:%M:%S"),
                end=r.ended_at.strftime("%H:%M:%S") if r.ended_at else "",
                secs=r.duration_s,
            ),
            highlight=False,
            markup=False,
        )


def today(
    day: Annotated[str | None, typer.Option("--day", help=T("opt_day"))] = None,
    playlists: Annotated[bool, typer.Option("--playlists", help=T("opt_playlists"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    from loa.app.dashboard import credential_alerts
    from loa.app.planning import PlanStatus
    from loa.app.runsheets import run_sheet, write_playlists

    station = get_station()
    the_day = day_option(day, station)
    rows = run_sheet(station, the_day)
    written = write_playlists(station, the_day) if playlists else []
    if as_json:
        print_json(
            {
                "day": the_day.isoformat(),
                "rows": [r.to_dict() for r in rows],
                "playlists": [str(p) for p in written],
                "alerts": [a.text for a in credential_alerts(station)],
            }
        )
        return
    out = console()
    if not rows:
        out.print(T("nothing_today", day=the_day.strftime("%d/%m/%Y")), markup=False)
    else:
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        # One line per entry on a narrow terminal: the slot name goes (the time says it) and
        # long cells end in "…" rather than wrapping a day's sheet over several screens.
        narrow = out.width < 110
        table = Table()
        for col in (
            "col_due",
            "col_channel",
            *(() if narrow else ("col_slot",)),
            "col_msg",
            "col_title",
            "col_dur",
            "col_status",
            *(() if narrow else ("col_aired",)),  # narrow: the time it aired follows the status
        ):
            # only the title gives way on a narrow terminal; it ends in "…" instead of wrapping
            table.add_column(T(col), overflow="fold", no_wrap=narrow and col != "col_title")
        zoned = any(r.zones for r in rows)
        if zoned:
            table.add_column(T("col_zones"), overflow="fold")
        for r in rows:
            table.add_row(
                *(
                    cell if isinstance(cell, Text) else escape(cell)
                    for cell in (
                        r.at.strftime("%H:%M"),
                        channel_label(r.channel),
                        *(() if narrow else (r.slot,)),
                        str(r.message_id),
                        Text(shorten(r.title), no_wrap=narrow, overflow="ellipsis"),
                        f"{r.duration_s:.0f}" if r.channel == "radio" else "—",
                        *(
                            (
                                PlanStatus(r.status).label
                                + (f" {r.aired_at:%H:%M}" if r.aired_at else ""),
                            )
                            if narrow
                            else (
                                PlanStatus(r.status).label,
                                r.aired_at.strftime("%H:%M:%S") if r.aired_at else "",
                            )
                        ),
                        *([", ".join(r.zones)] if zoned else []),
                    )
                )
            )
        out.print(table)
    for path in written:
        out.print(T("playlist", path=path), highlight=False, markup=False)
    from loa.cli.stream import today_mounts

    today_mounts(station)
    for alert in credential_alerts(station):
        console().print(T("alert", text=alert.text), style="yellow", highlight=False, markup=False)


@channels_app.command("check", help=T("check"))
def check(as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False) -> None:
    from rich.markup import escape

    from loa.app.publish import channel_checks

    station = get_station()
    results = channel_checks(station)
    if as_json:
        print_json([r.__dict__ for r in results])
    else:
        from loa.app.publish import station_channels as configured_channels
        from loa.core.registry import channel_names

        out = console()
        for r in results:
            mark = "[green]✓[/]" if r.ok else "[bold red]✗[/]"
            out.print(f"{mark} {r.channel}: {escape(r.detail)}", highlight=False)
        configured = configured_channels(station)
        for name in channel_names():
            if name not in configured:
                out.print(f"– {escape(T('unconfigured', channel=name))}", highlight=False)
    if not all(r.ok for r in results):
        if not as_json:
            console().print(T("check_failed"), markup=False)
        raise typer.Exit(code=1)


@channels_app.command("reconcile", help=T("reconcile"))
def reconcile_cmd(
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    from loa.app.publish import PublicationStatus, reconcile

    station = get_station()
    changed = reconcile(station, now=station.now().replace(microsecond=0))
    if as_json:
        print_json([_publication_dict(p) for p in changed])
        return
    out = console()
    if not changed:
        out.print(T("nothing_reconciled"), markup=False)
    for pub in changed:
        out.print(
            T(
                "reconciled",
                id=pub.id,
                channel=pub.channel,
                status=PublicationStatus(pub.status).label,
                error=pub.error or "",
            ),
            highlight=False,
            markup=False,
        )


class _Door:
    """What a channel's `commands` hook is handed (loa.core.registry.CommandDoor)."""

    def station(self) -> Station:
        return get_station()

    def console(self) -> Any:
        return console()

    def group(self, help_text: str) -> typer.Typer:
        return sub_app(help_text)


def mount_channel_commands(group: typer.Typer) -> None:
    """`loa channels <name> ...`: the commands each channel's descriptor contributes."""
    from loa.core.registry import channels, load_spec

    for info in channels(internal=True):
        if info.commands:
            try:
                hook = load_spec(info.commands)
            except (ImportError, AttributeError):  # a broken plug-in: said when it is used
                continue
            contributed = hook(_Door())
            if contributed is not None:
                group.add_typer(contributed, name=info.name)


mount_channel_commands(channels_app)


def register(app: typer.Typer) -> None:
    app.command("publish", help=T("publish"))(publish)
    app.command("outbox", help=T("outbox"))(outbox)
    app.command("play", help=T("play"))(play)
    app.command("today", help=T("today"))(today)
    app.add_typer(channels_app, name="channels")
