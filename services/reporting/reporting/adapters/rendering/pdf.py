"""A report table as a PDF laid out like a congressional report table (reportlab).

Title block (title, subtitle, fiscal year), then the table: the column headers repeat at the top
of every page, numbers are right-aligned (money with thousands separators and cents), the totals
row is bold under a rule, and the notes follow the table. Every page has "Page n of m" at the
foot. More than six columns turn the page to landscape.

The text is set in DejaVu Sans, embedded (the TTFs that matplotlib ships, so the charts and the
PDF use one font): any country or school name prints, not only Latin-1. `invariant=1` leaves out
the creation time and random ids, so the same table always renders to the same bytes.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .cells import shown
from .table import Column, ReportTable

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
BODY_SIZE = 8
MARGIN = 0.6 * inch
LANDSCAPE_PAST_COLUMNS = 6
_PAD = 4  # points of padding on each side of a cell
_fonts_lock = threading.Lock()


def _register_fonts() -> None:
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        spec = importlib.util.find_spec("matplotlib")  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("matplotlib (which ships the DejaVu fonts) is not installed")
        ttf = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(ttf / "DejaVuSans-Bold.ttf")))


class _NumberedCanvas(Canvas):
    """Holds every page until the end, so each can say how many pages there are."""

    running_head = ""  # the report's title at the top of every page after the first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab names it so
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, BODY_SIZE)
            width = self._pagesize[0]
            self.drawCentredString(width / 2, MARGIN / 2, f"Page {self._pageNumber} of {total}")
            if self._pageNumber > 1 and self.running_head:
                self.drawString(
                    MARGIN, self._pagesize[1] - MARGIN / 2 - BODY_SIZE, self.running_head
                )
            super().showPage()
        super().save()


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=14, leading=18),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=14),
        "cell": base,
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=BOLD),
        "head": ParagraphStyle("head", base, fontName=BOLD, alignment=TA_LEFT),
        "head_num": ParagraphStyle("head_num", base, fontName=BOLD, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5),
    }


def _widths(table: ReportTable, cells: list[list[str]], available: float) -> list[float]:
    """Numbers get the width of their widest value; text columns share what is left."""
    fixed: list[float | None] = []
    wants: list[float] = []
    for i, column in enumerate(table.columns):
        widest = max([pdfmetrics.stringWidth(row[i], BOLD, BODY_SIZE) for row in cells] or [0.0])
        head = max(
            max(pdfmetrics.stringWidth(w, BOLD, BODY_SIZE) for w in column.label.split() or [""]),
            pdfmetrics.stringWidth(column.label, BOLD, BODY_SIZE) / 2,  # a header on <= 2 lines
        )
        if column.numeric:
            fixed.append(max(widest, head, 30.0) + 2 * _PAD)
            wants.append(0.0)
        else:
            fixed.append(None)
            wants.append(max(min(widest, 220.0), head, 40.0) + 2 * _PAD)
    left = available - sum(w for w in fixed if w is not None)
    wanted = sum(wants)
    if left <= 0 or wanted == 0:  # only numbers, or too many: scale everything to fit
        raw = [w if w is not None else want for w, want in zip(fixed, wants, strict=True)]
        return [w * available / sum(raw) for w in raw]
    share = min(1.0, left / wanted)
    return [w if w is not None else want * share for w, want in zip(fixed, wants, strict=True)]


def _cell(column: Column, text: str, style: ParagraphStyle) -> Paragraph | str:
    return text if column.numeric else Paragraph(escape(text), style)


def table_to_pdf(table: ReportTable) -> bytes:
    _register_fonts()
    styles = _styles()
    pagesize = (
        landscape(LETTER) if len(table.columns) > LANDSCAPE_PAST_COLUMNS else portrait(LETTER)
    )
    available = pagesize[0] - 2 * MARGIN
    cells = [[shown(c, row.get(c.key)) for c in table.columns] for row in table.rows]
    totals = [shown(c, table.totals.get(c.key)) for c in table.columns] if table.totals else None
    if totals is not None and not totals[0]:
        totals[0] = "Total"
    widths = _widths(table, cells + ([totals] if totals else []), available)

    header = [
        Paragraph(escape(c.label), styles["head_num" if c.numeric else "head"])
        for c in table.columns
    ]
    data: list[list[Any]] = [header]
    data += [
        [_cell(c, t, styles["cell"]) for c, t in zip(table.columns, row, strict=True)]
        for row in cells
    ]
    if totals is not None:
        data.append(
            [_cell(c, t, styles["cell_bold"]) for c, t in zip(table.columns, totals, strict=True)]
        )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
        ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black),
    ]
    for i, column in enumerate(table.columns):
        if column.numeric:
            commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    for r in range(2, len(cells) + 1, 2):
        commands.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F2F2F2")))
    if totals is not None:
        commands += [
            ("FONTNAME", (0, -1), (-1, -1), BOLD),
            ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
        ]

    story: list[Flowable] = [Paragraph(escape(table.title), styles["title"])]
    if table.subtitle:
        story.append(Paragraph(escape(table.subtitle), styles["subtitle"]))
    if table.fiscal_year is not None:
        story.append(Paragraph(f"Fiscal Year {table.fiscal_year}", styles["subtitle"]))
    story.append(Spacer(1, 10))
    story.append(Table(data, colWidths=widths, repeatRows=1, style=TableStyle(commands)))
    if not table.rows:
        story.append(Paragraph("No rows match this report's filters.", styles["note"]))
    if table.notes:
        story.append(Spacer(1, 8))
        story += [Paragraph(escape(note), styles["note"]) for note in table.notes]

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=table.title,
        invariant=1,
    )
    head = table.title + (f", Fiscal Year {table.fiscal_year}" if table.fiscal_year else "")
    doc.build(story, canvasmaker=type("_Canvas", (_NumberedCanvas,), {"running_head": head}))
    return out.getvalue()
