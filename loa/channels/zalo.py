"""The Zalo Official Account channel: a thin OpenAPI v2 client over httpx, OAuth v4 token
rotation, and the channel that posts articles and broadcasts them to followers.

Wire format (the official PHP/Java SDKs are the reference): every OpenAPI call sends the header
`access_token`; answers are `{"error": 0, "message": "Success", "data": {...}}`, errors carry a
negative code. An article is `POST /v2.0/article/create` (answers a token) then
`POST /v2.0/article/verify` with that token (answers the article id); `GET /v2.0/article/getslice`
and `/getdetail` look one up. A broadcast is `POST /v2.0/oa/message` with `recipient.target` and
a media template holding the article; `POST /v2.0/oa/quota/message` is checked first.

Tokens: the access token lives about 25 hours, the refresh token about 3 months and is
single-use. `POST <oauth_url>/v4/oa/access_token` (header `secret_key`, form app_id,
grant_type=refresh_token, refresh_token) answers a new pair; the new pair is written to the
secret store (the system keyring, or where the machine has none an encrypted 0600 file in the
station folder) before the new access token is used. The app secret comes from
LOA_ZALO_APP_SECRET or the keyring; the first refresh token from `loa channels zalo login` or,
once, LOA_ZALO_REFRESH_TOKEN. No token ever reaches loa.toml, the database, a log or an error.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import Field, field_validator

from loa.channels.base import (
    Channel,
    ChannelError,
    CheckResult,
    Item,
    PermanentError,
    Receipt,
    TransientError,
    has_marker,
    marker,
    not_configured,
    redact,
    strip_markers,
)
from loa.channels.settings import channel_settings
from loa.core.errors import RuntimeFailure
from loa.core.fileio import atomic_write_bytes
from loa.core.i18n import Catalog
from loa.core.settings import Flag, Integer, Number, SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station

SECRET_ENV = "LOA_ZALO_APP_SECRET"
REFRESH_ENV = "LOA_ZALO_REFRESH_TOKEN"
KEYRING_SERVICE = "loa"
DEFAULT_API_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
#: The suffix of a broadcast's outbox key: "<article key>:broadcast".
BROADCAST_SUFFIX = ":broadcast"
#: Refresh the access token when it has less than this left.
REFRESH_AHEAD = timedelta(minutes=30)
#: Zalo delivers broadcasts only in these hours (station wall clock).
BROADCAST_HOURS = (6, 20)
#: How many recent articles `find` reads in detail looking for a key's marker.
LOOKUP_DEPTH = 20
#: The name of the encrypted secrets file in the station folder (no keyring on the machine).
SECRETS_FILE = "secrets.zalo.enc"

TOKEN_CODES = frozenset({-216, -124})
RATE_CODES = frozenset({-32})
PERMISSION_CODES = frozenset({-204, -205, -207, -208, -209, -212, -215, -219, -224})
QUOTA_CODES = frozenset({-211, -218, -231})
MODERATION_WORDS = ("moderat", "kiểm duyệt", "vi phạm", "violat", "reject")

T = Catalog(
    {
        "no_oa": (
            "thiếu oa_id hoặc app_id trong mục [channels.zalo] của loa.toml. Lấy mã OA và mã ứng "
            'dụng ở developers.zalo.me rồi ghi: oa_id = "..." và app_id = "...".',
            "oa_id or app_id is missing from [channels.zalo] in loa.toml. Find the OA id and the "
            'app id at developers.zalo.me and write: oa_id = "..." and app_id = "...".',
        ),
        "no_secret": (
            "Chưa có khoá bí mật (secret key) của ứng dụng Zalo. Đặt biến môi trường "
            'LOA_ZALO_APP_SECRET hoặc lưu vào keyring (dịch vụ "loa", tên "zalo-secret:{app}"); '
            "không ghi vào loa.toml.",
            "No Zalo app secret key. Set LOA_ZALO_APP_SECRET or store it in the system keyring "
            '(service "loa", user "zalo-secret:{app}"); never put it in loa.toml.',
        ),
        "no_refresh": (
            "Chưa có mã làm mới (refresh token) của Zalo OA. Chạy: loa channels zalo login "
            "(dán refresh token vào), hoặc đặt một lần LOA_ZALO_REFRESH_TOKEN.",
            "No Zalo OA refresh token. Run: loa channels zalo login (paste the refresh token), "
            "or set LOA_ZALO_REFRESH_TOKEN once.",
        ),
        "refresh_refused": (
            "Zalo không cấp mã truy cập mới (lỗi {code}: {detail}). Refresh token đã hết hạn, "
            "đã dùng rồi hoặc secret key sai. Lấy refresh token mới trong trang quản trị ứng dụng "
            "(developers.zalo.me → Official Account → cấp quyền) rồi chạy: loa channels zalo login.",
            "Zalo refused a new access token (error {code}: {detail}). The refresh token has "
            "expired or was already used, or the secret key is wrong. Get a new refresh token "
            "(developers.zalo.me → Official Account → authorise) and run: loa channels zalo login.",
        ),
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
            "Zalo đang giới hạn số lần gọi (lỗi {code}); sẽ thử lại sau.",
            "Zalo is rate-limiting calls (error {code}); will try again later.",
        ),
        "server": (
            "Máy chủ Zalo lỗi tạm thời (HTTP {status}); sẽ thử lại sau.",
            "Zalo's server failed temporarily (HTTP {status}); will try again later.",
        ),
        "timeout": (
            "Zalo không trả lời kịp ({error}); kiểm tra mạng Internet.",
            "Zalo did not answer in time ({error}); check the Internet connection.",
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
        "no_cover": (
            'Bài viết Zalo cần ảnh bìa. Ghi cover_url = "https://..." trong [channels.zalo] '
            "hoặc gắn ảnh (địa chỉ https) cho tin.",
            'A Zalo article needs a cover image. Write cover_url = "https://..." in '
            "[channels.zalo] or give the message an (https) image.",
        ),
        "after_create": (
            "Đã tạo bài viết nhưng chưa lấy được mã bài ({error}); sẽ tra lại trước khi đăng tiếp.",
            "The article was created but its id could not be read ({error}); it is looked up "
            "before anything is posted again.",
        ),
        "no_broadcast_lookup": (
            "Zalo không cho tra cứu tin đã gửi tới người quan tâm; không biết tin đã đi chưa.",
            "Zalo cannot be searched for broadcasts; whether it went out is unknown.",
        ),
        "no_article": (
            "Không tìm thấy bài viết Zalo để gửi tới người quan tâm; đăng bài trước.",
            "The Zalo article to broadcast was not found; publish the article first.",
        ),
        "quota_empty": (
            "Đã hết lượt gửi tin tới người quan tâm (còn {remain}/{total}). Tin chỉ đăng thành bài "
            "viết; đợi kỳ hạn mức mới hoặc nâng gói OA.",
            "No broadcasts left (remaining {remain}/{total}). The message is posted as an "
            "article only; wait for the next quota period or upgrade the OA package.",
        ),
        "out_of_hours": (
            "Không gửi tới người quan tâm lúc {time}: Zalo chỉ cho gửi từ {start:02d}:00 đến {end:02d}:00.",
            "Not broadcast at {time}: Zalo allows broadcasts only from {start:02d}:00 to {end:02d}:00.",
        ),
        "broadcast_sent": ("Đã gửi tới người quan tâm.", "Broadcast to followers."),
        "broadcast_failed": (
            "Bài đã đăng; chưa gửi tới người quan tâm: {error}",
            "The article is posted; not broadcast: {error}",
        ),
        "store_broken": (
            "Tệp bí mật {path} không đọc được bằng secret key hiện tại. Xoá tệp đó rồi chạy lại "
            "loa channels zalo login.",
            "The secrets file {path} cannot be read with the current secret key. Delete it and "
            "run loa channels zalo login again.",
        ),
        "no_crypto": (
            "Máy không có keyring và thiếu gói cryptography để mã hoá tệp bí mật. Cài: "
            "pip install cryptography.",
            "This machine has no keyring and the cryptography package is missing to encrypt "
            "the secrets file. Install it: pip install cryptography.",
        ),
        "check_oa": (
            "OA {name} ({oa}), {followers} người quan tâm.",
            "OA {name} ({oa}), {followers} followers.",
        ),
        "check_wrong_oa": (
            "Token thuộc OA {got}, không phải {oa}. Đăng nhập bằng refresh token của đúng OA.",
            "The token belongs to OA {got}, not {oa}. Log in with that OA's refresh token.",
        ),
        "check_expiry": (
            "Mã truy cập còn hạn đến {when} (tự làm mới trước khi hết).",
            "The access token is valid until {when} (refreshed before it runs out).",
        ),
        "check_quota": (
            "Hạn mức gửi tới người quan tâm: còn {remain}/{total}.",
            "Broadcast quota: {remain} of {total} left.",
        ),
        "check_no_cover": (
            "Chưa có ảnh bìa mặc định (cover_url); tin không có ảnh https sẽ không đăng được.",
            "No default cover image (cover_url); messages without an https image cannot be posted.",
        ),
        "login_done": (
            "Đã lưu refresh token của OA {oa} ({where}); mã truy cập còn hạn đến {when}.",
            "Stored the refresh token of OA {oa} ({where}); the access token is valid until "
            "{when}.",
        ),
        "where_keyring": ("keyring của máy", "the system keyring"),
        "where_file": ("tệp mã hoá {path}", "encrypted file {path}"),
    }
)


# ------------------------------------------------------------------------------ secret store


class SecretStore(Protocol):
    """Where the OA's tokens live between runs (never the database, never loa.toml)."""

    def get(self) -> str | None: ...

    def put(self, value: str) -> None:
        """Store `value` durably (it survives a crash right after the call returns)."""

    def where(self) -> str: ...


class KeyringStore:
    """The tokens in the system keyring: service "loa", user "zalo:<oa_id>"."""

    def __init__(self, oa_id: str) -> None:
        self.user = f"zalo:{oa_id}"

    def get(self) -> str | None:
        import keyring

        value: str | None = keyring.get_password(KEYRING_SERVICE, self.user)
        return value

    def put(self, value: str) -> None:
        import keyring

        keyring.set_password(KEYRING_SERVICE, self.user, value)

    def where(self) -> str:
        return T("where_keyring")


class FileStore:
    """The tokens in an encrypted file (Fernet, key derived from the app secret with a random
    salt), written atomically with 0600 permissions. For machines with no keyring backend."""

    def __init__(self, path: Path, app_secret: str) -> None:
        self.path = path
        self._secret = app_secret

    def _fernet(self, salt: bytes) -> Any:
        try:
            from cryptography.fernet import Fernet
        except ImportError:
            raise PermanentError(T("no_crypto")) from None
        key = hashlib.pbkdf2_hmac("sha256", self._secret.encode("utf-8"), salt, 100_000)
        return Fernet(base64.urlsafe_b64encode(key))

    def get(self) -> str | None:
        try:
            blob = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise PermanentError(T("store_broken", path=self.path)) from None
        try:
            from cryptography.fernet import InvalidToken
        except ImportError:
            raise PermanentError(T("no_crypto")) from None
        try:
            salt = base64.b64decode(blob["salt"])
            value: bytes = self._fernet(salt).decrypt(blob["data"].encode("ascii"))
        except (InvalidToken, KeyError, TypeError, ValueError):
            raise PermanentError(T("store_broken", path=self.path)) from None
        return value.decode("utf-8")

    def put(self, value: str) -> None:
        salt = secrets.token_bytes(16)
        data = self._fernet(salt).encrypt(value.encode("utf-8")).decode("ascii")
        text = json.dumps({"v": 1, "salt": base64.b64encode(salt).decode("ascii"), "data": data})
        atomic_write_bytes(self.path, text.encode("utf-8"))  # mkstemp: 0600
        os.chmod(self.path, 0o600)
        _fsync_dir(self.path.parent)

    def where(self) -> str:
        return T("where_file", path=self.path)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; the rename is durable there anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def keyring_usable() -> bool:
    """True when the system keyring has a real backend (not the "fail" one of headless boxes)."""
    try:
        import keyring

        backend = keyring.get_keyring()
        return float(getattr(backend, "priority", 0)) > 0 and "fail" not in type(backend).__module__
    except Exception:
        return False


def secret_store(root: Path, oa_id: str, app_secret: str) -> SecretStore:
    """The keyring when the machine has one, else the encrypted file in the station folder."""
    if keyring_usable():
        return KeyringStore(oa_id)
    return FileStore(root / SECRETS_FILE, app_secret)


def find_app_secret(app_id: str, env: Mapping[str, str] | None = None) -> str | None:
    """The app secret from LOA_ZALO_APP_SECRET, else the keyring ("zalo-secret:<app_id>")."""
    env = os.environ if env is None else env
    value = env.get(SECRET_ENV, "").strip()
    if value:
        return value
    if not keyring_usable():
        return None
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, f"zalo-secret:{app_id}")
    except Exception:
        return None
    return found.strip() if found else None


# ------------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class TokenPair:
    refresh_token: str
    access_token: str | None = None
    expires_at: datetime | None = None  # UTC

    def to_json(self) -> str:
        return json.dumps(
            {
                "refresh_token": self.refresh_token,
                "access_token": self.access_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TokenPair:
        try:
            data = json.loads(text)
        except ValueError:  # a bare refresh token stored by hand in the keyring
            return cls(refresh_token=text.strip())
        expires = data.get("expires_at")
        return cls(
            refresh_token=str(data["refresh_token"]),
            access_token=data.get("access_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _RedactFilter(logging.Filter):
    """Scrub every token the manager knows out of httpx/httpcore log lines."""

    def __init__(self, secrets_of: Callable[[], list[str | None]]) -> None:
        super().__init__()
        self.secrets_of = secrets_of

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = redact(text, self.secrets_of())
        if clean != text:
            record.msg, record.args = clean, ()
        return True


class Tokens:
    """The OA's access token, refreshed ahead of expiry; each rotation stored before use."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str | None,
        store: SecretStore | None,
        oauth_url: str = DEFAULT_OAUTH_URL,
        http: Any,
        first_refresh: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.store = store
        self.oauth_url = oauth_url.rstrip("/")
        self.http = http
        self.first_refresh = first_refresh
        self.clock = clock
        self.pair: TokenPair | None = None
        self._seen: list[str | None] = [app_secret, first_refresh]

    def secrets(self) -> list[str | None]:
        """Every secret this manager has held (for scrubbing text)."""
        return list(self._seen)

    def _remember(self, pair: TokenPair) -> TokenPair:
        self.pair = pair
        self._seen.extend([pair.refresh_token, pair.access_token])
        return pair

    def load(self) -> TokenPair:
        """The stored pair; on first use, LOA_ZALO_REFRESH_TOKEN (stored at once)."""
        if self.app_secret is None or self.store is None:
            raise PermanentError(T("no_secret", app=self.app_id))
        text = self.store.get()
        if text:
            return self._remember(TokenPair.from_json(text))
        if self.first_refresh:
            pair = TokenPair(refresh_token=self.first_refresh)
            self.store.put(pair.to_json())
            return self._remember(pair)
        raise PermanentError(T("no_refresh"))

    def expires_at(self) -> datetime | None:
        pair = self.pair or self.load()
        return pair.expires_at

    def access_token(self) -> str:
        """A valid access token, refreshed when absent or close to expiry."""
        pair = self.pair or self.load()
        fresh = pair.expires_at is not None and pair.expires_at - self.clock() > REFRESH_AHEAD
        if pair.access_token and fresh:
            return pair.access_token
        return self.refresh()

    def refresh(self, *, rejected: str | None = None) -> str:
        """Rotate the pair at Zalo, store the new one, then return the new access token.

        `rejected` is an access token Zalo just refused: when the store already holds a newer
        one (another process refreshed), that one is used instead of rotating again.
        Raises PermanentError (refused: log in again) or TransientError (network, 5xx).
        """
        stored = self.load()
        if rejected is not None and stored.access_token and stored.access_token != rejected:
            return stored.access_token
        try:
            answer = self._post(stored.refresh_token)
        except PermanentError:
            # Another process may have rotated the single-use token meanwhile: use its result.
            again = self.load()
            if again.refresh_token == stored.refresh_token:
                raise
            if again.access_token and again.expires_at and again.expires_at > self.clock():
                return again.access_token
            answer = self._post(again.refresh_token)
        assert self.store is not None
        expires_in = int(str(answer.get("expires_in") or "90000"))
        pair = TokenPair(
            refresh_token=str(answer["refresh_token"]),
            access_token=str(answer["access_token"]),
            expires_at=self.clock() + timedelta(seconds=expires_in),
        )
        self._remember(pair)
        self.store.put(pair.to_json())  # durable before the new access token is used
        assert pair.access_token is not None
        return pair.access_token

    def _post(self, refresh_token: str) -> dict[str, Any]:
        import httpx

        self._seen.append(refresh_token)
        url = f"{self.oauth_url}/v4/oa/access_token"
        try:
            response = self.http.post(
                url,
                headers={"secret_key": self.app_secret or ""},
                data={
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                },
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TransientError(self._clean(T("connect", url=self.oauth_url, error=exc))) from None
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise TransientError(T("timeout", error=type(exc).__name__)) from None
        if response.status_code >= 500:
            raise TransientError(T("server", status=response.status_code))
        try:
            body = response.json()
        except ValueError:
            raise TransientError(T("bad_answer", status=response.status_code)) from None
        if not isinstance(body, dict):
            raise TransientError(T("bad_answer", status=response.status_code))
        if body.get("access_token") and body.get("refresh_token"):
            return body
        code = body.get("error", response.status_code)
        detail = body.get("error_name") or body.get("error_description") or body.get("message")
        raise PermanentError(
            self._clean(T("refresh_refused", code=code, detail=str(detail or "")[:200])),
            code=_int(code),
        )

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets())


def _int(value: Any) -> int | None:
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
        self, api_url: str, tokens: Tokens, *, http: Any = None, timeout: float = 30.0
    ) -> None:
        import httpx

        self.base = api_url.rstrip("/")
        self.tokens = tokens
        self._own = http is None
        self.http = http if http is not None else httpx.Client(timeout=timeout)
        if tokens.http is None:
            tokens.http = self.http
        self._filter = _RedactFilter(tokens.secrets)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).addFilter(self._filter)

    def close(self) -> None:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeFilter(self._filter)
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
        import httpx

        url = f"{self.base}/{path.lstrip('/')}"
        writes = method.upper() != "GET"
        kwargs: dict[str, Any] = {"params": params, "headers": {"access_token": token}}
        if files is not None:
            kwargs["files"] = files
        elif body is not None:
            kwargs["json"] = body
        try:
            response = self.http.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TransientError(self._clean(T("connect", url=self.base, error=exc))) from None
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise TransientError(T("timeout", error=type(exc).__name__), ambiguous=writes) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 500:
            raise TransientError(T("server", status=response.status_code), ambiguous=writes)
        if not isinstance(answer, dict) or "error" not in answer:
            raise TransientError(T("bad_answer", status=response.status_code), ambiguous=writes)
        code = _int(answer.get("error")) or 0
        if code == 0:
            return answer.get("data") if answer.get("data") is not None else {}
        detail = self._clean(str(answer.get("message", ""))[:300])
        if code in TOKEN_CODES:
            raise PermanentError(detail, code=code)
        if code in RATE_CODES:
            raise TransientError(T("rate", code=code), code=code)
        if code in PERMISSION_CODES:
            raise PermanentError(T("permission", code=code, detail=detail), code=code)
        if code in QUOTA_CODES:
            raise PermanentError(T("quota", code=code, detail=detail), code=code)
        if any(word in detail.lower() for word in MODERATION_WORDS):
            raise PermanentError(T("moderation", code=code, detail=detail), code=code)
        raise PermanentError(T("bad_request", code=code, detail=detail), code=code)

    def _clean(self, text: str) -> str:
        return redact(text, self.tokens.secrets())


# ---------------------------------------------------------------------------------- settings


class ZaloTarget(SectionSettings):
    """[channels.zalo.target]: which followers a broadcast reaches (Zalo's codes, as text;
    empty: every follower)."""

    ages: str = ""
    gender: str = ""
    locations: str = ""
    cities: str = ""
    platform: str = ""


class ZaloSettings(SectionSettings):
    """[channels.zalo]: the OA, its app and how to reach Zalo. The app secret and the tokens
    are never here: LOA_ZALO_APP_SECRET / the keyring, and `loa channels zalo login`."""

    enabled: Flag = True
    oa_id: str = ""
    app_id: str = ""
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    author: str = ""
    cover_url: str = ""
    broadcast: list[str] = Field(default_factory=lambda: ["high", "urgent"])
    target: ZaloTarget = Field(default_factory=ZaloTarget)
    timeout_s: Number = Field(default=30.0, gt=0, le=600)
    lookup_depth: Integer = Field(default=LOOKUP_DEPTH, ge=1, le=100)

    @field_validator("oa_id", "app_id", "cover_url", "author")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("broadcast")
    @classmethod
    def _priorities(cls, value: list[str]) -> list[str]:
        from loa.content.models import Priority

        valid = [p.value for p in Priority]
        for word in value:
            if word not in valid:
                raise ValueError(f"{word!r}: {', '.join(valid)}")
        return value


# ----------------------------------------------------------------------------------- channel


def article_body(text: str, key: str) -> list[dict[str, str]]:
    """The article's body blocks: one text block per paragraph (HTML-escaped), the last one
    carrying the key's invisible marker."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        paragraphs = [""]
    blocks = [{"type": "text", "content": html.escape(p).replace("\n", "<br>")} for p in paragraphs]
    blocks[-1]["content"] += marker(key)
    return blocks


def _article_text(item: Item) -> str:
    body = item.extra.get("body")
    return str(body) if body else strip_markers(item.text)


def _description(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:300]


def _from_millis(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


class ZaloChannel(Channel):
    """Posts a message to the commune's Zalo OA as an article, and broadcasts the article to
    followers when the message's priority says so (at most once, inside Zalo's hours)."""

    name = "zalo"
    label = ("Zalo OA", "Zalo OA")
    colour = "#0068ff"
    aliases = ("zalo oa", "oa zalo", "zl")
    can_lookup = True
    settings_model = ZaloSettings

    def __init__(
        self,
        settings: ZaloSettings,
        tokens: Tokens,
        *,
        station: Station | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
        http: Any = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.station = station
        self.timezone = timezone
        self._http = http
        self._client: ZaloClient | None = None

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        settings = channel_settings(station, cls.name, ZaloSettings)
        return settings.enabled and bool(settings.oa_id)

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> ZaloChannel:
        settings = channel_settings(station, cls.name, ZaloSettings)
        if not settings.oa_id or not settings.app_id:
            raise not_configured(cls.name, T("no_oa"))
        env = os.environ if env is None else env
        secret = find_app_secret(settings.app_id, env)
        store = secret_store(station.root, settings.oa_id, secret) if secret else None
        tokens = Tokens(
            app_id=settings.app_id,
            app_secret=secret,
            store=store,
            oauth_url=settings.oauth_url,
            http=http,
            first_refresh=env.get(REFRESH_ENV, "").strip() or None,
        )
        return cls(settings, tokens, station=station, timezone=station.timezone, http=http)

    @property
    def client(self) -> ZaloClient:
        if self._client is None:
            self._client = ZaloClient(
                self.settings.api_url, self.tokens, http=self._http, timeout=self.settings.timeout_s
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ---------------------------------------------------------------------------- articles

    def cover_for(self, item: Item) -> str:
        image = item.image or ""
        if image.startswith(("http://", "https://")):
            return image
        if self.settings.cover_url:
            return self.settings.cover_url
        raise PermanentError(T("no_cover"))

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        if item.key.endswith(BROADCAST_SUFFIX):
            return self.broadcast(item, now=now)
        receipt = self.create_article(item, now=now)
        return self._maybe_broadcast(item, receipt, now)

    def create_article(self, item: Item, *, now: datetime) -> Receipt:
        """create, then verify: the article id. A failure after create is ambiguous, so the
        outbox looks the article up (by its marker) instead of creating a second one."""
        text = _article_text(item)
        article = {
            "type": "normal",
            "title": strip_markers(item.title).strip()[:150],
            "author": self.settings.author or (str(item.extra.get("station") or "") or "UBND"),
            "cover": {"cover_type": "photo", "photo_url": self.cover_for(item), "status": "show"},
            "description": _description(text),
            "body": article_body(text, item.key),
            "status": "show",
            "comment": "show",
        }
        created = self.client.call("POST", "/v2.0/article/create", body=article)
        token = str((created or {}).get("token") or "")
        try:
            if not token:
                raise TransientError(T("bad_answer", status=200))
            verified = self.client.call("POST", "/v2.0/article/verify", body={"token": token})
            article_id = str((verified or {}).get("id") or "")
            if not article_id:
                raise TransientError(T("bad_answer", status=200))
        except ChannelError as exc:
            raise TransientError(
                T("after_create", error=exc), code=exc.code, ambiguous=True
            ) from None
        return Receipt(remote_id=article_id, published_at=now)

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        """The article made for `item`: recent articles (getslice) read in detail (getdetail)
        for the key's invisible marker. A broadcast cannot be looked up (TransientError)."""
        if item.key.endswith(BROADCAST_SUFFIX):
            raise TransientError(T("no_broadcast_lookup"))
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(self.timezone)
        answer = self.client.call(
            "GET",
            "/v2.0/article/getslice",
            params={"offset": 0, "limit": self.settings.lookup_depth, "type": "normal"},
        )
        medias = list((answer or {}).get("medias") or [])
        title = strip_markers(item.title).strip()
        # Read the likeliest first: same title, then newest.
        medias.sort(key=lambda m: (str(m.get("title", "")).strip() != title,))
        for media in medias[: self.settings.lookup_depth]:
            detail = self.client.call(
                "GET", "/v2.0/article/getdetail", params={"id": str(media.get("id"))}
            )
            blocks = (detail or {}).get("body") or []
            text = " ".join(str(b.get("content", "")) for b in blocks if isinstance(b, dict))
            if has_marker(text, item.key):
                created = _from_millis(
                    (detail or {}).get("create_date") or media.get("create_date")
                )
                local = created.astimezone(tz).replace(tzinfo=None) if created else None
                return Receipt(
                    remote_id=str(media.get("id")),
                    url=(detail or {}).get("link") or media.get("link"),
                    published_at=local,
                )
        return None

    # -------------------------------------------------------------------------- broadcasts

    def wants_broadcast(self, item: Item) -> bool:
        """True when the item's message has a priority [channels.zalo] broadcast names."""
        if item.message_id is None or self.station is None or not self.settings.broadcast:
            return False
        from loa.content import queue
        from loa.core.errors import UserError

        try:
            with self.station.transaction() as session:
                message = queue.get_message(session, item.message_id)
                return str(message.priority) in self.settings.broadcast
        except UserError:  # the message is gone: post the article, broadcast nothing
            return False

    def _maybe_broadcast(self, item: Item, article: Receipt, now: datetime) -> Receipt:
        """After the article: send its broadcast through the outbox under its own key, so it
        goes out at most once. A refused broadcast leaves the article published, with a note."""
        if self.station is None or not self.wants_broadcast(item):
            return article
        from loa.channels import outbox
        from loa.channels.models import PublicationStatus
        from loa.channels.runtime import Runtime

        broadcast = replace(
            item,
            key=f"{item.key}{BROADCAST_SUFFIX}",
            kind="broadcast",
            extra={**item.extra, "article_id": article.remote_id},
        )
        start, end = BROADCAST_HOURS
        if not (start <= now.hour < end):
            reason = T("out_of_hours", time=now.strftime("%H:%M"), start=start, end=end)
            try:
                publication, _ = outbox.claim(
                    self.station,
                    broadcast.key,
                    channel=self.name,
                    now=now,
                    message_id=item.message_id,
                    plan_entry_id=None,
                    due_at=item.due_at,
                )
            except RuntimeFailure as exc:
                return replace(article, note=T("broadcast_failed", error=exc))
            if publication.status == PublicationStatus.SENDING:
                outbox.skip(self.station, publication.id, reason, now)
            return replace(article, note=reason)
        sender = _Broadcaster(
            self.settings,
            self.tokens,
            station=self.station,
            timezone=self.timezone,
            http=self._http,
        )
        sender._client = self.client
        runtime = Runtime(channels={self.name: sender})
        try:
            outbox.send(self.station, broadcast, self.name, now=now, runtime=runtime)
        except RuntimeFailure as exc:  # refused, busy or uncertain: the article stands
            return replace(article, note=T("broadcast_failed", error=exc))
        return replace(article, note=T("broadcast_sent"))

    def quota(self) -> tuple[int, int]:
        """(remaining, total) broadcasts from POST /v2.0/oa/quota/message."""
        data = self.client.call("POST", "/v2.0/oa/quota/message", body={})
        data = data or {}
        remain = _int(data.get("remain", data.get("remaining_quota")))
        total = _int(data.get("total", data.get("daily_quota")))
        return (remain if remain is not None else 0, total if total is not None else 0)

    def broadcast(self, item: Item, *, now: datetime) -> Receipt:
        """Broadcast the item's article to followers (quota checked first)."""
        article_id = item.extra.get("article_id")
        if not article_id:
            base = replace(item, key=item.key[: -len(BROADCAST_SUFFIX)])
            found = self.find(base, since=now - timedelta(days=90))
            if found is None:
                raise PermanentError(T("no_article"))
            article_id = found.remote_id
        remain, total = self.quota()
        if remain <= 0:
            raise PermanentError(T("quota_empty", remain=remain, total=total))
        target = {k: v for k, v in self.settings.target.model_dump().items() if v}
        data = self.client.call(
            "POST",
            "/v2.0/oa/message",
            body={
                "recipient": {"target": target},
                "message": {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "media",
                            "elements": [{"media_type": "article", "attachment_id": article_id}],
                        },
                    }
                },
            },
        )
        message_id = str((data or {}).get("message_id") or article_id)
        return Receipt(remote_id=message_id, published_at=now, note=T("broadcast_sent"))

    # ------------------------------------------------------------------------------- check

    def check(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        try:
            oa = self.client.call("GET", "/v2.0/oa/getoa") or {}
            got = str(oa.get("oa_id") or "")
            if got and got != self.settings.oa_id:
                return [
                    CheckResult(
                        self.name,
                        False,
                        T(
                            "check_wrong_oa",
                            got=f"{oa.get('name', '')} ({got})",
                            oa=self.settings.oa_id,
                        ),
                    )
                ]
            results.append(
                CheckResult(
                    self.name,
                    True,
                    T(
                        "check_oa",
                        name=oa.get("name", ""),
                        oa=self.settings.oa_id,
                        followers=oa.get("num_follower", "?"),
                    ),
                )
            )
            expires = self.tokens.expires_at()
            if expires is not None:
                from zoneinfo import ZoneInfo

                local = expires.astimezone(ZoneInfo(self.timezone))
                results.append(
                    CheckResult(
                        self.name, True, T("check_expiry", when=local.strftime("%d/%m/%Y %H:%M"))
                    )
                )
            remain, total = self.quota()
            results.append(
                CheckResult(self.name, remain > 0, T("check_quota", remain=remain, total=total))
            )
        except ChannelError as exc:
            results.append(CheckResult(self.name, False, str(exc)))
        if not self.settings.cover_url:
            results.append(CheckResult(self.name, False, T("check_no_cover")))
        return results


class _Broadcaster(ZaloChannel):
    """The channel as the outbox sees it while sending a broadcast: a broadcast cannot be
    looked up, so an answer lost on the way leaves it "uncertain" instead of sending it again."""

    can_lookup = False


def login(
    station: Station,
    refresh_token: str,
    *,
    http: Any = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Store the OA's first refresh token and rotate it once at Zalo (which proves it works).

    Returns a sentence for the officer (where it is stored, until when the access token holds).
    Raises UserError (not configured), PermanentError (refused: no secret, a bad token),
    TransientError (network).
    """
    channel = ZaloChannel.from_station(station, http=http, env=env)
    tokens = channel.tokens
    try:
        if tokens.app_secret is None or tokens.store is None:
            raise PermanentError(T("no_secret", app=channel.settings.app_id))
        tokens._seen.append(refresh_token.strip())
        tokens.store.put(TokenPair(refresh_token=refresh_token.strip()).to_json())
        tokens.pair = None
        _ = channel.client  # the client lends its HTTP client to the token manager
        tokens.refresh()
        from zoneinfo import ZoneInfo

        expires = tokens.expires_at()
        when = (
            expires.astimezone(ZoneInfo(channel.timezone)).strftime("%d/%m/%Y %H:%M")
            if expires
            else "?"
        )
        return T("login_done", oa=channel.settings.oa_id, where=tokens.store.where(), when=when)
    finally:
        channel.close()
