"""The figures of Chapter 3 (initialization, Sec. 3).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Dict, Sequence

import matplotlib as mpl
import numpy as np

from .style import COLORS, INIT_COLORS, new_figure, legend

__all__ = ["INIT_STYLES", "plot_init_closeness", "plot_pair_spectra", "plot_spectral_pairs"]


#: (colour, marker, line style, label) of each start in Chapter 3's figures.
INIT_STYLES: Dict[str, tuple] = {
    "perturbation": (INIT_COLORS["perturbation"], "o", "-", r"perturbation ($\delta = 0.5$)"),
    "pca": (INIT_COLORS["pca"], "s", "-", "PCA (uncentered)"),
    "pca_centered": (INIT_COLORS["pca"], "s", "--", "PCA (centered)"),
    "random": (INIT_COLORS["random"], "^", "-", "random"),
    "spectral": (INIT_COLORS["spectral"], "D", "-", "spectral"),
    "spectral_centered": (INIT_COLORS["spectral"], "D", "--", "spectral (centered)"),
}


def plot_init_closeness(panels, titles: Sequence[str], *, ncols: int = 2):
    """Column-wise closeness of each start versus n, against the 1/log n requirement (Sec. 3).

    Filled markers: max_i ||pi(W^0)_i - A_i|| (the delta of Def. 2); faint hollow
    markers: the median over columns. A spectral start that gave up is marked by a
    cross at the top of the panel.

    Parameters
    ----------
    panels : sequence of lists of aelib.Closeness
        One list per panel, as returned by :func:`aelib.closeness_vs_n`.
    titles : sequence of str
        One per panel.
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = new_figure(ncols, nrows, width=4.0 * ncols + 0.4, height=2.6 * nrows + 1.3,
                           squeeze=False, sharey=True)
    top = 1.62
    for ax, rows, title in zip(axes.ravel(), panels, titles):
        ns = np.array(sorted({r.n for r in rows}))
        grid = np.linspace(ns.min(), ns.max(), 100)
        ax.plot(grid, 1.0 / np.log(grid), color="0.15", lw=1.4, ls="--", label=r"requirement $1/\log n$")
        ax.axhline(np.sqrt(2.0), color="0.55", lw=0.9, ls=":", label=r"$\sqrt{2}$ (orthogonal)")
        for method, (color, marker, ls, label) in INIT_STYLES.items():
            mine = [r for r in rows if r.method == method]
            if not mine:
                continue
            x = np.array([r.n for r in mine], dtype=float)
            ok = np.array([r.found == r.m for r in mine])
            mx = np.array([r.max if f else np.nan for r, f in zip(mine, ok)])
            md = np.array([r.median if f else np.nan for r, f in zip(mine, ok)])
            ax.plot(x, mx, ls=ls, marker=marker, color=color, ms=4.5, label=label)
            ax.plot(x, md, ls=":", marker=marker, color=color, ms=4, mfc="none", lw=0.9, alpha=0.7)
            if (~ok).any():
                ax.plot(x[~ok], np.full((~ok).sum(), top - 0.05), "x", color=color, ms=7, mew=1.6,
                        label=f"{label} gave up")
        ax.set_xscale("log", base=2)
        ax.set_xticks(ns)
        ax.set_xticklabels([str(v) for v in ns])
        ax.set_ylim(0, top)
        ax.set_title(title)
        ax.set_xlabel("$n$")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$\max_i \|\pi(W^0)_i - A_i\|$")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D

    legend(fig, extra=[(Line2D([], [], ls=":", marker="o", mfc="none", color="0.4", lw=0.9),
                        "median over columns (hollow)")])
    return fig


def plot_pair_spectra(panels, titles: Sequence[str], *, gap: float = 0.25):
    """Top eigenvalues of M_uv for pairs sharing 0, 1 or 2 support indices (Sec. 3).

    Parameters
    ----------
    panels : sequence of dicts {label: aelib.PairSpectrum}
        One dict per panel; each bar group is one pair, normalized by its largest
        eigenvalue. The legend gives sigma_2/sigma_1 and the |cosine| of the top
        eigenvector with the closest column of A.
    titles : sequence of str
        One per panel.
    gap : float
        The acceptance ratio of :func:`aelib.spectral_init`, drawn as a line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(1, len(panels), height=1.75 * len(panels) + 0.5, squeeze=False, sharex=True, sharey=True)
    for ax, spectra, title in zip(axes[:, 0], panels, titles):
        count = len(spectra)
        width = 0.8 / count
        for j, (label, s) in enumerate(spectra.items()):
            k = np.arange(1, s.values.size + 1)
            ax.bar(k + (j - (count - 1) / 2) * width, s.values / s.values[0], width=width, color=COLORS[j],
                   label=f"{label}: $\\sigma_2/\\sigma_1$ = {s.ratio:.2f}, cos = {s.cosine:.2f}")
        ax.axhline(gap, color="0.2", lw=1.0, ls="--")
        ax.text(s.values.size + 0.45, gap + 0.02, f"gap = {gap:g}", ha="right", va="bottom")
        ax.set_xticks(np.arange(1, s.values.size + 1))
        ax.set_title(title, loc="left")
        legend(ax, loc="right", handlelength=1.0)
        ax.set_ylim(0, 1.1)
    axes[-1][0].set_xlabel("eigenvalue rank")
    fig.supylabel(r"$|\lambda_k(M_{uv})| / |\lambda_1(M_{uv})|$", fontsize=mpl.rcParams["axes.labelsize"])
    return fig


def plot_spectral_pairs(ms, pairs, predicted):
    """Pairs drawn by the spectral start until it finds m columns, against the m^2 H_m model.

    Parameters
    ----------
    ms : sequence of int
        Numbers of components m (x axis).
    pairs : ndarray, shape (len(ms), trials)
        Measured counts (:func:`aelib.spectral_pairs`); -1 (gave up) is not drawn.
    predicted : sequence of float
        :func:`aelib.spectral_pairs_mixture` for each m.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(width=5.2, height=3.6)
    ms = np.asarray(ms, dtype=float)
    pairs = np.asarray(pairs, dtype=float)
    shown = np.where(pairs > 0, pairs, np.nan)
    jitter = np.linspace(-0.04, 0.04, pairs.shape[1])
    for t in range(pairs.shape[1]):
        ax.plot(ms * np.exp(jitter[t]), shown[:, t], "o", color=INIT_COLORS["spectral"], ms=4, alpha=0.55,
                label="measured (one run)" if t == 0 else None)
    ax.plot(ms, np.nanmean(shown, axis=1), "-", color=INIT_COLORS["spectral"], lw=1.4, label="measured mean")
    ax.plot(ms, predicted, "--", color="0.2", lw=1.3, label=r"coupon collector $m^2 H_m$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(ms)
    ax.set_xticklabels([str(int(v)) for v in ms])
    ax.set_xlabel("number of components $m$")
    ax.set_ylabel("pairs $(u, v)$ drawn")
    legend(ax, loc="upper left")
    return fig
