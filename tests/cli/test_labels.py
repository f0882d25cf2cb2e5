"""Vietnamese output names things by their labels, not by loa's English codes; codes and labels
are both accepted as input."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})


def _run(station: Station, *args: str) -> object:
    return runner.invoke(app, ["--station", str(station.root), *args])


def test_unknown_topic_lists_labels_with_their_codes(sample_station: Station) -> None:
    result = _run(sample_station, "msg", "list", "--topic", "xyz")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "Cải cách thủ tục hành chính (procedures)" in result.output  # type: ignore[attr-defined]


def test_topic_and_status_accepted_as_label_or_code(sample_station: Station) -> None:
    by_code = _run(sample_station, "msg", "list", "--topic", "procedures", "--json")
    by_label = _run(
        sample_station, "msg", "list", "--topic", "Cải cách thủ tục hành chính", "--json"
    )
    assert by_code.exit_code == 0 and by_code.output == by_label.output  # type: ignore[attr-defined]
    assert '"procedures"' in by_code.output  # type: ignore[attr-defined]
    status = _run(sample_station, "msg", "list", "--status", "đã duyệt", "--json")
    assert status.exit_code == 0 and '"approved"' in status.output  # type: ignore[attr-defined]
    bad = _run(sample_station, "msg", "list", "--status", "luu")
    assert bad.exit_code == 2  # type: ignore[attr-defined]
    assert "Dùng: nháp (draft), đã duyệt (approved), lưu trữ (archived)" in bad.output  # type: ignore[attr-defined]


def test_message_shows_channel_labels(sample_station: Station) -> None:
    result = _run(sample_station, "msg", "show", "1")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "Đài truyền thanh" in result.output  # type: ignore[attr-defined]
    assert "radio," not in result.output  # type: ignore[attr-defined]


def test_yaml_problem_is_said_in_vietnamese(station: Station, tmp_path: Path) -> None:
    bad = tmp_path / "tin.yaml"
    bad.write_text("messages:\n  - title: a\n    body: b: c\n", encoding="utf-8")
    result = _run(station, "msg", "import", str(bad))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "dòng 3" in result.output and "dấu hai chấm đặt sai chỗ" in result.output  # type: ignore[attr-defined]
    assert "mapping values" not in result.output  # type: ignore[attr-defined]


def test_plan_explain_speaks_labels_and_decimal_commas(sample_station: Station) -> None:
    assert _run(sample_station, "plan", "--days", "7").exit_code == 0  # type: ignore[attr-defined]
    result = _run(sample_station, "plan", "--explain", "1")
    text = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "Kênh Đài truyền thanh" in text  # type: ignore[attr-defined]
    assert "residents" not in text and "Người dân 0," in text
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)  # "02/12 14:00", not "2026-12-02T14:00"
    assert re.search(r"^  \d\d/\d\d \d\d:\d\d  ", text, re.MULTILINE)


def test_slots_list_shows_channel_and_audience_labels(sample_station: Station) -> None:
    result = _run(sample_station, "slots", "list")
    text = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "Đài truyền thanh" in text  # type: ignore[attr-defined]
    assert "Người dân 0," in text and "residents" not in text


def test_unknown_reach_group_lists_codes_with_their_names(sample_station: Station) -> None:
    result = _run(sample_station, "slots", "edit", "1", "--reach", "foo=0.5")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "residents (Người dân)" in result.output  # type: ignore[attr-defined]
