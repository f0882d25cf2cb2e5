"""A login's password check runs where the dashboard says (its low-priority login threads),
with no database connection held meanwhile; a wrong name costs the same check as a wrong
password (no telling by time which names exist)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from loa.app import users
from loa.core.station import Station
from tests.web.conftest import NOW, PASSWORD


def _login(station: Station, name: str, password: str, check: Callable) -> users.Account:
    return users.login(station, name, password, address="10.0.0.9", now=NOW, check=check)


def test_the_check_runs_with_no_database_connection_held(web_station: Station) -> None:
    calls: list[int] = []

    def check(verify: Callable[[], bool]) -> bool:
        calls.append(web_station.engine.pool.checkedout())
        return verify()

    assert _login(web_station, "lan", PASSWORD, check).name == "lan"
    with pytest.raises(users.LoginRefused):
        _login(web_station, "lan", "sai-mat-khau", check)
    with pytest.raises(users.LoginRefused):
        _login(web_station, "khong-co-ai", PASSWORD, check)  # checked all the same
    assert calls == [0, 0, 0]
    actions = [(e.who, e.action) for e in users.audit_log(web_station)]
    assert actions[:3] == [
        ("khong-co-ai", "login_failed"),
        ("lan", "login_failed"),
        ("lan", "login"),
    ]


def test_a_password_changed_during_the_check_is_not_let_in(web_station: Station) -> None:
    def check(verify: Callable[[], bool]) -> bool:
        users.set_password(web_station, "lan", "mat-khau-moi-1")  # another writer, meanwhile
        return verify()

    with pytest.raises(users.LoginRefused):
        _login(web_station, "lan", PASSWORD, check)
    assert users.audit_log(web_station, limit=1)[0].action == "login_failed"
