"""A message's recording from the dashboard: uploaded with the form (checked by its content and
kept once), played on the message's page as given and as mastered, replaced and removed."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from loa.content.models import Message
from loa.core.station import Station
from tests.audio.recordings import make
from tests.web.conftest import log_in
from tests.web.test_photos import count, fields


def audio_of(station: Station, message_id: int) -> tuple[str | None, str | None]:
    with station.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message.audio, message.audio_name


def test_upload_play_replace_and_remove(
    client: TestClient, web_station: Station, tmp_path: Path
) -> None:
    log_in(client, "lan")
    data = make(tmp_path, "m4a", seconds=1.2).read_bytes()
    r = client.post(
        "/messages/new",
        data=fields(client),
        files={"recording": ("chủ tịch đọc.m4a", data, "audio/mp4")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    message_id = int(re.search(r"/messages/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    ref, name = audio_of(web_station, message_id)
    assert ref is not None and ref.endswith(".m4a") and name == "chủ tịch đọc.m4a"
    page = client.get(f"/messages/{message_id}").text
    assert f'src="/messages/{message_id}/recording/original"' in page
    assert f'src="/messages/{message_id}/recording"' in page
    original = client.get(f"/messages/{message_id}/recording/original")
    assert original.status_code == 200 and original.content == data
    assert original.headers["content-type"] == "audio/mp4"
    mastered = client.get(f"/messages/{message_id}/recording")
    assert mastered.status_code == 200 and mastered.headers["content-type"] == "audio/mpeg"
    assert mastered.content[:1] == b"\xff" and len(mastered.content) > 1000

    webm = make(tmp_path, "webm", seconds=1.0).read_bytes()
    r = client.post(
        f"/messages/{message_id}/edit",
        data=fields(client),
        files={"recording": ("ghi-am.webm", webm, "audio/webm")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert audio_of(web_station, message_id)[0].endswith(".webm")  # type: ignore[union-attr]
    r = client.post(
        f"/messages/{message_id}/edit",
        data=fields(client, audio_remove="1"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert audio_of(web_station, message_id) == (None, None)
    assert client.get(f"/messages/{message_id}/recording").status_code == 404


def test_a_file_that_is_no_recording_keeps_the_form_and_saves_nothing(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    before = count(web_station)
    r = client.post(
        "/messages/new",
        data=fields(client),
        files={"recording": ("ghi-am.mp3", b"%PDF-1.4 not a recording", "audio/mpeg")},
    )
    assert r.status_code == 400
    assert "không phải tệp ghi âm" in r.text and 'value="Ngày hội dịch vụ công"' in r.text
    assert count(web_station) == before
    folder = web_station.media_dir / "recordings"
    assert not folder.exists() or not list(folder.iterdir())
