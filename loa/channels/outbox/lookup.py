"""Looking a publication up on its channel after an attempt whose outcome is not known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from loa.channels.base import ChannelError, Item
from loa.channels.models import (
    Publication,
)
from loa.channels.runtime import RetryPolicy

if TYPE_CHECKING:
    from loa.channels.base import Channel
    from loa.core.station import Station
from loa.channels.outbox.catalog import P, T
from loa.channels.outbox.records import (
    CLOCK_SLACK,
    _complete,
    _finish,
    _fmt,
    _with_state,
)

# ------------------------------------------------------------------------------ look-ups


def _look(
    station: Station,
    channel: Channel,
    item: Item,
    publication: Publication,
    *,
    clock: Callable[[], datetime],
    retry: RetryPolicy,
    reason: str,
    late: bool = False,
    officer: bool = False,
    expect: tuple[str, str | None] | None = None,
) -> tuple[Publication, bool]:
    """Is an earlier attempt of this claimed publication on the remote side?

    Returns (publication, may_post): the completed publication when the post was found;
    the publication left "uncertain" (with its next look-up time) when it is too early to
    look or the look-up failed; may_post True only when a look-up made after the settle time
    shows the post is absent (or the officer asked to post a channel that cannot be searched).
    """
    pub_id = publication.id
    if not channel.searchable(item):
        if officer:
            return publication, True
        done = _finish(
            station,
            pub_id,
            P.UNCERTAIN,
            _with_state(reason, T("lost_lookup")),
            clock(),
            expect=expect,
        )
        return done, False
    since = publication.attempted_at or publication.created_at or clock()
    ready = since + timedelta(seconds=channel.settle_s)
    now = clock()
    if now < ready:
        text = _with_state(reason, T("settling", channel=channel.name, when=_fmt(ready)))
        done = _finish(station, pub_id, P.UNCERTAIN, text, now, next_at=ready, expect=expect)
        return done, False
    try:
        found = channel.find(item, since=since - CLOCK_SLACK)
    except ChannelError as exc:
        waits = publication.waits + 1
        at = clock()
        next_at = at + timedelta(seconds=retry.later(waits))
        text = _with_state(reason, T("lookup_failed", error=exc, n=waits))
        done = _finish(
            station, pub_id, P.UNCERTAIN, text, at, next_at=next_at, waits=waits, expect=expect
        )
        return done, False
    if found is not None:
        return _complete(station, pub_id, item, found, clock(), late=late), False
    return publication, True
