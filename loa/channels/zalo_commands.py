"""Zalo OA's own commands, `loa channels zalo ...`: the registry's descriptor names this hook and
the command line mounts what it returns (the channel carries its commands, as a plug-in would)."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.registry import CommandDoor

T = Catalog(
    {
        "zalo": (
            "Zalo OA: đăng nhập (lưu refresh token an toàn).",
            "Zalo OA: log in (store the refresh token safely).",
        ),
        "zalo_login": (
            "Đọc refresh token của OA từ đầu vào chuẩn (dán rồi Enter), lưu vào keyring hoặc tệp "
            "mã hoá của đài, và đổi lấy mã truy cập đầu tiên.",
            "Read the OA's refresh token from standard input (paste, then Enter), store it in "
            "the keyring or the station's encrypted file, and exchange it for a first access "
            "token.",
        ),
        "zalo_o_url": (
            "In địa chỉ uỷ quyền (OAuth v4, PKCE) cho quản trị viên OA chưa có refresh token.",
            "Print the authorisation address (OAuth v4, PKCE) for an OA admin with no refresh "
            "token.",
        ),
        "zalo_o_code": (
            "Đọc mã uỷ quyền (code) hoặc cả địa chỉ Zalo trả về, thay cho refresh token.",
            "Read the authorisation code (or the whole address Zalo returned to) instead of a "
            "refresh token.",
        ),
        "zalo_o_redirect": (
            "Địa chỉ callback của ứng dụng (mặc định: redirect_uri trong [channels.zalo]).",
            "The app's callback address (default: redirect_uri in [channels.zalo]).",
        ),
        "zalo_code_prompt": (
            "Dán mã uỷ quyền (code) hoặc địa chỉ Zalo trả về rồi Enter:",
            "Paste the authorisation code or the address Zalo returned to, then Enter:",
        ),
        "zalo_code_empty": (
            "Không đọc được mã uỷ quyền từ đầu vào. Ví dụ: loa channels zalo login --code < code.txt",
            "No authorisation code on standard input. For example: loa channels zalo login "
            "--code < code.txt",
        ),
        "zalo_prompt": (
            "Dán refresh token của Zalo OA (không hiện ra màn hình) rồi Enter:",
            "Paste the Zalo OA refresh token (not shown) and press Enter:",
        ),
        "zalo_empty": (
            "Không đọc được refresh token từ đầu vào. Ví dụ: loa channels zalo login < token.txt",
            "No refresh token on standard input. For example: loa channels zalo login < token.txt",
        ),
    }
)


def commands(door: CommandDoor) -> typer.Typer:
    """The `zalo` group: `login` (a refresh token, an authorisation code, or the address)."""
    app: typer.Typer = door.group(T("zalo"))

    @app.command("login", help=T("zalo_login"))
    def zalo_login(
        url: Annotated[bool, typer.Option("--url", help=T("zalo_o_url"))] = False,
        code: Annotated[bool, typer.Option("--code", help=T("zalo_o_code"))] = False,
        redirect_uri: Annotated[
            str | None, typer.Option("--redirect-uri", help=T("zalo_o_redirect"))
        ] = None,
    ) -> None:
        import sys

        from loa.channels.zalo_login import login, login_url, login_with_code

        station = door.station()
        if url:
            address, explanation = login_url(station, redirect_uri=redirect_uri)
            door.console().print(explanation, highlight=False, markup=False)
            print(address)  # plain, unwrapped: the officer copies it whole
            return
        if sys.stdin.isatty():
            import getpass

            token = getpass.getpass(T("zalo_code_prompt" if code else "zalo_prompt") + " ")
        else:
            token = sys.stdin.readline()
        if not token.strip():
            raise UserError(T("zalo_code_empty" if code else "zalo_empty"))
        if code or token.strip().startswith(("http://", "https://")):
            door.console().print(login_with_code(station, token), highlight=False, markup=False)
            return
        door.console().print(login(station, token), highlight=False, markup=False)

    return app
