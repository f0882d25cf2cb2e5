"""Typed loa.toml sections: the base model, the [station] section, and errors people can act on.

Each layer declares the model of the section it owns (core: [station]; content: [speech];
planning: [scheduler]; audio: [audio]; channels: [channels] and, on each channel class,
[channels.<name>]; report: [report]) as a `SectionSettings` subclass, and reads it with
`station.settings(Model)`: validated once, cached on the Station. A bad value, a wrong type or an
unknown key becomes a UserError naming the section, the key and the value, in the user's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator
from pydantic_core import ErrorDetails

from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "bad_value": (
            "Giá trị [{section}] {key} = {value} trong loa.toml không hợp lệ: {why}.",
            "[{section}] {key} = {value} in loa.toml is not valid: {why}.",
        ),
        "unknown_key": (
            "Khoá [{section}] {key} = {value} trong loa.toml không có (gõ nhầm?). "
            "Các khoá hợp lệ: {valid}.",
            "[{section}] {key} = {value} in loa.toml is not a known setting (a typo?). "
            "Valid keys: {valid}.",
        ),
        "no_keys": ("mục này không có khoá nào", "this section has no keys"),
        "integer": ("cần một số nguyên", "a whole number is needed"),
        "number": ("cần một số", "a number is needed"),
        "boolean": ("cần true hoặc false", "true or false is needed"),
        "text": ('cần một chuỗi trong ngoặc kép, ví dụ "..."', "text in double quotes is needed"),
        "list": ('cần một danh sách, ví dụ ["a", "b"]', 'a list is needed, e.g. ["a", "b"]'),
        "table": (
            'cần một bảng khoá = giá trị, ví dụ { espeak = "vi" }',
            'a table of key = value is needed, e.g. { espeak = "vi" }',
        ),
        "range": ("cần nằm trong khoảng {lo} đến {hi}", "it must be between {lo} and {hi}"),
        "at_least": ("cần lớn hơn hoặc bằng {lo}", "it must be at least {lo}"),
        "at_most": ("cần nhỏ hơn hoặc bằng {hi}", "it must be at most {hi}"),
        "above": ("cần lớn hơn {lo}", "it must be more than {lo}"),
        "below": ("cần nhỏ hơn {hi}", "it must be less than {hi}"),
        "choice": ("cần là một trong: {choices}", "it must be one of: {choices}"),
        "unknown_section": (
            "Mục [{section}] trong loa.toml không được loa dùng tới (gõ nhầm?), nên bị bỏ qua. "
            "Các mục loa đọc: {valid}.",
            "The [{section}] table in loa.toml is not read by loa (a typo?) and is ignored. "
            "Tables loa reads: {valid}.",
        ),
        "timezone": (
            'cần một múi giờ, ví dụ "Asia/Ho_Chi_Minh"',
            'a timezone is needed, e.g. "Asia/Ho_Chi_Minh"',
        ),
    }
)

#: A whole number (TOML integer): 2.5, "4" and true are refused.
Integer = Annotated[int, Strict()]
#: A number (TOML integer or float): "bốn" and true are refused.
Number = Annotated[float, Strict()]
#: true or false: "yes", 1 and "true" are refused.
Flag = Annotated[bool, Strict()]
#: Text in double quotes: 42 and true are refused (not turned into "42").
Text = Annotated[str, Strict()]

#: The top-level tables of loa.toml that some layer reads. A layer adding a section adds its
#: name here, so that a misspelt table ([raido], [stations]) is pointed out when loa.toml is read.
KNOWN_SECTIONS = (
    "station",
    "speech",
    "scheduler",
    "planning",
    "audio",
    "radio",
    "channels",
    "report",
)

S = TypeVar("S", bound="SectionSettings")

_SECRET = re.compile(r"token|password|secret", re.IGNORECASE)


class _Hidden:
    def __str__(self) -> str:
        return "***"


_WHY: dict[str, str] = {
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "string_type": "text",
    "list_type": "list",
    "tuple_type": "list",
    "set_type": "list",
    "dict_type": "table",
    "model_type": "table",
    "model_attributes_type": "table",
}


class SectionSettings(BaseModel):
    """One table of loa.toml, validated: immutable, unknown keys refused.

    A subclass sets `section` (the dotted table name, e.g. "scheduler"), unless whoever reads it
    names the table (a channel's model is read from [channels.<name>]). Fields use `Integer`,
    `Number` and `Flag` so that "4", 2.5 or 1 are not silently taken for another type, and
    `Field(ge=..., le=...)` for ranges (the message then says "between lo and hi").
    """

    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)

    section: ClassVar[str] = ""


class StationSettings(SectionSettings):
    """[station]: the commune's name and place, its clock and language, where its data lives."""

    section: ClassVar[str] = "station"

    name: Text = ""
    province: Text = ""
    district: Text = ""
    timezone: Text = "Asia/Ho_Chi_Minh"
    language: Literal["vi", "en"] = "vi"
    media: Text = "media"
    database: Text = "loa.db"
    # PostgreSQL: this station's schema in a province database (`schema` in loa.toml)
    db_schema: Text = Field("", alias="schema")
    ident: Text = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(T("timezone")) from None
        return value


def unknown_sections(config: Mapping[str, Any]) -> list[str]:
    """One warning per top-level table (or key) of loa.toml that no layer reads."""
    valid = ", ".join(f"[{name}]" for name in KNOWN_SECTIONS)
    return [
        T("unknown_section", section=name, valid=valid)
        for name in config
        if name not in KNOWN_SECTIONS
    ]


def validate_section(
    model: type[S], data: Mapping[str, Any], section: str, *, station: Station | None = None
) -> S:
    """`data` (the [section] table of loa.toml) validated into `model`.

    Validators find `station` in their `info.context["station"]` (a default taken from another
    section, e.g. the bulletin intro from `[station] ident`). Raises UserError naming the
    section, each bad key, its value and what is expected (one line per problem). Validators
    may raise UserError themselves (e.g. a registry lookup listing the valid names); it passes
    through unchanged.
    """
    try:
        return model.model_validate(dict(data), context={"station": station})
    except ValidationError as exc:
        problems = [describe_error(error, model, data, section) for error in exc.errors()]
        raise UserError("\n".join(dict.fromkeys(problems))) from None


def describe_error(
    error: ErrorDetails, model: type[SectionSettings], data: Mapping[str, Any], section: str
) -> str:
    """One pydantic error as a sentence naming [section], the key, its value and what is needed."""
    path = [str(part) for part in error["loc"] if isinstance(part, str)]
    key = ".".join(path) or "?"
    value: Any = _lookup(data, path, error.get("input"))
    if _SECRET.search(key):  # a token typed into loa.toml is not echoed to the screen or logs
        value = _Hidden()
    if error["type"] == "extra_forbidden":
        valid = ", ".join(model.model_fields) or T("no_keys")
        return T("unknown_key", section=section, key=key, value=toml_value(value), valid=valid)
    return T("bad_value", section=section, key=key, value=toml_value(value), why=_why(error, model))


def _lookup(data: Mapping[str, Any], path: list[str], default: Any) -> Any:
    """The value at `path` in the raw table (a whole list for an error in one of its items)."""
    node: Any = data
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def _why(error: ErrorDetails, model: type[SectionSettings]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _WHY:
        return T(_WHY[kind])
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"]).rstrip(".")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _bounds(model, error["loc"])
        if lo is not None and hi is not None:
            return T("range", lo=_number(lo), hi=_number(hi))
        if "ge" in ctx:
            return T("at_least", lo=_number(ctx["ge"]))
        if "le" in ctx:
            return T("at_most", hi=_number(ctx["le"]))
        if "gt" in ctx:
            return T("above", lo=_number(ctx["gt"]))
        if "lt" in ctx:
            return T("below", hi=_number(ctx["lt"]))
    if kind in ("literal_error", "enum") and "expected" in ctx:
        choices = re.findall(r"'([^']*)'", str(ctx["expected"]))
        return T("choice", choices=", ".join(toml_value(c) for c in choices))
    return str(error["msg"]).rstrip(".")


def _bounds(model: type[SectionSettings], loc: tuple[int | str, ...]) -> tuple[Any, Any]:
    """(low, high) declared on the top-level field named by `loc` (None where there is none)."""
    field = model.model_fields.get(str(loc[0])) if loc else None
    lo = hi = None
    for rule in field.metadata if field is not None else ():
        if isinstance(rule, annotated_types.Ge | annotated_types.Gt):
            lo = rule.ge if isinstance(rule, annotated_types.Ge) else rule.gt
        if isinstance(rule, annotated_types.Le | annotated_types.Lt):
            hi = rule.le if isinstance(rule, annotated_types.Le) else rule.lt
    return lo, hi


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def toml_value(value: Any) -> str:
    """`value` written the way loa.toml writes it: "text", true, 4, 2.5, ["a", "b"]."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return str(value)
