"""Every command of the README's tour works as written on a fresh sample station."""

from __future__ import annotations

import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
TOURS = ("## Dùng thử", "## Một tuần làm việc với loa")


def tour_commands() -> list[list[str]]:
    """The commands of the README's tour blocks, in order: comments dropped, `a && b` split."""
    text = README.read_text(encoding="utf-8")
    commands: list[list[str]] = []
    for heading in TOURS:
        section = text[text.index(heading) :]
        block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
        assert block, f"no bash block under {heading}"
        for line in block.group(1).splitlines():
            words = shlex.split(line, comments=True)
            if not words or words[0] == "source":
                continue
            for part in " ".join(shlex.quote(w) for w in words).split(" '&&' "):
                commands.append(shlex.split(part))
    return commands


def _run_daemon(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    """`loa run` until it says it started, then Ctrl-C: it must stop cleanly."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen = b""
    try:
        selector = selectors.DefaultSelector()
        selector.register(proc.stderr, selectors.EVENT_READ)  # type: ignore[arg-type]
        started = "Bắt đầu chạy tự động".encode()
        deadline = time.monotonic() + 60
        while started not in seen and proc.poll() is None and time.monotonic() < deadline:
            if selector.select(timeout=1):
                seen += os.read(proc.stderr.fileno(), 4096)  # type: ignore[union-attr]
        assert started in seen, seen.decode(errors="replace")
        os.killpg(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == 0, (seen + err).decode(errors="replace")


def test_the_tour_is_what_the_readme_says() -> None:
    commands = tour_commands()
    assert commands[0][:2] == ["loa", "init"] and ["cd", "xa-cam-nhuong"] in commands
    assert ["loa", "msg", "import", "ke-hoach.docx"] in commands
    assert ["loa", "run"] in commands


@pytest.mark.slow
def test_every_tour_command_works_on_a_fresh_sample_station(tmp_path: Path) -> None:
    env = {**os.environ, "LOA_LANG": "vi", "COLUMNS": "100"}
    env.pop("LOA_STATION", None)
    loa = [sys.executable, "-m", "loa"]
    cwd = tmp_path
    for command in tour_commands():
        if command[0] == "cd":
            cwd = cwd / command[1]
            # the silent voice keeps `render --week` quick; every command is as written
            toml = cwd / "loa.toml"
            toml.write_text(
                toml.read_text(encoding="utf-8").replace(
                    '# engine = "espeak"', 'engine = "silent"\nfallback = []', 1
                ),
                encoding="utf-8",
            )
            continue
        assert command[0] == "loa", command
        argv = loa + command[1:]
        if command == ["loa", "run"]:
            _run_daemon(argv, cwd, env)
            continue
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{shlex.join(command)}\n{done.stdout}\n{done.stderr}"
        assert "Lỗi" not in done.stderr, f"{shlex.join(command)}\n{done.stderr}"
    assert (cwd / "lich.ics").is_file()
    assert list((cwd / "media" / "reports").glob("*.docx"))
