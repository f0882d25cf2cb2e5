"""Insights: the figures each channel gives back for what it published, the reach model learned
from them, and what the planner is handed (as plain data: planning never imports channels).

- `pull(station, ...)` asks every configured channel that offers figures (`Channel.insights`)
  about its publications (radio: its bulletins, from the listener counts sampled while they
  aired) and stores each figure with its publication or airing (`loa.channels.models.Insight`).
- `reach_model(station)` turns the stored figures into `loa.planning.learning` observations and
  learns the model per channel x slot class; `learned_reach(station)` is what the planner uses
  (slot id -> factor) when `[planning] learn` is on.
- `show` and `suggest` are what `loa insights show`, the dashboard and `loa slots suggest` read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import ChannelError, InsightAnswer, Published, channel_class
from loa.channels.models import AsRunRecord, AsRunStatus, Insight, Publication
from loa.channels.publish import configured_channels
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.registry import channel_names, is_audio
from loa.planning.learning import (
    Cell,
    LearningSettings,
    Observation,
    ReachModel,
    SlotReach,
    Suggestion,
    learn,
    mean_reach,
    slot_cells,
    suggest,
)
from loa.planning.models import Slot

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session

    from loa.core.station import Station

T = Catalog(
    {
        "unknown_channel": (
            'Kênh "{name}" không có hoặc chưa cấu hình. Các kênh đang dùng: {valid}.',
            'Channel "{name}" is unknown or not configured. Channels in use: {valid}.',
        ),
        "offers_nothing": (
            'Kênh "{name}" không cung cấp số liệu người xem, người nghe.',
            'Channel "{name}" offers no audience figures.',
        ),
    }
)

#: Which figure of a publication the model learns from, best first.
REACH_METRICS = ("unique_views", "listeners", "views", "hits")
#: How far back `pull` asks by default.
PULL_DAYS = 30
#: Publication states whose post is on the channel.
_OUT = ("published", "late", "scheduled")


@dataclass
class ChannelPull:
    """What one channel answered in one pull."""

    channel: str
    asked: int = 0
    figures: int = 0
    empty: int = 0
    unavailable: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    offers: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "asked": self.asked,
            "figures": self.figures,
            "empty": self.empty,
            "unavailable": self.unavailable,
            "errors": self.errors,
            "notes": self.notes[:5],
            "offers": self.offers,
        }


@dataclass
class PullReport:
    since: datetime
    channels: list[ChannelPull] = field(default_factory=list)

    @property
    def figures(self) -> int:
        return sum(c.figures for c in self.channels)

    @property
    def failed(self) -> bool:
        return any(c.errors for c in self.channels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(timespec="minutes"),
            "figures": self.figures,
            "channels": [c.to_dict() for c in self.channels],
        }


def learning_settings(station: Station) -> LearningSettings:
    return station.settings(LearningSettings)


# --------------------------------------------------------------------------- pulling


def pull(
    station: Station,
    *,
    now: datetime,
    channel: str | None = None,
    since: datetime | None = None,
    http: Any = None,
    env: Mapping[str, str] | None = None,
) -> PullReport:
    """Ask the configured channels (or only `channel`) for the figures of what they published
    since `since` (default the last 30 days) and store them. One channel's failure (a token
    refused, a server down) is reported in its `ChannelPull.errors` and ends only that channel's
    pull; figures already stored stay. Raises UserError for an unknown channel."""
    names = configured_channels(station)
    if channel is not None:
        if channel not in names:
            raise UserError(T("unknown_channel", name=channel, valid=", ".join(names)))
        names = [channel]
    since = since or now - timedelta(days=PULL_DAYS)
    report = PullReport(since)
    for name in names:
        cls = channel_class(name)
        result = ChannelPull(name)
        report.channels.append(result)
        if cls.insight_offer is None:
            result.offers = False
            result.notes.append(T("offers_nothing", name=name))
            continue
        targets = _targets(station, name, since, now)
        if not targets:
            continue
        try:
            instance = cls.from_station(station, http=http, env=env)
        except UserError as exc:
            result.errors.append(str(exc))
            continue
        try:
            for target, links in targets:
                result.asked += 1
                try:
                    answer = instance.insights(target, now=now)
                except ChannelError as exc:
                    result.errors.append(str(exc))
                    if not exc.transient:
                        break  # a token or a permission: the next post would fail the same
                    continue
                _store(station, name, target, links, answer, now)
                result.figures += len(answer.figures)
                result.empty += not answer.figures
                for missing in answer.unavailable:
                    if missing not in result.unavailable:
                        result.unavailable.append(missing)
                if answer.note and answer.note not in result.notes:
                    result.notes.append(answer.note)
        finally:
            instance.close()
    return report


def _targets(
    station: Station, channel: str, since: datetime, now: datetime
) -> list[tuple[Published, dict[str, int | None]]]:
    """What to ask `channel` about: its publications on the channel since `since` (a radio
    bulletin: its as-run rows), each with the ids its figures are stored with."""
    from sqlalchemy import select

    out: list[tuple[Published, dict[str, int | None]]] = []
    with station.transaction() as session:
        if is_audio(channel):
            rows = session.scalars(
                select(AsRunRecord)
                .where(
                    AsRunRecord.channel == channel,
                    AsRunRecord.status == AsRunStatus.DONE,
                    AsRunRecord.started_at >= since,
                    AsRunRecord.started_at <= now,
                )
                .order_by(AsRunRecord.started_at, AsRunRecord.id)
            )
            groups: dict[str, list[AsRunRecord]] = defaultdict(list)
            for row in rows:
                groups[row.bulletin or f"as_run:{row.id}"].append(row)
            for key, members in groups.items():
                first = members[0]
                extra = next((m.extra for m in members if (m.extra or {}).get("listeners")), {})
                ends = [m.ended_at for m in members if m.ended_at is not None]
                out.append(
                    (
                        Published(
                            ref=f"bulletin:{key}",
                            remote_id=None,
                            at=first.started_at,
                            kind="bulletin",
                            ended_at=max(ends) if ends else None,
                            extra=dict(extra or {}),
                        ),
                        {"as_run_id": first.id, "message_id": None},
                    )
                )
            return out
        for pub in session.scalars(
            select(Publication)
            .where(Publication.channel == channel, Publication.status.in_(_OUT))
            .order_by(Publication.id)
        ):
            at = (
                pub.due_at
                if pub.status == "scheduled"
                else (pub.completed_at or pub.due_at or pub.created_at)
            )
            if at is None or at < since or at > now:
                continue
            kind = str((pub.item or {}).get("kind") or "text")
            if kind == "broadcast":
                continue
            out.append(
                (
                    Published(
                        ref=f"publication:{pub.id}",
                        remote_id=pub.remote_id,
                        at=at,
                        kind=kind,
                        url=pub.remote_url,
                    ),
                    {"publication_id": pub.id, "message_id": pub.message_id},
                )
            )
    return out


def _store(
    station: Station,
    channel: str,
    target: Published,
    links: Mapping[str, int | None],
    answer: InsightAnswer,
    now: datetime,
) -> None:
    """Write the answer's figures, replacing those of the same ref, metric and source."""
    from sqlalchemy import select

    if not answer.figures:
        return
    with station.transaction() as session:
        for figure in answer.figures:
            row = session.scalars(
                select(Insight).where(
                    Insight.ref == target.ref,
                    Insight.metric == figure.metric,
                    Insight.source == figure.source,
                )
            ).first()
            if row is None:
                row = Insight(
                    ref=target.ref,
                    channel=channel,
                    metric=figure.metric,
                    source=figure.source[:200],
                    at=target.at,
                    **{k: v for k, v in links.items() if v is not None},
                )
                session.add(row)
            row.value = float(figure.value)
            row.samples = figure.samples
            row.measured_at = now
            row.at = target.at


def pull_due(station: Station, *, now: datetime) -> PullReport:
    """The scheduled pull (daemon job, province task): every channel, the last 30 days, and
    the time recorded so the next one comes [planning] pull_every_hours later."""
    from loa.app.due import insights_pulled

    report = pull(station, now=now)
    insights_pulled(station, now)
    return report


# --------------------------------------------------------------------------- the model


def observations(session: Session) -> list[Observation]:
    """One observation per publication or airing: its best reach figure (REACH_METRICS)."""
    from sqlalchemy import select

    by_ref: dict[str, dict[str, Insight]] = defaultdict(dict)
    for row in session.scalars(select(Insight).order_by(Insight.id)):
        by_ref[row.ref].setdefault(row.metric, row)
    out = []
    for ref, metrics in by_ref.items():
        best = next((metrics[m] for m in REACH_METRICS if m in metrics), None)
        if best is None:
            continue
        out.append(
            Observation(
                best.channel,
                best.at,
                best.value,
                f"{best.metric} {best.value:g} ({best.source}, {ref})",
            )
        )
    return out


def assumed_cells(slots: list[Slot], settings: LearningSettings) -> dict[Cell, float]:
    """The assumed reach of each cell the station's slots fall in (their mean when several)."""
    found: dict[Cell, list[float]] = defaultdict(list)
    for slot in slots:
        for cell in slot_cells(slot.channel, slot.start, slot.weekdays, settings.window_hours):
            found[cell].append(mean_reach(slot.reach))
    return {cell: sum(v) / len(v) for cell, v in found.items()}


def reach_model(station: Station) -> tuple[ReachModel, list[Slot]]:
    """The reach model of the station's stored figures, and its slots."""
    from sqlalchemy import select

    settings = learning_settings(station)
    with station.transaction() as session:
        slots = list(session.scalars(select(Slot).order_by(Slot.id)))
        for slot in slots:
            session.expunge(slot)
        seen = observations(session)
    return learn(seen, assumed_cells(slots, settings), settings), slots


def learned_reach(station: Station) -> dict[int, SlotReach] | None:
    """slot id -> the factor the planner applies to its assumed reach; None when
    [planning] learn = false (the planner then uses the assumptions alone)."""
    if not learning_settings(station).learn:
        return None
    model, slots = reach_model(station)
    return {s.id: model.for_slot(s.channel, s.start, s.weekdays) for s in slots}


@dataclass
class InsightsView:
    """What `loa insights show` and the dashboard show."""

    model: ReachModel
    slots: list[dict[str, Any]]
    figures: int

    def to_dict(self) -> dict[str, Any]:
        s = self.model.settings
        return {
            "settings": {
                "learn": s.learn,
                "window_hours": s.window_hours,
                "min_observations": s.min_observations,
                "ok_observations": s.ok_observations,
                "prior_weight": s.prior_weight,
                "explore": s.explore,
                "caution": s.caution,
                "spread": s.spread,
            },
            "figures": self.figures,
            "scale": {k: round(v, 3) for k, v in sorted(self.model.scale.items())},
            "cells": [e.to_dict() for _, e in sorted(self.model.cells.items())],
            "slots": self.slots,
        }


def show(station: Station) -> InsightsView:
    """The model per cell and what the planner takes for each slot."""
    from sqlalchemy import func, select

    model, slots = reach_model(station)
    with station.transaction() as session:
        figures = int(session.scalar(select(func.count(Insight.id))) or 0)
    rows = []
    for slot in slots:
        reach = model.for_slot(slot.channel, slot.start, slot.weekdays)
        rows.append(
            {
                "slot_id": slot.id,
                "channel": slot.channel,
                "name": slot.name,
                "start": slot.start,
                "weekdays": list(slot.weekdays),
                **reach.to_dict(),
            }
        )
    return InsightsView(model, rows, figures)


def suggest_slots(station: Station) -> list[Suggestion]:
    """Slot classes the figures favour where the station has no slot yet (`loa slots
    suggest`)."""
    model, slots = reach_model(station)
    w = model.settings.window_hours
    own = [c for s in slots for c in slot_cells(s.channel, s.start, s.weekdays, w)]
    known = set(channel_names())
    return [s for s in suggest(model, own) if s.cell.channel in known]


@dataclass
class HeatCell:
    level: int | None  # 0-9 of the channel's highest reach; None: no slot and no figure
    confidence: str
    n: int
    assumed: float | None
    learned: float | None


def heat(view: InsightsView) -> dict[str, list[list[HeatCell]]]:
    """Per channel, a weekday (Monday first) x hour (0-23) grid of the reach the planner
    would use there (learned where confident, else assumed), as a level of the channel's
    highest, with each cell's confidence: the dashboard's heat map."""
    out: dict[str, list[list[HeatCell]]] = {}
    for channel in view.model.channels():
        grid = view.model.heat(channel)
        values = [
            e.learned if e.learned is not None else e.assumed
            for row in grid
            for e in row
            if e is not None
        ]
        top = max((v for v in values if v is not None), default=0.0)
        rows: list[list[HeatCell]] = []
        for row in grid:
            cells = []
            for e in row:
                value = None if e is None else (e.learned if e.learned is not None else e.assumed)
                level = None if value is None or top <= 0 else min(9, int(value / top * 9.999))
                cells.append(
                    HeatCell(
                        level,
                        e.confidence if e is not None else "none",
                        e.n if e is not None else 0,
                        e.assumed if e is not None else None,
                        e.learned if e is not None else None,
                    )
                )
            rows.append(cells)
        out[channel] = rows
    return out
