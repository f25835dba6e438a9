"""The rendering adapter: every format read back by an independent parser (csv, pypdf, XML, PIL)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import matplotlib
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from reporting.adapters.rendering import (
    MEDIA_TYPES,
    ChartSpec,
    Column,
    ReportTable,
    UnsupportedFormat,
    render,
)
from reporting.adapters.rendering.cells import shown
from reporting.adapters.rendering.charts import STYLE, horizontal, size_px
from reporting.adapters.rendering.pdf import FONT
from services.reporting.tests.unit.builders import COUNTRIES, FMTR_COLUMNS, cost_chart, fmtr_table

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_pages(document: bytes) -> list[str]:
    return [_words(page.extract_text()) for page in PdfReader(io.BytesIO(document)).pages]


def _svg_texts(document: bytes) -> list[str]:
    root = ET.fromstring(document)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# --- CSV ---


def test_csv_round_trip_keeps_every_amount_to_the_cent() -> None:
    amounts = [Decimal("0.01"), Decimal("1234567.89"), Decimal("-5.00"), Decimal(0), Decimal(7)]
    names = ["Côte d'Ivoire", 'say "hi", twice', "two\nlines", "Viet Nam", None]
    table = ReportTable(
        title="t",
        columns=(
            Column("name", "Name"),
            Column("n", "Count", "int"),
            Column("usd", "USD", "money"),
        ),
        rows=tuple({"name": names[i], "n": i, "usd": usd} for i, usd in enumerate(amounts)),
    )

    body, media_type = render(table, "csv")

    assert media_type == "text/csv; charset=utf-8"
    assert not body.startswith(b"\xef\xbb\xbf")  # no BOM
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert header == ["Name", "Count", "USD"]
    assert [r[2] for r in rows] == ["0.01", "1234567.89", "-5.00", "0.00", "7.00"]
    assert [Decimal(r[2]) for r in rows] == amounts
    assert [r[0] for r in rows] == [
        "Côte d'Ivoire",
        'say "hi", twice',
        "two\nlines",
        "Viet Nam",
        "",
    ]
    assert [int(r[1]) for r in rows] == [0, 1, 2, 3, 4]


def test_csv_of_the_fmtr_has_a_header_and_one_line_per_row_and_no_totals() -> None:
    table = fmtr_table(120)

    body, _ = render(table, "csv")

    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert header == [c.label for c in FMTR_COLUMNS]
    assert len(rows) == 120
    assert sum(Decimal(r[6]) for r in rows) == table.totals["cost"]  # type: ignore[index]


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_is_defused() -> None:
    table = ReportTable(
        title="t",
        columns=(Column("name", "Name"), Column("usd", "USD", "money")),
        rows=({"name": '=HYPERLINK("x")', "usd": Decimal("-1.50")}, {"name": "@cmd", "usd": 1}),
    )

    body, _ = render(table, "csv")

    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))[1:]
    assert rows == [['\'=HYPERLINK("x")', "-1.50"], ["'@cmd", "1.00"]]


def test_money_is_never_a_float_and_never_rounded() -> None:
    columns = (Column("usd", "USD", "money"),)

    with pytest.raises(TypeError, match="Decimal or int"):
        ReportTable(title="t", columns=columns, rows=({"usd": 0.1},))
    with pytest.raises(ValueError, match="whole number of cents"):
        render(ReportTable(title="t", columns=columns, rows=({"usd": Decimal("0.005")},)), "csv")


def test_a_table_refuses_cells_of_unknown_columns_and_duplicate_keys() -> None:
    with pytest.raises(ValueError, match="unknown columns"):
        ReportTable(title="t", columns=(Column("a", "A"),), rows=({"b": "x"},))
    with pytest.raises(ValueError, match="duplicate"):
        ReportTable(title="t", columns=(Column("a", "A"), Column("a", "B")), rows=())


# --- JSON and the format table ---


def test_json_sends_money_as_exact_strings_and_counts_as_numbers() -> None:
    table = fmtr_table(3)

    body, media_type = render(table, "json")

    doc = json.loads(body)
    assert media_type == "application/json"
    assert doc["fiscal_year"] == 2026
    assert [c["kind"] for c in doc["columns"]][-3:] == ["int", "text", "money"]
    assert [r["cost"] for r in doc["rows"]] == [str(r["cost"]) for r in table.rows]
    assert [r["trained"] for r in doc["rows"]] == [1, 2, 3]
    assert Decimal(doc["totals"]["cost"]) == table.totals["cost"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("item", "fmt"),
    [(fmtr_table(1), "svg"), (fmtr_table(1), "png"), (cost_chart(), "pdf"), (cost_chart(), "xlsx")],
)
def test_a_format_the_item_has_not_is_refused_as_a_client_error(
    item: ReportTable | ChartSpec, fmt: str
) -> None:
    with pytest.raises(UnsupportedFormat) as refused:
        render(item, fmt)

    assert refused.value.status == 406
    assert refused.value.extra["formats"]


def test_a_chart_also_exports_its_numbers_as_csv_and_json() -> None:
    chart = cost_chart(COUNTRIES[:3])

    csv_body, _ = render(chart, "csv")
    json_body, _ = render(chart, "json")

    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8"), newline="")))
    assert rows[0] == ["Category", "Tuition", "Travel", "TLA"]
    assert rows[1] == ["Bosnia and Herzegovina", "10000", "2000", "3500.25"]
    assert json.loads(json_body)["series"]["TLA"] == ["3500.25", "3501.25", "3502.25"]


# --- PDF ---


def test_pdf_shows_every_cell_in_order_with_headers_and_page_numbers_on_every_page() -> None:
    table = fmtr_table(120)

    body, media_type = render(table, "pdf")

    assert media_type == "application/pdf"
    assert body.startswith(b"%PDF-")
    pages = _pdf_pages(body)
    assert len(pages) == 5  # 120 rows, landscape letter (7 columns), some on two lines
    everything = " ".join(pages)
    at = 0
    for row in table.rows:
        for column in table.columns:
            text = _words(shown(column, row.get(column.key)))
            if text:
                found = everything.find(text, at)
                assert found >= 0, f"{column.key}={text!r} missing after offset {at}"
                at = found + len(text)
    for n, page in enumerate(pages, start=1):
        assert all(_words(c.label) in page for c in table.columns), f"headers missing on page {n}"
        assert f"Page {n} of {len(pages)}" in page
    assert pages[0].startswith(
        "Foreign Military Training Report Training activities by country Fiscal Year 2026"
    )
    assert "Foreign Military Training Report, Fiscal Year 2026" in pages[1]  # the running head
    total = shown(FMTR_COLUMNS[6], table.totals["cost"])  # type: ignore[index]
    assert f"Total {total}" in pages[-1]
    assert "excluded by law" in pages[-1]


def test_pdf_right_aligns_money_with_thousands_separators_and_cents() -> None:
    columns = (Column("c", "Country"), Column("usd", "Total cost (USD)", "money"))
    table = ReportTable(title="t", columns=columns, rows=({"c": "Kenya", "usd": Decimal(1234567)},))

    body, _ = render(table, "pdf")

    assert "Kenya 1,234,567.00" in _pdf_pages(body)[0]


@pytest.mark.parametrize(("n_columns", "landscape"), [(6, False), (7, True)])
def test_pdf_turns_landscape_past_six_columns(n_columns: int, landscape: bool) -> None:
    body, _ = render(fmtr_table(5, FMTR_COLUMNS[:n_columns]), "pdf")

    box = PdfReader(io.BytesIO(body)).pages[0].mediabox
    assert (box.width > box.height) is landscape


def test_pdf_is_the_same_bytes_every_time() -> None:
    table = fmtr_table(10)

    assert render(table, "pdf")[0] == render(table, "pdf")[0]


def test_pdf_of_an_empty_report_says_so() -> None:
    body, _ = render(fmtr_table(0), "pdf")

    assert "No rows match this report's filters." in _pdf_pages(body)[0]


# --- SVG and PNG ---


def test_svg_is_xml_with_the_title_and_every_long_country_name_as_text() -> None:
    chart = cost_chart()

    body, media_type = render(chart, "svg")

    assert media_type == "image/svg+xml"
    texts = _svg_texts(body)
    assert chart.title in texts
    assert all(country in texts for country in COUNTRIES)
    assert {"Tuition", "Travel", "TLA", "USD"} <= set(texts)
    assert horizontal(chart)  # long names: one per line, never slanted or cut


def test_svg_carries_no_date_and_no_version_and_is_the_same_bytes_every_time() -> None:
    chart = cost_chart()

    first, _ = render(chart, "svg")
    second, _ = render(chart, "svg")

    assert first == second
    assert b"<dc:date>" not in first
    assert matplotlib.__version__.encode() not in first


@pytest.mark.parametrize("kind", ["bar", "stacked_bar", "line"])
def test_every_chart_kind_renders_months_along_x(kind: str) -> None:
    months = ("Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
    chart = cost_chart(months, kind)

    texts = _svg_texts(render(chart, "svg")[0])

    assert all(m in texts for m in months)
    assert not horizontal(chart)


@pytest.mark.parametrize(
    ("categories", "pixels"),
    [(("Oct", "Nov", "Dec"), (1000, 600)), (COUNTRIES, (1000, 600)), (COUNTRIES * 3, (1000, 1120))],
)
def test_png_has_the_signature_and_the_expected_size(
    categories: tuple[str, ...], pixels: tuple[int, int]
) -> None:
    chart = cost_chart(categories)

    body, media_type = render(chart, "png")

    assert media_type == "image/png"
    assert body.startswith(PNG_SIGNATURE)
    assert size_px(chart) == pixels
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG"
        assert image.size == pixels
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or ()) > 10  # not blank


def test_the_chart_style_names_only_real_matplotlib_settings() -> None:
    assert set(STYLE) <= set(matplotlib.rcParams)


def test_media_types_cover_the_five_formats() -> None:
    assert set(MEDIA_TYPES) == {"csv", "pdf", "svg", "png", "json"}


def test_percent_cells_are_points_plain_in_csv_and_json_and_marked_in_the_pdf() -> None:
    columns = (Column("c", "Country"), Column("pme", "PME share", "percent"))
    table = ReportTable(title="t", columns=columns, rows=({"c": "Peru", "pme": Decimal("12.5")},))

    csv_rows = list(csv.reader(io.StringIO(render(table, "csv")[0].decode("utf-8"))))
    doc = json.loads(render(table, "json")[0])
    pdf = _pdf_pages(render(table, "pdf")[0])[0]

    assert csv_rows[1] == ["Peru", "12.5"]
    assert doc["rows"] == [{"c": "Peru", "pme": "12.5"}]
    assert "Peru 12.5%" in pdf


def test_pdf_of_many_money_columns_scales_them_into_the_page() -> None:
    columns = tuple(Column(f"m{i}", f"FY{2015 + i} (USD)", "money") for i in range(12))
    rows = tuple({c.key: Decimal("123456789.01") + n for c in columns} for n in range(3))
    table = ReportTable(title="Twelve years", columns=columns, rows=rows)

    body, _ = render(table, "pdf")

    pages = _pdf_pages(body)
    assert len(pages) == 1
    assert pages[0].count("123,456,791.01") == 12
    page = PdfReader(io.BytesIO(body)).pages[0]
    starts: list[tuple[float, float]] = []  # (x, width) of each number of the first row
    page.extract_text(
        visitor_text=lambda text, cm, tm, _font, size: (
            starts.append((cm[4] + tm[4], pdfmetrics.stringWidth(text.strip(), FONT, size)))
            if text.strip() == "123,456,789.01"
            else None
        )
    )
    starts.sort()
    assert len(starts) == 12
    assert all(x + w < next_x for (x, w), (next_x, _) in itertools.pairwise(starts))  # apart
    assert starts[-1][0] + starts[-1][1] <= float(page.mediabox.width)


def test_a_chart_without_categories_still_renders() -> None:
    chart = ChartSpec("bar", "No data", (), {"Students": ()}, "Students")

    for fmt in ("svg", "png"):
        body, _ = render(chart, fmt)
        assert body
    assert "No data" in _svg_texts(render(chart, "svg")[0])
