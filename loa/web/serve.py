"""Serving the dashboard with uvicorn, on loopback unless users exist."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from loa.app.users import has_users
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.web.security import is_loopback

T = Catalog(
    {
        "no_users": (
            "Chưa có người dùng nào nên loa web chỉ mở ở máy này (127.0.0.1), không mở ra "
            "{host}. Thêm người dùng trước: loa user add TÊN --role officer",
            "No user exists yet, so loa web only listens on this machine (127.0.0.1), not on "
            "{host}. Add a user first: loa user add NAME --role officer",
        ),
        "busy": (
            "Không mở được {host}:{port} ({error}). Có thể loa web hay chương trình khác đang "
            "dùng cổng này: dừng nó, hoặc chọn cổng khác bằng --port.",
            "Cannot listen on {host}:{port} ({error}). Perhaps loa web or another program "
            "uses that port: stop it, or choose another with --port.",
        ),
        "port": (
            "Cổng {port} không hợp lệ: dùng một số từ 1 đến 65535, vd: --port 8080",
            "Port {port} is not valid: use a number from 1 to 65535, e.g. --port 8080",
        ),
    }
)


def check_bind(station: Station, host: str, port: int) -> None:
    """Refuse a non-loopback host while no user exists (anyone on the network could not log
    in anyway, but the station would be announced to it), and a port out of range."""
    if not 1 <= port <= 65535:
        raise UserError(T("port", port=port))
    if not is_loopback(host) and not has_users(station):
        raise UserError(T("no_users", host=host))
    _check_free(host, port)


def _check_free(host: str, port: int) -> None:
    """Refuse, in the user's words, an address that cannot be bound (taken, or not this
    machine's), before uvicorn would log it in English."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UserError(T("busy", host=host, port=port, error=exc.strerror or exc)) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UserError(T("busy", host=host, port=port, error=exc.strerror or exc)) from None


def server(station: Station, host: str, port: int) -> object:
    """A uvicorn Server for the dashboard (call `.run()`, or `.serve()` in a loop)."""
    import uvicorn

    from loa.web.app import create_app

    check_bind(station, host, port)
    config = uvicorn.Config(
        create_app(station),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For only from LOA_WEB_PROXIES (loa.web.app)
    )
    return uvicorn.Server(config)


def serve(station: Station, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the dashboard until interrupted. Raises UserError (see `check_bind`)."""
    import uvicorn

    found = server(station, host, port)
    assert isinstance(found, uvicorn.Server)
    found.run()


@contextmanager
def background(station: Station, host: str = "127.0.0.1", port: int = 8080) -> Iterator[None]:
    """Serve the dashboard from a thread while the block runs (`loa run --web`: the daemon
    keeps the main thread and its signals); stopped and joined when the block ends.
    Raises UserError (see `check_bind`) before anything starts."""
    import threading

    import uvicorn

    found = server(station, host, port)
    assert isinstance(found, uvicorn.Server)
    thread = threading.Thread(target=found.run, name="loa-web", daemon=True)
    thread.start()
    try:
        yield
    finally:
        found.should_exit = True
        thread.join(timeout=10)
