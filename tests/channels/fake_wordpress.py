"""A fake WordPress REST API (wp/v2 posts, users/me) on 127.0.0.1 with basic auth and faults.

`faults` (HTTP statuses) answer the next requests with a JSON error and store nothing;
`after_create` (socket faults of tests.channels.faults: "fin", "rst", "drip", "endless",
"504") happen to the next POST after it stored the post; `get_faults` to the next GETs.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.channels import faults


class FakeWordPress:
    def __init__(self, user: str = "bientap", password: str = "abcd efgh ijkl mnop") -> None:
        self.user = user
        self.password = password
        self.posts: list[dict[str, Any]] = []
        self.faults: list[int] = []
        self.after_create: list[str] = []
        self.get_faults: list[str] = []
        self.stopping = threading.Event()
        self._ids = itertools.count(101)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeWordPress:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

        return Handler

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length)) if length else {}
        if self.faults:
            return self._send(h, self.faults.pop(0), {"code": "fault", "message": "fault"})
        if method == "GET" and self.get_faults:
            return faults.socket_fault(h, self.get_faults.pop(0), [], self.stopping)
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if h.headers.get("Authorization") != f"Basic {expected}":
            return self._send(
                h,
                401,
                {"code": "rest_not_logged_in", "message": "You are not currently logged in."},
            )
        route = parts.path.removeprefix("/wp-json/wp/v2/")
        if route == "users/me":
            return self._send(h, 200, {"id": 1, "name": "Biên tập viên"})
        if route == "posts" and method == "POST":
            if not body.get("title"):
                return self._send(h, 400, {"code": "empty_content", "message": "Trống"})
            number = next(self._ids)
            post = {
                "id": number,
                "slug": body.get("slug") or f"post-{number}",
                "status": body.get("status", "draft"),
                "link": f"{self.url}/?p={number}",
                "title": {"rendered": body["title"]},
                "content": {"rendered": body["content"]},
                "date": body.get("date"),
            }
            self.posts.append(post)
            if self.after_create:
                return faults.socket_fault(h, self.after_create.pop(0), post, self.stopping)
            return self._send(h, 201, post)
        if route == "posts" and method == "GET":
            found = self.posts
            if "slug" in query:
                found = [p for p in found if p["slug"] == query["slug"]]
            if "search" in query:
                found = [p for p in found if query["search"] in p["title"]["rendered"]]
            return self._send(h, 200, found)
        return self._send(h, 404, {"code": "rest_no_route", "message": "No route"})
