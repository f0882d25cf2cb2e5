"""The abbreviation dictionary: the built-in government list, merged with a station's own file.

File format (UTF-8, the built-in `abbreviations.tsv` uses the same): one entry a line,
`ABBREVIATION<TAB>spoken form[<TAB>kind]`; blank lines and lines starting with # are ignored.
An officer who cannot type a tab may write `ABBREVIATION = spoken form` instead. `kind` is empty,
`type` (a document-type code such as NQ: expanded in running text, left out of "76/NQ-CP") or
`code` (an issuer such as TU that is only expanded inside a document number). A key written all
in lowercase ("v/v") matches in any case; other keys match exactly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.content.settings import SpeechSettings
from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "bad_line": (
            "Tệp từ điển {path}, dòng {line}: {why}. Mỗi dòng phải có dạng "
            '"VIẾT TẮT<TAB>cách đọc" (hoặc "VIẾT TẮT = cách đọc"); dòng bắt đầu bằng # là ghi chú.',
            "Dictionary file {path}, line {line}: {why}. Each line must be "
            '"ABBREVIATION<TAB>spoken form" (or "ABBREVIATION = spoken form"); lines starting with # are comments.',
        ),
        "no_sep": (
            "thiếu dấu TAB hoặc dấu = giữa từ viết tắt và cách đọc",
            "no TAB or = between the abbreviation and its spoken form",
        ),
        "empty_key": ("thiếu từ viết tắt", "the abbreviation is empty"),
        "empty_spoken": ('thiếu cách đọc cho "{key}"', 'the spoken form of "{key}" is empty'),
        "bad_kind": (
            'loại "{kind}" không hợp lệ (chỉ dùng: type, code hoặc để trống)',
            'kind "{kind}" is not valid (use type, code or leave it empty)',
        ),
        "too_many": ("có quá ba cột", "more than three columns"),
        "spoken_digits": (
            'cách đọc của "{key}" có chữ số; hãy viết số bằng chữ',
            'the spoken form of "{key}" contains digits; write numbers in words',
        ),
        "not_utf8": (
            "tệp không phải UTF-8 (lưu lại tệp với mã hóa UTF-8)",
            "the file is not UTF-8 (save it again as UTF-8)",
        ),
        "missing": (
            "Không tìm thấy tệp từ điển {path} (khai báo ở [speech] dictionary trong loa.toml). "
            "Tạo tệp đó hoặc sửa đường dẫn.",
            "Dictionary file {path} not found (set in [speech] dictionary in loa.toml). "
            "Create it or fix the path.",
        ),
    }
)

KINDS = ("", "type", "code")
_STATION_CACHE: dict[tuple[str, int, int], Dictionary] = {}
DEFAULT_FILE = "tu-dien.tsv"


@dataclass(frozen=True)
class Entry:
    """One abbreviation: `key` as written, its `spoken` form, and its `kind` ("", "type", "code")."""

    key: str
    spoken: str
    kind: str = ""


class Dictionary:
    """Abbreviations to spoken forms. Immutable; `merged` gives a new one with overrides."""

    def __init__(self, entries: Iterable[Entry] = (), overrides: Iterable[str] = ()) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            self.entries[entry.key] = entry
        # Keys a station added or changed (`merged`): the normaliser matches these before any
        # of its own rules, so a station can correct whatever the rules would have said.
        self.overrides: frozenset[str] = frozenset(overrides)
        self._folded: dict[str, Entry] = {
            key.casefold(): entry for key, entry in self.entries.items() if key == key.lower()
        }
        self.cache: dict[str, Any] = {}  # compiled patterns built from this dictionary

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get(self, token: str) -> Entry | None:
        """The entry for `token` (exact, or case-insensitive for all-lowercase keys)."""
        entry = self.entries.get(token)
        if entry is None and self._folded:
            entry = self._folded.get(token.casefold())
        return entry

    def merged(self, overrides: Dictionary | Mapping[str, Entry]) -> Dictionary:
        """A new dictionary: these entries, then `overrides` replacing or adding."""
        extra = overrides.entries if isinstance(overrides, Dictionary) else overrides
        return Dictionary([*self.entries.values(), *extra.values()], {*self.overrides, *extra})

    def __repr__(self) -> str:
        return f"Dictionary({len(self)} entries)"


def parse_dictionary(text: str, source: str) -> Dictionary:
    """Parse dictionary text; `source` names the file in errors. Raises UserError on a bad line."""
    entries: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFC", raw).lstrip("\ufeff").strip(" \r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue

        def bad(reason: str, **values: object) -> UserError:
            why = T(reason, **values)
            return UserError(T("bad_line", path=source, line=number, why=why))  # noqa: B023

        if "\t" in line:
            parts = [part.strip() for part in line.split("\t")]
        elif "=" in line:
            parts = [part.strip() for part in line.split("=", 1)]
        else:
            raise bad("no_sep")
        if len(parts) > 3:
            raise bad("too_many")
        key, spoken = parts[0], parts[1]
        kind = parts[2].lower() if len(parts) == 3 else ""
        if not key:
            raise bad("empty_key")
        if not spoken:
            raise bad("empty_spoken", key=key)
        if any(ch.isdigit() for ch in spoken):
            raise bad("spoken_digits", key=key)
        if kind not in KINDS:
            raise bad("bad_kind", kind=kind)
        entries.append(Entry(key, " ".join(spoken.split()), kind))
    return Dictionary(entries)


def load_dictionary(path: Path) -> Dictionary:
    """Read a station dictionary file. Raises UserError naming the file and line of a bad line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(T("bad_line", path=path, line=1, why=T("not_utf8"))) from None
    return parse_dictionary(text, str(path))


@cache
def builtin_dictionary() -> Dictionary:
    """The built-in dictionary of government abbreviations (loaded once)."""
    text = resources.files(__package__).joinpath("abbreviations.tsv").read_text(encoding="utf-8")
    return parse_dictionary(text, "abbreviations.tsv")


def station_dictionary(station: Station) -> Dictionary:
    """The built-in dictionary merged with the station's own file.

    The file is `[speech] dictionary` in loa.toml (relative to the station folder), else
    `tu-dien.tsv` in the station folder if it exists. Raises UserError if a configured file is
    missing or any file has a bad line.
    """
    configured = station.settings(SpeechSettings).dictionary
    path = Path(configured) if configured else Path(DEFAULT_FILE)
    if not path.is_absolute():
        path = Path(station.root) / path
    if not path.is_file():
        if configured:
            raise UserError(T("missing", path=path))
        return builtin_dictionary()
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    cached = _STATION_CACHE.get(key)
    if cached is None:  # same file unchanged: reuse it and its compiled patterns
        cached = builtin_dictionary().merged(load_dictionary(path))
        if len(_STATION_CACHE) > 16:
            _STATION_CACHE.clear()
        _STATION_CACHE[key] = cached
    return cached
