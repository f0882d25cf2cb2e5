"""The loa.toml `loa init` writes (#31 item 13): its comments in Vietnamese by default (English
for LOA_LANG=en or --lang en), and both templates holding exactly the same settings and
commented examples."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import TEMPLATE, TEMPLATE_VI, station_toml

#: Words that would only be there if a comment were left in English.
ENGLISH_WORDS = re.compile(
    r"\b(?:the|of|this|when|never|here|seconds?|before|after|every|default)\b", re.IGNORECASE
)


def comments(text: str) -> list[str]:
    """The comment text of each line (after a "#" that starts a comment)."""
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            body = line.lstrip()[1:]
            # a commented example: "key = value   # comment" keeps only its comment
            if re.match(r"\s*[a-z_]+ = ", body):
                body = body.split("#", 1)[1] if "#" in body else ""
            found.append(body)
        elif "#" in line:
            found.append(line.split("#", 1)[1])
    return found


def examples(text: str) -> list[str]:
    """The commented example settings ("# key = value"), in order, without their comments."""
    return [
        line.split("#", 2)[1].strip().split("  ")[0]
        for line in text.splitlines()
        if re.match(r"\s*#\s*[a-z_]+ = ", line)
    ]


def test_init_writes_vietnamese_comments_by_default(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "xa"), "--name", "Xã Thử"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "xa" / "loa.toml").read_text(encoding="utf-8")
    english = [c for c in comments(text) if ENGLISH_WORDS.search(c)]
    assert not english, english
    assert "# tốc độ đọc, 1.0 = bình thường" in text


def test_english_comments_with_loa_lang_en(monkeypatch: pytest.MonkeyPatch) -> None:
    from loa.core.i18n import set_language

    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    assert "# speaking rate, 1.0 = normal" in station_toml("Xã Thử")
    set_language("vi")
    assert "# speaking rate" in station_toml("Xã Thử", language="en")
    assert "# tốc độ đọc" in station_toml("Xã Thử")


def test_both_templates_hold_the_same_settings_and_examples() -> None:
    vi = TEMPLATE_VI.read_text(encoding="utf-8")
    en = TEMPLATE.read_text(encoding="utf-8")
    values = {"name": '"X"', "province": '""', "district": '""', "language": '"vi"', "ident": '""'}
    from string import Template

    assert tomllib.loads(Template(vi).substitute(values)) == tomllib.loads(
        Template(en).substitute(values)
    )
    assert examples(vi) == examples(en)
