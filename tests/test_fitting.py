"""Tests for aelib.fitting: log-log slopes (one fit and over seeds) and the F_inf + c / N extrapolation."""

from __future__ import annotations

import numpy as np
import pytest

from aelib import fitting as F


# --- slopes and extrapolation --------------------------------------------------------------


def test_fit_loglog_slope_recovers_a_planted_power_law():
    x = np.array([16.0, 32.0, 64.0, 128.0])
    fit = F.fit_loglog_slope(x, 3.0 * x**-2.0)
    assert fit.slope == pytest.approx(-2.0) and fit.intercept == pytest.approx(np.log(3.0))
    assert fit.low == pytest.approx(-2.0) and fit.high == pytest.approx(-2.0)
    noisy = 3.0 * x**1.5 * np.exp(np.array([0.05, -0.04, 0.03, -0.05]))
    fit = F.fit_loglog_slope(x, noisy)
    assert fit.low < 1.5 < fit.high and abs(fit.slope - 1.5) < 0.1
    with pytest.raises(ValueError):
        F.fit_loglog_slope([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError):
        F.fit_loglog_slope([2.0, 2.0], [1.0, 3.0])


def test_seed_slopes_interval_covers_the_truth():
    x = np.array([2.0, 3.0, 4.0, 6.0])
    offsets = np.array([-0.1, -0.05, 0.0, 0.05, 0.1])  # one exponent per seed, centred on 2
    Y = np.array([5.0 * x ** (2.0 + e) for e in offsets])
    s = F.seed_slopes(x, Y)
    np.testing.assert_allclose(s.per_seed, 2.0 + offsets)
    assert s.slope == pytest.approx(2.0) and s.low < 1.95 and s.high > 2.05
    Y[1, 2] = np.nan  # a seed that did not converge is dropped
    assert F.seed_slopes(x, Y).per_seed.shape == (4,)


def test_pooled_slope_is_the_textbook_regression_through_all_points():
    """Against scipy's linregress (the textbook slope and standard error) on the pooled points."""
    from scipy import stats

    rng = np.random.default_rng(0)
    x = np.array([48.0, 64.0, 96.0, 128.0])
    Y = 0.3 * x**0.1 * np.exp(0.06 * rng.standard_normal((12, 4)))
    fit = F.pooled_slope(x, Y)
    ref = stats.linregress(np.log(np.tile(x, 12)), np.log(Y.ravel()))
    half = stats.t.ppf(0.975, 48 - 2) * ref.stderr
    assert fit.slope == pytest.approx(ref.slope) and fit.intercept == pytest.approx(ref.intercept)
    assert fit.low == pytest.approx(ref.slope - half) and fit.high == pytest.approx(ref.slope + half)
    assert fit.per_seed is None
    # balanced design: the pooled slope is the mean of the per-seed slopes, the interval is not theirs
    assert fit.slope == pytest.approx(F.seed_slopes(x, Y).slope)
    # a run that did not settle drops that one point, not its seed
    Y[3, 1] = np.nan
    ref = stats.linregress(np.log(np.tile(x, 12))[np.isfinite(Y.ravel())], np.log(Y.ravel()[np.isfinite(Y.ravel())]))
    assert F.pooled_slope(x, Y).slope == pytest.approx(ref.slope)
    with pytest.raises(ValueError, match="Y"):
        F.pooled_slope(x, Y[:, :3])


def test_pooled_slope_interval_covers_the_planted_exponent_95_percent_of_the_time():
    """2000 synthetic sweeps (4 x, 12 independent draws each, log-normal scatter): the 95% interval
    covers the planted exponent in 95% of them (binomial standard error 0.5%)."""
    rng = np.random.default_rng(1)
    x = np.array([48.0, 64.0, 96.0, 128.0])
    covered = 0
    for _ in range(2000):
        fit = F.pooled_slope(x, 0.3 * x**-1.0 * np.exp(0.08 * rng.standard_normal((12, 4))))
        covered += fit.low <= -1.0 <= fit.high
    assert 0.935 <= covered / 2000 <= 0.965


def test_extrapolate_floor_recovers_bias_and_variance():
    Ns = np.array([1000.0, 4000.0, 16000.0])
    f_inf, c = F.extrapolate_floor(Ns, 0.2 + 50.0 / Ns)
    assert f_inf == pytest.approx(0.2) and c == pytest.approx(50.0)
    two = F.extrapolate_floor(Ns[:2], np.array([[0.25, 0.2125], [0.25, 0.2125]]))
    assert two == pytest.approx((0.2, 50.0))
    with pytest.raises(ValueError):
        F.extrapolate_floor([1000, 1000], [0.3, 0.3])

