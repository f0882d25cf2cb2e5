"""`loa msg ...`: the message queue."""

from __future__ import annotations

import typer

from loa.cli.common import sub_app
from loa.i18n import Catalog

T = Catalog({"msg": ("Quản lý hàng đợi tin tuyên truyền.", "Manage the message queue.")})

msg_app = sub_app(T("msg"))


def register(app: typer.Typer) -> None:
    app.add_typer(msg_app, name="msg")
