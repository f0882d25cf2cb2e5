"""`loa say`, `loa render`, `loa voices`, `loa cache prune`: speech clips and bulletins."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from loa.cli.common import row_id, sub_app
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "say": (
            "Đọc một đoạn văn bản (hoặc một tin) thành một tệp âm thanh để nghe thử giọng.",
            "Speak a text (or a message) into one audio file, to try a voice.",
        ),
        "text": ("Văn bản cần đọc.", "The text to speak."),
        "message": ("Đọc tin số ID thay cho văn bản.", "Speak message ID instead of a text."),
        "output": ("Tệp ra (.mp3 hoặc .wav).", "Output file (.mp3 or .wav)."),
        "engine": (
            "Bộ đọc: espeak, fpt, google, azure, viettel, gtts, piper, silent (mặc định: theo loa.toml).",
            "Engine: espeak, fpt, google, azure, viettel, gtts, piper, silent (default: from loa.toml).",
        ),
        "voice": (
            "Giọng của bộ đọc, ví dụ vi, vi-vn-x-south, fpt:lannhi (bộ đọc:giọng).",
            "The engine's voice, e.g. vi, vi-vn-x-south, fpt:lannhi (engine:voice).",
        ),
        "said": (
            "Đã ghi {path} ({seconds:.1f} giây, bộ đọc {engine}, giọng {voice}{cached}).",
            "Wrote {path} ({seconds:.1f} s, engine {engine}, voice {voice}{cached}).",
        ),
        "from_cache": (", lấy từ bộ nhớ đệm", ", from the cache"),
        "need_text": (
            'Cần văn bản hoặc --message ID (không dùng cả hai). Ví dụ: loa say "Xin chào" -o x.mp3',
            'Give a text or --message ID (not both). Example: loa say "Xin chào" -o x.mp3',
        ),
        "bad_suffix": (
            "Tệp ra phải có đuôi .mp3 hoặc .wav: {path}",
            "The output file must end in .mp3 or .wav: {path}",
        ),
        "render": (
            "Tạo các bản tin phát thanh của một ngày hoặc một tuần theo kế hoạch "
            "(chạy song song trên các nhân CPU; bản tin không đổi thì không làm lại).",
            "Render the radio bulletins of a day or a week of the plan (in parallel across CPU "
            "cores; unchanged bulletins are not redone).",
        ),
        "date": (
            "Ngày bắt đầu, ví dụ 23/11/2026 hoặc mai (mặc định: hôm nay; --date cũng được).",
            "First day, e.g. 23/11/2026 or tomorrow (default: today; --date also works).",
        ),
        "week": (
            "Cả tuần (thứ Hai đến Chủ nhật) chứa ngày bắt đầu.",
            "The whole week (Monday to Sunday) holding the first day.",
        ),
        "days": ("Số ngày (mặc định 1).", "Number of days (default 1)."),
        "workers": (
            "Số tiến trình song song (mặc định: số nhân CPU).",
            "Parallel processes (default: the number of CPU cores).",
        ),
        "force": ("Làm lại cả các bản tin đã có.", "Redo bulletins that are already up to date."),
        "json": ("In kết quả dạng JSON.", "Print JSON."),
        "none": (
            "Không có bản tin nào trong khoảng {start} + {days} ngày: lịch phát thanh chưa có "
            "tin nào. Lập lịch trước: loa plan --days 7.",
            "No bulletins in {start} + {days} days: the radio plan is empty. Plan first: "
            "loa plan --days 7.",
        ),
        "col_when": ("Giờ phát", "Airs at"),
        "weekdays": ("T2 T3 T4 T5 T6 T7 CN", "Mon Tue Wed Thu Fri Sat Sun"),
        "col_len": ("Thời lượng", "Length"),
        "col_items": ("Số tin", "Items"),
        "col_state": ("Trạng thái", "State"),
        "col_voice": ("Bộ đọc", "Engines"),
        "col_file": ("Tệp", "File"),
        "state_cached": ("có sẵn", "up to date"),
        "state_new": ("mới tạo", "rendered"),
        "rendered": (
            "{n} bản tin, tổng {minutes} phút âm thanh, {new} bản mới tạo.",
            "{n} bulletins, {minutes} minutes of audio, {new} newly rendered.",
        ),
        "voices": (
            "Liệt kê các bộ đọc và giọng, và kiểm tra mỗi bộ đọc có dùng được ngay bây giờ không.",
            "List engines and voices, and check whether each engine works right now.",
        ),
        "add_voice": (
            "Thêm một giọng Piper (tệp .onnx kèm .onnx.json) do đài có: kiểm tra, chép vào thư "
            "mục voices của đài và dùng nó cho các bản tin.",
            "Add a Piper voice the station has (an .onnx file with its .onnx.json): check it, copy "
            "it into the station's voices folder and use it for bulletins.",
        ),
        "voice_file": ("Tệp giọng Piper .onnx.", "The Piper voice file (.onnx)."),
        "voice_added": (
            'Đã thêm giọng {path}; loa.toml: engine = "piper", piper_voice = "{setting}".',
            'Added the voice {path}; loa.toml: engine = "piper", piper_voice = "{setting}".',
        ),
        "voice_unchecked": (
            "Chưa thử đọc được: {note}",
            "Not tried yet: {note}",
        ),
        "no_check": ("Không thử đọc (không gọi mạng).", "Do not try speaking (no network calls)."),
        "col_engine": ("Bộ đọc", "Engine"),
        "col_voice_id": ("Giọng", "Voice"),
        "col_label": ("Mô tả", "Description"),
        "col_online": ("Cần mạng", "Online"),
        "col_works": ("Dùng được", "Works"),
        "col_region": ("Miền, giọng", "Region, gender"),
        "check": (
            "Kiểm tra ngay các bộ đọc theo thứ tự dùng của đài (loa.toml): bộ nào đọc được, bộ "
            "nào hết hạn mức hoặc không gọi được, và bản tin sẽ đọc bằng bộ nào.",
            "Check now the station's engines in their order of use (loa.toml): which can speak, "
            "which are out of quota or unreachable, and which one bulletins would use.",
        ),
        "check_ok": ("{engine} ({voice}): đọc được", "{engine} ({voice}): works"),
        "check_bad": (
            "{engine} ({voice}): không đọc được: {reason}",
            "{engine} ({voice}): does not work: {reason}",
        ),
        "check_speaks": (
            "Bản tin đọc bằng: {engine}.",
            "Bulletins are spoken by: {engine}.",
        ),
        "check_fallback": (
            "Bản tin đọc bằng giọng dự phòng {engine} (bộ đọc chính {main} không dùng được); "
            "lịch phát thanh và nhật ký phát sẽ ghi rõ.",
            "Bulletins are spoken by the fallback {engine} (the main engine {main} does not "
            "work); the run sheet and the as-run log say so.",
        ),
        "check_none": (
            "Không bộ đọc nào đọc được lúc này: bản tin chưa dựng sẽ không tạo được. Sửa mục "
            "audio trong loa.toml (engine, fallback) hoặc khoá API.",
            "No engine can speak now: bulletins not yet rendered cannot be made. Fix the audio "
            "section of loa.toml (engine, fallback) or the API key.",
        ),
        "yes": ("có", "yes"),
        "no": ("không", "no"),
        "unchecked": ("chưa thử", "not checked"),
        "chain": ("Thứ tự dùng (theo loa.toml): {chain}", "Order of use (loa.toml): {chain}"),
        "cache": (
            "Quản lý bộ nhớ đệm âm thanh (media/cache).",
            "Manage the audio cache (media/cache).",
        ),
        "prune": (
            "Xoá các đoạn âm thanh trong bộ nhớ đệm mà không bản tin hiện tại hay sắp tới nào dùng.",
            "Remove cached clips that no current or future bulletin uses.",
        ),
        "dry_run": ("Chỉ liệt kê, không xoá.", "Only count, do not delete."),
        "pruned": (
            "Đã xoá {n} tệp, giải phóng {mb:.1f} MB; giữ {kept} đoạn đang dùng.",
            "Removed {n} files, freed {mb:.1f} MB; kept {kept} clips in use.",
        ),
        "would_prune": (
            "Sẽ xoá {n} tệp ({mb:.1f} MB); giữ {kept} đoạn đang dùng.",
            "Would remove {n} files ({mb:.1f} MB); keeping {kept} clips in use.",
        ),
    }
)

cache_app = sub_app(T("cache"))
voices_app = sub_app(T("voices"))
voices_app.info.no_args_is_help = False


def say(
    text: Annotated[str | None, typer.Argument(help=T("text"))] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help=T("output"))] = Path("loa-say.mp3"),
    message: Annotated[
        int | None, typer.Option("--message", "-m", help=T("message"), parser=row_id)
    ] = None,
    engine: Annotated[str | None, typer.Option("--engine", "-e", help=T("engine"))] = None,
    voice: Annotated[str | None, typer.Option("--voice", help=T("voice"))] = None,
) -> None:
    from rich.markup import escape

    from loa.app.voice import say as say_clip
    from loa.cli.common import console, err_console, get_station

    if (text is None) == (message is None):
        raise UserError(T("need_text"))
    if output.suffix.lower() not in (".mp3", ".wav"):
        raise UserError(T("bad_suffix", path=output))
    station = get_station()
    speech = say_clip(station, text, message_id=message, output=output, engine=engine, voice=voice)
    for note in speech.notes:
        err_console().print(f"[yellow]{escape(note)}[/]", highlight=False)
    clip = speech.clip
    console().print(
        T(
            "said",
            path=output,
            seconds=clip.duration_s,
            engine=clip.engine,
            voice=clip.voice,
            cached="" if clip.created else T("from_cache"),
        ),
        highlight=False,
    )


def render(
    day: Annotated[str | None, typer.Option("--from", "--date", help=T("date"))] = None,
    week: Annotated[bool, typer.Option("--week", "-w", help=T("week"))] = False,
    days: Annotated[int | None, typer.Option("--days", "-d", min=1, max=62, help=T("days"))] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-j", min=1, help=T("workers"))
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=T("force"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=T("json"))] = False,
) -> None:
    from datetime import timedelta

    from rich.markup import escape

    from loa.app.render import render_period
    from loa.cli.common import console, day_option, err_console, get_station, print_json

    station = get_station()
    start = day_option(day, station)
    count = days or 1
    if week:  # the same week as `loa schedule --week`: Monday to Sunday
        start, count = start - timedelta(days=start.weekday()), 7
    results = render_period(
        station, start, count, progress=not as_json, workers=workers, force=force
    )
    if as_json:
        print_json([_result_dict(r) for r in results])
        return
    out = console()
    if not results:
        out.print(T("none", start=start.isoformat(), days=count), highlight=False)
        return
    from rich.table import Table

    from loa.core.dates import clock_text
    from loa.core.i18n import decimal

    table = Table()
    for column in ("col_when", "col_len", "col_items", "col_state", "col_voice", "col_file"):
        table.add_column(T(column))
    notes: list[str] = []
    for r in results:
        weekday = T("weekdays").split()[r.when.weekday()]
        table.add_row(
            f"{weekday} {r.when:%d/%m %H:%M}",
            clock_text(r.duration_s),
            str(len(r.items)),
            T("state_cached") if r.cached else T("state_new"),
            ", ".join(r.engines),
            _short(r.path, station.root),
        )
        notes += [n for n in r.notes if n not in notes]
    out.print(table)
    for note in notes:
        err_console().print(f"[yellow]{escape(note)}[/]", highlight=False)
    out.print(
        T(
            "rendered",
            n=len(results),
            minutes=decimal(sum(r.duration_s for r in results) / 60),
            new=sum(not r.cached for r in results),
        ),
        highlight=False,
    )


def _short(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _result_dict(r: Any) -> dict[str, Any]:
    return {
        "path": str(r.path),
        "when": r.when.isoformat(timespec="minutes"),
        "duration_s": round(r.duration_s, 3),
        "cached": r.cached,
        "engines": r.engines,
        "notes": r.notes,
        "items": [i._asdict() for i in r.items],
    }


def voices(
    ctx: typer.Context,
    no_check: Annotated[bool, typer.Option("--no-check", help=T("no_check"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=T("json"))] = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from loa.app.voice import list_voices
    from loa.cli.common import console, get_station, print_json

    station = get_station()
    rows, chain = list_voices(station, check=not no_check)
    if as_json:
        print_json({"chain": chain, "voices": rows})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    columns = ("col_engine", "col_voice_id", "col_label", "col_region")
    for column in (*columns, "col_online", "col_works"):
        table.add_column(T(column), overflow="fold")
    for row in rows:
        works = row["works"]
        state = (
            T("unchecked")
            if works is None
            else f"[green]{T('yes')}[/]"
            if works
            else f"[red]{T('no')}[/]: {escape(row['reason'])}"
        )
        table.add_row(
            row["engine"],
            escape(row["voice"]),
            escape(row["label"]),
            ", ".join(p for p in (row["region"], row["gender"]) if p),
            T("yes") if row["online"] else T("no"),
            state,
        )
    out = console()
    out.print(table)
    out.print(T("chain", chain=" → ".join(chain)), highlight=False)


def check(
    as_json: Annotated[bool, typer.Option("--json", help=T("json"))] = False,
) -> None:
    from dataclasses import asdict

    from rich.markup import escape

    from loa.app.voice import check_chain
    from loa.cli.common import console, get_station, print_json

    checks, speaking = check_chain(get_station())
    if as_json:
        print_json({"checks": [asdict(c) for c in checks], "speaking": speaking})
    else:
        out = console()
        for c in checks:
            if c.works:
                out.print(f"[green]✓[/] {T('check_ok', engine=c.engine, voice=c.voice or '-')}")
            else:
                line = T("check_bad", engine=c.engine, voice=c.voice or "-", reason=c.reason)
                out.print(f"[red]✗[/] {escape(line)}")
        if speaking is None:
            out.print(f"[red]{T('check_none')}[/]", highlight=False)
        elif checks and speaking != checks[0].engine:
            out.print(
                f"[yellow]{T('check_fallback', engine=speaking, main=checks[0].engine)}[/]",
                highlight=False,
            )
        else:
            out.print(T("check_speaks", engine=speaking), highlight=False)
    if speaking is None:
        raise typer.Exit(1)


def add_voice(
    file: Annotated[Path, typer.Argument(help=T("voice_file"), show_default=False)],
) -> None:
    from loa.app.voice import add_piper_voice
    from loa.cli.common import console, get_station

    added = add_piper_voice(get_station(), file)
    out = console()
    out.print(T("voice_added", path=added.path, setting=added.setting), highlight=False)
    if not added.checked:
        out.print(T("voice_unchecked", note=added.note), highlight=False)


def prune(
    dry_run: Annotated[bool, typer.Option("--dry-run", help=T("dry_run"))] = False,
) -> None:
    from loa.app.render import prune
    from loa.cli.common import console, get_station

    station = get_station()
    result = prune(station, today=station.now().date(), dry_run=dry_run)
    key = "would_prune" if dry_run else "pruned"
    console().print(
        T(key, n=result.removed, mb=result.freed_bytes / 1e6, kept=result.kept), highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("say", help=T("say"))(say)
    app.command("render", help=T("render"))(render)
    voices_app.callback(invoke_without_command=True)(voices)
    voices_app.command("add", help=T("add_voice"))(add_voice)
    voices_app.command("check", help=T("check"))(check)
    app.add_typer(voices_app, name="voices")
    cache_app.command("prune", help=T("prune"))(prune)
    app.add_typer(cache_app, name="cache")
