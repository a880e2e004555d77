"""The figures of Chapter 11 (baselines side by side).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import numpy as np

from .style import COLORS, new_figure, legend

__all__ = ["plot_error_vs_time"]


def plot_error_vs_time(panels):
    """Recovery error against wall time, one panel per problem, one marker per method.

    Parameters
    ----------
    panels : mapping title -> mapping label -> sequence of (seconds, error)
        For each method, one (wall time of method plus start, matched distance) pair
        per data set; a label containing "oracle" is drawn as a horizontal reference
        line (at the mean error) instead.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    fig, axes = new_figure(nrows=len(panels), height=2.9 * len(panels), squeeze=False)
    markers = "osD^vP*Xh<>"
    for ax, (title, points) in zip(axes[:, 0], panels.items()):
        index, xs, ys = 0, [], []
        for label, pairs in points.items():
            pairs = np.array([p for p in pairs if np.all(np.isfinite(p))], dtype=float).reshape(-1, 2)
            if not pairs.size:
                continue
            if "oracle" in label:
                ax.axhline(pairs[:, 1].mean(), color="0.4", ls=":", lw=1.2, label=f"{label} (knows the codes)")
                ys.extend(pairs[:, 1])
                continue
            ax.plot(pairs[:, 0], pairs[:, 1], markers[index % len(markers)], ms=7, ls="none",
                    color=COLORS[index % len(COLORS)], label=label, alpha=0.85)
            xs.extend(pairs[:, 0])
            ys.extend(pairs[:, 1])
            index += 1
        ax.set_xscale("log")
        ax.set_yscale("log")
        if xs:
            ax.set_xlim(min(xs) / 1.6, max(xs) * 1.6)
        if ys:
            ax.set_ylim(min(ys) / 1.4, max(ys) * 1.4)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FormatStrFormatter("%g"))
            axis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("wall time, method + start (s, one thread)")
        ax.set_ylabel(r"error $\|\pi(W) - A\|_F$")
        ax.set_title(title)
        legend(ax, loc="right")
    return fig
