"""The figures of Chapter 7 (variations of the training recipe).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Dict

import numpy as np

from .style import COLORS, new_figure, legend, _median_band

__all__ = ["plot_variant_distances"]


def plot_variant_distances(curves, oracle, *, lower: float = 10.0, upper: float = 90.0,
                           titles: Dict[str, str] = None, schedules=None, coherence=None):
    """Matched distance against the step for several training variants, one panel per init.

    Parameters
    ----------
    curves : mapping init -> mapping variant -> ndarray, shape (trials, steps + 1)
        Matched-distance histories (e.g. :meth:`aelib.MonteCarloResult.curves`), one panel per init.
    oracle : ndarray, shape (trials,)
        Matched distance of the class means (grey band).
    lower, upper : float
        Percentiles of the band around the median.
    titles : mapping init -> str, optional
        Panel titles (default: the init names).
    schedules : mapping variant -> ndarray, optional
        b^s per variant, drawn as |b^s| in an extra first panel (log scale).
    coherence : ndarray, optional
        max_{i != j} |<A_i, A_j>| per trial, drawn as a band in the bias panel.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    With a bias panel the four panels are laid out 2 x 2.
    """
    inits = list(curves)
    npanels = len(inits) + (schedules is not None)
    ncols = 2 if npanels == 4 else npanels
    nrows = int(np.ceil(npanels / ncols))
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=3.9 * ncols + 0.3, height=2.7 * nrows + 0.9, squeeze=False)
    axes = list(axes.ravel())
    variants = list(next(iter(curves.values())))
    palette = (COLORS[7], COLORS[1], COLORS[2], COLORS[3], COLORS[4], COLORS[0], COLORS[5], COLORS[6])
    colors = {v: palette[i % len(palette)] for i, v in enumerate(variants)}
    if schedules is not None:
        ax = axes.pop(0)
        if coherence is not None:
            coherence = np.asarray(coherence, dtype=float)
            ax.axhspan(coherence.min(), coherence.max(), color="0.5", alpha=0.3, lw=0)
            ax.text(0.98, coherence.max() * 1.15, r"$\mu/\sqrt{n}$ (range over trials)", ha="right", va="bottom",
                    color="0.3", transform=ax.get_yaxis_transform())
        for variant, b in schedules.items():
            b = np.abs(np.asarray(b, dtype=float))
            ax.plot(np.arange(b.size), np.where(b > 0, b, np.nan), color=colors[variant], label=variant)
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 2.0)
        ax.set_xlabel("step s")
        ax.set_ylabel(r"$|b^s|$")
        ax.set_title("bias of the ReLU variants")
    oracle = np.asarray(oracle, dtype=float)
    top = max(float(np.max(np.median(np.asarray(v, dtype=float), axis=0))) for c in curves.values() for v in c.values())
    for ax, init in zip(axes, inits):
        for variant, values in curves[init].items():
            _median_band(ax, values, colors[variant], variant, lower=lower, upper=upper, alpha=0.12)
        ax.axhspan(oracle.min(), oracle.max(), color="0.5", alpha=0.35, lw=0)
        ax.axhline(np.median(oracle), color="0.35", lw=1.0)
        ax.set_yscale("log")
        ax.set_ylim(0.7 * oracle.min(), 1.4 * top)
        ax.set_xlabel("step s")
        ax.set_ylabel(r"$\|\pi(W^s) - A\|_F$")
        ax.set_title((titles or {}).get(init, init))
    handles, labels = axes[0].get_legend_handles_labels()
    legend(fig, handles, labels)
    return fig
