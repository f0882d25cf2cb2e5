"""Importing messages from every supported format, and broken files that change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from loa.content.importer import import_file
from loa.content.models import Message
from loa.content.vnencoding import unicode_to_vni
from loa.core.errors import UserError
from loa.core.station import Station

CSV_TEXT = (
    "title,body,topic,audiences,source_document,valid_from,valid_until,priority,airings_per_week,channels\n"
    "Nộp hồ sơ trực tuyến,Bà con nộp hồ sơ qua Cổng Dịch vụ công.,online_services,"
    "residents; workers,Kế hoạch số 68/KH-UBND ngày 16/02/2022,01/01/2026,31/12/2026,ưu tiên,3,radio; facebook\n"
    "Một cửa làm việc thứ Bảy,Bộ phận Một cửa làm việc sáng thứ Bảy.,one_stop,residents,,,,,2,radio\n"
)


def count(station: Station) -> int:
    with station.transaction() as s:
        return int(s.scalar(select(func.count(Message.id))) or 0)


def db_digest(station: Station) -> str:
    return hashlib.sha256((station.root / "loa.db").read_bytes()).hexdigest()


def run_import(station: Station, path: Path, **kw: object) -> list[Message]:
    with station.transaction() as s:
        return import_file(s, path, **kw).created  # type: ignore[arg-type]


def test_csv_utf8_and_bom(station: Station, tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    plain.write_text(CSV_TEXT, encoding="utf-8")
    bom = tmp_path / "b.csv"
    bom.write_text(CSV_TEXT, encoding="utf-8-sig")
    created = run_import(station, plain) + run_import(station, bom, allow_duplicates=True)
    assert len(created) == 4
    first = created[0]
    assert first.title == "Nộp hồ sơ trực tuyến"
    assert first.audience_codes == ["residents", "workers"]
    assert first.priority == "high"
    assert first.channels == ["radio", "facebook"]
    assert first.valid_until is not None and first.valid_until.isoformat() == "2026-12-31"
    assert created[2].title == "Nộp hồ sơ trực tuyến"  # the BOM did not leak into the header


def test_csv_with_semicolons_and_vietnamese_headers(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "Tiêu đề;Nội dung;Chủ đề\nTin một;Nội dung một;Một cửa, một cửa liên thông\n".replace(
            "Một cửa, một cửa liên thông", "one_stop"
        ),
        encoding="utf-8-sig",
    )
    (m,) = run_import(station, path)
    assert m.topic_code == "one_stop" and m.body == "Nội dung một"


def test_markdown_front_matter(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "tin.md"
    path.write_text(
        "---\ntopic: sipas\naudiences: [residents]\npriority: khẩn cấp\n---\n"
        "# Đánh giá sự hài lòng\n\nBà con hãy đánh giá.\n",
        encoding="utf-8",
    )
    (m,) = run_import(station, path)
    assert (m.title, m.body, m.topic_code, m.priority) == (
        "Đánh giá sự hài lòng",
        "Bà con hãy đánh giá.",
        "sipas",
        "urgent",
    )


def test_yaml_list(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "tin.yaml"
    path.write_text(
        "- title: Một\n  topic: papi\n  body: A\n- title: Hai\n  topic: pci\n  body: B\n",
        encoding="utf-8",
    )
    assert [m.title for m in run_import(station, path)] == ["Một", "Hai"]


def test_txt_with_header_lines_and_guessed_topic(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "tin.txt"
    path.write_text(
        "Đăng ký khai sinh trực tuyến\nĐối tượng: phụ huynh và học sinh\n\n"
        "Phụ huynh nộp hồ sơ qua dịch vụ công trực tuyến mức độ 4.\n",
        encoding="utf-8",
    )
    with station.transaction() as s:
        report = import_file(s, path)
        (m,) = report.created
        assert m.audience_codes == ["parents"]
        assert m.topic_code == "online_services"
        assert report.guessed_topics == [("Đăng ký khai sinh trực tuyến", "online_services")]


def test_vni_text_file_is_converted(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "cu.txt"
    text = "Thông báo lịch tiếp công dân\nChủ đề: one_stop\n\nỦy ban nhân dân xã tiếp công dân vào thứ Năm."
    path.write_bytes(unicode_to_vni(text).encode("latin-1"))
    (m,) = run_import(station, path)
    assert m.title == "Thông báo lịch tiếp công dân"
    assert m.body == "Ủy ban nhân dân xã tiếp công dân vào thứ Năm."


def test_docx(station: Station, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Công khai ngân sách xã", level=1)
    document.add_paragraph("Chủ đề: public_finance")
    document.add_paragraph("Nguồn: Thông tư số 343/2016/TT-BTC")
    document.add_paragraph("UBND xã công khai dự toán ngân sách năm 2026.")
    path = tmp_path / "tin.docx"
    document.save(str(path))
    (m,) = run_import(station, path)
    assert m.title == "Công khai ngân sách xã"
    assert m.topic_code == "public_finance"
    assert m.source_document == "Thông tư số 343/2016/TT-BTC"
    assert "dự toán" in m.body


BROKEN = {
    # the line where the unclosed bracket opens, not where the parser noticed it
    "bad.yaml": ("- title: Một\n  topic: papi\n  body: [unclosed\n", "dòng 3:"),
    "bad_front.md": ("\n---\ntitle: [Một\ntopic: papi\n---\nNội dung\n", "dòng 3:"),
    "missing_col.csv": ("title,body\nTin,Nội dung\n", 'thiếu cột "topic"'),
    "bad_topic.csv": ("title,body,topic\nTin,Nội dung,khong_co\n", 'chủ đề "khong_co"'),
    "bad_date.csv": (
        "title,body,topic,valid_from\nTin,Nội dung,papi,31/02/2024\n",
        "31/02/2024 không tồn tại",
    ),
    "extra_cells.csv": (
        "title,body,topic\nTin,Bà con nộp hồ sơ, lệ phí 0 đồng,papi\n",
        "dòng 2: có 4 ô nhưng dòng tiêu đề chỉ có 3 cột",
    ),
    "second_row_bad.csv": ("title,body,topic\nTốt,Nội dung,papi\nXấu,Nội dung,???\n", "dòng 3"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_changes_nothing(sample_station: Station, tmp_path: Path, name: str) -> None:
    content, expected = BROKEN[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before_count, before = count(sample_station), db_digest(sample_station)
    with pytest.raises(UserError) as info:
        run_import(sample_station, path)
    assert expected in str(info.value)
    assert name in str(info.value)
    assert count(sample_station) == before_count
    assert db_digest(sample_station) == before


def test_unknown_extension(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "tin.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(UserError, match="pdf"):
        run_import(station, path)
