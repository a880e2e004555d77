"""The figures of Chapter 4 (code consistency, Thm. 1 and 3).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib as mpl
import numpy as np

from .style import COLUMN_WIDTH, COLORS, MIN_FONT, new_figure, legend

__all__ = ["plot_preactivations", "plot_phase_diagrams", "plot_rate_grids", "plot_rate_curves",
           "plot_consistency_state"]


def plot_preactivations(panels, titles: Sequence[str], *, bins: int = 60):
    """Histograms of z = W^T y + b on and off the true support (proof of Thm. 3).

    Parameters
    ----------
    panels : sequence of dicts
        Each with keys ``"on"`` and ``"off"`` (1-D arrays, from
        :func:`aelib.preactivation_split`) and ``"lines"``: a dict label ->
        (x, style) of vertical lines, style one of ``"cut"`` (the activation's
        cut-off), ``"on"`` (a lower bound for the on-support values) or ``"off"``
        (an upper bound for the off-support values).
    titles : sequence of str
        One per panel.
    bins : int, default 60
        Number of histogram bins per panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    styles = {"cut": dict(color="0.1", ls="-", lw=1.4), "on": dict(color=COLORS[0], ls="--", lw=1.3),
              "off": dict(color=COLORS[1], ls="--", lw=1.3)}
    fig, axes = new_figure(len(panels), 1, width=3.4 * len(panels) + 0.3, height=3.5, squeeze=False, sharey=True)
    for ax, panel, title in zip(axes[0], panels, titles):
        on, off = np.asarray(panel["on"]), np.asarray(panel["off"])
        lo = min(on.min(), off.min(), *(x for x, _ in panel["lines"].values()))
        hi = max(on.max(), off.max(), *(x for x, _ in panel["lines"].values()))
        edges = np.linspace(lo - 0.05, hi + 0.05, bins + 1)
        ax.hist(off, bins=edges, color=COLORS[1], alpha=0.55, label=r"$i \notin \mathrm{supp}(x^*)$")
        ax.hist(on, bins=edges, color=COLORS[0], alpha=0.55, label=r"$i \in \mathrm{supp}(x^*)$")
        for label, (x, style) in panel["lines"].items():
            ax.axvline(x, label=label, **styles[style])
        ax.set_yscale("log")
        ax.set_xlabel(r"$z_i = \langle W_i, y\rangle + b_i$")
        ax.set_title(title)
        ax.grid(False)
    axes[0][0].set_ylabel("count (log scale)")
    legend(fig)
    return fig


def plot_phase_diagrams(diagrams, titles: Sequence[str], intervals, *, level: float = 0.99):
    """Support recovery rate over (delta, b), with the theorem's bias intervals drawn on top (Thm. 3 (ii)).

    Parameters
    ----------
    diagrams : sequence of aelib.PhaseDiagram
        From :func:`aelib.recovery_phase_diagram`, one per panel.
    titles : sequence of str
        One per panel.
    intervals : sequence of dicts
        One per panel: label -> (deltas, lower, upper) arrays (NaN where the
        interval is empty); lower is drawn solid, upper dashed, in one colour per label.
    level : float
        The white contour marks where the measured rate reaches ``level``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ncols = min(2, len(diagrams))
    nrows = int(np.ceil(len(diagrams) / ncols))
    fig, axes = new_figure(ncols, nrows, width=4.0 * ncols + 1.0, height=2.6 * nrows + 1.4, squeeze=False,
                           sharey=True)
    colors = [COLORS[1], COLORS[3], COLORS[5], COLORS[7]]
    for ax, pd, title, ints in zip(axes.ravel(), diagrams, titles, intervals):
        mesh = ax.pcolormesh(pd.deltas, pd.biases, pd.support.T, shading="nearest", vmin=0, vmax=1, cmap="viridis",
                             rasterized=True)
        ax.contour(pd.deltas, pd.biases, pd.support.T, levels=[level], colors="white", linewidths=1.2)
        for c, (label, (d, lower, upper)) in zip(colors, ints.items()):
            ax.plot(d, lower, color=c, lw=2.0, label=f"{label}: lower end")
            ax.plot(d, upper, color=c, lw=2.0, ls="--", label=f"{label}: upper end")
        ax.set_xlim(pd.deltas.min(), pd.deltas.max())
        ax.set_ylim(pd.biases.min(), pd.biases.max())
        ax.set_xlabel(r"$\delta = \|W_i - A_i\|$")
        ax.set_title(title)
        ax.grid(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("bias $b$")
    for ax in axes.ravel()[len(diagrams):]:
        ax.set_visible(False)
    fig.colorbar(mesh, ax=axes, shrink=0.85, label="support recovery rate")
    from matplotlib.lines import Line2D

    legend(fig, extra=[(Line2D([], [], color="white", lw=1.2), f"measured rate = {level:g}")], facecolor="0.85")
    return fig


def plot_rate_grids(grids, titles: Sequence[str], xvalues, yvalues, *, xlabel: str, ylabel: str,
                    colorbar_label: str = "recovery rate"):
    """Recovery rates on small grids (e.g. delta x k), each cell annotated with its value.

    Parameters
    ----------
    grids : sequence of ndarrays, shape (len(yvalues), len(xvalues))
        Rates in [0, 1], one grid per panel.
    titles : sequence of str
        One per panel.
    xvalues, yvalues : sequences
        Tick labels (the grid is drawn with categorical axes).
    xlabel, ylabel : str
        Axis labels.
    colorbar_label : str, default "recovery rate"
        Label of the shared colour bar.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(len(grids), 1, width=3.3 * len(grids) + 1.0, height=3.0, squeeze=False, sharey=True)
    for ax, grid, title in zip(axes[0], grids, titles):
        grid = np.asarray(grid)
        im = ax.imshow(grid, origin="lower", vmin=0, vmax=1, cmap="viridis", aspect="auto")
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=MIN_FONT,
                    color="black" if v > 0.6 else "white")
        ax.set_xticks(range(len(xvalues)))
        ax.set_xticklabels([f"{x:g}" for x in xvalues])
        ax.set_yticks(range(len(yvalues)))
        ax.set_yticklabels([f"{y:g}" for y in yvalues])
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.grid(False)
    axes[0][0].set_ylabel(ylabel)
    fig.colorbar(im, ax=axes, shrink=0.9, label=colorbar_label)
    return fig


def plot_rate_curves(panels, titles: Sequence[str], xlabels: Sequence[str], *, xlog=None, marks=None):
    """Recovery rate against one parameter, one panel per parameter ("where consistency breaks").

    Parameters
    ----------
    panels : sequence of dicts label -> (x, rate)
        One dict per panel, one line per label.
    titles, xlabels : sequences of str
        Title and x-axis label of each panel.
    xlog : sequence of bool or int, optional
        Log scale on x per panel (True: base 10; an integer: that base); ticks as plain numbers.
    marks : sequence of dicts label -> x, optional
        Vertical reference lines per panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(1, len(panels), height=2.05 * len(panels), squeeze=False, sharey=True)
    markers = ["o", "s", "^", "D", "v"]
    for p, (ax, curves, title, xlabel) in enumerate(zip(axes[:, 0], panels, titles, xlabels)):
        for j, (label, (x, y)) in enumerate(curves.items()):
            ax.plot(x, y, marker=markers[j % len(markers)], ms=4, color=COLORS[j], label=label)
        if marks is not None:
            for j, (label, x) in enumerate(marks[p].items()):
                ax.axvline(x, color="0.3", ls=[":", "--", "-."][j % 3], lw=1.0, label=label)
        if xlog is not None and xlog[p]:
            ax.set_xscale("log", base=xlog[p] if not isinstance(xlog[p], bool) else 10)
            ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(xlabel, labelpad=1.0)
        ax.set_title(title, loc="left")
        legend(ax, loc="right")
    fig.supylabel("support recovery rate", fontsize=mpl.rcParams["axes.labelsize"])
    return fig


def plot_consistency_state(on, off, rates, *, activation: str, lam: float, delta: float, b: float, sigma: float,
                           adversarial: bool):
    """The consistency explorer's figure (:func:`aelib.explorers.consistency_explorer_figure`) for one computed setting.

    One histogram panel of :func:`plot_preactivations` with the activation's cut-off, titled
    with the setting and the support and sign recovery rates of the encoder (Thm. 3).

    Parameters
    ----------
    on, off : ndarray
        Preactivations on and off the true support (:func:`aelib.preactivation_split`).
    rates : aelib.RecoveryRates
        Support and sign recovery rates of the encoder at this setting.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1), which sets the cut-off drawn.
    lam : float
        The threshold's lambda (drawn only for ``activation="threshold"``).
    delta, b, sigma : float
        Closeness of W, bias and noise level of the setting (shown in the title).
    adversarial : bool
        Whether W is the worst-case delta-close matrix (shown in the title).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if activation == "relu":
        lines = {"ReLU cut-off $z = 0$": (0.0, "cut")}
    else:
        lines = {rf"threshold $|z| = \lambda = {lam:g}$": (lam, "cut"), "_negative": (-lam, "cut")}
    kind = "worst-case" if adversarial else "typical"
    title = (f"{activation}, {kind} W, $\\delta$ = {delta:.2f}, b = {b:.2f}, $\\sigma_\\eta$ = {sigma:.3f}\n"
             f"support recovered: {rates.support:.3f}, signs: {rates.sign:.3f}")
    fig = plot_preactivations([{"on": on, "off": off, "lines": lines}], [title])
    fig.set_size_inches(COLUMN_WIDTH, 3.9)
    return fig
