"""Icecast's wire protocol as a source client: HTTP PUT of an endless MP3 body (Icecast 2.4),
and the server's status JSON (/status-json.xsl) for listener counts.

A source connection is a plain socket: Icecast reads the body as raw bytes with no length and no
chunking, which HTTP clients cannot send, so this module writes the request itself.
"""

from __future__ import annotations

import base64
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "bad_url": (
            'Địa chỉ máy chủ Icecast "{url}" không hợp lệ: cần dạng http://máy:cổng, '
            'ví dụ "http://127.0.0.1:8000".',
            'The Icecast server address "{url}" is not valid: it must look like '
            'http://host:port, e.g. "http://127.0.0.1:8000".',
        ),
        "refused": (
            "Máy chủ Icecast {server} không nhận kết nối: {error}.",
            "The Icecast server {server} refused the connection: {error}.",
        ),
        "auth": (
            "Icecast {server} từ chối mật khẩu nguồn cho {mount} (HTTP 401). Kiểm tra "
            "LOA_ICECAST_PASSWORD (hoặc keyring) và <source-password> của máy chủ.",
            "Icecast {server} refused the source password for {mount} (HTTP 401). Check "
            "LOA_ICECAST_PASSWORD (or the keyring) and the server's <source-password>.",
        ),
        "busy": (
            "Icecast {server} không cho phát vào {mount} (HTTP {code}): điểm phát đang có nguồn "
            "khác hoặc máy chủ đã đủ nguồn.",
            "Icecast {server} refused {mount} (HTTP {code}): another source holds the mount or "
            "the server has all the sources it allows.",
        ),
        "http": (
            "Icecast {server} trả lời {mount} bằng: {line}.",
            "Icecast {server} answered {mount} with: {line}.",
        ),
    }
)


@dataclass(frozen=True)
class Server:
    """Where the Icecast server listens (from `[radio.stream] url`)."""

    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Server:
        """`http://host:port` -> Server. Raises UserError for anything else."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "") or not parts.hostname:
            raise UserError(T("bad_url", url=url))
        try:
            port = parts.port or 8000
        except ValueError:
            raise UserError(T("bad_url", url=url)) from None
        return cls(parts.hostname, port)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def source_request(
    server: Server,
    mount: str,
    user: str,
    password: str,
    *,
    name: str,
    sample_rate: int,
    bitrate_kbps: int,
) -> bytes:
    """The PUT request head that opens `mount` as a source (Icecast 2.4's HTTP source protocol)."""
    auth = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    lines = [
        f"PUT {mount} HTTP/1.1",
        f"Host: {server}",
        f"Authorization: Basic {auth}",
        "User-Agent: loa",
        "Content-Type: audio/mpeg",
        f"Ice-Name: {name.encode('utf-8').decode('latin-1', 'replace')}",
        "Ice-Public: 0",
        f"Ice-Audio-Info: ice-samplerate={sample_rate};ice-bitrate={bitrate_kbps};ice-channels=1",
        "Expect: 100-continue",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def connect_source(
    server: Server, mount: str, head: bytes, *, timeout: float = 5.0
) -> socket.socket:
    """Open a source connection on `mount` and return the socket, ready for MP3 bytes.

    Raises RuntimeFailure naming the server and what it said (refused, wrong password, mount
    taken). The password is inside `head` only; no message here repeats it.
    """
    try:
        sock = socket.create_connection((server.host, server.port), timeout=timeout)
    except OSError as exc:
        raise RuntimeFailure(T("refused", server=server, error=exc.strerror or exc)) from None
    try:
        sock.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer and len(answer) < 8192:
            data = sock.recv(1024)
            if not data:
                break
            answer += data
    except OSError as exc:
        sock.close()
        raise RuntimeFailure(T("refused", server=server, error=exc.strerror or exc)) from None
    line = answer.split(b"\r\n", 1)[0].decode("latin-1", "replace").strip()
    parts = line.split()
    code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if code in (100, 200):
        sock.settimeout(timeout)
        return sock
    sock.close()
    if code == 401:
        raise RuntimeFailure(T("auth", server=server, mount=mount))
    if code in (403, 409):
        raise RuntimeFailure(T("busy", server=server, mount=mount, code=code))
    raise RuntimeFailure(T("http", server=server, mount=mount, line=line or "-"))


@dataclass(frozen=True)
class MountStatus:
    """What the server says about one mount: whether a source is on it and how many listen."""

    mount: str
    live: bool
    listeners: int | None


def status_json(text: str) -> Any:
    """Icecast's /status-json.xsl as data. Icecast 2.4 writes raw control characters from
    stream titles, and with no source mounted and no admin/host set its stylesheet drops the
    brace after "icestats" (`{"icestats":"server_start":...}`): both are read anyway. Raises
    ValueError for anything else that is not JSON."""
    if text.startswith('{"icestats":"'):
        text = '{"icestats":{"' + text[len('{"icestats":"') :]
    return json.loads(text, strict=False)


def parse_status(data: Any) -> dict[str, MountStatus]:
    """Mount path -> MountStatus from Icecast's /status-json.xsl document."""
    stats = data.get("icestats", {}) if isinstance(data, dict) else {}
    sources = stats.get("source", []) if isinstance(stats, dict) else []
    if isinstance(sources, dict):
        sources = [sources]
    out: dict[str, MountStatus] = {}
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict):
            continue
        url = str(source.get("listenurl", ""))
        mount = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "/" in url else ""
        if not mount:
            continue
        listeners = source.get("listeners")
        out[mount] = MountStatus(
            mount, True, int(listeners) if isinstance(listeners, int | float) else None
        )
    return out


def fetch_status(
    server: Server, *, http: Any = None, timeout: float = 3.0
) -> dict[str, MountStatus]:
    """The server's mounts now. Raises RuntimeFailure when the server cannot be asked."""
    import httpx

    client = http or httpx.Client(timeout=timeout)
    try:
        response = client.get(f"{server.base_url}/status-json.xsl")
        response.raise_for_status()
        return parse_status(status_json(response.text))
    except (httpx.HTTPError, ValueError) as exc:
        raise RuntimeFailure(T("refused", server=server, error=type(exc).__name__)) from None
    finally:
        if http is None:
            client.close()
