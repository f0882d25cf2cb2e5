"""`loa run`: the daemon, on time with no one at the keyboard."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from loa.cli.common import console, get_station, print_json
from loa.cli.planning_text import JsonOpt, T

# --------------------------------------------------------------------------- run


def run_cmd(
    once: Annotated[bool, typer.Option("--once", help=T("o_once"))] = False,
    as_json: JsonOpt = False,
    web: Annotated[bool, typer.Option("--web", help=T("o_web"))] = False,
    host: Annotated[str, typer.Option("--host", help=T("o_web_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=T("o_web_port"))] = 8080,
) -> None:
    from loa.app.daemon import Daemon, run_once

    station = get_station()
    _station_time_logging(station)
    if once:
        report = run_once(station, now=station.now())
        if as_json:
            print_json(report.to_dict())
        else:
            console().print(
                T(
                    "once_done",
                    urgent=len(report.urgent),
                    bulletins=len(report.bulletins),
                    posts=len(report.posts),
                    rendered=report.rendered if report.rendered is not None else "-",
                ),
                highlight=False,
            )
        return
    _show_next(station)
    daemon = Daemon(station)
    if web:
        from loa.web.serve import background

        with background(station, host, port):
            daemon.run()
    else:
        daemon.run()
    if daemon.abandoned:
        # A job outlived the stop grace: end now rather than wait for it (systemd expects
        # SIGTERM to end the process in seconds); the outbox reconciles it at the next start.
        import logging

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _station_time_logging(station: Any) -> None:
    """Log lines stamped in the station's time (not the machine's UTC); the scheduler's own
    job bookkeeping ("Added job ...") and migrations stay quiet unless something goes wrong."""
    import logging
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(station.timezone)
    formatter = logging.Formatter("%(asctime)s %(message)s", datefmt="%d/%m/%Y %H:%M:%S")
    formatter.converter = lambda seconds: datetime.fromtimestamp(seconds or 0, zone).timetuple()
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ("apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _show_next(station: Any, limit: int = 5) -> None:
    """What the daemon will do next, in the station's time, before it starts waiting."""
    from loa.app.planning import PlanStatus, scheduled_slots
    from loa.core.registry import channel_label

    now = station.now()
    slots = [
        s
        for s in scheduled_slots(station, now.date(), 8)
        if s.start >= now and any(i.status == PlanStatus.PLANNED for i in s.items)
    ]
    out = console()
    if not slots:
        out.print(T("run_nothing"), highlight=False)
        return
    out.print(T("run_next", zone=station.timezone), highlight=False)
    for s in slots[:limit]:
        out.print(
            f"  {s.start:%d/%m %H:%M}  {channel_label(s.channel)}: {s.slot_name} "
            + T("run_items", n=len(s.items)),
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("run", help=T("run"))(run_cmd)
