"""The figures of Chapter 6 (experiments, Sec. 6, Figures 2 and 3).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Dict

import numpy as np

from .style import INIT_COLORS, new_figure, legend, _plain_log_axis, _median_band

__all__ = ["plot_loss_curves", "plot_matched_distance"]


#: Colours for the noise levels of Sec. 6 (light to dark), and line styles for variants.
_SIGMA_COLORS = ("#56B4E9", "#0072B2", "#000000")


def plot_loss_curves(curves, floors=None, *, lower: float = 0.0, upper: float = 100.0,
                     titles: Dict[str, str] = None):
    """Figure 2 of the paper with Monte Carlo spread: loss against the step, one panel per init.

    Parameters
    ----------
    curves : mapping init -> mapping sigma -> ndarray, shape (trials, steps + 1)
        Loss histories (e.g. ``MonteCarloResult.curves("loss", init)``).
    floors : mapping sigma -> float, optional
        A reference level per noise (e.g. n sigma^2 / 2), drawn dashed.
    lower, upper : float
        Percentiles of the band (0 and 100: min-max over the trials).
    titles : mapping init -> str, optional
        Panel titles (default: the init names).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The panels are stacked (one column, shared axes) in a figure narrow enough that its
    type stays at least 8 CSS px on a phone (a 343-px image column).
    """
    inits = list(curves)
    fig, axes = new_figure(nrows=len(inits), width=4.4, height=1.55 * len(inits) + 1.0, sharex=True, sharey=True,
                           squeeze=False)
    for ax, init in zip(axes[:, 0], inits):
        for color, (sigma, values) in zip(_SIGMA_COLORS, curves[init].items()):
            _median_band(ax, values, color, rf"$\sigma_\eta = {sigma:g}$", lower=lower, upper=upper)
            if floors is not None:
                ax.axhline(floors[sigma], color=color, ls="--", lw=0.9)
        ax.set_yscale("log")
        _plain_log_axis(ax.yaxis)
        ax.set_ylabel("loss")
        ax.set_title((titles or {}).get(init, init))
    axes[-1][0].set_xlabel("step s")
    from matplotlib.lines import Line2D

    floor_entry = (Line2D([], [], color="0.3", ls="--", lw=0.9), r"$n\sigma_\eta^2/2$ (colour of its $\sigma_\eta$)")
    legend(fig, extra=[floor_entry] if floors is not None else [])
    return fig


def plot_matched_distance(curves, oracle, *, lower: float = 0.0, upper: float = 100.0,
                          titles: Dict[str, str] = None):
    """Figure 3 of the paper with Monte Carlo spread: matched distance to A by initialization.

    Left: ||pi(W^s) - A||_F against the step (median over trials, band between the
    percentiles), with the oracle (class means) as a grey band. Right: per trial,
    the best distance along the run (open) and the final one (filled), per init.

    Parameters
    ----------
    curves : mapping init -> ndarray, shape (trials, steps + 1)
        Distance histories (e.g. ``MonteCarloResult.curves("distance", init)``).
    oracle : ndarray, shape (trials,)
        Matched distance of the class means on each trial's data.
    lower, upper : float
        Percentiles of the band (0 and 100: min-max).
    titles : mapping init -> str, optional
        Panel titles (default: the init names).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(ncols=2, height=3.9, gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    oracle = np.asarray(oracle, dtype=float)
    for init, values in curves.items():
        _median_band(ax, values, INIT_COLORS.get(init, "k"), (titles or {}).get(init, init), lower=lower, upper=upper)
    ax.axhspan(oracle.min(), oracle.max(), color="0.5", alpha=0.35, lw=0)
    ax.axhline(np.median(oracle), color="0.35", lw=1.0, label="class means (oracle)")
    ax.set_yscale("log")
    ax.set_xlabel("step s")
    ax.set_ylabel(r"$\|\pi(W^s) - A\|_F$")
    ax.set_title("distance to the truth along the run")
    ax = axes[1]
    rng = np.random.default_rng(0)  # horizontal jitter only
    labels = []
    for position, (init, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        color = INIT_COLORS.get(init, "k")
        for offset, data, face in [(-0.17, values.min(axis=1), "none"), (0.17, values[:, -1], color)]:
            x = position + offset + rng.uniform(-0.06, 0.06, size=data.size)
            ax.plot(x, data, "o", ms=4.5, mec=color, mfc=face, alpha=0.9)
            ax.plot([position + offset - 0.12, position + offset + 0.12], [np.median(data)] * 2, color=color, lw=2)
        labels.append((titles or {}).get(init, init))
    ax.axhspan(oracle.min(), oracle.max(), color="0.5", alpha=0.35, lw=0)
    ax.axhline(np.median(oracle), color="0.35", lw=1.0)
    ax.plot([], [], "o", mec="0.3", mfc="none", label="best along the run")
    ax.plot([], [], "o", mec="0.3", mfc="0.3", label="final (step T)")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_yscale("log")
    ax.set_title("per trial")
    ax.sharey(axes[0])
    legend(fig)
    return fig
