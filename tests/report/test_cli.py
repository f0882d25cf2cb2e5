"""`loa report` through Typer's CliRunner and, once, as a real subprocess on the sample station."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station
from tests.report.simulate import simulate_week

runner = CliRunner(env={"COLUMNS": "200"})


def loa(station: Station, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--station", str(station.root), "report", *args])


def recent_week(station: Station):  # type: ignore[no-untyped-def]
    """A simulated week ending a week before today (the CLI reads the real clock)."""
    start = station.now().date() - timedelta(days=14)
    return start, start + timedelta(days=6), simulate_week(station, start)


def test_writes_files_and_prints_a_summary(station: Station, tmp_path: Path) -> None:
    start, end, exp = recent_week(station)
    result = loa(
        station,
        "--from",
        start.isoformat(),
        "--to",
        end.strftime("%d/%m/%Y"),
        "--out",
        str(tmp_path / "r"),
    )
    assert result.exit_code == 0, result.output
    assert "Đài truyền thanh" in result.output and "Đã ghi" in result.output
    radio_row = next(line for line in result.output.splitlines() if "Đài truyền thanh" in line)
    cells = [c.strip() for c in radio_row.split("│") if c.strip()]
    assert cells[1:3] == [str(exp.bulletins), str(exp.radio_items)]
    written = sorted(p.suffix for p in (tmp_path / "r").iterdir())
    assert written == [".docx", ".png", ".png", ".xlsx"]


def test_json_figures_match_the_simulated_week(station: Station) -> None:
    start, end, exp = recent_week(station)
    result = loa(station, "--from", start.isoformat(), "--to", end.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["bulletins"] == exp.bulletins
    assert data["totals"]["radio_items"] == exp.radio_items
    assert data["totals"]["posts"] == dict(exp.posts)
    assert data["undelivered_counts"] == dict(exp.undelivered)
    # Default folder: media/reports in the station.
    assert all(Path(f).parent == station.media_dir / "reports" for f in data["files"])
    assert len(data["files"]) == 4


def test_no_files(station: Station) -> None:
    result = loa(station, "--year", str(station.now().year), "--no-files")
    assert result.exit_code == 0, result.output
    assert "không có tin, bài nào" in result.output
    assert not (station.media_dir / "reports").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--quarter", "2026Q5"], "không đúng dạng"),
        (["--half", "H3"], "không đúng dạng"),
        (["--year", "2099"], "sau hôm nay"),
        (["--from", "2026-11-07", "--to", "2026-11-01"], "Kỳ báo cáo rỗng"),
        (["--from", "2026-11-07"], "cả --from và --to"),
        ([], "đúng một kỳ"),
    ],
)
def test_bad_input_exits_2_with_a_vietnamese_message(station: Station, args, words) -> None:
    result = loa(station, *args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_help_names_every_period_form() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    for words in ("Quý, ví dụ 2026Q4.", "Tháng, ví dụ 2026-11.", "2026H2", "--from", "--out"):
        assert words in result.output


@pytest.mark.slow
def test_sample_station_end_to_end(sample_station: Station) -> None:
    """Done when: on the sample station after a simulated week, `loa report --from --to` writes
    the .docx, the .xlsx and the charts, and its figures match the as-run log."""
    start, end, exp = recent_week(sample_station)
    env = {**os.environ, "LOA_LANG": "vi", "COLUMNS": "200"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "loa",
            "--station",
            str(sample_station.root),
            "report",
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["totals"]["items"] == exp.items
    files = [Path(f) for f in data["files"]]
    docx = next(f for f in files if f.suffix == ".docx")
    xlsx = next(f for f in files if f.suffix == ".xlsx")
    doc = Document(str(docx))
    assert len(doc.inline_shapes) == 2
    summary = {r[0]: r[2] for r in load_workbook(xlsx)["Tổng hợp"].iter_rows(values_only=True)}
    assert summary["bulletins"] == exp.bulletins
    assert summary["airtime_s"] == pytest.approx(exp.airtime_s)
    assert summary["items"] == exp.items
