"""Stored publishing state: the publication outbox and the as-run log (what really went out)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import loa.planning.models  # noqa: F401  (publications point at plan entries and messages)
from loa.core.db import Base
from loa.core.i18n import Catalog
from loa.core.states import StateMachine

#: What people read for a publication's or an as-run record's status (`P.PUBLISHED.label`).
T = Catalog(
    {
        "publication_sending": ("đang gửi", "sending"),
        "publication_published": ("đã đăng", "published"),
        "publication_scheduled": ("đã hẹn giờ", "scheduled"),
        "publication_late": ("đăng muộn", "late"),
        "publication_failed": ("lỗi", "failed"),
        "publication_uncertain": ("chưa chắc chắn", "uncertain"),
        "publication_skipped": ("bỏ qua", "skipped"),
        "as_run_done": ("đã phát/đăng", "done"),
        "as_run_skipped": ("bỏ qua", "skipped"),
        "as_run_failed": ("lỗi", "failed"),
        "as_run_test": ("phát thử", "test play"),
    }
)


class PublicationStatus(StrEnum):
    """Where one publication stands in the outbox."""

    SENDING = "sending"  # recorded and committed before the remote call
    PUBLISHED = "published"
    SCHEDULED = "scheduled"  # accepted by the remote side to appear at its due time
    LATE = "late"  # published, but later than its slot
    FAILED = "failed"  # not on the remote side; may be sent again
    UNCERTAIN = "uncertain"  # may or may not be there: looked up again after `next_at`
    SKIPPED = "skipped"  # too late: never sent

    @property
    def label(self) -> str:
        """The status in the user's language ("đã đăng", or "published" when LOA_LANG=en)."""
        return T(f"publication_{self.value}")


P = PublicationStatus
#: sending -> published | scheduled | late | failed | uncertain | skipped; failed and uncertain
#: go back to sending when sent again, and the officer may confirm an uncertain (or failed) one.
PUBLICATION_STATES = StateMachine(
    "publication",
    {
        P.SENDING: frozenset({P.PUBLISHED, P.SCHEDULED, P.LATE, P.FAILED, P.UNCERTAIN, P.SKIPPED}),
        P.FAILED: frozenset({P.SENDING, P.PUBLISHED}),
        P.UNCERTAIN: frozenset({P.SENDING, P.PUBLISHED, P.SCHEDULED, P.LATE, P.FAILED}),
        P.PUBLISHED: frozenset(),
        P.SCHEDULED: frozenset(),
        P.LATE: frozenset(),
        P.SKIPPED: frozenset(),
    },
)

PUBLICATION_STATUSES = tuple(s.value for s in PublicationStatus)
#: Finished on the remote side: never send it again.
DONE_STATUSES = (P.PUBLISHED, P.SCHEDULED, P.LATE)


class AsRunStatus(StrEnum):
    """What happened to one item when its time came."""

    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    TEST = "test"  # played to check it, outside its time: never counted as aired

    @property
    def label(self) -> str:
        """The status in the user's language ("đã phát/đăng", or "done" when LOA_LANG=en)."""
        return T(f"as_run_{self.value}")


#: What sound a radio as-run row aired (`AsRunRecord.kind`).
SPEECH, RECORDED, LIVE = "speech", "recorded", "live"


class Publication(Base):
    """One attempt to put one item on one channel, recorded before the remote call.

    `key` is the idempotency key (plan entry + channel, or a manual key); a unique index makes a
    second attempt at the same key find the first instead of posting twice.
    """

    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("plan_entries.id"), default=None)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), default="sending", index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    remote_id: Mapped[str | None] = mapped_column(String(200), default=None)
    remote_url: Mapped[str | None] = mapped_column(String(500), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # Added by migration channels_0002: when the last remote attempt began and which process
    # ("host:pid") made it, so start-up reconciliation leaves a live sender alone.
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    owner: Mapped[str | None] = mapped_column(String(100), default=None)
    # Added by migration 0006_uncertain: nothing is tried (a look-up of an uncertain post, a
    # new attempt after a rate limit) before `next_at`; `waits` counts how many times in a row
    # it was put off (a failed look-up, a rate limit), so the wait grows each time.
    next_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, index=True)
    waits: Mapped[int] = mapped_column(Integer, default=0)
    # Added by migration 0008_frozen_items: the exact item sent under this key (text, link,
    # photo and its content hash, bulletin file), written when it is first claimed; a resend or
    # a look-up uses this copy, never the message as it is now (`loa.channels.base.Item`).
    item: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class AsRunRecord(Base):
    """What really aired or was published, and when: the only source for reports.

    Radio writes one row per item aired, grouped by `bulletin`; other channels one row per post.
    Topic, audiences and title are copied in, so a report stays true after a message changes.
    """

    __tablename__ = "as_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), default="done")  # done, skipped, failed
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    bulletin: Mapped[str | None] = mapped_column(String(200), default=None)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("plan_entries.id"), default=None)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), default=None)
    title: Mapped[str] = mapped_column(String(300), default="")
    topic_code: Mapped[str | None] = mapped_column(String(40), default=None)
    audiences: Mapped[list[str]] = mapped_column(default=list)
    remote_id: Mapped[str | None] = mapped_column(String(200), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The loudspeaker zones (Icecast mounts) a radio row aired on; [] = local playout only.
    zones: Mapped[list[str]] = mapped_column(default=list)
    #: Added by migration 0009_recordings: what sound a radio row aired: "speech" (the
    #: synthetic voice; also None on older rows), "recorded" (the commune's own recording) or
    #: "live" (a live broadcast from the microphone).
    kind: Mapped[str | None] = mapped_column(String(12), default=None)


class Insight(Base):
    """One figure a channel gave back for one publication or airing (`loa insights pull`).

    `ref` names what it is for ("publication:12", "bulletin:<key>"); a pull that asks again
    replaces the figure of the same ref, metric and source (views grow for days). `at` is the
    station time the post went out or the bulletin aired: the model of reach learns from it.
    """

    __tablename__ = "insights"
    __table_args__ = (UniqueConstraint("ref", "metric", "source", name="uq_insight"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(240), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), default=None)
    as_run_id: Mapped[int | None] = mapped_column(ForeignKey("as_run.id"), default=None)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), default=None)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    metric: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer, default=1)
    measured_at: Mapped[datetime] = mapped_column(DateTime)
