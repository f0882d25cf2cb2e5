"""Every command reads dates through loa.core.dates: the same forms everywhere, one message.

The dates are fixed and never ahead of the clock of any run from now on (the report refuses a
period that has not begun), so nothing here depends on which day the suite runs.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.i18n import set_language
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})


def loa(station: Station, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--station", str(station.root), *args])


def flat(text: str) -> str:
    """The output with line wrapping undone."""
    return " ".join(text.split())


def test_today_accepts_a_day_first_date(station: Station) -> None:
    result = loa(station, "today", "--day", "02/12/2026", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["day"] == "2026-12-02"


def test_plan_accepts_a_dotted_date(station: Station) -> None:
    result = loa(station, "plan", "--from", "02.12.2026", "--days", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["start"] == "2026-12-02"


def test_report_accepts_dashed_dates(station: Station) -> None:
    result = loa(
        station, "report", "--from", "01-12-2026", "--to", "31-12-2026", "--no-files", "--json"
    )
    assert result.exit_code == 0, result.output
    period = json.loads(result.output)["period"]
    assert (period["start"], period["end"]) == ("2026-12-01", "2026-12-31")


def test_runsheet_and_calendar_accept_the_same_forms(station: Station) -> None:
    result = loa(station, "calendar", "blackout", "02.12.2026", "--reason", "Bầu cử")
    assert result.exit_code == 0, result.output
    assert "02/12/2026" in result.output
    result = loa(station, "calendar", "unblackout", "2026-12-02")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "value", "why"),
    [
        (("today", "--day", "31/02/2026"), "31/02/2026", "31/02/2026 không tồn tại"),
        (("today", "--day", "02/12"), "02/12", ""),
        (("plan", "--from", "32.12.2026"), "32.12.2026", "32.12.2026 không tồn tại"),
        (("render", "--date", "ngày kia"), "ngày kia", ""),
        (("calendar", "list", "--from", "2026/12/02"), "2026/12/02", ""),
        (
            ("report", "--from", "01-13-2026", "--to", "31-12-2026"),
            "01-13-2026",
            "không có tháng 13",
        ),
        (
            ("msg", "add", "--title", "X", "--topic", "papi", "--until", "31.04.2026"),
            "31.04.2026",
            "31.04.2026 không tồn tại",
        ),
    ],
)
def test_a_bad_date_gets_the_one_vietnamese_message(
    station: Station, args: tuple[str, ...], value: str, why: str
) -> None:
    result = loa(station, *args)
    out = flat(result.output)
    assert result.exit_code == 2, result.output
    assert f'Ngày "{value}" không hợp lệ' in out
    assert "NGÀY/THÁNG/NĂM (02/12/2026; cũng được 2/12/2026, 02-12-2026, 02.12.2026)" in out
    assert "NĂM-THÁNG-NGÀY (2026-12-02)" in out
    assert why in out
    assert "Traceback" not in result.output


def test_the_message_is_english_on_request(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    result = loa(station, "today", "--day", "31/02/2026")
    assert result.exit_code == 2
    out = flat(result.output)
    assert 'Date "31/02/2026" is not valid' in out and "DAY/MONTH/YEAR" in out


def test_msg_dates_accept_every_form_and_relative_words(station: Station) -> None:
    result = loa(
        station,
        "msg",
        "add",
        "--title",
        "Lịch tiếp công dân",
        "--topic",
        "papi",
        "--from",
        "hôm nay",
        "--until",
        "31.12.2999",
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(loa(station, "msg", "list", "--json").output)
    assert shown and shown[0]["valid_until"] == "2999-12-31"
    assert shown[0]["valid_from"] is not None


def test_publish_at_reads_a_date_and_a_time(station: Station) -> None:
    result = loa(station, "publish", "--message", "1", "--at", "02/12/2026 25:00", "-c", "null")
    assert result.exit_code == 2
    out = flat(result.output)
    assert 'Thời điểm "02/12/2026 25:00" không hợp lệ' in out and "Traceback" not in out
