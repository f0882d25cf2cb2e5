"""The outbox's words: every message it records or raises, in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from loa.channels.models import (
    Publication,
    PublicationStatus,
)
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


P = PublicationStatus

#: A caller's own record of a finished post, written in the outbox's transaction (`send`).
OnDone = Callable[["Session", Publication], None]

T = Catalog(
    {
        "no_publication": (
            "Không có bản ghi đăng số {id}. Xem: loa outbox.",
            "There is no publication {id}. See: loa outbox.",
        ),
        "busy": (
            'Bài "{key}" đang được tiến trình khác ({owner}) gửi đi. Đợi tiến trình đó xong '
            "rồi xem lại bằng loa outbox.",
            '"{key}" is being sent by another process ({owner}). Wait for it to finish, then '
            "check loa outbox.",
        ),
        "uncertain": (
            'Chưa chắc bài "{key}" đã lên {channel} hay chưa (bản ghi {id}): {reason} '
            "loa không đăng lại khi chưa tra thấy bài không có; sẽ tra lại từ {when} "
            "(loa run tự làm, hoặc chạy loa outbox).",
            'Not sure whether "{key}" reached {channel} (record {id}): {reason} loa does not '
            "post it again before a look-up shows it is not there; it looks again from {when} "
            "(loa run does it, or run loa outbox).",
        ),
        "uncertain_officer": (
            'Chưa chắc bài "{key}" đã lên {channel} hay chưa (bản ghi {id}): {reason} Kênh '
            "này không cho tra cứu: kiểm tra trên {channel} rồi xác nhận: loa outbox --done "
            "{id} (đã lên) hoặc loa outbox --retry {id} (chưa lên, đăng lại).",
            'Not sure whether "{key}" reached {channel} (record {id}): {reason} This channel '
            "cannot be searched: check {channel}, then confirm: loa outbox --done {id} (it is "
            "there) or loa outbox --retry {id} (it is not, post again).",
        ),
        "lost_lookup": (
            "Gián đoạn khi đang gửi; kênh này không cho tra cứu nên không biết bài đã lên chưa.",
            "Interrupted while sending; this channel cannot be searched, so whether the post "
            "went out is unknown.",
        ),
        "in_doubt": (
            "Lần gửi lúc {at} không có kết quả rõ ({error}).",
            "The attempt at {at} has no clear outcome ({error}).",
        ),
        "interrupted": (
            "Tiến trình gửi lúc {at} đã dừng giữa chừng.",
            "The process sending it at {at} stopped half-way.",
        ),
        "settling": (
            "Đợi {channel} hiện bài mới (tới {when}) rồi mới tra.",
            "Waiting until {when} for {channel} to list new posts before looking.",
        ),
        "lookup_failed": (
            "Chưa tra cứu được ({error}); lần tra thứ {n} không thành.",
            "The look-up failed ({error}); look-up {n} did not succeed.",
        ),
        "not_found": (
            "Đã tra trên kênh sau thời gian chờ và không thấy bài; có thể đăng lại.",
            "The channel was searched after the settle time and the post is not there; it may "
            "be posted again.",
        ),
        "gave_up": (
            "Đã thử {n} lần, chưa được: {error} Có thể thử lại từ {when}.",
            "Tried {n} times without success: {error} It may be tried again from {when}.",
        ),
        "deferred": (
            "{error} Chưa gửi lại ngay; có thể thử lại từ {when}.",
            "{error} Not sent again at once; it may be tried again from {when}.",
        ),
        "wait_until": (
            'Bài "{key}" đang được hoãn tới {when}: {error}',
            '"{key}" is put off until {when}: {error}',
        ),
        "not_recorded": (
            "Bài đã lên {channel} ({remote}) nhưng không ghi được vào cơ sở dữ liệu: {error} "
            "Không đăng lại: lần chạy sau (loa run hoặc loa outbox) sẽ tra thấy bài và ghi nhận.",
            "The post is on {channel} ({remote}) but could not be recorded in the database: "
            "{error} Do not post it again: the next run (loa run or loa outbox) will find it "
            "and record it.",
        ),
        "disk_full": (
            "Hết chỗ trên đĩa chứa {path}: không ghi được. Giải phóng chỗ trống rồi chạy lại.",
            "The disk holding {path} is full: nothing could be written. Free some space and "
            "run again.",
        ),
        "confirmed": ("Cán bộ xác nhận đã lên.", "Confirmed by the officer as published."),
        "no_item": (
            "Bản ghi đăng số {id} không còn nội dung đã gửi (tin đã bị xóa). Kiểm tra trên kênh "
            "rồi xác nhận bằng loa outbox --done {id}, hoặc bỏ qua.",
            "Publication {id} no longer has what it sent (its message was deleted). Check the "
            "channel, then confirm with loa outbox --done {id}, or leave it.",
        ),
        "not_uncertain": (
            "Bản ghi {id} đang ở trạng thái {status}, không cần xác nhận.",
            "Record {id} is {status}; there is nothing to confirm.",
        ),
    }
)
