"""A simulated week of what the channels record: plan entries, publications and as-run rows,
made directly through the models, with the figures a report must find counted independently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from loa.channels.models import AsRunRecord, Publication
from loa.content.models import Audience, Message
from loa.core.station import Station
from loa.planning.models import PlanEntry

# Wednesday 28 October to Tuesday 3 November 2026: the week straddles two months.
WEEK_START = date(2026, 10, 28)
WEEK_END = date(2026, 11, 3)
NOW = datetime(2026, 11, 23, 9, 0)

MESSAGES = (
    ("Nộp hồ sơ trực tuyến trên Cổng dịch vụ công", "online_services", ["residents", "workers"]),
    ("Bộ phận một cửa làm việc sáng thứ Bảy", "one_stop", ["residents", "businesses"]),
    ("Khảo sát mức độ hài lòng SIPAS năm 2026", "sipas", ["residents"]),
    ("Niêm yết thủ tục hành chính mới", "procedures", ["officials", "residents"]),
    ("Chữ ký số cho cán bộ, công chức", "e_government", ["officials"]),
)


@dataclass
class Expected:
    """What the report must say, counted while the records were made (not read back)."""

    bulletins: int = 0
    radio_items: int = 0
    airtime_s: float = 0.0
    posts: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    audiences: Counter[str] = field(default_factory=Counter)
    months: dict[str, Counter[str]] = field(default_factory=dict)  # "10/2026" -> channel counts
    month_bulletins: Counter[str] = field(default_factory=Counter)
    undelivered: Counter[str] = field(default_factory=Counter)  # status -> count
    messages: set[int] = field(default_factory=set)

    @property
    def items(self) -> int:
        return self.radio_items + sum(self.posts.values())


def _month(day: datetime) -> str:
    return f"{day.month:02d}/{day.year}"


def make_messages(session, n: int = len(MESSAGES)) -> list[Message]:
    """The station's first `n` approved messages (the sample station's), else new ones."""
    have = list(
        session.scalars(
            select(Message).where(Message.status == "approved").order_by(Message.id).limit(n)
        )
    )
    if len(have) == n:
        return have
    audiences = {a.code: a for a in session.query(Audience)}
    out = []
    for title, topic, auds in MESSAGES[:n]:
        msg = Message(
            title=title,
            body=title + ".",
            topic_code=topic,
            status="approved",
            audiences=[audiences[a] for a in auds],
        )
        session.add(msg)
        out.append(msg)
    session.flush()
    return out


def simulate_week(
    station: Station, start: date = WEEK_START, days: int = 7, previous: bool = True
) -> Expected:
    """Two radio bulletins a day (06:00 with 3 items, 17:30 with 2), a Facebook post a day, a
    website post every other day, with a skipped bulletin, a failed item, a failed and an
    uncertain Facebook post and a bulletin that never ran; plus a quieter week before."""
    exp = Expected()
    with station.transaction() as session:
        msgs = make_messages(session)
        k = 0

        def plan(
            msg: Message,
            channel: str,
            when: datetime,
            status: str = "done",
            reason: str | None = None,
            position: int = 0,
        ) -> PlanEntry:
            entry = PlanEntry(
                message_id=msg.id,
                channel=channel,
                scheduled_at=when,
                position=position,
                duration_s=50.0,
                status=status,
                reason=reason,
            )
            session.add(entry)
            session.flush()
            return entry

        def aired(
            msg: Message,
            channel: str,
            when: datetime,
            entry: PlanEntry | None,
            status: str = "done",
            note: str | None = None,
            duration: float = 0.0,
            bulletin: str | None = None,
            pub: Publication | None = None,
        ) -> None:
            session.add(
                AsRunRecord(
                    channel=channel,
                    status=status,
                    started_at=when,
                    ended_at=when + timedelta(seconds=duration),
                    duration_s=duration,
                    bulletin=bulletin,
                    message_id=msg.id,
                    plan_entry_id=entry.id if entry else None,
                    publication_id=pub.id if pub else None,
                    title=msg.title,
                    topic_code=msg.topic_code,
                    audiences=msg.audience_codes,
                    remote_id=f"r{msg.id}-{when:%m%d%H%M}" if channel != "radio" else None,
                    note=note,
                )
            )

        def counted(msg: Message, channel: str, when: datetime) -> None:
            exp.messages.add(msg.id)
            exp.topics[msg.topic_code] += 1
            for a in msg.audience_codes:
                exp.audiences[a] += 1
            exp.months.setdefault(_month(when), Counter())[channel] += 1

        for d in range(days):
            day = start + timedelta(days=d)
            for hhmm, n_items in (("06:00", 3), ("17:30", 2)):
                at = datetime.combine(day, time.fromisoformat(hhmm))
                key = at.strftime("%Y-%m-%d %H:%M")
                skip_bulletin = d == 2 and hhmm == "17:30"
                never_ran = d == days - 1 and hhmm == "17:30"
                any_done = False
                offset = 0.0
                for pos in range(n_items):
                    msg = msgs[k % len(msgs)]
                    k += 1
                    when = at + timedelta(seconds=offset)
                    if skip_bulletin:
                        entry = plan(msg, "radio", at, "skipped", "Mất điện", pos)
                        aired(
                            msg,
                            "radio",
                            when,
                            entry,
                            "skipped",
                            "Mất điện, bản tin bị bỏ qua",
                            bulletin=key,
                        )
                        exp.undelivered["skipped"] += 1
                        continue
                    if never_ran:
                        plan(msg, "radio", at, "planned", None, pos)
                        exp.undelivered["missing"] += 1
                        continue
                    if d == 4 and hhmm == "06:00" and pos == 1:
                        entry = plan(msg, "radio", at, "failed", "Tệp âm thanh hỏng", pos)
                        aired(
                            msg, "radio", when, entry, "failed", "Tệp âm thanh hỏng", bulletin=key
                        )
                        exp.undelivered["failed"] += 1
                        continue
                    duration = 40.0 + 7.5 * pos + d
                    entry = plan(msg, "radio", at, "done", None, pos)
                    aired(msg, "radio", when, entry, duration=duration, bulletin=key)
                    offset += duration + 1.0
                    any_done = True
                    exp.radio_items += 1
                    exp.airtime_s += duration
                    counted(msg, "radio", when)
                if any_done:
                    exp.bulletins += 1
                    exp.month_bulletins[_month(at)] += 1

            at = datetime.combine(day, time(9, 0))
            msg = msgs[d % len(msgs)]
            if d == 3:
                entry = plan(msg, "facebook", at, "failed", None)
                session.add(
                    Publication(
                        key=f"plan:{entry.id}:facebook",
                        plan_entry_id=entry.id,
                        message_id=msg.id,
                        channel="facebook",
                        status="failed",
                        due_at=at,
                        attempts=3,
                        error="Token trang Facebook đã hết hạn",
                    )
                )
                exp.undelivered["failed"] += 1
            elif d == 5:
                entry = plan(msg, "facebook", at, "planned", None)
                session.add(
                    Publication(
                        key=f"plan:{entry.id}:facebook",
                        plan_entry_id=entry.id,
                        message_id=msg.id,
                        channel="facebook",
                        status="uncertain",
                        due_at=at,
                        attempts=1,
                        error="Mất kết nối khi đang đăng",
                    )
                )
                exp.undelivered["uncertain"] += 1
            else:
                entry = plan(msg, "facebook", at, "done", None)
                pub = Publication(
                    key=f"plan:{entry.id}:facebook",
                    plan_entry_id=entry.id,
                    message_id=msg.id,
                    channel="facebook",
                    status="published",
                    due_at=at,
                    remote_id=f"fb{entry.id}",
                    attempts=1,
                )
                session.add(pub)
                session.flush()
                aired(msg, "facebook", at + timedelta(seconds=5), entry, pub=pub)
                exp.posts["facebook"] += 1
                counted(msg, "facebook", at)
            if d % 2 == 0:
                at = datetime.combine(day, time(10, 0))
                msg = msgs[(d + 2) % len(msgs)]
                # A website post made by hand: no plan entry behind it.
                aired(msg, "website", at, None)
                exp.posts["website"] += 1
                counted(msg, "website", at)

        if previous:
            # The week before: 3 bulletins of 2 items and 2 Facebook posts, all done.
            for d in range(3):
                day = start - timedelta(days=7 - d)
                at = datetime.combine(day, time(6, 0))
                for pos in range(2):
                    msg = msgs[pos]
                    aired(
                        msg,
                        "radio",
                        at + timedelta(seconds=60 * pos),
                        None,
                        duration=60.0,
                        bulletin=at.strftime("%Y-%m-%d %H:%M"),
                    )
                if d < 2:
                    aired(msgs[d], "facebook", datetime.combine(day, time(9, 0)), None)
        # A record outside both periods that must never be counted.
        aired(
            msgs[0],
            "radio",
            datetime.combine(start + timedelta(days=days + 1), time(6, 0)),
            None,
            duration=99.0,
            bulletin="outside",
        )
    return exp
