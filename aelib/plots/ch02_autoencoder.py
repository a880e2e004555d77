"""The figures of Chapter 2 (the weight-sharing autoencoder, Sec. 2.1 and eq. (4)).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, COLUMN_WIDTH, use_style, new_figure, legend

__all__ = ["plot_architecture", "plot_activations", "plot_loss_slices"]


def plot_architecture(n: int = 5, m: int = 3):
    """The weight-sharing autoencoder of Sec. 2.1 (the paper's Fig. 1), drawn from scratch.

    Input layer y (n nodes), hidden layer x = sigma(W^T y + b) (m nodes), output
    y_hat = W x (n nodes). Every edge into or out of hidden unit j carries a weight of
    column W_j, so both layers of edges share one colour per hidden unit; one shared
    weight W_{1,1} is labelled on both sides.

    Parameters
    ----------
    n, m : int
        Number of input/output and hidden nodes to draw (small: 2 <= m <= 8, m <= n <= 12).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if not (2 <= m <= 8 and m <= n <= 12):
        raise ValueError(f"n, m: expected 2 <= m <= 8 and m <= n <= 12, got n={n}, m={m}")
    use_style()
    height = n + 2.2
    fig = plt.figure(figsize=(COLUMN_WIDTH, COLUMN_WIDTH * height / 11.1))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(-0.9, 10.2)
    ax.set_ylim(-1.45, n + 0.75)
    ax.set_aspect("equal")
    ax.axis("off")
    xs = {"in": 0.6, "hid": 4.7, "out": 8.8}
    y_in = np.linspace(n - 0.5, 0.5, n) + 0.1
    y_hid = np.linspace(n / 2 + (m - 1) * 0.62, n / 2 - (m - 1) * 0.62, m) + 0.1
    r = 0.26
    unit_colors = [COLORS[0], COLORS[1], COLORS[2], COLORS[3], COLORS[4], COLORS[5], COLORS[7], "#999933"]

    def edge(x0, y0, x1, y1, color, lw=1.0, alpha=0.55, z=1):
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        ax.add_patch(FancyArrowPatch((x0 + r * ux, y0 + r * uy), (x1 - r * ux, y1 - r * uy),
                                     arrowstyle="-|>", mutation_scale=7, color=color, lw=lw, alpha=alpha, zorder=z))

    for j in range(m):
        for i in range(n):
            strong = i == 0 and j == 0
            lw, alpha = (2.2, 0.95) if strong else (0.9, 0.45)
            edge(xs["in"], y_in[i], xs["hid"], y_hid[j], unit_colors[j], lw, alpha, 2 if strong else 1)
            edge(xs["hid"], y_hid[j], xs["out"], y_in[i], unit_colors[j], lw, alpha, 2 if strong else 1)
    # bias node
    yb = -0.75
    ax.add_patch(FancyBboxPatch((xs["hid"] - 1.75 - 0.32, yb - 0.22), 0.64, 0.44, boxstyle="round,pad=0.02",
                                fc="white", ec="0.3", lw=1.2, zorder=3))
    ax.text(xs["hid"] - 1.75, yb, "$+1$", ha="center", va="center", fontsize=10, zorder=4)
    for j in range(m):
        edge(xs["hid"] - 1.75, yb + 0.05, xs["hid"], y_hid[j], "0.45", 0.9, 0.6)
    ax.text(xs["hid"] - 1.95, yb + 0.45, "$b_j$", fontsize=11, color="0.3", ha="right")
    ax.text(xs["hid"] + 0.9, yb - 0.05, "one colour per hidden unit $j$:\nits edges carry column $W_j$ twice",
            ha="left", va="center", fontsize=8, color="0.35")
    # nodes
    for i in range(n):
        for key, label in (("in", f"$y_{{{i + 1}}}$"), ("out", f"$\\hat y_{{{i + 1}}}$")):
            ax.add_patch(Circle((xs[key], y_in[i]), r, fc="white", ec="0.2", lw=1.3, zorder=3))
            ax.text(xs[key] + (-0.42 if key == "in" else 0.42), y_in[i], label, ha="right" if key == "in" else "left",
                    va="center", fontsize=10)
    for j in range(m):
        ax.add_patch(Circle((xs["hid"], y_hid[j]), r * 1.25, fc=unit_colors[j], ec="0.15", lw=1.3, alpha=0.92, zorder=3))
        ax.text(xs["hid"], y_hid[j], "$\\sigma$", ha="center", va="center", fontsize=11, color="white", zorder=4)
        ax.text(xs["hid"] + 0.05, y_hid[j] + 0.48, f"$x_{{{j + 1}}}$", ha="center", va="bottom", fontsize=10, zorder=4,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
    # the shared weight W_11 on both sides
    for (x0, y0, x1, y1) in ((xs["in"], y_in[0], xs["hid"], y_hid[0]), (xs["hid"], y_hid[0], xs["out"], y_in[0])):
        ax.text(0.5 * (x0 + x1), 0.5 * (y0 + y1) + 0.28, "$W_{11}$", ha="center", va="bottom", fontsize=10,
                color=unit_colors[0], fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.12", fc="white", ec=unit_colors[0], lw=0.8))
    # layer captions
    top = n + 0.45
    ax.text(xs["in"], top, "input $y \\in \\mathbb{R}^n$", ha="center", fontsize=10)
    ax.text(xs["hid"], top, "code $x \\in \\mathbb{R}^m$", ha="center", fontsize=10)
    ax.text(xs["out"], top, "output $\\hat y \\in \\mathbb{R}^n$", ha="center", fontsize=10)
    ax.text(0.5 * (xs["in"] + xs["hid"]), -1.3, "encoder: $x = \\sigma(W^\\top y + b)$", ha="center", fontsize=10)
    ax.text(0.5 * (xs["hid"] + xs["out"]), -1.3, "decoder: $\\hat y = W x$", ha="center", fontsize=10)
    ax.text(0.5 * (xs["in"] + xs["hid"]) + 0.2, top - 0.45, "weights $W^\\top$", ha="center", fontsize=9, color="0.35")
    ax.text(0.5 * (xs["hid"] + xs["out"]) - 0.2, top - 0.45, "weights $W$", ha="center", fontsize=9, color="0.35")
    return fig


def _break_jumps(z: np.ndarray, values: np.ndarray, gap: float = 0.2):
    """Insert NaN between consecutive points whose values differ by more than ``gap``."""
    cut = np.flatnonzero(np.abs(np.diff(values)) > gap) + 1
    return np.insert(z.astype(float), cut, np.nan), np.insert(values.astype(float), cut, np.nan)


def plot_activations(z: np.ndarray, curves, titles: Sequence[str], kinks):
    """sigma and sigma' for the activations of Sec. 2.1 (one panel each).

    Parameters
    ----------
    z : ndarray, shape (K,)
        Grid of pre-activations.
    curves : sequence of (sigma(z), sigma'(z)) pairs of arrays
        One pair per panel, evaluated on ``z``.
    titles : sequence of str
        One per panel.
    kinks : sequence of sequences of float
        The points where each sigma is not differentiable (marked on the plot).

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = len(curves)
    fig, axes = new_figure(k, 1, width=3.5 * k, height=3.2, squeeze=False)
    for ax, (s, ds), title, kk in zip(axes[0], curves, titles, kinks):
        ax.plot(*_break_jumps(z, s), color=COLORS[0], lw=2, label="$\\sigma(z)$")
        ax.plot(*_break_jumps(z, ds, 0.5), color=COLORS[1], lw=1.6, ls="--", label="$\\sigma'(z)$")
        for c in kk:
            ax.axvline(c, color="0.5", lw=0.7, ls=":")
        ax.set_title(title)
        ax.set_xlabel("$z$")
        ax.axhline(0, color="0.6", lw=0.6)
    legend(fig)
    return fig


def plot_loss_slices(slices, titles: Sequence[str]):
    """L(W + tD) - L(W) against the integral of the approximate gradient's slope (Sec. 5).

    Where they coincide the gradient explains the loss; each gap is a jump of the loss
    that the gradient does not see (ticks at the bottom mark intervals where some gate
    1{x_i != 0} flips).

    Parameters
    ----------
    slices : sequence of aelib.autoencoder.LineSlice
        From :func:`aelib.loss_along_line`, one per panel.
    titles : sequence of str
        One per panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = len(slices)
    fig, axes = new_figure(k, 1, width=3.6 * k, height=3.4, squeeze=False)
    for ax, sl, title in zip(axes[0], slices, titles):
        i0 = int(np.argmin(np.abs(sl.t)))
        ax.plot(sl.t, sl.loss - sl.loss[i0], color=COLORS[0], lw=1.8, label="$L(W+tD)-L(W)$")
        integ = sl.integrated_slope - sl.integrated_slope[i0]
        ax.plot(sl.t, integ, color=COLORS[1], lw=1.4, ls="--", label="$\\int_0^t \\langle \\widetilde\\nabla L, D\\rangle$")
        flips = 0.5 * (sl.t[1:] + sl.t[:-1])[sl.changes > 0]
        lo = min(np.min(sl.loss - sl.loss[i0]), np.min(integ))
        hi = max(np.max(sl.loss - sl.loss[i0]), np.max(integ))
        pad = 0.08 * (hi - lo)
        ax.vlines(flips, lo - pad, lo - 0.4 * pad, color=COLORS[2], lw=0.6, label="a gate flips")
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_title(title)
        ax.set_xlabel("$t$")
    legend(fig)
    return fig
