"""Known file problems get their own message naming the file and what to do (never "Lỗi không
mong đợi"), and odd settings are refused or pointed out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.app.setup import init_station
from loa.cli.main import app
from loa.core.fileio import atomic_write_text
from loa.core.i18n import set_language
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})


def _run(station: Station, *args: str, env: dict[str, str] | None = None) -> object:
    return runner.invoke(app, ["--station", str(station.root), *args], env=env)


def _toml(station: Station) -> Path:
    return station.root / "loa.toml"


def test_binary_loa_toml_is_named_and_explained(station: Station) -> None:
    _toml(station).write_bytes(b"\xff\xfe\x00garbage\x89PNG")
    result = runner.invoke(app, ["--station", str(station.root), "msg", "list"])
    assert result.exit_code == 2
    assert "không phải văn bản UTF-8" in result.output and "loa.toml" in result.output
    assert "không mong đợi" not in result.output


def test_nul_bytes_in_loa_toml_are_refused_as_binary(station: Station) -> None:
    _toml(station).write_bytes(b"[station]\x00\x00\x00")
    result = runner.invoke(app, ["--station", str(station.root), "msg", "list"])
    assert result.exit_code == 2 and "không phải văn bản UTF-8" in result.output


def test_empty_loa_toml_is_refused(station: Station) -> None:
    _toml(station).write_text("\n  \n", encoding="utf-8")
    result = runner.invoke(app, ["--station", str(station.root), "msg", "list"])
    assert result.exit_code == 2
    assert "trống" in result.output and "[station]" in result.output


def test_toml_syntax_error_is_said_in_vietnamese_with_its_line(station: Station) -> None:
    text = _toml(station).read_text(encoding="utf-8")
    _toml(station).write_text(text.replace('language = "vi"', "language = vi"), encoding="utf-8")
    line = next(
        n for n, row in enumerate(_toml(station).read_text().splitlines(), 1) if "= vi" in row
    )
    result = runner.invoke(app, ["--station", str(station.root), "msg", "list"])
    assert result.exit_code == 2
    assert f"dòng {line}" in result.output and "giá trị không hợp lệ" in result.output
    assert "Invalid" not in result.output and "at line" not in result.output


def test_toml_syntax_error_in_english_mode(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    _toml(station).write_text("[station\nname = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["--station", str(station.root), "msg", "list"])
    assert result.exit_code == 2
    assert "line 1" in result.output and "closing ]" in result.output


@pytest.fixture
def open_station() -> Iterator[Station]:
    """A station in a folder another user can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="loa-perm-"))
    base.chmod(0o755)
    try:
        yield init_station(base / "xa", name="Xã Thử Nghiệm")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_nobody() -> list[str] | None:
    """How to run a command as an unprivileged user, or None when not root (run it as we are)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def test_unreadable_loa_toml_names_the_file_and_the_fix(open_station: Station) -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv: root reads any file")
    (open_station.root).chmod(0o755)
    _toml(open_station).chmod(0o000)
    env = {**os.environ, "LOA_LANG": "vi", "COLUMNS": "200", "HOME": "/tmp"}
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "loa", "--station", str(open_station.root), "msg", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "không có quyền đọc" in done.stderr and "chmod 644" in done.stderr
    assert str(_toml(open_station)) in done.stderr
    assert "Traceback" not in done.stderr and "không mong đợi" not in done.stderr


def test_name_must_be_text(station: Station) -> None:
    text = _toml(station).read_text(encoding="utf-8")
    _toml(station).write_text(text.replace('name = "Xã Thử Nghiệm"', "name = 42"), encoding="utf-8")
    result = _run(station, "msg", "list")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "[station] name = 42" in result.output  # type: ignore[attr-defined]
    assert "ngoặc kép" in result.output  # type: ignore[attr-defined]


def test_unsupported_station_language_is_refused(station: Station) -> None:
    text = _toml(station).read_text(encoding="utf-8")
    _toml(station).write_text(text.replace('language = "vi"', 'language = "fr"'), "utf-8")
    result = _run(station, "msg", "list")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert '[station] language = "fr"' in result.output  # type: ignore[attr-defined]
    assert '"vi", "en"' in result.output  # type: ignore[attr-defined]


def test_unknown_key_in_a_section_is_refused(station: Station) -> None:
    text = _toml(station).read_text(encoding="utf-8")
    _toml(station).write_text(text.replace("ident =", "idnt ="), "utf-8")
    result = _run(station, "msg", "list")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "[station] idnt" in result.output and "ident" in result.output  # type: ignore[attr-defined]


def test_unknown_table_is_pointed_out_and_the_command_goes_on(station: Station) -> None:
    with _toml(station).open("a", encoding="utf-8") as fh:
        fh.write("\n[raido]\nvolume = 3\n")
    result = _run(station, "msg", "list")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert "Mục [raido]" in result.output and "[channels]" in result.output  # type: ignore[attr-defined]


def test_unsupported_loa_lang_warns_once_and_falls_back(station: Station) -> None:
    result = _run(station, "msg", "list", env={"LOA_LANG": "xx"})
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert result.output.count('LOA_LANG="xx"') == 1  # type: ignore[attr-defined]
    assert "Không có tin nào khớp" in result.output  # type: ignore[attr-defined]


def test_report_out_onto_a_file_is_refused_and_the_file_kept(
    sample_station: Station, tmp_path: Path
) -> None:
    target = tmp_path / "bao-cao.docx"
    target.write_bytes(b"keep me")
    result = _run(sample_station, "report", "--quarter", "2026Q4", "-o", str(target))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "là một tệp" in result.output and "Chọn một thư mục" in result.output  # type: ignore[attr-defined]
    assert target.read_bytes() == b"keep me"


def test_export_onto_a_folder_names_it(sample_station: Station, tmp_path: Path) -> None:
    folder = tmp_path / "ra"
    folder.mkdir()
    result = _run(sample_station, "msg", "export", "-o", str(folder))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"{folder} là một thư mục" in result.output  # type: ignore[attr-defined]
    assert "không mong đợi" not in result.output  # type: ignore[attr-defined]
    assert list(folder.iterdir()) == []


def test_export_under_a_file_names_the_folder(sample_station: Station, tmp_path: Path) -> None:
    blocker = tmp_path / "khong-phai-thu-muc"
    blocker.write_text("x", encoding="utf-8")
    result = _run(sample_station, "schedule", "export", "--ics", str(blocker / "lich.ics"))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"{blocker} đã có và là một tệp" in result.output  # type: ignore[attr-defined]


def test_atomic_write_names_the_final_folder_not_the_temporary_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OSError) as caught:
        atomic_write_text(blocker / "out.txt", "data")
    assert caught.value.filename == str(blocker)
    with pytest.raises(IsADirectoryError) as folder:
        atomic_write_text(tmp_path, "data")
    assert folder.value.filename == str(tmp_path)


def test_media_pointing_at_a_file_is_refused(station: Station) -> None:
    text = _toml(station).read_text(encoding="utf-8")
    _toml(station).write_text(text.replace('media = "media"', 'media = "loa.db"'), "utf-8")
    result = _run(station, "render")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert '[station] media = "loa.db"' in result.output  # type: ignore[attr-defined]
    assert "không phải thư" in result.output  # type: ignore[attr-defined]
