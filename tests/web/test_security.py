"""The cookie-signing key and the language choice."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from loa.web.app import choose_language
from loa.web.security import KEY_FILE, Sessions, is_loopback, signing_key


def test_the_key_is_made_once_private_and_a_damaged_one_is_replaced(tmp_path: Path) -> None:
    key = signing_key(tmp_path)
    assert len(key) == 32 and signing_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    (tmp_path / KEY_FILE).write_text("", encoding="ascii")
    fresh = signing_key(tmp_path)
    assert len(fresh) == 32 and fresh != key
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_a_session_signed_with_another_key_is_refused(tmp_path: Path) -> None:
    mine, other = Sessions(b"a" * 32), Sessions(b"b" * 32)
    cookie = mine.dumps(7, "stamp", "key")
    assert mine.loads(cookie) == (7, "stamp", "key")
    assert other.loads(cookie) is None
    assert mine.loads("garbage") is None


def test_language_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's switch, else LOA_LANG, else the station's language (never the browser's)."""
    assert choose_language("", "vi") == "vi"
    assert choose_language("", "en") == "en"
    assert choose_language("en", "vi") == "en"
    assert choose_language("xx", "de") == "vi"
    monkeypatch.setenv("LOA_LANG", "en")
    assert choose_language("", "vi") == "en"
    assert choose_language("vi", "vi") == "vi"


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
