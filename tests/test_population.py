"""Tests for aelib.population: the support moments, the chain expectations and the closed-form expected gradient."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import aelib
from aelib import population as P


# --- moments of a uniform support and the chain expectations ------------------------------


def _all_supports(m, k):
    for S in itertools.combinations(range(m), k):
        s = np.zeros(m)
        s[list(S)] = 1.0
        yield s


@pytest.mark.parametrize("m,k", [(5, 1), (5, 2), (6, 3), (6, 4)])
def test_support_moment_matches_enumeration(m, k):
    supports = np.array(list(_all_supports(m, k)))
    for d in range(5):
        expected = np.mean(np.prod(supports[:, :d], axis=1)) if d else 1.0
        assert P.support_moment(m, k, d) == pytest.approx(expected)


@pytest.mark.parametrize("r", [1, 2, 3])
@pytest.mark.parametrize("m,k", [(5, 1), (5, 2), (6, 3)])
def test_chain_expectation_matches_enumeration(r, m, k):
    rng = np.random.default_rng(r * 10 + k)
    mats = [rng.standard_normal((m, m)) for _ in range(r)]
    total = np.zeros((m, m))
    count = 0
    for s in _all_supports(m, k):
        D = np.diag(s)
        prod = D
        for M in mats:
            prod = prod @ M @ D
        total += prod
        count += 1
    np.testing.assert_allclose(P.chain_expectation(mats, k), total / count, atol=1e-12)


def test_chain_expectation_rejects_long_chains():
    with pytest.raises(ValueError, match="at most 3"):
        P.chain_expectation([np.eye(3)] * 4, 1)


# --- the population gradient ---------------------------------------------------------------


def _enumerated_data(A, k, values, sigma):
    """Every (support, value pattern, noise atom) with equal weight: exact expectations."""
    n, m = A.shape
    noises = [np.zeros(n)] if sigma == 0 else [
        s * sigma * np.sqrt(n) * np.eye(n)[j] for j in range(n) for s in (-1.0, 1.0)
    ]
    Ys, Xs = [], []
    for S in itertools.combinations(range(m), k):
        for pattern in itertools.product(values, repeat=k):
            x = np.zeros(m)
            x[list(S)] = pattern
            for eta in noises:
                Ys.append(A @ x + eta)
                Xs.append(x)
    return np.array(Ys).T, np.array(Xs).T


@pytest.mark.parametrize("values,sigma", [((-1.0, 1.0), 0.0), ((0.3, 1.1), 0.0), ((0.3, 1.1), 0.2)])
@pytest.mark.parametrize("with_bias", [False, True])
def test_population_gradient_is_the_exact_expectation(values, sigma, with_bias):
    # Two-point values with the same kappa1, kappa2 and a finite noise law with E[eta eta^T] = sigma^2 I
    # make the expectation a finite average: the closed form must match it to rounding.
    rng = np.random.default_rng(1)
    n, m, k = 6, 5, 2
    A = aelib.normalize_columns(rng.standard_normal((n, m)))
    W = aelib.normalize_columns(A + 0.2 * rng.standard_normal((n, m)))
    b = rng.uniform(-0.3, 0.0, m) if with_bias else 0.0
    Y, X = _enumerated_data(A, k, values, sigma)
    kappa1, kappa2 = float(np.mean(values)), float(np.mean(np.square(values)))
    expected = P.oracle_support_gradient(W, b, Y, X)
    got = P.population_gradient(W, A, b, k=k, kappa1=kappa1, kappa2=kappa2, noise_std=sigma)
    np.testing.assert_allclose(got, expected, atol=1e-13)


def test_population_gradient_reduces_to_the_mixture_formula():
    A = aelib.random_dictionary(20, 6, rng=0)
    W = aelib.perturbed_init(A, 0.3, rng=1)
    b = np.linspace(-0.4, -0.1, 6)
    for sigma in (0.0, 0.1):
        got = P.population_gradient(W, A, b, k=1, kappa1=1.0, kappa2=1.0, noise_std=sigma)
        np.testing.assert_allclose(got, aelib.expected_gradient_mixture(W, A, b), atol=1e-12)


def test_oracle_support_gradient_equals_the_real_gradient_when_consistent():
    # Orthonormal A, W = A and +-1 codes: the threshold encoder recovers every support exactly.
    rng = np.random.default_rng(2)
    A, _ = np.linalg.qr(rng.standard_normal((16, 8)))
    model = aelib.SparseCoding(A, k=2, noise_std=0.0)
    Y, X = model.sample(300, rng=3)
    W = A.copy()
    np.testing.assert_allclose(
        P.oracle_support_gradient(W, 0.0, Y, X),
        aelib.gradient(W, 0.0, Y, activation="threshold", lam=0.5),
        atol=1e-12,
    )


def test_population_gradient_validates():
    A = aelib.random_dictionary(8, 4, rng=0)
    with pytest.raises(ValueError, match="kappa2"):
        P.population_gradient(A, A, k=2, kappa1=1.0, kappa2=0.5)
    with pytest.raises(ValueError):
        P.population_gradient(A[:, :3], A, k=2, kappa1=0.0, kappa2=1.0)

