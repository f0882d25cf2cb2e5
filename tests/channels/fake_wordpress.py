"""A fake WordPress REST API (wp/v2 posts, media, users/me) on 127.0.0.1 with basic auth and faults.

`faults` (HTTP statuses) answer the next requests with a JSON error and store nothing;
`after_create` (socket faults of tests.channels.faults: "fin", "rst", "drip", "endless",
"504") happen to the next POST after it stored the post; `get_faults` to the next GETs.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
from datetime import UTC, datetime
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
        #: Each post's title as sent (WordPress searches that, not the rendered one).
        self.raw_titles: dict[int, str] = {}
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
                "slug": _unique(body.get("slug") or f"post-{number}", self.posts),
                "status": body.get("status", "draft"),
                "link": f"{self.url}/?p={number}",
                "title": {"rendered": texturize(body["title"])},
                "content": {"rendered": body["content"]},
                "date": body.get("date"),
                "date_gmt": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                "featured_media": body.get("featured_media", 0),
            }
            self.posts.append(post)
            self.raw_titles[number] = body["title"]
            if self.after_create:
                return faults.socket_fault(h, self.after_create.pop(0), post, self.stopping)
            return self._send(h, 201, post)
        if route == "media" and method == "POST":
            return self._upload(h, raw)
        if route == "media" and method == "GET":
            found = [m for m in self.media if m["slug"] == query.get("slug", m["slug"])]
            return self._send(h, 200, [{k: v for k, v in m.items() if k != "data"} for m in found])
        if route == "posts" and method == "GET":
            wanted = query.get("status", "publish").split(",")
            found = [p for p in self.posts if p["status"] in wanted]
            if "slug" in query:
                found = [p for p in found if p["slug"] == query["slug"]]
            if "search" in query:
                found = [p for p in found if query["search"] in self.raw_titles[p["id"]]]
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
        slug = _unique(slug, self.media)
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


def _unique(slug: str, taken_by: list[dict[str, Any]]) -> str:
    """WordPress makes a taken slug unique ("-2", "-3"...) rather than refuse it; a trashed
    post keeps its slug."""
    taken = {item["slug"] for item in taken_by}
    if slug not in taken:
        return slug
    return next(f"{slug}-{n}" for n in itertools.count(2) if f"{slug}-{n}" not in taken)


def texturize(title: str) -> str:
    """A title as WordPress renders it: HTML-escaped, straight quotes and " - " made curly
    (wptexturize), the curly ones as numeric entities."""
    text = html.escape(title, quote=False).replace(" - ", " &#8211; ")
    return re.sub(r"'", "&#8217;", text)
