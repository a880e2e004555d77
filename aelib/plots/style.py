"""The book's one figure style: palette, column width, type sizes, figure factory and legend rule.

Every chapter module of :mod:`aelib.plots` draws through :func:`new_figure` (the book's
style, at most :data:`COLUMN_WIDTH` wide) and places legends with :func:`legend`; the
private helpers shared by several chapters (median bands over trials, plain-decimal log
ticks) live here too.
"""

from __future__ import annotations

from typing import Dict, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLORS", "INIT_COLORS", "COLUMN_WIDTH", "MIN_FONT", "use_style", "new_figure", "legend"]


#: Colour-blind-safe palette (Okabe-Ito), shared by every figure.
COLORS: Sequence[str] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


#: One colour per initialization, the same in every chapter.
INIT_COLORS: Dict[str, str] = {
    "perturbation": COLORS[0],
    "pca": COLORS[1],
    "random": COLORS[2],
    "spectral": COLORS[3],
}


#: Width of the book's text column in inches at the figures' dpi (110): at a 1280-px browser
#: window the column shows images up to 676 CSS px wide, so a figure no wider than this is shown
#: at 100% and one point of type is 110/72 CSS px. Every figure is drawn at most this wide.
COLUMN_WIDTH: float = 6.1


#: The smallest type (points) any figure uses: 7 pt is 10.7 CSS px at 100%, and still 8 px
#: when a full-width figure is shrunk to 75%.
MIN_FONT: float = 7.0


_STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.figsize": (COLUMN_WIDTH, 3.4),
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    # Legends sit outside the data (:func:`legend`); one drawn inside an axes gets an opaque
    # frame, so no line can run through its text.
    "legend.frameon": True,
    "legend.framealpha": 1.0,
    "legend.edgecolor": "0.8",
    "legend.fancybox": False,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 8.5,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=list(COLORS)),
}


def use_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a chapter).

    Returns
    -------
    None
        Updates ``matplotlib.rcParams`` in place.
    """
    mpl.rcParams.update(_STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = COLUMN_WIDTH, height: float = 3.4, **kwargs):
    """A figure with a grid of axes in the book's style; returns (fig, axes).

    The width is capped at :data:`COLUMN_WIDTH`, so the figure is never shrunk by the browser
    at desktop width and its type keeps the sizes set by :func:`use_style`.

    Parameters
    ----------
    ncols, nrows : int, default 1
        Columns and rows of the grid of axes.
    width : float, default COLUMN_WIDTH
        Width in inches (capped at :data:`COLUMN_WIDTH`).
    height : float, default 3.4
        Height in inches.
    **kwargs
        Passed to ``matplotlib.pyplot.subplots`` (e.g. ``squeeze``, ``sharey``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or ndarray of them
        As ``matplotlib.pyplot.subplots`` returns them.
    """
    use_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(width, COLUMN_WIDTH), height), constrained_layout=True,
                             **kwargs)
    return fig, axes


def _points(size) -> float:
    """A matplotlib font size (number or name such as "medium") in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def legend(owner, handles=None, labels=None, *, loc: str = "below", ncol: int = None, extra=(), **kwargs):
    """Draw a legend by the book's one rule: outside the data, or in an opaque frame.

    Parameters
    ----------
    owner : matplotlib Figure or Axes
        A figure gets one legend for all its axes (each label once); an axes, its own.
    handles, labels : sequences, optional
        The entries (default: those of the owner's axes).
    loc : str
        ``"below"``: under the panels (a figure) or under the axes and its x label (an axes);
        ``"right"``: right of the panels or of the axes, one column; any other matplotlib
        location (an axes only): inside the axes, in an opaque frame, for an empty corner.
    ncol : int, optional
        Columns of a legend below; by default as many as fit in the width of the owner.
    extra : sequence of (handle, label), optional
        Entries appended after the others (e.g. a proxy artist explaining a marker style).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend` / :meth:`matplotlib.figure.Figure.legend`.

    Returns
    -------
    matplotlib.legend.Legend or None
        None when there is nothing to show.
    """
    from matplotlib.figure import Figure
    from matplotlib.transforms import ScaledTranslation

    is_figure = isinstance(owner, Figure)
    fig = owner if is_figure else owner.figure
    if handles is None:
        handles, labels = [], []
        for ax in (owner.axes if is_figure else [owner]):
            for handle, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
    handles, labels = list(handles) + [h for h, _ in extra], list(labels) + [label for _, label in extra]
    if not handles:
        return None
    if loc not in ("below", "right"):
        if is_figure:
            raise ValueError(f"loc: expected 'below' or 'right' for a figure legend, got {loc!r}")
        return owner.legend(handles, labels, loc=loc, ncol=ncol or 1, **kwargs)
    if is_figure:
        place = dict(loc="outside lower center" if loc == "below" else "outside right upper")
        draw, room = fig.legend, fig.get_figwidth() * fig.dpi
    else:
        rc = mpl.rcParams
        if loc == "below":  # under the tick labels and the x label, in points
            drop = rc["xtick.major.size"] + rc["xtick.major.pad"] + _points(rc["xtick.labelsize"]) + 4.0
            if owner.get_xlabel():
                drop += rc["axes.labelpad"] + 1.3 * _points(rc["axes.labelsize"])
            anchor = owner.transAxes + ScaledTranslation(0.0, -drop / 72.0, fig.dpi_scale_trans)
            place = dict(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=anchor, borderaxespad=0.0)
        else:
            place = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        draw, room = owner.legend, owner.get_position().width * fig.get_figwidth() * fig.dpi
    if loc == "right":
        return draw(handles, labels, ncol=1, **place, **kwargs)
    renderer = fig.canvas.get_renderer()
    for columns in ([ncol] if ncol else range(len(handles), 0, -1)):
        leg = draw(handles, labels, ncol=columns, **place, **kwargs)
        if ncol or columns == 1 or leg.get_window_extent(renderer).width <= 0.98 * room:
            return leg
        leg.remove()


def _plain_log_axis(axis) -> None:
    """Log-axis ticks at 1, 2, 5 x 10^j, written as plain decimals (0.05, 0.1, 0.2, ...)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _median_band(ax, values, color, label, *, lower, upper, alpha=0.18, **kwargs):
    """Draw the median over trials (axis 0) as a line and the [lower, upper] percentiles as a band."""
    low, median, high = np.percentile(np.asarray(values, dtype=float), [lower, 50.0, upper], axis=0)
    steps = np.arange(median.size)
    ax.fill_between(steps, low, high, color=color, alpha=alpha, lw=0)
    ax.plot(steps, median, color=color, label=label, **kwargs)
