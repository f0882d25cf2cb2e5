"""Logging a station in to its Zalo OA: the first refresh token (`login`), or a PKCE login for an
officer who has none (`login_url`, then `login_with_code`). `loa channels zalo login` calls these
(loa.channels.zalo_commands)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from loa.channels.base import PermanentError, not_configured
from loa.channels.settings import channel_settings
from loa.channels.zalo import ZaloChannel
from loa.channels.zalo_settings import ZaloSettings
from loa.channels.zalo_tokens import T as TOK
from loa.channels.zalo_tokens import (
    TokenPair,
    code_challenge,
    find_app_secret,
    new_code_verifier,
    parse_code,
    pkce_store,
)
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "no_oa": (
            "thiếu oa_id hoặc app_id trong mục [channels.zalo] của loa.toml. Lấy mã OA và mã ứng "
            'dụng ở developers.zalo.me rồi ghi: oa_id = "..." và app_id = "...".',
            "oa_id or app_id is missing from [channels.zalo] in loa.toml. Find the OA id and the "
            'app id at developers.zalo.me and write: oa_id = "..." and app_id = "...".',
        ),
        "login_done": (
            "Đã lưu refresh token của OA {oa} ({where}); mã truy cập còn hạn đến {when}.",
            "Stored the refresh token of OA {oa} ({where}); the access token is valid until "
            "{when}.",
        ),
        "no_redirect": (
            "Thiếu redirect_uri trong [channels.zalo] của loa.toml: ghi địa chỉ callback đã "
            'đăng ký cho ứng dụng ở developers.zalo.me, ví dụ redirect_uri = "https://...".',
            "redirect_uri is missing from [channels.zalo] in loa.toml: write the callback "
            'address registered for the app at developers.zalo.me, e.g. redirect_uri = "https://...".',
        ),
        "no_verifier": (
            "Chưa có phiên uỷ quyền nào đang chờ (không thấy code_verifier). Chạy trước: loa "
            "channels zalo login --url, mở địa chỉ đó, uỷ quyền, rồi dán mã (code) nhận được.",
            "No authorisation is waiting (no code_verifier stored). First run loa channels zalo "
            "login --url, open that address, authorise, then paste the code you get back.",
        ),
        "bad_state": (
            "Mã state trong địa chỉ trả về không khớp phiên uỷ quyền đã tạo; có thể là địa chỉ cũ "
            "hoặc giả. Chạy lại: loa channels zalo login --url.",
            "The state in the returned address does not match the authorisation that was "
            "started; it may be old or forged. Run loa channels zalo login --url again.",
        ),
        "login_url": (
            "Quản trị viên OA mở địa chỉ sau, đăng nhập Zalo và đồng ý cấp quyền cho ứng dụng. "
            "Zalo chuyển về {redirect} kèm code=...; chạy: loa channels zalo login --code rồi dán "
            "mã đó (hoặc cả địa chỉ). Mã chỉ có hiệu lực vài phút.",
            "An OA admin opens this address, logs in to Zalo and grants the app its permissions. "
            "Zalo returns to {redirect} with code=...; run loa channels zalo login --code and "
            "paste that code (or the whole address). The code is valid for a few minutes.",
        ),
    }
)


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
            raise PermanentError(TOK("no_secret", app=channel.settings.app_id))
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


def login_url(
    station: Station, *, env: Mapping[str, str] | None = None, redirect_uri: str | None = None
) -> tuple[str, str]:
    """Start a PKCE login for an officer who has no refresh token: a new code verifier and
    state are kept in the secret store, and the v4 permission address is returned with the
    sentence that explains it: (url, explanation).

    https://oauth.zaloapp.com/v4/oa/permission?app_id=..&redirect_uri=..&code_challenge=..&state=..
    Raises UserError (not configured), PermanentError (no app secret, no redirect_uri).
    """
    from urllib.parse import urlencode

    settings = channel_settings(station, ZaloChannel.name, ZaloSettings)
    if not settings.oa_id or not settings.app_id:
        raise not_configured(ZaloChannel.name, T("no_oa"))
    redirect = (redirect_uri or settings.redirect_uri).strip()
    if not redirect:
        raise PermanentError(T("no_redirect"))
    env = os.environ if env is None else env
    secret = find_app_secret(settings.app_id, env)
    if not secret:
        raise PermanentError(TOK("no_secret", app=settings.app_id))
    verifier, state = new_code_verifier(), secrets.token_urlsafe(16)
    pkce_store(station.root, settings.oa_id, secret).put(
        json.dumps({"code_verifier": verifier, "state": state, "redirect_uri": redirect})
    )
    query = urlencode(
        {
            "app_id": settings.app_id,
            "redirect_uri": redirect,
            "code_challenge": code_challenge(verifier),
            "state": state,
        }
    )
    url = f"{settings.oauth_url.rstrip('/')}/v4/oa/permission?{query}"
    return url, T("login_url", redirect=redirect)


def login_with_code(
    station: Station,
    code: str,
    *,
    http: Any = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Finish a PKCE login: exchange the authorisation code (or the pasted return address)
    with the stored code verifier, store the OA's first pair, forget the verifier.

    Returns a sentence for the officer. Raises UserError (not configured), PermanentError
    (no login started, a state that does not match, a refused code), TransientError (network).
    """
    channel = ZaloChannel.from_station(station, http=http, env=env)
    tokens = channel.tokens
    try:
        if tokens.app_secret is None or tokens.store is None:
            raise PermanentError(TOK("no_secret", app=channel.settings.app_id))
        waiting = pkce_store(station.root, channel.settings.oa_id, tokens.app_secret)
        raw = waiting.get()
        try:
            started = json.loads(raw) if raw else None
            verifier = str(started["code_verifier"]) if started else ""
        except (ValueError, KeyError, TypeError):
            verifier = ""
        if not verifier or not isinstance(started, dict):
            raise PermanentError(T("no_verifier"))
        value, state = parse_code(code)
        if not value:
            raise PermanentError(T("no_verifier"))
        if state is not None and state != started.get("state"):
            raise PermanentError(T("bad_state"))
        _ = channel.client  # the client lends its HTTP client to the token manager
        pair = tokens.exchange_code(value, verifier)
        waiting.clear()  # a code works once: the verifier is of no further use
        return _login_done(channel, pair)
    finally:
        channel.close()


def _login_done(channel: ZaloChannel, pair: TokenPair) -> str:
    from zoneinfo import ZoneInfo

    expires = pair.expires_at
    when = (
        expires.astimezone(ZoneInfo(channel.timezone)).strftime("%d/%m/%Y %H:%M")
        if expires
        else "?"
    )
    assert channel.tokens.store is not None
    return T("login_done", oa=channel.settings.oa_id, where=channel.tokens.store.where(), when=when)
