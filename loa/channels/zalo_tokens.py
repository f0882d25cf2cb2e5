"""The Zalo OA's tokens: OAuth v4 rotation and where the tokens are kept.

The access token lives about 25 hours, the refresh token about 3 months and is single-use.
`POST <oauth_url>/v4/oa/access_token` (header `secret_key`, form app_id,
grant_type=refresh_token, refresh_token) answers a new pair; the new pair is written to the
secret store (the system keyring, or where the machine has none an encrypted 0600 file in the
station folder) before the new access token is used. A first pair also comes from an
authorisation code (PKCE, grant_type=authorization_code with code and code_verifier, as the
official SDK sends it); the code verifier waits in the same kind of store. The app secret comes
from LOA_ZALO_APP_SECRET or the keyring. No token ever reaches loa.toml, the database, a log or
an error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from loa.channels.base import PermanentError, TransientError, redact
from loa.channels.zalo_api import T as API
from loa.channels.zalo_api import as_int
from loa.core.fileio import atomic_write_bytes
from loa.core.i18n import Catalog

SECRET_ENV = "LOA_ZALO_APP_SECRET"
REFRESH_ENV = "LOA_ZALO_REFRESH_TOKEN"
KEYRING_SERVICE = "loa"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
#: Refresh the access token when it has less than this left.
REFRESH_AHEAD = timedelta(minutes=30)
#: How long a refresh token lives (Zalo: about three months from the rotation that issued it),
#: and how early the dashboard starts to warn that it will lapse.
REFRESH_LIFETIME = timedelta(days=90)
REFRESH_WARN = timedelta(days=14)
#: The name of the encrypted secrets file in the station folder (no keyring on the machine).
SECRETS_FILE = "secrets.zalo.enc"
#: The encrypted file holding a PKCE login's code verifier until the code is exchanged.
PKCE_FILE = "secrets.zalo-pkce.enc"
#: The encrypted file marking a token rotation under way (written before the request, removed
#: once the new pair is stored): found later, it says a rotation was cut short.
ROTATION_FILE = "secrets.zalo-rotating.enc"

#: The most one token request may take, connect and every read together.
TOKEN_DEADLINE_S = 60.0
#: A rotation marker older than this was left by a process that died mid-rotation (a live one
#: finishes within the token request's deadline).
ROTATION_STALE = timedelta(seconds=2 * TOKEN_DEADLINE_S)

T = Catalog(
    {
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
        "code_refused": (
            "Zalo không đổi mã uỷ quyền lấy token (lỗi {code}: {detail}). Mã chỉ dùng được một "
            "lần và trong vài phút, với đúng code_verifier. Tạo địa chỉ mới bằng: loa channels "
            "zalo login --url, uỷ quyền lại rồi dán mã mới.",
            "Zalo refused to exchange the authorisation code (error {code}: {detail}). A code "
            "works once, for a few minutes, with its code_verifier. Make a new address with "
            "loa channels zalo login --url, authorise again and paste the new code.",
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
        "rotation_lost": (
            "Lần làm mới token Zalo lúc {when} bị ngắt giữa chừng (máy tắt hoặc loa bị dừng "
            "ngay khi Zalo trả lời), nên refresh token dùng một lần đã mất: Zalo từ chối nó (lỗi "
            "{code}). Cách lấy lại: chạy loa channels zalo login --url để có địa chỉ "
            "uỷ quyền ({oauth}/v4/oa/permission?app_id={app}&...), mở địa chỉ đó bằng tài khoản "
            "quản trị OA và bấm cho phép, rồi dán địa chỉ Zalo chuyển về vào: loa channels zalo "
            "login. (Hoặc lấy refresh token mới ở developers.zalo.me → ứng dụng → Official "
            "Account → cấp quyền, rồi: loa channels zalo login.)",
            "The Zalo token rotation at {when} was cut short (the machine stopped or loa was "
            "stopped just as Zalo answered), so the single-use refresh token is lost: Zalo "
            "refuses it (error {code}). To recover: run loa channels zalo login --url "
            "for the authorisation address ({oauth}/v4/oa/permission?app_id={app}&...), open it "
            "as an OA admin and allow, then paste the address Zalo sends you back to into: loa "
            "channels zalo login. (Or get a new refresh token at developers.zalo.me → the app → "
            "Official Account → authorise, then: loa channels zalo login.)",
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

    def clear(self) -> None:
        """Forget the stored value (nothing stored: nothing happens)."""

    def where(self) -> str: ...


class KeyringStore:
    """The tokens in the system keyring: service "loa", user "zalo:<oa_id>" (the PKCE login
    in progress: "zalo-pkce:<oa_id>")."""

    def __init__(self, oa_id: str, kind: str = "zalo") -> None:
        self.user = f"{kind}:{oa_id}"

    def clear(self) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, self.user)
        except PasswordDeleteError:
            pass

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
        self._ready: tuple[bytes, Any] | None = None

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

    def prepare(self) -> None:
        """Derive the key of the next `put` now (PBKDF2 takes tens of milliseconds), so that
        put, right after Zalo's answer, only encrypts and writes."""
        salt = secrets.token_bytes(16)
        self._ready = (salt, self._fernet(salt))

    def put(self, value: str) -> None:
        ready, self._ready = self._ready, None
        salt, fernet = ready or (secrets.token_bytes(16), None)
        fernet = fernet or self._fernet(salt)
        data = fernet.encrypt(value.encode("utf-8")).decode("ascii")
        text = json.dumps({"v": 1, "salt": base64.b64encode(salt).decode("ascii"), "data": data})
        atomic_write_bytes(self.path, text.encode("utf-8"))  # mkstemp: 0600
        os.chmod(self.path, 0o600)
        _fsync_dir(self.path.parent)

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
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


def pkce_store(root: Path, oa_id: str, app_secret: str) -> SecretStore:
    """Where a PKCE login in progress keeps its code verifier: the same kind of store as the
    tokens (keyring user "zalo-pkce:<oa_id>", or the encrypted file secrets.zalo-pkce.enc)."""
    if keyring_usable():
        return KeyringStore(oa_id, "zalo-pkce")
    return FileStore(root / PKCE_FILE, app_secret)


def rotation_store(root: Path, oa_id: str, app_secret: str) -> SecretStore:
    """Where a token rotation under way is marked (keyring user "zalo-rotating:<oa_id>", or
    the encrypted file secrets.zalo-rotating.enc): apart from the tokens, so a marker never
    overwrites a pair another process stored meanwhile."""
    if keyring_usable():
        return KeyringStore(oa_id, "zalo-rotating")
    return FileStore(root / ROTATION_FILE, app_secret)


def fingerprint(token: str) -> str:
    """A short one-way digest of a token: which refresh token a rotation marker is about."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


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
    issued_at: datetime | None = None  # UTC, when Zalo issued the refresh token (None: unknown)

    def to_json(self) -> str:
        return json.dumps(
            {
                "refresh_token": self.refresh_token,
                "access_token": self.access_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            }
        )

    def refresh_expires_at(self) -> datetime | None:
        """When the refresh token lapses (UTC), if its issue time is known."""
        return self.issued_at + REFRESH_LIFETIME if self.issued_at else None

    @classmethod
    def from_json(cls, text: str) -> TokenPair:
        try:
            data = json.loads(text)
        except ValueError:  # a bare refresh token stored by hand in the keyring
            return cls(refresh_token=text.strip())
        expires, issued = data.get("expires_at"), data.get("issued_at")
        return cls(
            refresh_token=str(data["refresh_token"]),
            access_token=data.get("access_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            issued_at=datetime.fromisoformat(issued) if issued else None,
        )


#: Fingerprints of the refresh tokens this process is rotating right now (any thread).
_ROTATING: set[str] = set()
_ROTATING_LOCK = threading.Lock()


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
        marker: SecretStore | None = None,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.store = store
        #: Marks a rotation under way (`rotation_store`); None: rotations are not marked.
        self.marker = marker
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
        """A valid access token, refreshed when absent or close to expiry, or at once when an
        earlier rotation of the stored refresh token was cut short (its loss shows now, not
        when the access token lapses a day later)."""
        pair = self.pair or self.load()
        fresh = pair.expires_at is not None and pair.expires_at - self.clock() > REFRESH_AHEAD
        if pair.access_token and fresh and self.interrupted_rotation(pair) is None:
            return pair.access_token
        return self.refresh()

    def interrupted_rotation(self, pair: TokenPair) -> datetime | None:
        """When a rotation of `pair`'s refresh token began and never stored its outcome, else
        None: its marker is there and the process that wrote it is gone (or is this one, with
        no rotation running), or it is older than ROTATION_STALE."""
        if self.marker is None:
            return None
        try:
            raw = self.marker.get()
            data = json.loads(raw) if raw else None
            if not isinstance(data, dict) or data.get("token") != fingerprint(pair.refresh_token):
                return None
            began = datetime.fromisoformat(str(data["at"]))
            pid = int(data.get("pid") or 0)
        except (PermanentError, KeyError, TypeError, ValueError):
            return None
        if self.clock() - began > ROTATION_STALE:
            return began
        if pid == os.getpid():  # this process: cut short unless a thread of it rotates now
            with _ROTATING_LOCK:
                return None if data["token"] in _ROTATING else began
        return None if _running(pid) else began

    def _mark(self, refresh_token: str) -> None:
        if self.marker is not None:
            at = self.clock().isoformat(timespec="seconds")
            mark = {"token": fingerprint(refresh_token), "at": at, "pid": os.getpid()}
            self.marker.put(json.dumps(mark))

    def _unmark(self) -> None:
        if self.marker is not None:
            self.marker.clear()

    def refresh(self, *, rejected: str | None = None) -> str:
        """Rotate the pair at Zalo, store the new one, then return the new access token.

        `rejected` is an access token Zalo just refused: when the store already holds a newer
        one (another process refreshed), that one is used instead of rotating again.
        Raises PermanentError (refused: log in again) or TransientError (network, 5xx).
        """
        stored = self.load()
        if rejected is not None and stored.access_token and stored.access_token != rejected:
            return stored.access_token
        cut_short = self.interrupted_rotation(stored)
        try:
            answer = self._rotate(stored.refresh_token)
        except PermanentError as refused:
            # Another process may have rotated the single-use token meanwhile: use its result.
            again = self.load()
            if again.refresh_token == stored.refresh_token:
                if cut_short is not None:  # our own earlier rotation consumed it, then died
                    self._unmark()
                    raise self._lost(cut_short, refused) from None
                raise
            if again.access_token and again.expires_at and again.expires_at > self.clock():
                return again.access_token
            answer = self._rotate(again.refresh_token)
        assert answer.access_token is not None
        return answer.access_token

    def _rotate(self, refresh_token: str) -> TokenPair:
        """One rotation: mark it, ask Zalo, store the new pair the moment the answer is read
        (nothing else comes between), then drop the mark. A crash between Zalo's answer and
        the store's write (a few milliseconds) leaves the mark, and the next use says the
        token was lost and how to log in again. A network failure keeps the mark too: Zalo
        may have rotated the token without the answer arriving."""
        assert self.store is not None
        mark = fingerprint(refresh_token)
        with _ROTATING_LOCK:
            _ROTATING.add(mark)
        try:
            self._mark(refresh_token)
            prepare = getattr(self.store, "prepare", None)
            if prepare is not None:
                prepare()
            answer = self._post(refresh_token)  # refused: the caller decides
        finally:
            with _ROTATING_LOCK:
                _ROTATING.discard(mark)
        issued = self.clock()
        pair = TokenPair(
            refresh_token=str(answer["refresh_token"]),
            access_token=str(answer["access_token"]),
            expires_at=issued + timedelta(seconds=_seconds(answer.get("expires_in"))),
            issued_at=issued,
        )
        self.store.put(pair.to_json())  # durable before anything else, the token's use too
        self._unmark()
        return self._remember(pair)

    def _lost(self, began: datetime, refused: PermanentError) -> PermanentError:
        code = getattr(refused, "code", None)
        local = began.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC")
        return PermanentError(
            self._clean(
                T(
                    "rotation_lost",
                    when=local,
                    code=code if code is not None else "?",
                    oauth=self.oauth_url,
                    app=self.app_id,
                )
            ),
            code=code,
        )

    def exchange_code(self, code: str, code_verifier: str) -> TokenPair:
        """Trade an authorisation code (PKCE) for the OA's first pair and store it before use:
        POST /v4/oa/access_token, form code, app_id, grant_type=authorization_code,
        code_verifier. Raises PermanentError (refused) or TransientError (network)."""
        if self.app_secret is None or self.store is None:
            raise PermanentError(T("no_secret", app=self.app_id))
        self._seen.extend([code, code_verifier])
        answer = self._token_request(
            {
                "code": code,
                "app_id": self.app_id,
                "grant_type": "authorization_code",
                "code_verifier": code_verifier,
            },
            refused="code_refused",
        )
        issued = self.clock()
        pair = TokenPair(
            refresh_token=str(answer["refresh_token"]),
            access_token=str(answer["access_token"]),
            expires_at=issued + timedelta(seconds=_seconds(answer.get("expires_in"))),
            issued_at=issued,
        )
        self.store.put(pair.to_json())  # durable before the new access token is used
        self._unmark()  # a fresh login ends any rotation cut short
        return self._remember(pair)

    def _post(self, refresh_token: str) -> dict[str, Any]:
        self._seen.append(refresh_token)
        return self._token_request(
            {"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token},
            refused="refresh_refused",
        )

    def _token_request(self, form: dict[str, str], *, refused: str) -> dict[str, Any]:
        from loa.channels.http import CallFailed, request

        url = f"{self.oauth_url}/v4/oa/access_token"
        try:
            response = request(
                self.http,
                "POST",
                url,
                deadline_s=TOKEN_DEADLINE_S,
                headers={"secret_key": self.app_secret or ""},
                data=form,
            )
        except CallFailed as exc:
            if exc.kind == "connect":
                text = API("connect", url=self.oauth_url, error=exc.detail)
            elif exc.kind in ("timeout", "deadline"):
                text = API("deadline", seconds=f"{TOKEN_DEADLINE_S:g}")
            else:
                text = API(exc.kind, error=exc.detail)
            raise TransientError(self._clean(text)) from None
        if response.status_code >= 500:
            raise TransientError(API("server", status=response.status_code))
        try:
            body = response.json()
        except ValueError:
            raise TransientError(API("bad_answer", status=response.status_code)) from None
        if not isinstance(body, dict):
            raise TransientError(API("bad_answer", status=response.status_code))
        if body.get("access_token") and body.get("refresh_token"):
            return body
        code = body.get("error", response.status_code)
        detail = body.get("error_name") or body.get("error_description") or body.get("message")
        raise PermanentError(
            self._clean(T(refused, code=code, detail=str(detail or "")[:200])),
            code=as_int(code),
        )

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets())


def _running(pid: int) -> bool:
    """Whether a process with this id runs on this machine (not a zombie)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _seconds(value: Any) -> int:
    """Zalo's expires_in (a number, sometimes as text); a day and a bit when unreadable."""
    try:
        return int(str(value or "90000"))
    except ValueError:
        return 90000


def new_code_verifier() -> str:
    """A PKCE code verifier as the official SDK makes it: 32 random bytes, base64url, no '='."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def code_challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) without padding (PKCE S256, as Zalo's SDK computes it)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def parse_code(text: str) -> tuple[str, str | None]:
    """(code, state) from what the officer pasted: the bare code, or the whole address Zalo
    sent them back to (…?code=...&state=...&oa_id=...)."""
    from urllib.parse import parse_qs, urlsplit

    text = text.strip()
    if "code=" in text:
        query = parse_qs(urlsplit(text).query or text.split("?", 1)[-1])
        code = (query.get("code") or [""])[0].strip()
        states = query.get("state")
        return code, (states[0] if states else None)
    return text, None
