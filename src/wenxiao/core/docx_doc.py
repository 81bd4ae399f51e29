"""Word documents in the official layout (公文格式): A4, 仿宋 body, 宋体 headings and tables, page numbers.

Every report the system writes (assessment, monitoring round, evaluation …) builds on `OfficialDocument`, so
the page setup and fonts live in one place. python-docx is imported lazily.
"""

from __future__ import annotations

import io


def set_fonts(element, east: str, west: str = "Times New Roman") -> None:
    """Set the fonts of a style or run element, East-Asian text included; theme fonts would override them."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), west)
    rfonts.set(qn("w:hAnsi"), west)
    rfonts.set(qn("w:eastAsia"), east)


def shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def page_number(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.add_run("第 ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run(" 页")


def add_table(doc, headers: list[str], rows: list[list], widths: list[float], *, bold_last: bool = False):
    """A plain grid table: shaded bold header row, 10.5 pt 宋体 cells, an optional bold last (total) row."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([headers, *rows]):
        for c, value in enumerate(values):
            cell = t.cell(r, c)
            cell.width = Cm(widths[c])
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(10.5)
            set_fonts(run._r, "宋体")
            if r == 0 or (bold_last and r == len(rows)):
                run.bold = True
            if r == 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                shade(cell, "F2F2F2")
    doc.add_paragraph()
    return t


def new_document():
    """A python-docx Document with the official page setup, styles and a page-number footer."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)
    set_fonts(normal.element, "仿宋")
    for name, size in (("Heading 1", 16), ("Heading 2", 14)):
        style = doc.styles[name]
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(10), Pt(4)
        set_fonts(style.element, "宋体")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number(footer)
    return doc


class OfficialDocument:
    """A thin writer over `new_document()`: title, headings, indented paragraphs and plain tables."""

    def __init__(self):
        self.doc = new_document()

    def title(self, text: str, subtitle: str = "") -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.para(text, indent=False, bold=True, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
        set_fonts(p.runs[0]._r, "宋体")
        if subtitle:
            self.para(subtitle, indent=False, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def para(self, text: str, *, indent=True, bold=False, size=None, align=None):
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.5
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return p

    def table(self, headers: list[str], rows: list[list], widths: list[float], *, bold_last: bool = False):
        return add_table(self.doc, headers, rows, widths, bold_last=bold_last)

    def picture(self, png: bytes, width_cm: float = 15.5) -> None:
        from docx.shared import Cm

        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
