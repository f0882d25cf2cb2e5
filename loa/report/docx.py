"""The report as a Vietnamese administrative document (.docx) the officer edits, signs and files."""

from __future__ import annotations

from typing import Any

from loa.core.dates import format_date as fmt_date
from loa.core.i18n import Catalog
from loa.core.registry import channel_label, is_audio
from loa.report.docx_form import (
    caption,
    data_table,
    form_header,
    new_document,
    paragraph,
    picture,
    signature_block,
    title_block,
    to_bytes,
)
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

LOCALITY_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")


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
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    s = report.settings
    issuer = s.issuer or issuer_name(report.station_name)
    place = s.place or place_name(report.station_name)
    label = report.period.label
    doc = new_document(
        f"{T('title')} {T('subtitle', label=label)}", report.generated_at, author=issuer
    )
    doc.sections[0].orientation = WD_ORIENT.PORTRAIT
    doc.styles["Normal"].paragraph_format.space_after = Pt(3)
    form_header(
        doc,
        (Cm(6.5), Cm(10.0)),
        issuer,
        T("number", number=s.number or "......."),
        T("dateline", place=place, year=report.generated_at.year),
    )
    title_block(doc, T("title"), T("subtitle", label=label))
    _introduction(doc, report)
    _totals(doc, report)
    _months(doc, report, charts)
    _topics_and_audiences(doc, report, charts)
    _comparison(doc, report)
    _undelivered(doc, report)
    _assessment(doc, report)
    _signature(doc, report)
    return to_bytes(doc)


def _introduction(doc: Any, report: Report) -> None:
    """What the report covers, up to when, and where its figures come from."""
    s = report.settings
    issuer_cap = s.issuer_text or issuer_in_text(report.station_name)
    label = report.period.label
    dates = (
        ""
        if report.period.kind == "range"
        else T("dates", start=fmt_date(report.period.start), end=fmt_date(report.period.end))
    )
    paragraph(doc, T("intro", issuer_cap=issuer_cap, label=label, dates=dates), indent=True)
    hi = report.period.bounds()[1]
    if report.data_until < hi:
        paragraph(doc, T("until", when=fmt_datetime(report.data_until)), italic=True, indent=True)
    paragraph(doc, T("source"), italic=True, indent=True)


def _totals(doc: Any, report: Report) -> None:
    """I.1: the period's totals in words and by channel."""
    from docx.shared import Cm

    t = report.totals
    paragraph(doc, T("s1"), bold=True)
    paragraph(doc, T("s1_1"), bold=True)
    if report.empty:
        paragraph(doc, T("nothing"), indent=True)
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
        paragraph(
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
            paragraph(
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
    caption(doc, T("t_channel"))
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
    data_table(
        doc,
        [T("channel"), T("bulletins"), T("items"), T("minutes")],
        rows,
        (Cm(6.5), Cm(3.0), Cm(3.5), Cm(3.5)),
        bold_last=True,
    )


def _months(doc: Any, report: Report, charts: dict[str, bytes]) -> None:
    """I.2: month by month, with the monthly chart."""
    t = report.totals
    others = [c for c in report.channels if not is_audio(c)]
    paragraph(doc, T("s1_2"), bold=True)
    caption(doc, T("t_month"))
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
    data_table(doc, header, rows, None, bold_last=True, size=11)
    if "monthly" in charts:
        picture(doc, charts["monthly"], T("fig1"))


def _topics_and_audiences(doc: Any, report: Report, charts: dict[str, bytes]) -> None:
    """I.3 and I.4: by topic (with its chart) and by audience."""
    paragraph(doc, T("s1_3"), bold=True)
    caption(doc, T("t_topic"))
    _breakdown_table(doc, report.topics, T("topic"), with_total=True)
    if "topics" in charts:
        picture(doc, charts["topics"], T("fig2"))

    paragraph(doc, T("s1_4"), bold=True)
    caption(doc, T("t_aud"))
    _breakdown_table(doc, report.audiences, T("audience"), with_total=False)
    paragraph(doc, T("aud_note"), italic=True, size=11)


def _comparison(doc: Any, report: Report) -> None:
    """I.5: this period beside the previous one."""
    from docx.shared import Cm

    t = report.totals
    others = [c for c in report.channels if not is_audio(c)]
    p = report.previous
    paragraph(doc, T("s1_5", label=report.previous_period.label), bold=True)
    caption(doc, T("t_cmp"))
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
    data_table(
        doc,
        [T("measure"), T("this"), T("prev"), T("change")],
        rows,
        (Cm(7.0), Cm(3.0), Cm(3.0), Cm(3.5)),
        bold_last=True,
    )


def _undelivered(doc: Any, report: Report) -> None:
    """II: what was not delivered, and why."""
    from docx.shared import Cm

    s = report.settings
    paragraph(doc, T("s2"), bold=True)
    und = report.undelivered
    if not und:
        paragraph(doc, T("s2_none"), indent=True)
    else:
        from loa.report.figures import undelivered_label

        detail = "; ".join(
            f"{undelivered_label(k)}: {fmt_int(v)}" for k, v in report.undelivered_counts.items()
        )
        paragraph(doc, T("s2_some", n=fmt_int(len(und)), detail=detail), indent=True)
        limit = s.doc_max_undelivered
        caption(doc, T("t_und"))
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
        data_table(
            doc,
            [T("no"), T("when"), T("channel"), T("message"), T("state"), T("reason")],
            rows,
            (Cm(1.1), Cm(2.6), Cm(2.4), Cm(5.0), Cm(2.4), Cm(3.0)),
            size=10,
        )
        if len(und) > limit:
            paragraph(doc, T("more", n=fmt_int(len(und) - limit)), italic=True, size=11)


def _assessment(doc: Any, report: Report) -> None:
    """III and IV: the assessment and proposals, and the closing sentence."""
    s = report.settings
    issuer_cap = s.issuer_text or issuer_in_text(report.station_name)
    label = report.period.label
    paragraph(doc, T("s3"), bold=True)
    paragraph(doc, T("s3_good"), indent=True)
    paragraph(doc, T("s3_bad"), indent=True)
    paragraph(doc, T("s4"), bold=True)
    paragraph(doc, T("s4_text"), indent=True)
    paragraph(doc, T("closing", label=label, issuer_cap=issuer_cap), indent=True, space=12)


def _signature(doc: Any, report: Report) -> None:
    """Recipients and signer."""
    s = report.settings
    recipients = list(s.recipients)
    if not recipients:
        recipients = [
            T("rcpt_district", district=report.district or "...."),
            T("rcpt_home"),
            T("rcpt_archive"),
        ]
    signer = (s.signer or T("signer")).upper()
    signature_block(
        doc,
        [(T("recipients"), True, True, 12), *[(f"- {r}", False, False, 11) for r in recipients]],
        [
            (s.on_behalf or T("on_behalf"), True, False, 13),
            (signer, True, False, 13),
            ("", False, False, 13),
            ("", False, False, 13),
            ("", False, False, 13),
            (s.signer_name, True, False, 13),
        ],
    )


def _breakdown_table(doc: Any, rows_in: list[Any], name_header: str, *, with_total: bool) -> None:
    from docx.shared import Cm

    if not rows_in:
        paragraph(doc, T("none_rows"), italic=True, indent=True)
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
    data_table(
        doc,
        [T("no"), name_header, T("radio"), T("posts"), T("sum")],
        rows,
        (Cm(1.2), Cm(8.3), Cm(2.3), Cm(2.3), Cm(2.4)),
        bold_last=with_total,
    )


def _aired(by_channel: dict[str, int]) -> int:
    """The items of a row's audio channels (the radio)."""
    return sum(n for c, n in by_channel.items() if is_audio(c))
