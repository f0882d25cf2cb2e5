"""The SourceSystem seam with its JSON-over-HTTP adapter against a real HTTP server on
127.0.0.1 standing in for another vendor's platform: its bulletins come in once as province
messages, each commune airing goes back out once as an as-run report, the first acknowledged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import tomlkit

from loa.core.errors import RuntimeFailure, UserError
from loa.province.deliveries import list_messages
from loa.province.messages import tag_station
from loa.province.registry import PROVINCE_FILE, Province
from loa.province.source import open_source, sync
from loa.province.stations import add_station
from tests.province.test_report_files import _air

TOKEN = "nguon-bi-mat-123"
NOW = datetime(2026, 11, 20, 7, 0)


class Platform:
    """Another vendor's source platform: bulletins to give, what it was told."""

    def __init__(self) -> None:
        self.bulletins: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        self.acks: dict[str, Any] = {}
        self.asked_since: list[str] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(401, {"error": "unauthorised"})
                    return False
                return True

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                url = urlparse(self.path)
                if url.path == "/api/bulletins":
                    platform.asked_since += parse_qs(url.query).get("since", [])
                    self._answer(200, {"bulletins": platform.bulletins})
                else:
                    self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/as-run":
                    platform.reports += body["reports"]
                    self._answer(200, {"accepted": len(body["reports"])})
                elif self.path.startswith("/api/bulletins/") and self.path.endswith("/ack"):
                    platform.acks[self.path.split("/")[3]] = body["aired_at"]
                    self._answer(200, {"ok": True})
                else:
                    self._answer(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Platform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform() -> Iterator[Platform]:
    server = Platform().start()
    yield server
    server.stop()


def _configure(province: Province, settings: dict[str, Any]) -> None:
    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = tomlkit.table()
    table.update(settings)
    doc["source_system"] = table
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def test_bulletins_come_in_once_and_airings_go_out_once(
    province: Province, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_SOURCE_TOKEN", TOKEN)
    for ident, name in (("xa_bien", "Xã Biển"), ("xa_nui", "Xã Núi")):
        add_station(province, ident, name=name, now=NOW)
    tag_station(province, "xa_bien", ["ven-bien"])
    _configure(province, {"name": "json-http", "url": platform.url})
    platform.bulletins = [
        {
            "id": "VN-1",
            "title": "Lịch tiêm chủng",
            "body": "Tiêm vắc xin ngày 25.",
            "class": "normal",
            "targets": ["all"],
            "valid_until": "2026-11-30",
        },
        {
            "id": "VN-2",
            "title": "Triều cường",
            "body": "Bà con chằng chống nhà cửa.",
            "class": "high",
            "targets": ["ven-bien"],
        },
    ]
    system = open_source(province)

    first = sync(province, system, now=NOW)
    assert len(first.imported) == 2 and not first.refused
    assert platform.asked_since == ["2026-11-13T07:00:00"]
    messages = {m.title: m for m in list_messages(province)}
    assert sorted(d.ident for d in messages["Lịch tiêm chủng"].deliveries) == ["xa_bien", "xa_nui"]
    assert [d.ident for d in messages["Triều cường"].deliveries] == ["xa_bien"]
    assert messages["Triều cường"].priority == "high"
    assert sync(province, system, now=NOW).imported == []  # the same remote ids: not again
    assert len(list_messages(province)) == 2
    assert platform.reports == [] and platform.acks == {}

    vaccine = {d.ident: d.station_message_id for d in messages["Lịch tiêm chủng"].deliveries}
    _air(province, "xa_nui", vaccine["xa_nui"], NOW.replace(hour=6), ["ban1"])
    _air(province, "xa_bien", vaccine["xa_bien"], NOW.replace(hour=17), ["thon1", "thon2"])
    done = sync(province, system, now=NOW)
    assert done.reported == 2 and done.acknowledged == ["VN-1"]
    assert [(r["station"], r["bulletin_id"], r["started_at"]) for r in platform.reports] == [
        ("xa_nui", "VN-1", "2026-11-20T06:00:00"),
        ("xa_bien", "VN-1", "2026-11-20T17:00:00"),
    ]
    assert platform.reports[1]["zones"] == ["thon1", "thon2"]
    assert platform.reports[1]["duration_s"] == 90.0
    assert platform.acks == {"VN-1": "2026-11-20T06:00:00"}

    again = sync(province, system, now=NOW)  # nothing new aired: nothing sent again
    assert again.reported == 0 and again.acknowledged == []
    assert len(platform.reports) == 2


def test_a_wrong_token_or_name_is_said_and_nothing_is_imported(
    province: Province, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_station(province, "xa_bien", name="Xã Biển", now=NOW)
    platform.bulletins = [{"id": "VN-9", "title": "Tin", "body": "Nội dung.", "class": "normal"}]
    monkeypatch.setenv("LOA_SOURCE_TOKEN", "sai")
    _configure(province, {"url": platform.url})
    with pytest.raises(RuntimeFailure, match="401") as refused:
        sync(province, open_source(province), now=NOW)
    assert "sai" not in str(refused.value)
    assert list_messages(province) == []
    _configure(province, {"name": "vendor-x", "url": platform.url})
    with pytest.raises(UserError, match="json-http"):
        open_source(province)
    _configure(province, {"name": "json-http"})
    with pytest.raises(UserError, match="url"):
        open_source(province)


def test_loa_province_source_sync_says_what_it_did(
    province: Province, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    monkeypatch.setenv("LOA_SOURCE_TOKEN", TOKEN)
    add_station(province, "xa_bien", name="Xã Biển")
    _configure(province, {"url": platform.url})
    platform.bulletins = [{"id": "VN-3", "title": "Tin", "body": "Nội dung.", "class": "normal"}]
    runner = CliRunner(env={"LOA_LANG": "vi"})
    done = runner.invoke(app, ["province", "source", "sync", "--province", str(province.root)])
    assert done.exit_code == 0, done.output
    assert "Đã nhận 1 tin mới" in done.output
    assert TOKEN not in done.output
