"""The report as a Vietnamese administrative document (.docx) the officer edits, signs and files."""

from __future__ import annotations

import io
from typing import Any

from loa.core.dates import format_date as fmt_date
from loa.core.i18n import Catalog
from loa.core.registry import channel_label, is_audio
from loa.report.figures import Report
from loa.report.fmt import fmt_change, fmt_datetime, fmt_int, fmt_num

T = Catalog(
    {
        "number": ("Số: {number}/BC-UBND", "No.: {number}/BC-UBND"),
        "dateline": (
            "{place}, ngày ..... tháng ..... năm {year}",
            "{place}, day ..... month ..... {year}",
        ),
        "title": ("BÁO CÁO", "REPORT"),
        "subtitle": (
            "Kết quả công tác thông tin, tuyên truyền cải cách hành chính {label}",
            "Results of administrative-reform communication, {label}",
        ),
        "intro": (
            "Thực hiện nhiệm vụ thông tin, tuyên truyền cải cách hành chính (CCHC), {issuer_cap} "
            "báo cáo kết quả công tác thông tin, tuyên truyền CCHC {label}{dates} như sau:",
            "{issuer_cap} reports the results of its administrative-reform (CCHC) communication "
            "for {label}{dates} as follows:",
        ),
        "dates": (" (từ ngày {start} đến ngày {end})", " (from {start} to {end})"),
        "until": ("Số liệu tính đến {when}.", "Figures as of {when}."),
        "source": (
            "Số liệu được tổng hợp từ nhật ký phát sóng và đăng tải (những gì thực tế đã phát, "
            "đã đăng), không phải từ kế hoạch.",
            "Figures come from the as-run log (what actually aired or was published), "
            "not from the plan.",
        ),
        "s1": ("I. KẾT QUẢ THỰC HIỆN", "I. RESULTS"),
        "s1_1": ("1. Kết quả chung", "1. Overview"),
        "summary": (
            "Trong kỳ, Đài truyền thanh xã đã phát {bulletins} bản tin với {radio_items} lượt tin "
            "về CCHC, tổng thời lượng {minutes} phút; đăng tải {posts} tin, bài trên các kênh "
            "thông tin của xã{post_detail}. Tổng cộng {items} lượt tin, bài về {messages} "
            "nội dung tuyên truyền.",
            "During the period the commune radio aired {bulletins} bulletins with {radio_items} "
            "CCHC items, {minutes} minutes in total; {posts} posts went out on the commune's "
            "channels{post_detail}. In all {items} items about {messages} distinct messages.",
        ),
        "sounds": (
            "Trong thời lượng phát thanh: giọng đọc máy {speech} phút, bản ghi âm của xã "
            "{recorded} phút, phát trực tiếp {live} phút ({lives} lần).",
            "Of the radio airtime: synthetic voice {speech} min, the commune's own recordings "
            "{recorded} min, live broadcasts {live} min ({lives} times).",
        ),
        "nothing": (
            "Trong kỳ báo cáo không có tin, bài nào về CCHC được phát trên Đài truyền thanh "
            "hoặc đăng tải trên các kênh thông tin của xã (nhật ký phát sóng không ghi nhận "
            "lượt phát, đăng nào).",
            "Nothing about CCHC aired on the radio or was published on the commune's channels "
            "during the period (the as-run log records nothing).",
        ),
        "t_channel": ("Bảng 1. Kết quả theo kênh", "Table 1. Results by channel"),
        "channel": ("Kênh", "Channel"),
        "bulletins": ("Số bản tin", "Bulletins"),
        "items": ("Số lượt tin, bài", "Items"),
        "minutes": ("Thời lượng (phút)", "Airtime (min)"),
        "total": ("Tổng cộng", "Total"),
        "s1_2": ("2. Kết quả theo tháng", "2. Month by month"),
        "t_month": ("Bảng 2. Kết quả theo tháng", "Table 2. Month by month"),
        "month": ("Tháng", "Month"),
        "radio_items": ("Lượt tin phát thanh", "Radio items"),
        "s1_3": ("3. Kết quả theo nội dung (lĩnh vực CCHC)", "3. By CCHC topic"),
        "t_topic": ("Bảng 3. Số lượt tin, bài theo lĩnh vực CCHC", "Table 3. Items per CCHC topic"),
        "no": ("STT", "No."),
        "topic": ("Lĩnh vực", "Topic"),
        "radio": ("Phát thanh", "Radio"),
        "posts": ("Đăng tải", "Posts"),
        "post_broadcasts": (
            "{channel}: {posts} bài ({broadcasts} lần gửi tới người quan tâm)",
            "{channel}: {posts} posts ({broadcasts} sent to followers)",
        ),
        "sum": ("Tổng", "Total"),
        "s1_4": ("4. Kết quả theo nhóm đối tượng", "4. By audience group"),
        "t_aud": (
            "Bảng 4. Số lượt tin, bài theo nhóm đối tượng",
            "Table 4. Items per audience group",
        ),
        "audience": ("Nhóm đối tượng", "Audience group"),
        "aud_note": (
            "Một tin có thể hướng tới nhiều nhóm đối tượng nên tổng các dòng có thể lớn hơn "
            "tổng số lượt tin, bài.",
            "One item may address several groups, so the rows can add up to more than the "
            "number of items.",
        ),
        "none_rows": ("Không có số liệu.", "No data."),
        "s1_5": (
            "5. So sánh với kỳ trước ({label})",
            "5. Compared with the previous period ({label})",
        ),
        "t_cmp": ("Bảng 5. So sánh với kỳ trước", "Table 5. Compared with the previous period"),
        "measure": ("Chỉ tiêu", "Measure"),
        "this": ("Kỳ này", "This period"),
        "prev": ("Kỳ trước", "Previous period"),
        "change": ("Tăng (+), giảm (-)", "Change"),
        "cmp_bulletins": ("Số bản tin phát thanh", "Radio bulletins"),
        "cmp_radio": ("Số lượt tin phát thanh", "Radio items"),
        "cmp_minutes": ("Thời lượng phát thanh (phút)", "Radio airtime (min)"),
        "cmp_posts": ("Số bài đăng trên {channel}", "Posts on {channel}"),
        "cmp_items": ("Tổng số lượt tin, bài", "All items"),
        "s2": (
            "II. TIN, BÀI ĐÃ LÊN LỊCH NHƯNG CHƯA PHÁT, CHƯA ĐĂNG",
            "II. PLANNED BUT NOT AIRED OR PUBLISHED",
        ),
        "s2_none": (
            "Không có tin, bài nào đã lên lịch mà chưa phát hoặc chưa đăng.",
            "Everything planned in the period aired or was published.",
        ),
        "s2_some": (
            "Có {n} lượt tin, bài đã lên lịch nhưng chưa phát hoặc chưa đăng: {detail}.",
            "{n} planned items did not air or were not published: {detail}.",
        ),
        "t_und": ("Bảng 6. Tin, bài chưa phát, chưa đăng", "Table 6. Items not aired or published"),
        "when": ("Thời gian", "When"),
        "message": ("Tin, bài", "Item"),
        "state": ("Tình trạng", "Status"),
        "reason": ("Lý do", "Reason"),
        "more": (
            "... và {n} mục khác (xem đầy đủ trong tệp Excel kèm theo).",
            "... and {n} more (see the accompanying Excel workbook).",
        ),
        "s3": ("III. ĐÁNH GIÁ CHUNG", "III. ASSESSMENT"),
        "s3_good": ("1. Ưu điểm: ..........", "1. Strengths: .........."),
        "s3_bad": (
            "2. Tồn tại, hạn chế và nguyên nhân: ..........",
            "2. Shortcomings and causes: ..........",
        ),
        "s4": ("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "IV. TASKS FOR THE NEXT PERIOD"),
        "s4_text": ("..........", ".........."),
        "closing": (
            "Trên đây là báo cáo kết quả công tác thông tin, tuyên truyền cải cách hành chính "
            "{label} của {issuer_cap}./.",
            "This concludes {issuer_cap}'s report on administrative-reform communication for "
            "{label}.",
        ),
        "fig1": (
            "Biểu đồ 1. Số lượt tin, bài theo tháng và theo kênh",
            "Chart 1. Items per month by channel",
        ),
        "fig2": ("Biểu đồ 2. Số lượt tin, bài theo lĩnh vực CCHC", "Chart 2. Items per CCHC topic"),
        "recipients": ("Nơi nhận:", "Recipients:"),
        "rcpt_district": (
            "UBND huyện {district} (b/c);",
            "District People's Committee {district};",
        ),
        "rcpt_home": ("Phòng Nội vụ huyện;", "District Home Affairs Office;"),
        "rcpt_archive": ("Lưu: VT, VHTT.", "Archive."),
        "on_behalf": ("TM. ỦY BAN NHÂN DÂN", "ON BEHALF OF THE PEOPLE'S COMMITTEE"),
        "signer": ("Phó Chủ tịch", "Vice Chairperson"),
    }
)

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
LOCALITY_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
FONT = "Times New Roman"


def issuer_name(station_name: str) -> str:
    """ "Xã Cẩm Nhượng" -> "UBND XÃ CẨM NHƯỢNG" (a bare name is taken to be a commune)."""
    name = station_name.strip()
    if not name.lower().startswith(LOCALITY_PREFIXES):
        name = f"Xã {name}"
    return f"UBND {name.upper()}"


def issuer_in_text(station_name: str) -> str:
    """ "Xã Cẩm Nhượng" -> "UBND xã Cẩm Nhượng", as the issuer is named inside a sentence."""
    name = station_name.strip()
    for prefix in LOCALITY_PREFIXES:
        if name.lower().startswith(prefix):
            return f"UBND {prefix}{name[len(prefix) :].strip()}"
    return f"UBND xã {name}"


def place_name(station_name: str) -> str:
    """ "Xã Cẩm Nhượng" -> "Cẩm Nhượng", for the place-and-date line."""
    name = station_name.strip()
    for prefix in LOCALITY_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def render_docx(report: Report, charts: dict[str, bytes]) -> bytes:
    """The .docx file as bytes; `charts` maps "monthly" and "topics" to PNG bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    s = report.settings
    issuer = s.issuer or issuer_name(report.station_name)
    issuer_cap = s.issuer_text or issuer_in_text(report.station_name)
    place = s.place or place_name(report.station_name)
    label = report.period.label
    doc = Document()
    props = doc.core_properties
    props.title = f"{T('title')} {T('subtitle', label=label)}"
    props.author = issuer
    props.created = report.generated_at
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    _east_asia_font(normal, FONT)
    normal.paragraph_format.space_after = Pt(3)

    # Header: issuer and number on the left, the national motto and date line on the right.
    head = doc.add_table(rows=1, cols=2)
    _widths(head, (Cm(6.5), Cm(10.0)))
    left, right = head.rows[0].cells
    _cell_lines(
        left,
        [
            (issuer, True, False, 12),
            ("———", False, False, 10),
            (T("number", number=s.number or "......."), False, False, 13),
        ],
    )
    _cell_lines(
        right,
        [
            (MOTTO[0], True, False, 12),
            (MOTTO[1], True, False, 13),
            ("———————", False, False, 10),
            (T("dateline", place=place, year=report.generated_at.year), False, True, 13),
        ],
    )

    _para(doc, "", space=6)
    _para(doc, T("title"), bold=True, size=14, center=True, space=0)
    _para(doc, T("subtitle", label=label), bold=True, size=14, center=True, space=0)
    _para(doc, "———", center=True, space=6)

    dates = (
        ""
        if report.period.kind == "range"
        else T("dates", start=fmt_date(report.period.start), end=fmt_date(report.period.end))
    )
    _para(doc, T("intro", issuer_cap=issuer_cap, label=label, dates=dates), indent=True)
    hi = report.period.bounds()[1]
    if report.data_until < hi:
        _para(doc, T("until", when=fmt_datetime(report.data_until)), italic=True, indent=True)
    _para(doc, T("source"), italic=True, indent=True)

    t = report.totals
    _para(doc, T("s1"), bold=True)
    _para(doc, T("s1_1"), bold=True)
    if report.empty:
        _para(doc, T("nothing"), indent=True)
    else:
        detail = "; ".join(
            T(
                "post_broadcasts",
                channel=channel_label(c),
                posts=fmt_int(t.posts.get(c, 0)),
                broadcasts=fmt_int(t.broadcasts[c]),
            )
            if t.broadcasts.get(c)
            else f"{channel_label(c)}: {fmt_int(t.posts.get(c, 0))}"
            for c in report.channels
            if not is_audio(c) and (t.posts.get(c, 0) or t.broadcasts.get(c))
        )
        _para(
            doc,
            T(
                "summary",
                bulletins=fmt_int(t.bulletins),
                radio_items=fmt_int(t.radio_items),
                minutes=fmt_num(t.airtime_min),
                posts=fmt_int(t.post_total),
                post_detail=f" ({detail})" if detail else "",
                items=fmt_int(t.items),
                messages=fmt_int(t.messages),
            ),
            indent=True,
        )
        if t.recorded_s or t.live_s:
            _para(
                doc,
                T(
                    "sounds",
                    speech=fmt_num(t.speech_min),
                    recorded=fmt_num(t.recorded_min),
                    live=fmt_num(t.live_min),
                    lives=fmt_int(t.lives),
                ),
                indent=True,
            )
    _caption(doc, T("t_channel"))
    rows: list[list[str]] = []
    for c in report.channels:
        is_radio = is_audio(c)
        rows.append(
            [
                channel_label(c),
                fmt_int(t.bulletins) if is_radio else "",
                fmt_int(t.channel_items(c)),
                fmt_num(t.airtime_min) if is_radio else "",
            ]
        )
    rows.append([T("total"), fmt_int(t.bulletins), fmt_int(t.items), fmt_num(t.airtime_min)])
    _table(
        doc,
        [T("channel"), T("bulletins"), T("items"), T("minutes")],
        rows,
        (Cm(6.5), Cm(3.0), Cm(3.5), Cm(3.5)),
        bold_last=True,
    )

    others = [c for c in report.channels if not is_audio(c)]
    _para(doc, T("s1_2"), bold=True)
    _caption(doc, T("t_month"))
    header = [
        T("month"),
        T("bulletins"),
        T("radio_items"),
        T("minutes"),
        *[channel_label(c) for c in others],
        T("sum"),
    ]
    rows = [
        [
            m.label,
            fmt_int(m.totals.bulletins),
            fmt_int(m.totals.radio_items),
            fmt_num(m.totals.airtime_min),
            *[fmt_int(m.totals.posts.get(c, 0)) for c in others],
            fmt_int(m.totals.items),
        ]
        for m in report.months
    ]
    rows.append(
        [
            T("total"),
            fmt_int(t.bulletins),
            fmt_int(t.radio_items),
            fmt_num(t.airtime_min),
            *[fmt_int(t.posts.get(c, 0)) for c in others],
            fmt_int(t.items),
        ]
    )
    _table(doc, header, rows, None, bold_last=True, size=11)
    if "monthly" in charts:
        _picture(doc, charts["monthly"], T("fig1"))

    _para(doc, T("s1_3"), bold=True)
    _caption(doc, T("t_topic"))
    _breakdown_table(doc, report.topics, T("topic"), with_total=True)
    if "topics" in charts:
        _picture(doc, charts["topics"], T("fig2"))

    _para(doc, T("s1_4"), bold=True)
    _caption(doc, T("t_aud"))
    _breakdown_table(doc, report.audiences, T("audience"), with_total=False)
    _para(doc, T("aud_note"), italic=True, size=11)

    p = report.previous
    _para(doc, T("s1_5", label=report.previous_period.label), bold=True)
    _caption(doc, T("t_cmp"))
    rows = [
        [
            T("cmp_bulletins"),
            fmt_int(t.bulletins),
            fmt_int(p.bulletins),
            fmt_change(t.bulletins, p.bulletins),
        ],
        [
            T("cmp_radio"),
            fmt_int(t.radio_items),
            fmt_int(p.radio_items),
            fmt_change(t.radio_items, p.radio_items),
        ],
        [
            T("cmp_minutes"),
            fmt_num(t.airtime_min),
            fmt_num(p.airtime_min),
            fmt_change(t.airtime_min, p.airtime_min, digits=1),
        ],
        *[
            [
                T("cmp_posts", channel=channel_label(c)),
                fmt_int(t.posts.get(c, 0)),
                fmt_int(p.posts.get(c, 0)),
                fmt_change(t.posts.get(c, 0), p.posts.get(c, 0)),
            ]
            for c in others
        ],
        [T("cmp_items"), fmt_int(t.items), fmt_int(p.items), fmt_change(t.items, p.items)],
    ]
    _table(
        doc,
        [T("measure"), T("this"), T("prev"), T("change")],
        rows,
        (Cm(7.0), Cm(3.0), Cm(3.0), Cm(3.5)),
        bold_last=True,
    )

    _para(doc, T("s2"), bold=True)
    und = report.undelivered
    if not und:
        _para(doc, T("s2_none"), indent=True)
    else:
        from loa.report.figures import undelivered_label

        detail = "; ".join(
            f"{undelivered_label(k)}: {fmt_int(v)}" for k, v in report.undelivered_counts.items()
        )
        _para(doc, T("s2_some", n=fmt_int(len(und)), detail=detail), indent=True)
        limit = s.doc_max_undelivered
        _caption(doc, T("t_und"))
        rows = [
            [
                fmt_int(i),
                fmt_datetime(u.when) if u.when else "",
                channel_label(u.channel),
                u.title,
                u.status_text,
                u.reason,
            ]
            for i, u in enumerate(und[:limit], 1)
        ]
        _table(
            doc,
            [T("no"), T("when"), T("channel"), T("message"), T("state"), T("reason")],
            rows,
            (Cm(1.1), Cm(2.6), Cm(2.4), Cm(5.0), Cm(2.4), Cm(3.0)),
            size=10,
        )
        if len(und) > limit:
            _para(doc, T("more", n=fmt_int(len(und) - limit)), italic=True, size=11)

    _para(doc, T("s3"), bold=True)
    _para(doc, T("s3_good"), indent=True)
    _para(doc, T("s3_bad"), indent=True)
    _para(doc, T("s4"), bold=True)
    _para(doc, T("s4_text"), indent=True)
    _para(doc, T("closing", label=label, issuer_cap=issuer_cap), indent=True, space=12)

    sign = doc.add_table(rows=1, cols=2)
    _widths(sign, (Cm(8.0), Cm(8.5)))
    left, right = sign.rows[0].cells
    recipients = list(s.recipients)
    if not recipients:
        recipients = [
            T("rcpt_district", district=report.district or "...."),
            T("rcpt_home"),
            T("rcpt_archive"),
        ]
    _cell_lines(
        left,
        [(T("recipients"), True, True, 12), *[(f"- {r}", False, False, 11) for r in recipients]],
        center=False,
    )
    signer = (s.signer or T("signer")).upper()
    _cell_lines(
        right,
        [
            (s.on_behalf or T("on_behalf"), True, False, 13),
            (signer, True, False, 13),
            ("", False, False, 13),
            ("", False, False, 13),
            ("", False, False, 13),
            (s.signer_name, True, False, 13),
        ],
    )

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _east_asia_font(style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(
    doc: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
    center: bool = False,
    indent: bool = False,
    space: int | None = None,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1.0)
    if space is not None:
        p.paragraph_format.space_after = Pt(space)
    return p


def _caption(doc: Any, text: str) -> None:
    _para(doc, text, italic=True, bold=True, size=12, center=True, space=2)


def _widths(table: Any, widths: tuple[Any, ...]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _cell_lines(cell: Any, lines: list[tuple[str, bool, bool, int]], center: bool = True) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.paragraphs[0].text = ""
    for i, (text, bold, italic, size) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
        p.paragraph_format.space_after = Pt(0)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(
    doc: Any,
    header: list[str],
    rows: list[list[str]],
    widths: tuple[Any, ...] | None,
    *,
    bold_last: bool = False,
    size: int = 12,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.rows[r].cells[c]
            cell.text = ""
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(size)
            run.bold = r == 0 or (bold_last and r == len(rows))
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            if r == 0 or (c > 0 and _numeric(value)):
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if widths:
        _widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return table


def _numeric(text: str) -> bool:
    return (
        bool(text) and text.lstrip("+-").replace(".", "").replace(",", "").split(" ")[0].isdigit()
    )


def _breakdown_table(doc: Any, rows_in: list[Any], name_header: str, *, with_total: bool) -> None:
    from docx.shared import Cm

    if not rows_in:
        _para(doc, T("none_rows"), italic=True, indent=True)
        return
    rows = [
        [
            fmt_int(i),
            r.name,
            fmt_int(_aired(r.by_channel)),
            fmt_int(r.total - _aired(r.by_channel)),
            fmt_int(r.total),
        ]
        for i, r in enumerate(rows_in, 1)
    ]
    if with_total:
        radio = sum(_aired(r.by_channel) for r in rows_in)
        total = sum(r.total for r in rows_in)
        rows.append(["", T("total"), fmt_int(radio), fmt_int(total - radio), fmt_int(total)])
    _table(
        doc,
        [T("no"), name_header, T("radio"), T("posts"), T("sum")],
        rows,
        (Cm(1.2), Cm(8.3), Cm(2.3), Cm(2.3), Cm(2.4)),
        bold_last=with_total,
    )


def _picture(doc: Any, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(png), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, caption, italic=True, size=11, center=True)


def _aired(by_channel: dict[str, int]) -> int:
    """The items of a row's audio channels (the radio)."""
    return sum(n for c, n in by_channel.items() if is_audio(c))
