"""The channel and engine registries: one list each, built in plus installed plug-ins."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from loa.audio.engines import engine_class, engines
from loa.content.fields import parse_channels
from loa.core import registry
from loa.core.errors import UserError

PLUGIN = """
from loa.audio.engines.silent import SilentEngine
from loa.channels.null import NullChannel


class DemoChannel(NullChannel):
    name = "demo"
    label = ("Kênh mẫu", "Demo channel")
    aliases = ("kênh thử",)
    internal = False
    rate_per_minute = 5.0
    photo_rank = 0
    commands = "loa_demo_plugin:demo_commands"


def demo_commands(door):
    app = door.group("Demo commands")

    @app.command("hello")
    def hello() -> None:
        door.console().print("hello from demo")

    return app


class DemoEngine(SilentEngine):
    name = "demo-voice"
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A package installed the way pip installs one: its module plus a dist-info folder whose
    entry_points.txt names a channel and an engine."""
    (tmp_path / "loa_demo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "loa_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: loa-demo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [loa.channels]
            demo = loa_demo_plugin:DemoChannel
            radio = loa_demo_plugin:DemoChannel

            [loa.engines]
            demo-voice = loa_demo_plugin:DemoEngine
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()
    engines.cache_clear()
    yield
    monkeypatch.undo()
    registry.refresh()
    engines.cache_clear()


def test_builtin_channels_radio_first_null_internal() -> None:
    assert registry.channel_names() == ("radio", "facebook", "website", "wordpress", "zalo")
    assert "null" in registry.channel_names(internal=True)
    assert registry.is_audio("radio") and not registry.is_audio("facebook")
    assert registry.channel_words()["đài truyền thanh"] == "radio"


def test_unknown_channel_is_refused_with_the_valid_names() -> None:
    with pytest.raises(UserError, match=r'"telegram".*radio, facebook, website, wordpress, zalo'):
        registry.channel_class("telegram")
    with pytest.raises(UserError, match="telegram"):
        parse_channels("radio, telegram")


def test_a_plugin_channel_and_engine_plug_in_through_entry_points(plugin: None) -> None:
    assert registry.channel_names()[-1] == "demo"
    assert registry.channel_class("demo").__name__ == "DemoChannel"
    assert registry.channel_class("radio").__name__ == "RadioChannel"  # never replaced
    assert parse_channels("đài, kênh thử") == ["radio", "demo"]
    assert registry.channel_label("demo") == "Kênh mẫu"
    assert engine_class("demo-voice").__name__ == "DemoEngine"


def test_a_broken_plugin_is_named_in_the_error(tmp_path: Path, plugin: None) -> None:
    registry.discard_channel("demo")
    info = next(tmp_path.glob("*.dist-info"))
    (info / "entry_points.txt").write_text("[loa.channels]\nbroken = loa_no_such_module:X\n")
    registry.refresh()
    with pytest.raises(UserError, match="loa_no_such_module"):
        registry.channel_class("broken")
    assert "broken" not in registry.channel_names()  # the others keep working


def test_descriptors_answer_without_importing_a_channel() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from loa.core import registry as r\n"
        "print(r.default_channels(), r.audio_channels(), r.photo_hosts(), r.rate_limits(),\n"
        "      r.channel_hours('zalo'), r.channel_hours('facebook'), r.channel_colour('radio'),\n"
        "      sorted(m for m in sys.modules if m.startswith('loa.channels.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert (
        out.stdout.split()
        == (
            "['radio', 'facebook', 'website'] ('radio',) ('wordpress', 'website') "
            "{'facebook': 30.0, 'wordpress': 60.0, 'zalo': 10.0} (6, 20) None #c0392b []"
        ).split()
    )
    assert registry.channel_class("zalo").info().hours == (6, 20)  # the class reads its own


def test_a_plugin_class_is_described_by_its_attributes(plugin: None) -> None:
    info = registry.describe("demo")
    assert (info.label, info.aliases, info.rate_per_minute) == (
        ("Kênh mẫu", "Demo channel"),
        ("kênh thử",),
        5.0,
    )
    assert registry.photo_hosts()[0] == "demo"
    assert "demo" not in registry.default_channels()


def test_a_channel_contributes_its_own_commands(plugin: None) -> None:
    import typer
    from typer.testing import CliRunner

    from loa.cli.channels import mount_channel_commands

    group = typer.Typer()
    group.command("noop")(lambda: None)
    mount_channel_commands(group)
    runner = CliRunner()
    assert "hello from demo" in runner.invoke(group, ["demo", "hello"]).output
    assert "login" in runner.invoke(group, ["zalo", "--help"]).output
