"""Publishing a bulletin by hand, outside the plan, and checking the configured channels.
Each goes through the outbox (loa.channels.outbox); a message by hand is
`loa.app.publish.publish_message`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from loa.audio.bulletin import bulletin_key
from loa.channels.base import Channel, CheckResult, channel_class, load_channels
from loa.channels.bulletin import bulletin_item
from loa.channels.outbox import send
from loa.channels.runtime import Runtime
from loa.core.errors import LoaError, UserError
from loa.core.i18n import Catalog
from loa.core.registry import channel_names, is_audio

T = Catalog(
    {
        "insights": (
            "Số liệu trả về (loa insights pull): {what}.",
            "Figures back (loa insights pull): {what}.",
        ),
        "insights_none": (
            "Kênh này không cung cấp số liệu người xem, người nghe (loa insights pull bỏ qua).",
            "This channel offers no audience figures (loa insights pull skips it).",
        ),
    }
)

if TYPE_CHECKING:
    from loa.channels.models import Publication
    from loa.core.station import Station


def bulletin_publication_key(when: datetime, channel: str) -> str:
    """The outbox key of the bulletin at `when` on `channel`."""
    return f"bulletin:{bulletin_key(when)}:{channel}"


def publish_bulletin(
    station: Station,
    when: datetime,
    channel: str,
    *,
    now: datetime,
    runtime: Runtime | None = None,
) -> Publication:
    """Publish the rendered bulletin of `when` on a channel (website: a podcast episode;
    facebook: a video post of a still card plus the audio). Key
    "bulletin:YYYY-MM-DD HH:MM:<channel>". Raises RuntimeFailure when it is not rendered."""
    item = bulletin_item(station, bulletin_publication_key(when, channel), due_at=now)
    runtime = runtime or Runtime()
    try:
        return send(station, item, channel, now=now, runtime=runtime)
    finally:
        runtime.close()


def configured_channels(station: Station) -> list[str]:
    """The channels this station can publish on, in registry order: the radio always, the
    others when loa.toml configures them (a Facebook Page with its id, a website folder...)."""
    out = []
    for name in channel_names():
        try:
            if is_audio(name) or channel_class(name).is_configured(station):
                out.append(name)
        except LoaError:  # a broken section is reported by `loa channels check`
            continue
    return out


def broadcast_budgets(
    station: Station, months: Collection[tuple[int, int]]
) -> list[tuple[str, int, tuple[str, ...], dict[tuple[int, int], int]]]:
    """(channel, broadcasts a month, priorities that broadcast, already sent by month) for
    each configured channel that limits its broadcasts (`Channel.broadcast_budget`)."""
    out = []
    for name in configured_channels(station):
        try:
            allowance = channel_class(name).broadcast_budget(station, months)
        except LoaError:
            continue
        if allowance is not None:
            out.append((name, allowance.per_month, allowance.priorities, allowance.sent))
    return out


def check_channels(station: Station, *, runtime: Runtime | None = None) -> list[CheckResult]:
    """Validate every configured channel without publishing (`loa channels check`)."""
    runtime = runtime or Runtime()
    results: list[CheckResult] = []
    try:
        for name, cls in sorted(load_channels().items()):
            if not cls.is_configured(station):
                continue
            try:
                channel = runtime.channel(station, name)
            except UserError as exc:
                results.append(CheckResult(name, False, str(exc)))
                continue
            results.extend(channel.check())
            results.append(insight_check(cls))
    finally:
        runtime.close()
    return results


def insight_check(cls: type[Channel]) -> CheckResult:
    """What the channel can tell back about what it published (`loa insights pull`), or that
    it offers nothing."""
    from loa.core.i18n import language

    if cls.insight_offer is None:
        return CheckResult(cls.name, True, T("insights_none"))
    vi, en = cls.insight_offer
    return CheckResult(cls.name, True, T("insights", what=vi if language() == "vi" else en))
