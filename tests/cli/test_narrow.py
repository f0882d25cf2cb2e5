"""In 80 columns (piped output) tables wrap between words and never run past the edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rich.table import Table

from loa.cli.common import unbroken_words
from loa.core.station import Station


def _loa(station: Station, *args: str) -> str:
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi", "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "loa", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout  # a pipe, not a terminal


def _cells(output: str) -> list[str]:
    return [
        word
        for line in output.splitlines()
        if line.startswith(("│", "┃"))
        for cell in line.strip("│┃").replace("┃", "│").split("│")
        for word in cell.replace(",", " ").split()
    ]


def test_message_queue_in_80_columns_keeps_words_whole(sample_station: Station) -> None:
    output = _loa(sample_station, "msg", "list")
    assert max(len(line) for line in output.splitlines()) <= 80
    data = json.loads(_loa(sample_station, "msg", "list", "--json"))
    known = {"Số", "Tiêu", "đề", "Chủ", "Đối", "tượng", "Ưu", "tiên", "Lượt/tuần", "Đến"}
    known |= {"ngày", "Trạng", "thái", "đã", "duyệt", "thông", "thường", "ưu", "nháp"}
    from loa.content.models import Audience, Topic

    with sample_station.transaction() as session:
        for model in (Topic, Audience):
            for entry in session.query(model):
                known |= set(entry.name.replace(",", " ").split())
    for m in data:
        known |= set(m["title"].replace(",", " ").split())
        known |= {str(m["id"]), str(m["airings_per_week"])}
    dates = {w for w in _cells(output) if w.count("/") == 2 and w.replace("/", "").isdigit()}
    broken = [w for w in _cells(output) if w not in known and w not in dates]
    assert not broken, broken


def test_today_in_80_columns_fits_and_keeps_headers_whole(sample_station: Station) -> None:
    # tomorrow is planned whole whatever the hour (late in the evening today may have nothing left)
    _loa(sample_station, "plan", "--days", "3")
    output = _loa(sample_station, "today", "--day", "mai")
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "Trạng thái" in output and "Tiêu đề" in output
    # one line per entry: a day's sheet fits a screen, long titles end in "…"
    rows = json.loads(_loa(sample_station, "today", "--day", "mai", "--json"))["rows"]
    body = [line for line in output.splitlines() if line.startswith("│")]
    assert len(body) == len(rows) > 5
    assert any(line.rstrip("│ ").endswith("…") or "… │" in line for line in body)


def test_schedule_in_80_columns_keeps_one_line_per_item(sample_station: Station) -> None:
    _loa(sample_station, "plan", "--days", "3")
    output = _loa(sample_station, "schedule", "--from", "mai", "-c", "radio")
    assert max(len(line) for line in output.splitlines()) <= 80
    slots = json.loads(_loa(sample_station, "schedule", "--from", "mai", "-c", "radio", "--json"))
    items = [i for s in slots for i in s["items"]]
    assert items
    # each item on a line of its own, numbered, with its message number shown (not eaten as markup)
    for n, item in enumerate(slots[0]["items"], start=1):
        assert f"{n}. [#{item['message_id']}]" in output
    numbered = [line for line in output.splitlines() if "[#" in line]
    assert len(numbered) == len(items)


def test_a_table_that_fits_is_left_alone() -> None:
    table = Table()
    table.add_column("Tên")
    table.add_row("Xã Cẩm Nhượng")
    unbroken_words(table, 80)
    assert table.columns[0].width is None
    unbroken_words(table, 10)
    assert table.columns[0].width == 6  # "Nhượng", its longest word
