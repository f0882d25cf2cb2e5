"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by the pip
`playwright` package), served by uvicorn on a free 127.0.0.1 port: the user paths of issue 11.

Set LOA_SCREENSHOTS=docs/screenshots to keep the screenshots of the main pages.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loa.core.station import Station
from tests.web.conftest import NOW, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():  # .ci/run installs it; a developer machine may lack it
    pytest.skip("needs /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def server(web_station: Station) -> Iterator[str]:
    import uvicorn

    from loa.web.app import create_app

    # the socket is bound here and handed to uvicorn: no other test (an xdist worker beside
    # this one) can take the port between choosing it and listening on it
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(web_station, clock=lambda: NOW),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _page(browser: Any, **options: Any) -> Any:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1200, "height": 900}, **options
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _wait(page: Any, expression: str, timeout: float = 60) -> None:
    """Poll `expression` until true (page.wait_for_function evaluates a string with eval,
    which the dashboard's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("LOA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_officer_adds_previews_approves_plans_moves_and_downloads(
    server: str, browser: Any
) -> None:
    page = _page(browser, accept_downloads=True)
    _login(page, server, "lan")
    assert page.locator("h1").inner_text().startswith("Hôm nay, 22/11/2026")
    _shot(page, "today")

    page.goto(f"{server}/messages/new")
    page.fill("input[name=title]", "Lịch tiếp công dân tháng 12")
    page.fill("textarea[name=body]", "UBND xã tiếp công dân lúc 7h30 ngày 5/12/2026.")
    mark = page.locator("#preview mark.rewritten[title='UBND']")
    mark.wait_for()
    assert mark.inner_text() == "Ủy ban nhân dân"
    assert "bảy giờ ba mươi phút" in page.locator("#preview").inner_text()
    _shot(page, "message-new")
    page.click("#listen-button")
    audio = page.locator("#listen-audio")
    audio.wait_for()
    _wait(page, "document.querySelector('#listen-audio').readyState >= 1")
    assert page.evaluate("document.querySelector('#listen-audio').duration") > 1
    page.click("#message-form button[type=submit]")
    page.wait_for_url(re.compile(r"/messages/\d+"))
    page.click("#approve-button")
    page.wait_for_load_state()
    assert "Duyệt bởi lan lúc 22/11/2026 09:00" in page.content()
    _shot(page, "message")

    page.goto(f"{server}/plan?start=2026-11-23")
    page.click("#replan-button")
    page.wait_for_url(re.compile(r"/plan\?start=2026-11-23"))
    entries = page.locator(".entry")
    assert entries.count() > 5
    _shot(page, "plan-week")
    tools = page.locator(".entry details.tools").first
    tools.locator("summary").click()
    first = tools.locator("form.move")
    entry_id = first.get_attribute("action").split("/")[3]
    choice = first.locator("option").nth(1)
    target = choice.get_attribute("value")
    first.locator("select").select_option(target)
    first.locator("button").first.click()  # "Dời" (pin and drop are the others)
    page.wait_for_load_state()
    moved = page.locator(f".entry[data-entry='{entry_id}']")
    assert moved.count() == 1
    when = target.split("@")[1]
    day_heading = moved.locator("xpath=ancestor::section[1]/h2").inner_text()
    assert day_heading == f"{when[8:10]}/{when[5:7]}"

    page.goto(f"{server}/messages")
    _shot(page, "messages")
    page.goto(f"{server}/settings")
    assert "duyệt tin" in page.locator("#audit").inner_text()
    _shot(page, "settings")
    page.goto(f"{server}/reports?kind=quarter&value=2026Q4")
    _shot(page, "reports")
    with page.expect_download() as download:
        page.click("#download-docx")
    saved = download.value.path()
    assert Path(saved).read_bytes()[:2] == b"PK"
    assert download.value.suggested_filename.endswith(".docx")


def test_operator_listens_and_presses_the_urgent_button(
    server: str, browser: Any, web_station: Station
) -> None:
    from loa.app.dashboard import bulletins_of
    from loa.app.planning import plan_station
    from loa.app.render import render_slot

    plan_station(web_station, NOW.date(), 2, now=NOW)
    first = bulletins_of(web_station, NOW.date())[0]
    rendered = render_slot(web_station, first.start)  # the player plays only a current file
    assert rendered is not None
    clip = rendered.path
    page = _page(browser)
    _login(page, server, "hung")
    page.goto(f"{server}/radio")
    _shot(page, "radio")
    player = page.locator("audio").first
    assert player.get_attribute("src").endswith(f"{clip.parent.name}/{clip.name}")
    page.evaluate("document.querySelector('audio').load()")
    _wait(page, "document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") > 1
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.select_option("select[name=message_id]", "1")
    page.click("#urgent-button")
    page.wait_for_selector(".note")
    assert asked and "Không thể rút lại" in asked[0]
    note = page.locator(".note").inner_text()  # no loa run here: it says so, never "đã phát"
    assert "CHƯA PHÁT" in note and "loa run" in note and "đang phát" not in note


def test_refusals_in_the_browser_role_and_csrf(server: str, browser: Any) -> None:
    page = _page(browser)
    _login(page, server, "mai")
    page.goto(f"{server}/radio")
    assert page.locator("#urgent-button").count() == 0
    status = page.evaluate(
        """async () => (await fetch('/api/urgent', {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: '{"message_id": 1}'})).status"""
    )
    assert status == 403
    page.goto(f"{server}/messages/1")
    assert page.locator("#approve-button").count() == 0
    phone = _page(browser)
    phone.set_viewport_size({"width": 390, "height": 844})
    _login(phone, server, "mai")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "today-phone")
    officer = _page(browser)
    _login(officer, server, "lan")
    officer.goto(f"{server}/messages/new")
    refused = officer.evaluate(
        """async () => { const r = await fetch('/messages/1/archive', {method: 'POST',
             headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=forged'});
             return [r.status, await r.text()]; }"""
    )
    assert refused[0] == 403 and "chống giả mạo" in refused[1]
    officer.goto(f"{server}/messages/1")
    assert "lưu trữ" not in officer.locator("h1 .state").inner_text()
