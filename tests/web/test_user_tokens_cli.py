"""`loa user tokens` and `loa user token-rm`: API tokens listed (never shown) and revoked one
by one."""

from __future__ import annotations

from typer.testing import CliRunner

from loa.app import users
from loa.cli.main import app
from loa.core.station import Station
from tests.web.conftest import NOW

runner = CliRunner(env={"COLUMNS": "200"})


def test_tokens_are_listed_without_their_value_and_revoked_by_number(
    web_station: Station,
) -> None:
    kept = users.new_token(web_station, "hung", now=NOW)
    users.new_token(web_station, "hung", now=NOW)
    listed = runner.invoke(app, ["--station", str(web_station.root), "user", "tokens", "hung"])
    assert listed.exit_code == 0 and kept not in listed.output
    first = users.list_tokens(web_station, "hung")[0].id
    assert listed.output.split()[0] == str(first) and NOW.strftime("%d/%m/%Y") in listed.output
    gone = runner.invoke(
        app, ["--station", str(web_station.root), "user", "token-rm", "hung", str(first)]
    )
    assert gone.exit_code == 0 and "Đã thu hồi" in gone.output
    assert len(users.list_tokens(web_station, "hung")) == 1
    again = runner.invoke(
        app, ["--station", str(web_station.root), "user", "token-rm", "hung", str(first)]
    )
    assert again.exit_code == 2 and "loa user tokens hung" in again.output
