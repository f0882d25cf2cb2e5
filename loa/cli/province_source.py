"""`loa province source sync`: one pass with another vendor's source information system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loa.cli.common import sub_app
from loa.core.i18n import Catalog

T = Catalog(
    {
        "source": (
            "Trao đổi với hệ thống thông tin nguồn của đơn vị khác (province.toml "
            "[source_system]).",
            "Exchange with another vendor's source information system (province.toml "
            "[source_system]).",
        ),
        "sync": (
            "Nhận tin mới từ hệ thống nguồn (gửi xuống các xã) và gửi lên nhật ký đã phát.",
            "Take new bulletins from the source system (sent down to the communes) and send "
            "up what was aired.",
        ),
        "o_province": (
            "Thư mục tỉnh (mặc định: LOA_PROVINCE, rồi tìm từ thư mục hiện tại trở lên).",
            "The province folder (default: LOA_PROVINCE, then searching up from here).",
        ),
        "o_json": ("In JSON.", "Print JSON."),
        "done": (
            "Đã nhận {imported} tin mới, từ chối {refused}; đã gửi {reported} lượt phát, "
            "xác nhận {acked} tin.",
            "Took {imported} new bulletins, refused {refused}; sent {reported} airings, "
            "acknowledged {acked}.",
        ),
        "refused": ("Tin {id} bị từ chối: {why}", "Bulletin {id} refused: {why}"),
    }
)

source_app = sub_app(T("source"))


@source_app.command("sync", help=T("sync"))
def sync_cmd(
    province: Annotated[Path | None, typer.Option("--province", "-p", help=T("o_province"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=T("o_json"))] = False,
) -> None:
    from loa.cli.common import console, print_json
    from loa.cli.province import _find
    from loa.province.source import open_source, sync

    opened = _find(province)
    result = sync(opened, open_source(opened))
    if as_json:
        print_json(result.to_dict())
        return
    for remote_id, why in result.refused.items():
        console().print(T("refused", id=remote_id, why=why), style="yellow", highlight=False)
    console().print(
        T(
            "done",
            imported=len(result.imported),
            refused=len(result.refused),
            reported=result.reported,
            acked=len(result.acknowledged),
        ),
        highlight=False,
    )


def attach(province_app: typer.Typer) -> None:
    """Add `source` to `loa province`."""
    province_app.add_typer(source_app, name="source")
