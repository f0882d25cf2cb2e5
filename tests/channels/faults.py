"""Network faults a fake API server on 127.0.0.1 can inject, shared by the fake Graph,
WordPress and Zalo servers (each a `BaseHTTPRequestHandler` on a `ThreadingHTTPServer`).

Each helper takes the handler of the request being served and does one thing at the socket:
close with FIN or reset with RST (no answer), answer a byte at a time, send headers and a body
that never ends, or send a proxy's HTML error page. They return once the client has gone.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

#: Kinds of fault every fake understands (besides its own API errors):
#: - "fin"/"rst": the connection closes (FIN) or resets (RST) with no answer;
#: - "drip": the whole answer one byte every `drip_s`;
#: - "endless": headers, then a body that never ends;
#: - "502"/"504": a proxy's HTML error page.
SOCKET_FAULTS = frozenset({"fin", "rst", "drip", "endless", "502", "504"})

#: A dripped answer's pause between bytes: well under the fault tests' 0.5 s read timeout even
#: on a loaded machine (so the client's total deadline is what ends the call, not a read
#: timeout), and the whole answer (over 100 bytes) still takes over 10 s.
DRIP_S = 0.1


def fin(h: BaseHTTPRequestHandler) -> None:
    """Close the connection without answering (the client reads EOF)."""
    h.close_connection = True
    try:
        h.connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def rst(h: BaseHTTPRequestHandler) -> None:
    """Reset the connection without answering (the client reads ECONNRESET)."""
    h.close_connection = True
    try:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
    except OSError:
        pass


def _raw_answer(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def drip(
    h: BaseHTTPRequestHandler,
    answer: Any,
    *,
    status: int = 200,
    drip_s: float = DRIP_S,
    stop: threading.Event | None = None,
) -> None:
    """Send the whole answer (status line and headers too) one byte every `drip_s`."""
    h.close_connection = True
    data = _raw_answer(status, json.dumps(answer).encode("utf-8"))
    for i in range(len(data)):
        if stop is not None and stop.is_set():
            return
        try:
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
        except OSError:
            return
        time.sleep(drip_s)


def endless(
    h: BaseHTTPRequestHandler, *, chunk_s: float = 0.05, stop: threading.Event | None = None
) -> None:
    """Send a 200 with headers, then a body that never ends (until the client leaves)."""
    h.close_connection = True
    try:
        h.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        h.wfile.write(b"1\r\n{\r\n")
        piece = b'"data": [' + b'{"id": "1"},' * 400
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        while stop is None or not stop.is_set():
            h.wfile.write(frame)
            h.wfile.flush()
            time.sleep(chunk_s)
    except OSError:
        return


def html_error(h: BaseHTTPRequestHandler, status: int) -> None:
    """A reverse proxy's error page: HTML, not the API's JSON."""
    title = {502: "502 Bad Gateway", 504: "504 Gateway Time-out"}.get(status, f"{status} Error")
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    h.close_connection = True
    try:
        h.wfile.write(_raw_answer(status, body.encode(), "text/html"))
        h.wfile.flush()
    except OSError:
        pass


def socket_fault(
    h: BaseHTTPRequestHandler, kind: str, answer: Any, stop: threading.Event | None = None
) -> None:
    """Do the socket fault `kind` (one of SOCKET_FAULTS) instead of sending `answer`."""
    if kind == "fin":
        fin(h)
    elif kind == "rst":
        rst(h)
    elif kind == "drip":
        drip(h, answer, stop=stop)
    elif kind == "endless":
        endless(h, stop=stop)
    else:
        html_error(h, int(kind))
