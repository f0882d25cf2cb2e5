"""`loa urgent` (khẩn cấp: cut into the radio now), `loa live` (phát trực tiếp: the microphone on
the air) and `loa stream status` (the Icecast mounts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from loa.cli.common import console, err_console, get_station, print_json, row_id, sub_app
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "urgent": (
            "Phát khẩn cấp một tin đã duyệt: cắt ngang chương trình trên các vùng loa (luồng IP "
            "và loa tại chỗ), phát chuông báo và tin, rồi phát tiếp bản tin bị cắt.",
            "Air an approved message as urgent: cut into the programme on its zones (IP stream "
            "and local speaker), play the alert tone and the message, then go back to the "
            "interrupted bulletin.",
        ),
        "arg_message": ("Số tin cần phát khẩn cấp.", "The id of the message to air as urgent."),
        "opt_repeats": (
            "Số lần đọc tin sau chuông (mặc định: của tin, rồi urgent_repeats).",
            "How many times to read it after the tone (default: the message's, then "
            "urgent_repeats).",
        ),
        "opt_zone": (
            "Vùng loa (lặp lại được; mặc định: vùng của tin, rồi tất cả).",
            "A loudspeaker zone (repeatable; default: the message's zones, then all).",
        ),
        "opt_json": ("In kết quả dạng JSON.", "Print the result as JSON."),
        "aired": (
            "Đã phát khẩn cấp tin {id} ({repeats} lần) trên vùng: {zones}.",
            "Urgent message {id} aired ({repeats} times) on zones: {zones}.",
        ),
        "handed": (
            "loa run đang phát khẩn cấp tin {id} ({repeats} lần) trên vùng: {zones}.",
            "loa run is airing urgent message {id} ({repeats} times) on zones: {zones}.",
        ),
        "queued": (
            "loa run phát khẩn cấp tin {id} ngay sau mục đang phát (đài không bật luồng IP nên "
            "không cắt ngang được).",
            "loa run airs urgent message {id} right after the current item (the station has no "
            "IP stream, so it cannot cut in).",
        ),
        "posts": ("Đã đăng: {channels}.", "Posted: {channels}."),
        "not_posted": (
            "Chưa đăng ({channel}): {status}. Xem: loa outbox.",
            "Not posted ({channel}): {status}. See: loa outbox.",
        ),
        "opt_again": (
            "Phát lại một tin đã phát khẩn cấp rồi (một lần nữa).",
            "Air a message that already went out as urgent once more.",
        ),
        "opt_by": ("Người phát (ghi vào nhật ký).", "Who airs it (for the audit log)."),
        "local_only": ("loa tại chỗ", "local speaker"),
        "cut": (
            "Đã cắt ngang: {what}; sẽ phát tiếp sau tin.",
            "Interrupted: {what}; it goes on after.",
        ),
        "stream": (
            "Luồng phát thanh IP (Icecast): trạng thái.",
            "IP radio stream (Icecast): status.",
        ),
        "status": (
            "Trạng thái từng điểm phát: đã kết nối, số người nghe, lỗi gần nhất.",
            "Each mount's state: connected, listeners, last error.",
        ),
        "off": (
            "Luồng IP đang tắt ([radio.stream] enabled = false).",
            "The IP stream is off ([radio.stream] enabled = false).",
        ),
        "header": ("Máy chủ {server}; loa run: {running}.", "Server {server}; loa run: {running}."),
        "yes": ("đang chạy", "running"),
        "no": ("không chạy", "not running"),
        "server_error": ("Không hỏi được máy chủ: {error}", "Could not ask the server: {error}"),
        "col_zone": ("Vùng", "Zone"),
        "col_mount": ("Điểm phát", "Mount"),
        "col_state": ("Trạng thái", "State"),
        "col_listeners": ("Người nghe", "Listeners"),
        "col_playing": ("Đang phát", "Playing"),
        "col_error": ("Lỗi gần nhất", "Last error"),
        "connected": ("đã kết nối", "connected"),
        "zones": (
            "Vùng loa: liệt kê, hoặc cho một khung giờ/tin phát trên những vùng nào.",
            "Loudspeaker zones: list them, or set which zones a slot or a message targets.",
        ),
        "opt_slot": ("Khung giờ phát thanh (số).", "A radio slot (id)."),
        "opt_msg": ("Tin (số).", "A message (id)."),
        "opt_all": ("Phát trên mọi vùng (bỏ giới hạn).", "Air on every zone (no limit)."),
        "zone_row": ("{zone}: {mount} {name}", "{zone}: {mount} {name}"),
        "set_slot": ("Khung giờ {id}: {zones}.", "Slot {id}: {zones}."),
        "set_msg": ("Tin {id}: {zones}.", "Message {id}: {zones}."),
        "every_zone": ("mọi vùng", "every zone"),
        "disconnected": ("mất kết nối", "disconnected"),
        "live": (
            "Phát trực tiếp từ micrô: cắt ngang chương trình trên các vùng loa (luồng IP và loa "
            "tại chỗ) sau một tiếng chuông ngắn, đến khi bấm Ctrl-C; ghi lại buổi phát.",
            "Go live from the microphone: cut into the programme on the zones (IP stream and "
            "local speaker) after a short tone, until Ctrl-C; the broadcast is recorded.",
        ),
        "opt_live_zone": (
            "Vùng loa (lặp lại được; mặc định: tất cả).",
            "A loudspeaker zone (repeatable; default: all).",
        ),
        "opt_device": (
            "Micrô: KIỂU:TÊN của ffmpeg (pulse:default, alsa:hw:0), hoặc một tệp âm thanh phát "
            "thay micrô.",
            "The microphone: an ffmpeg KIND:NAME (pulse:default, alsa:hw:0), or an audio file "
            "played in its place.",
        ),
        "on_air": (
            "ĐANG PHÁT TRỰC TIẾP trên vùng: {zones}. Nói sau tiếng chuông; bấm Ctrl-C để dừng.",
            "LIVE on zones: {zones}. Speak after the tone; press Ctrl-C to stop.",
        ),
        "live_done": (
            "Đã dừng phát trực tiếp: {seconds} giây trên vùng {zones}; bản ghi: {recording}.",
            "Live broadcast ended: {seconds} s on zones {zones}; recording: {recording}.",
        ),
    }
)


def urgent(
    message_id: Annotated[
        int, typer.Argument(help=T("arg_message"), metavar="MESSAGE_ID", parser=row_id)
    ],
    repeats: Annotated[
        int | None, typer.Option("--repeats", min=1, max=10, help=T("opt_repeats"))
    ] = None,
    zone: Annotated[list[str] | None, typer.Option("--zone", help=T("opt_zone"))] = None,
    again: Annotated[bool, typer.Option("--again", help=T("opt_again"))] = False,
    by: Annotated[str | None, typer.Option("--by", help=T("opt_by"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    import getpass

    from loa.app.urgent import air_urgent

    result = air_urgent(
        get_station(),
        message_id,
        by=by or getpass.getuser(),
        repeats=repeats,
        zones=zone or None,
        here="all",
        again=again,
        must_air=True,
    )
    if as_json:
        print_json(result.to_dict())
        if not result.on_air:
            raise typer.Exit(code=1)
        return
    out = console()
    zones = ", ".join(dict.fromkeys(result.zones)) or T("local_only")
    if result.on_air:
        key = {"daemon": "handed", "here": "aired", "queued": "queued"}[result.aired]
        out.print(T(key, id=message_id, repeats=result.repeats, zones=zones), markup=False)
        if result.interrupted:
            cut = ", ".join(dict.fromkeys(result.interrupted))
            out.print(T("cut", what=cut), markup=False)
    if result.posted:
        out.print(T("posts", channels=", ".join(result.posted)), markup=False)
    for channel, label in result.not_posted.items():
        out.print(T("not_posted", channel=channel, status=label), markup=False)
    if not result.on_air:
        err_console().print(result.problem or "", markup=False, highlight=False)
        raise typer.Exit(code=1)


def live(
    zone: Annotated[list[str] | None, typer.Option("--zone", help=T("opt_live_zone"))] = None,
    device: Annotated[str, typer.Option("--device", help=T("opt_device"))] = "pulse:default",
    by: Annotated[str | None, typer.Option("--by", help=T("opt_by"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False,
) -> None:
    import getpass
    import signal
    import threading

    from loa.app.live import go_live

    station = get_station()
    until = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_: until.set())
    out = console()

    def on_air(zones: list[str]) -> None:
        if not as_json:
            shown = ", ".join(zones) or T("local_only")
            out.print(f"[bold red]{T('on_air', zones=shown)}[/]", highlight=False)

    try:
        result = go_live(
            station,
            by=by or getpass.getuser(),
            zones=zone or None,
            device=device,
            until=until,
            on_air=on_air,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if as_json:
        print_json(result.to_dict())
        return
    out.print(
        T(
            "live_done",
            seconds=f"{result.seconds:.0f}",
            zones=", ".join(result.zones) or T("local_only"),
            recording=result.recording or "—",
        ),
        markup=False,
        highlight=False,
    )


stream_app = sub_app(T("stream"))


@stream_app.command("status", help=T("status"))
def status(as_json: Annotated[bool, typer.Option("--json", help=T("opt_json"))] = False) -> None:
    from loa.app.stream import stream_status

    result = stream_status(get_station())
    if as_json:
        print_json(result.to_dict())
        return
    print_status(result)


def print_status(result: Any) -> None:
    """The mounts table (also printed under `loa today` when the stream is on)."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    if not result.enabled:
        out.print(T("off"), markup=False)
        return
    out.print(
        T("header", server=result.server, running=T("yes") if result.running else T("no")),
        markup=False,
    )
    if result.server_error:
        out.print(T("server_error", error=result.server_error), markup=False)
    table = Table()
    for col in ("col_zone", "col_mount", "col_state", "col_listeners", "col_playing", "col_error"):
        table.add_column(T(col), overflow="fold")
    for m in result.mounts:
        table.add_row(
            *map(
                escape,
                (
                    m.zone,
                    m.mount,
                    T("connected") if m.connected else T("disconnected"),
                    "" if m.listeners is None else str(m.listeners),
                    m.playing or "",
                    (m.last_error or "")[:120],
                ),
            )
        )
    out.print(table)


@stream_app.command("zones", help=T("zones"))
def zones(
    zone: Annotated[list[str] | None, typer.Option("--zone", help=T("opt_zone"))] = None,
    slot: Annotated[int | None, typer.Option("--slot", help=T("opt_slot"), parser=row_id)] = None,
    message: Annotated[
        int | None, typer.Option("--message", help=T("opt_msg"), parser=row_id)
    ] = None,
    every: Annotated[bool, typer.Option("--all", help=T("opt_all"))] = False,
) -> None:
    from loa.app.zones import set_zones, stream_zones

    station = get_station()
    out = console()
    if slot is None and message is None:
        for m in stream_zones(station):
            out.print(T("zone_row", zone=m.zone, mount=m.mount, name=m.name), markup=False)
        return

    done = set_zones(station, [] if every else list(zone or []), slot_id=slot, message_id=message)
    for key, target in (("set_slot", done.slot), ("set_msg", done.message)):
        if target is not None:
            names = ", ".join(target[1]) or T("every_zone")
            out.print(T(key, id=target[0], zones=names), markup=False)


def today_mounts(station: Station) -> None:
    """`loa today`'s footer: the mounts' state when [radio.stream] is on."""
    from loa.app.stream import stream_status
    from loa.app.zones import streaming

    if streaming(station):
        print_status(stream_status(station))


def register(app: typer.Typer) -> None:
    app.command("urgent", help=T("urgent"))(urgent)
    app.command("live", help=T("live"))(live)
    app.add_typer(stream_app, name="stream")
