"""The periodic report as the doors ask for it (`loa report`, the dashboard's Reports page):
the period named, its figures, the files written, the charts and documents, the targets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from loa.core.station import Station
from loa.report.fmt import fmt_datetime as fmt_datetime
from loa.report.fmt import fmt_int as fmt_int
from loa.report.fmt import fmt_num as fmt_num


def station_report(station: Station, *, now: datetime, **period_text: str | None) -> Any:
    """The report of the period named by `quarter_text`, `half_text`, `year_text`,
    `month_text` or `from_text`/`to_text` (as `loa.report.periods.parse_period` reads them).
    Raises UserError for a period it cannot read."""
    from loa.report import report_for_period
    from loa.report.periods import parse_period

    return report_for_period(station, parse_period(today=now.date(), **period_text), now=now)


def write_report_files(station: Station, report: Any, out: Path | None) -> Any:
    """Write the report's files (to `out`, else the station's reports folder); what was written
    (`.all`)."""
    from loa.report import default_out_dir, write_report

    return write_report(report, out or default_out_dir(station))


def targets(station: Station, *, today: date) -> list[Any]:
    """Each channel's target for the current period and how far it is (`.line()` for people)."""
    from loa.report.targets import target_progress

    return list(target_progress(station, today=today))


def report_charts(report: Any) -> dict[str, bytes]:
    """The report's charts as PNG: "monthly" and "topics"."""
    from loa.report.charts import monthly_chart, topic_chart

    return {"monthly": monthly_chart(report), "topics": topic_chart(report)}


def report_document(report: Any, fmt: str) -> bytes:
    """The report as an .xlsx workbook (`fmt` "xlsx") or else a .docx document with its charts."""
    from loa.report.docx import render_docx
    from loa.report.xlsx import render_xlsx

    if fmt == "xlsx":
        return render_xlsx(report)
    return render_docx(report, report_charts(report))


def undelivered_label(kind: str) -> str:
    """Why publications went undelivered, in the user's language."""
    from loa.report.figures import undelivered_label as label

    return label(kind)
