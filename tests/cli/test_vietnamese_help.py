"""Every help page speaks Vietnamese by default (#31 item 13): an option's value is named in
Vietnamese (<chữ>, <số>, <đường dẫn>), not by its Python type (<str>, <int range>), and
"[default: …]" reads "[mặc định: …]" even when the page wraps it across lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.i18n import set_language

ENGLISH = re.compile(
    r"<(?:str|int|float|path|file|list\[\w+\]|datetime|bool)[^>]*>|\[default|\[required"
)


def commands() -> Iterator[list[str]]:
    root = typer.main.get_command(app)

    def walk(cmd: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        if hasattr(cmd, "commands"):
            for name in cmd.list_commands(None):
                yield from walk(cmd.get_command(None, name), [*path, name])

    yield from walk(root, [])


@pytest.mark.parametrize("columns", ["42", "100"])
def test_no_help_page_names_a_value_or_a_default_in_english(columns: str) -> None:
    runner = CliRunner(env={"COLUMNS": columns})
    english: dict[str, list[str]] = {}
    pages = 0
    for path in commands():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        pages += 1
        found = ENGLISH.findall(result.output)
        if found:
            english[" ".join(path) or "loa"] = found
    assert pages > 40
    assert not english, english


def test_msg_add_help_names_its_values_in_vietnamese() -> None:
    result = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["msg", "add", "--help"])
    assert "-t, --title <chữ>" in result.output and "--audio <đường dẫn>" in result.output
    assert "--airings <số>" in result.output
    plan = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["plan", "--help"])
    assert "[mặc định: 7; 1<=x<=366]" in plan.output


def test_english_help_keeps_typers_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    result = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["plan", "--help"])
    assert "--days <int range>" in result.output and "[default: 7;" in result.output
    vi_after = None
    set_language("vi")
    monkeypatch.delenv("LOA_LANG")
    vi_after = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["plan", "--help"]).output
    assert "--days <số>" in vi_after  # the Vietnamese names are per page, not left behind
