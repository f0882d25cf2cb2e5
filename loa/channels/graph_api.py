"""A thin Graph API client over httpx (`GraphClient`): one `call` that returns the JSON answer or
raises ChannelError, within a deadline, with the page token scrubbed from every error and log
line; and where the token comes from (`find_token`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from loa.channels.base import PermanentError, RedactFilter, TransientError, redact
from loa.core.i18n import Catalog

TOKEN_ENV = "LOA_FACEBOOK_TOKEN"
KEYRING_SERVICE = "loa"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
TEMPORARY_CODES = frozenset({1, 2}) | RATE_LIMIT_CODES
PERMISSION_CODES = frozenset({10}) | frozenset(range(200, 300))
SCHEDULE_MIN = timedelta(minutes=10)
SCHEDULE_MAX = timedelta(days=30)

T = Catalog(
    {
        "token": (
            "Facebook từ chối mã truy cập (mã lỗi 190): token của Trang đã hết hạn, bị thu hồi "
            "hoặc không hợp lệ. Hãy tạo token Trang mới (Meta Business Suite hoặc Graph API "
            "Explorer, quyền pages_manage_posts), đặt lại LOA_FACEBOOK_TOKEN hoặc keyring, "
            "rồi chạy lại. Facebook báo: {detail}",
            "Facebook rejected the access token (error 190): the Page token has expired, was "
            "revoked or is invalid. Create a new Page token (Meta Business Suite or Graph API "
            "Explorer, permission pages_manage_posts), set LOA_FACEBOOK_TOKEN or the keyring "
            "again, and run again. Facebook says: {detail}",
        ),
        "permission": (
            "Token không đủ quyền đăng lên Trang (mã lỗi {code}). Người quản trị Trang cần cấp "
            "quyền pages_manage_posts và pages_read_engagement cho ứng dụng, tạo lại token rồi "
            "chạy lại. Facebook báo: {detail}",
            "The token may not post to the Page (error {code}). A Page admin must grant the app "
            "pages_manage_posts and pages_read_engagement, create the token again and run again. "
            "Facebook says: {detail}",
        ),
        "bad_request": (
            "Facebook từ chối yêu cầu (mã lỗi {code}): {detail}. Kiểm tra page_id trong loa.toml "
            "và nội dung tin (ảnh, liên kết, độ dài) rồi thử lại.",
            "Facebook refused the request (error {code}): {detail}. Check page_id in loa.toml "
            "and the message content (image, link, length), then try again.",
        ),
        "rate": (
            "Facebook đang giới hạn số lần gọi (mã lỗi {code}).",
            "Facebook is rate-limiting calls (error {code}).",
        ),
        "server": (
            "Máy chủ Facebook lỗi tạm thời (HTTP {status}).",
            "Facebook's server failed temporarily (HTTP {status}).",
        ),
        "timeout": (
            "Facebook không trả lời trong {seconds} giây; kiểm tra mạng Internet.",
            "Facebook did not answer within {seconds} s; check the Internet connection.",
        ),
        "deadline": (
            "Facebook trả lời quá chậm: chưa xong sau {seconds} giây (máy chủ chậm hoặc gửi "
            "câu trả lời nhỏ giọt); đã ngắt.",
            "Facebook's answer did not finish within {seconds} s (a slow server or an answer "
            "sent a little at a time); the call was cut off.",
        ),
        "dropped": (
            "Kết nối tới Facebook bị đóng trước khi có câu trả lời ({error}).",
            "The connection to Facebook was closed before the answer came ({error}).",
        ),
        "too_large": (
            "Câu trả lời của Facebook dài bất thường ({error}); đã ngắt.",
            "Facebook's answer is unusually long ({error}); the call was cut off.",
        ),
        "connect": (
            "Không kết nối được tới Facebook ({url}): {error}. Kiểm tra mạng Internet và "
            "graph_url trong loa.toml.",
            "Cannot connect to Facebook ({url}): {error}. Check the Internet connection and "
            "graph_url in loa.toml.",
        ),
        "bad_answer": (
            "Facebook trả lời không đúng định dạng (HTTP {status}).",
            "Facebook answered in an unexpected format (HTTP {status}).",
        ),
    }
)


def find_token(page_id: str, env: Mapping[str, str] | None = None) -> str | None:
    """The page token from LOA_FACEBOOK_TOKEN, else from the system keyring; None if neither."""
    env = os.environ if env is None else env
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        return token
    try:
        import keyring

        for user in (f"facebook:{page_id}", "facebook"):
            value = keyring.get_password(KEYRING_SERVICE, user)
            if value:
                return value.strip()
    except Exception:  # no keyring backend on a headless machine is normal
        return None
    return None


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds Facebook's usage headers say to wait before calling again, if they say.

    X-Business-Use-Case-Usage carries, per business id, a list of entries with
    `estimated_time_to_regain_access` (minutes); X-App-Usage / X-Page-Usage give percentages,
    where 100 means the limit is reached (wait a minute or more).
    """
    import json

    wait: float | None = None
    raw = headers.get("x-business-use-case-usage")
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = None
        if isinstance(usage, dict):
            for entries in usage.values():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    try:
                        minutes = float(entry.get("estimated_time_to_regain_access") or 0)
                    except (TypeError, ValueError):
                        continue
                    if minutes > 0:
                        wait = max(wait or 0.0, minutes * 60)
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        if isinstance(usage, dict):
            try:
                top = max(float(v) for v in usage.values() if isinstance(v, int | float))
            except ValueError:
                continue
            if top >= 100:
                wait = max(wait or 0.0, 60.0)
    return wait


class GraphClient:
    """A thin Graph API client: one `call` that returns the JSON answer or raises ChannelError.

    Every call ends within `deadline` seconds (loa.channels.http), whatever the server does.
    """

    def __init__(
        self,
        base_url: str,
        version: str,
        token: str,
        *,
        http: Any = None,
        timeout: float = 30.0,
        deadline: float = 120.0,
    ) -> None:
        from loa.channels.http import new_client

        self.base = f"{base_url.rstrip('/')}/{version.strip('/')}"
        self.token = token
        self.timeout = timeout
        self.deadline = max(deadline, timeout)
        self._own = http is None
        self.http = http if http is not None else new_client(timeout)
        self._filter = RedactFilter(lambda: [self.token]).attach()

    def close(self) -> None:
        self._filter.detach()
        if self._own:
            self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Any:
        """Call the Graph API. Raises TransientError or PermanentError, never with the token."""
        from loa.channels.http import CallFailed, request

        url = f"{self.base}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.token}"}
        writes = method.upper() != "GET"
        try:
            response = request(
                self.http,
                method,
                url,
                deadline_s=self.deadline,
                params=params,
                data=data,
                files=files,
                headers=headers,
            )
        except CallFailed as exc:
            if exc.kind == "connect":
                text = T("connect", url=self.base, error=exc.detail)
            elif exc.kind == "timeout":
                text = T("timeout", seconds=f"{self.timeout:g}")
            elif exc.kind == "deadline":
                text = T("deadline", seconds=f"{self.deadline:g}")
            else:
                text = T(exc.kind, error=exc.detail)
            raise TransientError(self._clean(text), ambiguous=writes and exc.ambiguous) from None
        return self._answer(response, writes)

    def _clean(self, text: str) -> str:
        return redact(text, [self.token])

    def _answer(self, response: Any, writes: bool) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code < 400 and error is None:
            if body is None:
                raise TransientError(T("bad_answer", status=response.status_code), ambiguous=writes)
            return body
        if not isinstance(error, dict):
            # No Graph error body: a proxy's 502/504 page or a cut answer. The API behind it
            # may have acted (a gateway timeout is exactly that), so a write is in doubt.
            if response.status_code >= 500:
                raise TransientError(T("server", status=response.status_code), ambiguous=writes)
            raise PermanentError(
                self._clean(T("bad_request", code=response.status_code, detail=response.text[:200]))
            )
        try:
            code = int(error.get("code") or 0)
        except (TypeError, ValueError):
            code = 0
        detail = self._clean(str(error.get("message", ""))[:300])
        if code in RATE_LIMIT_CODES:
            raise TransientError(
                T("rate", code=code),
                code=code,
                rate_limited=True,
                retry_after_s=usage_wait(response.headers),
            )
        if code == 190:
            raise PermanentError(T("token", detail=detail), code=code)
        if code in PERMISSION_CODES:
            raise PermanentError(T("permission", code=code, detail=detail), code=code)
        if code in TEMPORARY_CODES or error.get("is_transient") or response.status_code >= 500:
            # Graph itself reported the failure in its own error body: nothing was created.
            raise TransientError(T("server", status=response.status_code), code=code)
        raise PermanentError(T("bad_request", code=code, detail=detail), code=code)
