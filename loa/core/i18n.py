"""User-facing text in Vietnamese (default) and English: a small per-module message catalogue.

Each module keeps its own `Catalog` of `key -> (vietnamese, english)` so that areas of the code
never edit one shared file. The language is chosen by `LOA_LANG` (vi/en), else by the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG` starting with "en"), else Vietnamese.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

SUPPORTED = ("vi", "en")
_language: str | None = None


def detect_language(env: Mapping[str, str] | None = None) -> str:
    """Return "vi" or "en" from the environment (LOA_LANG first, then the locale)."""
    env = os.environ if env is None else env
    explicit = env.get("LOA_LANG", "").strip().lower()
    if explicit[:2] in SUPPORTED:
        return explicit[:2]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "vi"
    return "vi"


def language() -> str:
    """The language user text is produced in now."""
    global _language
    if _language is None:
        _language = detect_language()
    return _language


def set_language(lang: str) -> None:
    """Force the language ("vi" or "en"); used by tests and by a station's `language` setting."""
    global _language
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}")
    _language = lang


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
