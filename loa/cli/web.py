"""`loa web`: the dashboard for the officer and the radio operator."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.cli.common import console, get_station
from loa.core.i18n import Catalog

T = Catalog(
    {
        "web": (
            "Mở bảng điều khiển web (tin bài, lịch, phát thanh, hộp thư đi, báo cáo) và API /api.",
            "Serve the web dashboard (messages, plan, radio, outbox, reports) and the /api.",
        ),
        "o_host": (
            "Địa chỉ lắng nghe (mặc định 127.0.0.1, chỉ máy này; địa chỉ khác cần đã có người dùng).",
            "Address to listen on (default 127.0.0.1, this machine only; another needs a user).",
        ),
        "o_port": ("Cổng (mặc định 8080).", "Port (default 8080)."),
        "serving": (
            "loa web đang chạy ở http://{host}:{port}/ (Ctrl-C để dừng).",
            "loa web is serving at http://{host}:{port}/ (Ctrl-C to stop).",
        ),
    }
)


def web(
    host: Annotated[str, typer.Option("--host", help=T("o_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help=T("o_port"))] = 8080,
) -> None:
    from loa.web.serve import check_bind, serve

    station = get_station()
    check_bind(station, host, port)
    console().print(T("serving", host=host, port=port), highlight=False)
    serve(station, host, port)


def register(app: typer.Typer) -> None:
    app.command("web", help=T("web"))(web)
