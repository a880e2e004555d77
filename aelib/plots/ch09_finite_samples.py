"""The figures of Chapter 9 (finite samples).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .style import COLORS, new_figure, legend, _plain_log_axis

__all__ = ["plot_sample_curves"]


def plot_sample_curves(Ns, curves, *, target: float = None, failure: float = None):
    """Recovery error against the number of samples N, autoencoder beside the oracle (log-log).

    Parameters
    ----------
    Ns : sequence of int
        Sample sizes N (x axis).
    curves : mapping title -> dict
        ``autoencoder`` and ``oracle``: arrays (seeds, len(Ns)) of column-RMS errors;
        ``predicted``: the oracle's predicted error (len(Ns)). Lines are medians over
        seeds, bands min to max. Autoencoder runs above ``failure`` are drawn as
        crosses at the top (not converged).
    target : float, optional
        A horizontal line at the target error of the samples-needed table.
    failure : float, optional
        Error above which an autoencoder run counts as failed (drawn as a cross).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    fig, axes = new_figure(ncols=len(curves), width=3.3 * len(curves) + 0.3, height=3.6, squeeze=False,
                           sharey=True)
    Ns = np.asarray(Ns, dtype=float)
    for ax, (title, c) in zip(axes[0], curves.items()):
        for key, color, marker, name in [("oracle", COLORS[0], "o", "oracle (knows the codes)"),
                                          ("autoencoder", COLORS[1], "s", "autoencoder")]:
            values = np.asarray(c[key], dtype=float)
            shown = values.copy()
            if key == "autoencoder" and failure is not None:
                shown[shown > failure] = np.nan
            with warnings.catch_warnings():  # a sample size where every run failed is all-NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(shown, axis=0)
                lo, hi = np.nanmin(shown, axis=0), np.nanmax(shown, axis=0)
            ax.fill_between(Ns, lo, hi, color=color, alpha=0.18, lw=0)
            ax.plot(Ns, med, "-", marker=marker, ms=3.5, color=color, label=name)
            if key == "autoencoder" and failure is not None:
                bad = np.any(values > failure, axis=0)
                if bad.any():
                    ax.plot(Ns[bad], np.full(bad.sum(), failure), "x", color=color, ms=6,
                            label=f"some runs failed (> {failure:g})")
        ax.plot(Ns, c["predicted"], ":", color="0.3", lw=1.3, label=r"oracle prediction $\propto N^{-1/2}$")
        if target is not None:
            ax.axhline(target, color=COLORS[4], lw=1.0, ls="--", label=f"target {target:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain_log_axis(ax.yaxis)
        ax.set_xlabel("number of samples N")
        ax.set_title(title, fontsize=mpl.rcParams["legend.fontsize"])  # three titles side by side
    axes[0][0].set_ylabel(r"error $\|\pi(W) - A\|_F / \sqrt{m}$")
    legend(fig)
    return fig
