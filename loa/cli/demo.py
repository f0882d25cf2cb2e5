"""`loa demo`: the whole pipeline on the built-in sample station, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loa.i18n import Catalog

T = Catalog(
    {
        "demo": (
            "Chạy thử toàn bộ quy trình trên đài mẫu, không cần mạng: tạo đài mẫu (nếu chưa có) "
            "rồi in hàng đợi tin.",
            "Run the whole pipeline on the sample station, offline: create it if missing, then "
            "print the message queue.",
        ),
        "dir": ("Thư mục đài mẫu (mặc định: ./demo).", "Sample station folder (default: ./demo)."),
        "made": ("Đã tạo đài mẫu tại {path}.", "Created the sample station at {path}."),
        "reuse": ("Dùng đài mẫu có sẵn tại {path}.", "Using the existing sample station at {path}."),
    }
)


def demo(directory: Annotated[Path, typer.Argument(help=T("dir"))] = Path("demo")) -> None:
    from loa.cli import common
    from loa.station import CONFIG_NAME, init_station

    out = common.console()
    if (directory / CONFIG_NAME).is_file():
        out.print(T("reuse", path=directory.resolve()), highlight=False)
    else:
        init_station(directory, name="Xã Cẩm Nhượng", province="Hà Tĩnh", district="Nghi Xuân",
                     sample=True)
        out.print(T("made", path=directory.resolve()), highlight=False)
    common.set_station_dir(directory)
    from loa.cli.msg import list_

    list_(status=None, topic=None, audience=None, channel=None, search=None, as_json=False)


def register(app: typer.Typer) -> None:
    app.command("demo", help=T("demo"))(demo)
