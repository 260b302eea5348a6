"""A bar chart of a run's 0-1 metrics with their bootstrap intervals, as a standalone SVG.

Hand-written SVG keeps the report free of a plotting dependency; only metric names (never
transcript text) are drawn, and they are escaped anyway.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

ROW = 18  # pixels per metric
LABEL = 230  # width of the name column
BAR = 320  # width of the 0..1 scale


def _plotted(metrics: dict[str, float | None]) -> list[tuple[str, float]]:
    """The metrics that are shares (between 0 and 1), in report order."""
    return [(n, v) for n, v in metrics.items() if v is not None and 0.0 <= v <= 1.0]


def _row(y: int, name: str, value: float, ci: tuple[float, float] | None) -> list[str]:
    parts = [
        f'<text x="{LABEL - 6}" y="{y + 13}" text-anchor="end">{escape(name)}</text>',
        f'<rect x="{LABEL}" y="{y + 3}" width="{value * BAR:.1f}" height="{ROW - 6}" '
        'fill="#4c78a8"/>',
        f'<text x="{LABEL + BAR + 6}" y="{y + 13}">{value:.3f}</text>',
    ]
    if ci:
        low, high = (LABEL + c * BAR for c in ci)
        mid = y + ROW / 2
        parts.append(
            f'<path d="M{low:.1f},{mid} H{high:.1f} M{low:.1f},{mid - 4} V{mid + 4} '
            f'M{high:.1f},{mid - 4} V{mid + 4}" stroke="#222" fill="none"/>'
        )
    return parts


def metrics_svg(metrics: dict[str, float | None], cis: dict[str, tuple[float, float]]) -> str:
    """The SVG document: one bar per 0-1 metric, its 95% interval as a whisker."""
    rows = _plotted(metrics)
    height = ROW * len(rows) + 30
    width = LABEL + BAR + 60
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<path d="M{LABEL},{height - 24} V4" stroke="#999"/>',
        f'<text x="{LABEL}" y="{height - 8}">0</text>',
        f'<text x="{LABEL + BAR}" y="{height - 8}" text-anchor="end">1</text>',
    ]
    for i, (name, value) in enumerate(rows):
        body += _row(4 + i * ROW, name, value, cis.get(name))
    return "\n".join([*body, "</svg>"]) + "\n"
