"""The parts of a report in the administrative form (Nghị định 30/2020), as python-docx calls: an
A4 page in Times New Roman, the header (issuer and number | national motto and date line), the
title block, paragraphs, captions, tables, pictures and the recipients and signature block. The
commune's report (`docx`) and the province's (`province`) are both laid out with them."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
FONT = "Times New Roman"


def new_document(title: str, created: datetime, *, author: str | None = None) -> Any:
    """A new A4 document with the form's margins and its Normal style (Times New Roman 13)."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    props = doc.core_properties
    props.title = title
    if author is not None:
        props.author = author
    props.created = created
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    east_asia_font(normal, FONT)
    return doc


def form_header(
    doc: Any, widths: tuple[Any, Any], issuer: str, number_line: str, dateline: str
) -> None:
    """Issuer and number on the left, the national motto and date line on the right."""
    head = doc.add_table(rows=1, cols=2)
    column_widths(head, widths)
    left, right = head.rows[0].cells
    cell_lines(
        left,
        [
            (issuer, True, False, 12),
            ("———", False, False, 10),
            (number_line, False, False, 13),
        ],
    )
    cell_lines(
        right,
        [
            (MOTTO[0], True, False, 12),
            (MOTTO[1], True, False, 13),
            ("———————", False, False, 10),
            (dateline, False, True, 13),
        ],
    )


def title_block(doc: Any, title: str, subtitle: str) -> None:
    """The report's name and period, centred and bold, with the short rule under them."""
    paragraph(doc, "", space=6)
    paragraph(doc, title, bold=True, size=14, center=True, space=0)
    paragraph(doc, subtitle, bold=True, size=14, center=True, space=0)
    paragraph(doc, "———", center=True, space=6)


def signature_block(
    doc: Any,
    recipients: list[tuple[str, bool, bool, int]],
    signer: list[tuple[str, bool, bool, int]],
) -> None:
    """Recipients (left, not centred) beside the signer's lines (right)."""
    from docx.shared import Cm

    sign = doc.add_table(rows=1, cols=2)
    column_widths(sign, (Cm(8.0), Cm(8.5)))
    left, right = sign.rows[0].cells
    cell_lines(left, recipients, center=False)
    cell_lines(right, signer)


def to_bytes(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def east_asia_font(style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def paragraph(
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


def caption(doc: Any, text: str) -> None:
    paragraph(doc, text, italic=True, bold=True, size=12, center=True, space=2)


def column_widths(table: Any, widths: tuple[Any, ...]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def cell_lines(cell: Any, lines: list[tuple[str, bool, bool, int]], center: bool = True) -> None:
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


def data_table(
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
        column_widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return table


def _numeric(text: str) -> bool:
    return (
        bool(text) and text.lstrip("+-").replace(".", "").replace(",", "").split(" ")[0].isdigit()
    )


def picture(doc: Any, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(png), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, caption, italic=True, size=11, center=True)
