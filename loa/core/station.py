"""A station: the folder holding loa.toml, the SQLite database and the media folder."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from loa.core.errors import StationNotFound, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.settings import SectionSettings, StationSettings

S = TypeVar("S", bound="SectionSettings")

CONFIG_NAME = "loa.toml"
TEMPLATE = Path(__file__).with_name("station_template.toml")
#: The same loa.toml with its comments in Vietnamese (what a commune officer reads).
TEMPLATE_VI = Path(__file__).with_name("station_template.vi.toml")

T = Catalog(
    {
        "not_found": (
            "Không tìm thấy đài (thư mục có tệp loa.toml) ở {where}. "
            'Tạo đài mới bằng: loa init THƯ_MỤC --name "Xã ..." '
            "hoặc chỉ rõ đài bằng --station THƯ_MỤC hay biến môi trường LOA_STATION.",
            "No station (a folder with loa.toml) found at {where}. "
            'Create one with: loa init DIR --name "Xã ..." '
            "or point to it with --station DIR or the LOA_STATION environment variable.",
        ),
        "bad_toml": (
            "Tệp cấu hình {path} bị lỗi: {error}. Hãy sửa dòng đó rồi chạy lại.",
            "The configuration file {path} is malformed: {error}. Fix that line and run again.",
        ),
        "toml_at": ("{what} ở dòng {line}, cột {column}", "{what} at line {line}, column {column}"),
        "toml_end": ("{what} ở cuối tệp", "{what} at the end of the file"),
        "toml_syntax": ("sai cú pháp TOML", "invalid TOML syntax"),
        "toml_value": (
            'giá trị không hợp lệ (chuỗi cần ngoặc kép, ví dụ name = "Xã ...")',
            'an invalid value (text needs double quotes, e.g. name = "Xã ...")',
        ),
        "toml_statement": (
            "dòng không phải khoá = giá trị hay [mục]",
            "a line that is neither key = value nor a [section]",
        ),
        "toml_equals": ("thiếu dấu = sau tên khoá", "a missing = after the key"),
        "toml_twice": (
            "một khoá hoặc mục được khai báo hai lần",
            "a key or section declared twice",
        ),
        "toml_string": ("chuỗi thiếu dấu ngoặc kép đóng", "a string without its closing quote"),
        "toml_array": ("danh sách thiếu dấu ] đóng", "a list without its closing ]"),
        "toml_table": ("tên mục thiếu dấu ] đóng", "a section name without its closing ]"),
        "toml_inline": ("bảng thiếu dấu } đóng", "a table without its closing }"),
        "toml_char": ("ký tự không được phép", "a character that is not allowed"),
        "toml_date": ("ngày giờ không hợp lệ", "an invalid date or time"),
        "toml_newline": (
            "còn nội dung sau giá trị (mỗi khoá một dòng)",
            "something after the value (one key per line)",
        ),
        "unreadable": (
            "Không đọc được tệp cấu hình {path}: không có quyền đọc. Kiểm tra quyền "
            "(ls -l {path}); chủ đài sửa bằng: chmod 644 {path}, hoặc chạy bằng tài khoản "
            "sở hữu đài.",
            "Cannot read the configuration file {path}: permission denied. Check its "
            "permissions (ls -l {path}); the owner can fix it with chmod 644 {path}, or run "
            "as the account that owns the station.",
        ),
        "unreadable_os": (
            "Không đọc được tệp cấu hình {path}: {reason}.",
            "Cannot read the configuration file {path}: {reason}.",
        ),
        "binary_toml": (
            "Tệp cấu hình {path} không phải văn bản UTF-8 (byte lạ ở vị trí {offset}): tệp bị "
            "hỏng hoặc bị ghi đè bằng dữ liệu khác. Khôi phục loa.toml từ bản sao lưu, hoặc "
            "lưu lại tệp bằng trình soạn thảo với mã UTF-8.",
            "The configuration file {path} is not UTF-8 text (an unexpected byte at offset "
            "{offset}): it is damaged or was overwritten. Restore loa.toml from a backup, or "
            "save it again as UTF-8 in a text editor.",
        ),
        "empty_toml": (
            "Tệp cấu hình {path} trống (có thể bị cắt cụt khi đang ghi). Khôi phục loa.toml từ "
            'bản sao lưu, hoặc viết lại ít nhất mục [station] với name = "Xã ...".',
            "The configuration file {path} is empty (perhaps cut short while being written). "
            "Restore loa.toml from a backup, or write at least a [station] section with "
            'name = "Xã ...".',
        ),
        "exists": (
            "Thư mục {path} đã là một đài (có loa.toml). Chọn thư mục khác hoặc dùng đài đó.",
            "{path} already holds a station (loa.toml). Choose another folder or use that station.",
        ),
        "media_not_dir": (
            'Mục [station] media = "{value}" trong loa.toml chỉ tới tệp {path}, không phải thư '
            'mục. Sửa thành tên một thư mục, ví dụ media = "media".',
            '[station] media = "{value}" in loa.toml points at the file {path}, not a folder. '
            'Set it to a folder, e.g. media = "media".',
        ),
        "cwd": ("thư mục hiện tại và các thư mục cha", "the current folder and its parents"),
    }
)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Station:
    """An opened station. `config` is loa.toml as a dict; read a part of it through
    `settings(Model)` (typed, validated once), not through the raw `section(...)`."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    _settings: dict[tuple[str, type[Any]], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "config":  # a new loa.toml: what was read from the old one no longer holds
            self.__dict__["_settings"] = {}

    @classmethod
    def load(cls, root: Path) -> Station:
        path = root / CONFIG_NAME
        config = read_config(path)
        station = cls(root=root.resolve(), config=config)
        station._own_settings()  # a bad [station] (e.g. its timezone) is refused at once
        media = station.media_dir
        if media.exists() and not media.is_dir():
            raise UserError(T("media_not_dir", path=media, value=station._own_settings().media))
        return station

    @property
    def warnings(self) -> list[str]:
        """What is odd in loa.toml but not fatal (a table no layer reads), one sentence each."""
        from loa.core.settings import unknown_sections

        return unknown_sections(self.config)

    def section(self, dotted: str) -> dict[str, Any]:
        """The raw table at `dotted` ({} when absent). Code reads `settings(Model)` instead."""
        node: Any = self.config
        for part in dotted.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    def settings(self, model: type[S], section: str | None = None) -> S:
        """The loa.toml table `section` (default `model.section`) validated into `model`.

        Validated the first time it is asked for, then cached on the station (until `config`
        is replaced). Raises UserError naming the section, key and value of a bad setting.
        """
        from loa.core.settings import validate_section

        name = section or model.section
        if not name:
            raise ValueError(f"{model.__name__} names no loa.toml section")
        key = (name, model)
        if key not in self._settings:
            self._settings[key] = validate_section(model, self.section(name), name, station=self)
        return cast(S, self._settings[key])

    def _own_settings(self) -> StationSettings:
        """[station], validated."""
        from loa.core.settings import StationSettings

        return self.settings(StationSettings)

    @property
    def name(self) -> str:
        return self._own_settings().name or self.root.name

    @property
    def timezone(self) -> str:
        return self._own_settings().timezone

    @property
    def language(self) -> str:
        return self._own_settings().language

    @property
    def media_dir(self) -> Path:
        return self.root / self._own_settings().media

    @property
    def db_url(self) -> str:
        """The database: LOA_DATABASE_URL when set, else [station] database (a file in the
        station folder, or a full URL such as postgresql://loa@db.tinh.local/loa)."""
        db = os.environ.get("LOA_DATABASE_URL") or self._own_settings().database
        return db if "://" in db else f"sqlite:///{self.root / db}"

    @property
    def db_schema(self) -> str | None:
        """The station's PostgreSQL schema (LOA_DATABASE_SCHEMA, else [station] schema); None
        for SQLite or a database of its own."""
        return os.environ.get("LOA_DATABASE_SCHEMA") or self._own_settings().db_schema or None

    @cached_property
    def engine(self) -> Engine:
        """The database, schema up to date. Raises UserError when it is missing, empty, not a
        database or from a newer loa (see `loa.core.db.open_database`)."""
        from loa.core.db import open_database

        return open_database(self.db_url, schema=self.db_schema)

    def create_database(self) -> Engine:
        """Make the station's database at the newest schema (`loa init` only)."""
        from loa.core.db import open_database

        engine = open_database(self.db_url, create=True, schema=self.db_schema)
        self.__dict__["engine"] = engine
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from loa.core.db import session_factory

        return session_factory(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success, rolled back entirely on error."""
        from loa.core.db import transaction

        with transaction(self.sessions) as session:
            yield session

    def now(self) -> datetime:
        """The station's wall-clock time now (naive, in the station's timezone)."""
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(self.timezone)).replace(tzinfo=None)


def read_config(path: Path) -> dict[str, Any]:
    """loa.toml at `path` as a dict. Raises UserError naming the file and what to do when it
    cannot be read, is not UTF-8 text, is empty, or is not valid TOML (line and column)."""
    from loa.core.fileio import os_error_reason

    try:
        data = path.read_bytes()
    except PermissionError:
        raise UserError(T("unreadable", path=path)) from None
    except OSError as exc:
        raise UserError(T("unreadable_os", path=path, reason=os_error_reason(exc, path))) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(T("binary_toml", path=path, offset=exc.start)) from None
    if "\x00" in text:
        raise UserError(T("binary_toml", path=path, offset=text.index("\x00")))
    if not text.strip():
        raise UserError(T("empty_toml", path=path))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(T("bad_toml", path=path, error=toml_problem(exc))) from None


_TOML_WHAT = (
    ("Invalid value", "toml_value"),
    ("Invalid statement", "toml_statement"),
    ("Expected '=' after a key", "toml_equals"),
    ("Cannot overwrite", "toml_twice"),
    ("Cannot declare", "toml_twice"),
    ("Cannot redefine", "toml_twice"),
    ("Duplicate", "toml_twice"),
    ("Unterminated string", "toml_string"),
    ("Unclosed array", "toml_array"),
    ("Expected ']", "toml_table"),
    ("Unclosed inline table", "toml_inline"),
    ("Illegal character", "toml_char"),
    ("Found invalid character", "toml_char"),
    ("Invalid initial character", "toml_char"),
    ("Invalid date", "toml_date"),
    ("Expected newline or end of document", "toml_newline"),
)


def toml_problem(exc: Exception) -> str:
    """A TOML syntax error (tomllib's English message) said in the user's language, with its
    line and column."""
    import re

    text = str(exc)
    what = T("toml_syntax")
    for start, key in _TOML_WHAT:
        if text.startswith(start):
            what = T(key)
            break
    place = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if place:
        return T("toml_at", what=what, line=place.group(1), column=place.group(2))
    if "end of document" in text:
        return T("toml_end", what=what)
    return what


def find_station(
    explicit: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Station:
    """Find the station: --station DIR, then LOA_STATION, then walking up from the current folder.

    Raises StationNotFound (a UserError) saying how to make one.
    """
    env = os.environ if env is None else env
    if explicit is None and env.get("LOA_STATION"):
        explicit = Path(env["LOA_STATION"])
    if explicit is not None:
        if (explicit / CONFIG_NAME).is_file():
            return Station.load(explicit)
        raise StationNotFound(T("not_found", where=explicit))
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return Station.load(folder)
    raise StationNotFound(T("not_found", where=T("cwd")))


def create_station(root: Path, text: str) -> Station:
    """A station at `root` from the loa.toml `text`: its media folder and database (schema up to
    date). loa.toml itself is not written: the caller writes it last, once everything succeeded.
    Raises UserError if the folder already holds a station."""
    root = root.resolve()
    if (root / CONFIG_NAME).exists():
        raise UserError(T("exists", path=root))
    root.mkdir(parents=True, exist_ok=True)
    station = Station(root=root, config=tomllib.loads(text))
    station.media_dir.mkdir(parents=True, exist_ok=True)
    station.create_database()
    return station


def station_toml(name: str, *, province: str = "", district: str = "", language: str = "vi") -> str:
    """The loa.toml of a new station, from the commented template: comments in Vietnamese, or
    in English for a station whose language is "en"."""
    from loa.core.i18n import language as speaking

    template = TEMPLATE if "en" in (language, speaking()) else TEMPLATE_VI
    return Template(template.read_text(encoding="utf-8")).substitute(
        name=_toml_str(name),
        province=_toml_str(province),
        district=_toml_str(district),
        language=_toml_str(language),
        ident=_toml_str(f"Đài truyền thanh {name} xin thông báo."),
    )
