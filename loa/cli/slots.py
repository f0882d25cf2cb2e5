"""`loa slots` and `loa calendar`: the station's time slots, blackout days and campaigns."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.cli.common import console, day_option, get_station, print_json, row_id, sub_app
from loa.cli.planning_text import JsonOpt, T

slots_app = sub_app(T("slots"))
calendar_app = sub_app(T("calendar"))


def _capacity(channel: str, capacity: float) -> str:
    n = int(capacity)
    return T("cap_s", n=n) if channel == "radio" else T("cap_posts", n=n)


@slots_app.command("list", help=T("slots_list"))
def slots_list(
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from rich.table import Table

    from loa.app.messages import taxonomy
    from loa.app.slot_calendar import slots as slots_of
    from loa.core.i18n import decimal
    from loa.core.registry import channel_label

    station = get_station()
    found = slots_of(station, channel)
    names = {a.code: a.label for a in taxonomy(station).audiences}
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    slots = [{**s.to_dict(), "days": s.days} for s in found]
    if not slots:
        console().print(T("no_slots"), highlight=False)
        return
    table = Table()
    for key in ("c_id", "c_channel", "c_name", "c_days", "c_start", "c_capacity", "c_reach"):
        table.add_column(T(key))
    for s in slots:
        reach = "; ".join(
            f"{names.get(k, k)} {decimal(v, 2)}"
            for k, v in sorted(s["reach"].items(), key=lambda kv: -kv[1])
        )
        table.add_row(
            str(s["id"]),
            channel_label(s["channel"]),
            s["name"],
            s["days"],
            s["start"],
            _capacity(s["channel"], s["capacity"]),
            reach,
        )
    console().print(table)


@slots_app.command("add", help=T("slots_add"))
def slots_add(
    channel: Annotated[str, typer.Option("--channel", "-c", help=T("o_channel"))],
    name: Annotated[str, typer.Option("--name", "-n", help=T("o_name"))],
    start: Annotated[str, typer.Option("--start", help=T("o_start"))],
    capacity: Annotated[int, typer.Option("--capacity", help=T("o_capacity"))],
    days: Annotated[str, typer.Option("--days", help=T("o_days"))] = "daily",
    reach: Annotated[list[str] | None, typer.Option("--reach", help=T("o_reach"))] = None,
    note: Annotated[str | None, typer.Option("--note", help=T("o_note"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.app.slot_calendar import add_slot

    data = add_slot(
        get_station(),
        channel=channel,
        name=name,
        start=start,
        capacity=capacity,
        days=days,
        reach=reach or [],
        note=note,
    ).to_dict()
    if as_json:
        print_json(data)
    else:
        console().print(T("added", id=data["id"], name=data["name"]), highlight=False)


@slots_app.command("edit", help=T("slots_edit"))
def slots_edit(
    slot_id: Annotated[int, typer.Argument(help=T("a_id"), parser=row_id)],
    channel: Annotated[str | None, typer.Option("--channel", "-c", help=T("o_channel"))] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help=T("o_name"))] = None,
    start: Annotated[str | None, typer.Option("--start", help=T("o_start"))] = None,
    capacity: Annotated[int | None, typer.Option("--capacity", help=T("o_capacity"))] = None,
    days: Annotated[str | None, typer.Option("--days", help=T("o_days"))] = None,
    reach: Annotated[list[str] | None, typer.Option("--reach", help=T("o_reach"))] = None,
    note: Annotated[str | None, typer.Option("--note", help=T("o_note"))] = None,
    as_json: JsonOpt = False,
) -> None:
    from loa.app.slot_calendar import edit_slot

    data = edit_slot(
        get_station(),
        slot_id,
        channel=channel,
        name=name,
        start=start,
        capacity=capacity,
        days=days or None,
        reach=reach or [],
        note=note,
    ).to_dict()
    if as_json:
        print_json(data)
    else:
        console().print(T("edited", id=data["id"], name=data["name"]), highlight=False)


@slots_app.command("rm", help=T("slots_rm"))
def slots_rm(slot_id: Annotated[int, typer.Argument(help=T("a_id"), parser=row_id)]) -> None:
    from loa.app.slot_calendar import remove_slot

    n = remove_slot(get_station(), slot_id)
    console().print(T("removed", id=slot_id, n=n), highlight=False)


@slots_app.command("suggest", help=T("slots_suggest"))
def slots_suggest(as_json: JsonOpt = False) -> None:
    from loa.app.insights import suggest_slots
    from loa.core.i18n import decimal
    from loa.core.registry import channel_label

    station = get_station()
    found = suggest_slots(station)
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    out = console()
    if not found:
        out.print(T("suggest_none"), highlight=False)
        return
    for s in found:
        out.print(
            T(
                "suggest_line",
                channel=channel_label(s.cell.channel),
                day=T(f"day_{s.cell.day}"),
                hour=f"{s.cell.hour:02d}:00",
                learned=decimal(s.learned, 2),
                best=decimal(s.best_own, 2),
                n=s.n,
            ),
            highlight=False,
        )
    out.print(T("suggest_how"), highlight=False)


@slots_app.command("defaults", help=T("slots_defaults"))
def slots_defaults() -> None:
    from loa.app.slot_calendar import seed_default_slots

    n = seed_default_slots(get_station())
    console().print(T("defaults", n=n) if n else T("defaults_none"), highlight=False)


# --------------------------------------------------------------------------- calendar


@calendar_app.command("list", help=T("cal_list"))
def calendar_list(
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=3660)] = 365,
    as_json: JsonOpt = False,
) -> None:
    from datetime import timedelta

    from rich.table import Table

    from loa.app.slot_calendar import blocked_days, campaigns, holidays_between

    station = get_station()
    first = day_option(start, station)
    last = first + timedelta(days=days - 1)
    rows: list[tuple[str, str, str]] = []
    holidays = holidays_between(first, last)
    for day, reason in blocked_days(station, first, last).items():
        kind = T("k_holiday") if day in holidays and holidays[day] == reason else T("k_blackout")
        rows.append((day.isoformat(), kind, reason))
    for c in campaigns(station):
        if c.ends_on >= first and c.starts_on <= last:
            rows.append(
                (
                    f"{c.starts_on.isoformat()} – {c.ends_on.isoformat()}",
                    T("k_campaign"),
                    f"{c.name} (x{c.boost:g}; {', '.join(sorted(c.topics)) or '-'})",
                )
            )
    rows.sort()
    if as_json:
        print_json([{"day": d, "kind": k, "what": w} for d, k, w in rows])
        return
    table = Table()
    for key in ("c_day", "c_status", "c_what"):
        table.add_column(T(key))
    for row in rows:
        table.add_row(*row)
    console().print(table)


@calendar_app.command("blackout", help=T("cal_blackout"))
def calendar_blackout(
    day: Annotated[str, typer.Argument(help=T("a_day"))],
    reason: Annotated[str, typer.Option("--reason", help=T("o_reason"))] = "",
) -> None:
    from loa.app.slot_calendar import add_blackout

    station = get_station()
    when = day_option(day, station)
    add_blackout(station, when, reason)
    console().print(T("blackout_added", day=when.strftime("%d/%m/%Y")), highlight=False)


@calendar_app.command("unblackout", help=T("cal_unblackout"))
def calendar_unblackout(day: Annotated[str, typer.Argument(help=T("a_day"))]) -> None:
    from loa.app.slot_calendar import remove_blackout

    station = get_station()
    when = day_option(day, station)
    remove_blackout(station, when)
    console().print(T("blackout_removed", day=when.strftime("%d/%m/%Y")), highlight=False)


@calendar_app.command("campaign", help=T("cal_campaign"))
def calendar_campaign(
    name: Annotated[str, typer.Argument(help=T("a_campaign"))],
    start: Annotated[str, typer.Option("--from", help=T("o_cfrom"))],
    end: Annotated[str, typer.Option("--to", help=T("o_cto"))],
    boost: Annotated[float, typer.Option("--boost", help=T("o_boost"))] = 1.5,
    topic: Annotated[list[str] | None, typer.Option("--topic", help=T("o_topic"))] = None,
    message: Annotated[
        list[int] | None, typer.Option("--message", help=T("o_message"), parser=row_id)
    ] = None,
) -> None:
    from loa.app.slot_calendar import add_campaign

    station = get_station()
    first, last = day_option(start, station), day_option(end, station)
    cid = add_campaign(
        station, name, first, last, boost=boost, topics=topic or [], messages=message or []
    )
    console().print(
        T(
            "campaign_added",
            id=cid,
            name=name,
            start=first.strftime("%d/%m/%Y"),
            end=last.strftime("%d/%m/%Y"),
            boost=boost,
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(slots_app, name="slots")
    app.add_typer(calendar_app, name="calendar")
