"""Tests for aelib.samples: the oracle's predicted error, the sample-size runner, samples needed."""

from __future__ import annotations

import numpy as np
import pytest

import aelib
from aelib import samples as S


def test_code_second_moment_matches_sampled_codes():
    A = aelib.random_dictionary(8, 6, rng=0)
    for model in (aelib.GaussianMixture(A, noise_std=0.1),
                  aelib.SparseCoding(A, k=2, noise_std=0.1),
                  aelib.NonnegativeSparseCoding(A, k=3, a1=1.0, a2=1.5, noise_std=0.1)):
        _, X = model.sample(60000, rng=1)
        np.testing.assert_allclose(S.code_second_moment(model), X @ X.T / X.shape[1], atol=0.01)


def test_oracle_error_matches_the_mixture_floor_and_measurement():
    A = aelib.random_dictionary(64, 10, rng=0)
    mix = aelib.GaussianMixture(A, noise_std=0.05)
    N = 4000
    per_column = S.oracle_error(mix, N)
    # oracle_distance_floor is sigma m sqrt(n / N) in Frobenius norm, i.e. with n instead of n - 1
    assert per_column * np.sqrt(10) == pytest.approx(aelib.oracle_distance_floor(64, 10, N, 0.05), rel=0.01)
    sparse = aelib.SparseCoding(A, k=2, noise_std=0.05)
    errors = []
    for seed in range(4):
        Y, X = sparse.sample(N, rng=seed)
        errors.append(aelib.matched_distance(aelib.oracle_class_means(Y, X), A) ** 2 / 10)
    assert np.sqrt(np.mean(errors)) == pytest.approx(S.oracle_error(sparse, N), rel=0.1)
    assert S.oracle_error(aelib.SparseCoding(A, k=2, noise_std=0.0), N) == 0.0
    np.testing.assert_allclose(S.oracle_error(mix, [100, 400]), [per_column * np.sqrt(N / 100), per_column * np.sqrt(N / 400)])
    with pytest.raises(ValueError):
        S.oracle_error(mix, 0)


def test_sample_point_is_deterministic_and_the_oracle_is_the_floor():
    """The same point twice: bit-identical; the initial distance for another N is the same computation (same A and
    start, only the data differ): bit-identical.
    """
    kwargs = dict(kind="mixture", n=32, m=8, k=1, N=2000, noise_std=0.05, seed=1, steps=20)
    a = S.sample_point(**kwargs)
    assert a == S.sample_point(**kwargs)
    assert a["initial"] > 0.2
    assert a["autoencoder"] == pytest.approx(a["oracle"], rel=0.05)
    assert a["oracle"] == pytest.approx(a["predicted"], rel=0.3)
    assert 0.0 <= a["false_detections"] < 0.05
    # the same A and start for every N: only the data change
    b = S.sample_point(**dict(kwargs, N=8000))
    assert b["initial"] == a["initial"] and b["oracle"] < a["oracle"]


def test_sample_point_oracle_is_nan_when_an_atom_is_missing():
    out = S.sample_point(kind="sparse", n=16, m=16, k=1, N=3, noise_std=0.0, steps=1)
    assert np.isnan(out["oracle"])


def test_samples_needed():
    Ns = np.array([100, 1000, 10000])
    err = 1.0 / np.sqrt(Ns)  # 0.1 at N = 100, 0.0316 at 1000
    assert S.samples_needed(Ns, err, 0.5) == 100.0
    assert S.samples_needed(Ns, err, 0.05) == pytest.approx(400.0)
    assert S.samples_needed(Ns, np.array([0.2, 0.12, 0.11]), 0.1) == np.inf
    # a failed run (NaN, or above `failure`) before the crossing
    assert S.samples_needed(Ns, np.array([1.3, 0.05, 0.04]), 0.1, failure=0.5) == 1000.0
    assert S.samples_needed(Ns, np.array([np.nan, 0.2, 0.05]), 0.1) == pytest.approx(np.exp(np.log(1000) + 0.5 * np.log(10)))
    with pytest.raises(ValueError):
        S.samples_needed([10, 5], [0.1, 0.2], 0.1)
