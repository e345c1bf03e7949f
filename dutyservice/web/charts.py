"""Charts drawn on the server as SVG geometry: plain values in, shapes out (no Flask, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320  # viewBox units; the SVG scales to its container (a phone is 360 px wide)
ROW = 34
BAR_HEIGHT = 14
COUNT_ROOM = 44  # space kept right of the longest bar for its count


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: int
    bar_y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_height: int


def bar_chart(counts: dict[str, int]) -> BarChart:
    """Horizontal bars, largest first (ties by name), each labelled above with its count beside."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    largest = max((value for _, value in ordered), default=0)
    span = WIDTH - COUNT_ROOM
    bars = [
        Bar(
            label=label,
            value=value,
            label_y=index * ROW + 12,
            bar_y=index * ROW + 16,
            width=round(span * value / largest, 1) if largest else 0.0,
        )
        for index, (label, value) in enumerate(ordered)
    ]
    return BarChart(bars=bars, width=WIDTH, height=max(len(bars) * ROW, ROW), bar_height=BAR_HEIGHT)
