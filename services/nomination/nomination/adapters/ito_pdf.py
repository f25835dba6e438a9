"""The Invitational Travel Order as a PDF (reportlab), rendered from the stored, immutable content.

`invariant=1` makes reportlab leave out the creation time and random ids: the same order version
always renders to the same bytes.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Row


def _lines(order: Row[Any]) -> list[tuple[str, str]]:
    c: dict[str, Any] = order.content
    s, course, school, klass, funding = (
        c["student"], c["course"], c["school"], c["class"], c["funding"]
    )  # fmt: skip
    return [
        ("ITO number", order.number),
        ("Version", str(order.version) + (" (superseded)" if order.superseded_at else "")),
        ("Issued", order.issued_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Issuing SCO", order.issued_by),
        ("", ""),
        ("Student", f"{s['family_names']}, {s['given_names']}"),
        ("Sex / date of birth", f"{s['sex']} / {s['date_of_birth']}"),
        ("Passport", s["passport_number"]),
        ("Country / service", f"{s['country']} / {s['service']}"),
        ("Rank (U.S. pay grade)", f"{s['rank']} ({s['pay_grade']})"),
        ("Unit / position", f"{s['unit_name']} / {s['position']}"),
        ("", ""),
        ("Course", f"{course['masl_id']} {course['title']}"),
        ("School", f"{school['name']}, {school['location']}"),
        ("Report date", klass["report_date"]),
        ("Class dates", f"{klass['start_date']} to {klass['end_date']}"),
        ("Dependents authorized", "yes" if c["with_dependents"] else "no"),
        ("", ""),
        ("Funding", f"{funding['source'].upper()} FY{c['fiscal_year']}"),
        ("Obligation reference", funding["obligation_id"]),
    ]


def render_pdf(order: Row[Any]) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1)
    canvas.setTitle(f"Invitational Travel Order {order.number} v{order.version}")
    _, height = LETTER
    y = height - inch
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(inch, y, "INVITATIONAL TRAVEL ORDER")
    canvas.setFont("Helvetica", 9)
    y -= 0.25 * inch
    canvas.drawString(inch, y, "International Military Education and Training (IMET)")
    y -= 0.45 * inch
    for label, value in _lines(order):
        if label:
            canvas.setFont("Helvetica-Bold", 10)
            canvas.drawString(inch, y, label)
            canvas.setFont("Helvetica", 10)
            canvas.drawString(inch + 2.2 * inch, y, value)
        y -= 0.24 * inch
    canvas.setFont("Helvetica-Oblique", 8)
    canvas.drawString(
        inch,
        inch * 0.75,
        "Issued only after vetting, English, medical, security, funding and seat checks.",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
