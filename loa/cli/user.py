"""`loa user ...`: the dashboard's users, roles and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from loa.cli.common import console, get_station, print_json, sub_app
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "user": (
            "Người dùng của bảng điều khiển web (loa web): thêm, liệt kê, đổi mật khẩu, xoá, mã API.",
            "Users of the web dashboard (loa web): add, list, change password, remove, API tokens.",
        ),
        "add": (
            "Thêm người dùng; mật khẩu đọc từ đầu vào chuẩn, hoặc hỏi hai lần ở cửa sổ lệnh.",
            "Add a user; the password is read from standard input, or asked twice on a terminal.",
        ),
        "list": ("Liệt kê người dùng và vai trò.", "List the users and their roles."),
        "passwd": (
            "Đổi mật khẩu (đọc từ đầu vào chuẩn hoặc hỏi hai lần); mọi phiên đăng nhập và mã API cũ "
            "hết hiệu lực.",
            "Change a password (standard input, or asked twice); every old session and API token "
            "ends.",
        ),
        "rm": ("Xoá người dùng và các mã API của họ.", "Remove a user and their API tokens."),
        "token": (
            "Tạo một mã API mới cho người dùng (chỉ in ra một lần; dùng: Authorization: Bearer <mã>).",
            "Make a new API token for a user (printed once; use: Authorization: Bearer <token>).",
        ),
        "tokens": (
            "Liệt kê các mã API của người dùng (số và ngày tạo, không in mã).",
            "List a user's API tokens (number and date made; the tokens are not shown).",
        ),
        "token_rm": (
            "Thu hồi một mã API của người dùng theo số (xem bằng: loa user tokens TÊN).",
            "Revoke one of a user's API tokens by number (see: loa user tokens NAME).",
        ),
        "o_token_id": ("Số của mã API", "The API token's number"),
        "no_tokens": ("{name} không có mã API nào.", "{name} has no API token."),
        "token_revoked": (
            "Đã thu hồi mã API số {id} của {name}.",
            "Revoked {name}'s API token {id}.",
        ),
        "o_name": ("Tên đăng nhập, vd: lan.nguyen", "The user name, e.g. lan.nguyen"),
        "o_role": (
            "Vai trò: officer (mọi việc), operator (phát thanh, hộp thư đi, khẩn cấp), viewer (chỉ xem).",
            "Role: officer (everything), operator (radio, outbox, urgent), viewer (read only).",
        ),
        "o_json": ("In dạng JSON.", "Print as JSON."),
        "ask": ("Mật khẩu mới: ", "New password: "),
        "again": ("Nhập lại mật khẩu: ", "Repeat the password: "),
        "mismatch": (
            "Hai lần nhập mật khẩu không khớp. Chạy lại và gõ cùng một mật khẩu.",
            "The two passwords differ. Run again and type the same password twice.",
        ),
        "empty": (
            "Không có mật khẩu ở đầu vào chuẩn. Ví dụ: echo 'mật-khẩu' | loa user add lan --role officer",
            "No password on standard input. For example: echo 'secret-pw' | loa user add lan --role officer",
        ),
        "added": ("Đã thêm {name} ({role}).", "Added {name} ({role})."),
        "changed": ("Đã đổi mật khẩu của {name}.", "Changed {name}'s password."),
        "removed": ("Đã xoá {name}.", "Removed {name}."),
        "none": (
            "Chưa có người dùng. Thêm bằng: loa user add TÊN --role officer",
            "No users yet. Add one with: loa user add NAME --role officer",
        ),
        "token_note": (
            "Mã này chỉ hiện một lần; hãy cất giữ cẩn thận.",
            "This token is shown only once; keep it safe.",
        ),
    }
)

user_app = sub_app(T("user"))


def _read_password() -> str:
    """The password: asked twice on a terminal, else the first line of standard input."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(T("ask"))
        if first != getpass.getpass(T("again")):
            raise UserError(T("mismatch"))
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UserError(T("empty"))
    return line


NameArg = Annotated[str, typer.Argument(help=T("o_name"))]


@user_app.command("add", help=T("add"))
def add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", "-r", help=T("o_role"))] = "viewer",
) -> None:
    from loa.app.users import add_user, parse_role

    parse_role(role)
    station = get_station()
    account = add_user(station, name, role, _read_password(), now=station.now())
    console().print(T("added", name=account.name, role=account.role), highlight=False)


@user_app.command("list", help=T("list"))
def list_(as_json: Annotated[bool, typer.Option("--json", help=T("o_json"))] = False) -> None:
    from loa.app.users import list_users

    accounts = list_users(get_station())
    if as_json:
        print_json([{"name": a.name, "role": a.role} for a in accounts])
        return
    out = console()
    if not accounts:
        out.print(T("none"), highlight=False)
    for account in accounts:
        out.print(f"{account.name}\t{account.role}", highlight=False)


@user_app.command("passwd", help=T("passwd"))
def passwd(name: NameArg) -> None:
    from loa.app.users import set_password

    station = get_station()
    set_password(station, name, _read_password())
    console().print(T("changed", name=name), highlight=False)


@user_app.command("rm", help=T("rm"))
def rm(name: NameArg) -> None:
    from loa.app.users import remove_user

    remove_user(get_station(), name)
    console().print(T("removed", name=name), highlight=False)


@user_app.command("token", help=T("token"))
def token(name: NameArg) -> None:
    from loa.app.users import new_token

    station = get_station()
    value = new_token(station, name, now=station.now())
    sys.stdout.write(value + "\n")
    sys.stderr.write(T("token_note") + "\n")


@user_app.command("tokens", help=T("tokens"))
def tokens(
    name: NameArg, as_json: Annotated[bool, typer.Option("--json", help=T("o_json"))] = False
) -> None:
    from loa.app.users import list_tokens

    found = list_tokens(get_station(), name)
    if as_json:
        print_json([{"id": t.id, "created_at": t.created_at.isoformat()} for t in found])
        return
    out = console()
    if not found:
        out.print(T("no_tokens", name=name), highlight=False)
    for info in found:
        out.print(f"{info.id}\t{info.created_at:%d/%m/%Y %H:%M}", highlight=False)


@user_app.command("token-rm", help=T("token_rm"))
def token_rm(
    name: NameArg, token_id: Annotated[int, typer.Argument(help=T("o_token_id"), min=1)]
) -> None:
    from loa.app.users import revoke_token

    revoke_token(get_station(), name, token_id)
    console().print(T("token_revoked", id=token_id, name=name), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
