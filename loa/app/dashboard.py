"""What the dashboard shows about a day: the bulletins with their files, what aired and was
posted, and the alerts an officer must act on. Read-only views over the lower layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from loa.app.outbox_view import outbox
from loa.audio.bulletin import sidecar_matches
from loa.audio.render import bulletin_path
from loa.channels.models import AsRunRecord
from loa.content.models import Message, MessageStatus
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.planning.views import ScheduledSlot, schedule
from loa.report.targets import TargetProgress, target_progress

if TYPE_CHECKING:
    from loa.report.figures import Totals

T = Catalog(
    {
        "failed": (
            "{channel}: bài «{title}» {status}{error}",
            "{channel}: post “{title}” {status}{error}",
        ),
        "not_rendered": (
            "Bản tin {time} chưa dựng: bấm «Dựng bản tin» ở trang Phát thanh.",
            "The {time} bulletin is not rendered: press “Render” on the Radio page.",
        ),
        "stale": (
            "Bản tin {time} chưa dựng lại theo lịch mới: tệp đang có là bản cũ.",
            "The {time} bulletin is not rendered again for the new plan: its file is old.",
        ),
        "credentials": ("{channel}: {text}", "{channel}: {text}"),
        "h_daemon": ("Dịch vụ phát (loa run)", "The runner (loa run)"),
        "h_daemon_ok": ("Đang chạy.", "Running."),
        "h_daemon_down": (
            "Không chạy: bản tin sẽ không tự phát, bài không tự đăng. Báo người quản trị máy.",
            "Not running: bulletins will not air and posts will not go out on their own. Tell "
            "the administrator of the machine.",
        ),
        "h_stream": ("Phát trực tuyến", "Stream"),
        "h_stream_off": ("Không dùng.", "Not used."),
        "h_stream_ok": ("{n} điểm phát đang nối.", "{n} mounts connected."),
        "h_stream_down": (
            "{up}/{n} điểm phát đang nối: {problem}",
            "{up} of {n} mounts connected: {problem}",
        ),
        "h_last": ("lần cuối {at}", "last at {at}"),
        "h_never": ("chưa có lần nào", "never yet"),
        "h_failing": (
            "{n} bài lỗi hoặc chưa rõ trong hộp thư đi.",
            "{n} posts failed or in doubt in the outbox.",
        ),
        "h_last_failed": ("Lần gần nhất bị lỗi ({since}).", "The last one failed ({since})."),
        "h_credentials": (
            "Cần gia hạn quyền truy cập ({since}).",
            "Access needs renewing ({since}).",
        ),
        "ending": (
            "Tin «{title}» hết hiệu lực ngày {day}.",
            "Message “{title}” stops being valid on {day}.",
        ),
    }
)

#: How many days ahead a validity window ending is worth an alert.
ENDING_WITHIN = timedelta(days=7)


@dataclass
class Bulletin:
    """A radio slot instance of the day and its rendered file (None while not rendered).
    `current`: the file holds what the plan now says will air (same items, order, words); a
    file made before a re-plan or an edit is not played as if it were this bulletin."""

    slot: ScheduledSlot
    path: Path | None
    current: bool = False

    @property
    def stale(self) -> bool:
        """Rendered, but not from the current plan: it must be rendered again."""
        return self.path is not None and not self.current

    @property
    def start(self) -> datetime:
        return self.slot.start


@dataclass
class AsRun:
    started_at: datetime
    channel: str
    status: str
    title: str
    bulletin: str | None
    note: str | None
    #: What a radio row aired: "speech", "recorded" (the commune's recording) or "live".
    kind: str = ""
    duration_s: float = 0.0


@dataclass
class Alert:
    kind: str  # failed | not_rendered | stale | ending | credentials
    text: str
    link: str = ""
    channel: str = ""


@dataclass
class Health:
    """One part of the station at a glance: the daemon, the stream, a channel."""

    name: str
    state: str  # ok | warn | bad | off
    text: str
    link: str = ""


@dataclass
class DayView:
    day: date
    bulletins: list[Bulletin] = field(default_factory=list)
    on_air: Bulletin | None = None
    next: Bulletin | None = None
    as_run: list[AsRun] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    targets: list[TargetProgress] = field(default_factory=list)
    health: list[Health] = field(default_factory=list)


def bulletins_of(station: Station, day: date) -> list[Bulletin]:
    """The radio bulletins planned on `day`, each with its file when rendered."""
    with station.transaction() as session:
        slots = schedule(session, day, 1, channel="radio")
    out = []
    for slot in slots:
        path = bulletin_path(station, slot.start)
        found = path if path.is_file() else None
        current = found is not None and sidecar_matches(path, airing_items(slot))
        out.append(Bulletin(slot, found, current))
    return out


def airing_items(slot: ScheduledSlot) -> list[tuple[int, str]]:
    """What the bulletin of `slot` airs, in order: (message id, spoken text) of the entries
    planned, being sent or done (the ones `loa.app.render` renders)."""
    from loa.app.render import AIRING

    return [(i.message_id, i.script) for i in slot.items if i.status in AIRING]


def as_run_of(station: Station, day: date) -> list[AsRun]:
    """What aired or was published on `day`, in time order."""
    lo = datetime.combine(day, datetime.min.time())
    with station.transaction() as session:
        rows = session.scalars(
            select(AsRunRecord)
            .where(AsRunRecord.started_at >= lo, AsRunRecord.started_at < lo + timedelta(days=1))
            .order_by(AsRunRecord.started_at, AsRunRecord.id)
        )
        return [
            AsRun(
                r.started_at,
                r.channel,
                r.status,
                r.title,
                r.bulletin,
                r.note,
                str(r.kind or ""),
                float(r.duration_s or 0.0),
            )
            for r in rows
        ]


def day_totals(station: Station, day: date) -> Totals:
    """The radio figures of `day` as the report counts them: synthetic voice, the commune's
    recordings and live broadcasts apart."""
    from loa.report.figures import day_totals as totals

    return totals(station, day)


def credential_alerts(station: Station) -> list[Alert]:
    """Each configured channel's credential warnings (a token missing, lapsed or about to
    lapse), from what the station holds: no remote call."""
    from loa.channels.publish import configured_channels
    from loa.channels.runtime import Runtime
    from loa.core.errors import LoaError
    from loa.core.registry import channel_label

    out: list[Alert] = []
    runtime = Runtime()
    try:
        for name in configured_channels(station):
            try:
                texts = runtime.channel(station, name).credential_alerts()
            except LoaError as exc:  # the channel cannot even be set up: say why
                texts = [str(exc)]
            out.extend(
                Alert(
                    "credentials",
                    T("credentials", channel=channel_label(name), text=t),
                    "",
                    channel=name,
                )
                for t in texts
            )
    finally:
        runtime.close()
    return out


def day_view(station: Station, *, now: datetime) -> DayView:
    """Today at `now`: the bulletin on air (started within its duration) and the next one,
    the as-run log, and the alerts (failed or uncertain publications, a bulletin not rendered,
    a channel's token missing or about to lapse, a validity window ending within a week)."""
    from loa.channels.models import PublicationStatus
    from loa.core.registry import channel_label

    view = DayView(day=now.date())
    view.bulletins = bulletins_of(station, view.day)
    for bulletin in view.bulletins:
        end = bulletin.start + timedelta(seconds=max(bulletin.slot.duration_s, 60))
        if bulletin.start <= now < end:
            view.on_air = bulletin
        elif bulletin.start > now and view.next is None:
            view.next = bulletin
        if not bulletin.current and bulletin.start > now:
            kind = "stale" if bulletin.stale else "not_rendered"
            view.alerts.append(
                Alert(kind, T(kind, time=f"{bulletin.start:%H:%M}"), f"/radio?day={view.day}")
            )
    credentials = credential_alerts(station)
    view.alerts.extend(credentials)
    view.as_run = as_run_of(station, view.day)
    view.targets = target_progress(station, today=view.day)
    failing: dict[str, int] = {}
    for row in outbox(station, now=now):
        if row.status in (PublicationStatus.FAILED, PublicationStatus.UNCERTAIN):
            failing[row.channel] = failing.get(row.channel, 0) + 1
            view.alerts.append(
                Alert(
                    "failed",
                    T(
                        "failed",
                        channel=channel_label(row.channel),
                        title=row.title,
                        status=PublicationStatus(row.status).label,
                        error=f": {row.error}" if row.error else "",
                    ),
                    "/outbox",
                )
            )
    with station.transaction() as session:
        ending = session.scalars(
            select(Message)
            .where(
                Message.status == MessageStatus.APPROVED,
                Message.valid_until >= view.day,
                Message.valid_until <= view.day + ENDING_WITHIN,
            )
            .order_by(Message.valid_until, Message.id)
        )
        for message in ending:
            assert message.valid_until is not None
            view.alerts.append(
                Alert(
                    "ending",
                    T("ending", title=message.title, day=f"{message.valid_until:%d/%m/%Y}"),
                    f"/messages/{message.id}",
                )
            )
    view.health = health_of(station, failing=failing, credentials=credentials)
    return view


def health_of(
    station: Station, *, failing: dict[str, int], credentials: list[Alert]
) -> list[Health]:
    """Whether the station works now, part by part: the daemon (`loa run`: without it nothing
    airs or posts on time), the stream (from the daemon's own record, no call to the server)
    and each configured channel (its failed or doubtful posts, a credential about to lapse,
    its last as-run record)."""
    from loa.app.stream import daemon_listening, stream_status
    from loa.channels.publish import configured_channels
    from loa.channels.stream import stream_settings
    from loa.core.registry import channel_label

    out: list[Health] = []
    alive = daemon_listening(station)
    out.append(
        Health(
            T("h_daemon"), "ok" if alive else "bad", T("h_daemon_ok" if alive else "h_daemon_down")
        )
    )
    if not stream_settings(station).enabled:
        out.append(Health(T("h_stream"), "off", T("h_stream_off")))
    else:
        status = stream_status(station, live=False)
        up = [m for m in status.mounts if m.connected]
        if status.running and len(up) == len(status.mounts):
            out.append(Health(T("h_stream"), "ok", T("h_stream_ok", n=len(up))))
        else:
            problem = next((m.last_error for m in status.mounts if m.last_error), "") or ""
            text = T("h_stream_down", up=len(up), n=len(status.mounts), problem=problem)
            out.append(Health(T("h_stream"), "bad", text.rstrip(": ")))
    channels = list(configured_channels(station))
    channels += sorted(c for c in failing if c not in channels)  # posts left failing
    last: dict[str, tuple[str, datetime]] = {}
    with station.transaction() as session:
        for name in channels:
            found = session.execute(
                select(AsRunRecord.status, AsRunRecord.started_at)
                .where(AsRunRecord.channel == name)
                .order_by(AsRunRecord.started_at.desc(), AsRunRecord.id.desc())
                .limit(1)
            ).first()
            if found is not None:
                last[name] = (str(found[0]), found[1])
    warned = {a.channel for a in credentials}
    for name in channels:
        status_at = last.get(name)
        since = T("h_last", at=f"{status_at[1]:%H:%M %d/%m}") if status_at else T("h_never")
        if failing.get(name):
            out.append(
                Health(channel_label(name), "bad", T("h_failing", n=failing[name]), "/outbox")
            )
        elif status_at and status_at[0] == "failed":
            out.append(Health(channel_label(name), "bad", T("h_last_failed", since=since)))
        elif name in warned:
            out.append(Health(channel_label(name), "warn", T("h_credentials", since=since)))
        else:
            out.append(Health(channel_label(name), "ok", since))
    return out


def plan_grid(station: Station, start: date, days: int) -> list[ScheduledSlot]:
    """The plan from `start` for `days` days grouped by slot instance, like
    `loa.planning.views.schedule` but reading only the columns a calendar shows (no message
    bodies or relationships), so the week page stays fast on a full station."""
    from loa.core.registry import channel_label
    from loa.planning.models import PlanEntry, Slot
    from loa.planning.views import ScheduledItem

    lo = datetime.combine(start, datetime.min.time())
    query = (
        select(
            PlanEntry.id,
            PlanEntry.message_id,
            PlanEntry.position,
            PlanEntry.channel,
            PlanEntry.slot_id,
            PlanEntry.scheduled_at,
            PlanEntry.duration_s,
            PlanEntry.status,
            PlanEntry.reason,
            PlanEntry.pinned,
            Message.title,
            Message.topic_code,
            Message.source_document,
        )
        .join(Message, Message.id == PlanEntry.message_id)
        .where(PlanEntry.scheduled_at >= lo, PlanEntry.scheduled_at < lo + timedelta(days=days))
        .order_by(PlanEntry.scheduled_at, PlanEntry.channel, PlanEntry.position, PlanEntry.id)
    )
    out: dict[tuple[datetime, str, int | None], ScheduledSlot] = {}
    with station.transaction() as session:
        names: dict[int, str] = {
            slot_id: name for slot_id, name in session.execute(select(Slot.id, Slot.name))
        }
        for row in session.execute(query):
            key = (row.scheduled_at, row.channel, row.slot_id)
            group = out.get(key)
            if group is None:
                name = names.get(row.slot_id, "") if row.slot_id else channel_label("urgent")
                group = out[key] = ScheduledSlot(row.channel, row.slot_id, name, row.scheduled_at)
            group.items.append(
                ScheduledItem(
                    row.id,
                    row.message_id,
                    row.position,
                    row.title,
                    row.topic_code,
                    row.duration_s,
                    row.status,
                    row.source_document,
                    "",
                    row.reason,
                    bool(row.pinned),
                )
            )
    return list(out.values())
