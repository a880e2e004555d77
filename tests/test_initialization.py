"""Tests of aelib.initialization: perturbed, PCA, random and spectral starts (Sec. 3, Sec. 6)."""

from __future__ import annotations

import numpy as np
import pytest

import aelib


# --- perturbation of the truth --------------------------------------------------------


@pytest.mark.parametrize("delta", [0.1, 0.3, 0.5, 1.0])
def test_perturbed_init_column_distance(delta):
    # W_i = normalize(A_i + delta e_i) with ||e_i|| ~ 1 and e_i nearly orthogonal to A_i (n
    # large): the angle to A_i is arctan(delta), so ||W_i - A_i|| = 2 sin(arctan(delta) / 2).
    n, m = 2000, 10
    A = aelib.random_dictionary(n, m, rng=3)
    W = aelib.perturbed_init(A, delta, rng=4)
    assert W.shape == (n, m)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, rtol=1e-14)
    expected = 2 * np.sin(np.arctan(delta) / 2)
    d = aelib.column_distances(W, A)
    # per column: fluctuations of ||e_i|| and <e_i, A_i> are O(1/sqrt(n)) ~ 0.02 relative
    np.testing.assert_allclose(d, expected, rtol=0.1)
    assert d.mean() == pytest.approx(expected, rel=0.02)
    # the columns stay in A's order: the identity is the best matching
    np.testing.assert_array_equal(aelib.match_columns(W, A).permutation, np.arange(m))


def test_perturbed_init_without_normalization():
    n = 4000
    A = aelib.random_dictionary(n, 3, rng=5)
    W = aelib.perturbed_init(A, 0.5, rng=6, normalize=False)
    np.testing.assert_allclose(np.linalg.norm(W - A, axis=0), 0.5, rtol=0.05)  # delta ||e_i||, ||e_i|| ~ 1
    np.testing.assert_allclose(aelib.normalize_columns(W), aelib.perturbed_init(A, 0.5, rng=6))


def test_perturbed_init_zero_delta_returns_A_and_seeding():
    """The same seed twice: the same computation, bit-identical."""
    A = aelib.random_dictionary(20, 4, rng=7)
    np.testing.assert_allclose(aelib.perturbed_init(A, 0.0, rng=0), A, rtol=1e-15)
    np.testing.assert_array_equal(aelib.perturbed_init(A, 0.3, rng=1), aelib.perturbed_init(A, 0.3, rng=1))
    assert not np.allclose(aelib.perturbed_init(A, 0.3, rng=1), aelib.perturbed_init(A, 0.3, rng=2))


# --- PCA --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(20, 300), (40, 15)])  # n <= N (eigh path) and n > N (svd path)
@pytest.mark.parametrize("center", [False, True])
def test_pca_init_spans_top_singular_subspace(shape, center):
    n, N = shape
    m = 4
    rng = np.random.default_rng(8)
    # a clear spectral gap after m directions, plus a nonzero mean
    Y = rng.standard_normal((n, m)) @ (3 * rng.standard_normal((m, N))) + 0.1 * rng.standard_normal((n, N)) + 0.5
    W = aelib.pca_init(Y, m, center=center)
    assert W.shape == (n, m) and W.dtype == np.float64
    np.testing.assert_allclose(W.T @ W, np.eye(m), atol=1e-10)
    data = Y - Y.mean(axis=1, keepdims=True) if center else Y
    U = np.linalg.svd(data, full_matrices=False)[0][:, :m]
    np.testing.assert_allclose(W @ W.T, U @ U.T, atol=1e-8)  # same subspace
    # and the same vectors, column by column, up to sign (distinct singular values)
    np.testing.assert_allclose(np.abs(np.sum(W * U, axis=0)), 1.0, atol=1e-8)
    # oriented: the mean projection of the data on every column is non-negative
    assert np.all(W.T @ Y.mean(axis=1) >= 0)


def test_pca_init_orientation_flips_columns():
    # Data with mean along -e_1: the leading singular vector must be oriented towards it.
    rng = np.random.default_rng(9)
    Y = 0.1 * rng.standard_normal((5, 200))
    Y[0] -= 3.0
    W = aelib.pca_init(Y, 1)
    assert W[0, 0] < -0.99


def test_pca_init_float32_and_input_untouched():
    """The input against its copy: bit-identical."""
    rng = np.random.default_rng(10)
    Y = rng.standard_normal((8, 50)).astype(np.float32)
    Y0 = Y.copy()
    Y.setflags(write=False)
    W = aelib.pca_init(Y, 3, center=True)
    assert W.dtype == np.float64
    np.testing.assert_array_equal(Y, Y0)


# --- random ---------------------------------------------------------------------------


def test_random_init_is_a_random_dictionary():
    """random_init calls random_dictionary with the same seed: the same computation, bit-identical."""
    W = aelib.random_init(30, 6, rng=11)
    np.testing.assert_array_equal(W, aelib.random_dictionary(30, 6, rng=11))
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0)


# --- spectral ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spectral_data():
    A = aelib.random_dictionary(100, 5, rng=1)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(5000, rng=2)
    return A, Y


def test_spectral_init_is_close_on_a_mixture(spectral_data):
    A, Y = spectral_data
    W = aelib.spectral_init(Y, 5, rng=0)
    assert W.shape == (100, 5)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, rtol=1e-12)
    assert aelib.is_close(W, A, 0.2)
    assert np.all(W.T @ Y.mean(axis=1) >= 0)  # oriented like pca_init


def test_spectral_init_same_seed_same_result(spectral_data):
    """The same seed (an int, or the Generator it makes): the same computation, bit-identical."""
    _, Y = spectral_data
    W1 = aelib.spectral_init(Y[:, :1500], 5, rng=4)
    W2 = aelib.spectral_init(Y[:, :1500], 5, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(W1, W2)


def test_spectral_init_gives_up_with_a_clear_message(spectral_data):
    _, Y = spectral_data
    with pytest.raises(RuntimeError, match=r"found \d of 5 columns in 1 pairs.*max_pairs"):
        aelib.spectral_init(Y, 5, rng=0, max_pairs=1)


# --- perturbed_init and pca_init at extreme scales, and without a float64 copy --------


def test_perturbed_init_huge_delta_gives_unit_columns():
    A = aelib.random_dictionary(40, 5, rng=0)
    W = aelib.perturbed_init(A, 1e160, rng=1)  # the squares overflow: the plain norm gave zero columns
    assert np.all(np.isfinite(W))
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, rtol=1e-14)
    E = np.random.default_rng(1).standard_normal(A.shape)
    np.testing.assert_allclose(W, aelib.normalize_columns(E), atol=1e-14)  # A is negligible beside 1e160 E
    with pytest.raises(ValueError, match="^delta: .*overflows"):
        aelib.perturbed_init(A, 1e308, rng=1)
    with pytest.raises(ValueError, match="^delta: .*overflows"):
        aelib.perturbed_init(A, 1e308, rng=1, normalize=False)


def test_perturbed_init_ordinary_path_unchanged():
    """The same operations, restated: A + delta E / sqrt(n), then the division by np.linalg.norm(W, axis=0) that
    normalize_columns makes on ordinary columns (elementwise, no BLAS): bit-identical.
    """
    A = aelib.random_dictionary(40, 5, rng=0)
    E = np.random.default_rng(3).standard_normal(A.shape)
    W = A + 0.5 * E / np.sqrt(40)
    np.testing.assert_array_equal(aelib.perturbed_init(A, 0.5, rng=3), W / np.linalg.norm(W, axis=0))


def test_pca_init_float32_makes_no_float64_copy():
    """float32 against float64 data is two code paths (within 1e-10). With one block the float32 path is the
    same computation as the float64 copy: the block, converted to float64 exactly, goes through the same
    product B B^T and the same eigensolver, so it is compared bit for bit.
    """
    import tracemalloc

    A = aelib.random_dictionary(64, 5, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(100_000, rng=1, dtype=np.float32)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        W32 = aelib.pca_init(Y, 5)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * Y.nbytes  # a float64 copy alone would be 2x
    assert W32.dtype == np.float64
    W64 = aelib.pca_init(Y.astype(np.float64), 5)
    np.testing.assert_allclose(W32, W64, atol=1e-10)
    np.testing.assert_allclose(
        aelib.pca_init(Y, 5, center=True), aelib.pca_init(Y.astype(np.float64), 5, center=True), atol=1e-10
    )
    small = Y[:, :2000]  # one block: the same numbers as the float64 copy, bit for bit
    np.testing.assert_array_equal(aelib.pca_init(small, 5), aelib.pca_init(small.astype(np.float64), 5))


def test_pca_init_gram_overflow_raises():
    A = aelib.random_dictionary(20, 3, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(200, rng=1)
    with pytest.raises(FloatingPointError, match="Y: the Gram matrix .*overflows"):
        aelib.pca_init(Y * 1e160, 3)
    W = aelib.pca_init(Y * 1e140, 3)  # large but representable squares: the same directions
    np.testing.assert_allclose(W, aelib.pca_init(Y, 3), atol=1e-10)


# ----------------------------------------------------------------------------------------------
# Tests of the Chapter 3 additions to aelib.initialization: pair counts, centering, closeness sweeps.
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spectral_mixture():
    A = aelib.random_dictionary(60, 4, rng=11)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.02).sample(2000, rng=12)
    return A, Y


def test_return_pairs_keeps_the_default_result(spectral_mixture):
    """The same seed twice (return_pairs only adds the count): the same computation, bit-identical."""
    A, Y = spectral_mixture
    W = aelib.spectral_init(Y, 4, rng=3)
    assert isinstance(W, np.ndarray)
    W2, pairs = aelib.spectral_init(Y, 4, rng=3, return_pairs=True)
    np.testing.assert_array_equal(W, W2)
    assert isinstance(pairs, int) and 4 <= pairs <= 50 * 16 + 200
    # the count is exact: with max_pairs = pairs it still succeeds, with one fewer it gives up
    np.testing.assert_allclose(aelib.spectral_init(Y, 4, rng=3, max_pairs=pairs), W, atol=1e-10)
    with pytest.raises(RuntimeError, match="found 3 of 4"):
        aelib.spectral_init(Y, 4, rng=3, max_pairs=pairs - 1)


def test_batched_pairs_match_the_one_at_a_time_definition(spectral_mixture):
    _, Y = spectral_mixture
    from aelib.initialization import _reweighted_spectra

    Yr = Y[:7]
    uv = np.array([[0, 1], [5, 9], [17, 3]])
    values, vectors = _reweighted_spectra(Yr, uv, Yr.shape[1], chunk_elements=100)  # several chunks
    for (u, v), vals in zip(uv, values):
        w = (Yr[:, u] @ Yr) * (Yr[:, v] @ Yr)
        M = (Yr * w) @ Yr.T / Yr.shape[1]
        np.testing.assert_allclose(vals, np.linalg.eigvalsh(M), rtol=1e-10, atol=1e-12)


def test_spectral_center_option_subtracts_the_mean(spectral_mixture):
    A, Y = spectral_mixture
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


def test_spectral_pairs_counts_and_marks_failures(spectral_mixture):
    A, _ = spectral_mixture
    model = aelib.GaussianMixture(A, noise_std=0.02)
    pairs = aelib.spectral_pairs(model, 1500, trials=3, rng=0)
    assert pairs.shape == (3,) and np.all(pairs >= 4)
    assert np.all(aelib.spectral_pairs(model, 1500, trials=2, rng=0, max_pairs=2) == -1)


def test_init_closeness_rows(spectral_mixture):
    A, _ = spectral_mixture
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


def test_init_closeness_failed_spectral_row(spectral_mixture):
    A, _ = spectral_mixture
    rows = aelib.init_closeness(aelib.GaussianMixture(A, noise_std=0.01), 500, rng=1, methods=["spectral"], max_pairs=1)
    (r,) = rows
    assert r.found < 4 and np.all(np.isnan(r.distances)) and not r.meets and r.pairs == 1


def test_init_closeness_rejects_unknown_methods(spectral_mixture):
    A, _ = spectral_mixture
    with pytest.raises(ValueError, match="unknown start"):
        aelib.init_closeness(aelib.GaussianMixture(A, noise_std=0.01), 100, rng=0, methods=["kmeans"])


def test_closeness_vs_n_orders_rows_and_accepts_callables():
    """The same seed twice: the same computation, bit-identical."""
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


def test_reweighted_covariance_definition(spectral_mixture):
    _, Y = spectral_mixture
    M = aelib.reweighted_covariance(Y, 3, 7)
    direct = sum((Y[:, j] @ Y[:, 3]) * (Y[:, j] @ Y[:, 7]) * np.outer(Y[:, j], Y[:, j]) for j in range(Y.shape[1]))
    np.testing.assert_allclose(M, direct / Y.shape[1], rtol=1e-10, atol=1e-12)


def test_reweighted_covariance_of_a_same_component_pair_is_rank_one(spectral_mixture):
    A, _ = spectral_mixture
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


def test_pair_spectrum_names_the_shared_column(spectral_mixture):
    A, _ = spectral_mixture
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
