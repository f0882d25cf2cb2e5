"""A fake Facebook Graph API: a real HTTP server on 127.0.0.1 with injectable faults.

Speaks the paths, parameters and error bodies loa uses: /{ver}/me, /{ver}/debug_token,
/{ver}/{page}/feed, /photos, /videos, /published_posts, /scheduled_posts, /{ver}/{post-id}.
Faults are queued per method and path suffix: `server.fail("feed", kind, times=1,
method="POST")`, or `server.fail("*", kind)` for any path. Kinds where nothing is created:
"timeout" (answers late, stores nothing), "500"/"503" (Graph's JSON error), "502" (a proxy's
HTML page), "drop" (FIN) and "reset" (RST) before any answer, "rate"/"page_rate" and "code:N"
(Graph error N: 4, 17, 32, 613 rate limits with an X-Business-Use-Case-Usage header, 10 or
200 permissions), "token_echo" (190 whose message repeats the token it was sent), "expired",
"invalid", "permission", "bad". Kinds where the post IS created: "slow" (answers after
`timeout_s`), "hang_create" (waits `timeout_s`, then creates and answers), "lost_fin" and
"lost_rst" (then FIN or RST, no answer), "drip" (the answer a byte at a time), "endless"
(headers, then a body that never ends), "504" (a proxy's gateway time-out page).
`feed_lag_s` hides posts younger than that from the feed, scheduled_posts and videos edges.
`server.hold.set()` makes the next created post block its answer (after storing the post)
until `server.release` is set: the crash test's hook.

Post insights: GET /{ver}/{post-id}/insights?metric=a,b&period=lifetime answers
{"data": [{"name", "period", "values": [{"value"}], "title", "description", "id"}]} from
`server.insights[post_id]` (name -> value); a post with nothing there (a fresh one) answers
{"data": []}. A name in `server.retired` (or not in `server.metrics`) fails the whole request
with Graph's (#100) "The value must be a valid insights metric".
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.channels import faults
from tests.channels.fake_http import FakeServer

ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "expired": (
        400,
        {
            "message": "Error validating access token: Session has expired on "
            "Monday, 23-Nov-26 03:00:00 PST.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
        },
    ),
    "invalid": (
        400,
        {
            "message": "Invalid OAuth access token - Cannot parse access token",
            "type": "OAuthException",
            "code": 190,
        },
    ),
    "permission": (
        403,
        {
            "message": "(#200) The user hasn't authorized the application to perform this action",
            "type": "OAuthException",
            "code": 200,
        },
    ),
    "rate": (
        400,
        {
            "message": "(#4) Application request limit reached",
            "type": "OAuthException",
            "code": 4,
            "is_transient": True,
        },
    ),
    "page_rate": (
        400,
        {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32},
    ),
    "bad": (400, {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}),
    "500": (
        500,
        {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "code": 2,
            "is_transient": True,
        },
    ),
}


#: Faults that happen after the post was created.
AFTER_CREATE = frozenset({"slow", "hang_create", "lost_fin", "lost_rst", "drip", "endless", "504"})
#: Faults that answer at the socket before anything is created.
BEFORE_CREATE = {"drop": "fin", "reset": "rst", "502": "502"}


class FakeGraph(FakeServer):
    def __init__(
        self,
        page_id: str = "1000000001",
        token: str = "EAAtest-token-SECRET-123",
        page_name: str = "Xã Thử Nghiệm",
    ) -> None:
        self.page_id = page_id
        self.token = token
        self.page_name = page_name
        self.expired = False
        self.scopes = ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]
        self.posts: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.faults: dict[str, list[str]] = {}
        self.hold = threading.Event()
        self.received = threading.Event()
        self.timeout_s = 3.0
        #: When set, "hang_create" creates the post only once the test sets this event (at most
        #: 30 s), instead of after `timeout_s`: the test decides when the slow server acts.
        self.create_gate: threading.Event | None = None
        self.feed_lag_s = 0.0
        #: (method, path, time.monotonic()) of every request, for timing assertions.
        self.timeline: list[tuple[str, str, float]] = []
        #: post id -> metric name -> lifetime value
        self.insights: dict[str, dict[str, Any]] = {}
        #: the post metrics this Graph version knows (v23+: the 2025 "views" names)
        self.metrics = {
            "post_media_view",
            "post_total_media_view_unique",
            "post_reactions_like_total",
            "post_clicks",
        }
        #: names Meta retired: asking for one fails the request
        self.retired = {"post_impressions", "post_impressions_unique", "post_engaged_users"}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__()

    def fail(self, suffix: str, kind: str, times: int = 1, method: str = "POST") -> None:
        self.faults.setdefault(f"{method} {suffix}", []).extend([kind] * times)

    def published(self) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["is_published"]]

    # -------------------------------------------------------------------------- handler

    def _error(self, h: BaseHTTPRequestHandler, kind: str) -> None:
        if kind.startswith("code:"):
            return self._code_error(h, int(kind.split(":", 1)[1]))
        if kind == "token_echo":
            token = self._token_of(h, {}) or ""
            error = {
                "message": f"Error validating access token: The session for {token} is invalid "
                "because the user logged out.",
                "type": "OAuthException",
                "code": 190,
            }
            return self._send(h, 400, {"error": {**error, "fbtrace_id": "AbCdEf"}})
        if kind == "503":
            kind = "500"
            status, error = 503, ERRORS["500"][1]
        else:
            status, error = ERRORS[kind]
        self._send(h, status, {"error": {**error, "fbtrace_id": "AbCdEf"}})

    def _code_error(self, h: BaseHTTPRequestHandler, code: int) -> None:
        """Graph error `code`; rate limits come with Facebook's usage header."""
        messages = {
            4: "(#4) Application request limit reached",
            17: "(#17) User request limit reached",
            32: "(#32) Page request limit reached",
            613: "(#613) Calls to this api have exceeded the rate limit.",
            10: "(#10) Application does not have permission for this action",
            200: "(#200) Permissions error",
        }
        body = json.dumps(
            {
                "error": {
                    "message": messages.get(code, f"(#{code}) Error"),
                    "type": "OAuthException",
                    "code": code,
                    "fbtrace_id": "AbCdEf",
                }
            }
        ).encode("utf-8")
        try:
            h.send_response(400 if code in (4, 17, 32, 613) else 403)
            h.send_header("Content-Type", "application/json; charset=UTF-8")
            h.send_header("Content-Length", str(len(body)))
            if code in (4, 17, 32, 613):
                usage = {
                    self.page_id: [
                        {
                            "type": "pages",
                            "call_count": 100,
                            "total_cputime": 30,
                            "total_time": 40,
                            "estimated_time_to_regain_access": 0,
                        }
                    ]
                }
                h.send_header("X-Business-Use-Case-Usage", json.dumps(usage))
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _params(self, h: BaseHTTPRequestHandler) -> tuple[list[str], dict[str, Any]]:
        parts = urlsplit(h.path)
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        ctype = h.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + raw
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    params[name] = {
                        "filename": part.get_filename(),
                        "size": len(payload),
                        "type": part.get_content_type(),
                    }
                else:
                    params[name] = payload.decode("utf-8")
        elif raw:
            params.update({k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()})
        return [p for p in parts.path.split("/") if p], params

    def _token_of(self, h: BaseHTTPRequestHandler, params: dict[str, Any]) -> str | None:
        auth = h.headers.get("Authorization", "")
        if auth.startswith(("Bearer ", "OAuth ")):
            return auth.split(" ", 1)[1]
        return params.get("access_token")

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        path, params = self._params(h)
        self.requests.append((method, h.path))
        self.timeline.append((method, h.path, time.monotonic()))
        if not path or not path[0].startswith("v"):
            return self._send(h, 404, {"error": {"message": "Unknown path", "code": 803}})
        rest = path[1:]
        suffix = rest[-1] if rest else ""
        queued = self.faults.get(f"{method} {suffix}") or self.faults.get(f"{method} *")
        kind = queued.pop(0) if queued else None
        after = kind if kind in AFTER_CREATE else None
        if kind is not None and after is None:
            if kind == "timeout":
                time.sleep(self.timeout_s)
                return self._send(h, 200, {"id": "too-late"})
            if kind in BEFORE_CREATE:
                return faults.socket_fault(h, BEFORE_CREATE[kind], None, self.stopping)
            return self._error(h, kind)
        token = self._token_of(h, params)
        if token != self.token:
            return self._error(h, "invalid")
        if self.expired:
            return self._error(h, "expired")
        if rest == ["me"]:
            return self._send(h, 200, {"id": self.page_id, "name": self.page_name})
        if rest == ["debug_token"]:
            return self._send(
                h,
                200,
                {
                    "data": {
                        "is_valid": params.get("input_token") == self.token,
                        "type": "PAGE",
                        "profile_id": self.page_id,
                        "scopes": self.scopes,
                        "expires_at": 0,
                    }
                },
            )
        if len(rest) == 2 and rest[1] == "insights" and method == "GET":
            return self._insights(h, rest[0], params)
        if len(rest) == 2 and rest[0] == self.page_id:
            if after is not None and method == "GET":
                return faults.socket_fault(h, after, {"data": []}, self.stopping)
            return self._page_edge(h, method, rest[1], params, after)
        if len(rest) == 1 and method == "GET":
            for post in self.posts:
                if post["id"] == rest[0]:
                    return self._send(h, 200, post)
        return self._send(
            h,
            400,
            {
                "error": {
                    "message": f"(#100) Unsupported request '{method} {'/'.join(rest)}'",
                    "type": "GraphMethodException",
                    "code": 100,
                }
            },
        )

    def _insights(self, h: BaseHTTPRequestHandler, post_id: str, params: dict[str, Any]) -> None:
        names = [n for n in str(params.get("metric", "")).split(",") if n]
        if not names or any(n in self.retired or n not in self.metrics for n in names):
            return self._send(
                h,
                400,
                {
                    "error": {
                        "message": "(#100) The value must be a valid insights metric",
                        "type": "OAuthException",
                        "code": 100,
                        "fbtrace_id": "AbCdEf",
                    }
                },
            )
        known = self.insights.get(post_id)
        if not known:
            return self._send(h, 200, {"data": []})
        period = params.get("period", "lifetime")
        data = [
            {
                "name": n,
                "period": period,
                "values": [{"value": known[n]}],
                "title": f"Lifetime {n}",
                "description": f"Lifetime: {n}",
                "id": f"{post_id}/insights/{n}/{period}",
            }
            for n in names
            if n in known
        ]
        return self._send(h, 200, {"data": data, "paging": {"previous": "", "next": ""}})

    def _page_edge(
        self,
        h: BaseHTTPRequestHandler,
        method: str,
        edge: str,
        params: dict[str, Any],
        after: str | None = None,
    ) -> None:
        if method == "GET":
            if edge in ("feed", "published_posts"):
                data = [p for p in self.posts if p["is_published"] and p["edge"] != "videos"]
            elif edge == "scheduled_posts":
                data = [p for p in self.posts if not p["is_published"]]
            elif edge == "videos":
                data = [p for p in self.posts if p["edge"] == "videos"]
            else:
                return self._error(h, "bad")
            if self.feed_lag_s:
                shown = time.time() - self.feed_lag_s
                data = [p for p in data if p["_stored"] <= shown]
            data = sorted(data, key=lambda p: p["created_time"], reverse=True)
            data = [{k: v for k, v in p.items() if not k.startswith("_")} for p in data]
            return self._send(h, 200, {"data": data[: int(params.get("limit", 25))]})
        if edge not in ("feed", "photos", "videos"):
            return self._error(h, "bad")
        text = params.get("message") or params.get("caption") or params.get("description")
        if edge == "feed" and not (text or params.get("link")):
            return self._error(h, "bad")
        if edge == "photos" and not (params.get("url") or params.get("source")):
            return self._error(h, "bad")
        if edge == "videos" and not params.get("source"):
            return self._error(h, "bad")
        published = params.get("published", "true") != "false"
        if not published:
            when = int(params.get("scheduled_publish_time") or 0)
            if when < time.time() + 600 or when > time.time() + 30 * 86400:
                return self._error(h, "bad")
        if after == "hang_create":  # slower than the client, and it still creates the post
            if self.create_gate is not None:
                self.create_gate.wait(30)
            else:
                time.sleep(self.timeout_s)
        with self._lock:
            number = next(self._ids)
        object_id = f"{self.page_id}_{number}" if edge == "feed" else str(9000 + number)
        post = {
            "id": object_id,
            "edge": edge,
            "is_published": published,
            "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "message": text if edge != "videos" else None,
            "description": text if edge == "videos" else None,
            "link": params.get("link"),
            "title": params.get("title"),
            "scheduled_publish_time": params.get("scheduled_publish_time"),
            "upload": params.get("source"),
            "_stored": time.time(),
        }
        self.posts.append(post)
        if after == "slow":  # stored, but the answer comes after the client gave up
            time.sleep(self.timeout_s)
        if self.hold.is_set():
            self.received.set()
            self.release.wait(60)
        answer: dict[str, Any] = {"id": object_id}
        if edge == "photos":
            answer["post_id"] = f"{self.page_id}_{number}"
        if after in ("lost_fin", "lost_rst", "drip", "endless", "504"):
            socket_kind = {"lost_fin": "fin", "lost_rst": "rst"}.get(after, after)
            return faults.socket_fault(h, socket_kind, answer, self.stopping)
        return self._send(h, 200, answer)
