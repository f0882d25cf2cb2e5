"""Run the CLI with `python -m loa`."""

from __future__ import annotations

from loa.cli.main import run

run()
