"""`loa province ...`, `loa worker`, `loa scheduler`: a whole province on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loa.cli.common import sub_app
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.province.registry import Province

T = Catalog(
    {
        "province": (
            "Chế độ tỉnh: nhiều đài trong một cơ sở dữ liệu PostgreSQL: init, add-station, "
            "list, status, report.",
            "Province mode: many stations in one PostgreSQL database: init, add-station, "
            "list, status, report.",
        ),
        "init": (
            "Tạo thư mục tỉnh (province.toml) và chuẩn bị cơ sở dữ liệu PostgreSQL.",
            "Create a province folder (province.toml) and prepare its PostgreSQL database.",
        ),
        "add": (
            "Thêm một đài vào tỉnh: đài mới, hoặc nhập đài SQLite có sẵn với toàn bộ lịch sử "
            "(--from).",
            "Add a station to the province: a new one, or an existing SQLite station with all "
            "its history (--from).",
        ),
        "list": ("Liệt kê các đài của tỉnh.", "List the province's stations."),
        "status": (
            "Tình hình từng xã và cộng cả tỉnh: tin đã duyệt, lịch, đã phát/đăng, lỗi.",
            "Each commune and the province summed: approved messages, plan, done, failures.",
        ),
        "worker": (
            "Chạy tiến trình làm việc của tỉnh (dựng bản tin, đăng bài, đối soát) cho mọi đài; "
            "chạy bao nhiêu tiến trình, trên bao nhiêu máy cũng được.",
            "Run a province worker (render, publish, reconcile) for every station; run as many "
            "as you like, on as many machines.",
        ),
        "scheduler": (
            "Chạy bộ lập lịch của tỉnh: đưa việc đến hạn vào hàng đợi; chạy hai bản để dự "
            "phòng, bản thứ hai chờ sẵn.",
            "Run the province scheduler: queues what is due; run two for fail-over, the second "
            "waits on standby.",
        ),
        "o_province": (
            "Thư mục tỉnh (mặc định: LOA_PROVINCE, rồi tìm từ thư mục hiện tại trở lên).",
            "The province folder (default: LOA_PROVINCE, then searching up from here).",
        ),
        "o_dir": ("Thư mục tỉnh mới.", "The new province folder."),
        "o_name": ('Tên, ví dụ "Tỉnh Hà Tĩnh" hay "Xã Cẩm Nhượng".', "The name."),
        "o_database": (
            "Cơ sở dữ liệu PostgreSQL, ví dụ postgresql://loa@db.tinh.local/loa (mật khẩu đặt "
            "trong ~/.pgpass).",
            "The PostgreSQL database, e.g. postgresql://loa@db.tinh.local/loa (password in "
            "~/.pgpass).",
        ),
        "o_ident": (
            "Mã đài: chữ thường không dấu, số, dấu _ (cũng là tên schema), ví dụ xa_cam_nhuong.",
            "The station id: lower-case ASCII, digits, _ (also its schema), e.g. xa_cam_nhuong.",
        ),
        "o_from": (
            "Thư mục đài SQLite có sẵn để nhập (tin, lịch, nhật ký phát, media).",
            "An existing SQLite station folder to import (messages, plan, as-run, media).",
        ),
        "o_concurrency": ("Số việc chạy cùng lúc trong tiến trình.", "Jobs run at once."),
        "o_heartbeat": (
            "Số giây giữa hai lần báo còn sống (bộ lập lịch coi im lặng lâu là đã chết).",
            "Seconds between two heartbeats (the scheduler takes a long silence for death).",
        ),
        "o_interval": ("Số giây giữa hai lượt.", "Seconds between two passes."),
        "o_stalled": (
            "Sau bao nhiêu giây im lặng thì coi tiến trình làm việc đã chết.",
            "Seconds of silence after which a worker counts as dead.",
        ),
        "o_json": ("In JSON.", "Print JSON."),
        "report": (
            "Báo cáo cả tỉnh trong một khoảng ngày: từng xã và cộng lại (bản tin, tin phát, "
            "thời lượng, bài đăng theo kênh).",
            "The province report for a range of days: each commune and the sum (bulletins, "
            "items aired, airtime, posts per channel).",
        ),
        "o_from_day": ("Ngày đầu, ví dụ 01/10/2026.", "First day, e.g. 01/10/2026."),
        "o_to_day": ("Ngày cuối, ví dụ 31/12/2026.", "Last day, e.g. 31/12/2026."),
        "h_bulletins": ("Bản tin", "Bulletins"),
        "h_items": ("Tin phát", "Items aired"),
        "h_airtime": ("Phút phát", "Minutes"),
        "done_init": (
            'Đã tạo tỉnh "{name}" tại {path}. Tiếp theo: loa province add-station MÃ --name '
            '"Xã ..."',
            'Created province "{name}" at {path}. Next: loa province add-station ID --name '
            '"Xã ..."',
        ),
        "done_add": (
            'Đã thêm đài {ident} ("{name}") tại {path}.',
            'Added station {ident} ("{name}") at {path}.',
        ),
        "done_import": (
            "Đã nhập {rows} dòng từ {source}, bảng nào cũng khớp từng dòng với bản gốc.",
            "Imported {rows} rows from {source}; every table matches the original row for row.",
        ),
        "none": ("Tỉnh chưa có đài nào.", "The province has no stations yet."),
        "h_ident": ("Mã", "Id"),
        "h_name": ("Tên", "Name"),
        "h_folder": ("Thư mục", "Folder"),
        "h_tags": ("Nhãn", "Tags"),
        "h_messages": ("Tin duyệt", "Approved"),
        "h_planned": ("Chờ", "Waiting"),
        "h_done": ("Xong", "Done"),
        "h_failed": ("Lỗi", "Failed"),
        "h_uncertain": ("Chưa rõ", "Uncertain"),
        "h_aired": ("Nhật ký", "As-run"),
        "total": ("Cả tỉnh", "Province"),
        "standby": (
            "Một bộ lập lịch khác đang chạy; bản này chờ sẵn để thay khi nó dừng.",
            "Another scheduler is running; this one waits on standby to take over.",
        ),
        "tick": (
            "Đã đưa {n} việc vào hàng đợi, chạy lại {r} việc.",
            "Queued {n} jobs, retried {r}.",
        ),
        "lost": (
            "Bộ lập lịch mất khoá (cơ sở dữ liệu bị ngắt); dừng làm việc và chờ lấy lại khoá.",
            "The scheduler lost its lock (the database went away); it stops working and waits "
            "to take the lock again.",
        ),
        "upgrade": (
            "Đưa các lược đồ chung của tỉnh (danh sách đài, hàng đợi việc) và lược đồ của từng "
            "đài lên phiên bản loa này cần. Chạy lại nhiều lần cũng không sao.",
            "Bring the province-wide schemas (the register, the job queue) and every station's "
            "schema to the version this loa needs. Safe to run again.",
        ),
        "up_tables": ("Đã tạo bảng: {tables}.", "Tables created: {tables}."),
        "up_queue": (
            "Hàng đợi việc (procrastinate): phiên bản {before} → {after}, đã áp dụng {n} bản "
            "nâng cấp{files}.",
            "Job queue (procrastinate): version {before} → {after}, {n} migrations applied{files}.",
        ),
        "up_stations": (
            "Đã kiểm tra và nâng cấp lược đồ của {n} đài.",
            "Checked and upgraded the schema of {n} stations.",
        ),
        "up_problem": ("Đài {ident}: {why}", "Station {ident}: {why}"),
        "up_current": ("Tỉnh đã ở phiên bản mới nhất.", "The province is up to date."),
        "o_problems": (
            "Chỉ hiện các đài có vấn đề (việc lỗi, bị kẹt, trễ; tin lỗi hay chưa rõ).",
            "Show only stations with problems (failed, stuck or late jobs; failed or uncertain "
            "posts).",
        ),
        "h_jobs": ("Việc lỗi/ kẹt/trễ", "Jobs failed/ stuck/late"),
        "health_workers": (
            "Máy làm việc (loa worker): {alive} đang chạy / {n} đã đăng ký{silent}.",
            "Workers (loa worker): {alive} alive / {n} registered{silent}.",
        ),
        "health_silent": ("; im lặng: {ids}", "; silent: {ids}"),
        "health_scheduler": ("Bộ lập lịch: {who}.", "Scheduler: {who}."),
        "health_no_scheduler": (
            "Bộ lập lịch: KHÔNG CHẠY — không có gì được đưa vào hàng đợi. Chạy: loa scheduler.",
            "Scheduler: NOT RUNNING — nothing is queued. Run: loa scheduler.",
        ),
        "health_jobs": (
            "Việc: {todo} chờ, {doing} đang làm, {failed} lỗi hẳn, {stuck} bị kẹt, {late} trễ "
            "quá 1 phút.",
            "Jobs: {todo} waiting, {doing} running, {failed} failed for good, {stuck} stuck, "
            "{late} late by over a minute.",
        ),
        "no_problems": ("Không đài nào có vấn đề.", "No station has a problem."),
        "o_format": (
            "Ghi báo cáo ra tệp: docx (văn bản theo thể thức hành chính) hoặc xlsx.",
            "Write the report to a file: docx (the administrative form) or xlsx.",
        ),
        "o_out": ("Thư mục ghi tệp báo cáo.", "The folder to write the report file in."),
        "bad_format": (
            'Định dạng "{value}" không có. Dùng: --format docx hoặc --format xlsx.',
            'There is no format "{value}". Use: --format docx or --format xlsx.',
        ),
        "written": ("Đã ghi báo cáo: {path}", "Report written: {path}"),
        "report_problem": (
            "Không đọc được số liệu của đài {ident} ({name}): {why}",
            "Could not read the figures of station {ident} ({name}): {why}",
        ),
    }
)

province_app = sub_app(T("province"))

ProvinceOpt = Annotated[Path | None, typer.Option("--province", "-p", help=T("o_province"))]
JsonOpt = Annotated[bool, typer.Option("--json", help=T("o_json"))]


def _find(path: Path | None) -> Province:
    from loa.province.registry import find_province

    return find_province(path)


@province_app.command("init", help=T("init"))
def init_cmd(
    directory: Annotated[Path, typer.Argument(help=T("o_dir"))],
    database: Annotated[str, typer.Option("--database", help=T("o_database"))],
    name: Annotated[str, typer.Option("--name", "-n", help=T("o_name"))] = "Tỉnh",
) -> None:
    from loa.cli.common import console
    from loa.province.registry import init_province

    province = init_province(directory, name=name, database=database)
    console().print(T("done_init", name=province.name, path=province.root), highlight=False)


@province_app.command("add-station", help=T("add"))
def add_cmd(
    ident: Annotated[str, typer.Argument(help=T("o_ident"))],
    name: Annotated[str, typer.Option("--name", "-n", help=T("o_name"))] = "",
    source: Annotated[Path | None, typer.Option("--from", help=T("o_from"))] = None,
    province: ProvinceOpt = None,
) -> None:
    from loa.cli.common import console
    from loa.province.stations import add_station

    record, check = add_station(_find(province), ident, name=name, source=source)
    out = console()
    out.print(
        T("done_add", ident=record.ident, name=record.name, path=record.folder), highlight=False
    )
    if check is not None:
        out.print(T("done_import", rows=check.total, source=source), highlight=False)


@province_app.command("list", help=T("list"))
def list_cmd(province: ProvinceOpt = None, as_json: JsonOpt = False) -> None:
    from loa.cli.common import console, print_json
    from loa.province.messages import tags_of

    opened = _find(province)
    records = opened.stations()
    tags = tags_of(opened)
    if as_json:
        print_json(
            [
                {
                    "ident": r.ident,
                    "name": r.name,
                    "folder": str(r.folder),
                    "tags": tags.get(r.ident, []),
                }
                for r in records
            ]
        )
        return
    if not records:
        console().print(T("none"))
        return
    from rich.table import Table

    table = Table(T("h_ident"), T("h_name"), T("h_tags"), T("h_folder"))
    for r in records:
        table.add_row(r.ident, r.name, ", ".join(tags.get(r.ident, [])), str(r.folder))
    console().print(table)


@province_app.command("report", help=T("report"))
def report_cmd(
    start: Annotated[str, typer.Option("--from", help=T("o_from_day"))],
    end: Annotated[str, typer.Option("--to", help=T("o_to_day"))],
    province: ProvinceOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[str | None, typer.Option("--format", help=T("o_format"))] = None,
    out: Annotated[Path, typer.Option("--out", help=T("o_out"))] = Path("."),
) -> None:
    from dataclasses import asdict

    from loa.cli.common import console, print_json
    from loa.core.dates import parse_date
    from loa.province.status import province_report

    opened = _find(province)
    today = opened.now().date()  # "hôm nay" in the province's time, not the server's
    first, last = parse_date(start, today=today), parse_date(end, today=today)
    if fmt is not None:
        from loa.province.report import FORMATS, province_sheet, write_province_report

        if fmt not in FORMATS:
            console().print(T("bad_format", value=fmt), style="red", highlight=False)
            raise typer.Exit(code=2)
        path = write_province_report(province_sheet(opened, first, last), fmt, out)
        console().print(T("written", path=path), highlight=False)
        return
    report = province_report(opened, first, last)  # each commune at its own clock
    from loa.cli.province_msg import print_figures
    from loa.province.deliveries import province_figures

    own = province_figures(opened, first, last)  # what the province itself sent down
    if as_json:
        print_json(
            {
                "communes": [asdict(c) for c in report.communes],
                "total": asdict(report.total),
                "problems": [
                    {"ident": i, "name": n, "problem": why} for i, n, why in report.problems
                ],
                "province": own.to_dict(),
            }
        )
        return
    for ident, name, why in report.problems:
        console().print(
            T("report_problem", ident=ident, name=name, why=why), style="yellow", highlight=False
        )
    from rich.table import Table

    channels = sorted({ch for c in report.communes for ch in c.posts})
    table = Table(
        T("h_ident"), T("h_name"), T("h_bulletins"), T("h_items"), T("h_airtime"), *channels
    )
    for c in [*report.communes, report.total]:
        table.add_row(
            c.ident,
            c.name if c.ident else T("total"),
            str(c.bulletins),
            str(c.radio_items),
            f"{c.airtime_min:g}",
            *(str(c.posts.get(ch, 0)) for ch in channels),
        )
    console().print(table)
    print_figures(own)


@province_app.command("upgrade", help=T("upgrade"))
def upgrade_cmd(province: ProvinceOpt = None) -> None:
    from loa.cli.common import console
    from loa.province.stations import upgrade_province

    prepared, checked, problems = upgrade_province(_find(province))
    out = console()
    if prepared.tables:
        out.print(T("up_tables", tables=", ".join(prepared.tables)), highlight=False)
    if prepared.applied or prepared.queue_from != prepared.queue_to:
        files = f": {', '.join(prepared.applied)}" if prepared.applied else ""
        out.print(
            T(
                "up_queue",
                before=prepared.queue_from or "—",
                after=prepared.queue_to,
                n=len(prepared.applied),
                files=files,
            ),
            highlight=False,
        )
    out.print(T("up_stations", n=len(checked)), highlight=False)
    for ident, why in problems:
        out.print(T("up_problem", ident=ident, why=why), style="yellow", highlight=False)
    if not prepared.tables and not prepared.applied and not problems:
        out.print(T("up_current"), highlight=False)
    if problems:
        raise typer.Exit(1)


@province_app.command("status", help=T("status"))
def status_cmd(
    province: ProvinceOpt = None,
    problems: Annotated[bool, typer.Option("--problems", help=T("o_problems"))] = False,
    as_json: JsonOpt = False,
) -> None:
    from dataclasses import asdict

    from loa.cli.common import console, print_json
    from loa.province.status import province_now

    opened = _find(province)
    state = province_now(opened)  # the same plain data the province page shows
    status, health = state.status, state.health
    assert health is not None

    jobs = health.station_jobs
    stations = [s for s in status.stations if not problems or health.has_problem(s)]
    if as_json:
        print_json(
            {
                "stations": [
                    {**s.to_dict(), "jobs_failed": f, "jobs_stuck": k, "jobs_late": late}
                    for s in stations
                    for f, k, late in [jobs(s.ident)]
                ],
                "total": asdict(status.total),
                "workers": [
                    {"id": w, "last_heartbeat": beat.isoformat(), "alive": alive}
                    for w, beat, alive in health.workers
                ],
                "scheduler": health.scheduler,
                "jobs": health.jobs,
                "alerts": [a.to_dict() for a in state.alerts],
            }
        )
        return
    from rich.table import Table

    out = console()
    silent = [str(w) for w, _, alive in health.workers if not alive]
    out.print(
        T(
            "health_workers",
            alive=health.alive_workers,
            n=len(health.workers),
            silent=T("health_silent", ids=", ".join(silent)) if silent else "",
        ),
        style=None if health.alive_workers else "bold red",
        highlight=False,
    )
    if health.scheduler:
        out.print(T("health_scheduler", who=health.scheduler), highlight=False)
    else:
        out.print(T("health_no_scheduler"), style="bold red", highlight=False)
    out.print(
        T(
            "health_jobs",
            todo=health.jobs.get("todo", 0),
            doing=health.jobs.get("doing", 0),
            failed=health.jobs.get("failed", 0),
            stuck=sum(health.stuck.values()),
            late=sum(health.late.values()),
        ),
        highlight=False,
    )
    for alert in state.alerts:
        if alert.ident:  # the machinery's own were said above
            out.print(alert.text, style="yellow", highlight=False)
    if problems and not stations:
        out.print(T("no_problems"), highlight=False)
        return
    heads = ("h_messages", "h_planned", "h_done", "h_failed", "h_uncertain", "h_aired", "h_jobs")
    table = Table(T("h_ident"), T("h_name"), *(T(h) for h in heads))
    total = status.total
    rows = [*stations, *([] if problems else [total])]
    for s in rows:
        label = s.name if s.ident else T("total")
        f, k, late = jobs(s.ident)
        table.add_row(
            s.ident,
            label,
            *(str(v) for v in (s.messages, s.planned, s.done, s.failed, s.uncertain, s.aired)),
            f"{f}/{k}/{late}",
            style="yellow" if s.ident and health.has_problem(s) else None,
        )
    out.print(table)


def worker_cmd(
    province: ProvinceOpt = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help=T("o_concurrency"))
    ] = 2,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=0.5, max=600, help=T("o_heartbeat"))
    ] = 5.0,
) -> None:
    from loa.province.scheduler import run_worker

    opened = _find(province)
    _timestamped_logging(opened.timezone)
    run_worker(opened, concurrency=concurrency, heartbeat_s=heartbeat)


def _timestamped_logging(timezone: str) -> None:
    """One line per event, stamped in the province's time: loa's own lines at INFO (each job
    done), procrastinate's and the libraries' only when something goes wrong."""
    import logging
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%d/%m/%Y %H:%M:%S"
    )
    formatter.converter = lambda seconds: datetime.fromtimestamp(seconds or 0, zone).timetuple()
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("loa").setLevel(logging.INFO)


def scheduler_cmd(
    province: ProvinceOpt = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.2, max=3600, help=T("o_interval"))
    ] = 10.0,
    stalled: Annotated[
        float, typer.Option("--stalled-after", min=2, max=3600, help=T("o_stalled"))
    ] = 30.0,
) -> None:
    import signal

    from loa.cli.common import err_console
    from loa.province.scheduler import Scheduler, Tick

    opened = _find(province)
    _timestamped_logging(opened.timezone)
    scheduler = Scheduler(opened, interval_s=interval, stalled_after_s=stalled)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: scheduler.stop.set())
    err = err_console()

    def said(tick: Tick) -> None:
        if tick.total or tick.retried:
            err.print(T("tick", n=tick.total, r=tick.retried), highlight=False)

    scheduler.run(
        on_tick=said,
        on_standby=lambda: err.print(T("standby"), highlight=False),
        on_lost=lambda: err.print(T("lost"), highlight=False),
    )


def register(app: typer.Typer) -> None:
    from loa.cli.province_msg import attach

    attach(province_app)  # `loa province tag`, `loa province msg ...` (issue #33)
    from loa.cli.province_user import attach as attach_users

    attach_users(province_app)  # `loa province user ...`, `loa province web`
    from loa.cli.province_stream import attach as attach_stream

    attach_stream(province_app)  # `loa province stream` (issue #33)
    app.add_typer(province_app, name="province")
    app.command("worker", help=T("worker"))(worker_cmd)
    app.command("scheduler", help=T("scheduler"))(scheduler_cmd)
