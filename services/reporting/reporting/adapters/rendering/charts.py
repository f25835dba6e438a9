"""Charts as SVG and PNG with matplotlib (Agg and SVG backends): no browser, no network (ADR 0135).

Deterministic: the same chart always renders to the same bytes. The font is DejaVu Sans, which
matplotlib ships (no system font lookup); the SVG carries no date and no creator version, its
ids are salted with a fixed `svg.hashsalt`, and its text stays text (`svg.fonttype: none`), so a
reader - or a test - finds the title and every label in it. matplotlib is imported on the first
chart only: a CSV or PDF export does not pay its second of import time.

Long category names (countries such as "Saint Vincent and the Grenadines") stay readable: bars
turn horizontal, one category per line with its whole name, once there are more than
`HORIZONTAL_PAST` categories or a name longer than `LONG_LABEL` characters; the figure grows by
a fixed height per category. Line charts (months) keep the categories along x, slanted when
there are many.

rcParams are process-global, so the style is set once and never changed, and one lock
serialises drawing (matplotlib does not promise thread safety; a chart takes ~0.1-0.3 s).
"""

from __future__ import annotations

import io
import threading
from typing import Any, Literal

from .table import ChartSpec

DPI = 100
WIDTH_IN = 10.0
HEIGHT_IN = 6.0
ROW_IN = 0.32  # height per category of a horizontal bar chart
HORIZONTAL_PAST = 12
LONG_LABEL = 14
STYLE: dict[str, Any] = {
    # DejaVu Sans (shipped with matplotlib) draws the PNG; the SVG names it, then `sans-serif`
    # for a viewer that lacks it
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "svg.fonttype": "none",
    "svg.hashsalt": "imet-reporting",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
_lock = threading.Lock()
_ready = False


def horizontal(spec: ChartSpec) -> bool:
    if spec.kind == "line":
        return False
    longest = max((len(c) for c in spec.categories), default=0)
    return len(spec.categories) > HORIZONTAL_PAST or longest > LONG_LABEL


def size_in(spec: ChartSpec) -> tuple[float, float]:
    if horizontal(spec):
        return WIDTH_IN, max(HEIGHT_IN, 1.6 + ROW_IN * len(spec.categories))
    return WIDTH_IN, HEIGHT_IN


def size_px(spec: ChartSpec) -> tuple[int, int]:
    """The PNG's width and height in pixels (the SVG is sized in points: inches x 72)."""
    w, h = size_in(spec)
    return round(w * DPI), round(h * DPI)


def _setup() -> None:
    global _ready
    if not _ready:
        import matplotlib

        matplotlib.use("Agg")
        rc: Any = matplotlib.rcParams  # typed with Literal keys; STYLE's are checked by tests
        rc.update(STYLE)
        _ready = True


def _draw(spec: ChartSpec) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=size_in(spec), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    positions = list(range(len(spec.categories)))
    series = {name: [float(v) for v in values] for name, values in spec.series.items()}
    flat = horizontal(spec)
    if spec.kind == "line":
        for name, values in series.items():
            ax.plot(positions, values, marker="o", label=name)
    else:
        n = len(series)
        stacked = spec.kind == "stacked_bar" or n == 1
        thickness = 0.8 if stacked else 0.8 / n
        base = [0.0] * len(positions)
        for i, (name, values) in enumerate(series.items()):
            at = positions if stacked else [p - 0.4 + thickness * (i + 0.5) for p in positions]
            if flat:
                ax.barh(at, values, height=thickness, left=base if stacked else None, label=name)
            else:
                ax.bar(at, values, width=thickness, bottom=base if stacked else None, label=name)
            if stacked:
                base = [b + v for b, v in zip(base, values, strict=True)]
    money_axis = FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    if flat:
        ax.set_yticks(positions, spec.categories)
        ax.invert_yaxis()  # the first category on top, as in the table
        ax.xaxis.set_major_formatter(money_axis)
        ax.set_xlabel(spec.y_label)
        if spec.x_label:
            ax.set_ylabel(spec.x_label)
        ax.grid(axis="y", visible=False)
    else:
        many = len(spec.categories) > HORIZONTAL_PAST
        ax.set_xticks(positions, spec.categories, rotation=45 if many else 0,
                      ha="right" if many else "center")  # fmt: skip
        ax.yaxis.set_major_formatter(money_axis)
        ax.set_ylabel(spec.y_label)
        if spec.x_label:
            ax.set_xlabel(spec.x_label)
        ax.grid(axis="x", visible=False)
    ax.set_title(spec.title, loc="left", fontweight="bold")
    if len(series) > 1:  # above the plot, never over a bar
        fig.legend(loc="outside upper right", ncols=min(len(series), 4), frameon=False)
    return fig


def render_chart(spec: ChartSpec, fmt: Literal["svg", "png"]) -> bytes:
    with _lock:
        _setup()
        fig = _draw(spec)
        out = io.BytesIO()
        metadata: dict[str, str | None] = (
            {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        )
        fig.savefig(out, format=fmt, metadata=metadata)
        return out.getvalue()
