"""A few end-to-end runs of the real `loa` program in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def loa(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("loa", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "loa"]
    full_env = {k: v for k, v in os.environ.items() if k not in ("LOA_LANG", "LOA_STATION")}
    full_env.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run([*command, *args], cwd=cwd, env=full_env, capture_output=True, text=True)


@pytest.mark.slow
def test_init_sample_then_list_from_inside_the_station(tmp_path: Path) -> None:
    made = loa("init", "xa", "--name", "Xã Cẩm Nhượng", "--sample", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "xa" / "media" / "sub").mkdir()
    listed = loa("msg", "list", cwd=tmp_path / "xa" / "media" / "sub")
    assert listed.returncode == 0, listed.stderr
    assert "Hàng đợi tin — Xã Cẩm Nhượng (20 tin)" in listed.stdout


def test_user_error_has_no_traceback_and_exit_2(tmp_path: Path) -> None:
    result = loa("msg", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "Không tìm thấy đài" in result.stderr


def test_english_interface(tmp_path: Path) -> None:
    result = loa("msg", "list", cwd=tmp_path, env={"LOA_LANG": "en"})
    assert result.returncode == 2
    assert "No station" in result.stderr
