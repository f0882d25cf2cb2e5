"""Publishing by hand, outside the plan: one message or one bulletin on one channel, and
checking the configured channels. Each goes through the outbox (loa.channels.outbox)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from loa.audio.bulletin import bulletin_key
from loa.channels.base import CheckResult, channel_class, load_channels
from loa.channels.bulletin import bulletin_item
from loa.channels.items import message_item
from loa.channels.outbox import send
from loa.channels.runtime import Runtime
from loa.content import queue
from loa.content.models import MessageStatus
from loa.core.errors import LoaError, UserError
from loa.core.i18n import Catalog
from loa.core.registry import channel_names

if TYPE_CHECKING:
    from loa.channels.models import Publication
    from loa.core.station import Station

T = Catalog(
    {
        "not_approved": (
            "Tin {id} chưa được duyệt (trạng thái {status}). Duyệt tin trước khi đăng.",
            "Message {id} is not approved (status {status}). Approve it before publishing.",
        ),
    }
)


def publish_message(
    station: Station,
    message_id: int,
    channel: str,
    *,
    now: datetime,
    key: str | None = None,
    runtime: Runtime | None = None,
    retry_uncertain: bool = False,
    due_at: datetime | None = None,
) -> Publication:
    """Publish one message on one channel by hand, through the same outbox as the daemon.

    The default key is "manual:<message>:<channel>", so running it again posts nothing.
    `due_at` (default `now`) later than now lets Facebook schedule the post when enabled.
    Raises UserError (no such message, not approved, unknown channel) or ChannelError.
    """
    with station.transaction() as session:
        message = queue.get_message(session, message_id)
        if message.status != MessageStatus.APPROVED:
            raise UserError(
                T("not_approved", id=message_id, status=MessageStatus(message.status).label)
            )
        item = message_item(
            message, channel, key or f"manual:{message_id}:{channel}", due_at=due_at or now
        )
    runtime = runtime or Runtime()
    try:
        return send(
            station, item, channel, now=now, runtime=runtime, retry_uncertain=retry_uncertain
        )
    finally:
        runtime.close()


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
            if channel_class(name).audio or channel_class(name).is_configured(station):
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
    finally:
        runtime.close()
    return results
