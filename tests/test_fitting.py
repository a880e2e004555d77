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


def test_extrapolate_floor_recovers_bias_and_variance():
    Ns = np.array([1000.0, 4000.0, 16000.0])
    f_inf, c = F.extrapolate_floor(Ns, 0.2 + 50.0 / Ns)
    assert f_inf == pytest.approx(0.2) and c == pytest.approx(50.0)
    two = F.extrapolate_floor(Ns[:2], np.array([[0.25, 0.2125], [0.25, 0.2125]]))
    assert two == pytest.approx((0.2, 50.0))
    with pytest.raises(ValueError):
        F.extrapolate_floor([1000, 1000], [0.3, 0.3])

