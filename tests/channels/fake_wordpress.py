"""A fake WordPress REST API (wp/v2 posts, media, users/me) on 127.0.0.1 with basic auth and faults.

`faults` (HTTP statuses) answer the next requests with a JSON error and store nothing;
`after_create` (socket faults of tests.channels.faults: "fin", "rst", "drip", "endless",
"504") happen to the next POST after it stored the post; `get_faults` to the next GETs.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.channels import faults
from tests.channels.fake_http import FakeServer


class FakeWordPress(FakeServer):
    def __init__(self, user: str = "bientap", password: str = "abcd efgh ijkl mnop") -> None:
        self.user = user
        self.password = password
        self.posts: list[dict[str, Any]] = []
        #: The media library: what `POST /wp/v2/media` stored, with its bytes under "data".
        self.media: list[dict[str, Any]] = []
        self.faults: list[int] = []
        self.after_create: list[str] = []
        self.get_faults: list[str] = []
        self._ids = itertools.count(101)
        super().__init__()

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        is_json = (h.headers.get("Content-Type") or "").startswith("application/json")
        body = json.loads(raw) if raw and is_json else {}
        if method == "GET" and parts.path.startswith("/wp-content/uploads/"):
            return self._file(h, parts.path)
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
                "featured_media": body.get("featured_media", 0),
            }
            self.posts.append(post)
            if self.after_create:
                return faults.socket_fault(h, self.after_create.pop(0), post, self.stopping)
            return self._send(h, 201, post)
        if route == "media" and method == "POST":
            return self._upload(h, raw)
        if route == "media" and method == "GET":
            found = [m for m in self.media if m["slug"] == query.get("slug", m["slug"])]
            return self._send(h, 200, [{k: v for k, v in m.items() if k != "data"} for m in found])
        if route == "posts" and method == "GET":
            found = self.posts
            if "slug" in query:
                found = [p for p in found if p["slug"] == query["slug"]]
            if "search" in query:
                found = [p for p in found if query["search"] in p["title"]["rendered"]]
            return self._send(h, 200, found)
        return self._send(h, 404, {"code": "rest_no_route", "message": "No route"})

    def _upload(self, h: BaseHTTPRequestHandler, raw: bytes) -> None:
        """wp/v2/media: the file is the body; its name comes from Content-Disposition and
        gives the slug (the name without its extension, as WordPress's sanitize_title does)."""
        match = re.search(r'filename="?([^";]+)"?', h.headers.get("Content-Disposition") or "")
        mime = h.headers.get("Content-Type") or ""
        if not match or not raw:
            return self._send(
                h, 400, {"code": "rest_upload_no_data", "message": "No data supplied."}
            )
        if not mime.startswith("image/"):
            return self._send(
                h,
                400,
                {"code": "rest_upload_sideload_error", "message": "Sorry, not allowed."},
            )
        name = match.group(1)
        slug = re.sub(r"[^a-z0-9-]+", "-", name.rsplit(".", 1)[0].lower())
        taken = {m["slug"] for m in self.media}
        if slug in taken:  # WordPress makes a taken slug unique rather than refuse it
            slug = next(f"{slug}-{n}" for n in itertools.count(2) if f"{slug}-{n}" not in taken)
        number = next(self._ids)
        item = {
            "id": number,
            "slug": slug,
            "mime_type": mime,
            "source_url": f"{self.url}/wp-content/uploads/2026/12/{name}",
            "data": raw,
        }
        self.media.append(item)
        return self._send(h, 201, {k: v for k, v in item.items() if k != "data"})

    def _file(self, h: BaseHTTPRequestHandler, path: str) -> None:
        """An uploaded file, as the site serves it (no login needed)."""
        for item in self.media:
            if item["source_url"].endswith(path):
                h.send_response(200)
                h.send_header("Content-Type", item["mime_type"])
                h.send_header("Content-Length", str(len(item["data"])))
                h.end_headers()
                h.wfile.write(item["data"])
                return None
        return self._send(h, 404, {"code": "not_found", "message": "Not found"})
