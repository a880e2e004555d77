"""The figures of Chapter 1 (the generative bilinear model, Sec. 2.2, Def. 1-2).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS, COLUMN_WIDTH, new_figure, legend, _plain_log_axis

__all__ = ["plot_model_samples", "plot_codes", "plot_coherence", "plot_alignment", "plot_matching_cost"]


def _support_labels(X: np.ndarray):
    """Map each code's support (a tuple of indices) to a small integer label."""
    keys = [tuple(np.flatnonzero(col)) for col in X.T]
    order = sorted(set(keys), key=lambda s: (len(s), s))
    index = {s: i for i, s in enumerate(order)}
    return np.array([index[s] for s in keys]), order


def plot_model_samples(A: np.ndarray, samples, titles: Sequence[str], *, size: float = None):
    """Scatter samples of 2-D models (n = 2) with the columns A_i drawn as arrows (Sec. 2.2).

    Parameters
    ----------
    A : ndarray, shape (2, m)
        The dictionary shared by the panels.
    samples : sequence of (Y, X_star)
        One pair per panel, as returned by ``model.sample``; points are coloured by
        the support of their code.
    titles : sequence of str
        One per panel.
    size : float, optional
        Width of one panel in inches (default: the column width shared by the panels).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if A.shape[0] != 2:
        raise ValueError(f"A: expected 2 rows (a planar model), got shape {A.shape}")
    k = len(samples)
    size = size or COLUMN_WIDTH / k
    fig, axes = new_figure(k, 1, width=size * k, height=size + 1.1, squeeze=False)
    palette = list(COLORS[:3]) + [COLORS[4], COLORS[3], COLORS[5], COLORS[2], COLORS[6]]
    lim = 1.05 * max(2.0, max(np.abs(Y).max() for Y, _ in samples))
    for ax, (Y, X), title in zip(axes[0], samples, titles):
        labels, supports = _support_labels(X)
        for j, S in enumerate(supports):
            sel = labels == j
            name = "{" + ",".join(str(i + 1) for i in S) + "}"
            ax.scatter(Y[0, sel], Y[1, sel], s=5, alpha=0.55, color=palette[j % len(palette)],
                       linewidths=0, label=f"S = {name}", rasterized=True)
        for i in range(A.shape[1]):
            ax.annotate("", xy=(A[0, i], A[1, i]), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>", color="black", lw=1.6, mutation_scale=12))
            ax.text(1.4 * A[0, i], 1.4 * A[1, i], f"$A_{i + 1}$", ha="center", va="center", fontsize=11,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
        ax.axhline(0, color="0.6", lw=0.6)
        ax.axvline(0, color="0.6", lw=0.6)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("$y_1$")
        ax.grid(False)
    axes[0, 0].set_ylabel("$y_2$")
    for ax, (_, X) in zip(axes[0], samples):
        if len(_support_labels(X)[1]) <= 6:
            legend(ax, markerscale=2.5, handletextpad=0.2, columnspacing=0.8)
    return fig


def plot_codes(codes, titles: Sequence[str], *, vmax: float = None):
    """Show codes X* (m x N) as images, one panel per model, zeros in white (Sec. 2.2).

    Parameters
    ----------
    codes : sequence of ndarray, shape (m, N)
        Codes X*, one per panel (e.g. the ``X_star`` of ``model.sample``).
    titles : sequence of str
        One per panel.
    vmax : float, optional
        Colour scale limit (symmetric); the largest |x| by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = len(codes)
    vmax = vmax or max(float(np.abs(X).max()) for X in codes)
    m, N = codes[0].shape
    fig, axes = new_figure(1, k, width=6.8, height=0.45 + 0.17 * m * k + 0.25 * k, squeeze=False)
    cmap = plt.get_cmap("RdBu_r")
    for ax, X, title in zip(axes[:, 0], codes, titles):
        im = ax.imshow(np.ma.masked_equal(X, 0.0), cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto",
                       interpolation="nearest")
        ax.set_facecolor("white")
        ax.set_title(title, loc="left")
        ax.set_ylabel("$i$")
        ax.set_yticks([0, m - 1], [1, m])
        ax.grid(False)
        ax.set_xticks(np.arange(-0.5, N, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, m, 1), minor=True)
        ax.grid(which="minor", color="0.9", lw=0.4)
        ax.tick_params(which="minor", length=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
    axes[-1, 0].set_xlabel("sample (column of $X^*$)")
    fig.colorbar(im, ax=axes[:, 0], shrink=0.8, label="$x^*_i$ (blank: 0)")
    return fig


def plot_coherence(sweeps, labels: Sequence[str], predictions):
    """Coherence of random dictionaries versus n (Def. 1): mu and ``max |<A_i, A_j>|``.

    Lines: mean over the dictionaries of a size; bands: min to max.

    Parameters
    ----------
    sweeps : sequence of aelib.models.CoherenceSweep
        From :func:`aelib.coherence_sweep`, one line each.
    labels : sequence of str
        One per sweep.
    predictions : sequence of (leading, median) arrays
        For each sweep, the output of ``gaussian_coherence_prediction`` per size,
        as two arrays of the sweep's length.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax1, ax2) = new_figure(2, 1, height=4.4)
    for c, (sw, label, (lead, med)) in enumerate(zip(sweeps, labels, predictions)):
        color = COLORS[c]
        x = sw.n
        for ax, values, pred in ((ax1, sw.mu, (lead, med)), (ax2, sw.max_inner, (lead / np.sqrt(x), med / np.sqrt(x)))):
            mean = values.mean(axis=1)
            ax.fill_between(x, values.min(axis=1), values.max(axis=1), color=color, alpha=0.18, lw=0)
            ax.plot(x, mean, "o-", color=color, ms=4, label=f"{label}: measured")
            ax.plot(x, pred[1], ":", color=color, lw=1.4, label=f"{label}: median prediction")
            ax.plot(x, pred[0], "--", color=color, lw=1.0, alpha=0.7, label=f"{label}: " + r"$\sqrt{2\log(m(m-1))}$")
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("$n$")
    ax1.set_ylabel(r"$\mu = \sqrt{n}\,\max_{i\neq j}|\langle A_i, A_j\rangle|$")
    ax1.set_ylim(bottom=0)
    ax2.set_yscale("log")
    _plain_log_axis(ax2.yaxis)
    ax2.set_ylabel(r"$\max_{i\neq j}|\langle A_i, A_j\rangle|$")
    ref = sweeps[0].n
    ax2.plot(ref, 3.0 / np.sqrt(ref), color="0.5", lw=0.8, label=r"$\propto 1/\sqrt{n}$")
    legend(fig, handlelength=2.2, columnspacing=1.2)
    ax1.set_title("coherence grows like $\\sqrt{\\log m}$")
    ax2.set_title("inner products shrink like $1/\\sqrt{n}$")
    return fig


def plot_alignment(A: np.ndarray, W: np.ndarray, W_aligned: np.ndarray):
    """Inner products <A_i, W_j> before and after the matching pi of Def. 2.

    Parameters
    ----------
    A, W, W_aligned : ndarray, shape (n, m)
        The truth, an estimate, and pi(W) (e.g. ``aelib.align(W, A, signs=True)``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(2, 1, height=3.0)
    m = A.shape[1]
    for ax, B, title in ((axes[0], W, "$A^\\top W$"), (axes[1], W_aligned, "$A^\\top \\pi(W)$")):
        G = A.T @ B
        im = ax.imshow(G, cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_title(title)
        ax.set_xticks(range(m), [str(j + 1) for j in range(m)])
        ax.set_yticks(range(m), [str(i + 1) for i in range(m)])
        ax.set_xlabel("column $j$ of the estimate")
        ax.grid(False)
        for i in range(m):
            for j in range(m):
                if abs(G[i, j]) > 0.5:
                    ax.text(j, i, f"{G[i, j]:+.0f}", ha="center", va="center", fontsize=7, color="white")
    axes[0].set_ylabel("column $i$ of $A$")
    fig.colorbar(im, ax=axes, shrink=0.8, label="inner product")
    return fig


def plot_matching_cost(ms_hungarian, t_hungarian, ms_brute, t_brute, ms_brute_signs=None, t_brute_signs=None):
    """Seconds to find pi (Def. 2): Hungarian algorithm versus brute force, against m.

    Parameters
    ----------
    ms_hungarian, t_hungarian : sequence
        Values of m and the seconds of :func:`aelib.time_matching` with ``method="hungarian"``.
    ms_brute, t_brute : sequence
        The same for ``method="brute"``.
    ms_brute_signs, t_brute_signs : sequence, optional
        The same for brute force with sign flips (``signs=True``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(1, 1, width=5.4, height=3.6)
    ax.loglog(ms_hungarian, t_hungarian, "o-", color=COLORS[0], ms=4, label="Hungarian (match_columns)")
    ax.loglog(ms_brute, t_brute, "s-", color=COLORS[1], ms=4, label="brute force, $m!$ permutations")
    if ms_brute_signs is not None:
        ax.loglog(ms_brute_signs, t_brute_signs, "^-", color=COLORS[3], ms=4, label="brute force with signs, $m!\\,2^m$")
    m = np.asarray(ms_hungarian, dtype=float)
    big = m >= 64
    if big.any():
        scale = np.asarray(t_hungarian)[big][-1] / m[big][-1] ** 3
        ax.loglog(m[big], scale * m[big] ** 3, ":", color="0.4", lw=1, label="$\\propto m^3$")
    ax.set_xlabel("$m$")
    ax.set_ylabel("seconds (best of 3)")
    legend(fig)
    return fig
