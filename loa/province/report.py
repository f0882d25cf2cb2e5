"""`loa province report --format docx|xlsx`: the province's report file, its own figures (what it
sent down, coverage, airtime) beside each commune's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from loa.core.fileio import atomic_write_bytes
from loa.province.deliveries import Delivery, _as_run, list_messages, province_figures
from loa.province.messages import deliveries_table
from loa.province.registry import Province
from loa.province.status import province_report
from loa.report.province import CommuneRow, MessageRow, ProvinceSheet

FORMATS = ("docx", "xlsx")


def province_sheet(
    province: Province, start: date, end: date, *, now: datetime | None = None
) -> ProvinceSheet:
    """The figures of the province report for [start, end] (each commune at its own clock
    unless `now` is given). Raises UserError for an empty range."""
    communes = province_report(province, start, end, now=now)
    own = province_figures(province, start, end)
    messages = list_messages(province, start=start, end=end)
    aired = _province_airings(province, start, end)
    return ProvinceSheet(
        name=province.name,
        start=start,
        end=end,
        generated_at=now or province.now(),
        own=own.to_dict(),
        messages=[
            MessageRow(
                m.id, m.title, m.priority, m.created_at, len(m.deliveries), m.aired_in, m.posted_in
            )
            for m in messages
        ],
        communes=[
            CommuneRow(
                c.ident,
                c.name,
                c.bulletins,
                c.radio_items,
                c.airtime_min,
                dict(c.posts),
                aired.get(c.ident, 0),
            )
            for c in communes.communes
        ],
        problems=[f"{name} ({ident})" for ident, name, _ in communes.problems],
    )


def _province_airings(province: Province, start: date, end: date) -> dict[str, int]:
    """Per commune: airings in [start, end] of its copies of province messages."""
    after = datetime.combine(end + timedelta(days=1), datetime.min.time())
    out: dict[str, int] = {}
    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            for d in conn.execute(
                select(deliveries_table).where(deliveries_table.c.delivered_at < after)
            ):
                delivery = Delivery(d.ident, d.station_message_id, d.delivered_at)
                _as_run(conn, delivery, start, end)
                out[d.ident] = out.get(d.ident, 0) + len(delivery.aired)
    finally:
        engine.dispose()
    return out


def write_province_report(sheet: ProvinceSheet, fmt: str, out_dir: Path) -> Path:
    """Write the report as `fmt` ("docx" or "xlsx") into `out_dir`; returns the file."""
    from loa.report.province import render_province_docx, render_province_xlsx

    data = render_province_docx(sheet) if fmt == "docx" else render_province_xlsx(sheet)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bao-cao-tinh-{sheet.start:%Y%m%d}-{sheet.end:%Y%m%d}.{fmt}"
    atomic_write_bytes(path, data)
    return path
