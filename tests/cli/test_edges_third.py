"""The third round of edges (#31): a new user's bad input and a fault run, each refused with a
specific Vietnamese message, a non-zero exit and nothing changed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})

HUGE = "99999999999999999999"


def dump(station: Station) -> list[tuple[str, list[str]]]:
    """Every row of every table of the station, as text: to check a refusal changed nothing."""
    from sqlalchemy import inspect, text

    out: list[tuple[str, list[str]]] = []
    with station.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"'))
            out.append((table, sorted(repr(tuple(row)) for row in rows)))
    return out


@pytest.mark.parametrize(
    "args",
    [
        ["msg", "show", HUGE],
        ["msg", "edit", HUGE, "--title", "Tiêu đề mới"],
        ["msg", "approve", "1", HUGE],
        ["msg", "archive", HUGE],
        ["slots", "edit", HUGE, "--capacity", "60"],
        ["slots", "rm", HUGE],
        ["plan", "--explain", HUGE],
        ["plan", "pin", HUGE],
        ["outbox", "--done", HUGE],
        ["outbox", "--retry", HUGE],
        ["urgent", HUGE],
        ["publish", "-m", HUGE, "--now"],
        ["say", "-m", HUGE],
        ["stream", "zones", "--message", HUGE],
    ],
)
def test_a_huge_id_is_refused_where_it_is_read(sample_station: Station, args: list[str]) -> None:
    before = dump(sample_station)
    result = runner.invoke(app, ["--station", str(sample_station.root), *args])
    assert result.exit_code == 2, result.output
    assert "quá lớn, không có số hiệu nào như vậy" in result.output
    assert "OverflowError" not in result.output and "không mong đợi" not in result.output
    assert dump(sample_station) == before


def test_an_id_that_is_not_a_number_is_refused_in_vietnamese(sample_station: Station) -> None:
    result = runner.invoke(app, ["--station", str(sample_station.root), "msg", "show", "mười"])
    assert result.exit_code == 2
    assert "'mười' không phải số hiệu" in result.output
