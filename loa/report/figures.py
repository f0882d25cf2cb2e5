"""Every figure of a report, computed from the as-run log (what really went out) and, for what
did not go out, from the plan and the publication outbox."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.models import (
    DONE_STATUSES,
    LIVE,
    RECORDED,
    AsRunRecord,
    AsRunStatus,
    Publication,
    PublicationStatus,
)
from loa.content.models import Audience, Message, Topic
from loa.core.dates import format_date as fmt_date
from loa.core.errors import UserError
from loa.core.i18n import Catalog, language
from loa.core.registry import channel_names
from loa.core.settings import StationSettings
from loa.planning.models import PlanEntry, PlanStatus
from loa.report import periods
from loa.report.periods import Period
from loa.report.settings import ReportSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "no_topic": ("(chưa rõ chủ đề)", "(no topic)"),
        "no_audience": ("(chưa xác định đối tượng)", "(no audience)"),
        "st_missing": ("không có ghi nhận phát/đăng", "no as-run record"),
        "missing_reason": (
            "Đã quá giờ lên lịch nhưng không có ghi nhận đã phát/đã đăng",
            "Past its planned time with no record of airing or publishing",
        ),
    }
)

RADIO = "radio"
#: Report-only status of a plan entry past its time that nothing records as aired or posted.
MISSING = "missing"
#: Why something planned did not go out: as-run, publication or plan-entry status, or MISSING.
UNDELIVERED_STATUSES = (
    PublicationStatus.SKIPPED,
    PublicationStatus.FAILED,
    PublicationStatus.UNCERTAIN,
    MISSING,
)
# A planned entry this recent may still be airing or posting: not yet called missing.
DEFAULT_MISSING_GRACE = timedelta(minutes=30)


def undelivered_label(status: str) -> str:
    """One of UNDELIVERED_STATUSES for people. Skipped and failed read the same whether an
    as-run record, a publication or a plan entry says so, so the publication's label serves."""
    return T("st_missing") if status == MISSING else PublicationStatus(status).label


@dataclass
class AsRunRow:
    """One as-run record, copied out of the database so a report is plain data."""

    id: int
    channel: str
    status: str
    started_at: datetime
    duration_s: float
    bulletin: str | None
    message_id: int | None
    plan_entry_id: int | None
    title: str
    topic_code: str | None
    audiences: list[str]
    remote_id: str | None = None
    note: str | None = None
    opens_bulletin: bool = False  # the first done item of its bulletin inside the period
    kind: str = ""  # the published item's kind; "broadcast" re-announces a post already counted
    #: What sound a radio row aired: "speech" (synthetic, also "" on older rows), "recorded"
    #: (the commune's own recording) or "live" (a live broadcast: airtime, not a message).
    sound: str = ""

    @property
    def bulletin_key(self) -> str:
        """The bulletin this radio item aired in ("YYYY-MM-DD HH:MM"); its start minute if unset."""
        return self.bulletin or self.started_at.strftime("%Y-%m-%d %H:%M")


@dataclass
class Totals:
    """The headline figures of a stretch of time: bulletins, items, airtime, posts per channel."""

    bulletins: int = 0
    radio_items: int = 0
    airtime_s: float = 0.0
    posts: dict[str, int] = field(default_factory=dict)  # non-radio channel -> posts
    broadcasts: dict[str, int] = field(default_factory=dict)  # channel -> posts sent to followers
    messages: int = 0  # distinct messages that went out on any channel
    #: Of `airtime_s`: the commune's own recordings, and live broadcasts (with their count);
    #: the rest is the synthetic voice (`speech_s`).
    recorded_s: float = 0.0
    live_s: float = 0.0
    lives: int = 0
    #: Of `radio_items`: those that aired the commune's own recording.
    recorded_items: int = 0

    @property
    def speech_s(self) -> float:
        return max(self.airtime_s - self.recorded_s - self.live_s, 0.0)

    @property
    def speech_min(self) -> float:
        return round(self.speech_s / 60.0, 1)

    @property
    def recorded_min(self) -> float:
        return round(self.recorded_s / 60.0, 1)

    @property
    def live_min(self) -> float:
        return round(self.live_s / 60.0, 1)

    @property
    def post_total(self) -> int:
        return sum(self.posts.values())

    @property
    def items(self) -> int:
        """Everything that went out: radio items aired plus posts on every other channel."""
        return self.radio_items + self.post_total

    @property
    def airtime_min(self) -> float:
        return round(self.airtime_s / 60.0, 1)

    def channel_items(self, channel: str) -> int:
        return self.radio_items if channel == RADIO else self.posts.get(channel, 0)


@dataclass
class MonthRow:
    year: int
    month: int
    totals: Totals

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


@dataclass
class BreakdownRow:
    """Items per channel for one topic or one audience group."""

    code: str | None
    name: str
    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass
class Undelivered:
    """Something planned for the period that did not air or was not published, and why."""

    channel: str
    when: datetime | None
    message_id: int | None
    title: str
    status: str  # one of UNDELIVERED_STATUSES
    reason: str
    plan_entry_id: int | None = None

    @property
    def status_text(self) -> str:
        """The status for a table cell: its label, with a capital letter."""
        text = undelivered_label(self.status)
        return text[:1].upper() + text[1:]


@dataclass
class Report:
    """All figures of one report; `loa.report.write_report` turns it into files."""

    station_name: str
    province: str
    district: str
    period: Period
    previous_period: Period
    generated_at: datetime
    data_until: datetime
    channels: list[str]
    totals: Totals
    previous: Totals
    months: list[MonthRow]
    topics: list[BreakdownRow]
    audiences: list[BreakdownRow]
    undelivered: list[Undelivered]
    rows: list[AsRunRow]
    settings: ReportSettings = field(default_factory=ReportSettings)

    @property
    def empty(self) -> bool:
        """True when nothing aired or was published in the period."""
        return self.totals.items == 0

    @property
    def undelivered_counts(self) -> dict[str, int]:
        counts = Counter(u.status for u in self.undelivered)
        return {s: counts[s] for s in UNDELIVERED_STATUSES if counts[s]}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of every figure (what `loa report --json` prints)."""

        def totals(t: Totals) -> dict[str, Any]:
            return {
                "bulletins": t.bulletins,
                "radio_items": t.radio_items,
                "airtime_s": round(t.airtime_s, 1),
                "airtime_speech_s": round(t.speech_s, 1),
                "airtime_recorded_s": round(t.recorded_s, 1),
                "airtime_live_s": round(t.live_s, 1),
                "live_broadcasts": t.lives,
                "radio_items_recorded": t.recorded_items,
                "posts": dict(t.posts),
                "items": t.items,
                "messages": t.messages,
            }

        return {
            "station": self.station_name,
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "kind": self.period.kind,
                "label": self.period.label,
            },
            "previous_period": {
                "start": self.previous_period.start.isoformat(),
                "end": self.previous_period.end.isoformat(),
            },
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "data_until": self.data_until.isoformat(timespec="seconds"),
            "channels": list(self.channels),
            "totals": totals(self.totals),
            "previous": totals(self.previous),
            "months": [
                {"month": f"{m.year}-{m.month:02d}", **totals(m.totals)} for m in self.months
            ],
            "topics": [
                {"code": r.code, "name": r.name, "by_channel": r.by_channel, "total": r.total}
                for r in self.topics
            ],
            "audiences": [
                {"code": r.code, "name": r.name, "by_channel": r.by_channel, "total": r.total}
                for r in self.audiences
            ],
            "undelivered_counts": self.undelivered_counts,
            "undelivered": [
                {**asdict(u), "when": u.when.isoformat(timespec="minutes") if u.when else None}
                for u in self.undelivered
            ],
        }


def compute_totals(rows: Iterable[AsRunRow], *, bulletins: str = "distinct") -> Totals:
    """Totals of the done rows among `rows`.

    `bulletins="distinct"` counts distinct bulletin keys with at least one done item;
    `bulletins="opened"` counts rows flagged `opens_bulletin` (so months add up to the period).
    """
    out = Totals()
    keys: set[str] = set()
    messages: set[object] = set()
    posts: Counter[str] = Counter()
    broadcasts: Counter[str] = Counter()
    for row in rows:
        if row.status != AsRunStatus.DONE:
            continue
        if row.kind == "broadcast":  # the same message again, to followers: not another post
            broadcasts[row.channel] += 1
            continue
        if row.channel == RADIO and row.sound == LIVE:  # airtime, but no message or bulletin
            out.airtime_s += float(row.duration_s or 0.0)
            out.live_s += float(row.duration_s or 0.0)
            out.lives += 1
            continue
        messages.add(row.message_id if row.message_id is not None else ("title", row.title))
        if row.channel == RADIO:
            out.radio_items += 1
            out.airtime_s += float(row.duration_s or 0.0)
            if row.sound == RECORDED:
                out.recorded_s += float(row.duration_s or 0.0)
                out.recorded_items += 1
            if bulletins == "distinct":
                keys.add(row.bulletin_key)
            elif row.opens_bulletin:
                out.bulletins += 1
        else:
            posts[row.channel] += 1
    if bulletins == "distinct":
        out.bulletins = len(keys)
    out.posts = dict(sorted(posts.items()))
    out.broadcasts = dict(sorted(broadcasts.items()))
    out.messages = len(messages)
    return out


def day_totals(station: Station, day: date) -> Totals:
    """The radio figures of one day as the report counts them (the radio page's line)."""
    with station.transaction() as session:
        rows = load_rows(session, Period(day, day))
    return compute_totals(rows)


def mark_bulletin_openers(rows: Sequence[AsRunRow]) -> None:
    """Flag the earliest done item of each bulletin (rows must be sorted by started_at)."""
    seen: set[str] = set()
    for row in rows:
        row.opens_bulletin = False
        if row.sound == LIVE:
            continue
        if row.channel == RADIO and row.status == AsRunStatus.DONE and row.bulletin_key not in seen:
            seen.add(row.bulletin_key)
            row.opens_bulletin = True


def monthly(period: Period, rows: Sequence[AsRunRow]) -> list[MonthRow]:
    """One row per calendar month the period touches; their figures add up to the period's."""
    by_month: dict[tuple[int, int], list[AsRunRow]] = defaultdict(list)
    for row in rows:
        by_month[(row.started_at.year, row.started_at.month)].append(row)
    return [
        MonthRow(y, m, compute_totals(by_month.get((y, m), []), bulletins="opened"))
        for (y, m) in period.months()
    ]


def breakdown(
    rows: Iterable[AsRunRow],
    keys_of: Any,
    names: dict[str, str],
    order: Sequence[str],
    unknown_name: str,
) -> list[BreakdownRow]:
    """Done items per key (a topic, or each audience of a row), per channel; keys in `order`
    first, then unknown codes, then rows without a key. Only keys with items are listed."""
    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.status != AsRunStatus.DONE or row.sound == LIVE:
            continue
        keys = keys_of(row) or [None]
        for key in keys:
            counts[key][row.channel] += 1
    ranked: list[str | None] = [k for k in order if k in counts]
    ranked += sorted(k for k in counts if k is not None and k not in order)
    if None in counts:
        ranked.append(None)
    return [
        BreakdownRow(
            k, names.get(k, k) if k is not None else unknown_name, dict(sorted(counts[k].items()))
        )
        for k in ranked
    ]


def build_report(
    station: Station,
    start: date,
    end: date,
    *,
    now: datetime,
    period: Period | None = None,
) -> Report:
    """Compute every figure for the days [start, end] (inclusive) from the station's database.

    `now` is the station's wall-clock time: planned entries before it (less a short grace) with
    no as-run record count as missing, and the period's data run up to it. `period` may carry the
    kind (quarter, half, ...) for labels; by default it is a plain date range.
    Raises UserError when the range is empty.
    """

    if start > end:
        raise UserError(periods.T("empty", start=fmt_date(start), end=fmt_date(end)))
    period = period or Period(start, end)
    settings = station.settings(ReportSettings)
    grace = timedelta(minutes=settings.missing_after_minutes)
    previous_period = period.previous()
    with station.transaction() as session:
        rows = load_rows(session, period, until=now)
        prev_rows = load_rows(session, previous_period, until=now)
        topic_names, topic_order, aud_names, aud_order = _taxonomy(session)
        undelivered = find_undelivered(session, period, now=now, grace=grace)

    mark_bulletin_openers(rows)
    totals = compute_totals(rows)

    channels = list(channel_names())
    channels += sorted({r.channel for r in rows + prev_rows} - set(channels))
    hi = period.bounds()[1]
    place = station.settings(StationSettings)
    return Report(
        station_name=station.name,
        province=place.province,
        district=place.district,
        period=period,
        previous_period=previous_period,
        generated_at=now,
        data_until=min(now, hi),
        channels=channels,
        totals=totals,
        previous=compute_totals(prev_rows),
        months=monthly(period, rows),
        topics=breakdown(
            rows,
            lambda r: [r.topic_code] if r.topic_code else [],
            topic_names,
            topic_order,
            T("no_topic"),
        ),
        audiences=breakdown(
            rows,
            lambda r: list(dict.fromkeys(r.audiences or [])),
            aud_names,
            aud_order,
            T("no_audience"),
        ),
        undelivered=undelivered,
        rows=rows,
        settings=settings,
    )


def _duration_until(started: datetime, duration_s: float, until: datetime | None) -> float:
    """`duration_s` cut at `until` (a bulletin still airing counts what has aired so far)."""
    if until is None:
        return duration_s
    return max(0.0, min(duration_s, (until - started).total_seconds()))


def load_rows(session: Any, period: Period, until: datetime | None = None) -> list[AsRunRow]:
    """Every as-run record that started inside the period, oldest first.

    With `until` (the report's "as of" time), what had not started by then is left out and what
    was still airing counts only up to it: no row ends after the moment the figures describe.
    """
    from sqlalchemy import select

    lo, hi = period.bounds()
    a = AsRunRecord
    # Plain columns rather than ORM objects: several times faster for a year of rows.
    stmt = (
        select(
            a.id,
            a.channel,
            a.status,
            a.started_at,
            a.duration_s,
            a.bulletin,
            a.message_id,
            a.plan_entry_id,
            a.title,
            a.topic_code,
            a.audiences,
            a.remote_id,
            a.note,
            a.extra,
            a.kind,
        )
        .where(a.started_at >= lo, a.started_at < hi)
        .order_by(a.started_at, a.id)
    )
    if until is not None:
        stmt = stmt.where(a.started_at <= until)
    return [
        AsRunRow(
            id=r.id,
            channel=r.channel,
            status=r.status,
            started_at=r.started_at,
            duration_s=_duration_until(r.started_at, float(r.duration_s or 0.0), until),
            bulletin=r.bulletin,
            message_id=r.message_id,
            plan_entry_id=r.plan_entry_id,
            title=r.title or "",
            topic_code=r.topic_code,
            audiences=list(r.audiences or []),
            remote_id=r.remote_id,
            note=r.note,
            kind=str((r.extra or {}).get("kind") or ""),
            sound=str(r.kind or ""),
        )
        for r in session.execute(stmt)
    ]


def _taxonomy(session: Any) -> tuple[dict[str, str], list[str], dict[str, str], list[str]]:
    from sqlalchemy import select

    en = language() == "en"
    topics = list(session.scalars(select(Topic).order_by(Topic.position, Topic.code)))
    auds = list(session.scalars(select(Audience).order_by(Audience.position, Audience.code)))
    return (
        {t.code: (t.name_en or t.name) if en else t.name for t in topics},
        [t.code for t in topics],
        {a.code: (a.name_en or a.name) if en else a.name for a in auds},
        [a.code for a in auds],
    )


def find_undelivered(
    session: Any, period: Period, *, now: datetime, grace: timedelta = DEFAULT_MISSING_GRACE
) -> list[Undelivered]:
    """What was meant to go out in the period but did not, one row per plan entry (or per
    publication / as-run record without one), from four sources in this order of precedence:
    as-run records marked skipped/failed, publications failed/uncertain, plan entries
    skipped/failed, and plan entries due before `now - grace` that nothing records as done."""
    from sqlalchemy import func, select

    lo, hi = period.bounds()
    found: dict[tuple[str, int], Undelivered] = {}

    def add(key: tuple[str, int], item: Undelivered) -> None:
        have = found.get(key)
        if have is None:
            found[key] = item
        elif not have.reason and item.reason:
            have.reason = item.reason

    for r in session.scalars(
        select(AsRunRecord)
        .where(
            AsRunRecord.started_at >= lo,
            AsRunRecord.started_at < hi,
            AsRunRecord.status.in_((AsRunStatus.SKIPPED, AsRunStatus.FAILED)),
        )
        .order_by(AsRunRecord.started_at, AsRunRecord.id)
    ):
        key = ("plan", r.plan_entry_id) if r.plan_entry_id else ("asrun", r.id)
        add(
            key,
            Undelivered(
                r.channel,
                r.started_at,
                r.message_id,
                r.title or "",
                r.status,
                (r.note or "").strip(),
                r.plan_entry_id,
            ),
        )

    when = func.coalesce(Publication.due_at, Publication.created_at)
    for pub, title in session.execute(
        select(Publication, Message.title)
        .outerjoin(Message, Message.id == Publication.message_id)
        .where(
            when >= lo,
            when < hi,
            Publication.status.in_(
                (PublicationStatus.FAILED, PublicationStatus.UNCERTAIN, PublicationStatus.SKIPPED)
            ),
        )
        .order_by(when, Publication.id)
    ):
        key = ("plan", pub.plan_entry_id) if pub.plan_entry_id else ("pub", pub.id)
        add(
            key,
            Undelivered(
                pub.channel,
                pub.due_at or pub.created_at,
                pub.message_id,
                title or "",
                pub.status,
                (pub.error or "").strip(),
                pub.plan_entry_id,
            ),
        )

    entries = list(
        session.execute(
            select(PlanEntry, Message.title)
            .join(Message, Message.id == PlanEntry.message_id)
            .where(
                PlanEntry.scheduled_at >= lo,
                PlanEntry.scheduled_at < hi,
                PlanEntry.status.in_((PlanStatus.PLANNED, PlanStatus.SKIPPED, PlanStatus.FAILED)),
            )
            .order_by(PlanEntry.scheduled_at, PlanEntry.position, PlanEntry.id)
        )
    )
    for entry, title in entries:
        if entry.status in (PlanStatus.SKIPPED, PlanStatus.FAILED):
            add(
                ("plan", entry.id),
                Undelivered(
                    entry.channel,
                    entry.scheduled_at,
                    entry.message_id,
                    title,
                    entry.status,
                    (entry.reason or "").strip(),
                    entry.id,
                ),
            )

    due = [
        (e, t)
        for e, t in entries
        if e.status == PlanStatus.PLANNED
        and e.scheduled_at < now - grace
        and ("plan", e.id) not in found
    ]
    if due:
        delivered_ids, delivered_days = _delivered(session, lo, hi)
        for entry, title in due:
            same_day = (entry.message_id, entry.channel, entry.scheduled_at.date())
            if entry.id in delivered_ids or same_day in delivered_days:
                continue
            add(
                ("plan", entry.id),
                Undelivered(
                    entry.channel,
                    entry.scheduled_at,
                    entry.message_id,
                    title,
                    MISSING,
                    (entry.reason or "").strip() or T("missing_reason"),
                    entry.id,
                ),
            )
    return sorted(found.values(), key=lambda u: (u.when or datetime.min, u.channel, u.title))


def _delivered(
    session: Any, lo: datetime, hi: datetime
) -> tuple[set[int], set[tuple[int | None, str, date]]]:
    """Plan entries something records as delivered, and (message, channel, day) of done as-run
    records that name no plan entry (matched to plan entries of the same message that day)."""
    from sqlalchemy import select

    ids: set[int] = set()
    days: set[tuple[int | None, str, date]] = set()
    # A bulletin may air a little after midnight of the period's last day.
    for plan_id, msg_id, channel, started in session.execute(
        select(
            AsRunRecord.plan_entry_id,
            AsRunRecord.message_id,
            AsRunRecord.channel,
            AsRunRecord.started_at,
        ).where(
            AsRunRecord.status == AsRunStatus.DONE,
            AsRunRecord.started_at >= lo,
            AsRunRecord.started_at < hi + timedelta(days=1),
        )
    ):
        if plan_id is not None:
            ids.add(plan_id)
        else:
            days.add((msg_id, channel, started.date()))
    ids.update(
        pid
        for pid in session.scalars(
            select(Publication.plan_entry_id).where(
                Publication.plan_entry_id.is_not(None),
                Publication.status.in_(DONE_STATUSES),
            )
        )
        if pid is not None
    )
    return ids, days
