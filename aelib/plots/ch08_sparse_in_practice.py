"""The figures of Chapter 8 (sparse coding in practice).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import numpy as np

from .style import COLORS, MIN_FONT, new_figure, legend, _plain_log_axis

__all__ = ["plot_success_maps", "plot_floor_scaling", "plot_floor_decomposition"]


def plot_success_maps(ks, deltas, panels, *, level: float = None):
    """Success maps over (k, delta0): one panel per (row, column) setting (Thm. 4 (ii)-(iii) in practice).

    Each cell shows the final column-RMS matched distance ||pi(W) - A||_F / sqrt(m);
    green cells are successes, red cells failures.

    Parameters
    ----------
    ks : sequence of int
        Sparsity values (x axis).
    deltas : sequence of float
        Column distances of the starts (y axis labels).
    panels : mapping (row_label, col_label) -> (final, success)
        ``final`` and ``success`` are arrays of shape (len(deltas), len(ks)).
    level : float, optional
        The success level, quoted in the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import ListedColormap

    rows = list(dict.fromkeys(r for r, _ in panels))
    cols = list(dict.fromkeys(c for _, c in panels))
    fig, axes = new_figure(ncols=len(cols), nrows=len(rows), width=2.9 * len(cols) + 0.6,
                           height=1.55 * len(rows) + 0.7, squeeze=False, sharex=True, sharey=True)
    cmap = ListedColormap(["#F6C9B5", "#BFE6D9"])  # light vermillion (fail), light bluish green (success)
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            ax = axes[i, j]
            ax.grid(False)
            if (row, col) not in panels:
                ax.set_axis_off()
                continue
            final, success = (np.asarray(a) for a in panels[(row, col)])
            ax.imshow(success.astype(float), cmap=cmap, vmin=0, vmax=1, origin="lower", aspect="auto")
            for a in range(final.shape[0]):
                for b in range(final.shape[1]):
                    ax.text(b, a, f"{final[a, b]:.2f}", ha="center", va="center", fontsize=MIN_FONT,
                            color="0.1" if success[a, b] else "0.35")
            ax.set_xticks(range(len(ks)), [str(k) for k in ks])
            ax.set_yticks(range(len(deltas)), [f"{d:.2f}" for d in deltas])
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i == 0:
                ax.set_title(col)
            if j == 0:
                ax.set_ylabel(f"{row}\nstart distance")
            if i == len(rows) - 1:
                ax.set_xlabel("sparsity k")
    if level is not None:
        fig.suptitle(f"final column-RMS distance; green: below {level:g} and below the start")
    return fig


def plot_floor_scaling(panels):
    """Infinite-sample floors ||W - A||_F^2 against n, k and m (log-log), with Thm. 4's exponents.

    Parameters
    ----------
    panels : mapping variable -> dict
        For each swept variable ("n", "k" or "m"): ``x`` (values), ``fixed`` (a text such
        as "m = 96, k = 3"), ``floors`` (mapping model -> array (seeds, len(x))),
        ``fits`` (mapping model -> :class:`aelib.Slope`) and ``predicted`` (mapping
        model -> exponent of Thm. 4). Solid lines: fitted power laws; dotted: the
        theorem's exponents through the first point.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(ncols=len(panels), width=3.3 * len(panels) + 0.3, height=3.9, squeeze=False)
    markers = {"sparse": "o", "nonnegative": "s"}
    for ax, (var, panel) in zip(axes[0], panels.items()):
        x = np.asarray(panel["x"], dtype=float)
        for index, (model, floors) in enumerate(panel["floors"].items()):
            color = COLORS[index % len(COLORS)]
            floors = np.asarray(floors, dtype=float)
            for row in floors:
                ax.plot(x, row, markers.get(model, "o"), color=color, alpha=0.35, ms=3.5, mfc="none")
            mean = np.exp(np.nanmean(np.log(floors), axis=0))
            fit = panel["fits"][model]
            ax.plot(x, np.exp(fit.intercept) * x**fit.slope, "-", color=color,
                    label=f"{model}: fit {fit.slope:.2f}")
            pred = panel["predicted"][model]
            ax.plot(x, mean[0] * (x / x[0]) ** pred, ":", color=color, lw=1.3,
                    label=f"{model}: Thm. 4 {pred:+.0f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.minorticks_off()
        _plain_log_axis(ax.yaxis)
        ax.set_xlabel(var)
        ax.set_title(panel.get("fixed", ""))
        legend(ax, ncol=1, handlelength=1.6)
    axes[0][0].set_ylabel(r"floor $\|W - A\|_F^2$ (no samples)")
    return fig


def plot_floor_decomposition(Ns, results, *, titles=None):
    """Floors at finite N (oracle encoder and real autoencoder) against the infinite-sample floor.

    Parameters
    ----------
    Ns : sequence of int
        Sample sizes of the measurements.
    results : mapping label -> dict
        From :func:`aelib.floor_decomposition`.
    titles : mapping label -> str, optional
        Panel titles (default: the labels).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = new_figure(ncols=len(results), width=3.3 * len(results) + 0.3, height=3.3, squeeze=False,
                           sharey=True)
    Ns = np.asarray(Ns, dtype=float)
    dense = np.geomspace(Ns[0] / 2, Ns[-1] * 30, 100)
    for ax, (label, r) in zip(axes[0], results.items()):
        ax.axhline(r["population"], color="0.3", ls="--", lw=1.2, label="no samples, perfect encoder")
        for key, color, marker, name in [("oracle", COLORS[0], "o", "N samples, perfect encoder"),
                                          ("autoencoder", COLORS[1], "s", "N samples, real encoder")]:
            ax.plot(Ns, r[key], marker, color=color, ms=5, label=name)
            ax.plot(dense, r[f"{key}_inf"] + r[f"{key}_c"] / dense, "-", color=color, lw=1.0, alpha=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain_log_axis(ax.yaxis)
        ax.set_xlabel("number of samples N")
        ax.set_title(label if titles is None else titles[label])
    axes[0][0].set_ylabel(r"floor $\|\pi(W) - A\|_F^2$")
    legend(fig)
    return fig
