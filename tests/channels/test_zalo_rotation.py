"""A Zalo token rotation cut short (#31 item 12a): a marker is written before the request and
removed once the new pair is stored, so a `loa` killed after Zalo rotated the single-use
refresh token is found out at the next use, which says how to log in again."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from loa.app.publish import publish_message
from loa.channels.base import PermanentError
from loa.channels.zalo import SECRETS_FILE, FileStore, TokenPair
from loa.channels.zalo_tokens import ROTATION_FILE, fingerprint
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message
from tests.channels.fake_zalo import FakeZalo
from tests.channels.test_zalo import _loa_env

pytestmark = pytest.mark.usefixtures("no_keyring")


def _stored(station: Station, zalo: FakeZalo) -> TokenPair:
    text = FileStore(station.root / SECRETS_FILE, zalo.app_secret).get()
    assert text is not None
    return TokenPair.from_json(text)


def _says_how_to_recover(text: str, zalo: FakeZalo) -> None:
    text = " ".join(text.split())
    assert "bị ngắt giữa chừng" in text and "refresh token dùng một lần đã mất" in text, text
    assert f"{zalo.url}/v4/oa/permission?app_id={zalo.app_id}" in text, text
    assert "loa channels zalo login --url" in text and "-14014" in text, text
    assert all(secret not in text for secret in zalo.secrets())


def test_a_rotation_stores_the_pair_and_leaves_no_marker(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)
    assert _stored(zalo_station, zalo).refresh_token == zalo.refresh_token
    assert not (zalo_station.root / ROTATION_FILE).exists()


def test_a_lost_token_answer_is_named_at_the_next_use_with_the_login_address(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    # Zalo rotates the single-use token and its answer never arrives: the old pair is still
    # stored, the new one only at Zalo (what a crash right after the answer leaves too).
    first = zalo.refresh_token
    zalo.fail("oa/access_token", "lost")
    mid = add_message(zalo_station)
    # the retry of the failed call finds the token refused, and says at once why
    with pytest.raises(PermanentError) as info:
        publish_message(zalo_station, mid, "zalo", now=NOW)
    assert zalo.used_refresh == [first] and _stored(zalo_station, zalo).refresh_token == first
    _says_how_to_recover(str(info.value), zalo)
    assert not zalo.articles


@pytest.mark.slow
def test_loa_killed_while_zalo_answers_a_rotation_is_found_out_at_the_next_command(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    from tests.channels.test_channels_cli import loa_cmd

    env = _loa_env(zalo_station, zalo, zalo.refresh_token)
    first = zalo.refresh_token
    mid = add_message(zalo_station)
    publish = [*loa_cmd(), "publish", "--message", str(mid), "--channel", "zalo", "--now"]
    zalo.hold = {"oa/access_token"}
    proc = subprocess.Popen(publish, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert zalo.received.wait(60), "loa never asked Zalo for a token"
        os.kill(proc.pid, signal.SIGKILL)  # Zalo has rotated; loa dies before it hears so
        proc.wait(10)
    finally:
        zalo.hold = set()
        zalo.release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert zalo.used_refresh == [first]
    marker = FileStore(zalo_station.root / ROTATION_FILE, zalo.app_secret).get()
    assert marker is not None and fingerprint(first) in marker and first not in marker
    # the next command that uses the OA says so (the publication waits for its look-up)
    check = [*loa_cmd(), "channels", "check"]
    again = subprocess.run(check, env=env, capture_output=True, text=True, timeout=120)
    _says_how_to_recover(again.stdout + again.stderr, zalo)
    assert not zalo.articles
