"""The one list of channels: names, labels and capabilities, built in or added by packages.

Built-in channels are named here as "module:Class" strings, so asking for the names imports
nothing; another package adds one through the `loa.channels` entry-point group, e.g.

    [project.entry-points."loa.channels"]
    telegram = "loa_telegram:TelegramChannel"

Every other part of loa (message fields, slots, the planner, reports, charts) asks this module,
never a list of its own. A class is imported only when something needs it (its label, or to
publish), so `loa --help` stays fast.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from loa.core.errors import UserError
from loa.core.i18n import Catalog, language

T = Catalog(
    {
        "unknown": (
            'Kênh "{name}" không có. Các kênh hợp lệ: {valid}.',
            'There is no channel "{name}". Valid channels: {valid}.',
        ),
        "urgent": ("Khẩn cấp (mọi kênh)", "Urgent (every channel)"),
        "broken": (
            'Không nạp được kênh "{name}" ({spec}): {error}. Cài lại gói cung cấp kênh này.',
            'Channel "{name}" ({spec}) could not be loaded: {error}. Reinstall the package '
            "that provides it.",
        ),
    }
)

CHANNEL_GROUP = "loa.channels"
ENGINE_GROUP = "loa.engines"

#: The channels loa ships, in the order people see them (the radio first).
BUILTIN_CHANNELS: dict[str, str] = {
    "radio": "loa.channels.radio:RadioChannel",
    "facebook": "loa.channels.facebook:FacebookChannel",
    "website": "loa.channels.website:WebsiteChannel",
    "wordpress": "loa.channels.wordpress:WordPressChannel",
    "zalo": "loa.channels.zalo:ZaloChannel",
    "null": "loa.channels.null:NullChannel",
}


def plugin_specs(group: str, builtin: dict[str, str]) -> dict[str, str]:
    """name -> "module:attr": the built-ins first, then entry points of `group` (a plugin never
    replaces a built-in of the same name)."""
    from importlib.metadata import entry_points  # ~13 ms: not paid by `loa --help`

    specs = dict(builtin)
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        specs.setdefault(ep.name, ep.value)
    return specs


def load_spec(spec: str) -> Any:
    """The object a "module:attr" string names (ImportError/AttributeError when it is broken)."""
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


# Channels added at run time by code that embeds loa (and by tests): name -> class.
_ADDED: dict[str, Any] = {}


@cache
def _installed() -> dict[str, str]:
    return plugin_specs(CHANNEL_GROUP, BUILTIN_CHANNELS)


def channel_specs() -> dict[str, str]:
    """name -> "module:Class" of every channel: built in, installed by packages, added here."""
    return {**_installed(), **{name: f"<added>:{name}" for name in _ADDED}}


def add_channel(cls: Any) -> None:
    """Add a channel class under its `name` for this process (code that builds channels at run
    time; packages use the entry-point group instead)."""
    _ADDED[cls.name] = cls


def discard_channel(name: str) -> None:
    """Forget a channel added with `add_channel`."""
    _ADDED.pop(name, None)


def refresh() -> None:
    """Look at the installed packages' entry points again (after installing a plugin)."""
    _installed.cache_clear()


def channel_class(name: str) -> Any:
    """The channel class registered under `name` (a `loa.channels.base.Channel` subclass).

    Raises UserError listing the valid names when there is none, or when its package is broken.
    """
    if name in _ADDED:
        return _ADDED[name]
    spec = channel_specs().get(name)
    if spec is None:
        raise UserError(T("unknown", name=name, valid=", ".join(channel_names())))
    try:
        return load_spec(spec)
    except (ImportError, AttributeError) as exc:
        raise UserError(T("broken", name=name, spec=spec, error=exc)) from None


def channel_names(*, internal: bool = False) -> tuple[str, ...]:
    """Names of the channels messages and slots may name, the radio first. `internal` adds the
    ones that exist for tests and dry runs (the null channel)."""
    names = []
    for name in channel_specs():
        try:
            cls = channel_class(name)
        except UserError:  # a broken plug-in: named when someone asks for it, listed nowhere
            continue
        if internal or not getattr(cls, "internal", False):
            names.append(name)
    return tuple(names)


def channel_rank(name: str) -> int:
    """Where a channel sorts in lists and tables (the radio first; unknown names last)."""
    names = list(channel_specs())
    return names.index(name) if name in names else len(names)


def check_channel(name: str) -> str:
    """`name` when a channel has it (the null channel included); UserError listing the valid
    names otherwise."""
    if name not in channel_specs():
        raise UserError(T("unknown", name=name, valid=", ".join(channel_names())))
    return name


def channel_label(name: str) -> str:
    """The channel's name for people, in the user's language ("Phát thanh", "Facebook", ...);
    "urgent", the plan's marker of an urgent message on every channel, has its own; the bare
    name for a channel no package provides (a row of old history)."""
    if name == "urgent":
        return str(T("urgent"))
    if name not in channel_specs():
        return name
    vi, en = channel_class(name).label
    return str(en if language() == "en" else vi)


def channel_words() -> dict[str, str]:
    """Words officers write for a channel in import files and commands (lower case), mapped to
    its name: the name, both labels and the class's `aliases` ("đài", "fb", "trang web", ...)."""
    words: dict[str, str] = {}
    for name in channel_names():
        cls = channel_class(name)
        for word in (name, *cls.label, *getattr(cls, "aliases", ())):
            words.setdefault(str(word).strip().lower(), name)
    return words


def channel_colour(name: str) -> str | None:
    """The channel's colour in charts (None for a name no package provides)."""
    if name not in channel_specs():
        return None
    return str(channel_class(name).colour)


def channel_hours(name: str) -> tuple[int, int] | None:
    """The hours (start, end) a channel's slots must start in, or None (any time)."""
    if name not in channel_specs():
        return None
    hours = getattr(channel_class(name), "hours", None)
    return (int(hours[0]), int(hours[1])) if hours else None


def is_audio(name: str) -> bool:
    """True for channels that air bulletins (capacity in seconds of airtime, not posts)."""
    return name in channel_specs() and bool(getattr(channel_class(name), "audio", False))
