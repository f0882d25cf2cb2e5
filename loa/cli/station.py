"""`loa init`: create a station folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loa.core.i18n import Catalog

T = Catalog(
    {
        "init": (
            "Tạo một đài mới: loa.toml, cơ sở dữ liệu và thư mục media. "
            "--sample điền sẵn các tin mẫu đã duyệt.",
            "Create a station: loa.toml, the database and media/. "
            "--sample fills it with approved sample messages.",
        ),
        "dir": ("Thư mục của đài (mặc định: thư mục hiện tại).", "Station folder (default: here)."),
        "name": ('Tên đài / tên xã, ví dụ "Xã Cẩm Nhượng".', "Station / commune name."),
        "province": ("Tỉnh.", "Province."),
        "district": ("Huyện.", "District."),
        "lang": ("Ngôn ngữ giao diện: vi hoặc en.", "Interface language: vi or en."),
        "sample": ("Điền tin mẫu (đã duyệt).", "Fill with sample messages (approved)."),
        "done": ('Đã tạo đài "{name}" tại {path}.', 'Created station "{name}" at {path}.'),
        "done_sample": ("Đã nạp {n} tin mẫu (đã duyệt).", "Loaded {n} sample messages (approved)."),
        "next": (
            "Tiếp theo: cd {path} && loa msg list",
            "Next: cd {path} && loa msg list",
        ),
    }
)


def init(
    directory: Annotated[Path, typer.Argument(help=T("dir"))] = Path("."),
    name: Annotated[str, typer.Option("--name", "-n", help=T("name"))] = "Xã Cẩm Nhượng",
    province: Annotated[str, typer.Option(help=T("province"))] = "Hà Tĩnh",
    district: Annotated[str, typer.Option(help=T("district"))] = "Nghi Xuân",
    lang: Annotated[str, typer.Option("--lang", help=T("lang"))] = "vi",
    sample: Annotated[bool, typer.Option("--sample", help=T("sample"))] = False,
) -> None:
    from loa.app.messages import message_count
    from loa.app.setup import init_station
    from loa.cli.common import console

    station = init_station(
        directory, name=name, province=province, district=district, language=lang, sample=sample
    )
    out = console()
    out.print(T("done", name=station.name, path=station.root), highlight=False)
    if sample:
        out.print(T("done_sample", n=message_count(station)), highlight=False)
    out.print(T("next", path=station.root), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("init", help=T("init"))(init)
