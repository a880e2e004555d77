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
    rng = np.random.default_rng(10)
    Y = rng.standard_normal((8, 50)).astype(np.float32)
    Y0 = Y.copy()
    Y.setflags(write=False)
    W = aelib.pca_init(Y, 3, center=True)
    assert W.dtype == np.float64
    np.testing.assert_array_equal(Y, Y0)


# --- random ---------------------------------------------------------------------------


def test_random_init_is_a_random_dictionary():
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
    A = aelib.random_dictionary(40, 5, rng=0)
    E = np.random.default_rng(3).standard_normal(A.shape)
    W = A + 0.5 * E / np.sqrt(40)
    np.testing.assert_array_equal(aelib.perturbed_init(A, 0.5, rng=3), W / np.linalg.norm(W, axis=0))


def test_pca_init_float32_makes_no_float64_copy():
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
