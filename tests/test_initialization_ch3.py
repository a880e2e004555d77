"""Tests of the Chapter 3 additions to aelib.initialization: pair counts, centering, closeness sweeps."""

from __future__ import annotations

import numpy as np
import pytest

import aelib


@pytest.fixture(scope="module")
def mixture():
    A = aelib.random_dictionary(60, 4, rng=11)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.02).sample(2000, rng=12)
    return A, Y


def test_return_pairs_keeps_the_default_result(mixture):
    A, Y = mixture
    W = aelib.spectral_init(Y, 4, rng=3)
    assert isinstance(W, np.ndarray)
    W2, pairs = aelib.spectral_init(Y, 4, rng=3, return_pairs=True)
    np.testing.assert_array_equal(W, W2)
    assert isinstance(pairs, int) and 4 <= pairs <= 50 * 16 + 200
    # the count is exact: with max_pairs = pairs it still succeeds, with one fewer it gives up
    np.testing.assert_allclose(aelib.spectral_init(Y, 4, rng=3, max_pairs=pairs), W, atol=1e-10)
    with pytest.raises(RuntimeError, match="found 3 of 4"):
        aelib.spectral_init(Y, 4, rng=3, max_pairs=pairs - 1)


def test_batched_pairs_match_the_one_at_a_time_definition(mixture):
    _, Y = mixture
    from aelib.initialization import _reweighted_spectra

    Yr = Y[:7]
    uv = np.array([[0, 1], [5, 9], [17, 3]])
    values, vectors = _reweighted_spectra(Yr, uv, Yr.shape[1], chunk_elements=100)  # several chunks
    for (u, v), vals in zip(uv, values):
        w = (Yr[:, u] @ Yr) * (Yr[:, v] @ Yr)
        M = (Yr * w) @ Yr.T / Yr.shape[1]
        np.testing.assert_allclose(vals, np.linalg.eigvalsh(M), rtol=1e-10, atol=1e-12)


def test_spectral_center_option_subtracts_the_mean(mixture):
    A, Y = mixture
    # centering is the same as handing spectral_init centered data (orientation aside)
    W = aelib.spectral_init(Y, 4, rng=0, center=True, max_pairs=5000)
    Wc = aelib.spectral_init(Y - Y.mean(axis=1, keepdims=True), 4, rng=0, max_pairs=5000)
    np.testing.assert_allclose(np.abs(W.T @ Wc).max(axis=1), 1.0, atol=1e-8)
    # ...and, for a mixture, a bad idea: the centered means A_j - mean_i A_i are not the A_j
    assert not aelib.is_close(W, A, 0.3)


def test_spectral_pairs_mixture_is_the_coupon_collector_count():
    assert aelib.spectral_pairs_mixture(1) == 1.0
    assert aelib.spectral_pairs_mixture(2) == pytest.approx(4 * 1.5)
    assert aelib.spectral_pairs_mixture(10) == pytest.approx(100 * sum(1 / j for j in range(1, 11)))


def test_spectral_pairs_counts_and_marks_failures(mixture):
    A, _ = mixture
    model = aelib.GaussianMixture(A, noise_std=0.02)
    pairs = aelib.spectral_pairs(model, 1500, trials=3, rng=0)
    assert pairs.shape == (3,) and np.all(pairs >= 4)
    assert np.all(aelib.spectral_pairs(model, 1500, trials=2, rng=0, max_pairs=2) == -1)


def test_init_closeness_rows(mixture):
    A, _ = mixture
    model = aelib.GaussianMixture(A, noise_std=0.01)
    rows = aelib.init_closeness(model, 3000, rng=5)
    assert [r.method for r in rows] == list(aelib.INIT_METHODS)
    by = {r.method: r for r in rows}
    assert by["spectral"].meets and by["spectral"].max < 0.1 and by["spectral"].pairs >= 4
    assert by["random"].pairs is None and by["random"].found == 4
    # a perturbation of size delta lands at about 2 sin(arctan(delta)/2) per column
    assert by["perturbation"].median == pytest.approx(2 * np.sin(np.arctan(0.5) / 2), abs=0.1)
    assert by["perturbation"].requirement == pytest.approx(1 / np.log(60))
    r = by["pca"]
    np.testing.assert_allclose(r.distances, aelib.column_distances(aelib.pca_init(model.sample(3000, rng=5)[0], 4), A))


def test_init_closeness_failed_spectral_row(mixture):
    A, _ = mixture
    rows = aelib.init_closeness(aelib.GaussianMixture(A, noise_std=0.01), 500, rng=1, methods=["spectral"], max_pairs=1)
    (r,) = rows
    assert r.found < 4 and np.all(np.isnan(r.distances)) and not r.meets and r.pairs == 1


def test_init_closeness_rejects_unknown_methods(mixture):
    A, _ = mixture
    with pytest.raises(ValueError, match="unknown start"):
        aelib.init_closeness(aelib.GaussianMixture(A, noise_std=0.01), 100, rng=0, methods=["kmeans"])


def test_closeness_vs_n_orders_rows_and_accepts_callables():
    rows = aelib.closeness_vs_n(
        lambda A: aelib.SparseCoding(A, k=2, noise_std=0.01),
        [20, 40],
        lambda n: n // 4,
        N=300,
        rng=0,
        methods=["perturbation", "random"],
        delta=lambda n: 1 / np.log(n),
        signs=True,
    )
    assert [(r.n, r.m, r.method) for r in rows] == [
        (20, 5, "perturbation"), (20, 5, "random"), (40, 10, "perturbation"), (40, 10, "random"),
    ]
    # perturbation of size 1/log n is (about) 1/log n close: the requirement "by construction"
    assert all(r.median < 1.2 * r.requirement for r in rows if r.method == "perturbation")
    again = aelib.closeness_vs_n(
        lambda A: aelib.SparseCoding(A, k=2, noise_std=0.01), [20, 40], lambda n: n // 4, N=300, rng=0,
        methods=["perturbation", "random"], delta=lambda n: 1 / np.log(n), signs=True,
    )
    for a, b in zip(rows, again):
        np.testing.assert_array_equal(a.distances, b.distances)


def test_reweighted_covariance_definition(mixture):
    _, Y = mixture
    M = aelib.reweighted_covariance(Y, 3, 7)
    direct = sum((Y[:, j] @ Y[:, 3]) * (Y[:, j] @ Y[:, 7]) * np.outer(Y[:, j], Y[:, j]) for j in range(Y.shape[1]))
    np.testing.assert_allclose(M, direct / Y.shape[1], rtol=1e-10, atol=1e-12)


def test_reweighted_covariance_of_a_same_component_pair_is_rank_one(mixture):
    A, _ = mixture
    Y, X = aelib.GaussianMixture(A, noise_std=0.02).sample(2000, rng=3)
    u, v = aelib.find_pair(X, 1, rng=0)
    assert X[:, u] @ X[:, v] == 1
    values, vectors = np.linalg.eigh(aelib.reweighted_covariance(Y, u, v))
    i = np.flatnonzero(X[:, u])[0]
    assert abs(values[-2]) < 0.05 * values[-1]
    assert abs(vectors[:, -1] @ A[:, i]) > 0.99


def test_find_pair_overlap_and_failure():
    X = aelib.SparseCoding(aelib.random_dictionary(10, 8, rng=0), k=3, noise_std=0.0).sample(200, rng=1)[1]
    for shared in (0, 1, 2):
        u, v = aelib.find_pair(X, shared, rng=shared)
        assert u != v and np.sum((X[:, u] != 0) & (X[:, v] != 0)) == shared
    with pytest.raises(ValueError, match="exactly 4"):
        aelib.find_pair(X, 4, rng=0)


def test_span_residual():
    A = aelib.random_dictionary(30, 4, rng=0)
    Q = np.linalg.qr(np.random.default_rng(1).standard_normal((4, 4)))[0]
    np.testing.assert_allclose(aelib.span_residual(A @ Q, A), 0.0, atol=1e-12)  # same span, rotated
    W = aelib.random_init(30, 4, rng=2)
    assert np.all(aelib.span_residual(W, A) > 0.5)


def test_pair_spectrum_names_the_shared_column(mixture):
    A, _ = mixture
    Y, X = aelib.GaussianMixture(A, noise_std=0.02).sample(2000, rng=3)
    u, v = aelib.find_pair(X, 1, rng=0)
    s = aelib.pair_spectrum(Y, u, v, A, top=3)
    assert s.values.shape == (3,) and np.all(np.diff(s.values) <= 0)
    assert s.column == np.flatnonzero(X[:, u])[0] and s.cosine > 0.99 and s.ratio < 0.05
    other = aelib.pair_spectrum(Y, *aelib.find_pair(X, 0, rng=0), A)
    assert other.ratio > s.ratio


def test_closeness_table_pivots_rows():
    d = np.array([0.1, 0.2])
    rows = [
        aelib.Closeness("random", 10, 2, d, None, 2),
        aelib.Closeness("spectral", 10, 2, np.full(2, np.nan), 7, 1),
        aelib.Closeness("random", 20, 2, d + 1, None, 2),
        aelib.Closeness("spectral", 20, 2, d, 3, 2),
    ]
    table_rows, headers = aelib.closeness_table(rows)
    assert headers == ["n", "1/log n", "random", "spectral", "pairs"]
    assert table_rows[0] == [10, pytest.approx(1 / np.log(10)), 0.2, "gave up (1/2)", 7]
    assert table_rows[1] == [20, pytest.approx(1 / np.log(20)), 1.2, 0.2, 3]
    from aelib.report import table

    assert "gave up (1/2)" in table(table_rows, headers)
