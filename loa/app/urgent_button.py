"""The urgent button of the dashboard: air an approved message now (the daemon's urgent path,
which preempts the on-air outputs when they run) and post it on every enabled channel; audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loa.app import users
from loa.app.daemon import handle_urgent
from loa.content import queue
from loa.content.models import MessageStatus
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.station import Station

T = Catalog(
    {
        "not_approved": (
            "Tin số {id} chưa được duyệt. Cán bộ văn hóa duyệt tin trước rồi mới phát khẩn cấp.",
            "Message {id} is not approved. The officer approves it before it can go out as urgent.",
        ),
        "archived": (
            "Tin số {id} đã lưu trữ, không phát khẩn cấp được. Khôi phục hoặc tạo tin mới.",
            "Message {id} is archived and cannot go out as urgent. Restore it or write a new one.",
        ),
        "done_before": (
            "Tin số {id} đã được phát khẩn cấp rồi; không phát lại.",
            "Message {id} already went out as urgent; it is not sent again.",
        ),
    }
)


@dataclass(frozen=True)
class UrgentResult:
    message_id: int
    #: The minute the radio airs it (the daemon plays it at once), None without radio.
    radio_at: datetime | None


def broadcast_urgent(
    station: Station, message_id: int, *, by: str, address: str, now: datetime
) -> UrgentResult:
    """Put an approved message on the air at this minute and on every configured channel,
    through the daemon's own urgent path (recorded first, so it never goes out twice), and
    write it to the audit log. Raises UserError for a draft, archived or already sent message."""
    from sqlalchemy import select

    from loa.planning.models import PlanEntry, PlanStatus

    with station.transaction() as session:
        message = queue.get_message(session, message_id)
        if message.status == MessageStatus.ARCHIVED:
            raise UserError(T("archived", id=message_id))
        if message.status != MessageStatus.APPROVED:
            raise UserError(T("not_approved", id=message_id))
        marker = session.scalar(
            select(PlanEntry.status).where(
                PlanEntry.message_id == message_id, PlanEntry.channel == "urgent"
            )
        )
        if marker is not None and marker != PlanStatus.PLANNED:  # a planned one was cut short
            raise UserError(T("done_before", id=message_id))
        title = message.title
    at = handle_urgent(station, message_id, now=now)
    users.audit(station, by, "urgent", f"#{message_id} {title}", address=address, now=now)
    return UrgentResult(message_id, at)
