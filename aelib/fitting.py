"""Fits that turn measured floors into exponents and infinite-sample limits (Thm. 4 (ii)-(iii)).

Theorem 4 bounds the floor of the descent by O(m k^2 / n^2) for sparse codes (ii) and
by O(k^3 / m) for non-negative codes (iii), for infinitely many samples. To compare a
measurement with such a bound we fit its exponents, and to separate the theorem's
infinite-sample floor from the finite-sample error we extrapolate in N:

* :func:`fit_loglog_slope` -- the least-squares exponent of a power law y ~ C x^slope,
  with a 95% interval;
* :func:`pooled_slope` -- one least-squares exponent through the points of every seed,
  when every point is an independent draw (its own random dictionary), with the
  textbook 95% interval of that regression;
* :func:`seed_slopes` -- one slope per seed, summarized by their mean and a Student-t
  95% interval over seeds, when the points of one seed share their randomness;
* :func:`extrapolate_floor` -- F(N) = F_inf + c / N fitted over a few sample sizes.

These are deterministic and draw no random numbers. The measurements they fit come
from :mod:`aelib.recovery` and :mod:`aelib.samples`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

__all__ = ["Slope", "fit_loglog_slope", "pooled_slope", "seed_slopes", "extrapolate_floor"]


@dataclass
class Slope:
    """A fitted exponent: y ~ C x^slope.

    Attributes
    ----------
    slope : float
        The exponent (mean over seeds for :func:`seed_slopes`).
    intercept : float
        log C (natural log), mean over seeds for :func:`seed_slopes`.
    low, high : float
        Ends of a 95% interval: from the OLS standard error (:func:`fit_loglog_slope`,
        :func:`pooled_slope`) or from the spread over seeds (:func:`seed_slopes`, Student t).
    per_seed : ndarray or None
        The slope of each seed (:func:`seed_slopes` only).
    """

    slope: float
    intercept: float
    low: float
    high: float
    per_seed: Optional[np.ndarray] = None


def fit_loglog_slope(x, y) -> Slope:
    """Least-squares line through (log x, log y): the exponent of a power law y ~ C x^slope.

    Used to compare measured floors with the exponents of Thm. 4's O(m k^2 / n^2)
    and O(k^3 / m). The interval is slope +- t_{0.975, p-2} * (OLS standard error)
    (the slope itself when there are only two points).

    Parameters
    ----------
    x, y : array_like, shape (p,)
        Positive values, p >= 2 distinct x.

    Returns
    -------
    Slope
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x, y: expected two arrays of the same length >= 2, got {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x, y: a log-log fit needs finite positive values")
    lx, ly = np.log(x), np.log(y)
    if np.ptp(lx) == 0:
        raise ValueError("x: needs at least two distinct values")
    slope, intercept = np.polyfit(lx, ly, 1)
    p = x.size
    if p > 2:
        from scipy import stats

        resid = ly - (slope * lx + intercept)
        se = np.sqrt(np.sum(resid**2) / (p - 2) / np.sum((lx - lx.mean()) ** 2))
        half = float(stats.t.ppf(0.975, p - 2) * se)
    else:
        half = 0.0
    return Slope(slope=float(slope), intercept=float(intercept), low=float(slope - half), high=float(slope + half))


def pooled_slope(x, Y) -> Slope:
    """One log-log least-squares fit through every point of every seed: the exponent and its 95% interval.

    For measurements in which every (seed, x) point is an independent draw, such as the
    floors of Thm. 4 (ii)-(iii) at several n, k or m, each computed on its own random
    dictionary (:func:`aelib.population_point`): the points of one seed then share
    nothing, so they are all residuals of one regression of log y on log x. The
    interval is the textbook one of that regression (:func:`fit_loglog_slope`):
    slope +- t_{0.975, P-2} s / sqrt(sum_j (log x_j - mean)^2) over the P finite points,
    s^2 the residual variance. It assumes independent residuals of one spread at every x.
    With the same x for every seed the slope is the mean of the per-seed slopes of
    :func:`seed_slopes`, but the interval rests on P - 2 degrees of freedom instead of
    seeds - 1.

    Parameters
    ----------
    x : array_like, shape (p,)
        Positive values of the swept variable (e.g. n, k or m).
    Y : array_like, shape (seeds, p)
        One row of positive values per seed; a non-finite entry (a run that did not
        settle) is dropped alone.

    Returns
    -------
    Slope
        ``per_seed`` is None.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
    if Y.ndim != 2 or Y.shape[1] != x.size:
        raise ValueError(f"Y: expected shape (seeds, {x.size}), one column per x, got {Y.shape}")
    keep = np.isfinite(Y)
    return fit_loglog_slope(np.broadcast_to(x, Y.shape)[keep], Y[keep])


def seed_slopes(x, Y) -> Slope:
    """Fit one log-log slope per seed and summarize: mean and a Student-t 95% interval over seeds.

    For measurements in which the points of one seed share their randomness (e.g. one
    dictionary measured at several sample sizes N); when every point is an independent
    draw, :func:`pooled_slope` uses all of them for the interval.

    Parameters
    ----------
    x : array_like, shape (p,)
        Positive values of the swept variable (e.g. n, k or m).
    Y : array_like, shape (seeds, p)
        One row of positive values per seed (NaN rows are dropped).

    Returns
    -------
    Slope
        ``per_seed`` holds the individual slopes; with one seed the interval is that slope.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
    if Y.shape[1] != x.size:
        raise ValueError(f"Y: expected {x.size} columns (one per x), got {Y.shape[1]}")
    Y = Y[np.all(np.isfinite(Y), axis=1)]
    if Y.shape[0] == 0:
        raise ValueError("Y: no seed has finite values at every x")
    fits = [fit_loglog_slope(x, row) for row in Y]
    slopes = np.array([f.slope for f in fits])
    mean = float(slopes.mean())
    if slopes.size > 1:
        from scipy import stats

        half = float(stats.t.ppf(0.975, slopes.size - 1) * slopes.std(ddof=1) / np.sqrt(slopes.size))
    else:
        half = 0.0
    return Slope(slope=mean, intercept=float(np.mean([f.intercept for f in fits])), low=mean - half,
                 high=mean + half, per_seed=slopes)


def extrapolate_floor(Ns, floors) -> Tuple[float, float]:
    """Fit F(N) = F_inf + c / N by least squares: the infinite-sample floor and the sampling term.

    The squared error of the empirical fixed point is the squared bias of the
    expected update (Thm. 4's floor, F_inf) plus a variance that falls like 1/N
    (c / N); the cross term averages out. Two or more sample sizes give both.

    Parameters
    ----------
    Ns : array_like, shape (p,)
        Sample sizes, p >= 2 distinct.
    floors : array_like, shape (p,) or (seeds, p)
        Measured ||pi(W) - A||_F^2 (averaged over seeds when 2-D).

    Returns
    -------
    (F_inf, c) : tuple of float
    """
    Ns = np.asarray(Ns, dtype=np.float64).ravel()
    F = np.asarray(floors, dtype=np.float64)
    if F.ndim == 2:
        F = F.mean(axis=0)
    if F.shape != Ns.shape or np.unique(Ns).size < 2:
        raise ValueError("Ns, floors: need >= 2 distinct sample sizes and one floor per size")
    design = np.column_stack([np.ones_like(Ns), 1.0 / Ns])
    (f_inf, c), *_ = np.linalg.lstsq(design, F, rcond=None)
    return float(f_inf), float(c)
