"""The written .docx, .xlsx and charts, read back: their numbers agree with each other and with
the as-run records of the simulated week."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from loa.app.setup import init_station
from loa.channels.models import AsRunRecord
from loa.core.errors import RuntimeFailure
from loa.core.i18n import set_language
from loa.report import build_report, write_report
from tests.report.simulate import NOW, WEEK_END, WEEK_START, simulate_week

PNG = b"\x89PNG\r\n\x1a\n"


def num(text: str) -> float:
    """A number as the Vietnamese report writes it: 1.234 and 12,5."""
    return float(text.replace(".", "").replace(",", "."))


def table(doc, first_header: str, second_header: str | None = None) -> list[list[str]]:
    for t in doc.tables:
        head = [c.text for c in t.rows[0].cells]
        if head[0] == first_header and (second_header is None or head[1] == second_header):
            return [[c.text for c in row.cells] for row in t.rows]
    raise AssertionError(f"no table starting with {first_header!r}")


def sheet(wb, name: str) -> list[list]:
    return [list(row) for row in wb[name].iter_rows(values_only=True)]


def text_of(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    """One simulated week written once for the read-only checks of this module."""
    set_language("vi")
    root = tmp_path_factory.mktemp("written")
    station = init_station(root / "station", name="Xã Thử Nghiệm")
    exp = simulate_week(station)
    report = build_report(station, WEEK_START, WEEK_END, now=NOW)
    files = write_report(report, root / "out")
    return station, exp, report, files, Document(str(files.docx)), load_workbook(files.xlsx)


def test_files_exist_and_charts_are_embedded(written) -> None:
    _, _, _, files, doc, _ = written
    assert files.docx.name == "bao-cao-cchc-2026-10-28_2026-11-03.docx"
    for png in files.charts:
        assert png.read_bytes().startswith(PNG)
    assert len(doc.inline_shapes) == 2
    embedded = {rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype}
    assert embedded == {p.read_bytes() for p in files.charts}
    assert not list(files.docx.parent.glob(".*.part"))


def test_administrative_layout(written) -> None:
    _, _, _, _, doc, _ = written
    text = text_of(doc)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ THỬ NGHIỆM",
        "Số: ......./BC-UBND",
        "Thử Nghiệm, ngày ..... tháng ..... năm 2026",
        "BÁO CÁO",
        "Kết quả công tác thông tin, tuyên truyền cải cách hành chính từ ngày "
        "28/10/2026 đến ngày 03/11/2026",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TIN, BÀI ĐÃ LÊN LỊCH",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "PHÓ CHỦ TỊCH",
    ):
        assert expected in text, expected
    # The motto sits beside the commune's name: one header table, two cells.
    head = doc.tables[0].rows[0].cells
    assert "UBND XÃ THỬ NGHIỆM" in head[0].text and "CỘNG HÒA" in head[1].text


def test_channel_table_agrees_with_workbook_and_log(written) -> None:
    _, exp, _, _, doc, wb = written
    rows = table(doc, "Kênh", "Số bản tin")
    by_name = {r[0]: r for r in rows[1:]}
    radio = by_name["Đài truyền thanh"]
    summary = {r[0]: r[2] for r in sheet(wb, "Tổng hợp")[1:]}
    assert num(radio[1]) == summary["bulletins"] == exp.bulletins
    assert num(radio[2]) == summary["radio_items"] == exp.radio_items
    assert num(radio[3]) == summary["airtime_min"] == round(exp.airtime_s / 60, 1)
    assert summary["airtime_s"] == pytest.approx(exp.airtime_s)
    assert num(by_name["Trang Facebook"][2]) == summary["posts.facebook"] == exp.posts["facebook"]
    assert num(by_name["Trang thông tin điện tử"][2]) == summary["posts.website"] == 4
    assert num(by_name["Tổng cộng"][2]) == summary["items"] == exp.items
    assert summary["undelivered"] == sum(exp.undelivered.values())


def test_month_table_agrees(written) -> None:
    _, exp, _, _, doc, wb = written
    doc_rows = table(doc, "Tháng")[1:]
    xl_rows = sheet(wb, "Theo tháng")[1:]
    assert len(doc_rows) == len(xl_rows) == 3  # two months and the total
    for d, x in zip(doc_rows, xl_rows, strict=True):
        assert d[0] == x[0]
        assert [num(v) for v in d[1:]] == pytest.approx([float(v) for v in x[1:]])
    for d in doc_rows[:-1]:
        month = exp.months[d[0]]
        assert num(d[2]) == month["radio"]
        assert num(d[4]) == month["facebook"] and num(d[5]) == month["website"]
        assert num(d[1]) == exp.month_bulletins[d[0]]
    total = doc_rows[-1]
    assert num(total[1]) == sum(num(d[1]) for d in doc_rows[:-1]) == exp.bulletins
    assert num(total[-1]) == sum(num(d[-1]) for d in doc_rows[:-1]) == exp.items


def test_topic_and_audience_tables_agree(written) -> None:
    _, exp, report, _, doc, wb = written
    names = {t.name: t.code for t in report.topics}
    doc_topics = {r[1]: num(r[4]) for r in table(doc, "STT", "Lĩnh vực")[1:]}
    xl_topics = {r[2]: r[-1] for r in sheet(wb, "Theo lĩnh vực")[1:]}
    assert doc_topics == xl_topics
    assert doc_topics.pop("Tổng cộng") == exp.items
    assert {names[n]: v for n, v in doc_topics.items()} == dict(exp.topics)
    aud_names = {a.name: a.code for a in report.audiences}
    doc_aud = {aud_names[r[1]]: num(r[4]) for r in table(doc, "STT", "Nhóm đối tượng")[1:]}
    xl_aud = {r[1]: r[-1] for r in sheet(wb, "Theo đối tượng")[1:]}
    assert doc_aud == xl_aud == dict(exp.audiences)


def test_comparison_table_agrees(written) -> None:
    _, _, _, _, doc, wb = written
    doc_rows = {r[0]: r for r in table(doc, "Chỉ tiêu", "Kỳ này")[1:]}
    xl_rows = {r[1]: r for r in sheet(wb, "So sánh kỳ trước")[1:]}
    for label in (
        "Số bản tin phát thanh",
        "Số lượt tin phát thanh",
        "Số bài đăng trên Trang Facebook",
        "Tổng số lượt tin, bài",
    ):
        d, x = doc_rows[label], xl_rows[label]
        assert (num(d[1]), num(d[2])) == (x[2], x[3])
    assert doc_rows["Số bản tin phát thanh"][1:4] == ["12", "3", "+9 (+300,0%)"]
    assert doc_rows["Số bài đăng trên Trang thông tin điện tử"][3] == "+4 (—)"


def test_undelivered_table_agrees(written) -> None:
    _, exp, _, _, doc, wb = written
    doc_rows = table(doc, "STT", "Thời gian")[1:]
    xl_rows = sheet(wb, "Chưa phát, chưa đăng")[1:]
    assert len(doc_rows) == len(xl_rows) == sum(exp.undelivered.values()) == 7
    assert sorted(r[5] for r in xl_rows) == sorted(exp.undelivered.elements())
    assert [r[4] for r in doc_rows] == [r[6] for r in xl_rows]
    assert "Token trang Facebook đã hết hạn" in {r[5] for r in doc_rows}


def test_raw_rows_are_the_as_run_log(written) -> None:
    station, exp, _, _, _, wb = written
    rows = sheet(wb, "Nhật ký phát")
    header, rows = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    with station.transaction() as s:
        n = s.scalar(
            select(func.count())
            .select_from(AsRunRecord)
            .where(
                AsRunRecord.started_at >= datetime(2026, 10, 28),
                AsRunRecord.started_at < datetime(2026, 11, 4),
            )
        )
    assert len(rows) == n
    done_radio = [r for r in rows if r[col["Kênh"]] == "radio" and r[col["Tình trạng"]] == "done"]
    assert len(done_radio) == exp.radio_items
    assert sum(r[col["Thời lượng (giây)"]] for r in done_radio) == pytest.approx(exp.airtime_s)
    assert len({r[col["Bản tin"]] for r in done_radio}) == exp.bulletins
    assert isinstance(rows[0][col["Bắt đầu"]], datetime)


def test_empty_report_is_a_valid_document(station, tmp_path: Path) -> None:
    report = build_report(station, date(2026, 1, 1), date(2026, 3, 31), now=NOW)
    files = write_report(report, tmp_path)
    doc = Document(str(files.docx))
    text = text_of(doc)
    assert "không có tin, bài nào về CCHC được phát" in text
    assert "Không có tin, bài nào đã lên lịch mà chưa phát" in text
    assert len(doc.inline_shapes) == 2
    wb = load_workbook(files.xlsx)
    summary = {r[0]: r[2] for r in sheet(wb, "Tổng hợp")[1:]}
    assert summary["items"] == summary["bulletins"] == 0
    assert len(sheet(wb, "Nhật ký phát")) == 1


def test_rewriting_replaces_the_files(written, tmp_path: Path) -> None:
    _, _, report, _, _, _ = written
    first = write_report(report, tmp_path)
    (tmp_path / first.docx.name).write_bytes(b"old")
    again = write_report(report, tmp_path)
    assert again == first
    assert len(list(tmp_path.iterdir())) == 4
    assert Document(str(again.docx)).tables


def test_unwritable_folder_is_a_runtime_failure(week, tmp_path: Path) -> None:
    station, _ = week
    blocker = tmp_path / "file"
    blocker.write_text("x")
    report = build_report(station, WEEK_START, WEEK_END, now=NOW)
    with pytest.raises(RuntimeFailure, match="--out"):
        write_report(report, blocker / "reports")


def test_english_documents(week, tmp_path: Path) -> None:
    station, exp = week
    set_language("en")
    report = build_report(station, WEEK_START, WEEK_END, now=NOW)
    files = write_report(report, tmp_path)
    doc = Document(str(files.docx))
    assert "REPORT" in text_of(doc)
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames[0] == "Summary"
    summary = {r[0]: r[2] for r in sheet(wb, "Summary")[1:]}
    assert summary["items"] == exp.items
    radio = {r[0]: r for r in table(doc, "Channel")[1:]}["Radio"]
    assert int(radio[1]) == exp.bulletins
