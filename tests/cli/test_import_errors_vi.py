"""A bad .docx or CSV file is refused in Vietnamese (#31 item 13): what is wrong and how to
fix it, never an exception's class name or the csv module's English; nothing is saved."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station
from tests.cli.test_edges_third import dump

runner = CliRunner(env={"COLUMNS": "200"})


def _import(station: Station, path: Path) -> str:
    before = dump(station)
    result = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(path)])
    assert result.exit_code != 0, result.output
    assert dump(station) == before
    return " ".join(result.output.split())


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"PK\x03\x04 not really a zip", "tệp bị hỏng hoặc không phải tệp .docx"),
        (b"{\\rtf1 a Word file saved as RTF}", "tệp bị hỏng hoặc không phải tệp .docx"),
        (None, "thiếu phần nội dung văn bản bên trong tệp"),
    ],
    ids=["broken-zip", "not-a-zip", "zip-without-document"],
)
def test_a_bad_docx_is_said_in_vietnamese(
    station: Station, tmp_path: Path, content: bytes | None, said: str
) -> None:
    path = tmp_path / "tin.docx"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("ghi-chu.txt", "not a Word document")
    else:
        path.write_bytes(content)
    out = _import(station, path)
    assert "không phải tệp Word .docx hợp lệ" in out and said in out, out
    for english in ("BadZipFile", "PackageNotFoundError", "KeyError", "Error"):
        assert english not in out, out


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ('"Tin một"x,Nội dung,procedures\n', 'sau dấu " đóng ô phải là dấu phân cách ,'),
        ('"Tin một,Nội dung,procedures\n', "tệp kết thúc khi một ô trong ngoặc kép chưa đóng"),
    ],
    ids=["text-after-quote", "unclosed-quote"],
)
def test_a_broken_csv_is_said_in_vietnamese(
    station: Station, tmp_path: Path, rows: str, said: str
) -> None:
    path = tmp_path / "tin.csv"
    path.write_text("title,body,topic\n" + rows, encoding="utf-8")
    out = _import(station, path)
    assert "dòng 2: CSV không hợp lệ" in out and said in out, out
    assert "expected" not in out and "unexpected end of data" not in out, out
