"""A message with the commune's own recording still posts its text: the recording replaces the
synthetic reading on the radio only."""

from __future__ import annotations

from loa.app.publish import publish_message
from loa.content.models import Message
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure


def test_a_recorded_message_posts_its_text_on_the_website(station: Station) -> None:
    configure(station, "channels.website", base_url="https://xa.example.vn/loa")
    message_id = add_message(station, body="Bà con mang căn cước khi đến làm thủ tục.")
    with station.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.audio, message.audio_name, message.audio_seconds = "a" * 64 + ".m4a", "x.m4a", 9.0
    published = publish_message(station, message_id, "website", now=NOW)
    html = (station.media_dir / "web" / published.remote_id).read_text(encoding="utf-8")
    assert "Bà con mang căn cước khi đến làm thủ tục." in html
    assert "x.m4a" not in html and ".m4a" not in html
