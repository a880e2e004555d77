"""Tests for aelib.recovery: the closed-form expected gradient, the runners and the slope fits."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import aelib
from aelib import recovery as R


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
        assert R.support_moment(m, k, d) == pytest.approx(expected)


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
    np.testing.assert_allclose(R.chain_expectation(mats, k), total / count, atol=1e-12)


def test_chain_expectation_rejects_long_chains():
    with pytest.raises(ValueError, match="at most 3"):
        R.chain_expectation([np.eye(3)] * 4, 1)


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
    expected = R.oracle_support_gradient(W, b, Y, X)
    got = R.population_gradient(W, A, b, k=k, kappa1=kappa1, kappa2=kappa2, noise_std=sigma)
    np.testing.assert_allclose(got, expected, atol=1e-13)


def test_population_gradient_reduces_to_the_mixture_formula():
    A = aelib.random_dictionary(20, 6, rng=0)
    W = aelib.perturbed_init(A, 0.3, rng=1)
    b = np.linspace(-0.4, -0.1, 6)
    for sigma in (0.0, 0.1):
        got = R.population_gradient(W, A, b, k=1, kappa1=1.0, kappa2=1.0, noise_std=sigma)
        np.testing.assert_allclose(got, aelib.expected_gradient_mixture(W, A, b), atol=1e-12)


def test_oracle_support_gradient_equals_the_real_gradient_when_consistent():
    # Orthonormal A, W = A and +-1 codes: the threshold encoder recovers every support exactly.
    rng = np.random.default_rng(2)
    A, _ = np.linalg.qr(rng.standard_normal((16, 8)))
    model = aelib.SparseCoding(A, k=2, noise_std=0.0)
    Y, X = model.sample(300, rng=3)
    W = A.copy()
    np.testing.assert_allclose(
        R.oracle_support_gradient(W, 0.0, Y, X),
        aelib.gradient(W, 0.0, Y, activation="threshold", lam=0.5),
        atol=1e-12,
    )


def test_population_gradient_validates():
    A = aelib.random_dictionary(8, 4, rng=0)
    with pytest.raises(ValueError, match="kappa2"):
        R.population_gradient(A, A, k=2, kappa1=1.0, kappa2=0.5)
    with pytest.raises(ValueError):
        R.population_gradient(A[:, :3], A, k=2, kappa1=0.0, kappa2=1.0)


# --- population descent --------------------------------------------------------------------


def test_population_floor_is_zero_for_one_atom_and_positive_for_more():
    A = aelib.random_dictionary(32, 16, rng=0)
    W0 = aelib.perturbed_init(A, 0.2, rng=1)
    one = R.population_descent(aelib.SparseCoding(A, k=1, noise_std=0.0), W0, lr=16.0, steps=100)
    assert one.converged and one.floor < 1e-12
    two = R.population_descent(aelib.SparseCoding(A, k=2, noise_std=0.0), W0, lr=8.0, steps=200)
    assert two.converged and two.floor > 1e-3
    assert two.distance_sq[0] == pytest.approx(np.sum((W0 - A) ** 2))


def test_population_floor_does_not_depend_on_the_learning_rate():
    A = aelib.random_dictionary(48, 24, rng=4)
    model = aelib.NonnegativeSparseCoding(A, k=2, a1=1.0, a2=1.5, noise_std=0.0)
    W0 = aelib.perturbed_init(A, 0.2, rng=5)
    lr = R.theorem4_settings(model)["lr"]
    fast = R.population_descent(model, W0, lr=lr, steps=400, tol=1e-12)
    slow = R.population_descent(model, W0, lr=0.5 * lr, steps=800, tol=1e-12)
    assert fast.converged and slow.converged
    assert fast.floor == pytest.approx(slow.floor, rel=1e-6)


def test_population_point_is_deterministic_and_scales_like_one_over_n():
    a = R.population_point(kind="sparse", n=64, m=32, k=2, seed=0)
    b = R.population_point(kind="sparse", n=64, m=32, k=2, seed=0)
    assert a == b
    big = R.population_point(kind="sparse", n=256, m=32, k=2, seed=0)
    assert 2.5 < a / big < 6.0  # about 4 = 256 / 64


def test_oracle_support_train_approaches_the_population_floor():
    A = aelib.random_dictionary(32, 8, rng=0)
    model = aelib.SparseCoding(A, k=2, noise_std=0.0)
    W0 = aelib.perturbed_init(A, 0.2, rng=1)
    pop = R.population_descent(model, W0, lr=4.0, steps=200)
    Y, X = model.sample(20000, rng=2)
    run = R.oracle_support_train(Y, X, W0, lr=4.0, steps=30, A=A)
    assert run.distance_sq.shape == (31,)
    assert abs(run.distance_sq[-1] - pop.floor) < 0.5 * pop.floor


# --- settings and runners ------------------------------------------------------------------


def test_theorem4_settings():
    A = aelib.random_dictionary(16, 8, rng=0)
    sparse = R.make_model("sparse", A, k=2)
    s = R.theorem4_settings(sparse)
    assert s == {"lr": 4.0, "activation": "threshold", "lam": 0.5, "b0": 0.0, "bias_decay": 1.0}
    nonneg = R.make_model("nonnegative", A, k=2)
    assert (nonneg.a1, nonneg.a2) == R.NONNEGATIVE_RANGE
    relu = R.theorem4_settings(nonneg, "relu")
    assert relu["b0"] == -0.5 and relu["bias_decay"] == 2.0 and "bias_floor" not in relu
    assert R.theorem4_settings(nonneg, "relu_floor")["bias_floor"] == 0.25
    limit = aelib.common_mode_lr_limit(8, 2, nonneg.kappa1, nonneg.kappa2)
    assert relu["lr"] == pytest.approx(limit / 2)
    with pytest.raises(ValueError, match="activation"):
        R.theorem4_settings(sparse, "tanh")
    with pytest.raises(ValueError, match="k = 1"):
        R.make_model("mixture", A, k=2)
    with pytest.raises(ValueError, match="kind"):
        R.make_model("ica", A, k=2)


def test_recovery_run_recovers_an_easy_dictionary():
    A = aelib.random_dictionary(64, 16, rng=0)
    model = aelib.SparseCoding(A, k=1, noise_std=0.0)
    W0 = aelib.perturbed_init(A, 0.3, rng=1)
    res = R.recovery_run(model, W0, R.theorem4_settings(model), N=500, rng=2, steps=10)
    assert res.success and res.final < 1e-4 and res.initial > 0.2
    assert res.distance.shape == (11,) and res.loss.shape == (11,)
    # several starts at once (train_many) agree with one start at a time
    both = R.recovery_run(model, [W0, W0], R.theorem4_settings(model), N=500, rng=2, steps=10, history=False)
    assert len(both) == 2 and both[0].final == pytest.approx(res.final, abs=1e-5)
    assert both[0].distance.shape == (2,)


def test_recovery_point_is_deterministic():
    kwargs = dict(kind="nonnegative", n=32, m=16, k=2, deltas=[0.2, 0.6], variants=("threshold", "relu"),
                  N=300, steps=5, seed=3)
    a = R.recovery_point(**kwargs)
    b = R.recovery_point(**kwargs)
    assert a == b
    assert set(a) == {"threshold", "relu"}
    assert len(a["relu"]["final"]) == 2 and all(isinstance(x, bool) for x in a["relu"]["success"])
    # it runs through aelib.sweep (as in the chapter), in grid order
    out = aelib.sweep(R.recovery_point, [kwargs, dict(kwargs, seed=4)])
    assert out[0] == a


def test_floor_decomposition_small():
    d = R.floor_decomposition(kind="sparse", n=32, m=8, k=2, Ns=(500, 2000), steps=15)
    assert set(d) >= {"population", "oracle", "autoencoder", "oracle_inf", "autoencoder_inf"}
    assert len(d["oracle"]) == 2 and d["population"] > 0


# --- slopes and extrapolation --------------------------------------------------------------


def test_fit_loglog_slope_recovers_a_planted_power_law():
    x = np.array([16.0, 32.0, 64.0, 128.0])
    fit = R.fit_loglog_slope(x, 3.0 * x**-2.0)
    assert fit.slope == pytest.approx(-2.0) and fit.intercept == pytest.approx(np.log(3.0))
    assert fit.low == pytest.approx(-2.0) and fit.high == pytest.approx(-2.0)
    noisy = 3.0 * x**1.5 * np.exp(np.array([0.05, -0.04, 0.03, -0.05]))
    fit = R.fit_loglog_slope(x, noisy)
    assert fit.low < 1.5 < fit.high and abs(fit.slope - 1.5) < 0.1
    with pytest.raises(ValueError):
        R.fit_loglog_slope([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError):
        R.fit_loglog_slope([2.0, 2.0], [1.0, 3.0])


def test_seed_slopes_interval_covers_the_truth():
    x = np.array([2.0, 3.0, 4.0, 6.0])
    offsets = np.array([-0.1, -0.05, 0.0, 0.05, 0.1])  # one exponent per seed, centred on 2
    Y = np.array([5.0 * x ** (2.0 + e) for e in offsets])
    s = R.seed_slopes(x, Y)
    np.testing.assert_allclose(s.per_seed, 2.0 + offsets)
    assert s.slope == pytest.approx(2.0) and s.low < 1.95 and s.high > 2.05
    Y[1, 2] = np.nan  # a seed that did not converge is dropped
    assert R.seed_slopes(x, Y).per_seed.shape == (4,)


def test_extrapolate_floor_recovers_bias_and_variance():
    Ns = np.array([1000.0, 4000.0, 16000.0])
    f_inf, c = R.extrapolate_floor(Ns, 0.2 + 50.0 / Ns)
    assert f_inf == pytest.approx(0.2) and c == pytest.approx(50.0)
    two = R.extrapolate_floor(Ns[:2], np.array([[0.25, 0.2125], [0.25, 0.2125]]))
    assert two == pytest.approx((0.2, 50.0))
    with pytest.raises(ValueError):
        R.extrapolate_floor([1000, 1000], [0.3, 0.3])


def test_theorem_slopes_table():
    assert R.THEOREM4_SLOPES["sparse"] == {"n": -2.0, "k": 2.0, "m": 1.0}
    assert R.THEOREM4_SLOPES["nonnegative"] == {"n": 0.0, "k": 3.0, "m": -1.0}
