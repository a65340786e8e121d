"""Charts: the geometry of the pictures drawn at build time as inline SVG.

Citizens look at a bar or a line faster than they read a table, but a phone
on slow data should not download a chart library to see one. So the numbers
become coordinates here, in Python, once per build; a template only writes
the SVG elements out, and every picture sits next to the same numbers as
text. Pure functions of their input: the same figures give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

BAR_WIDTH = 100  # a coverage bar's viewBox is 0..100, so its fill width is the percentage


@dataclass(frozen=True)
class Bar:
    """A coverage bar: the filled part, in viewBox units of 0..100."""

    isi: str  # width of the fill, formatted for SVG
    lebih: bool  # coverage above 100 %: the bar is full and says so


def bar(persen: float | None) -> Bar | None:
    """The bar for a coverage percentage; none where there is no target."""
    if persen is None:
        return None
    filled = min(max(persen, 0.0), 100.0)
    return Bar(number(filled), persen > 100)


@dataclass(frozen=True)
class Tick:
    pos: str  # x or y in viewBox units, formatted for SVG
    value: object  # what the tick stands for: an int count or a date


@dataclass(frozen=True)
class LineChart:
    """A line of monthly counts with its axes, in viewBox units."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int  # y of the zero line
    points: str  # polyline "x,y x,y …"
    area: str  # path of the area under the line, closed on the zero line
    last: tuple[str, str]  # x, y of the last point, marked with a dot
    y_ticks: tuple[Tick, ...]  # gridlines, value is the count
    x_ticks: tuple[Tick, ...]  # month labels, value is the date
    y_label_x: int  # where the count labels end, left of the plot
    x_label_y: int  # baseline of the month labels, under the plot
    series: tuple[tuple[dt.date, int], ...]  # the numbers themselves, for the table beside the picture
    first_value: int
    last_value: int
    max_value: int


def number(value: float) -> str:
    """A coordinate as short, stable text: 2 decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """The top of the y axis and the step between gridlines: the smallest
    1, 2, 2.5 or 5 × 10^k step whose `ticks` multiples reach `value`.
    Counts are whole numbers, so the step is at least 1."""
    if value <= 0:
        return ticks, 1
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw and step == int(step):
            step = int(step)
            break
    else:  # pragma: no cover - factor 10 always fits
        step = int(10 * magnitude)
    step = max(step, 1)
    while step * ticks < value:  # rounding of tiny magnitudes
        step += 1
    return step * ticks, step


def line_chart(series, width: int = 360, height: int = 170, left: int = 40, right: int = 12,
               top: int = 10, bottom_margin: int = 26, ticks: int = 4, x_every: int = 3) -> LineChart:
    """A line chart of `series`, a sequence of (date, count) oldest first.

    The y axis starts at zero (a line that starts higher would exaggerate
    change) and ends on a round number. Month labels fall on every
    `x_every`-th month counted back from the last, so the newest month is
    always labelled."""
    series = tuple((day, int(count)) for day, count in series)
    if not series:
        raise ValueError("a line chart needs at least one point")
    values = [count for _, count in series]
    top_value, step = nice_ceiling(max(values), ticks)
    bottom = height - bottom_margin
    plot_w, plot_h = width - left - right, bottom - top
    n = len(series)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: int) -> float:
        return bottom - plot_h * v / top_value

    coords = [(number(x(i)), number(y(v))) for i, v in enumerate(values)]
    points = " ".join(f"{cx},{cy}" for cx, cy in coords)
    area = f"M{coords[0][0]},{bottom} L" + " L".join(f"{cx},{cy}" for cx, cy in coords) + \
        f" L{coords[-1][0]},{bottom} Z"
    y_ticks = tuple(Tick(number(y(v)), v) for v in range(0, top_value + 1, step))
    x_ticks = tuple(Tick(number(x(i)), series[i][0]) for i in range(n) if (n - 1 - i) % x_every == 0)
    return LineChart(width, height, left, width - right, top, bottom, points, area, coords[-1],
                     y_ticks, x_ticks, left - 6, height - 6, series, values[0], values[-1], max(values))
