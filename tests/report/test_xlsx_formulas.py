"""A title that looks like a spreadsheet formula stays text in the .xlsx report (#31)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from loa.content.models import Message
from loa.core.station import Station
from loa.report import build_report
from loa.report.xlsx import render_xlsx
from tests.report.simulate import NOW, WEEK_END, WEEK_START, Expected

FORMULA = '=HYPERLINK("http://example.invalid/x","bấm")'


def test_a_formula_like_title_is_written_as_text(week: tuple[Station, Expected]) -> None:
    station, _ = week
    with station.transaction() as session:
        for message in session.scalars(select(Message)):
            message.title = FORMULA
    report = build_report(station, WEEK_START, WEEK_END, now=NOW)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    cells = [
        cell
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value == FORMULA
    ]
    assert cells, "the title is in the as-run sheet"
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]
    formulas = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
