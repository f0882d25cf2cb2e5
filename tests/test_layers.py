"""The flow is one-way: no module of loa imports a layer above its own, counting imports inside
functions and under TYPE_CHECKING (see docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import loa

ROOT = Path(loa.__file__).parent

#: Lowest first. A module may import its own layer and the layers before it.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("content",),
    ("planning",),
    ("audio",),
    ("channels",),
    ("report",),
    ("app", "migrations"),
    ("province",),
    ("web",),
    ("cli", "__main__", "__init__"),
]
RANK = {part: n for n, parts in enumerate(LAYERS) for part in parts}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported loa module) for every import in the file, at any depth."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "loa":  # `from loa import audio` imports a subpackage; `__version__` not
                found += [
                    (node.lineno, f"loa.{a.name}")
                    for a in node.names
                    if (ROOT / a.name).is_dir() or (ROOT / f"{a.name}.py").is_file()
                ]
            else:
                found.append((node.lineno, target))
    return [(line, name) for line, name in found if name.startswith("loa.")]


def _modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(rel.parts)
        out.append((path, name.removesuffix(".__init__")))
    return out


def test_every_subpackage_has_a_layer() -> None:
    units = {_unit(name) for _, name in _modules()}
    assert units <= set(RANK), f"give these a layer in LAYERS: {sorted(units - set(RANK))}"


def test_no_module_imports_a_layer_above_it() -> None:
    wrong = []
    for path, name in _modules():
        mine = RANK[_unit(name)]
        for line, target in _imports(path, name):
            theirs = RANK.get(_unit(target))
            if theirs is None or theirs > mine:
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
    assert not wrong, "imports that go up the layers:\n" + "\n".join(wrong)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from loa.channels import base\n"
        "def f():\n    from loa.app import daemon\n    import loa.report.figures\n",
        encoding="utf-8",
    )
    assert [t for _, t in _imports(source, "loa.audio.mod")] == [
        "loa.channels",
        "loa.app",
        "loa.report.figures",
    ]


#: The layers under loa.app. cli/ and web/ are doors over loa.app: they should reach these
#: only through it (core's errors, i18n and presentation helpers are fine).
UNDER_APP = {"content", "planning", "audio", "channels", "report"}


def _door_imports() -> list[str]:
    return [
        f"{path.relative_to(ROOT.parent)}:{line} imports {target}"
        for path, name in _modules()
        if _unit(name) in ("cli", "web")
        for line, target in _imports(path, name)
        if _unit(target) in UNDER_APP
    ]


def test_the_doors_go_through_loa_app() -> None:
    """cli/ and web/ reach content, planning, audio, channels and report only through loa.app
    (126 such imports before issue #25): a door's work is a function of loa.app that takes a
    station and returns plain data."""
    found = _door_imports()
    assert not found, (
        "cli/ and web/ import the layers under loa.app: call a function of loa.app instead.\n"
        + "\n".join(found)
    )
