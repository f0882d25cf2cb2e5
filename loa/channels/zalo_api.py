"""The Zalo OpenAPI v2 client: a thin layer over httpx that sends the header `access_token`,
reads `{"error": 0, "message": "Success", "data": {...}}`, refreshes a refused access token once,
and maps Zalo's negative error codes to TransientError / PermanentError explained in Vietnamese.
No token ever reaches an error text or a log line (`loa.channels.base.RedactFilter`)."""

from __future__ import annotations

from typing import Any, Protocol

from loa.channels.base import PermanentError, RedactFilter, TransientError, redact
from loa.core.i18n import Catalog

DEFAULT_API_URL = "https://openapi.zalo.me"

TOKEN_CODES = frozenset({-216, -124})
RATE_CODES = frozenset({-32})
PERMISSION_CODES = frozenset({-204, -205, -207, -208, -209, -212, -215, -219, -224})
QUOTA_CODES = frozenset({-211, -218, -231})
MODERATION_WORDS = ("moderat", "kiểm duyệt", "vi phạm", "violat", "reject")

T = Catalog(
    {
        "token": (
            "Zalo từ chối mã truy cập (lỗi {code}) cả sau khi làm mới. Chạy lại: loa channels "
            "zalo login với refresh token mới. Zalo báo: {detail}",
            "Zalo rejected the access token (error {code}) even after a refresh. Run loa "
            "channels zalo login again with a new refresh token. Zalo says: {detail}",
        ),
        "permission": (
            "Ứng dụng không có quyền với OA này (lỗi {code}). Quản trị viên OA cần cấp quyền "
            "quản lý bài viết và gửi tin cho ứng dụng (developers.zalo.me), rồi đăng nhập lại. "
            "Zalo báo: {detail}",
            "The app may not act for this OA (error {code}). An OA admin must grant the app the "
            "article and messaging permissions (developers.zalo.me), then log in again. "
            "Zalo says: {detail}",
        ),
        "quota": (
            "Đã hết hạn mức gửi của OA (lỗi {code}): {detail}. Đợi sang kỳ hạn mức mới hoặc nâng "
            "gói OA; tin không được gửi lại tự động.",
            "The OA's sending quota is used up (error {code}): {detail}. Wait for the next quota "
            "period or upgrade the OA package; it is not sent again automatically.",
        ),
        "moderation": (
            "Zalo không duyệt nội dung (lỗi {code}): {detail}. Sửa nội dung tin cho đúng quy định "
            "của Zalo rồi đăng lại.",
            "Zalo's moderation refused the content (error {code}): {detail}. Change the message "
            "to meet Zalo's rules and publish it again.",
        ),
        "bad_request": (
            "Zalo từ chối yêu cầu (lỗi {code}): {detail}. Kiểm tra oa_id, ảnh bìa (cover_url) và "
            "nội dung tin rồi thử lại.",
            "Zalo refused the request (error {code}): {detail}. Check oa_id, the cover image "
            "(cover_url) and the message, then try again.",
        ),
        "rate": (
            "Zalo đang giới hạn số lần gọi (lỗi {code}).",
            "Zalo is rate-limiting calls (error {code}).",
        ),
        "server": (
            "Máy chủ Zalo lỗi tạm thời (HTTP {status}).",
            "Zalo's server failed temporarily (HTTP {status}).",
        ),
        "timeout": (
            "Zalo không trả lời trong {seconds} giây; kiểm tra mạng Internet.",
            "Zalo did not answer within {seconds} s; check the Internet connection.",
        ),
        "deadline": (
            "Zalo trả lời quá chậm: chưa xong sau {seconds} giây; đã ngắt.",
            "Zalo's answer did not finish within {seconds} s; the call was cut off.",
        ),
        "dropped": (
            "Kết nối tới Zalo bị đóng trước khi có câu trả lời ({error}).",
            "The connection to Zalo was closed before the answer came ({error}).",
        ),
        "too_large": (
            "Câu trả lời của Zalo dài bất thường ({error}); đã ngắt.",
            "Zalo's answer is unusually long ({error}); the call was cut off.",
        ),
        "connect": (
            "Không kết nối được tới Zalo ({url}): {error}. Kiểm tra mạng Internet và api_url, "
            "oauth_url trong loa.toml.",
            "Cannot connect to Zalo ({url}): {error}. Check the Internet connection and api_url, "
            "oauth_url in loa.toml.",
        ),
        "bad_answer": (
            "Zalo trả lời không đúng định dạng (HTTP {status}).",
            "Zalo answered in an unexpected format (HTTP {status}).",
        ),
    }
)


class TokenSource(Protocol):
    """What the client needs of the token manager (`loa.channels.zalo_tokens.Tokens`)."""

    http: Any

    def access_token(self) -> str: ...

    def refresh(self, *, rejected: str | None = None) -> str: ...

    def secrets(self) -> list[str | None]: ...


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------------ client


class ZaloClient:
    """A thin Zalo OpenAPI client: `call` returns the answer's `data` or raises ChannelError.

    An access token Zalo refuses (-216, -124) is refreshed once and the call retried.
    """

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource,
        *,
        http: Any = None,
        timeout: float = 30.0,
        deadline: float = 120.0,
    ) -> None:
        from loa.channels.http import new_client

        self.base = api_url.rstrip("/")
        self.tokens = tokens
        self.timeout = timeout
        self.deadline = max(deadline, timeout)
        self._own = http is None
        self.http = http if http is not None else new_client(timeout)
        if tokens.http is None:
            tokens.http = self.http
        self._filter = RedactFilter(tokens.secrets).attach()

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
        body: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Any:
        """Call `path` (e.g. "/v2.0/article/create"). Raises TransientError or PermanentError,
        never with a token in the text."""
        token = self.tokens.access_token()
        try:
            return self._once(method, path, token, params=params, body=body, files=files)
        except PermanentError as exc:
            if exc.code not in TOKEN_CODES:
                raise
        token = self.tokens.refresh(rejected=token)
        try:
            return self._once(method, path, token, params=params, body=body, files=files)
        except PermanentError as exc:
            if exc.code in TOKEN_CODES:
                raise PermanentError(
                    T("token", code=exc.code, detail=exc.args[0]), code=exc.code
                ) from None
            raise

    def _once(
        self,
        method: str,
        path: str,
        token: str,
        *,
        params: dict[str, Any] | None,
        body: dict[str, Any] | None,
        files: dict[str, Any] | None,
    ) -> Any:
        from loa.channels.http import CallFailed, request

        url = f"{self.base}/{path.lstrip('/')}"
        writes = method.upper() != "GET"
        kwargs: dict[str, Any] = {"params": params, "headers": {"access_token": token}}
        if files is not None:
            kwargs["files"] = files
        elif body is not None:
            kwargs["json"] = body
        try:
            response = request(self.http, method, url, deadline_s=self.deadline, **kwargs)
        except CallFailed as exc:
            if exc.kind == "connect":
                text = T("connect", url=self.base, error=exc.detail)
            elif exc.kind in ("timeout", "deadline"):
                seconds = self.timeout if exc.kind == "timeout" else self.deadline
                text = T(exc.kind, seconds=f"{seconds:g}")
            else:
                text = T(exc.kind, error=exc.detail)
            raise TransientError(self._clean(text), ambiguous=writes and exc.ambiguous) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 500:
            # Zalo's own error body says it failed; a proxy's page leaves a write in doubt.
            reported = isinstance(answer, dict) and "error" in answer
            raise TransientError(
                T("server", status=response.status_code), ambiguous=writes and not reported
            )
        if not isinstance(answer, dict) or "error" not in answer:
            raise TransientError(T("bad_answer", status=response.status_code), ambiguous=writes)
        code = as_int(answer.get("error")) or 0
        if code == 0:
            return answer.get("data") if answer.get("data") is not None else {}
        detail = self._clean(str(answer.get("message", ""))[:300])
        if code in TOKEN_CODES:
            raise PermanentError(detail, code=code)
        if code in RATE_CODES:
            raise TransientError(T("rate", code=code), code=code, rate_limited=True)
        if code in PERMISSION_CODES:
            raise PermanentError(T("permission", code=code, detail=detail), code=code)
        if code in QUOTA_CODES:
            raise PermanentError(T("quota", code=code, detail=detail), code=code)
        if any(word in detail.lower() for word in MODERATION_WORDS):
            raise PermanentError(T("moderation", code=code, detail=detail), code=code)
        raise PermanentError(T("bad_request", code=code, detail=detail), code=code)

    def _clean(self, text: str) -> str:
        return redact(text, self.tokens.secrets())
