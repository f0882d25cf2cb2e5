"""The dashboard's secrets and cookies: the signing key, the session cookie, the CSRF token."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import RedirectResponse

SESSION_COOKIE = "loa_session"
CSRF_COOKIE = "loa_csrf"
#: The language a user switched to in the page ("vi" or "en").
LANG_COOKIE = "loa_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_HOURS = 12
KEY_FILE = "web-secret.key"


def _read_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return None
    return key if len(key) >= 32 else None


def signing_key(root: Path) -> bytes:
    """The station's cookie-signing key (station folder, readable by its owner only), made on
    first use. Two processes starting at once agree (the file is created exclusively); a file
    left empty or damaged by a crash is replaced, never used as a weak key."""
    from loa.core.fileio import atomic_write_text

    path = root / KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    fresh = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = _read_key(path)
        if key is not None:
            return key
        atomic_write_text(path, fresh.hex())  # damaged: replace it whole
        os.chmod(path, 0o600)
        return fresh
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(fresh.hex())
    return fresh


class Sessions:
    """Signs and reads the session cookie: {"u": user id, "s": password stamp, "k": the
    session's key (its row in web_sessions: a logout deletes it)}."""

    def __init__(self, key: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="loa-session")

    def dumps(self, user_id: int, stamp: str, key: str) -> str:
        return self._serializer.dumps({"u": user_id, "s": stamp, "k": key})

    def loads(self, value: str) -> tuple[int, str, str] | None:
        try:
            data: Any = self._serializer.loads(value, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return None
        if not isinstance(data.get("k"), str) or not data["k"]:
            return None  # a cookie from before sessions were kept: log in again
        return int(data["u"]), str(data.get("s", "")), data["k"]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def is_loopback(host: str) -> bool:
    """True for an address or name that only this machine can reach."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def trusted_proxies(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The reverse proxies whose X-Forwarded-For is believed (LOA_WEB_PROXIES: addresses or
    networks, comma separated). Empty: none, the connection's own address is the client's."""
    found = []
    for part in value.split(","):
        if part.strip():
            try:
                found.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                continue
    return tuple(found)


def forwarded_client(
    peer: str, header: str, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> str:
    """The client's address: `peer` unless it is a trusted proxy, then the last address in
    X-Forwarded-For that is not itself a trusted proxy (what a client writes first is not
    believed: it can write anything)."""

    def trusted(address: str) -> bool:
        try:
            found = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
        return any(found in network for network in proxies)

    if not proxies or not header or not trusted(peer):
        return peer
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop.strip("[]")))
            except ValueError:
                return peer
    return hops[0] if hops else peer


def safe_next(target: str | None) -> str:
    """Only a path on this site (never "//host" or "https://...") is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def language_redirect(next_url: str, lang: str, *, secure: bool) -> RedirectResponse:
    """The language switch's answer: back to `next_url` (a path on this site), the choice
    kept for a year in LANG_COOKIE (it wins over the station's language)."""
    from loa.core.i18n import SUPPORTED

    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        lang if lang in SUPPORTED else "vi",
        max_age=365 * 86400,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure,
    )
    return response
