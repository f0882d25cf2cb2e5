"""The run sheet is rendered from a template that escapes what officers typed."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

from loa.planning.planner import plan
from loa.planning.views import schedule
from loa.report.runsheet import runsheet_html
from tests.planning.conftest import add_message

MONDAY = date(2026, 11, 23)
TITLE = '<script>alert("x")</script> Tom & Jerry\'s "tin" – Đăng ký khai sinh'
SOURCE = "Kế hoạch 12/KH-UBND <i>&</i>"
SCRIPT = 'Bà con chú ý: <b>đậm</b> & "trích dẫn".\nDòng hai.'


class Cells(HTMLParser):
    """The text of every table cell and every tag name of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_runsheet_escapes_hostile_titles_sources_and_scripts(slotted) -> None:
    add_message(slotted, TITLE, source_document=SOURCE, radio_script=SCRIPT)
    plan(slotted, MONDAY, 7, now=datetime(2026, 11, 22, 20, 0), channels=("radio",))
    with slotted.transaction() as session:
        day = schedule(session, MONDAY, 7, channel="radio")[0].start.date()
    page = runsheet_html(slotted, day)
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry&#x27;s" in page
    parsed = Cells()
    parsed.feed(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert TITLE in parsed.cells and SOURCE in parsed.cells and SCRIPT in parsed.cells
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
