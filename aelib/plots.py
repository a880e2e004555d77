"""The book's figures (matplotlib), so that chapters stay short.

Every figure uses one style (:func:`use_style`) and one palette (:data:`COLORS`);
each plotting function takes already computed numbers, draws them, and returns the
:class:`matplotlib.figure.Figure` (chapters end the cell with ``plt.show()``).
Functions are grouped by chapter below.
"""

from __future__ import annotations

from typing import Dict, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLORS", "INIT_COLORS", "COLUMN_WIDTH", "MIN_FONT", "use_style", "new_figure", "legend"]

#: Colour-blind-safe palette (Okabe-Ito), shared by every figure.
COLORS: Sequence[str] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: One colour per initialization, the same in every chapter.
INIT_COLORS: Dict[str, str] = {
    "perturbation": COLORS[0],
    "pca": COLORS[1],
    "random": COLORS[2],
    "spectral": COLORS[3],
}

#: Width of the book's text column in inches at the figures' dpi (110): at a 1280-px browser
#: window the column shows images up to 676 CSS px wide, so a figure no wider than this is shown
#: at 100% and one point of type is 110/72 CSS px. Every figure is drawn at most this wide.
COLUMN_WIDTH: float = 6.1

#: The smallest type (points) any figure uses: 7 pt is 10.7 CSS px at 100%, and still 8 px
#: when a full-width figure is shrunk to 75%.
MIN_FONT: float = 7.0

_STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.figsize": (COLUMN_WIDTH, 3.4),
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    # Legends sit outside the data (:func:`legend`); one drawn inside an axes gets an opaque
    # frame, so no line can run through its text.
    "legend.frameon": True,
    "legend.framealpha": 1.0,
    "legend.edgecolor": "0.8",
    "legend.fancybox": False,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 8.5,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=list(COLORS)),
}


def use_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a chapter)."""
    mpl.rcParams.update(_STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = COLUMN_WIDTH, height: float = 3.4, **kwargs):
    """A figure with a grid of axes in the book's style; returns (fig, axes).

    The width is capped at :data:`COLUMN_WIDTH`, so the figure is never shrunk by the browser
    at desktop width and its type keeps the sizes set by :func:`use_style`.
    """
    use_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(width, COLUMN_WIDTH), height), constrained_layout=True,
                             **kwargs)
    return fig, axes


def _points(size) -> float:
    """A matplotlib font size (number or name such as "medium") in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def legend(owner, handles=None, labels=None, *, loc: str = "below", ncol: int = None, extra=(), **kwargs):
    """Draw a legend by the book's one rule: outside the data, or in an opaque frame.

    Parameters
    ----------
    owner : matplotlib Figure or Axes
        A figure gets one legend for all its axes (each label once); an axes, its own.
    handles, labels : sequences, optional
        The entries (default: those of the owner's axes).
    loc : str
        ``"below"``: under the panels (a figure) or under the axes and its x label (an axes);
        ``"right"``: right of the panels or of the axes, one column; any other matplotlib
        location (an axes only): inside the axes, in an opaque frame, for an empty corner.
    ncol : int, optional
        Columns of a legend below; by default as many as fit in the width of the owner.
    extra : sequence of (handle, label), optional
        Entries appended after the others (e.g. a proxy artist explaining a marker style).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend` / :meth:`matplotlib.figure.Figure.legend`.

    Returns
    -------
    matplotlib.legend.Legend or None
        None when there is nothing to show.
    """
    from matplotlib.figure import Figure
    from matplotlib.transforms import ScaledTranslation

    is_figure = isinstance(owner, Figure)
    fig = owner if is_figure else owner.figure
    if handles is None:
        handles, labels = [], []
        for ax in (owner.axes if is_figure else [owner]):
            for handle, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
    handles, labels = list(handles) + [h for h, _ in extra], list(labels) + [label for _, label in extra]
    if not handles:
        return None
    if loc not in ("below", "right"):
        if is_figure:
            raise ValueError(f"loc: expected 'below' or 'right' for a figure legend, got {loc!r}")
        return owner.legend(handles, labels, loc=loc, ncol=ncol or 1, **kwargs)
    if is_figure:
        place = dict(loc="outside lower center" if loc == "below" else "outside right upper")
        draw, room = fig.legend, fig.get_figwidth() * fig.dpi
    else:
        rc = mpl.rcParams
        if loc == "below":  # under the tick labels and the x label, in points
            drop = rc["xtick.major.size"] + rc["xtick.major.pad"] + _points(rc["xtick.labelsize"]) + 4.0
            if owner.get_xlabel():
                drop += rc["axes.labelpad"] + 1.3 * _points(rc["axes.labelsize"])
            anchor = owner.transAxes + ScaledTranslation(0.0, -drop / 72.0, fig.dpi_scale_trans)
            place = dict(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=anchor, borderaxespad=0.0)
        else:
            place = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        draw, room = owner.legend, owner.get_position().width * fig.get_figwidth() * fig.dpi
    if loc == "right":
        return draw(handles, labels, ncol=1, **place, **kwargs)
    renderer = fig.canvas.get_renderer()
    for columns in ([ncol] if ncol else range(len(handles), 0, -1)):
        leg = draw(handles, labels, ncol=columns, **place, **kwargs)
        if ncol or columns == 1 or leg.get_window_extent(renderer).width <= 0.98 * room:
            return leg
        leg.remove()


# --- Chapter 1: the generative bilinear model ---

__all__ += ["plot_model_samples", "plot_codes", "plot_coherence", "plot_alignment", "plot_matching_cost"]


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
    size : float, optional
        Width of one panel in inches (default: the column width shared by the panels).
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
    titles : sequence of str
    vmax : float, optional
        Colour scale limit (symmetric); the largest |x| by default.
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
    labels : sequence of str
        One per sweep.
    predictions : sequence of (leading, median) arrays
        For each sweep, the output of ``gaussian_coherence_prediction`` per size,
        as two arrays of the sweep's length.
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
    """Seconds to find pi (Def. 2): Hungarian algorithm versus brute force, against m."""
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


# --- Chapter 2: the weight-sharing autoencoder ---

__all__ += ["plot_architecture", "plot_activations", "plot_loss_slices"]


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
    titles : sequence of str
    kinks : sequence of sequences of float
        The points where each sigma is not differentiable (marked on the plot).
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
    titles : sequence of str
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


# --- Chapter 5: Descent ---

__all__ += [
    "plot_gradient_error",
    "plot_lemma1_trace",
    "plot_distance_panels",
    "plot_bias_drift",
    "plot_training_run",
    "training_explorer",
]


def plot_gradient_error(curves, *, title: str = None):
    """Relative error of the empirical gradient against the closed form, against N (log-log).

    Parameters
    ----------
    curves : mapping label -> GradientErrorCurve
        From :func:`aelib.gradient_error_curve`.
    """
    fig, ax = new_figure(height=4.4)
    markers = "osD^vP"
    for index, (label, curve) in enumerate(curves.items()):
        ax.loglog(curve.sizes, curve.error, "-", marker=markers[index % len(markers)], ms=4,
                  mfc="none", color=COLORS[index % len(COLORS)], label=f"{label} (slope {curve.slope:.2f})")
    sizes = np.asarray(next(iter(curves.values())).sizes, dtype=float)
    first = min(float(c.error[0]) for c in curves.values())
    ax.loglog(sizes, first * np.sqrt(sizes[0] / sizes), "k:", lw=1.2, label=r"$\propto N^{-1/2}$")
    ax.set_xlabel("number of samples N")
    ax.set_ylabel(r"$\|\hat g_N - g\|_F \,/\, \|g\|_F$")
    if title:
        ax.set_title(title)
    legend(fig)
    return fig


def plot_lemma1_trace(traces, *, weights=None, linthresh: float = 1.0):
    """Both sides of Lemma 1 along training runs, one panel per run.

    Both sides are divided by p_i ||W_i - A_i||^2 = p_i 2 (1 - lambda_i), the natural
    scale of the inequality (near A the left side is then about 2). Lines: median over
    the columns (lhs solid, rhs dashed); bands: min to max over the columns; crosses:
    (step, column) pairs where the inequality fails; shading: steps where the lemma's
    bias condition fails for some column. Symmetric-log y axis.

    Parameters
    ----------
    traces : mapping title -> DescentTrace
        From :func:`aelib.trace_descent`.
    weights : ndarray, shape (m,), optional
        p_i (uniform by default).
    """
    from matplotlib.patches import Patch

    fig, axes = new_figure(ncols=len(traces), width=3.5 * len(traces) + 0.4, height=3.8, squeeze=False)
    for ax, (title, trace) in zip(axes[0], traces.items()):
        steps = np.arange(trace.lhs.shape[0])
        m = trace.lhs.shape[1]
        p = np.full(m, 1.0 / m) if weights is None else np.asarray(weights, dtype=float)
        scale = p * 2.0 * (1.0 - trace.lam)
        lhs, rhs = trace.lhs / scale, trace.rhs / scale
        for s in steps[~np.all(trace.bias_condition, axis=1)]:
            ax.axvspan(s - 0.5, s + 0.5, color=COLORS[4], alpha=0.2, lw=0)
        for values, color, style, label in [(lhs, COLORS[0], "-", r"lhs $2\langle g_i, W_i - A_i\rangle$"),
                                             (rhs, COLORS[1], "--", "rhs of Lemma 1")]:
            ax.fill_between(steps, values.min(axis=1), values.max(axis=1), color=color, alpha=0.15, lw=0)
            ax.plot(steps, np.median(values, axis=1), style, color=color, marker="o", ms=2.5, label=label)
        s_fail, c_fail = np.nonzero(~trace.holds)
        ax.plot(s_fail, lhs[s_fail, c_fail], "x", ms=4, color="k", label="inequality fails (column)")
        ax.set_yscale("symlog", linthresh=linthresh)
        ax.set_xlabel("step s")
        ax.set_title(title)
    axes[0][0].set_ylabel(r"value / $(p_i \|W_i - A_i\|^2)$")
    handles, labels = axes[0][0].get_legend_handles_labels()
    legend(fig, handles, labels, extra=[(Patch(color=COLORS[4], alpha=0.3), "bias condition fails")])
    return fig


def plot_distance_panels(panels, *, floor: float = None, floor_label: str = "finite-sample floor",
                         ylabel: str = r"$\|\pi(W^s) - A\|_F$", height: float = 3.4, logy: bool = True):
    """Matched distance against the step, one panel per setting, one line per run.

    Parameters
    ----------
    panels : mapping title -> mapping label -> ndarray
        Distance histories (e.g. ``TrainResult.distance``).
    floor : float, optional
        A horizontal reference line drawn in every panel.
    """
    from matplotlib.ticker import MaxNLocator

    ncols = len(panels)
    fig, axes = new_figure(ncols=ncols, width=max(3.5 * ncols, 5.0) + 0.3, height=height, squeeze=False, sharey=True)
    for ax, (title, runs) in zip(axes[0], panels.items()):
        for index, (label, history) in enumerate(runs.items()):
            history = np.asarray(history)
            ax.plot(np.arange(history.size), history, "-", marker="o", ms=2.5,
                    color=COLORS[index % len(COLORS)], label=label)
        if floor is not None:
            ax.axhline(floor, color="0.4", ls=":", lw=1.2, label=floor_label)
        if logy:
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step s")
        ax.set_title(title)
        legend(ax, loc="right" if ncols == 1 else "below", ncol=None if ncols == 1 else 1)
    axes[0][0].set_ylabel(ylabel)
    return fig


def plot_bias_drift(trace, *, title: str = None):
    """Why ReLU with b -> 0 leaves A: distance, firing off the true support, and |b| per step.

    Parameters
    ----------
    trace : DescentTrace
        From :func:`aelib.trace_descent` with ``X_star``.
    """
    fig, axes = new_figure(ncols=2, height=3.6)
    steps = np.arange(trace.distance.size)
    axes[0].semilogy(steps, trace.distance, "o-", ms=2.5, color=COLORS[0], label=r"$\|\pi(W^s) - A\|_F$")
    axes[0].semilogy(steps, np.abs(trace.bias[:, 0]) + 1e-12, "-", color=COLORS[4], label=r"$|b^s|$")
    axes[0].set_ylim(1e-3, 3)
    axes[0].set_xlabel("step s")
    axes[0].set_title("distance and bias")
    axes[1].plot(steps, 100 * trace.off_support, "o-", ms=2.5, color=COLORS[1], label="fire off the true support")
    axes[1].plot(steps, 100 * trace.missed_support, "s-", ms=2.5, color=COLORS[2], label="silent on the true support")
    axes[1].set_xlabel("step s")
    axes[1].set_ylabel("% of code entries")
    axes[1].set_title("code consistency (Thm. 3)\nalong the run")
    for ax in axes:
        legend(ax, ncol=1)
    if title:
        fig.suptitle(title)
    return fig


def plot_training_run(result, *, title: str = None, loss_floor: float = None):
    """Loss and matched distance of one :class:`aelib.TrainResult` (the explorer's figure)."""
    fig, axes = new_figure(ncols=2, height=3.0)
    steps = np.arange(result.loss.size)
    axes[0].semilogy(steps, result.loss, "-", color=COLORS[0])
    if loss_floor is not None:
        axes[0].axhline(loss_floor, color="0.4", ls=":", lw=1.2, label=r"$n\sigma^2/2$")
        legend(axes[0], loc="upper right")
    axes[0].set_xlabel("step s")
    axes[0].set_title("reconstruction loss")
    if result.distance is not None:
        axes[1].semilogy(steps, result.distance, "-", color=COLORS[1])
    axes[1].set_xlabel("step s")
    axes[1].set_title(r"matched distance $\|\pi(W^s) - A\|_F$")
    if title:
        fig.suptitle(title)
    return fig


def training_explorer(*, n: int = 256, m: int = 10, N: int = 3000, steps: int = 30, seed: int = 0):
    """An ipywidgets explorer of one Gaussian-mixture training run (Sec. 5).

    Controls: activation, b0, bias decay C (b <- b / C), bias floor, learning rate
    (in units of m), noise sigma and the init perturbation delta. Each change reruns
    :func:`aelib.run_mixture_descent` and redraws :func:`plot_training_run`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    from .descent import run_mixture_descent

    def show(activation, b0, bias_decay, bias_floor, lr_over_m, noise_std, delta):
        result = run_mixture_descent(
            n=n, m=m, N=N, noise_std=noise_std, delta=delta, lr=lr_over_m * m, steps=steps,
            activation=activation, b0=0.0 if activation == "threshold" else b0,
            bias_decay=1.0 if activation == "threshold" else bias_decay,
            bias_floor=bias_floor if (activation == "relu" and bias_floor > 0) else None, seed=seed,
        )
        plot_training_run(result, loss_floor=n * noise_std**2 / 2,
                          title=f"final distance {result.distance[-1]:.3f}")
        plt.show()

    style = {"description_width": "120px"}
    return widgets.interactive(
        show,
        activation=widgets.Dropdown(options=["relu", "threshold"], value="relu", description="activation", style=style),
        b0=widgets.FloatSlider(value=-1.25, min=-2.0, max=0.0, step=0.05, description="b0 (ReLU)", style=style),
        bias_decay=widgets.FloatSlider(value=2.0, min=1.0, max=4.0, step=0.1, description="bias decay C", style=style),
        bias_floor=widgets.FloatSlider(value=0.0, min=0.0, max=0.5, step=0.01, description="bias floor", style=style),
        lr_over_m=widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.05, description="lr / m", style=style),
        noise_std=widgets.FloatLogSlider(value=0.01, base=10, min=-3, max=-1, step=0.1, description="noise sigma", style=style),
        delta=widgets.FloatSlider(value=0.5, min=0.0, max=1.5, step=0.05, description="init delta", style=style),
    )


# --- Chapter 6: Experiments (Sec. 6, Figures 2 and 3) ---

__all__ += ["plot_loss_curves", "plot_matched_distance", "plot_variant_distances"]

#: Colours for the noise levels of Sec. 6 (light to dark), and line styles for variants.
_SIGMA_COLORS = ("#56B4E9", "#0072B2", "#000000")


def _median_band(ax, values, color, label, *, lower, upper, alpha=0.18, **kwargs):
    """Draw the median over trials (axis 0) as a line and the [lower, upper] percentiles as a band."""
    low, median, high = np.percentile(np.asarray(values, dtype=float), [lower, 50.0, upper], axis=0)
    steps = np.arange(median.size)
    ax.fill_between(steps, low, high, color=color, alpha=alpha, lw=0)
    ax.plot(steps, median, color=color, label=label, **kwargs)


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


def plot_variant_distances(curves, oracle, *, lower: float = 10.0, upper: float = 90.0,
                           titles: Dict[str, str] = None, schedules=None, coherence=None):
    """Matched distance against the step for several training variants, one panel per init.

    Parameters
    ----------
    curves : mapping init -> mapping variant -> ndarray, shape (trials, steps + 1)
    oracle : ndarray, shape (trials,)
        Matched distance of the class means (grey band).
    lower, upper : float
        Percentiles of the band around the median.
    titles : mapping init -> str, optional
    schedules : mapping variant -> ndarray, optional
        b^s per variant, drawn as |b^s| in an extra first panel (log scale).
    coherence : ndarray, optional
        max_{i != j} |<A_i, A_j>| per trial, drawn as a band in the bias panel.

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

# --- Chapter 10: Random and PCA starts ---

__all__ += ["plot_start_success_maps", "plot_run_outcomes", "plot_collision_model", "plot_distance_histogram"]

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
    predicted : sequence of float
        m!/m^m (:func:`aelib.collision_free_probability`).
    curves : mapping label -> sequence of float
        Measured probabilities at each m (e.g. one per dimension n).
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


# --- Chapter 8: Sparse coding in practice ---

__all__ += ["plot_success_maps", "plot_floor_scaling", "plot_floor_decomposition"]


def _plain_log_axis(axis) -> None:
    """Log-axis ticks at 1, 2, 5 x 10^j, written as plain decimals (0.05, 0.1, 0.2, ...)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


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


# --- Chapter 9: Finite samples ---

__all__ += ["plot_sample_curves"]


def plot_sample_curves(Ns, curves, *, target: float = None, failure: float = None):
    """Recovery error against the number of samples N, autoencoder beside the oracle (log-log).

    Parameters
    ----------
    Ns : sequence of int
    curves : mapping title -> dict
        ``autoencoder`` and ``oracle``: arrays (seeds, len(Ns)) of column-RMS errors;
        ``predicted``: the oracle's predicted error (len(Ns)). Lines are medians over
        seeds, bands min to max. Autoencoder runs above ``failure`` are drawn as
        crosses at the top (not converged).
    target : float, optional
        A horizontal line at the target error of the samples-needed table.
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


# --- Chapter 3: Initialization ---

__all__ += ["INIT_STYLES", "plot_init_closeness", "plot_pair_spectra", "plot_spectral_pairs"]

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
    ncols : int
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
    gap : float
        The acceptance ratio of :func:`aelib.spectral_init`, drawn as a line.
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
    pairs : ndarray, shape (len(ms), trials)
        Measured counts (:func:`aelib.spectral_pairs`); -1 (gave up) is not drawn.
    predicted : sequence of float
        :func:`aelib.spectral_pairs_mixture` for each m.
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


# --- Chapter 11: Baselines side by side ---

__all__ += ["plot_error_vs_time"]


def plot_error_vs_time(panels, *, floor_label: str = "oracle"):
    """Recovery error against wall time, one panel per problem, one marker per method.

    Parameters
    ----------
    panels : mapping title -> mapping label -> sequence of (seconds, error)
        For each method, one (wall time of method plus start, matched distance) pair
        per data set; a label containing "oracle" is drawn as a horizontal reference
        line (at the mean error) instead.
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


# --- Chapter 4: Code consistency ---

__all__ += [
    "plot_preactivations",
    "plot_phase_diagrams",
    "plot_rate_grids",
    "plot_rate_curves",
    "consistency_explorer_figure",
    "consistency_explorer",
]


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
    titles : sequence of str
    intervals : sequence of dicts
        One per panel: label -> (deltas, lower, upper) arrays (NaN where the
        interval is empty); lower is drawn solid, upper dashed, in one colour per label.
    level : float
        The white contour marks where the measured rate reaches ``level``.
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
    titles : sequence of str
    xvalues, yvalues : sequences
        Tick labels (the grid is drawn with categorical axes).
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
    titles, xlabels : sequences of str
    xlog : sequence of bool or int, optional
        Log scale on x per panel (True: base 10; an integer: that base); ticks as plain numbers.
    marks : sequence of dicts label -> x, optional
        Vertical reference lines per panel.
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


def _explorer_state(A, codes, noise, *, delta, b, sigma, activation, lam, adversarial, seed):
    """Codes, preactivations and rates for one setting of the consistency explorer."""
    from .autoencoder import encode
    from .consistency import delta_close, preactivation_split, recovery_rates

    Y = A @ codes + sigma * noise
    W = delta_close(A, delta, rng=seed, adversarial=adversarial)
    on, off = preactivation_split(W, b, Y, codes)
    rates = recovery_rates(encode(W, b, Y, activation=activation, lam=lam if activation == "threshold" else None),
                           codes)
    return on, off, rates


def consistency_explorer_figure(model, *, delta: float = 0.2, b: float = -0.4, sigma=None,
                                activation: str = "relu", adversarial: bool = False, N: int = 2000, rng=0,
                                _data=None):
    """The consistency explorer's figure for one setting (its default state, drawn statically).

    Histograms of z = W^T y + b on and off the support for a W exactly delta-close to
    ``model.A`` (:func:`aelib.delta_close`), with the activation's cut-off; the title
    gives the support and sign recovery rates of the encoder (Thm. 3). The
    threshold activation uses lam = a1 / 2, as in Thm. 3 (i) and (iii).

    Parameters
    ----------
    model : BilinearModel
    delta, b : float
    sigma : float, optional
        Noise level (default ``model.noise_std``).
    activation : {"relu", "threshold"}
    adversarial : bool
        Worst-case direction for W (:func:`aelib.delta_close`).
    N : int
        Samples.
    rng : int
        Seed of the samples and of W's directions.
    """
    from .models import gaussian_noise

    if _data is None:
        gen = np.random.default_rng(rng)
        codes = model.sample_codes(N, gen)
        noise = gaussian_noise(model.n, N, 1.0, rng=gen)
    else:
        codes, noise = _data
    sigma = model.noise_std if sigma is None else sigma
    lam = model.a1 / 2.0
    on, off, rates = _explorer_state(model.A, codes, noise, delta=delta, b=b, sigma=sigma, activation=activation,
                                     lam=lam, adversarial=adversarial, seed=rng)
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


def consistency_explorer(model, *, N: int = 2000, rng: int = 0, delta: float = 0.2, b: float = -0.4,
                         activation: str = "relu"):
    """An ipywidgets explorer of code consistency (Thm. 3) against delta, b, noise and activation.

    Sliders set delta = ||W_i - A_i||, the bias b and the noise sigma_eta; a dropdown
    picks the activation (ReLU, or the threshold lam = a1/2) and a checkbox the
    worst-case W. The codes and a unit noise draw are sampled once (seed ``rng``);
    the figure is :func:`consistency_explorer_figure`.

    Returns
    -------
    ipywidgets.Widget
        Display it (the last expression of a cell).
    """
    import ipywidgets as widgets

    from .models import gaussian_noise

    gen = np.random.default_rng(rng)
    data = (model.sample_codes(N, gen), gaussian_noise(model.n, N, 1.0, rng=gen))
    out = widgets.Output()
    controls = dict(
        delta=widgets.FloatSlider(value=delta, min=0.0, max=1.0, step=0.01, description="delta"),
        b=widgets.FloatSlider(value=b, min=-1.5, max=0.5, step=0.01, description="bias b"),
        sigma=widgets.FloatLogSlider(value=max(model.noise_std, 1e-3), base=10, min=-3, max=-0.3, step=0.05,
                                     description="noise"),
        activation=widgets.Dropdown(options=["relu", "threshold"], value=activation, description="activation"),
        adversarial=widgets.Checkbox(value=False, description="worst-case W"),
    )

    def redraw(**kwargs):
        with out:
            out.clear_output(wait=True)
            fig = consistency_explorer_figure(model, N=N, rng=rng, _data=data, **kwargs)
            plt.show()
            plt.close(fig)

    widgets.interactive_output(redraw, controls)
    return widgets.VBox([widgets.HBox([controls["delta"], controls["b"], controls["sigma"]]),
                         widgets.HBox([controls["activation"], controls["adversarial"]]), out])
