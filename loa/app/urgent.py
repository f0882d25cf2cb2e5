"""khẩn cấp: an urgent message cuts into whatever plays on its zones (the Icecast mounts and the
local player), airs after a distinct alert tone as many times as it asks, and the interrupted
bulletin then resumes (or restarts, as [radio.stream] resume says).

`air_urgent` is what `loa urgent` and the web dashboard call: it hands the message to the
running `loa run` over its control socket, or, with no daemon running, opens the outputs itself
for the time of the alert. `start_urgent` is the daemon's side (also used on approval).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.stream import StreamRuntime, ask_daemon, runtime_of
from loa.audio.clip import message_clip
from loa.channels.onair import UrgentAiring, record_urgent
from loa.channels.stream import PcmBuffer, alert_tone, pcm_of_file, silence, stream_settings
from loa.content.models import Message, MessageStatus
from loa.core.errors import LoaError, RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.urgent")

T = Catalog(
    {
        "no_message": (
            "Không có tin số {id}. Xem danh sách tin bằng: loa msg list",
            "There is no message {id}. See the messages with: loa msg list",
        ),
        "not_approved": (
            'Tin số {id} đang ở trạng thái "{status}": chỉ phát khẩn cấp tin đã duyệt. '
            "Duyệt tin trước: loa msg approve {id}",
            'Message {id} is "{status}": only an approved message can go out as urgent. '
            "Approve it first: loa msg approve {id}",
        ),
        "no_radio": (
            "Tin số {id} không phát trên đài (channels không có radio). Thêm radio vào kênh "
            "của tin: loa msg edit {id}",
            "Message {id} does not go to the radio (its channels lack radio). Add radio to "
            "its channels: loa msg edit {id}",
        ),
        "render_failed": (
            "Không đọc được tin khẩn cấp {id}: {error}. Đã phát chuông báo.",
            "Could not speak urgent message {id}: {error}. The alert tone was aired.",
        ),
        "daemon_said": ("loa run trả lời: {error}", "loa run answered: {error}"),
    }
)


@dataclass
class UrgentJob:
    """An urgent message on the air: its airing, and the thread that speaks it and logs it."""

    message_id: int
    repeats: int
    airing: UrgentAiring
    thread: threading.Thread
    records: list[Any] = field(default_factory=list)

    def wait(self, timeout: float | None = None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()


@dataclass
class UrgentResult:
    """What `loa urgent` reports."""

    message_id: int
    zones: list[str]
    interrupted: list[str]
    repeats: int
    via: str  # "daemon" (handed to loa run) or "here" (aired by this process)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def urgent_message(station: Station, message_id: int) -> Message:
    """The message, checked: it exists, is approved and goes to the radio. Raises UserError."""
    with station.transaction() as session:
        message = session.get(Message, message_id)
        if message is None:
            raise UserError(T("no_message", id=message_id))
        if message.status != MessageStatus.APPROVED:
            raise UserError(
                T("not_approved", id=message_id, status=MessageStatus(message.status).label)
            )
        if "radio" not in message.channels:
            raise UserError(T("no_radio", id=message_id))
        _ = message.audience_codes, message.topic_code
        session.expunge(message)
    return message


def start_urgent(
    runtime: StreamRuntime,
    message_id: int,
    *,
    repeats: int | None = None,
    zones: list[str] | None = None,
) -> UrgentJob:
    """Cut in now with the alert tone, speak the message (rendered while the tone plays) and
    return; the job's thread logs the as-run row when every output has gone back."""
    station = runtime.station
    message = urgent_message(station, message_id)
    settings = stream_settings(station)
    count = repeats or message.repeats or settings.urgent_repeats
    target = zones or list(message.zones) or None
    settings.mounts_for(target)  # an unknown zone is refused before anything is cut
    rate = settings.sample_rate
    buffer = PcmBuffer(alert_tone(rate), complete=False)
    ready = threading.Event()
    local_file: list[Path] = []

    def local_audio() -> Path | None:
        ready.wait()
        return local_file[0] if local_file else None

    airing = runtime.onair.urgent(f"urgent:{message_id}", buffer, target, local_audio)

    def speak_and_log() -> None:
        try:
            try:
                speech = pcm_of_file(message_clip(station, message).path, rate)
            except LoaError as exc:
                log.error(T("render_failed", id=message_id, error=exc))
                speech = b""
            if speech:
                for n in range(count):
                    if n:
                        buffer.append(silence(rate, 1.0) + alert_tone(rate, 1.5))
                    buffer.append(silence(rate, 0.5) + speech)
            buffer.append(silence(rate, 0.5))
            buffer.finish()
            local_file.append(_write_wav(station, message_id, buffer, rate))
        finally:
            ready.set()
        airing.finished.wait()
        job.records.append(
            record_urgent(
                station, airing, message, repeats=count, duration_s=len(buffer) / 2 / rate
            )
        )

    thread = threading.Thread(target=speak_and_log, name=f"urgent:{message_id}", daemon=True)
    job = UrgentJob(message_id, count, airing, thread)
    thread.start()
    return job


def _write_wav(station: Station, message_id: int, buffer: PcmBuffer, rate: int) -> Path:
    import numpy as np

    from loa.audio.ffmpeg import write_wav

    data, _ = buffer.take(0, len(buffer))
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    path = station.media_dir / "urgent" / f"{message_id}-{station.now():%Y%m%d-%H%M%S}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, samples, rate)
    return path


def handle_request(runtime: StreamRuntime, request: dict[str, Any]) -> dict[str, Any]:
    """The daemon's answer to an "urgent" control request."""
    zones = request.get("zones") or None
    job = start_urgent(
        runtime,
        int(request["message_id"]),
        repeats=request.get("repeats"),
        zones=[str(z) for z in zones] if zones else None,
    )
    return _result(job, "daemon").to_dict()


def _result(job: UrgentJob, via: str) -> UrgentResult:
    return UrgentResult(
        job.message_id,
        list(job.airing.zones),
        [str(i["bulletin"]) for i in job.airing.interrupted],
        job.repeats,
        via,
    )


def air_urgent(
    station: Station,
    message_id: int,
    *,
    repeats: int | None = None,
    zones: list[str] | None = None,
    connect_timeout: float = 10.0,
) -> UrgentResult:
    """Air message `message_id` as khẩn cấp now, on `zones` (default: the message's, else all).

    With `loa run` running, the daemon does it (it holds the mounts) and this returns once the
    alert is on the air; otherwise this process opens the outputs, airs it and returns when it
    is over. Raises UserError for a message that cannot go out (unknown, not approved, no
    radio, unknown zone), RuntimeFailure when the daemon refuses it.
    """
    urgent_message(station, message_id)
    if zones:
        stream_settings(station).mounts_for(zones)
    running = runtime_of(station)
    if running is not None:
        return _result(start_urgent(running, message_id, repeats=repeats, zones=zones), "daemon")
    answer = ask_daemon(
        station, {"op": "urgent", "message_id": message_id, "repeats": repeats, "zones": zones}
    )
    if answer is not None:
        if not answer.get("ok"):
            error = T("daemon_said", error=answer.get("error", "?"))
            raise UserError(error) if answer.get("code") == 2 else RuntimeFailure(error)
        return UrgentResult(
            message_id,
            list(answer.get("zones", [])),
            list(answer.get("interrupted", [])),
            int(answer.get("repeats", 0)),
            "daemon",
        )
    runtime = StreamRuntime(station).start()
    try:
        if runtime.stream is not None:
            runtime.stream.wait_connected(connect_timeout)
        job = start_urgent(runtime, message_id, repeats=repeats, zones=zones)
        job.wait()
        return _result(job, "here")
    finally:
        runtime.stop()


def install(runtime: StreamRuntime) -> None:
    """Let the runtime answer `loa urgent` from other processes."""
    runtime.handlers["urgent"] = lambda request: handle_request(runtime, request)


def when_approved(station: Station, message_id: int, *, now: datetime) -> bool:
    """The hook on an urgent message's approval: preempt on the running outputs, those of this
    process (the daemon's own jobs) or else of the station's `loa run` (a dashboard or CLI in
    another process asks it over the control socket). Returns False when no stream outputs run
    anywhere (the caller then plays it as a bulletin at this minute, after the current item).
    Raises RuntimeFailure when the daemon listens but does not answer."""
    runtime = runtime_of(station)
    if runtime is not None:
        start_urgent(runtime, message_id)
        return True
    answer = ask_daemon(station, {"op": "urgent", "message_id": message_id})
    return bool(answer and answer.get("ok"))


# --------------------------------------------------------------------------- daemon hooks


def start_outputs(station: Station) -> StreamRuntime | None:
    """`loa run`'s stream head-end: started when [radio.stream] is on (None otherwise), with
    the urgent handler installed. Raises UserError for a bad section or a missing password."""
    settings = stream_settings(station)
    if not settings.enabled:
        return None
    runtime = StreamRuntime(station, with_local=settings.local_playout)
    install(runtime)
    return runtime.start()


def slot_zones(station: Station, when: datetime) -> list[str] | None:
    """The zones of the radio slot(s) at `when`: None (every zone) when one has none set."""
    from sqlalchemy import select

    from loa.planning.models import PlanEntry, Slot

    with station.transaction() as session:
        rows = list(
            session.scalars(
                select(Slot.zones)
                .join(PlanEntry, PlanEntry.slot_id == Slot.id)
                .where(PlanEntry.channel == "radio", PlanEntry.scheduled_at == when)
                .distinct()
            )
        )
    if not rows or any(not z for z in rows):
        return None
    return list(dict.fromkeys(z for zones in rows for z in zones))


def bulletin_sink(station: Station, when: datetime) -> Any:
    """The sink the daemon plays the bulletin at `when` into: the running outputs (stream
    mounts of the slot's zones + the local player), or None for the station's usual sink."""
    runtime = runtime_of(station)
    if runtime is None:
        return None
    return runtime.sink(slot_zones(station, when))
