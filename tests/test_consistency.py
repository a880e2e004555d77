"""Tests of aelib.consistency: recovery rates and the bias intervals of Thm. 3."""

from __future__ import annotations

import numpy as np
import pytest

import aelib


def test_recovery_rates_on_hand_made_codes():
    X_star = np.array(
        [
            [1.0, 0.0, -2.0, 0.0],
            [0.0, 3.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 1.0],
        ]
    )
    X = np.array(
        [
            [0.5, 0.0, 2.0, 0.0],  # sample 2: right support, wrong sign in row 0
            [0.0, 0.1, 0.0, 0.2],  # sample 3: an extra nonzero
            [0.0, 0.0, 4.0, 1.0],
        ]
    )
    r = aelib.recovery_rates(X, X_star)
    assert r.support == pytest.approx(3 / 4)  # samples 0, 1, 2
    assert r.sign == pytest.approx(2 / 4)  # samples 0, 1
    assert r.entry_support == pytest.approx(11 / 12)  # only entry (1, 3) disagrees
    assert aelib.support_recovery_rate(X, X_star) == r.support
    assert aelib.sign_recovery_rate(X, X_star) == r.sign
    assert r.sign <= r.support


def test_recovery_rates_perfect_and_none():
    X_star = np.eye(3)
    assert aelib.recovery_rates(2 * X_star, X_star) == aelib.RecoveryRates(1.0, 1.0, 1.0)
    r = aelib.recovery_rates(1.0 - X_star, X_star)
    assert r.support == 0.0 and r.sign == 0.0 and r.entry_support == 0.0
    r = aelib.recovery_rates(-X_star, X_star)
    assert r.support == 1.0 and r.sign == 0.0


def test_relu_bias_interval_formula():
    # Thm. 3 (ii): [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)]
    lo, hi = aelib.relu_bias_interval(0.1, 4, 0.5, 2.0)
    assert lo == pytest.approx(-(0.9) * 0.5 + 2.0 * 0.1 * 2.0)
    assert hi == pytest.approx(-2.0 * 0.1 * 2.0)
    lo, hi = aelib.relu_bias_interval(0.0, 1, 1.0, 1.0)
    assert (lo, hi) == (-1.0, 0.0)
    lo, hi = aelib.relu_bias_interval(0.5, 9, 1.0, 1.0)
    assert lo > hi  # empty: the theorem promises nothing at this delta
    # for the mixture (k = 1, a1 = a2 = 1) the lower end is -1 + 2 delta
    assert aelib.relu_bias_interval(0.2, 1, 1.0, 1.0) == pytest.approx((-0.6, -0.2))


def test_mixture_bias_interval_formula():
    assert aelib.mixture_bias_interval(0.1) == pytest.approx((-0.9, -0.2))
    assert aelib.mixture_bias_interval(0.0) == (-1.0, 0.0)
    lo, hi = aelib.mixture_bias_interval(0.4)
    assert lo == pytest.approx(-0.6) and hi == pytest.approx(-0.8) and lo > hi


def test_preactivation_split():
    W = np.eye(3)
    Y = np.array([[1.0, 0.2], [0.3, 2.0], [0.1, 0.4]])
    X_star = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = np.array([-0.1, -0.2, -0.3])
    on, off = aelib.preactivation_split(W, b, Y, X_star)
    Z = Y + b[:, None]
    np.testing.assert_allclose(np.sort(on), np.sort([Z[0, 0], Z[1, 1]]))
    np.testing.assert_allclose(np.sort(off), np.sort([Z[1, 0], Z[2, 0], Z[0, 1], Z[2, 1]]))
    assert on.size + off.size == Z.size


def test_preactivation_split_separates_on_a_consistent_mixture(mixture):
    on, off = aelib.preactivation_split(mixture.A, -0.5, mixture.Y, mixture.X_star)
    assert on.size == mixture.Y.shape[1]  # one true unit per sample
    assert on.min() > 0 > off.max()


@pytest.mark.parametrize("activation,lam", [("relu", None), ("threshold", 0.5)])
def test_mixture_support_recovered_with_W_equal_A(mixture, activation, lam):
    # Thm. 3 for the mixture: W = A (delta = 0), small noise, b inside (-1 + delta, -2 delta]
    # for ReLU, b = 0 with threshold 1/2: every support is recovered.
    A, Y, X_star = mixture.A, mixture.Y, mixture.X_star
    if activation == "relu":
        lo, hi = aelib.mixture_bias_interval(0.0)
        b = -0.5
        assert lo < b <= hi
    else:
        b = 0.0
    X = aelib.encode(A, b, Y, activation=activation, lam=lam)
    rates = aelib.recovery_rates(X, X_star)
    assert rates.support == 1.0 and rates.sign == 1.0


def test_relu_without_bias_loses_consistency(mixture):
    # The interval matters: with b = 0 every unit whose column correlates positively with
    # the true centre also fires, so the support is wrong on many samples.
    X = aelib.encode(mixture.A, 0.0, mixture.Y)
    assert aelib.support_recovery_rate(X, mixture.X_star) < 0.5


def test_consistency_from_a_perturbed_start(mixture):
    W, A = mixture.W0, mixture.A
    delta = aelib.column_distances(W, A).max()
    lo, hi = aelib.mixture_bias_interval(delta)
    assert lo < hi
    X = aelib.encode(W, (lo + hi) / 2, mixture.Y)
    assert aelib.support_recovery_rate(X, mixture.X_star) == 1.0
