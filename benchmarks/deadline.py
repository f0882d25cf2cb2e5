"""Total-deadline benchmark: how long a call lasts against a server that misbehaves.

A server on 127.0.0.1 answers in one of three ways: at once, a byte every 0.2 s (headers
included), or headers and then a body that never ends. Each is called with plain httpx (a 1 s
per-read timeout, the baseline: what loa did before) and with loa's client
(`loa.channels.http`, the same 1 s per-read timeout and a 2 s total deadline). The baseline is
cut off by this script after CAP_S seconds. Target: every loa call ends within deadline + 0.5 s;
a healthy answer costs no more than the baseline (ratio ~1).

Run: .venv/bin/python benchmarks/deadline.py
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CAP_S = 10.0
TIMEOUT_S = 1.0
DEADLINE_S = 2.0
BODY = b'{"id": "1000000001_1"}'


class Handler(BaseHTTPRequestHandler):
    stop = threading.Event()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
        self.close_connection = True
        try:
            if self.path == "/ok":
                self.wfile.write(head.encode() + BODY)
            elif self.path == "/drip":
                for byte in head.encode() + BODY:
                    if self.stop.is_set():
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                while not self.stop.is_set():
                    self.wfile.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
                    self.wfile.flush()
                    time.sleep(0.01)
        except OSError:
            return


def baseline(url: str) -> float:
    """Plain httpx with a per-read timeout, in a thread this script gives up on at CAP_S."""
    import httpx

    done = threading.Event()

    def call() -> None:
        try:
            with httpx.Client(timeout=TIMEOUT_S) as client:
                client.get(url)
        except httpx.HTTPError:
            pass
        done.set()

    started = time.monotonic()
    threading.Thread(target=call, daemon=True).start()
    done.wait(CAP_S)
    return time.monotonic() - started


def with_deadline(url: str) -> float:
    from loa.channels.http import CallFailed, new_client, request

    started = time.monotonic()
    client = new_client(TIMEOUT_S)
    try:
        request(client, "GET", url, deadline_s=DEADLINE_S, max_bytes=64 * 1024 * 1024)
    except CallFailed:
        pass
    finally:
        client.close()
    return time.monotonic() - started


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    socket.setdefaulttimeout(30)
    print(f"per-read timeout {TIMEOUT_S:g} s, loa total deadline {DEADLINE_S:g} s, cap {CAP_S:g} s")
    print(f"{'server':<10} {'httpx (s)':>10} {'loa (s)':>9} {'ratio':>7}")
    met = True
    for path in ("ok", "drip", "endless"):
        plain = baseline(f"{base}/{path}")
        ours = with_deadline(f"{base}/{path}")
        capped = "+" if plain >= CAP_S else " "
        print(f"{path:<10} {plain:>9.2f}{capped} {ours:>9.2f} {ours / plain:>7.2f}")
        met = met and ours <= DEADLINE_S + 0.5
    Handler.stop.set()
    server.shutdown()
    print("(+ = still running when the benchmark gave up)")
    print(
        f"target: every loa call ends within {DEADLINE_S + 0.5:g} s: {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
