"""Phát trực tiếp from the dashboard in a real headless Chromium (Debian's /usr/bin/chromium)
whose microphone is a WAV file of a marker tone (--use-file-for-fake-audio-capture): the
officer presses the button, a listener of a real icecast2 hears the marker, the page shows the
on-air indicator and its time; a second person is told who holds the air; a closed page or a
dropped connection is off the air within 5 s."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loa.app import users
from loa.app.live import holder
from loa.core.station import Station
from tests.channels.conftest import configure
from tests.stream.icecast import IcecastServer, Listener, icecast_binary
from tests.web.conftest import NOW, PASSWORD
from tests.web.test_browser import ARGS, CHROMIUM, _login, _wait, server, sync_api

pytestmark = pytest.mark.slow

__all__ = ["server"]  # the dashboard fixture, on this module's station

MARKER_HZ = 1500.0  # apart from the alert tone's 960/770 Hz
RATE = 22050


@pytest.fixture
def icecast(tmp_path: Path) -> Iterator[IcecastServer]:
    if icecast_binary() is None:  # CI installs it (.ci/run)
        pytest.skip("icecast2 is not installed (apt-get install icecast2)")
    found = IcecastServer(tmp_path / "icecast").start()
    yield found
    found.stop()


@pytest.fixture
def web_station(
    sample_station: Station, icecast: IcecastServer, monkeypatch: pytest.MonkeyPatch
) -> Station:
    for name, role in (("lan", "officer"), ("hung", "operator"), ("mai", "viewer")):
        users.add_user(sample_station, name, role, PASSWORD, now=NOW)
    configure(
        sample_station,
        "radio.stream",
        enabled=True,
        url=icecast.url,
        mounts=[
            {"zone": "thon1", "mount": "/thon1.mp3", "name": "Thôn 1"},
            {"zone": "thon2", "mount": "/thon2.mp3", "name": "Thôn 2"},
        ],
        reconnect_min_s=0.2,
        reconnect_max_s=1.0,
        local_playout=False,
    )
    monkeypatch.setenv("LOA_ICECAST_PASSWORD", icecast.password)
    return sample_station


@pytest.fixture
def microphone(tmp_path: Path) -> Path:
    """The fake microphone: a WAV of the marker tone, made with the bundled ffmpeg."""
    import imageio_ffmpeg

    path = tmp_path / "micro.wav"
    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"sine=frequency={MARKER_HZ:g}:duration=30"),
            *("-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture
def browser(microphone: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *ARGS,
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={microphone}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield launched
        launched.close()


def _page(browser: Any, base: str) -> Any:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
    context.grant_permissions(["microphone"], origin=base)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _live_rows(station: Station) -> list[Any]:
    from loa.channels.models import AsRunRecord

    with station.transaction() as session:
        rows = list(session.scalars(select(AsRunRecord).where(AsRunRecord.kind == "live")))
        session.expunge_all()
    return rows


def _loud(listener: Listener, freq: float) -> bool:
    heard = listener.heard_seconds()
    t = 0.0
    while t + 0.25 <= heard:
        if listener.tone_level(freq, t, t + 0.25) > 0.05:
            return True
        t += 0.25
    return False


def _go_live(page: Any, base: str) -> None:
    page.goto(f"{base}/radio")
    page.click("#live-link")
    page.wait_for_url(f"{base}/radio/live")
    page.uncheck("input[name=zone][value=thon2]")
    page.click("#live-start")
    _wait(page, "document.getElementById('live').dataset.state === 'on_air'", timeout=30)


def test_the_officer_goes_live_from_the_browser_and_a_listener_hears_it(
    server: str, browser: Any, web_station: Station, icecast: IcecastServer
) -> None:
    page = _page(browser, server)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    _login(page, server, "lan")
    _go_live(page, server)  # no loa run: the dashboard opens the mounts as it goes live
    assert not [m for m in console if "Content Security Policy" in m], console
    listener = Listener(f"{icecast.url}/thon1.mp3", RATE)
    other = Listener(f"{icecast.url}/thon2.mp3", RATE)
    try:
        assert page.locator("#live-on-air").is_visible()
        assert "ĐANG PHÁT TRỰC TIẾP" in page.locator("#live-on-air").inner_text()
        assert page.locator("#live-where").inner_text() == "thon1"
        deadline = time.monotonic() + 20
        while not _loud(listener, MARKER_HZ):
            assert time.monotonic() < deadline, (
                f"the listener did not hear the microphone ({listener.heard_seconds():.1f} s)"
            )
            time.sleep(0.25)
        _wait(page, "document.getElementById('live-elapsed').textContent >= '00:02'")

        # a second live source (the operator, in another browser) is refused, naming lan
        second = _page(browser, server)
        _login(second, server, "hung")
        second.goto(f"{server}/radio/live")
        assert "Đang có người phát trực tiếp: lan" in second.locator("#live-held").inner_text()
        second.click("#live-start")
        _wait(second, "document.getElementById('live-status').textContent.length > 0")
        _wait(
            second,
            "document.getElementById('live-status').textContent.includes('Đang có người')",
        )
        assert second.locator("#live-on-air").is_hidden()

        page.click("#live-stop")
        _wait(page, "document.getElementById('live').dataset.state === 'ended'", timeout=30)
        assert "Đã dừng phát trực tiếp" in page.locator("#live-status").inner_text()
        assert page.locator("#live-on-air").is_hidden()
        assert not _loud(other, MARKER_HZ), "the voice aired on a zone it was not for"
    finally:
        listener.close()
        other.close()
    [row] = _live_rows(web_station)
    assert row.status == "done" and row.extra["by"] == "lan" and row.zones == ["thon1"]
    assert row.ended_at is not None and (row.ended_at - row.started_at).total_seconds() >= 2
    assert (web_station.media_dir / row.extra["recording"]).is_file()
    assert holder(web_station) is None


@pytest.mark.parametrize("how", ["closed", "offline"])
def test_a_closed_page_or_a_dropped_connection_is_off_the_air_within_5_s(
    server: str, browser: Any, web_station: Station, how: str
) -> None:
    page = _page(browser, server)
    _login(page, server, "hung")
    _go_live(page, server)
    time.sleep(1.0)
    if how == "closed":
        page.close()
    else:
        page.context.set_offline(True)  # the wifi goes: nothing reaches the station
    dropped = time.monotonic()
    deadline = dropped + 10
    while not (holder(web_station) is None and [r for r in _live_rows(web_station) if r.ended_at]):
        assert time.monotonic() < deadline, "the broadcast did not end"
        time.sleep(0.1)
    gone = time.monotonic() - dropped
    assert gone < 5.0, f"still on the air {gone:.1f} s after the page went away"
    [row] = _live_rows(web_station)
    assert row.extra["by"] == "hung" and row.ended_at is not None
    if how == "offline":
        _wait(page, "document.getElementById('live').dataset.state === 'error'", timeout=10)
        assert "Mất kết nối" in page.locator("#live-status").inner_text()


def test_the_officer_records_a_message_with_the_browsers_microphone(
    server: str, browser: Any, web_station: Station, tmp_path: Path
) -> None:
    """The message form's "record" button (MediaRecorder): the recording is kept with the
    message, and the page plays the mastered recording beside the original."""
    import re

    import numpy as np

    from loa.audio.ffmpeg import decode

    page = _page(browser, server)
    _login(page, server, "lan")
    page.goto(f"{server}/messages/new")
    page.fill("input[name=title]", "Thông báo của Chủ tịch xã")
    page.fill("textarea[name=body]", "Bà con chú ý lịch tiếp công dân.")
    page.click("#record-button")
    _wait(page, "document.getElementById('record-button').textContent.length > 0")
    time.sleep(3.0)
    page.click("#record-button")
    _wait(page, "document.getElementById('recording-file').files.length === 1")
    page.click("#message-form button[type=submit]")
    page.wait_for_load_state()
    saved = re.search(r"/messages/(\d+)(\?|$)", page.url)
    assert saved, page.locator("main").inner_text()[:600]
    message_id = int(saved[1])
    assert page.locator("#recording-original").count() == 1
    assert page.locator("#recording-mastered").count() == 1
    mastered = page.request.get(f"{server}/messages/{message_id}/recording")
    assert mastered.status == 200 and mastered.headers["content-type"] == "audio/mpeg"
    path = tmp_path / "mastered.mp3"
    path.write_bytes(mastered.body())
    samples = decode(path, sample_rate=RATE)
    assert 1.5 < len(samples) / RATE < 4.5
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    assert abs(freqs[int(np.argmax(spectrum))] - MARKER_HZ) < 20, "not the microphone's tone"
