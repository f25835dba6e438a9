"""A grouped horizontal bar chart as a standalone SVG (no library, no browser, no network)."""

from __future__ import annotations

from html import escape

COLOURS = ("#4878a8", "#e08a3c", "#5a9e5a", "#a05aa0")


def bar_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    """Bars of values in [0, max] per label, one colour per series, a 1.0 reference line."""
    left, width, bar, gap = 260, 420, 14, 12
    top = 48
    group = bar * len(series) + gap
    height = top + group * len(labels) + 40
    top_value = max([1.0, *(v for values in series.values() for v in values)])
    scale = width / top_value
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" '
        f'height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, name in enumerate(series):
        x = left + i * 170
        out.append(f'<rect x="{x}" y="28" width="10" height="10" fill="{COLOURS[i]}"/>')
        out.append(f'<text x="{x + 14}" y="37">{escape(name)}</text>')
    for row, label in enumerate(labels):
        y0 = top + row * group
        out.append(f'<text x="{left - 8}" y="{y0 + group / 2}" text-anchor="end">'
                   f"{escape(label)}</text>")  # fmt: skip
        for i, values in enumerate(series.values()):
            v = values[row]
            y = y0 + i * bar
            out.append(f'<rect x="{left}" y="{y}" width="{v * scale:.1f}" height="{bar - 2}" '
                       f'fill="{COLOURS[i]}"/>')  # fmt: skip
            out.append(f'<text x="{left + v * scale + 4:.1f}" y="{y + bar - 4}">{v:.2f}</text>')
    x1 = left + scale
    out.append(f'<line x1="{x1:.1f}" y1="{top - 4}" x2="{x1:.1f}" y2="{height - 30}" '
               'stroke="#888" stroke-dasharray="4 3"/>')  # fmt: skip
    out.append(f'<text x="{x1:.1f}" y="{height - 16}" text-anchor="middle">1.0 = hello</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
