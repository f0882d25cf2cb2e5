"""`loa province user ...` and `loa province web`: the province's users and its one dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.cli.common import sub_app
from loa.cli.province import JsonOpt, ProvinceOpt, _find
from loa.core.i18n import Catalog

T = Catalog(
    {
        "user": (
            "Người dùng của tỉnh (xem mọi xã trên loa province web): add, list, passwd, rm.",
            "The province's users (see every commune in loa province web): add, list, passwd, rm.",
        ),
        "add": (
            "Thêm người dùng của tỉnh; mật khẩu đọc từ đầu vào chuẩn, hoặc hỏi hai lần trên "
            "màn hình.",
            "Add a province user; the password is read from standard input, or asked twice on "
            "a terminal.",
        ),
        "list": ("Các người dùng của tỉnh và vai trò.", "The province's users and their roles."),
        "passwd": (
            "Đổi mật khẩu của người dùng tỉnh; các phiên đăng nhập cũ kết thúc.",
            "Change a province user's password; their old sessions end.",
        ),
        "rm": ("Xoá một người dùng của tỉnh.", "Remove a province user."),
        "o_name": ("Tên đăng nhập, ví dụ lan.nguyen.", "The login name, e.g. lan.nguyen."),
        "o_role": (
            "Vai trò: officer (cán bộ tỉnh: viết tin của tỉnh), operator (kỹ thuật: phát "
            "thanh ở các xã), viewer (chỉ xem).",
            "Role: officer (writes province messages), operator (runs the communes' radio), "
            "viewer (read only).",
        ),
        "added": (
            "Đã thêm người dùng tỉnh {name} ({role}).",
            "Added province user {name} ({role}).",
        ),
        "changed": ("Đã đổi mật khẩu của {name}.", "Changed {name}'s password."),
        "removed": ("Đã xoá người dùng tỉnh {name}.", "Removed province user {name}."),
        "none": (
            "Tỉnh chưa có người dùng nào. Thêm: loa province user add TÊN --role officer",
            "The province has no users yet. Add one: loa province user add NAME --role officer",
        ),
        "web": (
            "Mở một bảng điều khiển cho cả tỉnh: trang của tỉnh (tình hình các xã, cảnh báo, tin "
            "của tỉnh) và trang của từng xã ở /x/MÃ_XÃ/.",
            "Serve one dashboard for the whole province: the province's pages (communes now, "
            "alerts, province messages) and each commune's at /x/ID/.",
        ),
        "o_host": (
            "Địa chỉ lắng nghe (mặc định 127.0.0.1; địa chỉ khác cần đã có người dùng tỉnh).",
            "Address to listen on (default 127.0.0.1; another needs a province user).",
        ),
        "o_port": ("Cổng (mặc định 8080).", "Port (default 8080)."),
        "no_users": (
            "Tỉnh chưa có người dùng nào nên loa province web chỉ mở ở máy này (127.0.0.1), "
            "không mở ra {host}. Thêm trước: loa province user add TÊN --role officer",
            "The province has no users yet, so loa province web only listens on this machine "
            "(127.0.0.1), not on {host}. Add one first: loa province user add NAME --role "
            "officer",
        ),
        "serving": (
            "loa province web đang chạy ở http://{host}:{port}/ ({n} xã; Ctrl-C để dừng).",
            "loa province web is serving at http://{host}:{port}/ ({n} communes; Ctrl-C to stop).",
        ),
    }
)

user_app = sub_app(T("user"))

NameArg = Annotated[str, typer.Argument(help=T("o_name"))]


@user_app.command("add", help=T("add"))
def add_cmd(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", "-r", help=T("o_role"))] = "viewer",
    province: ProvinceOpt = None,
) -> None:
    from loa.cli.common import console
    from loa.cli.user import _read_password
    from loa.province.users import add_user, parse_role

    parse_role(role)
    opened = _find(province)
    account = add_user(opened, name, role, _read_password(), now=opened.now())
    console().print(T("added", name=account.login, role=account.role), highlight=False)


@user_app.command("list", help=T("list"))
def list_cmd(province: ProvinceOpt = None, as_json: JsonOpt = False) -> None:
    from loa.cli.common import console, print_json
    from loa.province.users import list_users

    accounts = list_users(_find(province))
    if as_json:
        print_json([{"name": a.login, "role": a.role} for a in accounts])
        return
    out = console()
    if not accounts:
        out.print(T("none"), highlight=False)
    for account in accounts:
        out.print(f"{account.login}\t{account.role}", highlight=False)


@user_app.command("passwd", help=T("passwd"))
def passwd_cmd(name: NameArg, province: ProvinceOpt = None) -> None:
    from loa.cli.common import console
    from loa.cli.user import _read_password
    from loa.province.users import set_password

    set_password(_find(province), name, _read_password())
    console().print(T("changed", name=name), highlight=False)


@user_app.command("rm", help=T("rm"))
def rm_cmd(name: NameArg, province: ProvinceOpt = None) -> None:
    from loa.cli.common import console
    from loa.province.users import remove_user

    remove_user(_find(province), name)
    console().print(T("removed", name=name), highlight=False)


def web_cmd(
    host: Annotated[str, typer.Option("--host", help=T("o_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=T("o_port"))] = 8080,
    province: ProvinceOpt = None,
) -> None:
    import uvicorn

    from loa.cli.common import console
    from loa.core.errors import UserError
    from loa.province.users import has_users
    from loa.web.province import create_province_app
    from loa.web.security import is_loopback
    from loa.web.serve import T as SERVE
    from loa.web.serve import _check_free

    opened = _find(province)
    if not 1 <= port <= 65535:
        raise UserError(SERVE("port", port=port))
    if not is_loopback(host) and not has_users(opened):
        raise UserError(T("no_users", host=host))
    _check_free(host, port)
    app = create_province_app(opened)
    n = len(opened.stations())
    console().print(T("serving", host=host, port=port, n=n), highlight=False)
    uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False
        )
    ).run()


def attach(province_app: typer.Typer) -> None:
    province_app.add_typer(user_app, name="user")
    province_app.command("web", help=T("web"))(web_cmd)
