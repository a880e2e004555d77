"""The figures of Chapter 10 (random and PCA starts).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Dict, Sequence

import matplotlib as mpl
import numpy as np

from .style import COLORS, COLUMN_WIDTH, MIN_FONT, new_figure, legend

__all__ = ["OUTCOME_COLORS", "plot_start_success_maps", "plot_run_outcomes", "plot_collision_model",
           "plot_distance_histogram"]


#: Colours of the column labels of :func:`aelib.classify_columns` / run outcomes.
OUTCOME_COLORS: Dict[str, str] = {
    "recovered": COLORS[2],
    "near": COLORS[5],
    "straddle": COLORS[4],
    "duplicate": COLORS[1],
    "dead": "0.35",
    "stalled": "0.7",
}


def plot_start_success_maps(P, row_values, col_values, *, row_label: str, col_label: str,
                      row_titles: Sequence[str], col_titles: Sequence[str], panel: float = 2.3):
    """A grid of heat maps of success probabilities, annotated with their values.

    Parameters
    ----------
    P : ndarray, shape (R, C, len(row_values), len(col_values))
        Probabilities in [0, 1] (NaN for an empty cell), e.g. from
        :func:`aelib.success_grid`: panel (r, c) is encoder r and start c.
    row_values, col_values : sequence
        Values along the rows and columns of every map.
    row_label, col_label : str
        Axis labels of one map (e.g. "n" and "m").
    row_titles, col_titles : sequence of str
        Names of the panel rows (shown on the left) and columns (shown on top).
    panel : float, default 2.3
        Width of one map in inches (reduced so that the grid fits the column width).

    Returns
    -------
    matplotlib.figure.Figure
    """
    P = np.asarray(P, dtype=float)
    R, C = P.shape[:2]
    panel = min(panel, (COLUMN_WIDTH - 1.2) / C)
    fig, axes = new_figure(ncols=C, nrows=R, width=panel * C + 1.2, height=0.86 * panel * R + 0.3,
                           squeeze=False, sharex=True, sharey=True)
    cmap = mpl.colormaps["viridis"]
    image = None
    for r in range(R):
        for c in range(C):
            ax = axes[r][c]
            ax.grid(False)
            image = ax.imshow(P[r, c], cmap=cmap, vmin=0.0, vmax=1.0, origin="lower", aspect="auto")
            for i in range(P.shape[2]):
                for j in range(P.shape[3]):
                    value = P[r, c, i, j]
                    if np.isfinite(value):
                        text = "1" if value >= 0.995 else "0" if value < 0.005 else f"{value:.2f}"[1:]
                        ax.text(j, i, text,
                                ha="center", va="center", fontsize=MIN_FONT,
                                color="black" if value > 0.55 else "white")
            ax.set_xticks(range(len(col_values)), [str(v) for v in col_values])
            ax.set_yticks(range(len(row_values)), [str(v) for v in row_values])
            if r == 0:
                ax.set_title(col_titles[c])
            if r == R - 1:
                ax.set_xlabel(col_label)
            if c == 0:
                ax.set_ylabel(f"{row_titles[r]}\n{row_label}")
    fig.colorbar(image, ax=[axes[r][C - 1] for r in range(R)], shrink=0.8, label="success probability")
    return fig


def plot_run_outcomes(outcomes, *, title: str = None):
    """Horizontal stacked bars: for each setting, the share of runs by outcome.

    Parameters
    ----------
    outcomes : mapping label -> mapping outcome -> share
        Outcome names among "recovered", "near", "straddle", "duplicate", "dead"
        (the run's worst column label, :func:`aelib.classify_columns`) and "stalled"
        (:func:`aelib.stalled_start`); shares of all runs of that setting.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = list(outcomes)
    order = ["recovered", "near", "straddle", "duplicate", "dead", "stalled"]
    fig, ax = new_figure(height=0.32 * len(labels) + 1.5)
    ax.grid(False)
    left = np.zeros(len(labels))
    y = np.arange(len(labels))[::-1]
    for outcome in order:
        share = np.array([outcomes[label].get(outcome, 0.0) for label in labels])
        ax.barh(y, share, left=left, color=OUTCOME_COLORS[outcome], label=outcome, height=0.72,
                edgecolor="white", linewidth=0.5)
        left += share
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    legend(fig)
    if title:
        ax.set_title(title)
    return fig


def plot_collision_model(ms, predicted, curves, *, ylabel: str = "probability"):
    """Measured probabilities against the collision-free prediction m!/m^m, versus m.

    Parameters
    ----------
    ms : sequence of int
        Numbers of clusters m (x axis).
    predicted : sequence of float
        m!/m^m (:func:`aelib.collision_free_probability`).
    curves : mapping label -> sequence of float
        Measured probabilities at each m (e.g. one per dimension n).
    ylabel : str, default "probability"
        Label of the y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(width=5.6, height=3.7)
    ax.plot(ms, predicted, "k--", marker="x", label=r"no collision, $m!/m^m$")
    for index, (label, values) in enumerate(curves.items()):
        ax.plot(ms, values, "-o", ms=4, color=COLORS[index % len(COLORS)], label=label)
    ax.set_xticks(list(ms))
    ax.set_xlabel("m (clusters)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.03, 1.03)
    legend(fig)
    return fig


def plot_distance_histogram(groups, *, radii=(0.1, 0.5), xlabel: str = r"largest column distance $\max_i \|\pi(W)_i - A_i\|$"):
    """Histograms (log x) of final largest column distances, one row per group.

    Parameters
    ----------
    groups : mapping label -> sequence of float
        Distances, e.g. the ``max_column`` of :func:`aelib.start_trial` records.
    radii : sequence of float
        Vertical reference lines (the success and locate radii).
    xlabel : str
        Label of the x axis of the bottom row (the largest column distance by default).

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = list(groups)
    fig, axes = new_figure(nrows=len(labels), height=1.05 * len(labels) + 0.8, sharex=True, squeeze=False)
    bins = np.logspace(-2.3, np.log10(2.0), 41)
    for index, (ax, label) in enumerate(zip(axes[:, 0], labels)):
        values = np.clip(np.asarray(groups[label], dtype=float), bins[0], bins[-1])
        ax.hist(values, bins=bins, color=COLORS[index % len(COLORS)], alpha=0.85)
        for radius in radii:
            ax.axvline(radius, color="0.3", ls=":", lw=1.1)
        ax.set_ylabel("runs")
        ax.text(0.01, 0.92, label, transform=ax.transAxes, ha="left", va="top")
    axes[-1, 0].set_xscale("log")
    axes[-1, 0].set_xlabel(xlabel)
    return fig
