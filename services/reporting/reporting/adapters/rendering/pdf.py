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
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .cells import shown
from .table import Column, ReportTable

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
BODY_SIZE = 8
SMALLEST_SIZE = 5.5  # how far the table's type shrinks to fit many number columns on the page
MARGIN = 0.6 * inch
LANDSCAPE_PAST_COLUMNS = 6
_PAD = 4  # points of padding on each side of a cell
CHUNK = 100  # rows per table flowable (even, so the stripes run on across tables)
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


def _styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=size * 1.25)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=14, leading=18),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=14),
        "cell": base,
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=BOLD),
        "head": ParagraphStyle("head", base, fontName=BOLD, alignment=TA_LEFT),
        "head_num": ParagraphStyle("head_num", base, fontName=BOLD, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5),
    }


def _needed(table: ReportTable, cells: list[list[str]], size: float) -> list[tuple[float, bool]]:
    """Per column: the width it asks for at `size`, and whether that width is fixed (numbers)."""
    out = []
    for i, column in enumerate(table.columns):
        widest = max([pdfmetrics.stringWidth(row[i], BOLD, size) for row in cells] or [0.0])
        head = max(
            max(pdfmetrics.stringWidth(w, BOLD, size) for w in column.label.split() or [""]),
            pdfmetrics.stringWidth(column.label, BOLD, size) / 2,  # a header on <= 2 lines
        )
        if column.numeric:
            out.append((max(widest, head, 30.0) + 2 * _PAD, True))
        else:
            out.append((max(min(widest, 220.0), head, 40.0) + 2 * _PAD, False))
    return out


def _fit(table: ReportTable, cells: list[list[str]], available: float) -> tuple[float, list[float]]:
    """The type size and the column widths: numbers get the width of their widest value, text
    columns share what is left; when the numbers alone overflow the page, the type shrinks."""
    size: float = BODY_SIZE
    while True:
        needed = _needed(table, cells, size)
        floor = sum(w if fixed else 40.0 + 2 * _PAD for w, fixed in needed)
        if floor <= available or size <= SMALLEST_SIZE:
            break
        size = max(SMALLEST_SIZE, size - 0.25)
    left = available - sum(w for w, fixed in needed if fixed)
    wanted = sum(w for w, fixed in needed if not fixed)
    if left <= 0 or wanted == 0:  # only numbers, or still too many: scale everything to fit
        total = sum(w for w, _ in needed)
        return size, [w * available / total for w, _ in needed]
    share = left / wanted  # text columns grow or shrink so the table spans the page
    return size, [w if fixed else w * share for w, fixed in needed]


def _cell(column: Column, text: str, style: ParagraphStyle, width: float) -> Paragraph | str:
    """A Paragraph only for text that must wrap: a plain string draws ten times faster."""
    if (
        column.numeric
        or pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width - 2 * _PAD
    ):
        return text
    return Paragraph(escape(text), style)


def _style(table: ReportTable, size: float, *extra: tuple[Any, ...]) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
    ]
    commands += [
        ("ALIGN", (i, 0), (i, -1), "RIGHT") for i, c in enumerate(table.columns) if c.numeric
    ]
    return TableStyle([*commands, *extra])


def _header(table: ReportTable, styles: dict[str, ParagraphStyle], widths: list[float]) -> Table:
    labels = [
        Paragraph(escape(c.label), styles["head_num" if c.numeric else "head"])
        for c in table.columns
    ]
    return Table(
        [labels],
        colWidths=widths,
        hAlign="LEFT",
        style=_style(
            table,
            styles["cell"].fontSize,
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#D9D9D9")),
            ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ),
    )


def _body(
    table: ReportTable,
    cells: list[list[str]],
    styles: dict[str, ParagraphStyle],
    widths: list[float],
) -> list[Flowable]:
    """The rows in tables of CHUNK rows, then the totals row: a page break re-measures only
    the table it falls in, so a 20,000-line FMTR lays out in linear time."""
    columns, size = table.columns, styles["cell"].fontSize
    stripes = ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.HexColor("#F2F2F2")])
    rule = ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black)
    out: list[Flowable] = []
    for start in range(0, len(cells), CHUNK):
        rows = [
            [_cell(c, t, styles["cell"], w) for c, t, w in zip(columns, row, widths, strict=True)]
            for row in cells[start : start + CHUNK]
        ]
        last = start + CHUNK >= len(cells) and table.totals is None
        out.append(
            Table(
                rows,
                colWidths=widths,
                hAlign="LEFT",
                style=_style(table, size, stripes, *([rule] if last else [])),
            )
        )
    if table.totals is not None:
        totals = [shown(c, table.totals.get(c.key)) for c in columns]
        totals[0] = totals[0] or "Total"
        row = [
            _cell(c, t, styles["cell_bold"], w)
            for c, t, w in zip(columns, totals, widths, strict=True)
        ]
        bold = ("FONTNAME", (0, 0), (-1, -1), BOLD)
        above = ("LINEABOVE", (0, 0), (-1, 0), 0.75, colors.black)
        out.append(
            Table(
                [row], colWidths=widths, hAlign="LEFT", style=_style(table, size, bold, above, rule)
            )
        )
    return out


def table_to_pdf(table: ReportTable) -> bytes:
    _register_fonts()
    pagesize = (
        landscape(LETTER) if len(table.columns) > LANDSCAPE_PAST_COLUMNS else portrait(LETTER)
    )
    page_w, page_h = pagesize
    available = page_w - 2 * MARGIN
    cells = [[shown(c, row.get(c.key)) for c in table.columns] for row in table.rows]
    measured = cells
    if table.totals is not None:
        totals = [shown(c, table.totals.get(c.key)) for c in table.columns]
        measured = [*cells, [totals[0] or "Total", *totals[1:]]]
    size, widths = _fit(table, measured, available)
    styles = _styles(size)

    # Pages after the first draw the column headers above a frame made shorter by their height.
    running = _header(table, styles, widths)
    head_h = running.wrap(available, page_h)[1]

    def draw_headers(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        running.drawOn(canvas, MARGIN, page_h - MARGIN - head_h)

    def frame(name: str, height: float) -> Frame:
        return Frame(MARGIN, MARGIN, available, height, id=name, leftPadding=0, rightPadding=0,
                     topPadding=0, bottomPadding=0)  # fmt: skip

    story: list[Flowable] = [Paragraph(escape(table.title), styles["title"])]
    if table.subtitle:
        story.append(Paragraph(escape(table.subtitle), styles["subtitle"]))
    if table.fiscal_year is not None:
        story.append(Paragraph(f"Fiscal Year {table.fiscal_year}", styles["subtitle"]))
    story += [Spacer(1, 10), NextPageTemplate("later"), _header(table, styles, widths)]
    story += _body(table, cells, styles, widths)
    if not table.rows:
        story.append(Paragraph("No rows match this report's filters.", styles["note"]))
    if table.notes:
        story.append(Spacer(1, 8))
        story += [Paragraph(escape(note), styles["note"]) for note in table.notes]

    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=pagesize,
        pageTemplates=[
            PageTemplate("first", [frame("first", page_h - 2 * MARGIN)]),
            PageTemplate(
                "later", [frame("later", page_h - 2 * MARGIN - head_h)], onPage=draw_headers
            ),
        ],
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
