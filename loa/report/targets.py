"""Progress against the station's targets (chỉ tiêu), e.g. "40 tin, bài trong 9 tháng" on
Facebook: what aired or was published since the targets' start, per channel."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from loa.channels.models import AsRunRecord
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.report.settings import ReportSettings

T = Catalog(
    {
        "line": (
            "{channel}: {done}/{target} tin, bài ({percent}%) từ {start} đến {end}",
            "{channel}: {done}/{target} items ({percent}%) from {start} to {end}",
        ),
    }
)


@dataclass(frozen=True)
class TargetProgress:
    channel: str
    target: int
    done: int
    start: date
    end: date

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.target)) if self.target else 100

    def line(self) -> str:
        from loa.core.registry import channel_label

        return T(
            "line",
            channel=channel_label(self.channel),
            done=self.done,
            target=self.target,
            percent=self.percent,
            start=f"{self.start:%d/%m/%Y}",
            end=f"{self.end:%d/%m/%Y}",
        )


def target_window(settings: ReportSettings, today: date) -> tuple[date, date]:
    """The targets' first and last day: `targets_from` (or 1 January) plus `target_months`."""
    start = settings.targets_from or date(today.year, 1, 1)
    months = start.month - 1 + settings.target_months - 1
    year, month = start.year + months // 12, months % 12 + 1
    return start, date(year, month, calendar.monthrange(year, month)[1])


def target_progress(station: Station, *, today: date) -> list[TargetProgress]:
    """Each target in [report] targets with what went out so far (as-run rows marked done,
    up to and including `today`)."""
    settings = station.settings(ReportSettings)
    if not settings.targets:
        return []
    start, end = target_window(settings, today)
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(min(end, today), datetime.min.time()) + timedelta(days=1)
    with station.transaction() as session:
        counts = dict(
            session.execute(
                select(AsRunRecord.channel, func.count())
                .where(
                    AsRunRecord.status == "done",
                    AsRunRecord.started_at >= lo,
                    AsRunRecord.started_at < hi,
                )
                .group_by(AsRunRecord.channel)
            ).all()
        )
    return [
        TargetProgress(channel, target, int(counts.get(channel, 0)), start, end)
        for channel, target in settings.targets.items()
    ]
