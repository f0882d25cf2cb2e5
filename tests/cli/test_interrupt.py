"""Ctrl-C during `loa render --week`: ends fast, exit 130, a Vietnamese line, no process left."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LOA_LANG", "LOA_STATION")}
    env.update({"COLUMNS": "120", **extra})
    return env


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("interrupt")
    for args, cwd in ((["init", "X", "--sample"], base), (["plan", "--days", "7"], base / "X")):
        done = subprocess.run(
            [sys.executable, "-m", "loa", *args], cwd=cwd, env=_env(), capture_output=True
        )
        assert done.returncode == 0, done.stderr
    return base / "X"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _group_members(pgid: int) -> list[str]:
    """Live processes (not zombies already reaped by us) whose process group is `pgid`."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        psutil = None
    found = []
    if psutil is not None:
        for proc in psutil.process_iter(["pid", "cmdline"]):
            try:
                if os.getpgid(proc.pid) == pgid:
                    found.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])}")
            except (OSError, psutil.Error):
                continue
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(stat[2]) == pgid:
            found.append(f"{entry} state={stat[0].decode()}")
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    ("target", "lang", "line"),
    [
        ("process", "vi", "Đã dừng theo yêu cầu (Ctrl-C)"),
        ("group", "en", "Stopped on request (Ctrl-C)"),
    ],
)
def test_ctrl_c_during_render_week(station: Path, target: str, lang: str, line: str) -> None:
    for folder in ("bulletins", "cache"):  # nothing rendered yet: the worker pool starts
        shutil.rmtree(station / "media" / folder, ignore_errors=True)
    extra = {"LOA_LANG": "en"} if lang == "en" else {}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loa", "render", "--week"],
        cwd=station,
        env=_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: whatever it starts is findable
        # as from a terminal: a test run started in the background (`cmd &` in a script)
        # passes SIGINT on ignored, and a process that starts with it ignored keeps it so
        preexec_fn=_default_sigint,
    )
    try:
        time.sleep(2.0)
        assert proc.poll() is None, "render finished before the interrupt"
        if target == "group":  # what a terminal's Ctrl-C does
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        sent = time.monotonic()
        _out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
        assert elapsed < 2.0, f"took {elapsed:.1f} s to stop"
        assert proc.returncode == 130, err
        assert line in err
        assert "Traceback" not in err
        left: list[str] = []
        for _ in range(40):  # the resource tracker leaves on its own once the parent has gone
            left = _group_members(proc.pid)
            if not left:
                break
            time.sleep(0.05)
        assert not left, left
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
