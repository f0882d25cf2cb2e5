"""`loa province report --format docx|xlsx`: the province's own figures (sent down by class,
coverage, airtime) beside each commune's, after a day of simulated airing, read back from the
files with python-docx and openpyxl."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from loa.content.models import Message, Priority
from loa.province.messages import send, tag_station
from loa.province.registry import Province
from loa.province.stations import add_station, open_station

DAY = datetime(2026, 11, 20, 7, 0)


def _air(province: Province, ident: str, message_id: int, at: datetime, zones: list[str]) -> None:
    """One airing of the commune's message `message_id` in its as-run, as its player logs it."""
    from loa.channels.models import AsRunRecord, AsRunStatus

    station = open_station(province, ident)
    try:
        with station.transaction() as s:
            message = s.get(Message, message_id)
            assert message is not None
            s.add(
                AsRunRecord(
                    channel="radio",
                    status=AsRunStatus.DONE,
                    started_at=at,
                    ended_at=at + timedelta(seconds=90),
                    duration_s=90.0,
                    bulletin=f"{at:%Y-%m-%dT%H:%M}",
                    message_id=message_id,
                    title=message.title,
                    topic_code=message.topic_code,
                    audiences=[],
                    zones=zones,
                    kind="speech",
                )
            )
    finally:
        station.engine.dispose()


def _province_with_a_day(province: Province) -> None:
    for ident, name in (("xa_bien", "Xã Biển"), ("xa_nui", "Xã Núi"), ("xa_dong", "Xã Đồng")):
        add_station(province, ident, name=name, now=DAY)
    tag_station(province, "xa_bien", ["ven-bien"])
    normal = send(
        province,
        title="Nộp hồ sơ trực tuyến",
        body="Bà con nộp hồ sơ trên Cổng dịch vụ công.",
        priority=Priority.NORMAL,
        targets=["all"],
        by="tỉnh",
        now=DAY,
    )
    storm = send(
        province,
        title="Cảnh báo bão số 9",
        body="Tàu thuyền vào nơi trú ẩn.",
        priority=Priority.HIGH,
        targets=["ven-bien"],
        by="tỉnh",
        now=DAY,
    )
    # the day: xa_bien airs both (storm on two zones), xa_nui the normal one; xa_dong nothing
    _air(province, "xa_bien", normal.delivered["xa_bien"], DAY.replace(hour=17), ["thon1"])
    _air(province, "xa_bien", storm.delivered["xa_bien"], DAY.replace(hour=8), ["thon1", "thon2"])
    _air(province, "xa_bien", storm.delivered["xa_bien"], DAY.replace(hour=18), ["thon1", "thon2"])
    _air(province, "xa_nui", normal.delivered["xa_nui"], DAY.replace(hour=6), ["ban1"])


def _report(province: Province, tmp_path: Path, fmt: str) -> Path:
    from loa.cli.main import app

    out = tmp_path / "out"
    done = CliRunner(env={"LOA_LANG": "vi", "COLUMNS": "200"}).invoke(
        app,
        [
            "province",
            "report",
            "--from",
            "20/11/2026",
            "--to",
            "20/11/2026",
            "--format",
            fmt,
            "--out",
            str(out),
            "--province",
            str(province.root),
        ],
    )
    assert done.exit_code == 0, done.output
    files = list(out.glob(f"*.{fmt}"))
    assert len(files) == 1
    return files[0]


def test_the_docx_report_has_the_province_figures_beside_each_commune(
    province: Province, tmp_path: Path
) -> None:
    import docx

    _province_with_a_day(province)
    document = docx.Document(str(_report(province, tmp_path, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].rows[0].cells[1].text
    assert "Thông tư số 39/2020/TT-BTTTT" in text
    own = {row.cells[1].text: row.cells[2].text for row in document.tables[1].rows[1:]}
    assert own["Tin thông thường"] == "1"
    assert own["Tin ưu tiên"] == "1"
    assert own["Tin khẩn cấp"] == "0"
    assert own["Số lượt chuyển tới xã"] == "4"  # 3 communes + the coastal one
    assert own["Số xã nhận tin"] == "3"
    assert own["Số xã đã phát trên loa"] == "2"
    assert own["Số cụm loa (thôn, tổ) đã phát"] == "3"  # xa_bien thon1, thon2; xa_nui ban1
    assert own["Số lượt phát thanh"] == "4"
    assert own["Thời lượng phát thanh (phút)"] == "6"
    reach = {row.cells[1].text: row.cells[4].text for row in document.tables[2].rows[1:]}
    assert reach == {"Nộp hồ sơ trực tuyến": "3 / 2 / 0", "Cảnh báo bão số 9": "1 / 1 / 0"}
    communes = {
        row.cells[1].text: [c.text for c in row.cells] for row in document.tables[3].rows[1:]
    }
    assert communes["Xã Biển"][3] == "3" and communes["Xã Biển"][5] == "3"
    assert communes["Xã Núi"][3] == "1" and communes["Xã Núi"][5] == "1"
    assert communes["Xã Đồng"][3] == "0"
    assert communes["Tổng cộng"][3] == "4" and communes["Tổng cộng"][5] == "4"


def test_the_xlsx_report_has_the_same_figures_as_numbers(
    province: Province, tmp_path: Path
) -> None:
    import openpyxl

    _province_with_a_day(province)
    wb = openpyxl.load_workbook(_report(province, tmp_path, "xlsx"))
    own = {r[1]: r[2] for r in wb["Tỉnh gửi xuống"].iter_rows(min_row=6, values_only=True)}
    assert own["Tin ưu tiên"] == 1 and own["Số xã đã phát trên loa"] == 2
    assert own["Thời lượng phát thanh (phút)"] == 6
    rows = list(wb["Từng xã"].iter_rows(min_row=2, values_only=True))
    by_name = {r[2]: r for r in rows}
    assert by_name["Xã Biển"][1] == "xa_bien" and by_name["Xã Biển"][4] == 3
    assert by_name["Xã Biển"][6] == 3  # airings of province messages
    assert by_name["Tổng cộng"][4] == 4 and by_name["Tổng cộng"][5] == 6.0
    titles = [r[1] for r in wb["Tin của tỉnh"].iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["Cảnh báo bão số 9", "Nộp hồ sơ trực tuyến"]


def test_an_unknown_format_is_refused_in_vietnamese(province: Province, tmp_path: Path) -> None:
    from loa.cli.main import app

    done = CliRunner(env={"LOA_LANG": "vi"}).invoke(
        app,
        [
            "province",
            "report",
            "--from",
            "20/11/2026",
            "--to",
            "20/11/2026",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "out"),
            "--province",
            str(province.root),
        ],
    )
    assert done.exit_code == 2
    assert "--format docx" in done.output
    assert not (tmp_path / "out").exists()
