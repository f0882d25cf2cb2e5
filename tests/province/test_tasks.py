"""What a worker runs for a station: the day ahead (plan, render, playlists), as `loa run`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import tomlkit
from sqlalchemy import func, select

from loa.province.queue import Tasks
from loa.province.registry import Province
from loa.province.stations import add_station, open_station
from tests.channels.fake_graph import FakeGraph
from tests.province.posts import plan_posts


def test_the_daily_job_plans_renders_and_writes_playlists(province: Province) -> None:
    from loa.app.setup import SAMPLE_DAY, load_sample
    from loa.planning.models import PlanEntry

    add_station(province, "xa_a", name="Xã A")
    path = province.stations_dir / "xa_a" / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc.setdefault("audio", tomlkit.table())["engine"] = "silent"
    doc.setdefault("scheduler", tomlkit.table())["auto_plan_days"] = 2
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    station = open_station(province, "xa_a")
    load_sample(station, today=SAMPLE_DAY)
    station.engine.dispose()
    today = SAMPLE_DAY  # a Sunday: the job renders Monday 23/11/2026
    tasks = Tasks(province)
    rendered = tasks.daily(
        "xa_a", today.isoformat(), now=datetime.combine(today, time(20, 0)).isoformat()
    )
    tasks.close()
    station = open_station(province, "xa_a")
    tomorrow = today + timedelta(days=1)
    with station.transaction() as s:
        planned = s.scalar(select(func.count(PlanEntry.id)).where(PlanEntry.channel == "radio"))
    station.engine.dispose()
    assert planned and planned > 0
    playlists = sorted((station.media_dir / "playlists" / tomorrow.isoformat()).glob("*.m3u"))
    assert rendered > 0 and len(playlists) >= 1
    first = playlists[0].read_text(encoding="utf-8").splitlines()
    assert first[0] == "#EXTM3U" and first[-1].endswith(".mp3")
    assert isinstance(date.fromisoformat(tomorrow.isoformat()), date)


class KeepAliveGraph(FakeGraph):
    """The fake Graph API answering HTTP/1.1 with keep-alive, noting each client connection."""

    def __init__(self) -> None:
        super().__init__(token="EAAB-keep-alive")
        self.httpd.RequestHandlerClass.protocol_version = "HTTP/1.1"  # type: ignore[attr-defined]
        self.peers: set[int] = set()

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        self.peers.add(h.client_address[1])
        super()._serve(h, method)


def test_a_worker_keeps_its_channel_connection_from_one_post_to_the_next(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = KeepAliveGraph().start()
    try:
        ids = _facebook_posts(province, graph, monkeypatch, 3)
        tasks = Tasks(province)
        try:
            done = [tasks.publish("xa_fb", entry) for entry in ids]
        finally:
            tasks.close()
        assert done == ["published"] * 3
        # Three posts over one connection (a TLS handshake to graph.facebook.com each otherwise).
        assert len(graph.peers) == 1
    finally:
        graph.stop()


def _keep_open(province: Province, n: int) -> None:
    from loa.province.registry import PROVINCE_FILE

    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["workers"] = {"keep_open": n}
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _connections(province: Province) -> int:
    from sqlalchemy import text

    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
                )
            )
    finally:
        engine.dispose()


def test_a_worker_holds_many_stations_on_a_few_connections(province: Province) -> None:
    idents = [f"xa_{k}" for k in range(6)]
    for ident in idents:
        add_station(province, ident, name=ident)
    before = _connections(province)
    tasks = Tasks(province)
    try:
        for ident in idents:
            assert tasks.playlist(ident, "2026-11-23") == 0
        # six stations open (they were six connections, one each)
        assert _connections(province) - before <= Tasks.POOL_SIZE
    finally:
        tasks.close()


def test_a_reopened_station_skips_the_schema_check_unless_its_revision_changed(
    province: Province,
) -> None:
    """With keep_open = 1 every other job reopens its station: the schema check of
    `open_database` (it reads information_schema.schemata) runs only the first time; a
    revision changed meanwhile (a newer loa migrated it) is seen and refused."""
    from sqlalchemy import Engine, event, text

    from loa.core.errors import UserError

    _keep_open(province, 1)
    for ident in ("xa_a", "xa_b"):
        add_station(province, ident, name=ident)
    checks: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "information_schema.schemata" in statement:
            checks.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    tasks = Tasks(province)
    try:
        for ident in ("xa_a", "xa_b", "xa_a", "xa_b", "xa_a"):
            tasks.playlist(ident, "2026-11-23")
        assert len(checks) == 2  # once per station, not at each of the five opens
        engine = province.engine(pool_size=1)
        with engine.begin() as conn:
            conn.execute(text("UPDATE xa_b.alembic_version SET version_num = 'ffff_newer'"))
        engine.dispose()
        with pytest.raises(UserError):
            tasks.playlist("xa_b", "2026-11-23")  # reopened (keep_open 1): checked again
        assert len(checks) == 3
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
        tasks.close()


def _facebook_posts(
    province: Province, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch, n: int
) -> list[int]:
    """Station "xa_fb" posting to `graph`, with `n` posts planned 30 s ago and before: their
    plan entry ids."""
    add_station(province, "xa_fb", name="Xã FB")
    path = province.stations_dir / "xa_fb" / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    fb = tomlkit.table()
    fb["page_id"] = graph.page_id
    fb["graph_url"] = graph.url
    doc.setdefault("channels", tomlkit.table())["facebook"] = fb
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("LOA_FACEBOOK_TOKEN", graph.token)
    station = open_station(province, "xa_fb")
    now = station.now().replace(microsecond=0)
    ids = plan_posts(station, [now - timedelta(seconds=30 + k) for k in range(n)])
    station.engine.dispose()
    return ids


def test_a_post_is_three_commits_with_its_rate_token_in_the_first(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entry check, rate token and hand-over in one commit; the claim with its first attempt
    in the next; the outcome with the plan entry's move in the last (issue #32's cost)."""
    from sqlalchemy import Engine, event

    from loa.planning.models import PlanEntry, PlanStatus

    graph = FakeGraph(token="EAAB-three-commits").start()
    try:
        ids = _facebook_posts(province, graph, monkeypatch, 3)
        tasks = Tasks(province)
        commits: list[object] = []

        def commit(conn: object) -> None:
            commits.append(conn)

        try:
            assert tasks.publish("xa_fb", ids[0]) == "published"  # the station opened
            event.listen(Engine, "commit", commit)
            try:
                assert tasks.publish("xa_fb", ids[1]) == "published"
                assert len(commits) == 3
                commits.clear()
                assert tasks.publish("xa_fb", ids[1]) == "not due"  # nothing to pay for
                assert len(commits) == 1
            finally:
                event.remove(Engine, "commit", commit)
        finally:
            tasks.close()
        station = open_station(province, "xa_fb")
        with station.transaction() as s:
            moved = {e.id: e.status for e in s.scalars(select(PlanEntry))}
        station.engine.dispose()
        assert moved[ids[0]] == moved[ids[1]] == PlanStatus.DONE
        assert moved[ids[2]] == PlanStatus.PLANNED
        assert len(graph.posts) == 2
    finally:
        graph.stop()


def test_a_rate_limited_post_leaves_its_entry_and_the_outbox_as_they_were(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loa.channels.models import Publication
    from loa.planning.models import PlanEntry, PlanStatus
    from loa.province.queue import RateLimited
    from loa.province.registry import PROVINCE_FILE

    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["rate_limits"] = {"facebook": 1}  # one post a minute: the second must wait
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    graph = FakeGraph(token="EAAB-rate-limited").start()
    try:
        ids = _facebook_posts(province, graph, monkeypatch, 2)
        tasks = Tasks(province)
        try:
            assert tasks.publish("xa_fb", ids[0]) == "published"
            with pytest.raises(RateLimited) as waited:
                tasks.publish("xa_fb", ids[1])
        finally:
            tasks.close()
        assert 0 < waited.value.wait_s <= 60
        station = open_station(province, "xa_fb")
        with station.transaction() as s:
            entry = s.get(PlanEntry, ids[1])
            assert entry is not None and entry.status == PlanStatus.PLANNED
            keys = set(s.scalars(select(Publication.key)))
        station.engine.dispose()
        assert keys == {f"plan:{ids[0]}:facebook"}
        assert len(graph.posts) == 1
    finally:
        graph.stop()
