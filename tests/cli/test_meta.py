"""Meta-tests: every command has help in Vietnamese and English, the README lists the real
commands, and `loa --help` does not import heavy modules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DUMP = """
import json, typer
from loa.cli.main import app
root = typer.main.get_command(app)
out = {}
def walk(cmd, path):
    out[" ".join(path) or "loa"] = {"help": cmd.help or "",
        "params": {p.name: getattr(p, "help", None) or "" for p in cmd.params
                   if p.param_type_name == "option" and p.name not in ("help",)}}
    if hasattr(cmd, "commands"):
        for name in cmd.list_commands(None):
            walk(cmd.get_command(None, name), path + [name])
walk(root, [])
print(json.dumps(out))
"""


def dump(lang: str) -> dict[str, dict[str, object]]:
    env = {**os.environ, "LOA_LANG": lang}
    out = subprocess.run(
        [sys.executable, "-c", DUMP], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_every_command_and_option_has_help_in_both_languages() -> None:
    vi, en = dump("vi"), dump("en")
    assert vi.keys() == en.keys()
    assert len(vi) > 10
    missing = [name for name, info in vi.items() if not str(info["help"]).strip()]
    assert not missing, f"commands without help: {missing}"
    undocumented = [
        f"{name} --{opt}"
        for name, info in vi.items()
        for opt, text in info["params"].items()
        if not str(text).strip()
    ]  # type: ignore[attr-defined]
    assert not undocumented, f"options without help: {undocumented}"
    same = [name for name in vi if name != "loa" and vi[name]["help"] == en[name]["help"]]
    assert not same, f"help not translated: {same}"


def test_readme_lists_exactly_the_top_level_commands() -> None:
    top = {name.split()[0] for name in dump("vi") if name != "loa"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme.split("<!-- commands -->")[1].split("<!-- /commands -->")[0]
    listed = set(re.findall(r"^\| `loa ([a-z-]+)", tour, re.MULTILINE))
    assert listed == top


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from loa.cli.main import app; "
        "print(sorted(m for m in ('sqlalchemy','numpy','pydub','httpx','alembic','yaml','docx',"
        "'matplotlib','apscheduler','scipy','onnxruntime') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
