"""A province: init, stations added new or imported from SQLite with all their history (checked
row for row), list and status per commune and summed, and refusals that leave nothing behind."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from typer.testing import CliRunner

from loa.app.setup import SAMPLE_DAY, init_station
from loa.cli.main import app
from loa.core.errors import UserError
from loa.province.registry import Province, find_province, init_province
from loa.province.stations import add_station, open_station
from loa.province.status import province_status
from tests.report.simulate import simulate_week


def _schemas(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_schema_names())
    finally:
        engine.dispose()


def test_init_prepares_the_register_and_the_queue(province: Province, pg_url: str) -> None:
    assert {"province", "procrastinate"} <= _schemas(pg_url)
    assert (province.root / "province.toml").is_file()
    assert "s3cret" not in (province.root / "province.toml").read_text(encoding="utf-8")
    assert find_province(province.root).database == province.database
    assert province.stations() == []
    with pytest.raises(UserError, match="đã là một tỉnh"):
        init_province(province.root, name="x", database=pg_url)


def test_a_password_or_sqlite_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="mật khẩu"):
        init_province(tmp_path / "a", name="x", database="postgresql://u:s3cret@127.0.0.1/x")
    with pytest.raises(UserError, match="cần PostgreSQL"):
        init_province(tmp_path / "b", name="x", database="sqlite:///x.db")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_new_stations_keep_their_own_data(province: Province) -> None:
    from loa.content.models import Message, Topic

    add_station(province, "xa_a", name="Xã A")
    add_station(province, "xa_b", name="Xã B")
    a, b = open_station(province, "xa_a"), open_station(province, "xa_b")
    with a.transaction() as s:
        topic = s.scalars(select(Topic.code)).first()
        s.add(Message(title="chỉ của A", body="...", topic_code=topic, status="approved"))
    with b.transaction() as s:
        assert s.scalar(select(func.count(Message.id))) == 0
        assert s.scalar(select(func.count(Topic.code))) > 0  # seeded like loa init
    assert [r.ident for r in province.stations()] == ["xa_a", "xa_b"]
    assert a.name == "Xã A" and a.db_schema == "xa_a"
    status = province_status(province)
    assert [s.messages for s in status.stations] == [1, 0]
    assert status.total.messages == 1


def test_an_existing_station_is_imported_with_all_its_history(
    province: Province, tmp_path: Path
) -> None:
    from loa.app.planning import plan_station
    from loa.core.db import Base

    origin = init_station(tmp_path / "cam", name="Xã Cẩm Nhượng", sample=True, today=SAMPLE_DAY)
    plan_station(origin, date(2026, 11, 23), 7, now=datetime(2026, 11, 22, 20, 0))
    expected = simulate_week(origin)
    (origin.media_dir / "bulletins").mkdir(exist_ok=True)
    (origin.media_dir / "bulletins" / "a.mp3").write_bytes(b"ID3 clip")
    (origin.root / "secrets.zalo.enc").write_bytes(b"sealed tokens")
    counts: dict[str, int] = {}
    with origin.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = conn.scalar(select(func.count()).select_from(table)) or 0
    record, check = add_station(province, "xa_cam_nhuong", source=origin.root)
    assert check is not None
    assert check.rows == counts and check.total > 100
    assert record.name == "Xã Cẩm Nhượng"
    copy = open_station(province, "xa_cam_nhuong")
    assert (copy.media_dir / "bulletins" / "a.mp3").read_bytes() == b"ID3 clip"
    assert (copy.root / "secrets.zalo.enc").read_bytes() == b"sealed tokens"
    # history carried over: the report reads the same figures from PostgreSQL
    from loa.report import build_report
    from tests.report.simulate import NOW, WEEK_END, WEEK_START

    got = build_report(copy, WEEK_START, WEEK_END, now=NOW)
    assert got.totals.bulletins == expected.bulletins == 12
    assert got.totals.posts == dict(expected.posts)
    assert got.totals == build_report(origin, WEEK_START, WEEK_END, now=NOW).totals
    # and the sequences go on after the imported ids
    from loa.content.models import Message, Topic

    with copy.transaction() as s:
        topic = s.scalars(select(Topic.code)).first()
        fresh = Message(title="mới", body="...", topic_code=topic)
        s.add(fresh)
        s.flush()
        assert fresh.id == counts["messages"] + 1
    assert province_status(province).stations[0].aired == counts["as_run"]


def test_a_failed_import_leaves_no_schema_no_register_line_no_folder(
    province: Province, tmp_path: Path, pg_url: str
) -> None:
    origin = init_station(tmp_path / "x", name="Xã X")
    (origin.root / "loa.toml").write_text(
        (origin.root / "loa.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with origin.engine.begin() as conn:  # a row the copy cannot take: a dangling foreign key
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        conn.execute(
            text(
                "INSERT INTO plan_entries (message_id, channel, scheduled_at, position, "
                "duration_s, score, status, created_at) VALUES (4242, 'radio', "
                "'2026-11-23 06:00:00', 0, 0, 0, 'planned', '2026-11-22 00:00:00')"
            )
        )
    with pytest.raises(Exception):  # noqa: B017  (the database refuses the row)
        add_station(province, "xa_x", source=origin.root)
    assert "xa_x" not in _schemas(pg_url)
    assert province.stations() == []
    assert not (province.stations_dir / "xa_x").exists()


def test_refusals(province: Province, tmp_path: Path) -> None:
    add_station(province, "xa_a", name="Xã A")
    with pytest.raises(UserError, match="đã có đài xa_a"):
        add_station(province, "xa_a", name="again")
    for bad in ("Xa-A", "province", "procrastinate", "public"):
        with pytest.raises(UserError):
            add_station(province, bad, name="x")
    with pytest.raises(UserError, match="Không tìm thấy đài"):
        add_station(province, "xa_none", source=tmp_path / "nowhere")


def test_cli(province: Province, tmp_path: Path) -> None:
    runner = CliRunner()
    p = ["--province", str(province.root)]
    added = runner.invoke(app, ["province", "add-station", "xa_a", "--name", "Xã A", *p])
    assert added.exit_code == 0, added.output
    origin = init_station(tmp_path / "b", name="Xã B", sample=True, today=SAMPLE_DAY)
    imported = runner.invoke(
        app, ["province", "add-station", "xa_b", "--from", str(origin.root), *p]
    )
    assert imported.exit_code == 0 and "Đã nhập 87 dòng" in imported.output
    listed = runner.invoke(app, ["province", "list", "--json", *p])
    assert [r["name"] for r in json.loads(listed.stdout)] == ["Xã A", "Xã B"]
    status = runner.invoke(app, ["province", "status", "--json", *p])
    data = json.loads(status.stdout)
    assert data["total"]["messages"] == 20 and len(data["stations"]) == 2
    table = runner.invoke(app, ["province", "status", *p])
    assert "Cả tỉnh" in table.output
    from loa.core.i18n import set_language

    set_language("en")
    again = runner.invoke(app, ["province", "add-station", "xa_a", *p])
    assert again.exit_code == 2 and "already has a station xa_a" in again.output
    missing = runner.invoke(app, ["province", "list", "--province", str(tmp_path)])
    assert missing.exit_code == 2 and "No province" in missing.output


def test_the_province_report_is_each_communes_report_summed(
    province: Province, tmp_path: Path
) -> None:
    from loa.province.status import province_report
    from loa.report import build_report
    from tests.report.simulate import NOW, WEEK_END, WEEK_START

    origin = init_station(tmp_path / "a", name="Xã A")
    expected = simulate_week(origin)
    add_station(province, "xa_a", source=origin.root)
    add_station(province, "xa_b", source=origin.root)
    add_station(province, "xa_empty", name="Xã trống")
    report = province_report(province, WEEK_START, WEEK_END, now=NOW)
    assert [c.ident for c in report.communes] == ["xa_a", "xa_b", "xa_empty"]
    single = build_report(origin, WEEK_START, WEEK_END, now=NOW).totals
    a = report.communes[0]
    assert (a.bulletins, a.radio_items, a.posts) == (
        single.bulletins,
        single.radio_items,
        dict(single.posts),
    )
    assert report.communes[2].items == 0
    total = report.total
    assert total.bulletins == 2 * expected.bulletins
    assert total.posts == {k: 2 * v for k, v in expected.posts.items()}
    cli = CliRunner().invoke(
        app,
        [
            "province",
            "report",
            "--from",
            "28/10/2026",
            "--to",
            "03/11/2026",
            "--json",
            "--province",
            str(province.root),
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["total"]["bulletins"] == 2 * expected.bulletins
    bad = CliRunner().invoke(
        app,
        [
            "province",
            "report",
            "--from",
            "31/02/2026",
            "--to",
            "x",
            "--province",
            str(province.root),
        ],
    )
    assert bad.exit_code == 2 and "31/02/2026" in bad.output


def test_worker_and_scheduler_name_a_server_that_is_down(tmp_path: Path) -> None:
    folder = tmp_path / "down"
    folder.mkdir()
    (folder / "province.toml").write_text(
        '[province]\nname = "x"\ndatabase = "postgresql://loa@127.0.0.1:1/loa"\n', encoding="utf-8"
    )
    for command in (["worker"], ["scheduler"], ["province", "status"]):
        result = CliRunner().invoke(app, [*command, "--province", str(folder)])
        assert result.exit_code == 1, result.output
        assert "Không kết nối được PostgreSQL" in result.output
        assert "Traceback" not in result.output


def test_the_dashboard_shows_the_province_page(province: Province, tmp_path: Path) -> None:
    """A commune of a province install gets a "Toàn tỉnh" page: each commune's state now and,
    for a period asked for, each commune's report figures and the province's sum."""
    from fastapi.testclient import TestClient

    from loa.app import users
    from loa.web.app import create_app
    from tests.report.simulate import NOW

    origin = init_station(tmp_path / "a", name="Xã A")
    expected = simulate_week(origin)
    add_station(province, "xa_a", source=origin.root)
    add_station(province, "xa_b", name="Xã B")
    # "tinh" is named in [province] staff, but a commune's user all the same: only a
    # province user (`loa province user add`, tests/province/test_dashboard.py) sees them all
    toml = province.root / "province.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("[province]\n", '[province]\nstaff = ["tinh"]\n'),
        encoding="utf-8",
    )
    station = open_station(province, "xa_a")
    try:
        users.add_user(station, "tinh", "viewer", "mat-khau-rat-dai", now=NOW)
        token = users.new_token(station, "tinh", now=NOW)
        with TestClient(create_app(station, clock=lambda: NOW)) as client:
            bearer = {"Authorization": f"Bearer {token}"}
            now_page = client.get("/province", headers=bearer)
            assert now_page.status_code == 200
            assert "Toàn tỉnh: Tỉnh Thử Nghiệm" in now_page.text
            assert "xa_a" in now_page.text and "Xã B" not in now_page.text
            assert 'id="province-report"' not in now_page.text  # only when asked
            asked = client.get("/province?start=28/10/2026&end=03/11/2026", headers=bearer).text
            report = asked.split('id="province-report"', 1)[1]
            total_row = report.split('class="total"', 1)[1].split("</tr>", 1)[0]
            assert f"<td>{expected.bulletins}</td>" in total_row
            assert "xa_b" not in asked
            assert 'href="/province"' in asked  # in the menu
    finally:
        station.engine.dispose()
    station = open_station(province, "xa_b")
    try:
        # A commune's own viewer sees that commune only, now and in the report.
        users.add_user(station, "xa", "viewer", "mat-khau-rat-dai", now=NOW)
        own = users.new_token(station, "xa", now=NOW)
        with TestClient(create_app(station, clock=lambda: NOW)) as client:
            bearer = {"Authorization": f"Bearer {own}"}
            now_page = client.get("/province", headers=bearer).text
            assert "Xã B" in now_page and "xa_a" not in now_page
            asked = client.get("/province?start=28/10/2026&end=03/11/2026", headers=bearer).text
            assert "xa_a" not in asked and "Xã A" not in asked
    finally:
        station.engine.dispose()
