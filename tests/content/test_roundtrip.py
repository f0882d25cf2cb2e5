"""export -> import gives back the same messages (property test)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loa.content.exporter import EXPORT_FIELDS, to_csv, to_yaml
from loa.content.importer import import_file
from loa.content.queue import create
from loa.content.taxonomy import BUILTIN_AUDIENCES, BUILTIN_TOPICS
from loa.core.registry import channel_names
from loa.core.station import Station

VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ,.;:-/%()\"'"
text = st.text(alphabet=VI + VI.upper(), min_size=1, max_size=60).map(str.strip).filter(bool)
multiline = st.lists(text, min_size=1, max_size=3).map("\n".join)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))

message = st.fixed_dictionaries(
    {
        "title": text,
        "body": multiline,
        "topic": st.sampled_from([t[0] for t in BUILTIN_TOPICS]),
        "audiences": st.lists(
            st.sampled_from([a[0] for a in BUILTIN_AUDIENCES]), min_size=1, max_size=3, unique=True
        ),
        "source_document": st.one_of(st.none(), text),
        "valid_from": st.one_of(st.none(), days),
        "priority": st.sampled_from(["normal", "high", "urgent"]),
        "airings_per_week": st.integers(0, 14),
        "channels": st.lists(
            st.sampled_from(channel_names()),
            min_size=1,
            max_size=4,
            unique=True,
        ),
        "radio_script": st.one_of(st.none(), multiline),
    }
)


def _content(m: object) -> dict[str, object]:
    data = m.to_dict()  # type: ignore[attr-defined]
    return {f: data[f] for f in EXPORT_FIELDS}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(message, min_size=1, max_size=4), fmt=st.sampled_from(["csv", "yaml"]))
def test_export_import_round_trip(
    station: Station, tmp_path: Path, batch: list[dict[str, object]], fmt: str
) -> None:
    with station.transaction() as s:
        originals = [create(s, dict(raw)) for raw in batch]
        expected = [_content(m) for m in originals]
        exported = to_csv(originals) if fmt == "csv" else to_yaml(originals)
        s.rollback()
    path = tmp_path / f"export.{fmt}"
    path.write_text(exported, encoding="utf-8")
    with station.transaction() as s:
        again = import_file(s, path, allow_duplicates=True).created
        assert [_content(m) for m in again] == expected
        s.rollback()
