"""Tests for the Chapter 1 additions to aelib.metrics (brute-force matching, timings,
closeness parameters)."""

import numpy as np
import pytest

import aelib
from aelib.metrics import BRUTE_FORCE_LIMIT


@pytest.mark.parametrize("signs", [False, True])
@pytest.mark.parametrize("m", [1, 2, 3, 5, 6])
def test_brute_force_agrees_with_hungarian(m, signs):
    rng = np.random.default_rng(m)
    for _ in range(10):
        A = aelib.random_dictionary(6, m, rng=rng)
        W = aelib.random_dictionary(6, m, rng=rng)
        h = aelib.match_columns(W, A, signs=signs)
        b = aelib.brute_force_match(W, A, signs=signs)
        assert np.linalg.norm(b.apply(W) - A) == pytest.approx(np.linalg.norm(h.apply(W) - A), abs=1e-12)


def test_brute_force_recovers_a_planted_operator():
    rng = np.random.default_rng(0)
    A = aelib.random_dictionary(16, 6, rng=rng)
    perm = rng.permutation(6)
    flips = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
    W = aelib.Matching(perm, flips).apply(A)  # W_i = flips_i A_perm(i)
    match = aelib.brute_force_match(W, A, signs=True)
    np.testing.assert_allclose(match.apply(W), A)
    assert aelib.matched_distance(W, A, signs=True) == pytest.approx(0.0, abs=1e-12)


def _max_versus_frobenius_example():
    """Two columns where the Frobenius-optimal matching is not the max-optimal one."""
    A1 = np.array([1.0, 0.0, 0.0])
    A2 = np.array([0.2, np.sqrt(1 - 0.04), 0.0])
    y = (-0.5 - 0.04) / A2[1]
    W2 = np.array([0.2, y, np.sqrt(1 - 0.04 - y * y)])
    return np.column_stack([A1, W2]), np.column_stack([A1, A2])


def test_max_objective_can_differ_from_frobenius():
    W, A = _max_versus_frobenius_example()
    fro = aelib.brute_force_match(W, A)
    mx = aelib.brute_force_match(W, A, objective="max")
    assert list(fro.permutation) == [0, 1]
    assert list(mx.permutation) == [1, 0]
    assert np.linalg.norm(fro.apply(W) - A, axis=0).max() == pytest.approx(np.sqrt(3))
    assert np.linalg.norm(mx.apply(W) - A, axis=0).max() == pytest.approx(np.sqrt(1.6))
    # is_close searches every permutation (Def. 2), so it finds the swap
    assert aelib.is_close(W, A, 1.3)
    assert not aelib.is_close(W, A, 1.2)


def test_brute_force_rejects():
    A = aelib.random_dictionary(4, 3, rng=0)
    with pytest.raises(ValueError):
        aelib.brute_force_match(A, A, objective="median")
    big = aelib.random_dictionary(12, 10, rng=0)
    with pytest.raises(ValueError, match="brute-force limit"):
        aelib.brute_force_match(big, big)
    assert BRUTE_FORCE_LIMIT >= 362_880  # m = 9 without signs fits


def test_closeness_parameters_are_the_thresholds_of_is_close_and_is_near():
    rng = np.random.default_rng(1)
    A = aelib.random_dictionary(30, 5, rng=rng)
    W = aelib.perturbed_init(A, 0.3, rng=rng)[:, [2, 0, 1, 4, 3]] * np.array([1, -1, 1, 1, -1])
    delta, xi = aelib.closeness_parameters(W, A, signs=True)
    assert aelib.is_close(W, A, delta * (1 + 1e-9), signs=True)
    assert not aelib.is_close(W, A, delta * (1 - 1e-6), signs=True)
    assert aelib.is_near(W, A, delta * (1 + 1e-9), xi * (1 + 1e-9), signs=True)
    assert not aelib.is_near(W, A, delta * (1 + 1e-9), xi * (1 - 1e-6), signs=True)
    assert aelib.closeness_parameters(A, A) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_closeness_parameters_on_the_max_versus_frobenius_example():
    W, A = _max_versus_frobenius_example()
    assert aelib.closeness_parameters(W, A)[0] == pytest.approx(np.sqrt(1.6))
    # the Frobenius-optimal matching alone would not certify it
    assert aelib.column_distances(W, A).max() == pytest.approx(np.sqrt(3))


@pytest.mark.parametrize("signs", [False, True])
def test_closeness_parameters_delta_is_the_bottleneck_optimum(signs):
    rng = np.random.default_rng(4)
    for m in (2, 3, 5):
        for _ in range(10):
            A = aelib.random_dictionary(6, m, rng=rng)
            W = aelib.random_dictionary(6, m, rng=rng)
            best = aelib.brute_force_match(W, A, signs=signs, objective="max")
            expected = np.linalg.norm(best.apply(W) - A, axis=0).max()
            assert aelib.closeness_parameters(W, A, signs=signs)[0] == pytest.approx(expected, abs=1e-12)


def test_time_matching_returns_positive_seconds():
    t = aelib.time_matching([2, 4], n=8, rng=0, repeats=1)
    assert t.shape == (2,) and np.all(t > 0)
    t = aelib.time_matching([3], n=8, rng=0, method="brute", signs=True, repeats=1)
    assert t.shape == (1,) and t[0] > 0
    with pytest.raises(ValueError):
        aelib.time_matching([2], n=8, rng=0, method="greedy")


def test_closeness_parameters_at_m_50_is_the_largest_matched_column_distance():
    # regression: the bottleneck value itself was rejected by a last-bit difference between
    # two computations of the same column distance, and the bisection returned 1.32, not 0.105
    A = aelib.random_dictionary(784, 50, rng=0)
    W = aelib.perturbed_init(A, 0.1, rng=1)
    delta, _ = aelib.closeness_parameters(W, A)
    assert delta == pytest.approx(np.linalg.norm(W - A, axis=0).max(), rel=1e-12)
    assert aelib.is_close(W, A, delta)
    assert not aelib.is_close(W, A, delta * (1 - 1e-9))
