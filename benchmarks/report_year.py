"""How long a year's report takes on a busy station's as-run log.

A year of four radio bulletins a day with five items each, a Facebook post a day and a website
post every other day (about 8,200 as-run rows, plus plan entries). The baseline, measured in the
same run on the same database, is the least any report must pay: one SQL aggregate (count and
sum) over the year's as-run rows. Figures: build_report (all figures), write_report (charts,
.docx, .xlsx), and their ratio to the baseline.

Run: /work/venv/bin/python benchmarks/report_year.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path


def fill(station, year: int) -> int:  # type: ignore[no-untyped-def]
    from loa.channels.models import AsRunRecord
    from loa.content.models import Audience, Message
    from loa.content.taxonomy import BUILTIN_TOPICS
    from loa.planning.models import PlanEntry

    n = 0
    with station.transaction() as s:
        auds = list(s.query(Audience))
        msgs = []
        for i, (code, _, _) in enumerate(BUILTIN_TOPICS * 3):
            m = Message(
                title=f"Tin {i + 1}",
                body="...",
                topic_code=code,
                status="approved",
                audiences=[auds[i % len(auds)], auds[(i + 2) % len(auds)]],
            )
            s.add(m)
            msgs.append(m)
        s.flush()
        day = date(year, 1, 1)
        k = 0
        while day.year == year:
            for hh in (6, 11, 17, 20):
                at = datetime.combine(day, dtime(hh, 0))
                key = at.strftime("%Y-%m-%d %H:%M")
                for pos in range(5):
                    m = msgs[k % len(msgs)]
                    k += 1
                    e = PlanEntry(
                        message_id=m.id,
                        channel="radio",
                        scheduled_at=at,
                        position=pos,
                        status="done",
                    )
                    s.add(e)
                    s.flush()
                    s.add(
                        AsRunRecord(
                            channel="radio",
                            started_at=at + timedelta(seconds=60 * pos),
                            duration_s=55.0,
                            bulletin=key,
                            message_id=m.id,
                            plan_entry_id=e.id,
                            title=m.title,
                            topic_code=m.topic_code,
                            audiences=m.audience_codes,
                        )
                    )
                    n += 1
            for channel, every in (("facebook", 1), ("website", 2)):
                if day.toordinal() % every == 0:
                    m = msgs[k % len(msgs)]
                    s.add(
                        AsRunRecord(
                            channel=channel,
                            started_at=datetime.combine(day, dtime(9)),
                            message_id=m.id,
                            title=m.title,
                            topic_code=m.topic_code,
                            audiences=m.audience_codes,
                        )
                    )
                    n += 1
            day += timedelta(days=1)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from loa.app.setup import init_station
    from loa.channels.models import AsRunRecord
    from loa.report import build_report, write_report
    from loa.report.periods import year_period

    year = 2025
    with tempfile.TemporaryDirectory() as tmp:
        station = init_station(Path(tmp) / "s", name="Xã Cẩm Nhượng")
        t0 = time.perf_counter()
        rows = fill(station, year)
        print(f"as-run rows: {rows} (filled in {time.perf_counter() - t0:.1f} s)")
        period = year_period(year)
        lo, hi = period.bounds()
        now = datetime(year + 1, 1, 5, 8, 0)

        def baseline() -> None:
            with station.transaction() as s:
                s.execute(
                    select(func.count(), func.sum(AsRunRecord.duration_s)).where(
                        AsRunRecord.started_at >= lo, AsRunRecord.started_at < hi
                    )
                ).one()

        def build() -> object:
            return build_report(station, period.start, period.end, now=now, period=period)

        report = build()  # warm imports and caches
        write_report(report, Path(tmp) / "out")  # warm matplotlib's font cache
        timings: dict[str, list[float]] = {"baseline": [], "build": [], "write": []}
        for _ in range(args.runs):
            t = time.perf_counter()
            baseline()
            timings["baseline"].append(time.perf_counter() - t)
            t = time.perf_counter()
            report = build()
            timings["build"].append(time.perf_counter() - t)
            t = time.perf_counter()
            write_report(report, Path(tmp) / "out")  # type: ignore[arg-type]
            timings["write"].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in timings.items()}
        print(f"baseline SQL aggregate: {med['baseline'] * 1000:8.1f} ms")
        print(
            f"build_report (figures): {med['build'] * 1000:8.1f} ms  "
            f"({rows / med['build']:,.0f} rows/s, {med['build'] / med['baseline']:.0f}x baseline)"
        )
        print(
            f"write_report (files):   {med['write'] * 1000:8.1f} ms  "
            f"({med['write'] / med['baseline']:.0f}x baseline)"
        )
        total = med["build"] + med["write"]
        print(
            f"year report total:      {total:8.2f} s   ratio to baseline {total / med['baseline']:.0f}x"
        )


if __name__ == "__main__":
    main()
