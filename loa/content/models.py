"""Stored content: CCHC topics, audience groups, and the messages of the queue."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loa.core.db import Base
from loa.core.i18n import Catalog, language
from loa.core.registry import default_channels
from loa.core.states import StateMachine

#: What people read for a status or a priority (`MessageStatus.APPROVED.label`).
T = Catalog(
    {
        "priority_normal": ("thông thường", "normal"),
        "priority_high": ("ưu tiên", "high"),
        "priority_urgent": ("khẩn cấp", "urgent"),
        "message_draft": ("nháp", "draft"),
        "message_approved": ("đã duyệt", "approved"),
        "message_archived": ("lưu trữ", "archived"),
    }
)


class Priority(StrEnum):
    """How urgently a message must go out: urgent ones air at once, outside the slot grid."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        """The priority in the user's language ("ưu tiên", or "high" when LOA_LANG=en)."""
        return T(f"priority_{self.value}")


class MessageStatus(StrEnum):
    """Where a message stands in the queue. Only approved messages are planned or published."""

    DRAFT = "draft"
    APPROVED = "approved"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        """The status in the user's language ("đã duyệt", or "approved" when LOA_LANG=en)."""
        return T(f"message_{self.value}")


#: Approving takes a draft to approved; editing the words of an approved message sends it back
#: to draft; archiving ends its life (an archived message can be restored as a draft).
MESSAGE_STATES = StateMachine(
    "message",
    {
        MessageStatus.DRAFT: frozenset({MessageStatus.APPROVED, MessageStatus.ARCHIVED}),
        MessageStatus.APPROVED: frozenset({MessageStatus.DRAFT, MessageStatus.ARCHIVED}),
        MessageStatus.ARCHIVED: frozenset({MessageStatus.DRAFT}),
    },
)

PRIORITIES = tuple(p.value for p in Priority)
STATUSES = tuple(s.value for s in MessageStatus)

message_audiences = Table(
    "message_audiences",
    Base.metadata,
    Column("message_id", ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_code", ForeignKey("audiences.code"), primary_key=True),
)


class Topic(Base):
    """A CCHC content area (or index) a message belongs to; editable per station."""

    __tablename__ = "topics"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    builtin: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        """The name in the user's language (the Vietnamese name when there is no English one)."""
        return self.name_en if language() == "en" and self.name_en else self.name


class Audience(Base):
    """A target audience group (officials, residents, businesses, ...); editable per station."""

    __tablename__ = "audiences"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    builtin: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        """The name in the user's language (the Vietnamese name when there is no English one)."""
        return self.name_en if language() == "en" and self.name_en else self.name


class Campaign(Base):
    """A date window (a contest, 18/11 solidarity day) that boosts its messages inside it."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    boost: Mapped[float] = mapped_column(default=1.5)
    topics: Mapped[list[str]] = mapped_column(default=list)


class Message(Base):
    """One CCHC message in the queue: draft -> approved -> archived."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    topic_code: Mapped[str] = mapped_column(ForeignKey("topics.code"))
    source_document: Mapped[str | None] = mapped_column(String(500), default=None)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL.value)
    airings_per_week: Mapped[int] = mapped_column(Integer, default=2)
    channels: Mapped[list[str]] = mapped_column(default=default_channels)
    radio_script: Mapped[str | None] = mapped_column(Text, default=None)
    post_text: Mapped[str | None] = mapped_column(Text, default=None)
    image: Mapped[str | None] = mapped_column(String(500), default=None)
    link: Mapped[str | None] = mapped_column(String(500), default=None)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), default=None)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.DRAFT.value, index=True)
    approved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    #: Loudspeaker zones this message is for ([] = every zone) and, for an urgent message, how
    #: many times it is read after the alert tone (None = the station's urgent_repeats).
    zones: Mapped[list[str]] = mapped_column(default=list)
    repeats: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The message's own voice ("engine:voice", e.g. "fpt:lannhi", or a voice of the station's
    #: engine) and speaking rate (1.0 normal); None = the station's [audio] voice and rate.
    voice: Mapped[str | None] = mapped_column(String(100), default=None)
    voice_rate: Mapped[float | None] = mapped_column(Float, default=None)
    #: Added by migration 0009_recordings: the commune's own recording that airs in place of
    #: the synthetic reading ("<sha256>.<ext>" under media/recordings, `loa.audio.recording`),
    #: the name it was given, and its length in seconds.
    audio: Mapped[str | None] = mapped_column(String(80), default=None)
    audio_name: Mapped[str | None] = mapped_column(String(300), default=None)
    audio_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    #: Added by migration 0013_province_messages: the province message (province.messages id)
    #: this one was delivered from; its words are the province's, the commune cannot edit them.
    province_message_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)

    topic: Mapped[Topic] = relationship(lazy="joined")
    audiences: Mapped[list[Audience]] = relationship(
        secondary=message_audiences, lazy="selectin", order_by=Audience.position
    )
    campaign: Mapped[Campaign | None] = relationship(lazy="joined")

    @property
    def audience_codes(self) -> list[str]:
        return [a.code for a in self.audiences]

    @property
    def spoken_text(self) -> str:
        """What the radio reads: the radio script if there is one, else title and body."""
        if self.radio_script and self.radio_script.strip():
            return self.radio_script.strip()
        return f"{self.title.strip()}.\n{self.body.strip()}".strip()

    @property
    def post_body(self) -> str:
        """What a social post or web page shows: the post variant if there is one, else the body."""
        return (self.post_text or self.body or "").strip()

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready view (dates as ISO strings); what --json and export produce.

        Priority and status are plain strings even when set from an enum member in this session
        (YAML's safe dumper refuses str subclasses)."""
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "topic": self.topic_code,
            "audiences": self.audience_codes,
            "source_document": self.source_document,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "priority": str(self.priority),
            "airings_per_week": self.airings_per_week,
            "channels": list(self.channels),
            "radio_script": self.radio_script,
            "post_text": self.post_text,
            "image": self.image,
            "link": self.link,
            "audio": self.audio,
            "campaign_id": self.campaign_id,
            "status": str(self.status),
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat(timespec="seconds")
            if self.approved_at
            else None,
        }
