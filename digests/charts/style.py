"""What every lägesbild chart shares: size, palette, and drawing helpers into PNG bytes.

Charts are drawn headless (Agg), and only matplotlib's object-oriented API is used (a
`Figure` with its own `FigureCanvasAgg`): pyplot keeps global state and is not safe where
two digests are drawn at once, in threads. Every text is passed in by the caller, already
localised.
Colours are from the Okabe-Ito palette, which stays distinguishable with every common
colour-vision deficiency. Margins are fixed in pixels (label widths measured) rather than
left to a layout engine, which would double the drawing time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, IdentityTransform
from PIL import Image

WIDTH_PX = 1200
HEIGHT_PX = 700
DPI = 120
TOP_PX = 64  # room for the title

BLUE = "#0072B2"
VERMILLION = "#D55E00"
HOT_FILL = (0.95, 0.70, 0.55, 0.85)  # light vermillion, nearly opaque so blue cannot muddy it
PALE = "#B8B8B8"
GREY = "#6E6E6E"
INK = "#222222"
GRIDLINE = "#E6E6E6"

LatLon = tuple[float, float]
Ring = Sequence[tuple[float, float]]
FloatArray = npt.NDArray[np.float64]
Extent = tuple[float, float, float, float]  # west, east, south, north


def literal(text: str) -> str:
    """Escape dollar signs so that a caller's text is never parsed as mathtext."""
    return text.replace("$", r"\$")


def new_figure() -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def add_axes(figure: Figure, *, left: float, bottom: float, right: float = 30) -> Axes:
    """Axes inside fixed margins, in pixels."""
    width = 1 - (left + right) / WIDTH_PX
    height = 1 - (TOP_PX + bottom) / HEIGHT_PX
    return figure.add_axes((left / WIDTH_PX, bottom / HEIGHT_PX, width, height))


def text_width(texts: Sequence[str], fontsize: float) -> float:
    """The width in pixels of the widest of `texts`, measured without drawing."""
    font = FontProperties(size=fontsize)
    widths = [text_to_path.get_text_width_height_descent(t, font, False)[0] for t in texts]
    return max(widths, default=0.0) * DPI / 72


def to_png(figure: Figure) -> bytes:
    """Draw the figure into an RGB PNG.

    Pillow writes no timestamp or software name, so the same chart always gives the same
    bytes; RGB at zlib level 3 encodes in half the time of savefig's RGBA at level 6.
    """
    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=DPI)
    image = Image.frombytes("RGBA", (WIDTH_PX, HEIGHT_PX), raw.getvalue())
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=3, dpi=(DPI, DPI))
    return buffer.getvalue()


def draw_numbers(
    axes: Axes,
    positions: Sequence[tuple[float, float]],
    values: Sequence[float],
    colours: Sequence[str],
    *,
    shift: float | None = None,
    size: float = 9,
) -> None:
    """Write numbers at data positions, centred, or starting `shift` pixels to the right.

    All numbers are one collection of glyph outlines: a Text artist per number costs
    ~0.4 ms, which added up to a third of the heatmap's drawing time.
    """
    glyphs: dict[str, Path] = {}
    font = FontProperties(size=size)
    for value in values:
        text = f"{value:.0f}"
        if text not in glyphs:
            path = TextPath((0, 0), text, size=size * DPI / 72, prop=font)
            (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
            dx = shift - x0 if shift is not None else -(x0 + x1) / 2
            glyphs[text] = path.transformed(Affine2D().translate(dx, -(y0 + y1) / 2))
    paths = [glyphs[f"{value:.0f}"] for value in values]
    axes.add_collection(
        PathCollection(
            paths,
            offsets=positions,
            offset_transform=axes.transData,
            transform=IdentityTransform(),
            facecolors=colours,
            linewidths=0,
            zorder=4,
        )
    )


def fit(text: str, fontsize: float, max_px: float) -> str:
    """`text`, shortened with an ellipsis where it is wider than `max_px`."""
    width = text_width([text], fontsize)
    if width <= max_px:
        return text
    text = text[: int(len(text) * max_px / width)]
    while len(text) > 1 and text_width([text + "…"], fontsize) > max_px:
        text = text[:-1]
    return text.rstrip() + "…"


def set_title(figure: Figure, title: str) -> None:
    """The title at the top left of the figure, the same place in every chart."""
    title = literal(fit(title, 15, WIDTH_PX - 40))
    figure.text(20 / WIDTH_PX, 1 - 16 / HEIGHT_PX, title, va="top", fontsize=15, color=INK)


def style_axes(axes: Axes, *, grid_axis: Literal["x", "y"]) -> None:
    """Quiet axes: no top/right frame, pale grid lines behind the data."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(PALE)
    axes.tick_params(labelsize=11, colors=INK, length=0, pad=6)
    axes.grid(axis=grid_axis, color=GRIDLINE, linewidth=0.9)
    axes.set_axisbelow(True)


def bottom_legend(figure: Figure, *, reverse: bool = False) -> None:
    figure.legend(loc="lower center", ncols=2, frameon=False, fontsize=11, reverse=reverse)


def empty_chart(title: str, message: str, *, frame: bool = False) -> bytes:
    figure = new_figure()
    axes = add_axes(figure, left=30, bottom=30)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(frame)
        spine.set_color(PALE)
    set_title(figure, title)
    axes.text(
        0.5,
        0.5,
        literal(message),
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color=GREY,
    )
    return to_png(figure)
