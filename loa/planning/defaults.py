"""Default audience time slots for a rural commune, written as assumptions an officer can edit.

Assumptions (reach = the share of each audience group that a slot reaches, 0-1):

- Radio, early morning 05:30 (15 min): farmers and workers are home before going to the fields,
  factories or the sea; the elderly listen most. Reach: elderly 0.70, workers 0.60, residents
  0.55, parents 0.45, officials 0.40, businesses 0.35.
- Radio, late afternoon 17:30 (15 min): people come home from work; pupils and parents are home.
  Reach: residents 0.60, elderly 0.60, parents 0.55, workers 0.50, businesses 0.40, officials 0.30.
  Both radio slots run daily with 900 s of airtime (bulletin intro and outro included), so a week
  carries about 3.4 hours: enough for ~20 messages of 60-90 s aired 2-3 times each.
- Facebook Page: 07:00 (officials and parents before work and school), 11:30 (lunch break, the
  workers' only free moment), 20:00 (the evening scroll, the widest reach); 2-3 posts each.
- Website: 08:00 and 14:00 on working days (officials and businesses at their desks); 3 posts each.
- Zalo OA: 07:30 and 19:30 (messages read on the phone before and after work); 2 posts each.

Social reach is lower than radio reach in a rural commune (fewer smartphones among the elderly),
which the planner uses to favour the radio for messages aimed at the elderly and farmers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loa.core.registry import channel_names
from loa.planning.models import Slot
from loa.planning.slots import SlotSpec, add_slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DAILY = [0, 1, 2, 3, 4, 5, 6]
WORKDAYS = [0, 1, 2, 3, 4]

DEFAULT_SLOTS: tuple[SlotSpec, ...] = (
    SlotSpec(
        "radio",
        "Bản tin sáng",
        "05:30",
        900,
        DAILY,
        {
            "elderly": 0.70,
            "workers": 0.60,
            "residents": 0.55,
            "parents": 0.45,
            "officials": 0.40,
            "businesses": 0.35,
        },
        "Giả định: bà con nghe loa trước khi ra đồng, đi làm, đi biển.",
    ),
    SlotSpec(
        "radio",
        "Bản tin chiều",
        "17:30",
        900,
        DAILY,
        {
            "residents": 0.60,
            "elderly": 0.60,
            "parents": 0.55,
            "workers": 0.50,
            "businesses": 0.40,
            "officials": 0.30,
        },
        "Giả định: người dân đi làm về, học sinh và phụ huynh ở nhà.",
    ),
    SlotSpec(
        "facebook",
        "Facebook sáng",
        "07:00",
        2,
        DAILY,
        {
            "officials": 0.30,
            "parents": 0.25,
            "businesses": 0.20,
            "residents": 0.15,
            "workers": 0.10,
            "elderly": 0.05,
        },
        "Giả định: cán bộ, phụ huynh xem điện thoại trước giờ làm, giờ học.",
    ),
    SlotSpec(
        "facebook",
        "Facebook trưa",
        "11:30",
        2,
        DAILY,
        {
            "workers": 0.30,
            "residents": 0.25,
            "businesses": 0.20,
            "officials": 0.20,
            "parents": 0.20,
            "elderly": 0.05,
        },
        "Giả định: giờ nghỉ trưa là lúc người lao động rảnh nhất.",
    ),
    SlotSpec(
        "facebook",
        "Facebook tối",
        "20:00",
        3,
        DAILY,
        {
            "residents": 0.35,
            "workers": 0.35,
            "parents": 0.35,
            "businesses": 0.25,
            "officials": 0.25,
            "elderly": 0.10,
        },
        "Giả định: buổi tối nhiều người xem mạng xã hội nhất.",
    ),
    SlotSpec(
        "website",
        "Trang web sáng",
        "08:00",
        3,
        WORKDAYS,
        {
            "officials": 0.25,
            "businesses": 0.20,
            "residents": 0.05,
            "parents": 0.05,
            "workers": 0.02,
            "elderly": 0.02,
        },
        "Giả định: cán bộ và doanh nghiệp xem trang web trong giờ hành chính.",
    ),
    SlotSpec(
        "website",
        "Trang web chiều",
        "14:00",
        3,
        WORKDAYS,
        {
            "officials": 0.20,
            "businesses": 0.20,
            "residents": 0.05,
            "parents": 0.05,
            "workers": 0.02,
            "elderly": 0.02,
        },
        "Giả định: như buổi sáng, ít hơn một chút.",
    ),
    SlotSpec(
        "zalo",
        "Zalo sáng",
        "07:30",
        2,
        DAILY,
        {
            "residents": 0.20,
            "parents": 0.25,
            "officials": 0.20,
            "businesses": 0.15,
            "workers": 0.15,
            "elderly": 0.05,
        },
        "Giả định: tin Zalo được đọc trên điện thoại trước giờ làm.",
    ),
    SlotSpec(
        "zalo",
        "Zalo tối",
        "19:30",
        2,
        DAILY,
        {
            "residents": 0.25,
            "workers": 0.25,
            "parents": 0.25,
            "businesses": 0.15,
            "officials": 0.15,
            "elderly": 0.05,
        },
        "Giả định: buổi tối sau giờ làm.",
    ),
)


def seed_default_slots(session: Session) -> int:
    """Add the default slots if the station has none yet, for the channels loa has (the Zalo
    slots wait until a Zalo channel is installed). Returns how many were added."""
    from sqlalchemy import func, select

    if session.scalar(select(func.count(Slot.id))):
        return 0
    known = channel_names()
    specs = [spec for spec in DEFAULT_SLOTS if spec.channel in known]
    for spec in specs:
        add_slot(
            session,
            SlotSpec(
                spec.channel,
                spec.name,
                spec.start,
                spec.capacity,
                list(spec.weekdays),
                dict(spec.reach),
                spec.note,
            ),
        )
    return len(DEFAULT_SLOTS)
