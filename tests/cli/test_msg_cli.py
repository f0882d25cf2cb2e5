"""The `loa msg` commands through Typer's CliRunner, in Vietnamese and English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.i18n import set_language
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})


def loa(station: Station, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--station", str(station.root), *args], input=input)


def test_list_shows_vietnamese_table(sample_station: Station) -> None:
    result = loa(sample_station, "msg", "list")
    assert result.exit_code == 0, result.output
    assert "Hàng đợi tin" in result.output
    assert "đã duyệt" in result.output
    assert "Nộp hồ sơ trực tuyến" in result.output


def test_list_json_and_filters(sample_station: Station) -> None:
    result = loa(sample_station, "msg", "list", "--json", "--topic", "online_services")
    data = json.loads(result.output)
    assert data and all(m["topic"] == "online_services" for m in data)
    assert all("id" in m for m in data)
    parents = json.loads(loa(sample_station, "msg", "list", "--json", "-a", "parents").output)
    assert parents and all("parents" in m["audiences"] for m in parents)
    found = json.loads(loa(sample_station, "msg", "list", "--json", "-q", "VNEID").output)
    assert [m["title"] for m in found] == [
        "Cài đặt và kích hoạt tài khoản định danh điện tử VNeID mức độ 2"
    ]
    every = json.loads(loa(sample_station, "msg", "list", "--json").output)
    web = json.loads(loa(sample_station, "msg", "list", "--json", "--channel", "website").output)
    assert web and all("website" in m["channels"] for m in web)
    assert len(web) == sum("website" in m["channels"] for m in every) < len(every)


def test_add_approve_edit_archive(station: Station) -> None:
    result = loa(
        station,
        "msg",
        "add",
        "--title",
        "Lịch tiếp công dân",
        "--body",
        "Thứ Năm hằng tuần.",
        "--topic",
        "one_stop",
        "-a",
        "residents",
        "-a",
        "elderly",
        "--until",
        "31/12/2026",
    )
    assert result.exit_code == 0, result.output
    assert "Đã thêm tin số 1" in result.output
    shown = json.loads(loa(station, "msg", "show", "1", "--json").output)[0]
    assert shown["status"] == "draft" and shown["audiences"] == ["residents", "elderly"]
    assert loa(station, "msg", "approve", "1", "--by", "Hoa").exit_code == 0
    shown = json.loads(loa(station, "msg", "show", "1", "--json").output)[0]
    assert (shown["status"], shown["approved_by"]) == ("approved", "Hoa")
    result = loa(station, "msg", "edit", "1", "--body", "Thứ Năm và thứ Bảy.")
    assert "nháp" in result.output
    assert json.loads(loa(station, "msg", "show", "1", "--json").output)[0]["status"] == "draft"
    assert loa(station, "msg", "archive", "1").exit_code == 0
    result = loa(station, "msg", "approve", "1")
    assert result.exit_code == 2 and "lưu trữ" in result.output


def test_add_without_title_off_a_terminal_refuses(station: Station) -> None:
    # CliRunner's stdin is not a TTY, so `add` without a title refuses instead of hanging.
    result = loa(station, "msg", "add")
    assert result.exit_code == 2
    assert "Thiếu tiêu đề" in result.output


def test_add_interactively(station: Station) -> None:
    answers = (
        "\n".join(
            [
                "Họp dân về thủ tục đất đai",
                "Tối thứ Sáu tại nhà văn hóa thôn.",
                "procedures",
                "residents, elderly",
                "",
                "ưu tiên",
                "3",
                "radio",
            ]
        )
        + "\n"
    )
    result = loa(station, "msg", "add", "-i", input=answers)
    assert result.exit_code == 0, result.output
    shown = json.loads(loa(station, "msg", "show", "1", "--json").output)[0]
    assert shown["title"] == "Họp dân về thủ tục đất đai"
    assert (shown["topic"], shown["priority"], shown["airings_per_week"]) == (
        "procedures",
        "high",
        3,
    )
    assert shown["audiences"] == ["residents", "elderly"] and shown["channels"] == ["radio"]


def test_bad_option_values_exit_2(station: Station) -> None:
    result = loa(station, "msg", "add", "--title", "X", "--topic", "khong_co")
    assert result.exit_code == 2 and "không có trong danh mục" in result.output
    result = loa(station, "msg", "add", "--title", "X", "--topic", "papi", "--from", "30/02/2026")
    assert result.exit_code == 2 and "không tồn tại" in result.output
    result = loa(station, "msg", "show", "99")
    assert result.exit_code == 2 and "Không có tin số 99" in result.output
    assert "Traceback" not in result.output


def test_import_broken_file_exit_2_and_nothing_saved(
    sample_station: Station, tmp_path: Path
) -> None:
    before = loa(sample_station, "msg", "list", "--json").output
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title,body,topic\nTốt,Nội dung,papi\nXấu,Nội dung,sai_chu_de\n", encoding="utf-8"
    )
    result = loa(sample_station, "msg", "import", str(bad))
    assert result.exit_code == 2
    assert "bad.csv, dòng 3" in result.output
    assert loa(sample_station, "msg", "list", "--json").output == before


def test_import_report_and_approve(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "tin.yaml"
    path.write_text("messages:\n  - title: Một\n    topic: papi\n    body: A\n", encoding="utf-8")
    result = loa(station, "msg", "import", str(path), "--approve-as", "Lan")
    assert result.exit_code == 0, result.output
    assert "Đã nhập 1 tin" in result.output
    assert json.loads(loa(station, "msg", "show", "1", "--json").output)[0]["approved_by"] == "Lan"
    again = loa(station, "msg", "import", str(path))
    assert again.exit_code == 0 and "trùng với tin số 1" in again.output
    assert len(json.loads(loa(station, "msg", "list", "--json").output)) == 1


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_export_then_import_elsewhere(
    sample_station: Station, station: Station, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"all.{fmt}"
    assert loa(sample_station, "msg", "export", "-f", fmt, "-o", str(out)).exit_code == 0
    assert loa(station, "msg", "import", str(out)).exit_code == 0
    keys = ("title", "body", "topic", "audiences", "channels", "valid_until", "priority")
    a = [
        {k: m[k] for k in keys}
        for m in json.loads(loa(sample_station, "msg", "list", "--json").output)
    ]
    b = [{k: m[k] for k in keys} for m in json.loads(loa(station, "msg", "list", "--json").output)]
    assert a == b


def test_topics_are_editable(station: Station) -> None:
    result = loa(station, "msg", "topics", "--add", "land", "--name", "Đất đai")
    assert result.exit_code == 0 and "Đất đai" in result.output
    assert (
        loa(station, "msg", "add", "--title", "X", "--body", "Y", "--topic", "land").exit_code == 0
    )
    result = loa(station, "msg", "topics", "--remove", "land")
    assert result.exit_code == 2 and "đang được 1 tin dùng" in result.output


def test_english_on_request(sample_station: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    result = loa(sample_station, "msg", "show", "999")
    assert result.exit_code == 2 and "There is no message 999" in result.output


def test_outside_a_station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["msg", "list"])
    assert result.exit_code == 2
    assert "Không tìm thấy đài" in result.output and "loa init" in result.output


def test_edit_refuses_a_window_that_ends_before_it_starts(station: Station) -> None:
    assert (
        loa(
            station,
            "msg",
            "add",
            "--title",
            "X",
            "--body",
            "Y",
            "--topic",
            "papi",
            "--from",
            "01/12/2026",
        ).exit_code
        == 0
    )
    result = loa(station, "msg", "edit", "1", "--until", "30/11/2026")
    assert result.exit_code == 2 and "trước ngày bắt đầu hiệu lực 01/12/2026" in result.output
    assert json.loads(loa(station, "msg", "show", "1", "--json").output)[0]["valid_until"] is None
