"""`loa province stream`: the province's IP-radio head-end for communes with no always-on PC."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loa.core.i18n import Catalog

T = Catalog(
    {
        "stream": (
            "Giữ luồng IP (các điểm phát Icecast) của các xã không có máy chạy suốt ngày "
            "(province.toml [stream] communes): phát bản tin đúng giờ, phát khẩn cấp ngay; "
            "chạy hai bản để dự phòng, bản thứ hai chờ sẵn.",
            "Keep the IP stream (the Icecast mounts) of the communes with no always-on PC "
            "(province.toml [stream] communes): bulletins at their times, urgent at once; run "
            "two for fail-over, the second waits on standby.",
        ),
        "o_province": (
            "Thư mục tỉnh (mặc định: LOA_PROVINCE, rồi tìm từ thư mục hiện tại trở lên).",
            "The province folder (default: LOA_PROVINCE, then searching up from here).",
        ),
        "o_interval": (
            "Số giây giữa hai lần kiểm tra khoá và bản tin đến giờ.",
            "Seconds between two checks of the lock and of the bulletins due.",
        ),
        "active": (
            "Đang giữ luồng của {n} xã: {idents}.",
            "Holding the streams of {n} communes: {idents}.",
        ),
        "standby": (
            "Một bộ phát luồng khác đang chạy; bản này chờ sẵn để thay khi nó dừng.",
            "Another head-end is running; this one waits on standby to take over.",
        ),
        "lost": (
            "Bộ phát luồng mất khoá (cơ sở dữ liệu bị ngắt); trả lại các điểm phát và chờ.",
            "The head-end lost its lock (the database went away); it lets the mounts go and waits.",
        ),
    }
)


def stream_cmd(
    province: Annotated[Path | None, typer.Option("--province", "-p", help=T("o_province"))] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.2, max=600, help=T("o_interval"))
    ] = 2.0,
) -> None:
    import signal

    from loa.cli.common import err_console
    from loa.cli.province import _find, _timestamped_logging
    from loa.province.stream import HeadEnd

    opened = _find(province)
    _timestamped_logging(opened.timezone)
    head = HeadEnd(opened, interval_s=interval)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: head.stop.set())
    err = err_console()
    head.run(
        on_active=lambda idents: err.print(
            T("active", n=len(idents), idents=", ".join(idents)), highlight=False
        ),
        on_standby=lambda: err.print(T("standby"), highlight=False),
        on_lost=lambda: err.print(T("lost"), highlight=False),
    )


def attach(province_app: typer.Typer) -> None:
    """Add `stream` to `loa province`."""
    province_app.command("stream", help=T("stream"))(stream_cmd)
    from loa.cli.province_source import attach as attach_source

    attach_source(province_app)
