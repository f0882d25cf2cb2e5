"""Periodic reports built on the as-run log: figures, a .docx report, an .xlsx workbook, charts.

report = build_report(station, date(2026, 10, 1), date(2026, 12, 31), now=station.now())
files = write_report(report, station.media_dir / "reports")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.report.figures import Report, build_report
from loa.report.periods import Period, parse_period
from loa.report.settings import ReportSettings

if TYPE_CHECKING:
    from loa.core.station import Station

__all__ = [
    "Period",
    "Report",
    "ReportFiles",
    "build_report",
    "default_out_dir",
    "parse_period",
    "report_for_period",
    "write_report",
]


@dataclass(frozen=True)
class ReportFiles:
    """Where a report's files were written."""

    docx: Path
    xlsx: Path
    charts: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return (self.docx, self.xlsx, *self.charts)


def report_for_period(station: Station, period: Period, *, now: Any) -> Report:
    """`build_report` for a parsed period (keeps its kind, so labels read "quý IV năm 2026")."""
    return build_report(station, period.start, period.end, now=now, period=period)


def default_out_dir(station: Station) -> Path:
    """[report] out in loa.toml (relative to the station), else media/reports/."""
    out = station.settings(ReportSettings).out
    return Path(station.root / out if out else station.media_dir / "reports")


def write_report(report: Report, out_dir: Path) -> ReportFiles:
    """Write the charts (PNG), the .docx (charts embedded) and the .xlsx into `out_dir`.

    Every file is written atomically (a crash leaves the previous version or nothing, never half a
    file); an existing report for the same period is replaced. Raises UserError if `out_dir` is a
    file, RuntimeFailure if the folder cannot be written.
    """
    from loa.core.errors import RuntimeFailure, UserError
    from loa.core.fileio import atomic_write_bytes, os_error_reason
    from loa.core.i18n import Catalog
    from loa.report.charts import monthly_chart, topic_chart
    from loa.report.docx import render_docx
    from loa.report.xlsx import render_xlsx

    T = Catalog(
        {
            "cannot_write": (
                "Không ghi được báo cáo: {reason}. Chọn thư mục khác bằng --out.",
                "Could not write the report: {reason}. Choose another folder with --out.",
            ),
            "out_is_file": (
                "--out là thư mục chứa các tệp báo cáo (.docx, .xlsx, biểu đồ), nhưng {path} là "
                "một tệp. Chọn một thư mục (loa tạo thư mục nếu chưa có); tệp {path} được giữ "
                "nguyên.",
                "--out is the folder for the report files (.docx, .xlsx, charts), but {path} is "
                "a file. Choose a folder (loa creates it if missing); {path} is left as it is.",
            ),
        }
    )
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(T("out_is_file", path=out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RuntimeFailure(T("cannot_write", reason=os_error_reason(error, out_dir))) from None
    stem = f"bao-cao-cchc-{report.period.slug}"
    charts = {"monthly": monthly_chart(report), "topics": topic_chart(report)}
    docx_bytes = render_docx(report, charts)
    xlsx_bytes = render_xlsx(report)
    files = ReportFiles(
        docx=out_dir / f"{stem}.docx",
        xlsx=out_dir / f"{stem}.xlsx",
        charts=(out_dir / f"{stem}-theo-thang.png", out_dir / f"{stem}-theo-linh-vuc.png"),
    )
    try:
        atomic_write_bytes(files.charts[0], charts["monthly"])
        atomic_write_bytes(files.charts[1], charts["topics"])
        atomic_write_bytes(files.xlsx, xlsx_bytes)
        atomic_write_bytes(files.docx, docx_bytes)
    except OSError as error:
        raise RuntimeFailure(T("cannot_write", reason=os_error_reason(error))) from None
    return files
