"""Tests of aelib.metrics: the operator pi of Def. 2, matched distance, closeness and nearness."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aelib


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
