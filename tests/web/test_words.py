"""Issue 26, what a person reads: figures shown as numbers, channels by their names, and no
page telling the officer to type a loa command (the report totals, the explanation of a plan,
the insights page, the run sheet, the urgent button's answer, an urgent air on the plan)."""

from __future__ import annotations

import os
import re

import pytest
from fastapi.testclient import TestClient

from loa.core.station import Station
from tests.web.conftest import NOW, csrf_of, log_in

#: A loa command as a terminal takes it ("loa render", "loa channels check").
COMMAND = re.compile(r"\bloa (?:render|channels|insights|urgent|msg|run --web)\b")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_report_total_is_a_number(client: TestClient) -> None:
    log_in(client, "mai")
    report = client.get("/reports", params={"kind": "year", "value": str(NOW.year)}).text
    assert "built-in method" not in report
    rows = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", report))
    assert rows["Tổng lượt phát và đăng"].isdigit(), rows
    assert rows["Số tin khác nhau"].isdigit() and rows["Số bản tin"].isdigit()


def test_the_explanation_and_the_insights_name_no_command(client: TestClient) -> None:
    log_in(client, "lan")
    why = client.get("/plan/explain/1").text
    lines = re.findall(r"<li>(.*?)</li>", why[why.index("<main>") :])
    assert any("Trang Facebook: chưa cấu hình" in line for line in lines), lines
    assert all(not COMMAND.search(line) and not line.endswith("(xem") for line in lines), lines
    insights = _text(client.get("/insights").text)
    assert "tự lấy số liệu mới" in insights
    assert not COMMAND.search(insights) and "[planning]" not in insights


def test_a_command_hint_in_brackets_is_left_out_and_the_sentence_kept() -> None:
    from loa.web.context import for_people

    assert (
        for_people("Kênh Zalo OA: chưa cấu hình nên không lên lịch (xem: loa channels check).")
        == "Kênh Zalo OA: chưa cấu hình nên không lên lịch."
    )
    # the Vietnamese word "loa" (a loudspeaker) in brackets is no command
    kept = "Tin phát trên đài (qua loa truyền thanh) lúc 17:30."
    assert for_people(kept) == kept


def test_the_run_sheet_on_the_web_says_where_to_render_not_which_command(
    client: TestClient, web_station: Station
) -> None:
    from loa.app.planning import plan_station
    from loa.report.runsheet import runsheet_html

    plan_station(web_station, NOW.date(), 1, now=NOW)
    log_in(client, "hung")
    sheet = _text(client.get("/radio/runsheet").text)
    assert "(chưa dựng; bấm «Dựng bản tin» ở trang Phát thanh rồi in lại)" in sheet
    assert not COMMAND.search(sheet)
    # the file `loa runsheet` writes for the terminal keeps its command
    assert f"loa render --date {NOW.date().isoformat()}" in runsheet_html(web_station, NOW.date())


def test_the_urgent_answer_names_channels_and_asks_for_the_service_not_a_command(
    client: TestClient,
) -> None:
    log_in(client, "hung")
    answer = client.post("/radio/urgent", data={"csrf": csrf_of(client), "message_id": "1"})
    note = _text(answer.text)
    assert "CHƯA PHÁT trên loa: dịch vụ phát của đài (loa run) không chạy" in note
    assert "Báo người quản trị" in note
    assert "Đã đăng: Trang thông tin điện tử." in note and "Đã đăng: website" not in note
    assert not COMMAND.search(note), note


def test_an_urgent_air_is_named_on_the_plan_page(client: TestClient) -> None:
    log_in(client, "hung")
    client.post("/radio/urgent", data={"csrf": csrf_of(client), "message_id": "1"})
    week = client.get("/plan", params={"start": NOW.date().isoformat()}).text
    assert f"<h3>{NOW:%H:%M} · Khẩn cấp (mọi kênh)</h3>" in week
    assert "· urgent<" not in week


def test_an_urgent_message_is_marked_in_words_not_a_symbol(
    client: TestClient, web_station: Station
) -> None:
    from loa.content.models import Message

    with web_station.transaction() as session:
        message = session.get(Message, 1)
        assert message is not None
        message.priority = "urgent"
    log_in(client, "hung")
    radio = client.get("/radio").text
    option = re.search(r'<option value="1">[^<]*</option>', radio)
    assert option and option.group(0).endswith(" (khẩn)</option>") and "⚠" not in radio


def test_the_photo_route_follows_no_link_out_of_the_photo_folder(
    client: TestClient, web_station: Station, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from loa.content.models import Message

    outside = tmp_path_factory.mktemp("elsewhere") / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    folder = web_station.root / "anh"
    folder.mkdir(exist_ok=True)
    (folder / "link.png").symlink_to(outside)
    with web_station.transaction() as session:
        first, second = session.get(Message, 1), session.get(Message, 2)
        assert first and second
        first.image = "anh/link.png"
        second.image = "anh/" + os.path.relpath(outside, folder)  # anh/../../…/secret.png
    log_in(client, "mai")
    assert client.get("/messages/1/photo").status_code == 404
    assert client.get("/messages/2/photo").status_code == 404


def test_a_slot_reach_is_read_and_written_with_audience_names(
    client: TestClient, web_station: Station
) -> None:
    from loa.planning.models import Slot

    log_in(client, "lan")
    settings = client.get("/settings").text
    values = re.findall(r'<input form="slot-\d+" name="reach" value="([^"]*)"', settings)
    assert values and any("Người dân=" in v for v in values), values
    assert not any(re.search(r"\b(residents|elderly|workers|officials)=", v) for v in values)
    assert "residents=" not in settings  # nor in the example of the new-slot form
    with web_station.transaction() as session:
        slot = session.query(Slot).order_by(Slot.id).first()
        assert slot is not None
        form = {"name": slot.name, "start": slot.start, "capacity": str(int(slot.capacity))}
        slot_id = slot.id
    answer = client.post(
        f"/settings/slots/{slot_id}",
        data={
            "csrf": csrf_of(client),
            **form,
            "days": "hằng ngày",
            "reach": "Cán bộ, công chức, viên chức=0.3; người dân = 0.6; elderly=0.7",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    with web_station.transaction() as session:
        saved = session.get(Slot, slot_id)
        assert saved is not None
        given = {"officials": 0.3, "residents": 0.6, "elderly": 0.7}
        assert {code: saved.reach[code] for code in given} == given


def test_audiences_and_channels_are_ticked_by_name_not_typed_as_codes(
    client: TestClient, web_station: Station
) -> None:
    from loa.content.models import Message

    log_in(client, "lan")
    form = client.get("/messages/new").text
    assert '<input name="audiences"' not in form and '<input name="channels"' not in form
    assert re.search(r'value="residents"> Người dân</label>', form)
    assert re.search(r'value="radio" checked> Đài truyền thanh</label>', form)
    made = client.post(
        "/messages/new",
        data={
            "csrf": csrf_of(client),
            "title": "Lịch tiêm chủng",
            "body": "Bà con đưa trẻ đi tiêm.",
            "topic": "procedures",
            "audiences": ["parents", "residents"],
            "channels": ["radio", "website"],
            "priority": "normal",
            "airings": "2",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    message_id = int(made.headers["location"].split("/")[2].split("?")[0])
    with web_station.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        assert sorted(a.code for a in message.audiences) == ["parents", "residents"]
        assert sorted(message.channels) == ["radio", "website"]
    shown = client.get(f"/messages/{message_id}").text
    assert re.search(r'value="parents" checked> Phụ huynh và học sinh</label>', shown)
    assert re.search(r'value="website" checked> Trang thông tin điện tử</label>', shown)
    assert re.search(r'value="facebook"> Trang Facebook</label>', shown)


def test_every_action_the_station_records_is_named_in_the_audit_log(
    client: TestClient, web_station: Station
) -> None:
    """The actions loa.app writes (login, login_failed, approve, urgent, live) each have words."""
    from pathlib import Path

    import loa.app
    from loa.app import users

    source = Path(loa.app.__file__).parent
    written = set()
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'users\.audit(?:_in)?\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', text))
        written |= set(re.findall(r'_entry\([^,]+, "([a-z_]+)"', text))
    assert {"login", "login_failed", "approve", "urgent", "live"} <= written, written
    for action in sorted(written):
        users.audit(web_station, "lan", action, "", address="127.0.0.1", now=NOW)
    log_in(client, "lan")
    settings = client.get("/settings").text
    audit = settings[settings.index('id="audit"') :]
    shown = re.findall(r'data-label="Việc">([^<]*)</td>', audit)
    assert shown and not set(shown) & written, shown
