# ruff: noqa: F811 (the fixtures imported from test_browser are the tests' parameters)
"""Issue 26 in a real Chromium: the dashboard on a 390×844 phone (tables as cards, slots
editable, charts within the screen), the run sheet's own styles under the page policy, the
confirmations that must appear, and the icon and manifest of the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import NOW
from tests.web.test_browser import _login, _page, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def _phone(chromium: Any) -> Any:
    context = chromium.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _visible_text(page: Any, selector: str) -> str:
    return str(page.locator(selector).first.inner_text())


def test_phone_tables_are_cards_with_every_column(server: str, browser: Any) -> None:
    page = _phone(browser)
    _login(page, server, "lan")
    page.goto(f"{server}/settings")
    row = page.locator("#slots tbody tr").first
    for name in ("name", "days", "start", "capacity"):
        field = row.locator(f"input[name={name}]")
        assert field.is_visible(), name
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    # the slot's start can be changed and saved on the phone
    start = row.locator("input[name=start]")
    start.fill("05:45")
    row.locator("button", has_text="Lưu").click()
    page.wait_for_url(f"{server}/settings?**")
    assert (
        page.locator("#slots tbody tr").first.locator("input[name=start]").input_value() == "05:45"
    )
    audit = page.locator("#audit tbody tr").first
    assert audit.is_visible()
    cells = audit.locator("td")
    assert all(cells.nth(n).is_visible() for n in range(3))  # time, who, what (action)
    assert "đăng nhập" in audit.inner_text()
    _cards_keep_every_column(page, "#audit")  # action, note and address too
    assert page.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways page
    page.goto(f"{server}/messages")
    first = page.locator("#messages tbody tr").first
    assert first.locator("td").nth(2).is_visible() and first.locator("td").nth(3).is_visible()
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#messages td[data-label]'), '::before').content"
    )
    assert label.strip('"') == "Số"
    _cards_keep_every_column(page, "#messages")


def test_phone_report_charts_fit_and_run_sheet_has_its_borders(
    server: str,
    browser: Any,
) -> None:
    page = _phone(browser)
    _login(page, server, "lan")
    page.goto(f"{server}/reports?kind=year&value={NOW.year}")
    charts = page.locator("img.chart")
    assert charts.count() == 2
    for n in range(2):
        box = charts.nth(n).bounding_box()
        assert box is not None and box["width"] <= 390
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"{server}/radio/runsheet")
    border = page.evaluate("getComputedStyle(document.querySelector('h1')).textAlign")
    assert border == "center"  # the sheet's own stylesheet applied
    margin = page.evaluate("getComputedStyle(document.body).marginTop")
    assert margin != "0px"
    assert not [m for m in messages if "Content Security Policy" in m]


def _cards_keep_every_column(page: Any, table: str) -> None:
    """Each row of `table` a card on the phone: every cell shown, with its column's name,
    inside the screen."""
    row = page.locator(f"{table} tbody tr").first
    assert row.is_visible(), table
    assert page.locator(f"{table} thead").first.is_hidden(), table
    cells = row.locator("td[data-label]")
    assert cells.count() >= 4, table
    for n in range(cells.count()):
        cell = cells.nth(n)
        if not cell.inner_text().strip():
            continue  # an empty note is left out of the card
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (table, n)
        label = cell.evaluate("c => getComputedStyle(c, '::before').content").strip('"')
        assert label == cell.get_attribute("data-label"), (table, n)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392, table


def test_phone_outbox_as_run_and_insights_are_cards_and_the_printed_sheet_has_borders(
    server: str, browser: Any, web_station: Any
) -> None:
    from loa.app.planning import plan_station

    plan_station(web_station, NOW.date(), 1, now=NOW)
    page = _phone(browser)
    _login(page, server, "hung")
    page.goto(f"{server}/radio")
    page.once("dialog", lambda dialog: dialog.accept())
    page.select_option("select[name=message_id]", "1")
    page.click("#urgent-button")  # posted on the website: an as-run row and a post
    page.wait_for_selector(".note")
    _cards_keep_every_column(page, "#asrun")
    assert "Trang thông tin điện tử" in page.locator("#asrun tbody tr").first.inner_text()
    page.goto(f"{server}/outbox?all=1")
    _cards_keep_every_column(page, "#outbox")
    first = page.locator("#outbox tbody tr").first.inner_text()
    assert "Nộp hồ sơ trực tuyến" in first and "đã đăng" in first  # title and status kept
    page.goto(f"{server}/insights")
    _cards_keep_every_column(page, "#insight-slots")

    page.goto(f"{server}/radio/runsheet")
    page.emulate_media(media="print")
    cell = page.locator("table td").first
    assert cell.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"
    assert cell.evaluate("c => getComputedStyle(c).borderTopWidth") == "1px"
    margin = float(page.evaluate("getComputedStyle(document.body).marginLeft")[:-2])
    assert 50 < margin < 62  # 1.5 cm
    assert page.pdf(format="A4")[:4] == b"%PDF"  # it prints


def test_removing_a_slot_and_dropping_an_entry_ask_first(server: str, browser: Any) -> None:
    page = _page(browser)
    _login(page, server, "lan")
    page.goto(f"{server}/settings")
    before = page.locator("#slots tbody tr").count()
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#slots tbody tr").first.locator("button.secondary").click()
    page.wait_for_timeout(300)
    assert asked and "Bỏ khung giờ này" in asked[0]
    assert page.locator("#slots tbody tr").count() == before  # nothing removed
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#slots tbody tr").first.locator("button.secondary").click()
    page.wait_for_url(f"{server}/settings?**")
    assert page.locator("#slots tbody tr").count() == before - 1

    page.goto(f"{server}/plan")
    page.click("#replan-button")
    page.wait_for_url(f"{server}/plan?**")
    tools = page.locator("details.tools").first
    tools.locator("summary").click()
    drop_asked: list[str] = []

    def dismiss_drop(dialog: Any) -> None:
        drop_asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss_drop)
    tools.locator("button", has_text="Bỏ").click()
    page.wait_for_timeout(300)
    assert drop_asked and "Bỏ tin này khỏi lịch" in drop_asked[0]
    assert "/plan" in page.url


def test_the_page_has_an_icon_and_a_manifest(server: str, browser: Any) -> None:
    page = _page(browser)
    _login(page, server, "lan")
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert icon.endswith("/static/icon.svg")
    assert page.evaluate("document.querySelector('link[rel=manifest]').href").endswith(
        "/manifest.webmanifest"
    )


def test_back_after_logout_shows_no_officer_page(server: str, browser: Any) -> None:
    page = _phone(browser)
    _login(page, server, "lan")
    page.goto(f"{server}/settings")
    assert page.locator("#audit").count() == 1
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(f"{server}/login**")
    page.go_back()
    page.wait_for_load_state()
    assert "/login" in page.url  # asked again (no-store), and the session is gone
    assert page.locator("#audit").count() == 0 and page.locator("#slots").count() == 0
