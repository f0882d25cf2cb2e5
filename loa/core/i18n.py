"""User-facing text in Vietnamese (default) and English: a small per-module message catalogue.

Each module keeps its own `Catalog` of `key -> (vietnamese, english)` so that areas of the code
never edit one shared file. The language is chosen by `LOA_LANG` (vi/en), else by the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG` starting with "en"), else Vietnamese.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

SUPPORTED = ("vi", "en")
_language: str | None = None
# A web request's language (from Accept-Language), set for the duration of that request only.
_request_language: ContextVar[str | None] = ContextVar("loa_request_language", default=None)


def detect_language(env: Mapping[str, str] | None = None) -> str:
    """Return "vi" or "en" from the environment (LOA_LANG first, then the locale)."""
    env = os.environ if env is None else env
    explicit = env.get("LOA_LANG", "").strip().lower()
    if explicit[:2] in SUPPORTED:
        return explicit[:2]
    return locale_language(env)


def locale_language(env: Mapping[str, str] | None = None) -> str:
    """ "en" when the locale (LC_ALL, LC_MESSAGES, LANG) is English, else "vi"."""
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def explicit_language(env: Mapping[str, str] | None = None) -> str | None:
    """The language LOA_LANG asks for ("vi"/"en"), or None when it is unset or not one of them."""
    env = os.environ if env is None else env
    explicit = env.get("LOA_LANG", "").strip().lower()
    return explicit[:2] if explicit[:2] in SUPPORTED else None


def unsupported_language(env: Mapping[str, str] | None = None) -> str | None:
    """LOA_LANG's value when it is set to something loa does not speak (e.g. "xx"), else None."""
    env = os.environ if env is None else env
    value = env.get("LOA_LANG", "").strip()
    return value if value and explicit_language(env) is None else None


def language() -> str:
    """The language user text is produced in now (a web request's own language first)."""
    global _language
    asked = _request_language.get()
    if asked is not None:
        return asked
    if _language is None:
        _language = detect_language()
    return _language


def set_language(lang: str) -> None:
    """Force the language ("vi" or "en"); used by tests and by a station's `language` setting."""
    global _language
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}")
    _language = lang


@contextmanager
def request_language(lang: str) -> Iterator[None]:
    """Produce user text in `lang` inside this block only (one web request), whatever the
    process-wide language is."""
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}")
    token = _request_language.set(lang)
    try:
        yield
    finally:
        _request_language.reset(token)


class Catalog:
    """A module's user-facing strings: `T = Catalog({"key": ("tiếng Việt", "English")})`."""

    def __init__(self, entries: Mapping[str, tuple[str, str]]) -> None:
        self.entries = dict(entries)

    def __call__(self, key: str, /, **values: object) -> str:
        vi, en = self.entries[key]
        text = en if language() == "en" else vi
        return text.format(**values) if values else text

    def keys(self) -> list[str]:
        return list(self.entries)


def decimal(value: float, digits: int = 1) -> str:
    """`value` with `digits` decimals in the user's language: "0,12" in Vietnamese (thousands
    with "."), "0.12" in English (thousands with ",")."""
    text = f"{value:,.{digits}f}"
    if language() == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
