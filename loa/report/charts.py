"""Report charts as PNG bytes (matplotlib, Agg canvas; no pyplot, so no global backend state)."""

from __future__ import annotations

import io
from typing import Any

from loa.core.i18n import Catalog
from loa.core.registry import channel_label
from loa.report.figures import Report

T = Catalog(
    {
        "monthly_title": ("Số tin phát/đăng theo tháng và theo kênh", "Items per month by channel"),
        "topic_title": ("Số tin phát/đăng theo chủ đề CCHC", "Items per CCHC topic"),
        "items": ("Số tin", "Items"),
        "nothing": (
            "Không có tin nào được phát hoặc đăng trong kỳ",
            "Nothing aired or was published in the period",
        ),
    }
)

# Colours for channels no installed package provides (old history); the others have their own.
FALLBACK = ("#8e44ad", "#d35400", "#7f8c8d", "#16a085")
DPI = 150


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    # DejaVu Sans ships with matplotlib and covers Vietnamese letters.
    fig.set_layout_engine("constrained")
    return fig, fig.add_subplot(1, 1, 1)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": "loa"})
    return buf.getvalue()


def _colour(channel: str, index: int) -> str:
    from loa.core.registry import channel_colour

    return channel_colour(channel) or FALLBACK[index % len(FALLBACK)]


def _nothing(ax: Any) -> None:
    ax.text(
        0.5,
        0.5,
        T("nothing"),
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=11,
        color="#555555",
    )
    ax.set_xticks([])
    ax.set_yticks([])


def monthly_chart(report: Report) -> bytes:
    """Stacked bars: items per month, one colour per channel that has items."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure(7.0, 3.6)
    ax.set_title(T("monthly_title"), fontsize=11)
    channels = [c for c in report.channels if report.totals.channel_items(c)]
    if not channels:
        _nothing(ax)
        return _png(fig)
    labels = [m.label for m in report.months]
    bottom = [0] * len(labels)
    for i, channel in enumerate(channels):
        values = [m.totals.channel_items(channel) for m in report.months]
        ax.bar(
            labels,
            values,
            bottom=bottom,
            label=channel_label(channel),
            color=_colour(channel, i),
            width=0.6,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for x, total in enumerate(bottom):
        ax.text(x, total, str(total), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(T("items"))
    ax.set_ylim(0, max(bottom) * 1.15 + 1)
    fig.legend(fontsize=8, frameon=False, loc="outside lower center", ncols=len(channels))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    if len(labels) > 6:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _png(fig)


def topic_chart(report: Report) -> bytes:
    """Horizontal bars: items per CCHC topic (most first)."""
    from matplotlib.ticker import MaxNLocator

    rows = sorted(report.topics, key=lambda r: r.total)
    fig, ax = _figure(7.0, max(2.4, 0.42 * len(rows) + 1.2))
    ax.set_title(T("topic_title"), fontsize=11)
    if not rows:
        _nothing(ax)
        return _png(fig)
    names = [_wrap(r.name) for r in rows]
    ax.barh(names, [r.total for r in rows], color="#c0392b", height=0.6)
    for y, r in enumerate(rows):
        ax.text(r.total, y, f" {r.total}", va="center", fontsize=8)
    ax.set_xlabel(T("items"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(r.total for r in rows) * 1.15 + 1)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _wrap(text: str, width: int = 38) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
