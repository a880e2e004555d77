"""The figures of Chapter 5 (descent, Thm. 2 and 4, Lemma 1).

Each function takes already computed numbers, draws them in the book's style
(:mod:`aelib.plots.style`) and returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import numpy as np

from .style import COLORS, new_figure, legend

__all__ = ["plot_gradient_error", "plot_lemma1_trace", "plot_distance_panels", "plot_bias_drift", "plot_training_run"]


def plot_gradient_error(curves, *, title: str = None):
    """Relative error of the empirical gradient against the closed form, against N (log-log).

    Parameters
    ----------
    curves : mapping label -> GradientErrorCurve
        From :func:`aelib.gradient_error_curve`.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
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
    linthresh : float, default 1.0
        Range around 0 where the symmetric-log y axis is linear.

    Returns
    -------
    matplotlib.figure.Figure
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
    floor_label : str, default "finite-sample floor"
        Legend label of that line.
    ylabel : str
        Label of the y axis (the matched distance by default).
    height : float, default 3.4
        Figure height in inches.
    logy : bool, default True
        Log scale on y.

    Returns
    -------
    matplotlib.figure.Figure
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
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
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
    """Loss and matched distance of one :class:`aelib.TrainResult` (the explorer's figure).

    Parameters
    ----------
    result : TrainResult
        From :func:`aelib.train` (the distance panel stays empty without ``A``).
    title : str, optional
        Figure title.
    loss_floor : float, optional
        A horizontal reference line in the loss panel (n sigma^2 / 2, :func:`aelib.loss_floor`).

    Returns
    -------
    matplotlib.figure.Figure
    """
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
