"""The calendar: Vietnamese public holidays (solar and lunar), blackout days and campaigns.

Public holidays follow Article 112 of the Labour Code 2019 (Bộ luật Lao động): Tết Dương lịch
1/1; Tết Nguyên đán 5 days (the last day of the lunar year and mùng 1-4, the usual government
choice); Giỗ Tổ Hùng Vương 10/3 lunar; Victory Day 30/4; Labour Day 1/5; National Day 2/9 with
1/9. Lunar dates come from the `lunardate` package, whose tables follow the Chinese (UTC+8)
calendar; the Vietnamese (UTC+7) calendar differs from it in rare years (Tết 2007 fell on
17/2 in Vietnam, 18/2 in China), so `LUNAR_OVERRIDES` corrects the known ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from loa.content.models import Campaign, Topic
from loa.content.queue import get_message
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.planning.models import Blackout

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.content.models import Campaign, Message

T = Catalog(
    {
        "new_year": ("Tết Dương lịch", "New Year's Day"),
        "tet_eve": ("Tết Nguyên đán (30 Tết)", "Lunar New Year's Eve"),
        "tet": ("Tết Nguyên đán (mùng {n})", "Lunar New Year (day {n})"),
        "hung_kings": (
            "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            "Hung Kings' Commemoration (10/3 lunar)",
        ),
        "victory": ("Ngày Chiến thắng 30/4", "Reunification Day 30/4"),
        "labour": ("Ngày Quốc tế Lao động 1/5", "International Labour Day 1/5"),
        "national": ("Quốc khánh 2/9", "National Day 2/9"),
        "national_eve": ("Nghỉ Quốc khánh (1/9)", "National Day holiday (1/9)"),
        "blackout_exists": (
            "Ngày {day} đã là ngày nghỉ phát{reason}. Không cần thêm lại; muốn đổi lý do thì "
            "bỏ ngày này (loa calendar unblackout) rồi thêm lại.",
            "{day} is already a blackout day{reason}. Nothing to add; to change the reason, "
            "remove it (loa calendar unblackout) and add it again.",
        ),
        "blackout_reason": (" (lý do: {reason})", " (reason: {reason})"),
        "no_blackout": ("Ngày {day} không phải ngày nghỉ phát.", "{day} is not a blackout day."),
        "bad_window": (
            'Đợt "{name}": ngày kết thúc {end} trước ngày bắt đầu {start}.',
            'Campaign "{name}": end {end} is before start {start}.',
        ),
        "bad_boost": (
            "Hệ số ưu tiên của đợt phải từ 1 đến 5; đã nhập {value}.",
            "A campaign boost must be between 1 and 5; got {value}.",
        ),
        "no_campaign": ("Không có đợt tuyên truyền số {id}.", "No campaign with id {id}."),
        "unknown_topic": (
            'Chủ đề "{value}" không có. Các chủ đề hợp lệ: {valid}.',
            'Unknown topic "{value}". Valid topics: {valid}.',
        ),
    }
)


def _lunar(year: int, month: int, day: int) -> date:
    from lunardate import LunarDate

    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar


# Lunar New Year days where Vietnam's calendar (UTC+7) differs from the Chinese tables.
LUNAR_OVERRIDES: dict[int, date] = {1985: date(1985, 1, 21), 2007: date(2007, 2, 17)}


@cache
def _holiday_keys(year: int) -> tuple[tuple[date, str, int], ...]:
    days: dict[date, tuple[str, int]] = {
        date(year, 1, 1): ("new_year", 0),
        date(year, 4, 30): ("victory", 0),
        date(year, 5, 1): ("labour", 0),
        date(year, 9, 1): ("national_eve", 0),
        date(year, 9, 2): ("national", 0),
    }
    for lunar_year in (year - 1, year, year + 1):
        try:
            first = LUNAR_OVERRIDES.get(lunar_year) or _lunar(lunar_year, 1, 1)
            hung = _lunar(lunar_year, 3, 10)
        except ValueError:  # outside the library's table
            continue
        lunar = {first - timedelta(days=1): ("tet_eve", 0), hung: ("hung_kings", 0)}
        lunar.update({first + timedelta(days=n - 1): ("tet", n) for n in range(1, 5)})
        days.update({d: v for d, v in lunar.items() if d.year == year})
    return tuple((d, key, n) for d, (key, n) in sorted(days.items()))


def public_holidays(year: int) -> dict[date, str]:
    """Vietnam's public holidays that fall in the solar `year`, day -> name (user's language)."""
    return {d: (T(key, n=n) if n else T(key)) for d, key, n in _holiday_keys(year)}


def holidays_between(start: date, end: date) -> dict[date, str]:
    """Public holidays from `start` to `end` inclusive."""
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update({d: n for d, n in public_holidays(year).items() if start <= d <= end})
    return out


def blocked_days(
    session: Session, start: date, end: date, *, holidays: bool = True
) -> dict[date, str]:
    """Days from `start` to `end` inclusive on which nothing is planned: the station's blackout
    days, plus the public holidays unless `holidays` is False ([scheduler] skip_holidays)."""
    from sqlalchemy import select

    out = holidays_between(start, end) if holidays else {}
    for blackout in session.scalars(
        select(Blackout).where(Blackout.day >= start, Blackout.day <= end)
    ):
        out[blackout.day] = blackout.reason or out.get(blackout.day, "")
    return dict(sorted(out.items()))


def add_blackout(session: Session, day: date, reason: str = "") -> None:
    """Mark a day on which nothing is planned. Raises UserError if it already is one."""
    from sqlalchemy import select

    existing = session.scalar(select(Blackout).where(Blackout.day == day))
    if existing is not None:
        reason_text = T("blackout_reason", reason=existing.reason) if existing.reason else ""
        raise UserError(T("blackout_exists", day=day.strftime("%d/%m/%Y"), reason=reason_text))
    session.add(Blackout(day=day, reason=reason))
    session.flush()


def remove_blackout(session: Session, day: date) -> None:
    from sqlalchemy import select

    existing = session.scalar(select(Blackout).where(Blackout.day == day))
    if existing is None:
        raise UserError(T("no_blackout", day=day.strftime("%d/%m/%Y")))
    session.delete(existing)


def add_campaign(
    session: Session,
    name: str,
    starts_on: date,
    ends_on: date,
    *,
    boost: float = 1.5,
    topics: Iterable[str] = (),
    messages: Iterable[int] = (),
) -> Campaign:
    """Store a campaign window; `messages` are linked to it (Message.campaign_id).

    Raises UserError for an inverted window, a boost outside 1-5, an unknown topic or message.
    """
    from sqlalchemy import select

    if ends_on < starts_on:
        raise UserError(T("bad_window", name=name, start=starts_on, end=ends_on))
    if not 1.0 <= boost <= 5.0:
        raise UserError(T("bad_boost", value=boost))
    known = list(session.scalars(select(Topic.code).order_by(Topic.position)))
    topics = list(topics)
    for code in topics:
        if code not in known:
            raise UserError(T("unknown_topic", value=code, valid=", ".join(known)))
    linked = [get_message(session, message_id) for message_id in messages]
    campaign = Campaign(name=name, starts_on=starts_on, ends_on=ends_on, boost=boost, topics=topics)
    session.add(campaign)
    session.flush()
    for message in linked:
        message.campaign_id = campaign.id
    return campaign


@dataclass(frozen=True)
class CampaignWindow:
    """What the planner needs of a campaign: its window, boost, topics and linked messages."""

    campaign_id: int
    name: str
    starts_on: date
    ends_on: date
    boost: float
    topics: frozenset[str]

    def applies(self, message_id_campaign: int | None, topic: str, day: date) -> bool:
        if not self.starts_on <= day <= self.ends_on:
            return False
        return message_id_campaign == self.campaign_id or topic in self.topics


def campaign_windows(session: Session) -> list[CampaignWindow]:
    from sqlalchemy import select

    return [
        CampaignWindow(c.id, c.name, c.starts_on, c.ends_on, float(c.boost), frozenset(c.topics))
        for c in session.scalars(select(Campaign).order_by(Campaign.id))
    ]


def boost_for(message: Message, day: date, windows: Iterable[CampaignWindow]) -> float:
    """The largest boost any campaign gives `message` on `day` (1.0 when none applies)."""
    best = 1.0
    for window in windows:
        if window.applies(message.campaign_id, message.topic_code, day):
            best = max(best, window.boost)
    return best
