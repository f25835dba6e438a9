"""The Invitational Travel Order as a PDF (reportlab), rendered from the stored, immutable content.

`invariant=1` makes reportlab leave out the creation time and random ids: the same order version
always renders to the same bytes. A superseded or recalled order still prints, for the record,
stamped across the page with what happened to it (and, for a recall, when and why), so a paper
copy can never pass for one in force.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from nomination.domain.travel_order import TravelOrder


def _status(order: TravelOrder) -> str | None:
    if order.recalled_at is not None:
        return f"RECALLED {order.recalled_at:%Y-%m-%d} ({order.recall_reason})"
    if order.superseded_at is not None:
        return f"SUPERSEDED {order.superseded_at:%Y-%m-%d}"
    return None


def _english(c: dict[str, Any]) -> str:
    english = c.get("english") or {}
    if not english.get("test"):
        return "no English requirement"
    label = "ECL" if english["test"] == "ecl" else "TOEFL iBT"
    if english.get("tested_on_arrival"):
        return f"{label} {english['min_score']}: exempt in country, tested on arrival"
    return f"{label} {english['min_score']}: met"


def _living(funding: dict[str, Any]) -> list[tuple[str, str]]:
    tla = funding.get("living_allowance")
    if not tla:
        return []
    return [
        (
            "Living allowance (TLA)",
            f"{tla['days']} days x (lodging {tla['lodging_per_day']} + meals "
            f"{tla['meals_per_day']} + incidentals {tla['incidentals_per_day']}) /day",
        ),
        ("TLA obligated (USD)", tla["total"]),
    ]


def _lines(order: TravelOrder) -> list[tuple[str, str]]:
    c: dict[str, Any] = order.content
    s, course, school, klass, funding = (
        c["student"], c["course"], c["school"], c["class"], c["funding"]
    )  # fmt: skip
    status = _status(order)
    return [
        ("ITO number", order.number),
        ("Version", str(order.version) + (f" ({status})" if status else "")),
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
        ("English", _english(c)),
        ("Dependents authorized", "yes" if c["with_dependents"] else "no"),
        ("", ""),
        ("Funding", f"{funding['source'].upper()} FY{c['fiscal_year']}"),
        ("Obligation reference", funding["obligation_id"]),
        *_living(funding),
    ]


def _stamp(canvas: Canvas, text: str) -> None:
    width, height = LETTER
    canvas.saveState()
    canvas.setFillColorRGB(0.8, 0.0, 0.0)
    canvas.setFont("Helvetica-Bold", 22)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, text)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(0, -24, "NOT VALID FOR TRAVEL OR TRAINING")
    canvas.restoreState()


def render_pdf(order: TravelOrder) -> bytes:
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
    status = _status(order)
    if status is not None:
        _stamp(canvas, status)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
