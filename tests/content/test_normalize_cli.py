"""`loa normalize`: the one-line-in, one-line-out contract, --explain, dictionary errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station

runner = CliRunner()


def test_text_argument() -> None:
    result = runner.invoke(app, ["normalize", "UBND xã họp lúc 17h30 ngày 15/7/2021"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Ủy ban nhân dân xã họp lúc mười bảy giờ ba mươi phút "
        "ngày mười lăm tháng bảy năm hai nghìn không trăm hai mươi mốt\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        "UBND xã\n\n2021-2030\nngày 15/7/2021\n",
        "không có dòng cuối",
        "a\r\nb\r\n\r\nc",
        "\n\n\n",
        "CCHC\u2028TTHC\nHết\n",
        "",
    ],
)
def test_file_one_line_out_per_line_in(tmp_path: Path, content: str) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content.encode("utf-8"))
    result = runner.invoke(app, ["normalize", "--file", str(path)])
    assert result.exit_code == 0, result.output
    expected_lines = content.split("\n")
    if content.endswith("\n") or not content:
        expected_lines.pop()
    out_lines = result.stdout.split("\n")
    assert out_lines[-1] == ""  # every output line ends with a newline
    assert len(out_lines) - 1 == len(expected_lines)
    for source, spoken in zip(expected_lines, out_lines, strict=False):
        assert (source.strip() == "") == (spoken == "")


def test_file_lines_are_normalized_in_order(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("UBND\n\n80%\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize", "-f", str(path)])
    assert result.stdout == "Ủy ban nhân dân\n\ntám mươi phần trăm\n"


def test_explain_shows_the_rules() -> None:
    result = runner.invoke(app, ["normalize", "--explain", "76/NQ-CP, XYZ"])
    assert result.exit_code == 0, result.output
    assert "số hiệu văn bản" in result.stdout
    assert "đánh vần" in result.stdout
    assert "bảy mươi sáu của Chính phủ" in result.stdout


def test_explain_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from loa.core.i18n import set_language

    set_language("en")
    result = runner.invoke(app, ["normalize", "--explain", "80%"])
    assert "percentage" in result.stdout


def test_missing_input_is_a_usage_error() -> None:
    result = runner.invoke(app, ["normalize"])
    assert result.exit_code == 2
    assert "loa normalize" in result.output


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["normalize", "--file", str(tmp_path / "khong.txt")])
    assert result.exit_code == 2
    assert "khong.txt" in "".join(result.output.split())  # the path may be wrapped anywhere


def test_not_utf8_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes("Ủy ban".encode("utf-16"))
    result = runner.invoke(app, ["normalize", "--file", str(path)])
    assert result.exit_code == 2
    assert "UTF-8" in result.output


def test_dictionary_option_and_its_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "tot.tsv"
    good.write_text("HTX\thợp tác xã\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize", "--dictionary", str(good), "HTX Cẩm Nhượng"])
    assert result.stdout == "hợp tác xã Cẩm Nhượng\n"
    bad = tmp_path / "xau.tsv"
    bad.write_text("HTX\thợp tác xã\n# ghi chú\nCLB câu lạc bộ\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize", "--dictionary", str(bad), "HTX"])
    assert result.exit_code == 2
    assert "dòng 3" in result.output
    assert "Traceback" not in result.output


def test_station_dictionary_is_used(station: Station) -> None:
    (station.root / "tu-dien.tsv").write_text("HTX\thợp tác xã\n", encoding="utf-8")
    result = runner.invoke(app, ["--station", str(station.root), "normalize", "HTX, UBND"])
    assert result.stdout == "hợp tác xã, Ủy ban nhân dân\n"


def test_station_bad_dictionary_names_the_line(station: Station) -> None:
    (station.root / "tu-dien.tsv").write_text("HTX\thợp tác xã\nsai\n", encoding="utf-8")
    result = runner.invoke(app, ["--station", str(station.root), "normalize", "HTX"])
    assert result.exit_code == 2
    assert "dòng 2" in result.output


def test_real_process_reads_stdin(tmp_path: Path) -> None:
    env = {**os.environ, "LOA_STATION": "", "LOA_LANG": "vi"}
    done = subprocess.run(
        [sys.executable, "-m", "loa", "normalize", "--file", "-"],
        input="CCHC\n\nQuý I/2023\n".encode(),
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == (
        "cải cách hành chính\n\nQuý một năm hai nghìn không trăm hai mươi ba\n"
    )


def test_explain_names_the_second_round_rules() -> None:
    result = runner.invoke(app, ["normalize", "--explain", "QL1A, P. Tân An, ≥ 95%, 3 x 4 m"])
    assert result.exit_code == 0, result.output
    for rule in ("số hiệu đường", "địa danh viết tắt", "dấu so sánh", "kích thước"):
        assert rule in result.stdout
    assert "quốc lộ một a" in result.stdout
