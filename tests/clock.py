"""A fixed clock for a `loa` subprocess: its interpreter loads a sitecustomize that makes the
wall clock start at LOA_TEST_CLOCK (and tick on from there), through time-machine."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

SITECUSTOMIZE = textwrap.dedent(
    """
    import os

    import time_machine

    time_machine.travel(os.environ["LOA_TEST_CLOCK"], tick=True).start()
    """
)


def clock_env(folder: Path, at: datetime) -> dict[str, str]:
    """The environment entries that start a subprocess's clock at `at` (tz-aware); the guard
    module is written in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return {"PYTHONPATH": str(folder), "LOA_TEST_CLOCK": at.isoformat()}
