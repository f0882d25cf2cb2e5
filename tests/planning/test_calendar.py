from __future__ import annotations

from datetime import date

import pytest

from loa.core.dates import parse_date
from loa.core.errors import UserError
from loa.planning.calendar import (
    add_blackout,
    add_campaign,
    blocked_days,
    boost_for,
    campaign_windows,
    holidays_between,
    public_holidays,
    remove_blackout,
)


def test_lunar_holidays() -> None:
    h2026 = public_holidays(2026)
    assert "mùng 1" in h2026[date(2026, 2, 17)]  # Tết Bính Ngọ
    assert "30 Tết" in h2026[date(2026, 2, 16)]
    assert "Hùng Vương" in h2026[date(2026, 4, 26)]  # 10/3 âm lịch
    assert date(2026, 9, 2) in h2026 and date(2026, 4, 30) in h2026
    assert "mùng 1" in public_holidays(2025)[date(2025, 1, 29)]
    assert "mùng 1" in public_holidays(2027)[date(2027, 2, 6)]
    assert "mùng 1" in public_holidays(2007)[date(2007, 2, 17)]  # Vietnam differs from China


def test_holidays_between_spans_years() -> None:
    days = holidays_between(date(2026, 12, 30), date(2027, 1, 2))
    assert list(days) == [date(2027, 1, 1)]


def test_blackouts(station) -> None:
    with station.transaction() as session:
        add_blackout(session, date(2026, 11, 25), "Bảo trì loa")
        with pytest.raises(UserError, match="đã là ngày nghỉ"):
            add_blackout(session, date(2026, 11, 25))
        blocked = blocked_days(session, date(2026, 11, 20), date(2027, 1, 5))
        assert blocked[date(2026, 11, 25)] == "Bảo trì loa"
        assert date(2027, 1, 1) in blocked
        assert date(2027, 1, 1) not in blocked_days(
            session, date(2027, 1, 1), date(2027, 1, 1), holidays=False
        )
        remove_blackout(session, date(2026, 11, 25))
        with pytest.raises(UserError):
            remove_blackout(session, date(2026, 11, 25))


def test_campaign_boost(station) -> None:
    from tests.planning.conftest import add_message

    mid = add_message(station, "Ngày hội Đại đoàn kết", topic="communication")
    other = add_message(station, "Khác", topic="procedures")
    with station.transaction() as session:
        add_campaign(
            session,
            "Ngày hội Đại đoàn kết toàn dân tộc",
            date(2026, 11, 10),
            date(2026, 11, 18),
            boost=2.0,
            topics=["communication"],
        )
        with pytest.raises(UserError, match="trước ngày bắt đầu"):
            add_campaign(session, "X", date(2026, 11, 18), date(2026, 11, 1))
        with pytest.raises(UserError, match="Chủ đề"):
            add_campaign(session, "X", date(2026, 11, 1), date(2026, 11, 2), topics=["nope"])
        windows = campaign_windows(session)
        from loa.content.models import Message

        message, plain = session.get(Message, mid), session.get(Message, other)
        assert boost_for(message, date(2026, 11, 18), windows) == 2.0
        assert boost_for(message, date(2026, 11, 19), windows) == 1.0
        assert boost_for(plain, date(2026, 11, 18), windows) == 1.0


def parse_day(text: str) -> date:
    return parse_date(text, today=None)


def test_parse_day() -> None:
    assert parse_day("2026-11-23") == parse_day("23/11/2026") == date(2026, 11, 23)
    with pytest.raises(UserError, match="không hợp lệ"):
        parse_day("31/02/2026")


def test_cli_calendar(station) -> None:
    import json

    from typer.testing import CliRunner

    from loa.cli.main import app

    runner = CliRunner()
    root = str(station.root)
    ok = runner.invoke(
        app, ["-s", root, "calendar", "blackout", "25/11/2026", "--reason", "Sửa loa"]
    )
    assert ok.exit_code == 0 and "25/11/2026" in ok.output
    again = runner.invoke(app, ["-s", root, "calendar", "blackout", "2026-11-25"])
    assert again.exit_code == 2 and "đã là ngày nghỉ" in again.output
    camp = runner.invoke(
        app,
        [
            "-s",
            root,
            "calendar",
            "campaign",
            "Ngày hội Đại đoàn kết",
            "--from",
            "10/11/2026",
            "--to",
            "18/11/2026",
            "--topic",
            "communication",
        ],
    )
    assert camp.exit_code == 0, camp.output
    listed = runner.invoke(
        app, ["-s", root, "calendar", "list", "--from", "2026-11-01", "--days", "90", "--json"]
    )
    rows = json.loads(listed.output)
    kinds = {r["kind"] for r in rows}
    assert {"Ngày lễ", "Nghỉ phát", "Đợt tuyên truyền"} <= kinds
    assert any(r["day"] == "2027-01-01" for r in rows)
