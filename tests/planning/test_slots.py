from __future__ import annotations

from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.errors import UserError
from loa.planning.slots import (
    SlotSpec,
    add_slot,
    edit_slot,
    expand_slots,
    list_slots,
    parse_reach,
    parse_time,
    parse_weekdays,
    remove_slot,
)


def test_parse_time_accepts_clock_times_and_refuses_25h() -> None:
    assert parse_time("5:30").hour == 5
    assert parse_time("17h30").minute == 30
    for bad in ("25:00", "12:60", "noon", "", "7"):
        with pytest.raises(UserError, match="không hợp lệ"):
            parse_time(bad)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", list(range(7))),
        ("hằng ngày", list(range(7))),
        ("2-6", [0, 1, 2, 3, 4]),
        ("2,4,6", [0, 2, 4]),
        ("CN", [6]),
        ("0-4", [0, 1, 2, 3, 4]),
        ("mon,sun", [0, 6]),
        ("t7,cn", [5, 6]),
        ("T2-CN", list(range(7))),  # as `loa slots list` and the dashboard show them
        ("T3 - T5", [1, 2, 3]),
    ],
)
def test_parse_weekdays(text: str, days: list[int]) -> None:
    assert parse_weekdays(text) == days


def test_parse_weekdays_refuses_nonsense() -> None:
    for bad in ("8", "0-9", "someday", ",", "CN-T2"):
        with pytest.raises(UserError):
            parse_weekdays(bad)


def test_shown_weekdays_read_back() -> None:
    from loa.planning.slots import format_weekdays

    for days in ([0, 1, 2, 3, 4], [5, 6], list(range(7)), [0, 2, 4], [6]):
        assert parse_weekdays(format_weekdays(days)) == days


def test_parse_reach() -> None:
    assert parse_reach(["residents=0.6", "workers=0.4,elderly=1"]) == {
        "residents": 0.6,
        "workers": 0.4,
        "elderly": 1.0,
    }
    for bad in ("residents", "residents=1.5", "=0.3", "x=abc"):
        with pytest.raises(UserError):
            parse_reach([bad])


def test_add_validates_everything(station) -> None:
    with station.transaction() as session:
        add_slot(
            session, SlotSpec("radio", "Sáng", "05:30", 900, list(range(7)), {"residents": 0.5})
        )
    cases = [
        (SlotSpec("radio", "Trùng", "05:40", 300, [0]), "trùng giờ"),
        (SlotSpec("radio", "Giờ sai", "25:00", 300, [0]), "không hợp lệ"),
        (SlotSpec("radio", "Rỗng", "07:00", 0, [0]), "lớn hơn 0"),
        (SlotSpec("tivi", "Kênh lạ", "07:00", 300, [0]), 'Kênh "tivi"'),
        (SlotSpec("radio", "Ai", "07:00", 300, [0], {"aliens": 0.5}), "aliens"),
        (SlotSpec("radio", "Khuya", "23:55", 600, [0]), "nửa đêm"),
        (SlotSpec("facebook", "Nhiều", "07:00", 500, [0]), "quá lớn"),
    ]
    for spec, message in cases:
        with pytest.raises(UserError, match=message), station.transaction() as session:
            add_slot(session, spec)
    with station.transaction() as session:
        # same time on another weekday set, or another channel, is fine
        add_slot(session, SlotSpec("facebook", "FB", "05:30", 2, [0], {"residents": 0.2}))
        assert len(list_slots(session)) == 2


def test_edit_and_remove(slotted) -> None:
    with slotted.transaction() as session:
        radio = list_slots(session, "radio")
        slot = edit_slot(session, radio[0].id, capacity=600, reach={"workers": 0.9})
        assert slot.capacity == 600 and slot.reach["workers"] == 0.9
        assert slot.reach["elderly"] == 0.70  # other groups kept
        with pytest.raises(UserError, match="trùng giờ"):
            edit_slot(session, radio[0].id, start=radio[1].start)
    with slotted.transaction() as session:
        remove_slot(session, radio[0].id)
        with pytest.raises(UserError, match="Không có khung giờ số"):
            remove_slot(session, radio[0].id)


def test_expand_skips_blocked_days_and_the_past(slotted) -> None:
    with slotted.transaction() as session:
        slots = list_slots(session)
    start = date(2026, 11, 23)  # a Monday
    instances = expand_slots(slots, start, 7)
    radio = [i for i in instances if i.channel == "radio"]
    assert len(radio) == 14
    assert len([i for i in instances if i.channel == "website"]) == 10  # working days only
    blocked = expand_slots(
        slots, start, 7, blocked={date(2026, 11, 24): "nghỉ"}, after=datetime(2026, 11, 23, 12, 0)
    )
    assert all(i.start.date() != date(2026, 11, 24) for i in blocked)
    assert all(i.start >= datetime(2026, 11, 23, 12, 0) for i in blocked)
    assert [i.start for i in instances] == sorted(i.start for i in instances)


def test_cli_slots(station) -> None:
    runner = CliRunner()
    root = str(station.root)
    ok = runner.invoke(
        app,
        [
            "-s",
            root,
            "slots",
            "add",
            "--channel",
            "radio",
            "--name",
            "Bản tin sáng",
            "--start",
            "05:30",
            "--capacity",
            "900",
            "--days",
            "2-6",
            "--reach",
            "residents=0.6",
        ],
    )
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(app, ["-s", root, "slots", "list", "--json"])
    assert '"Bản tin sáng"' in listed.output and '"weekdays": [' in listed.output
    bad = runner.invoke(
        app,
        [
            "-s",
            root,
            "slots",
            "add",
            "--channel",
            "radio",
            "--name",
            "X",
            "--start",
            "25:00",
            "--capacity",
            "60",
        ],
    )
    assert bad.exit_code == 2 and "25:00" in bad.output
    overlap = runner.invoke(
        app,
        [
            "-s",
            root,
            "slots",
            "add",
            "--channel",
            "radio",
            "--name",
            "Y",
            "--start",
            "05:35",
            "--capacity",
            "60",
            "--days",
            "2",
        ],
    )
    assert overlap.exit_code == 2 and "trùng giờ" in overlap.output
    edit = runner.invoke(app, ["-s", root, "slots", "edit", "1", "--capacity", "0"])
    assert edit.exit_code == 2 and "lớn hơn 0" in edit.output
    rm = runner.invoke(app, ["-s", root, "slots", "rm", "1"])
    assert rm.exit_code == 0 and "Đã xóa" in rm.output


def test_a_zalo_slot_must_start_in_zalo_hours(station) -> None:  # type: ignore[no-untyped-def]
    """Zalo sends to followers only from 06:00 to 20:00: a slot outside is refused."""
    import pytest

    from loa.core.errors import UserError
    from loa.planning.slots import SlotSpec, add_slot

    with station.transaction() as session:
        with pytest.raises(UserError, match="ngoài giờ kênh này chuyển tin"):
            add_slot(session, SlotSpec("zalo", "Zalo khuya", "21:30", 2, [0], {"residents": 0.1}))
        slot = add_slot(session, SlotSpec("zalo", "Zalo sáng", "07:30", 2, [0], {"residents": 0.1}))
        assert slot.start == "07:30"
