"""khẩn cấp: the one urgent path of every door (CLI, dashboard button, approval, daemon,
province worker). An urgent message cuts into whatever plays on its zones (the Icecast mounts
and the local player), airs after a distinct alert tone as many times as it asks, the
interrupted bulletin then resumes (or restarts, as [radio.stream] resume says), and it is
posted once on its other channels.

`air_urgent` records an urgent plan entry through the state machine before anything goes out,
then airs: on the outputs of this process (the daemon's own jobs, `loa run --web`), through
the running `loa run` over its control socket, or on outputs it opens itself (`loa urgent`,
a province worker); never by waiting for a poll. Where nothing can air, it says so and what to
start, and leaves the entry planned so the daemon airs it as soon as it runs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.due import URGENT
from loa.app.stream import StreamRuntime, ask_daemon, runtime_of
from loa.audio.clip import Speaker, message_clip
from loa.channels.models import DONE_STATUSES
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
            'Tin số {id} chưa được duyệt (đang ở trạng thái "{status}"): chỉ phát khẩn cấp tin '
            "đã duyệt. Duyệt tin trước.",
            'Message {id} is not approved (it is "{status}"): only an approved message can go '
            "out as urgent. Approve it first.",
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
        "archived": (
            "Tin số {id} đã lưu trữ, không phát khẩn cấp được. Khôi phục hoặc tạo tin mới.",
            "Message {id} is archived and cannot go out as urgent. Restore it or write a new one.",
        ),
        "done_before": (
            "Tin số {id} đã được phát khẩn cấp rồi. Muốn phát lại lần nữa: loa urgent {id} --again.",
            "Message {id} already went out as urgent. To air it once more: loa urgent {id} --again.",
        ),
        "in_progress": (
            "Tin số {id} đang được phát khẩn cấp. Đợi xong (xem loa today); nếu lần phát đó bị "
            "gián đoạn, phát lại: loa urgent {id} --again.",
            "Message {id} is going out as urgent right now. Wait for it (see loa today); if "
            "that airing was cut off, air it again: loa urgent {id} --again.",
        ),
        "no_daemon": (
            "CHƯA PHÁT trên loa: không có loa run nào đang chạy để phát. Khởi động loa run "
            "(hoặc loa run --web) trên máy của đài: nếu chạy trong vòng một giờ, tin sẽ phát "
            "ngay khi nó chạy; hoặc phát ngay từ máy của đài: loa urgent {id}.",
            "NOT AIRED: no loa run is running to air it. Start loa run (or loa run --web) on "
            "the station's PC: started within the hour, it airs the message at once; or air it "
            "from the station's PC now: loa urgent {id}.",
        ),
        "no_stream": (
            "CHƯA PHÁT trên loa: đài này không bật luồng phát IP ([radio.stream]) nên máy chủ "
            "tỉnh không phát được; tin sẽ phát khi loa run của xã chạy.",
            "NOT AIRED: this station has no IP stream ([radio.stream]), so the province cannot "
            "air it; it airs when the commune's loa run runs.",
        ),
        "no_outputs": (
            "loa run đang chạy nhưng không có đầu phát nào.",
            "loa run is running but has no outputs.",
        ),
        "nothing_out": (
            "Không đăng được lên kênh nào (tin không phát trên đài). Xem: loa outbox.",
            "Posted on no channel (the message does not go to the radio). See: loa outbox.",
        ),
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


#: How an urgent message reached the air: on outputs this process runs or the daemon's
#: ("daemon"), as a bulletin the daemon plays at once ("queued", a daemon without preemptible
#: outputs), on outputs opened here for the alert ("here"), not at all ("none", "failed"), or
#: it has no radio channel ("no_radio").
AIRED = ("daemon", "queued", "here", "none", "failed", "no_radio")


@dataclass
class UrgentResult:
    """What every door reports after `air_urgent`."""

    message_id: int
    zones: list[str]
    interrupted: list[str]
    repeats: int
    aired: str
    entry_id: int | None = None
    posts: dict[str, str] = field(default_factory=dict)
    #: When it did not air: why, and what to start.
    problem: str | None = None

    def __post_init__(self) -> None:
        # A bulletin cut on several zones is one bulletin interrupted: listed once.
        self.interrupted = list(dict.fromkeys(self.interrupted))

    @property
    def on_air(self) -> bool:
        return self.aired in ("daemon", "queued", "here")

    @property
    def posted(self) -> list[str]:
        """The channels the message is on now."""
        return [c for c, status in self.posts.items() if status in DONE_STATUSES]

    @property
    def not_posted(self) -> dict[str, str]:
        """Channel -> what became of a post not made, in the user's language."""
        from loa.channels.models import PublicationStatus

        return {
            c: PublicationStatus(status).label
            for c, status in self.posts.items()
            if status not in DONE_STATUSES
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "zones": self.zones,
            "interrupted": self.interrupted,
            "repeats": self.repeats,
            "aired": self.aired,
            "via": self.aired,
            "entry_id": self.entry_id,
            "posts": self.posts,
            "problem": self.problem,
        }


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
    buffer, owner = urgent_buffer(station, message, count, rate)
    ready = threading.Event()
    local_file: list[Path] = []

    def local_audio() -> Path | None:
        ready.wait()
        return local_file[0] if local_file else None

    airing = runtime.onair.urgent(f"urgent:{message_id}", buffer, target, local_audio)

    def speak_and_log() -> None:
        try:
            if owner:
                _fill(station, message, buffer, count, rate)
            else:  # another commune's airing of the same clip speaks it
                buffer.wait_complete()
            if runtime.onair.local is not None:  # only the local player airs it from a file
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


def _fill(station: Station, message: Message, buffer: PcmBuffer, count: int, rate: int) -> None:
    """Speak the message into `buffer` after its alert tone, `count` times, and finish it."""
    try:
        try:
            speech = urgent_speech(station, message, rate)
        except LoaError as exc:
            log.error(T("render_failed", id=message.id, error=exc))
            speech = b""
        if speech:
            for n in range(count):
                if n:
                    buffer.append(silence(rate, 1.0) + alert_tone(rate, 1.5))
                buffer.append(silence(rate, 0.5) + speech)
        buffer.append(silence(rate, 0.5))
    finally:
        buffer.finish()


#: The programme (alert tone, speech, repeats) of the urgent messages this process airs now,
#: by clip key, repeats and sample rate: the communes of one province message on the head-end
#: air one buffer, so its MP3 is encoded once for all their mounts (loa.channels.encoding).
_AIRING: OrderedDict[tuple[str, int, int], tuple[float, PcmBuffer]] = OrderedDict()
_AIRING_S = 600.0  # a later airing of the same clip makes a buffer of its own


def urgent_buffer(
    station: Station, message: Message, count: int, rate: int
) -> tuple[PcmBuffer, bool]:
    """The buffer the message airs from, and whether the caller speaks it into it (False: an
    airing of the same clip in this process started it and fills it). A message with its own
    recording, or whose clip has no cache key, gets a buffer of its own."""
    import time

    keys: list[str] = []
    if not getattr(message, "audio", None):
        with contextlib.suppress(LoaError):
            keys = Speaker.for_station(station).keys(message.spoken_text)
    if not keys:
        return PcmBuffer(alert_tone(rate), complete=False), True
    key = (keys[0], count, rate)
    now = time.monotonic()
    with _SPEECH_LOCK:
        for old in [k for k, (at, _) in _AIRING.items() if now - at > _AIRING_S]:
            del _AIRING[old]
        found = _AIRING.get(key)
        if found is not None:
            return found[1], False
        buffer = PcmBuffer(alert_tone(rate), complete=False)
        _AIRING[key] = (now, buffer)
        return buffer, True


#: The decoded speech of the last few urgent messages, by clip cache key and sample rate,
#: shared by every station this process airs: a province head-end (or worker) airs one
#: province message on a hundred communes, and its clip (same spoken text, engine, voice,
#: rate and mastering: the same key) is spoken and decoded once, not once per commune. A
#: commune whose voice, dictionary or mastering differs has another key, so its own clip.
_SPEECH: OrderedDict[tuple[str, int], bytes] = OrderedDict()
_SPEECH_KEPT = 4
_SPEECH_LOCK = threading.Lock()
#: One lock per key being spoken: communes asking at once wait for the first one's clip.
_SPEAKING: dict[tuple[str, int], threading.Lock] = {}


def urgent_speech(station: Station, message: Message, rate: int) -> bytes:
    """The message's speech as 16-bit mono PCM at `rate`, from `_SPEECH` when this process
    spoke the same clip recently (else rendered through the station's clip cache, decoded
    and kept). Raises LoaError as `message_clip` does."""
    if getattr(message, "audio", None):
        return pcm_of_file(message_clip(station, message).path, rate)
    speaker = Speaker.for_station(station)
    keys = speaker.keys(message.spoken_text)
    if not keys:
        return pcm_of_file(message_clip(station, message, speaker=speaker).path, rate)
    memo = (keys[0], rate)
    with _SPEECH_LOCK:
        lock = _SPEAKING.setdefault(memo, threading.Lock())
    with lock:
        with _SPEECH_LOCK:
            if memo in _SPEECH:
                _SPEECH.move_to_end(memo)
                return _SPEECH[memo]
        clip = message_clip(station, message, speaker=speaker)
        speech = pcm_of_file(clip.path, rate)
        with _SPEECH_LOCK:
            _SPEAKING.pop(memo, None)
            if clip.key == memo[0]:  # not a fallback engine's clip (that one may recover)
                _SPEECH[memo] = speech
                while len(_SPEECH) > _SPEECH_KEPT:
                    _SPEECH.popitem(last=False)
    return speech


def _write_wav(station: Station, message_id: int, buffer: PcmBuffer, rate: int) -> Path:
    import numpy as np

    from loa.audio.ffmpeg import write_wav

    data, _ = buffer.take(0, len(buffer))
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    path = station.media_dir / "urgent" / f"{message_id}-{station.now():%Y%m%d-%H%M%S}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, samples, rate)
    return path


#: Hooks of a daemon in this process whose outputs cannot preempt (no [radio.stream]): it
#: plays the urgent message as a bulletin at once, after the item on the air.
_QUEUE_HOOKS: dict[str, Callable[[int, list[str] | None], None]] = {}


def set_queue_hook(station: Station, hook: Callable[[int, list[str] | None], None] | None) -> None:
    """Register (or, with None, drop) the running daemon's way to air an urgent message as
    a bulletin at once (`loa run` without preemptible outputs)."""
    key = str(station.root.resolve())
    if hook is None:
        _QUEUE_HOOKS.pop(key, None)
    else:
        _QUEUE_HOOKS[key] = hook


def _air_in_process(
    station: Station, message_id: int, *, repeats: int | None, zones: list[str] | None
) -> UrgentResult | None:
    """Air on what this process runs (the daemon's outputs, or its bulletin queue)."""
    running = runtime_of(station)
    if running is not None:
        job = start_urgent(running, message_id, repeats=repeats, zones=zones)
        return _result(job, "daemon")
    hook = _QUEUE_HOOKS.get(str(station.root.resolve()))
    if hook is not None:
        hook(message_id, zones)
        return UrgentResult(message_id, list(zones or []), [], repeats or 0, "queued")
    return None


def handle_request(station: Station, request: dict[str, Any]) -> dict[str, Any]:
    """The daemon's answer to an "urgent" control request (the caller recorded the entry)."""
    zones = request.get("zones") or None
    result = _air_in_process(
        station,
        int(request["message_id"]),
        repeats=request.get("repeats"),
        zones=[str(z) for z in zones] if zones else None,
    )
    if result is None:
        raise RuntimeFailure(T("no_outputs"))
    return result.to_dict()


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
    by: str,
    now: datetime | None = None,
    repeats: int | None = None,
    zones: list[str] | None = None,
    here: str = "none",
    again: bool = False,
    must_air: bool = False,
    address: str | None = None,
    connect_timeout: float = 10.0,
) -> UrgentResult:
    """Air message `message_id` as khẩn cấp now on `zones` (default: the message's, else all)
    and post it on its other channels: the one urgent path of every door.

    1. An urgent plan entry is recorded and moved to "sending" (PLAN_STATES) and committed
       before anything goes out, so no other door or a restart airs it a second time.
    2. It airs on this process's outputs, else through the running `loa run` (control socket),
       else, with `here` = "all" (the operator's `loa urgent`: stream and local player) or
       "stream" (a province worker: the stream mounts only), on outputs opened here for the
       alert (this returns when it is over). `here="none"` (the dashboard, an approval) never
       opens outputs: with no daemon the result says nothing aired and what to start.
    3. It is posted once on each configured channel of the message (keys "urgent:<id>:<ch>").
    4. The entry is done when it aired (or, with no radio, when a post went out); planned
       again when nothing could air (the daemon airs it as soon as it runs).

    `again` airs a message that already went out as urgent once more; `must_air` refuses a
    message with no radio channel (a person asked to air it) instead of only posting it. `by`
    (and `address`)
    go to the audit log. Raises UserError for a message that cannot go out (unknown, not
    approved, archived, unknown zone, already aired without `again`).
    """
    from loa.app import users
    from loa.app.publish import publish_urgent

    now = now or station.now()
    message, entry_id = _record(
        station, message_id, now=now, by=by, again=again, must_air=must_air, zones=zones
    )
    radio = "radio" in message.channels
    result = UrgentResult(message_id, list(zones or []), [], repeats or 0, "no_radio")
    if radio:
        result = _air(
            station,
            message_id,
            repeats=repeats,
            zones=zones,
            here=here,
            connect_timeout=connect_timeout,
        )
    result.entry_id = entry_id
    # Only radio: nothing to post (publish_urgent would read the message to find that out).
    posts = (
        publish_urgent(station, message_id, now=now) if set(message.channels) - {"radio"} else []
    )
    result.posts = {p.channel: str(p.status) for p in posts}
    posted = any(p.status in DONE_STATUSES for p in posts)
    with station.transaction() as session:  # settled and audited together
        _settle(session, entry_id, result, posted=posted)
        users.audit_in(
            session, by, "urgent", f"#{message_id} {message.title}", address=address or "", now=now
        )
    return result


def _checked(session: Any, message_id: int) -> Message:
    """The message, if it may go out as urgent (detached from `session`). Raises UserError."""
    message: Message | None = session.get(Message, message_id)
    if message is None:
        raise UserError(T("no_message", id=message_id))
    if message.status == MessageStatus.ARCHIVED:
        raise UserError(T("archived", id=message_id))
    if message.status != MessageStatus.APPROVED:
        raise UserError(
            T("not_approved", id=message_id, status=MessageStatus(message.status).label)
        )
    _ = message.audience_codes, message.topic_code
    session.expunge(message)
    return message


def _record(
    station: Station,
    message_id: int,
    *,
    now: datetime,
    by: str,
    again: bool,
    must_air: bool,
    zones: list[str] | None,
) -> tuple[Message, int]:
    """The message, checked (`_checked`), and the urgent entry of this airing moved to SENDING,
    in one transaction committed before anything goes out. Raises UserError when the message
    may not go out, already went out as urgent (unless `again`) or is going out right now."""
    from sqlalchemy import select

    from loa.app.entries import move
    from loa.planning.models import PlanEntry, PlanStatus

    with station.transaction() as session:
        message = _checked(session, message_id)
        if must_air and "radio" not in message.channels:
            raise UserError(T("no_radio", id=message_id))
        if "radio" in message.channels and zones:  # an unknown zone: refused, nothing recorded
            stream_settings(station).mounts_for(zones)
        entry = session.scalars(
            select(PlanEntry)
            .where(PlanEntry.message_id == message_id, PlanEntry.channel == URGENT)
            .order_by(PlanEntry.id.desc())
            .limit(1)
        ).first()
        if entry is not None and entry.status == PlanStatus.SENDING and not again:
            raise UserError(T("in_progress", id=message_id))
        if entry is not None and entry.status not in (PlanStatus.PLANNED, PlanStatus.SENDING):
            if not again:
                raise UserError(T("done_before", id=message_id))
            entry = None
        if entry is None or entry.status == PlanStatus.SENDING:
            entry = PlanEntry(
                message_id=message_id,
                channel=URGENT,
                scheduled_at=now.replace(second=0, microsecond=0),
                status=PlanStatus.PLANNED,
                created_at=now,
                reason=f"urgent: {by}",
            )
            session.add(entry)
            session.flush()
        move(session, entry.id, PlanStatus.SENDING, f"urgent: {by}")
        entry_id = int(entry.id)
    return message, entry_id


def _air(
    station: Station,
    message_id: int,
    *,
    repeats: int | None,
    zones: list[str] | None,
    here: str,
    connect_timeout: float,
) -> UrgentResult:
    """Put it on the air by the first way that exists (see `air_urgent`); never raises for
    a way that failed: the result says what happened and what to do."""
    try:
        done = _air_in_process(station, message_id, repeats=repeats, zones=zones)
        if done is not None:
            return done
        answer = ask_daemon(
            station,
            {"op": "urgent", "message_id": message_id, "repeats": repeats, "zones": zones},
        )
        if answer is not None:
            if not answer.get("ok"):
                return _not_aired(
                    message_id, zones, "failed", T("daemon_said", error=answer.get("error", "?"))
                )
            return UrgentResult(
                message_id,
                list(answer.get("zones", [])),
                list(answer.get("interrupted", [])),
                int(answer.get("repeats", 0)),
                str(answer.get("aired", "daemon")),
            )
        if here == "none":
            return _not_aired(message_id, zones, "none", T("no_daemon", id=message_id))
        runtime = StreamRuntime(station, with_local=here == "all").start()
        try:
            if runtime.stream is None and here == "stream":
                return _not_aired(message_id, zones, "none", T("no_stream"))
            if runtime.stream is not None:
                runtime.stream.wait_connected(connect_timeout)
            job = start_urgent(runtime, message_id, repeats=repeats, zones=zones)
            job.wait()
            return _result(job, "here")
        finally:
            runtime.stop()
    except LoaError as exc:
        return _not_aired(message_id, zones, "failed", str(exc))


def _not_aired(message_id: int, zones: list[str] | None, how: str, why: str) -> UrgentResult:
    return UrgentResult(message_id, list(zones or []), [], 0, how, problem=why)


def _settle(session: Any, entry_id: int, result: UrgentResult, *, posted: bool) -> None:
    """Move the urgent entry to match what happened (in `session`)."""
    from loa.app.entries import move
    from loa.planning.models import PlanStatus

    if result.on_air or (result.aired == "no_radio" and posted):
        status, reason = PlanStatus.DONE, f"urgent: {result.aired}"
    elif result.aired == "no_radio":
        status, reason = PlanStatus.FAILED, T("nothing_out")
    else:
        status, reason = PlanStatus.PLANNED, result.problem or ""
    move(session, entry_id, status, reason)


def queue_as_bulletin(station: Station, message_id: int, *, now: datetime) -> datetime:
    """Add a radio entry for the message at this minute, outside the slot grid, for a daemon
    whose outputs cannot preempt: its bulletin job plays it right after the item on the air.
    Returns that minute. Idempotent."""
    from sqlalchemy import select

    from loa.planning.models import PlanEntry, PlanStatus

    at = now.replace(second=0, microsecond=0)
    with station.transaction() as session:
        exists = session.scalar(
            select(PlanEntry.id).where(
                PlanEntry.message_id == message_id,
                PlanEntry.channel == "radio",
                PlanEntry.scheduled_at == at,
            )
        )
        if exists is None:
            session.add(
                PlanEntry(
                    message_id=message_id,
                    channel="radio",
                    slot_id=None,
                    scheduled_at=at,
                    status=PlanStatus.PLANNED,
                    created_at=now,
                    reason="urgent",
                    position=0,
                )
            )
    return at


def install(runtime: StreamRuntime) -> None:
    """Let the runtime answer `loa urgent` from other processes."""
    runtime.handlers["urgent"] = lambda request: handle_request(runtime.station, request)


# --------------------------------------------------------------------------- daemon hooks


def start_outputs(station: Station) -> StreamRuntime | None:
    """`loa run`'s stream head-end: started when [radio.stream] is on (None otherwise), with
    the urgent handler installed. Raises UserError for a bad section or a missing password."""
    settings = stream_settings(station)
    if not settings.enabled:
        return None
    from loa.app import live

    runtime = StreamRuntime(station, with_local=settings.local_playout)
    install(runtime)
    live.install(runtime)
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
            )  # no DISTINCT: PostgreSQL has no equality for json (the zones are merged below)
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
