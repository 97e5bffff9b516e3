"""Line charts as inline SVG, for the self-contained HTML quality report.

The report must open anywhere without a network (a file attached to a ticket, a
CI artifact), so there is no charting library to fetch: each chart is a small SVG
drawn here, with the runs on the x axis (evenly spaced: runs are the unit, not
hours), one polyline per series, a native ``<title>`` tooltip on every point,
the selected run marked, and points that drifted ringed in red.  Every text that
reaches the markup is escaped; nothing from a document is ever interpreted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
# Colour-blind-safe palette (Okabe-Ito), cycled.
Scale = Callable[[float], float]
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000")


@dataclass
class Series:
    """One line: a name and a value per run (None where the run did not measure it);
    ``drifted`` holds the indexes of points that drifted."""

    name: str
    values: list[float | None]
    drifted: set[int] = field(default_factory=set)


@dataclass
class Chart:
    """A chart over ``runs`` (labels, oldest first); ``percent`` formats values as %."""

    title: str
    runs: list[str]
    series: list[Series]
    percent: bool = False
    selected: int | None = None  # index of the run the report is about


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v:.1%}"
    return f"{v:,.0f}" if abs(v) >= 20 else f"{v:,.2f}"


def _scale(chart: Chart) -> tuple[float, float]:
    vals = [v for s in chart.series for v in s.values if v is not None]
    top = max(vals, default=0.0)
    if top <= 0:
        top = 0.01 if chart.percent else 1.0
    return 0.0, top * 1.1


def render(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (with a legend below it, in HTML)."""
    lo, hi = _scale(chart)
    n = len(chart.runs)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: float) -> float:
        return LEFT + (inner_w * (i + 0.5) / n if n else 0)

    def y(v: float) -> float:
        return TOP + inner_h * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    parts += _axes(chart, lo, hi, x, y)
    for k, s in enumerate(chart.series):
        parts += _line(chart, s, PALETTE[k % len(PALETTE)], k, x, y)
    parts.append("</svg>")
    return "".join(parts) + _legend(chart)


def _axes(chart: Chart, lo: float, hi: float, fx: Scale, fy: Scale) -> list[str]:
    out = []
    for t in range(5):
        v = lo + (hi - lo) * t / 4
        yy = fy(v)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(v, chart.percent))}</text>"
        )
    step = max(1, len(chart.runs) // 10)
    for i, label in enumerate(chart.runs):
        if i % step == 0 or i == len(chart.runs) - 1:
            out.append(
                f'<text class="tick" x="{fx(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if chart.selected is not None:
        sx = fx(chart.selected)
        out.append(
            f'<line class="selected" x1="{sx:.1f}" x2="{sx:.1f}" y1="{TOP}" '
            f'y2="{HEIGHT - BOTTOM}"/>'
        )
    return out


def _line(chart: Chart, s: Series, colour: str, k: int, fx: Scale, fy: Scale) -> list[str]:
    pts = [(i, v) for i, v in enumerate(s.values) if v is not None]
    out = [f'<g class="series" data-series="{k}">']
    if len(pts) > 1:
        coords = " ".join(f"{fx(i):.1f},{fy(v):.1f}" for i, v in pts)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
    for i, v in pts:
        ring = ' class="drift"' if i in s.drifted else ""
        tip = f"{s.name}, run {chart.runs[i]}: {_fmt(v, chart.percent)}"
        if i in s.drifted:
            tip += " (drift)"
        out.append(
            f'<circle{ring} cx="{fx(i):.1f}" cy="{fy(v):.1f}" r="{5 if ring else 3}" '
            f'fill="{colour}"><title>{escape(tip)}</title></circle>'
        )
    out.append("</g>")
    return out


def _legend(chart: Chart) -> str:
    items = "".join(
        f'<button type="button" class="key" data-series="{k}" aria-pressed="true">'
        f'<span class="swatch" style="background:{PALETTE[k % len(PALETTE)]}"></span>'
        f"{escape(s.name)}</button>"
        for k, s in enumerate(chart.series)
    )
    return f'<div class="legend">{items}</div>'


def figure(chart: Chart, note: str = "") -> str:
    """The chart with its heading, in a ``<figure>`` the page's script can toggle."""
    caption = f"<figcaption>{escape(chart.title)}"
    if note:
        caption += f' <span class="note">{escape(note)}</span>'
    return f'<figure class="chart-box">{caption}</figcaption>{render(chart)}</figure>'


def series_from(
    runs: Sequence[str], by_run: dict[str, dict[str, float | None]], names: Sequence[str]
) -> list[Series]:
    """Series named ``names`` from ``{series name: {run: value}}``, in run order."""
    return [Series(n, [by_run.get(n, {}).get(r) for r in runs]) for n in names]
