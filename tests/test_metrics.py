"""Tests of aelib.metrics: the operator pi of Def. 2, matched distance, closeness and nearness."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aelib
from aelib.metrics import BRUTE_FORCE_LIMIT


def brute_force(W, A, signs):
    """min over all permutations (and sign patterns) of ||pi(W) - A||_F, and the minimizer."""
    m = A.shape[1]
    sign_choices = list(itertools.product([-1.0, 1.0], repeat=m)) if signs else [(1.0,) * m]
    best = (np.inf, None, None)
    for perm in itertools.permutations(range(m)):
        for s in sign_choices:
            d = np.linalg.norm(W[:, list(perm)] * np.array(s) - A)
            if d < best[0]:
                best = (d, np.array(perm), np.array(s))
    return best


def all_operators(W, A, signs):
    """(max column distance, spectral norm of pi(W) - A) for every operator pi of Def. 2."""
    m = A.shape[1]
    sign_choices = list(itertools.product([-1.0, 1.0], repeat=m)) if signs else [(1.0,) * m]
    out = []
    for p in itertools.permutations(range(m)):
        for s in sign_choices:
            D = W[:, list(p)] * np.array(s) - A
            out.append((np.linalg.norm(D, axis=0).max(), np.linalg.norm(D, 2)))
    return out


def close_by_definition(W, A, delta, signs, operators=None):
    """Def. 2 literally: there exists pi with ||pi(W)_i - A_i|| <= delta for every i."""
    operators = all_operators(W, A, signs) if operators is None else operators
    return any(col <= delta for col, _ in operators)


def near_by_definition(W, A, delta, xi, signs, operators=None):
    """Def. 2: there exists pi, delta-close, with ||pi(W) - A|| <= xi ||A|| (spectral norms)."""
    operators = all_operators(W, A, signs) if operators is None else operators
    norm_A = np.linalg.norm(A, 2)
    return any(col <= delta and spec <= xi * norm_A for col, spec in operators)


def test_matched_distance_of_A_to_itself_is_zero():
    """Exact: A - A is zero in every entry."""
    A = aelib.random_dictionary(10, 4, rng=0)
    assert aelib.matched_distance(A, A) == 0.0
    assert aelib.matched_distance(A, A, signs=True) == 0.0
    np.testing.assert_array_equal(aelib.column_distances(A, A), 0.0)


@settings(max_examples=40, deadline=None)
@given(perm=st.permutations(list(range(6))), seed=st.integers(0, 1000))
def test_matched_distance_invariant_to_column_permutations(perm, seed):
    A = aelib.random_dictionary(12, 6, rng=seed)
    W = aelib.perturbed_init(A, 0.4, rng=seed + 1)
    d = aelib.matched_distance(W, A)
    assert aelib.matched_distance(W[:, perm], A) == pytest.approx(d, rel=1e-12, abs=1e-14)
    assert aelib.matched_distance(A[:, perm], A) == pytest.approx(0.0, abs=1e-14)
    m = aelib.match_columns(A[:, perm], A)
    np.testing.assert_array_equal(np.array(perm)[m.permutation], np.arange(6))


@settings(max_examples=30, deadline=None)
@given(flips=st.lists(st.sampled_from([-1.0, 1.0]), min_size=5, max_size=5), seed=st.integers(0, 1000))
def test_sign_flips(flips, seed):
    A = aelib.random_dictionary(200, 5, rng=seed)
    W = aelib.perturbed_init(A, 0.3, rng=seed + 1)
    flips = np.array(flips)
    d_signs = aelib.matched_distance(W, A, signs=True)
    assert d_signs < 1.0
    assert aelib.matched_distance(W * flips, A, signs=True) == pytest.approx(d_signs, rel=1e-12)
    # Without sign flips a flipped column -W_i is at distance sqrt(2 + 2 <W_i, A_j>) >= 1.1
    # from every A_j (|<W_i, A_j>| < 0.4 for i != j at n = 200), instead of ~0.3 from A_i.
    d_plain = aelib.matched_distance(W * flips, A, signs=False)
    assert d_plain >= d_signs - 1e-12
    if np.any(flips < 0):
        assert d_plain > 1.1
    else:
        assert d_plain == pytest.approx(d_signs, rel=1e-12)


def test_matched_distance_signs_never_larger():
    rng = np.random.default_rng(3)
    for _ in range(20):
        W, A = rng.standard_normal((2, 6, 4))
        assert aelib.matched_distance(W, A, signs=True) <= aelib.matched_distance(W, A) + 1e-12


def test_match_columns_recovers_planted_permutation_and_signs():
    A = aelib.random_dictionary(20, 6, rng=4)
    perm = np.array([3, 0, 5, 1, 4, 2])
    signs = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
    # W[:, perm[i]] = signs[i] * (A_i + small noise): pi(W) = A up to the noise.
    W = np.empty_like(A)
    W[:, perm] = (A + 0.01 * np.random.default_rng(5).standard_normal(A.shape)) * signs
    match = aelib.match_columns(W, A, signs=True)
    np.testing.assert_array_equal(match.permutation, perm)
    np.testing.assert_array_equal(match.signs, signs)
    np.testing.assert_allclose(match.apply(W), aelib.align(W, A, signs=True))
    assert np.linalg.norm(match.apply(W) - A) < 0.1
    # without sign flips the permutation is found for the positive columns only
    plain = aelib.match_columns(W, A, signs=False)
    np.testing.assert_array_equal(plain.signs, 1.0)
    assert aelib.matched_distance(W, A) > 1.0


def test_column_distances_are_those_of_the_aligned_matrix():
    A = aelib.random_dictionary(10, 4, rng=6)
    W = aelib.perturbed_init(A, 0.5, rng=7)[:, [2, 0, 3, 1]]
    cd = aelib.column_distances(W, A)
    np.testing.assert_allclose(cd, np.linalg.norm(aelib.align(W, A) - A, axis=0), rtol=1e-14)
    assert aelib.matched_distance(W, A) == pytest.approx(np.linalg.norm(cd), rel=1e-14)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("signs", [False, True])
def test_hungarian_is_optimal_against_brute_force(m, signs):
    rng = np.random.default_rng(10 + m)
    for _ in range(4 if m == 5 and signs else 8):
        # arbitrary (not unit-norm) columns: optimality must not depend on normalization
        A = rng.standard_normal((4, m))
        W = rng.standard_normal((4, m)) * rng.uniform(0.2, 3.0, size=m)
        best, perm, sgn = brute_force(W, A, signs)
        assert aelib.matched_distance(W, A, signs=signs) == pytest.approx(best, rel=1e-12, abs=1e-12)
        match = aelib.match_columns(W, A, signs=signs)
        assert np.linalg.norm(match.apply(W) - A) == pytest.approx(best, rel=1e-12, abs=1e-12)


def test_align_and_match_do_not_modify_inputs():
    A = aelib.random_dictionary(6, 3, rng=12)
    W = A[:, [1, 2, 0]] * np.array([1.0, -1.0, 1.0])
    A0, W0 = A.copy(), W.copy()
    A.setflags(write=False)
    W.setflags(write=False)
    out = aelib.align(W, A, signs=True)
    np.testing.assert_allclose(out, A, atol=1e-15)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(W, W0)


def test_is_close_on_constructed_example():
    A = np.eye(3)
    # column distances after matching: 0.1, 0.2, 0.3 (W is A shifted, then permuted)
    W = A + np.array([[0, 0, 0], [0.1, 0, 0], [0, 0.2, 0.3]])[[0, 1, 2]]
    W = W[:, [2, 0, 1]]
    np.testing.assert_allclose(np.sort(aelib.column_distances(W, A)), [0.1, 0.2, 0.3], rtol=1e-12)
    assert aelib.is_close(W, A, 0.3 + 1e-12)
    assert aelib.is_close(W, A, 0.31)
    assert not aelib.is_close(W, A, 0.29)
    # a flipped column is close only with sign flips allowed
    Wf = W * np.array([-1.0, 1.0, 1.0])
    assert not aelib.is_close(Wf, A, 0.31)
    assert aelib.is_close(Wf, A, 0.31, signs=True)


def test_is_near_on_constructed_example():
    A = np.eye(4)  # ||A|| = 1
    E = np.zeros((4, 4))
    E[0, :] = 0.1  # every column moves by 0.1; ||E||_2 = 0.1 * sqrt(4) = 0.2
    W = A + E
    assert aelib.is_close(W, A, 0.1 + 1e-12)
    assert aelib.is_near(W, A, 0.1 + 1e-12, 0.2 + 1e-12)
    assert not aelib.is_near(W, A, 0.1 + 1e-12, 0.19)  # close but not near: the spectral norm adds up
    assert not aelib.is_near(W, A, 0.09, 10.0)  # near requires close
    assert aelib.is_near(W[:, ::-1], A, 0.1 + 1e-12, 0.2 + 1e-12)  # up to permutation


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 0.4), signs=st.booleans())
def test_is_close_and_is_near_agree_with_definition_2(seed, scale, signs):
    """Booleans from the same column distances: Def. 2 here and is_close's final check both take
    norm(W[:, p] * s - A, axis=0) (elementwise, no BLAS), so even at a threshold equal to a distance
    they agree exactly.
    """
    # Random permuted (and flipped) perturbations of a well-separated A, thresholds around
    # the actual column distances: is_close / is_near must agree with Def. 2 by brute force.
    rng = np.random.default_rng(seed)
    A = aelib.random_dictionary(30, 4, rng=rng)
    W = A + scale * rng.standard_normal(A.shape) / np.sqrt(30)
    W = W[:, rng.permutation(4)]
    if signs:
        W = W * rng.choice([-1.0, 1.0], size=4)
    operators = all_operators(W, A, signs)
    for delta in np.quantile(aelib.column_distances(W, A, signs=signs), [0.0, 0.5, 1.0]) * np.array([0.99, 1.0, 1.01]):
        assert aelib.is_close(W, A, delta, signs=signs) == close_by_definition(W, A, delta, signs, operators)
        for xi in (0.05, 0.2, 1.0):
            assert aelib.is_near(W, A, delta, xi, signs=signs) == near_by_definition(W, A, delta, xi, signs, operators)


def test_is_close_uses_any_permutation_as_in_definition_2():
    # Columns: A_1 = W_1 = p; A_2, W_2 both at distance 1 from p and 1.1 from each other.
    # Identity: distances (0, 1.1); swap: (1, 1). Frobenius prefers the identity (1.21 < 2),
    # yet the swap makes W 1.05-close to A by Def. 2.
    p = np.array([0.0, 0.0, 5.0])
    h = np.sqrt(1 - 0.55**2)
    A = np.column_stack([p, p + [0.55, h, 0.0]])
    W = np.column_stack([p, p + [-0.55, h, 0.0]])
    assert close_by_definition(W, A, 1.05, signs=False)
    assert aelib.is_close(W, A, 1.05)


# ----------------------------------------------------------------------------------------------
# Tests for the Chapter 1 additions to aelib.metrics (brute-force matching, timings,
# closeness parameters).
# ----------------------------------------------------------------------------------------------


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
