"""Export messages to CSV (UTF-8 with BOM, as Excel likes) or YAML that `import` reads back."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from loa.content.models import Message

EXPORT_FIELDS = (
    "title",
    "body",
    "topic",
    "audiences",
    "source_document",
    "valid_from",
    "valid_until",
    "priority",
    "airings_per_week",
    "channels",
    "radio_script",
    "post_text",
    "image",
    "link",
)


def _row(message: Message) -> dict[str, Any]:
    data = message.to_dict()
    return {f: data[f] for f in EXPORT_FIELDS}


def to_csv(messages: Sequence[Message]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for message in messages:
        row = _row(message)
        row["audiences"] = "; ".join(row["audiences"])
        row["channels"] = "; ".join(row["channels"])
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return "\ufeff" + buffer.getvalue()


def to_yaml(messages: Sequence[Message]) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    rows = [{k: v for k, v in _row(m).items() if v not in (None, "")} for m in messages]
    return str(
        yaml.dump(
            {"messages": rows}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
        )
    )
