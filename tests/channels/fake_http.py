"""What the fake API servers share: a real HTTP server on 127.0.0.1 (a thread per request),
every method handed to the subclass's `_serve(handler, method)`, and JSON answers.

FakeGraph, FakeWordPress and FakeZalo subclass it and keep only their API; the socket faults
they inject are in tests.channels.faults.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class FakeServer:
    """Start with `start()` (returns the server), stop with `stop()`; `url` is its address."""

    methods = ("GET", "POST", "DELETE")

    def __init__(self) -> None:
        #: Set on stop: ends dripping and endless answers still being sent.
        self.stopping = threading.Event()
        #: Set on stop as well: frees a request a test holds (see the subclasses' `hold`).
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

        for method in self.methods:
            setattr(Handler, f"do_{method}", lambda h, m=method: fake._serve(h, m))
        return Handler

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer `body` as JSON; a client that has gone is no error."""
        data = json.dumps(body).encode("utf-8")
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=UTF-8")
            h.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
