"""`loa demo`: the whole pipeline on the built-in sample station, offline.

The demo is a scripted tour of the real commands on a sample station of its own: queue, plan,
schedule, render, run sheet, radio playout (into files, never the loudspeaker), a website post with
its podcast feed, today's run sheet and the report. Each step is the same command an officer types.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loa.core.i18n import Catalog

if TYPE_CHECKING:
    pass

T = Catalog(
    {
        "demo": (
            "Chạy thử toàn bộ quy trình trên đài mẫu, không cần mạng: hàng đợi, lập lịch, dựng "
            "bản tin, phát (vào tệp), đăng website và báo cáo.",
            "Run the whole pipeline on the sample station, offline: queue, plan, render, play "
            "(into files), website post and report.",
        ),
        "dir": ("Thư mục đài mẫu (mặc định: ./demo).", "Sample station folder (default: ./demo)."),
        "made": ("Đã tạo đài mẫu tại {path}.", "Created the sample station at {path}."),
        "reuse": (
            "Dùng đài mẫu có sẵn tại {path}.",
            "Using the existing sample station at {path}.",
        ),
        "step": ("Bước {n}: {what}", "Step {n}: {what}"),
        "s_queue": ("hàng đợi tin (loa msg list)", "the message queue (loa msg list)"),
        "s_plan": ("lập lịch 7 ngày (loa plan --days 7)", "plan 7 days (loa plan --days 7)"),
        "s_schedule": (
            "lịch phát thanh ngày {day} (loa schedule -c radio)",
            "the radio schedule of {day} (loa schedule -c radio)",
        ),
        "s_render": ("dựng bản tin ngày {day} (loa render)", "render the bulletins of {day}"),
        "s_runsheet": (
            "phiếu phát cho nhân viên đài (loa schedule runsheet)",
            "the operator's run sheet (loa schedule runsheet)",
        ),
        "s_play": (
            "phát thử bản tin {when} vào tệp (loa play --test --sink file)",
            "test-play the {when} bulletin into a file (loa play --test --sink file)",
        ),
        "s_publish": (
            "đăng tin lên trang web của xã, kèm RSS/podcast (loa publish -c website)",
            "post to the commune website with RSS/podcast (loa publish -c website)",
        ),
        "s_today": (
            "những gì đã phát, đã đăng (loa today)",
            "what aired and was posted (loa today)",
        ),
        "s_report": ("báo cáo (loa report)", "the report (loa report)"),
        "s_channels": (
            "các kênh của đài: kênh nào dùng được, kênh nào chưa cấu hình (loa channels check)",
            "the station's channels: which work, which are not configured (loa channels check)",
        ),
        "no_radio": (
            "Lịch không có bản tin phát thanh nào; bỏ qua bước dựng và phát.",
            "The plan has no radio bulletin; skipping render and play.",
        ),
        "failed": (
            "Bước {n} không thành công (mã {code}); dừng chạy thử.",
            "Step {n} failed (exit {code}); stopping the demo.",
        ),
        "done": (
            "Xong. Đài mẫu ở {path}: bản tin trong media/bulletins, trang web trong media/web, "
            "báo cáo trong media/reports. Thử tiếp: cd {path} && loa --help",
            "Done. The sample station is at {path}: bulletins in media/bulletins, the website in "
            "media/web, reports in media/reports. Next: cd {path} && loa --help",
        ),
    }
)


def demo(directory: Annotated[Path, typer.Argument(help=T("dir"))] = Path("demo")) -> None:
    from rich.rule import Rule

    from loa.app.setup import first_radio_bulletin, first_website_message, init_station
    from loa.cli import common
    from loa.core.station import CONFIG_NAME

    out = common.console()
    root = directory.resolve()
    if (root / CONFIG_NAME).is_file():
        out.print(T("reuse", path=root), highlight=False)
    else:
        init_station(
            root, name="Xã Cẩm Nhượng", province="Hà Tĩnh", district="Nghi Xuân", sample=True
        )
        # The demo plays into files under media/aired, never through the loudspeaker.
        config = root / CONFIG_NAME
        config.write_text(
            config.read_text(encoding="utf-8")
            .replace(
                '# sink = "auto"', 'sink = "file"             # demo station: play into media/aired'
            )
            # feeds need absolute links: the demo's site as `python -m http.server` in media/web
            .replace(
                '# base_url = "https://',
                'base_url = "http://localhost:8000"  # demo; was "https://',
                1,
            ),
            encoding="utf-8",
        )
        out.print(T("made", path=root), highlight=False)
    common.set_station_dir(root)
    station = common.get_station()

    from loa.cli.main import app

    command = typer.main.get_command(app)
    step = 0

    def run(what: str, *args: str) -> None:
        nonlocal step
        step += 1
        out.print(Rule(T("step", n=step, what=what), align="left"))
        code = command.main(["--station", str(root), *args], prog_name="loa", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            out.print(T("failed", n=step, code=code), highlight=False)
            raise typer.Exit(code)

    run(T("s_queue"), "msg", "list", "--status", "approved", "--limit", "2")
    run(T("s_channels"), "channels", "check")
    run(T("s_plan"), "plan", "--days", "7")
    first = first_radio_bulletin(station)
    if first is None:
        out.print(T("no_radio"), highlight=False)
    else:
        day = first.date().isoformat()
        run(
            T("s_schedule", day=first.strftime("%d/%m/%Y")),
            "schedule",
            "--from",
            day,
            "-c",
            "radio",
        )
        run(T("s_render", day=first.strftime("%d/%m/%Y")), "render", "--date", day)
        run(T("s_runsheet"), "schedule", "runsheet", "--date", day)
        when = first.strftime("%Y-%m-%d %H:%M")
        run(T("s_play", when=when), "play", "--slot", when, "--sink", "file", "--test")
    message_id = first_website_message(station)
    if message_id is not None:
        run(
            T("s_publish"), "publish", "--message", str(message_id), "--channel", "website", "--now"
        )
    if first is not None and first.date() == station.now().date():
        run(T("s_today"), "today")
    today = station.now().date().isoformat()
    run(T("s_report"), "report", "--from", today, "--to", today)
    out.print(Rule())
    out.print(T("done", path=root), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("demo", help=T("demo"))(demo)
