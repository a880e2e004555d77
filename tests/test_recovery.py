"""Tests for aelib.recovery: the population and oracle-support descents, the settings and the runners."""

from __future__ import annotations

import numpy as np
import pytest

import aelib
from aelib import fitting, population
from aelib import recovery as R


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
    """The same point twice: the same computation, bit-identical."""
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
    """The same point twice, and once through aelib.sweep (the same function in the same process): bit-identical."""
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


def test_theorem_slopes_table():
    assert R.THEOREM4_SLOPES["sparse"] == {"n": -2.0, "k": 2.0, "m": 1.0}
    assert R.THEOREM4_SLOPES["nonnegative"] == {"n": 0.0, "k": 3.0, "m": -1.0}


@pytest.mark.parametrize("module", [population, fitting])
def test_moved_names_stay_importable(module):
    # the theory and the fits moved out of aelib.recovery; aelib.X and aelib.recovery.X still give them
    assert module.__all__
    for name in module.__all__:
        assert getattr(R, name) is getattr(module, name) is getattr(aelib, name), name
        assert name not in R.__all__, name  # documented once, in its own module


# --- the hypotheses of Thm. 3 (ii) -----------------------------------------------------------


def test_relu_consistency_window_ends_where_the_hypotheses_do():
    A = aelib.random_dictionary(128, 128, rng=1)
    low, high = R.relu_consistency_window(A, k=2, a1=1.0, a2=1.5)
    # low: mu <= delta sqrt(n) / k holds with equality
    assert low == pytest.approx(2 * aelib.coherence(A) / np.sqrt(128))
    assert low == pytest.approx(2 * np.max(np.abs(A.T @ A - np.eye(128))))
    # high: the bias interval of Thm. 3 (ii) shrinks to a point there and is empty beyond
    lower, upper = aelib.relu_bias_interval(high, 2, 1.0, 1.5)
    assert lower == pytest.approx(upper)
    lower, upper = aelib.relu_bias_interval(1.01 * high, 2, 1.0, 1.5)
    assert lower > upper
    assert high == pytest.approx(1.0 / (1.0 + 3.0 * np.sqrt(2.0)))
    assert low > high  # a Gaussian 128 x 128 dictionary: no delta satisfies both at k = 2
    orthonormal = np.linalg.qr(np.random.default_rng(0).standard_normal((64, 8)))[0]
    assert R.relu_consistency_window(orthonormal, k=2, a1=1.0, a2=1.5)[0] < 1e-12
    with pytest.raises(ValueError, match="A"):
        R.relu_consistency_window(A[:, :1], k=1, a1=1.0, a2=1.5)
    with pytest.raises(ValueError, match="a2"):
        R.relu_consistency_window(A, k=2, a1=1.0, a2=0.5)
