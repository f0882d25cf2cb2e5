"""The one list of channels: small descriptors (ChannelInfo), built in or added by packages.

A descriptor says everything loa knows about a channel but how to publish: its name, label,
aliases, colour, whether it airs audio, its delivery hours, its rate limit, whether it hosts
photos, whether new messages use it, and the hook that gives its own CLI commands. The
implementation is a "module:Class" string, imported only to publish, so asking about channels
imports none of them and `loa --help` stays fast. Another package adds a channel through the
`loa.channels` entry-point group, naming a ChannelInfo or a class whose attributes say the same:

    [project.entry-points."loa.channels"]
    telegram = "loa_telegram:TelegramChannel"

Every other part of loa (message fields, slots, the planner, reports, charts, the province's
rate limits, the photo host) asks this module, never a list of its own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

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


class CommandDoor(Protocol):
    """What the command line hands a channel's `commands` hook: the station of the current
    directory, the console, and a sub-command group made like every other one of loa's."""

    def station(self) -> Any: ...

    def console(self) -> Any: ...

    def group(self, help_text: str) -> Any: ...


@dataclass(frozen=True)
class ChannelInfo:
    """What loa knows about a channel without importing it: everything but how to publish."""

    name: str
    #: "module:Class" of the implementation, imported only to publish (or check, or look up).
    spec: str
    #: (Vietnamese, English) name for people: menus, reports, charts.
    label: tuple[str, str]
    #: Other words officers write for it in import files (lower case).
    aliases: tuple[str, ...] = ()
    #: Its colour in charts and on the dashboard.
    colour: str = "#7f8c8d"
    #: True for a channel that airs bulletins: its slots hold seconds of airtime, not posts.
    audio: bool = False
    #: The hours (start, end) in which the remote side delivers (Zalo's broadcasts); a slot of
    #: this channel must start inside them. None: any time.
    hours: tuple[int, int] | None = None
    #: Posts a minute per station a province's workers send it, unless province.toml
    #: [rate_limits] says otherwise. None: no limit.
    rate_per_minute: float | None = None
    #: Set when it can host the station's photos: where `photo_host = "auto"` tries it
    #: (lowest first). None: it hosts none.
    photo_rank: int | None = None
    #: True when a new message goes out on it unless the officer chooses.
    default: bool = False
    #: True for channels that exist for tests and dry runs: messages and slots cannot name them.
    internal: bool = False
    #: "module:function" of the hook that gives the channel's own `loa channels <name> ...`
    #: commands: called with a CommandDoor, it returns a Typer group (or None).
    commands: str | None = None

    @classmethod
    def of_class(cls, name: str, spec: str, impl: Any) -> ChannelInfo:
        """The descriptor of a plug-in that names its class: read off the class attributes."""
        hours = getattr(impl, "hours", None)
        return cls(
            name=name,
            spec=spec,
            label=tuple(getattr(impl, "label", (name, name))),
            aliases=tuple(getattr(impl, "aliases", ())),
            colour=str(getattr(impl, "colour", cls.colour)),
            audio=bool(getattr(impl, "audio", False)),
            hours=(int(hours[0]), int(hours[1])) if hours else None,
            rate_per_minute=getattr(impl, "rate_per_minute", None),
            photo_rank=getattr(impl, "photo_rank", None),
            default=bool(getattr(impl, "default", False)),
            internal=bool(getattr(impl, "internal", False)),
            commands=getattr(impl, "commands", None),
        )


#: The channels loa ships, in the order people see them (the radio first).
BUILTIN: tuple[ChannelInfo, ...] = (
    ChannelInfo(
        "radio",
        "loa.channels.radio:RadioChannel",
        ("Đài truyền thanh", "Radio"),
        aliases=("đài", "truyền thanh", "đài truyền thanh", "loa"),
        colour="#c0392b",
        audio=True,
        default=True,
    ),
    ChannelInfo(
        "facebook",
        "loa.channels.facebook:FacebookChannel",
        ("Trang Facebook", "Facebook Page"),
        aliases=("fb",),
        colour="#1f5fbf",
        rate_per_minute=30.0,
        default=True,
    ),
    ChannelInfo(
        "website",
        "loa.channels.website:WebsiteChannel",
        ("Trang thông tin điện tử", "Website"),
        aliases=("web", "trang web"),
        colour="#2e8b57",
        photo_rank=2,
        default=True,
    ),
    ChannelInfo(
        "wordpress",
        "loa.channels.wordpress:WordPressChannel",
        ("WordPress", "WordPress"),
        colour="#8e44ad",
        rate_per_minute=60.0,
        photo_rank=1,
    ),
    ChannelInfo(
        "zalo",
        "loa.channels.zalo:ZaloChannel",
        ("Zalo OA", "Zalo OA"),
        aliases=("zalo oa", "oa zalo", "zl"),
        colour="#0068ff",
        hours=(6, 20),
        rate_per_minute=10.0,
        commands="loa.channels.zalo_commands:commands",
    ),
    ChannelInfo(
        "null",
        "loa.channels.null:NullChannel",
        ("Kênh rỗng", "Null"),
        internal=True,
    ),
)
#: name -> "module:Class" of the built-ins.
BUILTIN_CHANNELS: dict[str, str] = {info.name: info.spec for info in BUILTIN}


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
_BUILTIN_INFO = {info.name: info for info in BUILTIN}


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
    _plugin_info.cache_clear()


@cache
def _plugin_info(name: str, spec: str) -> ChannelInfo:
    """The descriptor an entry point names (a ChannelInfo), or one read off the class it names."""
    try:
        found = load_spec(spec)
    except (ImportError, AttributeError) as exc:
        raise UserError(T("broken", name=name, spec=spec, error=exc)) from None
    if isinstance(found, ChannelInfo):
        return found
    return ChannelInfo.of_class(name, spec, found)


def describe(name: str) -> ChannelInfo:
    """The descriptor of the channel registered under `name`, importing nothing for a built-in.

    Raises UserError listing the valid names when there is none, or when its package is broken.
    """
    if name in _ADDED:
        return ChannelInfo.of_class(name, f"<added>:{name}", _ADDED[name])
    if name in _BUILTIN_INFO:
        return _BUILTIN_INFO[name]
    spec = channel_specs().get(name)
    if spec is None:
        raise UserError(T("unknown", name=name, valid=", ".join(channel_names())))
    return _plugin_info(name, spec)


def channels(*, internal: bool = False) -> tuple[ChannelInfo, ...]:
    """The descriptors of the channels messages and slots may name, the radio first; `internal`
    adds the ones for tests and dry runs. A broken plug-in is listed nowhere."""
    out = []
    for name in channel_specs():
        try:
            info = describe(name)
        except UserError:  # a broken plug-in: named when someone asks for it, listed nowhere
            continue
        if internal or not info.internal:
            out.append(info)
    return tuple(out)


def channel_class(name: str) -> Any:
    """The channel class registered under `name` (a `loa.channels.base.Channel` subclass).

    Raises UserError listing the valid names when there is none, or when its package is broken.
    """
    if name in _ADDED:
        return _ADDED[name]
    info = describe(name)
    try:
        return load_spec(info.spec)
    except (ImportError, AttributeError) as exc:
        raise UserError(T("broken", name=name, spec=info.spec, error=exc)) from None


def channel_names(*, internal: bool = False) -> tuple[str, ...]:
    """Names of the channels messages and slots may name, the radio first. `internal` adds the
    ones that exist for tests and dry runs (the null channel)."""
    return tuple(info.name for info in channels(internal=internal))


def default_channels() -> list[str]:
    """The channels a new message goes out on unless the officer chooses."""
    return [info.name for info in channels() if info.default]


def audio_channels() -> tuple[str, ...]:
    """The channels that air bulletins (the radio)."""
    return tuple(info.name for info in channels() if info.audio)


def photo_hosts() -> tuple[str, ...]:
    """The channels that can host photos, in the order `photo_host = "auto"` tries them."""
    hosts = [info for info in channels() if info.photo_rank is not None]
    return tuple(info.name for info in sorted(hosts, key=lambda i: i.photo_rank or 0))


def rate_limits() -> dict[str, float]:
    """Posts a minute per station of every channel that has a limit."""
    return {i.name: i.rate_per_minute for i in channels() if i.rate_per_minute is not None}


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
    vi, en = describe(name).label
    return str(en if language() == "en" else vi)


def channel_words() -> dict[str, str]:
    """Words officers write for a channel in import files and commands (lower case), mapped to
    its name: the name, both labels and its `aliases` ("đài", "fb", "trang web", ...)."""
    words: dict[str, str] = {}
    for info in channels():
        for word in (info.name, *info.label, *info.aliases):
            words.setdefault(str(word).strip().lower(), info.name)
    return words


def channel_colour(name: str) -> str | None:
    """The channel's colour in charts (None for a name no package provides)."""
    if name not in channel_specs():
        return None
    return describe(name).colour


def channel_hours(name: str) -> tuple[int, int] | None:
    """The hours (start, end) a channel's slots must start in, or None (any time)."""
    if name not in channel_specs():
        return None
    return describe(name).hours


def is_audio(name: str) -> bool:
    """True for channels that air bulletins (capacity in seconds of airtime, not posts)."""
    info = _BUILTIN_INFO.get(name)  # the planner asks often: the built-ins without a lookup
    if info is not None and name not in _ADDED:
        return info.audio
    return name in channel_specs() and describe(name).audio
