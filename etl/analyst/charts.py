"""Bar charts as inline SVG, drawn by matplotlib.

matplotlib rather than a JavaScript grammar (Vega-Lite via altair): its SVG is static, so the page
needs no script and no network when it is opened, and it is drawn the same in any browser or in
none. Text stays text (``svg.fonttype = none``), so labels can be searched and read by a screen
reader; each bar carries an id (``<chart>-bar-<n>``) so a test can count what was drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# one colour per series, fixed so the page reads the same every time (and a test can find them)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "news-etl",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG sits inside HTML


def _tag(bars: BarContainer, chart: str, start: int) -> int:
    for n, patch in enumerate(bars.patches, start=start):
        patch.set_gid(f"{chart}-bar-{n}")
    return start + len(bars.patches)


def horizontal_bars(chart: str, labels: Sequence[str], values: Sequence[float], colour: str, xlabel: str, counts: bool = True) -> str:
    """One bar per label, the first on top; ``counts``: whole-number ticks."""
    with rc_context(STYLE):
        fig = Figure(figsize=(7, 0.8 + 0.28 * max(len(labels), 1)))
        ax = fig.subplots()
        rows = list(range(len(labels)))
        bars = ax.barh(rows, values, color=colour)
        _tag(bars, chart, 0)
        ax.set_yticks(rows, [_short(label) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        if counts:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.bar_label(bars, fmt=_number, padding=3)
        return _svg(fig)


def daily_bars(chart: str, days: Sequence[date], series: dict[str, Sequence[float]], colours: Sequence[str], ylabel: str) -> str:
    """Grouped bars on a date axis, so a year of days still reads."""
    with rc_context(STYLE):
        fig = Figure(figsize=(7, 3.2))
        ax = fig.subplots()
        width = 0.8 / max(len(series), 1)
        xs = mdates.date2num(list(days))
        n = 0
        for i, (name, values) in enumerate(series.items()):
            offset = (i - (len(series) - 1) / 2) * width
            n = _tag(ax.bar(xs + offset, values, width, label=name, color=colours[i % len(colours)]), chart, n)
        if len(days) <= 14:  # a tick under each day
            ax.set_xticks(xs, [d.strftime("%b %d") for d in days])
        else:
            locator = mdates.AutoDateLocator(maxticks=10)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False)
        return _svg(fig)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
