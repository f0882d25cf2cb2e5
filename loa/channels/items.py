"""What a channel is given to publish: a message (or a bulletin) as an `Item` under its key."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from loa.channels.base import Item
from loa.channels.bulletin import bulletin_item
from loa.content import queue
from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.channels.models import Publication
    from loa.content.models import Message
    from loa.core.station import Station

T = Catalog(
    {
        "no_publication": (
            "Không có bản ghi đăng số {id}. Xem: loa outbox.",
            "There is no publication {id}. See: loa outbox.",
        ),
    }
)


def message_item(
    message: Message,
    channel: str,
    key: str,
    *,
    due_at: datetime | None = None,
    broadcast: bool | None = None,
) -> Item:
    """The item a channel publishes for a message: the post variant, link or photo.
    `broadcast` is the planner's decision for a plan entry on a channel with a broadcast budget
    (None: the channel decides by the message's priority)."""
    kind = "photo" if message.image else ("link" if message.link else "text")
    body = message.post_body
    text = f"{message.title.strip()}\n\n{body}".strip() if body else message.title.strip()
    return Item(
        key=key,
        title=message.title,
        text=text,
        message_id=message.id,
        kind=kind,
        link=message.link,
        image=message.image,
        due_at=due_at,
        topic_code=message.topic_code,
        topic_name=message.topic.name if message.topic is not None else None,
        audiences=list(message.audience_codes),
        extra={
            "body": body,
            "source_document": message.source_document,
            "valid_until": message.valid_until.isoformat() if message.valid_until else None,
            "broadcast": broadcast,
        },
    )


def item_for(session: Session, station: Station, publication: Publication) -> Item:
    """Rebuild the item a publication was made for (to look for it after a crash, or to send it
    again). Raises UserError when its message or bulletin is gone."""
    if publication.key.startswith("bulletin:"):
        return bulletin_item(station, publication.key, due_at=publication.due_at)
    if publication.message_id is None:
        raise UserError(T("no_publication", id=publication.id))
    message = queue.get_message(session, publication.message_id)
    broadcast = None
    if publication.plan_entry_id is not None:
        from loa.planning.models import PlanEntry

        entry = session.get(PlanEntry, publication.plan_entry_id)
        broadcast = entry.broadcast if entry is not None else None
    return message_item(
        message,
        publication.channel,
        publication.key,
        due_at=publication.due_at,
        broadcast=broadcast,
    )
