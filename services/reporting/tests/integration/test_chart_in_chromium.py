"""A rendered SVG opened in a real browser: Debian's headless Chromium, driven by Playwright.

Skipped where Chromium is absent (`apt-get install -y chromium`; `make test` installs it when
run as root), a failure in CI (CI=true); Playwright never downloads a browser of its own.
The screenshot is kept in the test's tmp_path.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from reporting.adapters.rendering import render
from reporting.adapters.rendering.charts import size_in
from services.reporting.tests.unit.builders import COUNTRIES, cost_chart
from tests.helpers.timing import scaled
from tests.helpers.tools import require_tool


def test_the_svg_renders_in_chromium_with_its_title_and_labels(tmp_path: Path) -> None:
    chromium = require_tool("chromium", "Debian's chromium package")
    from playwright.sync_api import sync_playwright

    chart = cost_chart()
    svg, _ = render(chart, "svg")
    path = tmp_path / "chart.svg"
    path.write_bytes(svg)
    width, height = (round(inches * 96) for inches in size_in(chart))  # CSS px: 96 per inch

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, timeout=scaled(30) * 1000
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(scaled(15) * 1000)  # every wait below is bounded
            page.goto(path.as_uri())
            drawn = page.evaluate(
                """() => Array.from(document.querySelectorAll('text'))
                    .filter(t => t.getBBox().width > 0)
                    .map(t => t.textContent)"""
            )
            box = page.evaluate(
                "() => { const r = document.documentElement.getBoundingClientRect();"
                " return [r.width, r.height]; }"
            )
            # full_page=True waits forever on a bare SVG document (no body to measure)
            shot = page.screenshot(path=str(tmp_path / "chart.png"))
        finally:
            browser.close()

    assert chart.title in drawn
    assert all(country in drawn for country in COUNTRIES)
    assert box == [pytest.approx(width, abs=1), pytest.approx(height, abs=1)]
    with Image.open(io.BytesIO(shot)) as image:
        assert image.size == (width, height)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50  # bars, text and anti-aliasing, not a blank page
        white = max(count for count, rgb in colours if rgb == (255, 255, 255))
        assert white < 0.95 * width * height
    assert (tmp_path / "chart.png").stat().st_size > 10_000
