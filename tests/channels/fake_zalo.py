"""A fake Zalo OpenAPI + OAuth v4 server: a real HTTP server on 127.0.0.1 with injectable faults.

Speaks what loa uses: POST /v4/oa/access_token (header secret_key, form app_id, grant_type,
refresh_token; the refresh token is single-use), and with the header access_token:
POST /v2.0/article/create, /v2.0/article/verify, GET /v2.0/article/getslice, /getdetail,
POST /v2.0/oa/quota/message, POST /v2.0/oa/message (broadcast), GET /v2.0/oa/getoa.
Answers are {"error": 0, "message": "Success", "data": {...}} or a negative error code.
An article's detail carries its `total_view` and `total_share` (set them on `server.articles`).

Faults are queued per the last two path parts: `server.fail("article/create", "500"|"rate"|"expired"|
"permission"|"quota"|"moderation"|"drop"|"lost", times=1)`; "lost" does the work (stores the
article) and then drops the connection, so the client never sees the answer.
`server.hold = {"article/create"}` (or "oa/message", "oa/access_token") makes that call do its work and then
block its answer until `server.release` is set, after setting `server.received`: the crash
tests' hook. `server.expire()` invalidates the current access token (the next call gets -216).
`server.on_new_token` is called with each new access token the first time a call uses it.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.channels.fake_http import FakeServer

ERRORS: dict[str, tuple[int, str]] = {
    "expired": (-216, "Access token is invalid"),
    "rate": (-32, "Request exceeds rate limit"),
    "permission": (-224, "OA has not been granted permission for this API"),
    "quota": (-211, "Out of quota"),
    "moderation": (-201, "Content was rejected by moderation"),
    "bad": (-201, "Parameters invalid"),
}


class FakeZalo(FakeServer):
    def __init__(
        self,
        oa_id: str = "4321000000000000001",
        app_id: str = "1234567890123456789",
        app_secret: str = "APPSECRET-zalo-XYZ-987",
        refresh_token: str = "REFRESH-first-SECRET-0001",
        oa_name: str = "UBND Xã Thử Nghiệm",
    ) -> None:
        self.oa_id = oa_id
        self.app_id = app_id
        self.app_secret = app_secret
        self.refresh_token = refresh_token
        self.used_refresh: list[str] = []
        self.access_tokens: set[str] = set()
        self.issued: list[str] = []
        self.codes: dict[str, str] = {}  # authorisation code -> its PKCE code challenge
        self.used_codes: list[tuple[str, str]] = []
        self.oa_name = oa_name
        self.quota_remain = 4
        self.quota_total = 4
        self.articles: list[dict[str, Any]] = []
        self.broadcasts: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.faults: dict[str, list[str]] = {}
        self.on_new_token: Callable[[str], None] | None = None
        self.hold: set[str] = set()
        self.received = threading.Event()
        self._used_tokens: set[str] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__()

    def fail(self, suffix: str, kind: str, times: int = 1) -> None:
        self.faults.setdefault(suffix, []).extend([kind] * times)

    def expire(self) -> None:
        self.access_tokens.clear()

    def secrets(self) -> list[str]:
        """Every secret the fake has seen or issued (for "never in output" checks)."""
        return [self.app_secret, self.refresh_token, *self.used_refresh, *self.issued]

    # -------------------------------------------------------------------------- handler

    def _ok(self, h: BaseHTTPRequestHandler, data: Any) -> None:
        self._send(h, 200, {"error": 0, "message": "Success", "data": data})

    def _error(self, h: BaseHTTPRequestHandler, kind: str) -> None:
        code, message = ERRORS[kind]
        self._send(h, 200, {"error": code, "message": message})

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        self.requests.append((method, parts.path))
        path = [p for p in parts.path.split("/") if p]
        suffix = "/".join(path[-2:])
        queued = self.faults.get(suffix)
        kind = queued.pop(0) if queued else None
        if kind == "500":
            return self._send(h, 500, {"error": -1, "message": "Internal error"})
        if kind == "drop":
            h.close_connection = True
            return None
        if path == ["v4", "oa", "access_token"] and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            return self._oauth(h, form, lost=kind == "lost")
        if kind is not None and kind != "lost":
            return self._error(h, kind)
        token = h.headers.get("access_token", "")
        if token not in self.access_tokens:
            return self._error(h, "expired")
        if token not in self._used_tokens:
            self._used_tokens.add(token)
            if self.on_new_token is not None:
                self.on_new_token(token)
        body: dict[str, Any] = json.loads(raw.decode("utf-8")) if raw else {}
        route = (method, "/".join(path))
        if route == ("POST", "v2.0/article/create"):
            return self._create(h, body, lost=kind == "lost")
        if route == ("POST", "v2.0/article/verify"):
            for article in self.articles:
                if article["token"] == body.get("token"):
                    return self._ok(h, {"id": article["id"]})
            return self._error(h, "bad")
        if route == ("GET", "v2.0/article/getslice"):
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 5))
            newest = sorted(self.articles, key=lambda a: a["create_date"], reverse=True)
            medias = [
                {k: a[k] for k in ("id", "type", "title", "status", "create_date", "link")}
                for a in newest[offset : offset + limit]
            ]
            return self._ok(h, {"medias": medias, "itemCount": len(self.articles)})
        if route == ("GET", "v2.0/article/getdetail"):
            for article in self.articles:
                if article["id"] == query.get("id"):
                    return self._ok(h, {k: v for k, v in article.items() if k != "token"})
            return self._error(h, "bad")
        if route == ("POST", "v2.0/oa/quota/message"):
            return self._ok(h, {"remain": self.quota_remain, "total": self.quota_total})
        if route == ("POST", "v2.0/oa/message"):
            return self._broadcast(h, body, lost=kind == "lost")
        if route == ("GET", "v2.0/oa/getoa"):
            return self._ok(h, {"oa_id": self.oa_id, "name": self.oa_name, "num_follower": 1234})
        return self._send(h, 404, {"error": -1, "message": f"Unknown {method} {parts.path}"})

    def _oauth(self, h: BaseHTTPRequestHandler, form: dict[str, str], *, lost: bool) -> None:
        if h.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return self._send(h, 200, {"error": -14002, "error_name": "Invalid app secret"})
        if form.get("grant_type") == "authorization_code":
            return self._code(h, form)
        if form.get("grant_type") != "refresh_token":
            return self._send(h, 200, {"error": -14001, "error_name": "Invalid grant type"})
        with self._lock:
            if form.get("refresh_token") != self.refresh_token:
                return self._send(
                    h,
                    200,
                    {
                        "error": -14014,
                        "error_name": "Invalid refresh token",
                        "error_description": "Refresh token is invalid or was already used",
                    },
                )
            self.used_refresh.append(self.refresh_token)
            self.refresh_token = f"REFRESH-{secrets.token_hex(8)}"
            access = f"ACCESS-{secrets.token_hex(8)}"
            self.access_tokens = {access}
            self.issued.extend([access, self.refresh_token])
        self._held("oa/access_token")  # rotated at Zalo; the answer may be held back
        if lost:  # rotated, and the answer never reaches loa
            h.close_connection = True
            return None
        return self._send(
            h,
            200,
            {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"},
        )

    def authorise(self, url: str) -> str:
        """What Zalo does when the OA admin opens the permission address and agrees: check the
        query, remember the code challenge, answer the callback address with a one-time code."""
        from urllib.parse import urlencode

        parts = urlsplit(url)
        assert parts.path == "/v4/oa/permission", parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["app_id"] == self.app_id and query["redirect_uri"] and query["state"]
        code = f"CODE-{secrets.token_hex(8)}"
        with self._lock:
            self.codes[code] = query["code_challenge"]
            self.issued.append(code)
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'oa_id': self.oa_id, 'state': query['state']})}"

    def _code(self, h: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        import base64
        import hashlib

        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        with self._lock:
            wanted = self.codes.pop(form.get("code", ""), None)
            if wanted is None or wanted != challenge:
                return self._send(
                    h, 200, {"error": -14019, "error_name": "Invalid code or code verifier"}
                )
            self.used_codes.append((form["code"], verifier))
            self.refresh_token = f"REFRESH-{secrets.token_hex(8)}"
            access = f"ACCESS-{secrets.token_hex(8)}"
            self.access_tokens = {access}
            self.issued.extend([access, self.refresh_token, verifier])
        return self._send(
            h,
            200,
            {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"},
        )

    def _create(self, h: BaseHTTPRequestHandler, body: dict[str, Any], *, lost: bool) -> None:
        cover = body.get("cover") or {}
        blocks = body.get("body")
        if (
            body.get("type") != "normal"
            or not body.get("title")
            or not body.get("author")
            or not body.get("description")
            or cover.get("cover_type") != "photo"
            or not str(cover.get("photo_url", "")).startswith(("http://", "https://"))
            or not isinstance(blocks, list)
            or not blocks
            or any(not _block_ok(b) for b in blocks)
        ):
            return self._error(h, "bad")
        fetched = _fetch_local(str(cover["photo_url"]))
        if fetched is False:  # Zalo could not fetch the cover
            return self._error(h, "bad")
        with self._lock:
            number = next(self._ids)
        article_id = f"{number:04d}aa11bb22cc33dd44"
        self.articles.append(
            {
                "id": article_id,
                "token": secrets.token_urlsafe(24),
                "type": "normal",
                "title": body["title"],
                "author": body["author"],
                "description": body["description"],
                "cover": cover,
                "cover_bytes": fetched,
                "body": blocks,
                "status": body.get("status", "show"),
                "total_view": 0,
                "total_share": 0,
                "create_date": int(time.time() * 1000) + number,
                "link": f"https://zalo.me/{self.oa_id}/article/{article_id}",
            }
        )
        self._held("article/create")
        if lost:
            h.close_connection = True
            return None
        return self._ok(h, {"token": self.articles[-1]["token"]})

    def _held(self, route: str) -> None:
        if route in self.hold:
            self.received.set()
            self.release.wait(60)

    def _broadcast(self, h: BaseHTTPRequestHandler, body: dict[str, Any], *, lost: bool) -> None:
        try:
            payload = body["message"]["attachment"]["payload"]
            element = payload["elements"][0]
            target = body["recipient"]["target"]
        except (KeyError, IndexError, TypeError):
            return self._error(h, "bad")
        if payload.get("template_type") != "media" or element.get("media_type") != "article":
            return self._error(h, "bad")
        if not any(a["id"] == element.get("attachment_id") for a in self.articles):
            return self._error(h, "bad")
        if self.quota_remain <= 0:
            return self._error(h, "quota")
        self.quota_remain -= 1
        self.broadcasts.append({"article_id": element["attachment_id"], "target": target})
        self._held("oa/message")
        if lost:
            h.close_connection = True
            return None
        return self._ok(h, {"message_id": f"bc{len(self.broadcasts):04d}"})


def _block_ok(block: dict[str, Any]) -> bool:
    if block.get("type") == "text":
        return "content" in block
    if block.get("type") == "image":
        return str(block.get("url", "")).startswith(("http://", "https://"))
    return False


def _fetch_local(url: str) -> bytes | bool | None:
    """Zalo fetches a cover from its address: one on 127.0.0.1 (a fake WordPress, a test's
    website server) is fetched here too and its bytes kept; False when that fails. Other
    addresses are never fetched (tests have no network): None."""
    import urllib.request

    if not url.startswith("http://127.0.0.1:"):
        return None
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            data: bytes = answer.read()
            return data if answer.headers.get_content_type().startswith("image/") else False
    except OSError:
        return False
