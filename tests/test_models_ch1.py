"""Tests for the Chapter 1 additions to aelib.models (support probabilities, code
statistics, coherence of random dictionaries)."""

import numpy as np
import pytest

import aelib


def test_uniform_support_probabilities_closed_form():
    p_i, p_ij, p_ijl = aelib.uniform_support_probabilities(10, 3)
    assert p_i == pytest.approx(0.3)
    assert p_ij == pytest.approx(3 * 2 / (10 * 9))
    assert p_ijl == pytest.approx(3 * 2 * 1 / (10 * 9 * 8))
    # the mixture (k = 1) has no pairs
    assert aelib.uniform_support_probabilities(7, 1) == pytest.approx((1 / 7, 0.0, 0.0))
    # k = m: every index is always in the support
    assert aelib.uniform_support_probabilities(4, 4) == pytest.approx((1.0, 1.0, 1.0))


@pytest.mark.parametrize("bad", [(5, 0), (5, 6), (0, 1)])
def test_uniform_support_probabilities_rejects(bad):
    with pytest.raises(ValueError):
        aelib.uniform_support_probabilities(*bad)


def test_code_statistics_on_a_known_matrix():
    X = np.array([[1.0, 0.0, -2.0], [0.5, 0.0, 0.0], [0.0, 3.0, 1.0]])
    s = aelib.code_statistics(X)
    assert s.p_i == pytest.approx(5 / 9)
    # pairs (0,1): 1 sample, (0,2): 1, (1,2): 0  -> mean over 6 ordered pairs of counts/3
    assert s.p_ij == pytest.approx((2 * 1 + 2 * 1 + 0) / 3 / 6)
    assert s.kappa1 == pytest.approx((1 + 0.5 - 2 + 3 + 1) / 5)
    assert s.kappa2 == pytest.approx((1 + 0.25 + 4 + 9 + 1) / 5)
    assert (s.a1, s.a2) == (0.5, 3.0)
    assert (s.k_min, s.k_max) == (1, 2)
    assert "CodeStatistics" in repr(s)
    with pytest.raises(ValueError):
        aelib.code_statistics(np.zeros((3, 4)))


@pytest.mark.parametrize(
    "make",
    [
        lambda A: aelib.GaussianMixture(A, noise_std=0.0),
        lambda A: aelib.SparseCoding(A, k=3, a1=0.5, noise_std=0.0),
        lambda A: aelib.NonnegativeSparseCoding(A, k=3, a1=0.5, a2=1.5, noise_std=0.0),
    ],
)
def test_samplers_match_their_attributes(make):
    A = aelib.random_dictionary(20, 12, rng=0)
    model = make(A)
    _, X = model.sample(40_000, rng=1)
    s = aelib.code_statistics(X)
    p_i, p_ij, _ = aelib.uniform_support_probabilities(model.m, model.k)
    assert s.k_min == s.k_max == model.k
    assert s.p_i == pytest.approx(p_i, abs=2e-3)
    assert s.p_ij == pytest.approx(p_ij, abs=2e-3)
    assert s.kappa1 == pytest.approx(model.kappa1, abs=0.02)
    assert s.kappa2 == pytest.approx(model.kappa2, abs=0.02)
    assert model.a1 - 1e-12 <= s.a1 and s.a2 <= model.a2 + 1e-12


def test_gaussian_coherence_prediction_shape_and_growth():
    lead, med = aelib.gaussian_coherence_prediction(256, 10)
    assert lead == pytest.approx(np.sqrt(2 * np.log(90)))
    assert 0 < med < lead
    # grows with m, at fixed n
    assert aelib.gaussian_coherence_prediction(256, 100)[1] > med
    with pytest.raises(ValueError):
        aelib.gaussian_coherence_prediction(1, 10)


def test_coherence_sweep_matches_coherence_and_prediction():
    sweep = aelib.coherence_sweep([64, 256], [32, 32], trials=40, rng=3)
    assert sweep.mu.shape == (2, 40)
    np.testing.assert_allclose(sweep.max_inner, sweep.mu / np.sqrt([[64], [256]]))
    # same draws as coherence(random_dictionary(...)) with the same generator
    rng = np.random.default_rng(3)
    A = aelib.random_dictionary(64, 32, rng=rng)
    assert sweep.mu[0, 0] == pytest.approx(aelib.coherence(A))
    # the median prediction is close to the empirical median
    for row, n in zip(sweep.mu, (64, 256)):
        assert np.median(row) == pytest.approx(aelib.gaussian_coherence_prediction(n, 32)[1], rel=0.1)
    with pytest.raises(ValueError):
        aelib.coherence_sweep([64], [32, 32], trials=1, rng=0)
