"""The province's report (.docx in the administrative form, .xlsx): what the province sent
down (messages by TT39 class, coverage: communes and zones reached, airings, airtime), each
province message's reach, beside each commune's own figures and their sum.

The figures are given (`ProvinceSheet`), read by `loa.province`; this module only lays them
out, so it needs nothing above the report layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from loa.core.dates import format_date as fmt_date
from loa.core.i18n import Catalog
from loa.core.registry import channel_label
from loa.report.docx_form import (
    data_table,
    form_header,
    new_document,
    paragraph,
    signature_block,
    title_block,
    to_bytes,
)
from loa.report.fmt import fmt_int, fmt_num

T = Catalog(
    {
        "title": ("BÁO CÁO", "REPORT"),
        "subtitle": (
            "Kết quả hoạt động hệ thống thông tin nguồn và đài truyền thanh cơ sở "
            "từ ngày {start} đến ngày {end}",
            "Results of the source information system and the communes' radios from {start} "
            "to {end}",
        ),
        "number": ("Số: {number}/BC-STTTT", "No.: {number}/BC-STTTT"),
        "dateline": (
            "{place}, ngày ..... tháng ..... năm {year}",
            "{place}, day ..... month ..... {year}",
        ),
        "intro": (
            "Thực hiện Thông tư số 39/2020/TT-BTTTT quy định về quản lý đài truyền thanh cấp "
            "xã ứng dụng công nghệ thông tin - viễn thông, {issuer} báo cáo kết quả hoạt động "
            "của hệ thống thông tin nguồn của tỉnh và các đài truyền thanh cơ sở như sau:",
            "Under Circular 39/2020/TT-BTTTT on commune radios using ICT, {issuer} reports the "
            "results of the province's source information system and the communes' radios "
            "as follows:",
        ),
        "s1": ("I. TIN, BÀI TỈNH GỬI XUỐNG CÁC XÃ", "I. MESSAGES THE PROVINCE SENT DOWN"),
        "s2": ("II. TIN, BÀI CỦA TỈNH ĐÃ PHÁT", "II. THE PROVINCE'S MESSAGES AND THEIR REACH"),
        "s3": ("III. KẾT QUẢ CỦA TỪNG XÃ", "III. EACH COMMUNE'S FIGURES"),
        "measure": ("Chỉ tiêu", "Measure"),
        "value": ("Số liệu", "Value"),
        "class_normal": ("Tin thông thường", "Normal messages"),
        "class_high": ("Tin ưu tiên", "Priority messages"),
        "class_urgent": ("Tin khẩn cấp", "Urgent messages"),
        "sent_total": ("Tổng số tin, bài gửi xuống", "Messages sent down"),
        "deliveries": ("Số lượt chuyển tới xã", "Copies delivered to communes"),
        "targeted": ("Số xã nhận tin", "Communes that received them"),
        "aired": ("Số xã đã phát trên loa", "Communes that aired them"),
        "zones": ("Số cụm loa (thôn, tổ) đã phát", "Loudspeaker zones that aired them"),
        "posted": ("Số xã đã đăng trên mạng", "Communes that posted them"),
        "airings": ("Số lượt phát thanh", "Radio airings"),
        "airtime": ("Thời lượng phát thanh (phút)", "Radio airtime (min)"),
        "posts": ("Số bài đăng", "Posts"),
        "no": ("STT", "No."),
        "msg_title": ("Tin, bài", "Message"),
        "msg_class": ("Loại", "Class"),
        "msg_when": ("Gửi lúc", "Sent at"),
        "msg_reach": ("Số xã nhận / đã phát / đã đăng", "Communes got / aired / posted"),
        "no_messages": ("Trong kỳ tỉnh không gửi tin nào.", "The province sent no message."),
        "commune": ("Xã, phường", "Commune"),
        "bulletins": ("Bản tin", "Bulletins"),
        "items": ("Lượt tin phát", "Items aired"),
        "minutes": ("Phút phát", "Minutes"),
        "province_items": ("Lượt tin của tỉnh", "Province items"),
        "total": ("Tổng cộng", "Total"),
        "problems": (
            "Không đọc được số liệu của: {names}.",
            "The figures of these could not be read: {names}.",
        ),
        "recipients": ("Nơi nhận:", "To:"),
        "recipients_list": (
            "- Bộ Thông tin và Truyền thông (Cục TTCS);\n- UBND tỉnh;\n- Lưu: VT.",
            "- Ministry of Information and Communications;\n- Provincial People's Committee;"
            "\n- Archive.",
        ),
        "signer": ("GIÁM ĐỐC", "DIRECTOR"),
        "sh_province": ("Tỉnh gửi xuống", "Sent down"),
        "sh_messages": ("Tin của tỉnh", "Province messages"),
        "sh_communes": ("Từng xã", "Communes"),
        "ident": ("Mã đài", "Station"),
        "from": ("Từ ngày", "From"),
        "to": ("Đến ngày", "To"),
        "generated": ("Lập lúc", "Generated at"),
    }
)

CLASSES = ("normal", "high", "urgent")


@dataclass
class CommuneRow:
    """One commune's own figures in the period (its `loa report` totals)."""

    ident: str
    name: str
    bulletins: int
    radio_items: int
    airtime_min: float
    posts: dict[str, int]
    #: Airings of the province's messages in this commune.
    province_items: int = 0


@dataclass
class MessageRow:
    """One province message and its reach."""

    id: int
    title: str
    priority: str
    created_at: datetime
    communes: int
    aired_in: int
    posted_in: int


@dataclass
class ProvinceSheet:
    """Everything the province report shows."""

    name: str
    start: date
    end: date
    generated_at: datetime
    #: The province's own figures (`loa.province.deliveries.ProvinceFigures.to_dict()`).
    own: dict[str, Any]
    messages: list[MessageRow] = field(default_factory=list)
    communes: list[CommuneRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def channels(self) -> list[str]:
        return sorted({ch for c in self.communes for ch in c.posts})

    def total(self) -> CommuneRow:
        posts: dict[str, int] = {}
        for c in self.communes:
            for ch, n in c.posts.items():
                posts[ch] = posts.get(ch, 0) + n
        return CommuneRow(
            "",
            T("total"),
            sum(c.bulletins for c in self.communes),
            sum(c.radio_items for c in self.communes),
            round(sum(c.airtime_min for c in self.communes), 1),
            posts,
            sum(c.province_items for c in self.communes),
        )

    def own_rows(self) -> list[tuple[str, float]]:
        """(measure, value) of the province's own figures, in the form's order."""
        sent = self.own.get("sent", {})
        return [
            *((T(f"class_{c}"), float(sent.get(c, 0))) for c in CLASSES),
            (T("sent_total"), float(sum(sent.values()))),
            (T("deliveries"), float(self.own.get("deliveries", 0))),
            (T("targeted"), float(self.own.get("communes_targeted", 0))),
            (T("aired"), float(self.own.get("communes_aired", 0))),
            (T("zones"), float(self.own.get("zones_aired", 0))),
            (T("posted"), float(self.own.get("communes_posted", 0))),
            (T("airings"), float(self.own.get("airings", 0))),
            (T("airtime"), float(self.own.get("airtime_min", 0.0))),
            (T("posts"), float(self.own.get("posts", 0))),
        ]


def _class_label(priority: str) -> str:
    return T(f"class_{priority}") if priority in CLASSES else priority


def _fmt(value: float) -> str:
    return fmt_int(int(value)) if float(value).is_integer() else fmt_num(value)


def render_province_docx(sheet: ProvinceSheet) -> bytes:
    """The province report as a .docx in the administrative form (header, motto, sections,
    tables, recipients and signature)."""
    from docx.shared import Cm

    issuer = f"SỞ THÔNG TIN VÀ TRUYỀN THÔNG {sheet.name.upper()}"
    doc = new_document(f"{T('title')} {sheet.name}", sheet.generated_at)
    place = sheet.name.removeprefix("Tỉnh ").removeprefix("Thành phố ").strip()
    form_header(
        doc,
        (Cm(7.0), Cm(9.5)),
        issuer,
        T("number", number="......."),
        T("dateline", place=place, year=sheet.generated_at.year),
    )
    subtitle = T("subtitle", start=fmt_date(sheet.start), end=fmt_date(sheet.end))
    title_block(doc, T("title"), subtitle)
    paragraph(doc, T("intro", issuer=issuer.title()), indent=True)

    paragraph(doc, T("s1"), bold=True)
    data_table(
        doc,
        [T("no"), T("measure"), T("value")],
        [[fmt_int(i), m, _fmt(v)] for i, (m, v) in enumerate(sheet.own_rows(), 1)],
        (Cm(1.2), Cm(11.0), Cm(4.3)),
    )
    paragraph(doc, T("s2"), bold=True)
    if sheet.messages:
        data_table(
            doc,
            [T("no"), T("msg_title"), T("msg_class"), T("msg_when"), T("msg_reach")],
            [
                [
                    fmt_int(i),
                    m.title,
                    _class_label(m.priority),
                    m.created_at.strftime("%H:%M %d/%m/%Y"),
                    f"{m.communes} / {m.aired_in} / {m.posted_in}",
                ]
                for i, m in enumerate(sheet.messages, 1)
            ],
            (Cm(1.2), Cm(6.5), Cm(2.5), Cm(3.0), Cm(3.3)),
            size=11,
        )
    else:
        paragraph(doc, T("no_messages"), italic=True, indent=True)
    paragraph(doc, T("s3"), bold=True)
    channels = sheet.channels
    header = [T("no"), T("commune"), T("bulletins"), T("items"), T("minutes"), T("province_items")]
    header += [channel_label(c) for c in channels]
    rows = [
        [
            fmt_int(i) if c.ident else "",
            c.name,
            fmt_int(c.bulletins),
            fmt_int(c.radio_items),
            fmt_num(c.airtime_min),
            fmt_int(c.province_items),
            *(fmt_int(c.posts.get(ch, 0)) for ch in channels),
        ]
        for i, c in enumerate([*sheet.communes, sheet.total()], 1)
    ]
    data_table(doc, header, rows, None, bold_last=True, size=10)
    if sheet.problems:
        paragraph(doc, T("problems", names=", ".join(sheet.problems)), italic=True, indent=True)

    signature_block(
        doc,
        [(T("recipients"), True, True, 12)]
        + [(line, False, False, 11) for line in T("recipients_list").split("\n")],
        [(T("signer"), True, False, 13), ("", False, False, 13)],
    )
    return to_bytes(doc)


def render_province_xlsx(sheet: ProvinceSheet) -> bytes:
    """The province report as a workbook: the province's own figures, its messages, and each
    commune's figures with the sum (numbers as numbers, for the province's own sums)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws: Any = wb.active
    ws.title = T("sh_province")
    bold = Font(bold=True)
    ws.append([sheet.name])
    ws.append(
        [T("from"), sheet.start.strftime("%d/%m/%Y"), T("to"), sheet.end.strftime("%d/%m/%Y")]
    )
    ws.append([T("generated"), sheet.generated_at.strftime("%H:%M %d/%m/%Y")])
    ws.append([])
    ws.append([T("no"), T("measure"), T("value")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for i, (measure, value) in enumerate(sheet.own_rows(), 1):
        ws.append([i, measure, int(value) if float(value).is_integer() else value])
    ws.column_dimensions["B"].width = 44

    ms = wb.create_sheet(T("sh_messages"))
    ms.append(
        [
            T("no"),
            T("msg_title"),
            T("msg_class"),
            T("msg_when"),
            T("targeted"),
            T("aired"),
            T("posted"),
        ]
    )
    for cell in ms[1]:
        cell.font = bold
    for i, m in enumerate(sheet.messages, 1):
        ms.append(
            [
                i,
                m.title,
                _class_label(m.priority),
                m.created_at,
                m.communes,
                m.aired_in,
                m.posted_in,
            ]
        )
    ms.column_dimensions["B"].width = 44

    cs = wb.create_sheet(T("sh_communes"))
    channels = sheet.channels
    cs.append(
        [
            T("no"),
            T("ident"),
            T("commune"),
            T("bulletins"),
            T("items"),
            T("minutes"),
            T("province_items"),
            *(channel_label(c) for c in channels),
        ]
    )
    for cell in cs[1]:
        cell.font = bold
    for i, c in enumerate([*sheet.communes, sheet.total()], 1):
        cs.append(
            [
                i if c.ident else None,
                c.ident or None,
                c.name,
                c.bulletins,
                c.radio_items,
                c.airtime_min,
                c.province_items,
                *(c.posts.get(ch, 0) for ch in channels),
            ]
        )
    for cell in cs[cs.max_row]:
        cell.font = bold
    cs.column_dimensions["C"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
