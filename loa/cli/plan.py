"""`loa plan` and `loa schedule`: plan the days ahead, pin, drop, and read what is planned."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from loa.cli.common import LoaGroup, console, day_option, get_station, print_json, row_id
from loa.cli.planning_text import JsonOpt, T

plan_app = typer.Typer(
    cls=LoaGroup,
    help=T("plan"),
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    add_completion=False,
)
schedule_app = typer.Typer(
    cls=LoaGroup,
    help=T("schedule"),
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
    add_completion=False,
)


# --------------------------------------------------------------------------- plan


@plan_app.callback()
def plan_cmd(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 7,
    explain_id: Annotated[
        int | None, typer.Option("--explain", help=T("o_explain"), parser=row_id)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from datetime import timedelta

    from loa.app.planning import PlanStatus, explain_station, plan_station
    from loa.core.dates import parse_date

    station = get_station()
    now = station.now()
    first = parse_date(start, today=now.date()) if start is not None else now.date()
    out = console()
    if explain_id is not None:
        result = explain_station(station, explain_id, first, days, now=now)
        if as_json:
            print_json(result.to_dict())
            return
        out.print(T("explain_title", id=result.message_id, title=result.title), highlight=False)
        for line in result.lines:
            out.print(f"- {line}", highlight=False)
        from datetime import datetime

        from loa.core.registry import channel_label

        for e in result.entries:
            when = datetime.fromisoformat(e["when"])
            out.print(
                f"  {when:%d/%m %H:%M}  {channel_label(e['channel'])}  {e['slot']}  "
                f"#{e['position'] + 1}  [{PlanStatus(e['status']).label}]  {e['reason']}",
                highlight=False,
            )
        return
    report = plan_station(station, first, days, now=now)
    if as_json:
        print_json(report.to_dict())
        return
    last = first + timedelta(days=days - 1)
    out.print(
        T(
            "planned",
            start=first.strftime("%d/%m/%Y"),
            end=last.strftime("%d/%m/%Y"),
            added=report.added,
            kept=report.kept + report.locked,
            removed=report.removed,
        ),
        highlight=False,
    )
    weeks = max(1.0, days / 7)
    for mid, wanted in sorted(report.wanted.items()):
        got = report.per_message.get(mid, {})
        for channel, want in wanted.items():
            target = int(want * weeks) if days >= 7 else 0
            if target and got.get(channel, 0) < target:
                out.print(
                    T(
                        "planned_short",
                        id=mid,
                        got=got.get(channel, 0),
                        want=target,
                        channel=channel,
                    ),
                    highlight=False,
                )
    if report.blocked:
        out.print(
            T(
                "planned_blocked",
                days=", ".join(f"{d.strftime('%d/%m')} ({r})" for d, r in report.blocked.items()),
            ),
            highlight=False,
        )
    if report.urgent:
        out.print(T("planned_urgent", ids=", ".join(map(str, report.urgent))), highlight=False)
    out.print(T("planned_next"), highlight=False)


EntryArg = Annotated[int, typer.Argument(help=T("a_entry"), metavar="ENTRY", parser=row_id)]


def _entry_done(key: str, entry: Any) -> None:
    from loa.core.registry import channel_label

    when = f"{entry.scheduled_at:%d/%m %H:%M}"
    console().print(
        T(key, id=entry.id, when=when, channel=channel_label(entry.channel)), highlight=False
    )


@plan_app.command("pin", help=T("plan_pin"))
def plan_pin(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import pin_entry

    station = get_station()
    _entry_done("pinned_done", pin_entry(station, entry_id, True, now=station.now()))


@plan_app.command("unpin", help=T("plan_unpin"))
def plan_unpin(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import pin_entry

    station = get_station()
    _entry_done("unpinned_done", pin_entry(station, entry_id, False, now=station.now()))


@plan_app.command("drop", help=T("plan_drop"))
def plan_drop(entry_id: EntryArg) -> None:
    from loa.app.plan_edit import drop_entry

    station = get_station()
    drop_entry(station, entry_id, now=station.now())
    console().print(T("dropped_done", id=entry_id), highlight=False)


# --------------------------------------------------------------------------- schedule


def _period(start: str | None, days: int, week: bool) -> tuple[Any, Any, int]:
    from datetime import timedelta

    station = get_station()
    first = day_option(start, station)
    if week:
        first, days = first - timedelta(days=first.weekday()), 7
    return station, first, days


@schedule_app.callback()
def schedule_cmd(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 1,
    week: Annotated[bool, typer.Option("--week", "-w", help=T("o_week"))] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", "-c", help=T("o_sched_channel"))
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table
    from rich.text import Text

    from loa.app.planning import PlanStatus, bulletin_length, scheduled_slots
    from loa.core.registry import channel_label, check_channel

    station, first, days = _period(start, days, week)
    if channel is not None and channel != "urgent":
        channel = check_channel(channel.strip().lower())
    slots = scheduled_slots(station, first, days, channel=channel)
    if as_json:
        print_json([s.to_dict() for s in slots])
        return
    if not slots:
        console().print(T("empty_schedule"), highlight=False)
        return
    weekday = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
    estimated = False
    # With --channel the channel is the table's title, not a column repeated on every row.
    # "urgent" spans every channel, so it keeps the column
    title = channel_label(channel) if channel is not None and channel != "urgent" else None
    single = title is not None
    table = Table(show_lines=True, title=title)
    keys = (
        ("c_time", "c_slot", "c_items", "c_dur")
        if single
        else ("c_time", "c_channel", "c_slot", "c_items", "c_dur")
    )
    # On a narrow terminal each item keeps to one line so a day fits a screen
    # (the items column alone gives way; its lines end in "…" instead of wrapping).
    narrow = console().width < 110
    for key in keys:
        table.add_column(T(key), no_wrap=narrow and key != "c_items")
    for s in slots:
        items = Text(
            "\n".join(
                f"{n}. [#{i.message_id}] {i.title}"
                + (f" ({PlanStatus(i.status).label})" if i.status != PlanStatus.PLANNED else "")
                for n, i in enumerate(s.items, start=1)
            ),
            no_wrap=narrow,
            overflow="ellipsis" if narrow else "fold",
        )
        duration = str(bulletin_length(station, s)) if s.channel == "radio" else "—"
        estimated = estimated or duration.startswith("~")
        table.add_row(
            f"{weekday[s.start.weekday()]} {s.start:%d/%m %H:%M}",
            *([] if single else [channel_label(s.channel)]),
            s.slot_name,
            items,
            duration,
        )
    console().print(table)
    if estimated:
        console().print(T("estimate_note"), highlight=False)


@schedule_app.command("export", help=T("export"))
def schedule_export(
    ics: Annotated[Path, typer.Option("--ics", help=T("o_ics"))],
    start: Annotated[str | None, typer.Option("--from", help=T("o_from"))] = None,
    days: Annotated[int, typer.Option("--days", "-d", help=T("o_ndays"), min=1, max=366)] = 7,
    week: Annotated[bool, typer.Option("--week", "-w", help=T("o_week"))] = False,
) -> None:
    from loa.app.planning import export_plan_ics

    station, first, days = _period(start, days, week)
    n = export_plan_ics(station, first, days, ics)
    console().print(T("exported", n=n, path=ics), highlight=False)


@schedule_app.command("runsheet", help=T("runsheet"))
def schedule_runsheet(
    day: Annotated[str | None, typer.Option("--date", help=T("o_date"))] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help=T("o_out"))] = None,
) -> None:
    from loa.app.runsheets import save_runsheet

    station = get_station()
    when = day_option(day, station)
    path = save_runsheet(station, when, out)
    console().print(T("sheet_written", path=path), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    app.add_typer(schedule_app, name="schedule")
