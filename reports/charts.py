"""The trend of failing services over recent runs, as inline SVG drawn on the server (no JS library)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.queries import TrendPoint

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 48
PAD_RIGHT = 16
PAD_TOP = 16
PAD_BOTTOM = 32


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    value: int


@dataclass
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    polyline: str
    maximum: int
    baseline: float
    top: float
    left: float
    right: float


def trend_chart(trend: list[TrendPoint]) -> Chart | None:
    """Points scaled to the box; None when there is no finished run to draw."""
    if not trend:
        return None
    maximum = max(point.failing for point in trend) or 1
    inner_width = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_width / (len(trend) - 1) if len(trend) > 1 else 0
    points = []
    for index, point in enumerate(trend):
        x = PAD_LEFT + (index * step if len(trend) > 1 else inner_width / 2)
        y = PAD_TOP + inner_height * (1 - point.failing / maximum)
        points.append(ChartPoint(round(x, 1), round(y, 1), point.run.as_of.strftime("%m/%d"), point.failing))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        maximum=maximum,
        baseline=HEIGHT - PAD_BOTTOM,
        top=PAD_TOP,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
    )
