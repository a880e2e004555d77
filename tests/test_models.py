"""Tests of aelib.models: dictionaries, coherence (Def. 1) and the samplers of Sec. 2.2.

Each sampler is checked against the statistics that define it (assumptions A1-A4). The
statistical bounds are a few standard errors wide (about 5 sigma), with fixed seeds, so a
wrong law fails while a correct one passes deterministically.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aelib


def z_bound(p, N, sigmas=5.0):
    """sigmas standard errors of a frequency p estimated from N Bernoulli trials."""
    return sigmas * np.sqrt(p * (1 - p) / N)


# --- dictionaries and coherence -----------------------------------------------------


def test_normalize_columns():
    B = np.array([[3.0, 0.0, -1.0], [4.0, 2.0, 1.0]])
    out = aelib.normalize_columns(B)
    np.testing.assert_allclose(out, [[0.6, 0.0, -1 / np.sqrt(2)], [0.8, 1.0, 1 / np.sqrt(2)]], rtol=1e-15)
    np.testing.assert_array_equal(B, [[3.0, 0.0, -1.0], [4.0, 2.0, 1.0]])  # input untouched
    assert aelib.normalize_columns(B.astype(np.float32)).dtype == np.float32
    assert aelib.normalize_columns(np.array([[1, 2], [0, 2]])).dtype == np.float64


def test_random_dictionary_unit_columns_and_shape():
    A = aelib.random_dictionary(30, 7, rng=0)
    assert A.shape == (30, 7) and A.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(A, axis=0), 1.0, rtol=1e-14)


def test_random_dictionary_seeding():
    """The same seed (an int, or the Generator it makes): the same computation, bit-identical."""
    np.testing.assert_array_equal(aelib.random_dictionary(10, 3, rng=5), aelib.random_dictionary(10, 3, rng=5))
    np.testing.assert_array_equal(
        aelib.random_dictionary(10, 3, rng=np.random.default_rng(5)), aelib.random_dictionary(10, 3, rng=5)
    )
    assert not np.allclose(aelib.random_dictionary(10, 3, rng=5), aelib.random_dictionary(10, 3, rng=6))


def test_coherence_matches_direct_computation():
    A = aelib.random_dictionary(40, 9, rng=1)
    n, m = A.shape
    direct = max(abs(A[:, i] @ A[:, j]) for i, j in itertools.permutations(range(m), 2))
    assert aelib.coherence(A) == pytest.approx(np.sqrt(n) * direct, rel=1e-14)


def test_coherence_of_orthonormal_and_repeated_columns():
    Q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((16, 4)))
    assert aelib.coherence(Q) == pytest.approx(0.0, abs=1e-14)
    R = np.column_stack([Q[:, 0], Q[:, 1], -Q[:, 0]])
    assert aelib.coherence(R) == pytest.approx(4.0, rel=1e-14)  # sqrt(16) * 1


def test_coherence_grows_slowly_with_m():
    # A random dictionary is mu-incoherent with mu = O(sqrt(log m)) (Def. 1): the maximum of
    # m(m-1)/2 inner products of size ~ N(0, 1/n) is about sqrt(2 log(m^2)) / sqrt(n).
    mu_50 = aelib.coherence(aelib.random_dictionary(1000, 50, rng=3))
    assert 2.5 < mu_50 < 5.0
    mu_5 = np.mean([aelib.coherence(aelib.random_dictionary(1000, 5, rng=s)) for s in range(5)])
    mu_200 = np.mean([aelib.coherence(aelib.random_dictionary(1000, 200, rng=s)) for s in range(2)])
    predicted_ratio = np.sqrt(np.log(200 * 199) / np.log(5 * 4))
    assert mu_200 > mu_5
    assert mu_200 / mu_5 < 1.5 * predicted_ratio  # grows like sqrt(log m), not like m


# --- noise --------------------------------------------------------------------------


def test_gaussian_noise_statistics_and_dtype():
    eta = aelib.gaussian_noise(20, 5000, 0.3, rng=4)
    assert eta.shape == (20, 5000) and eta.dtype == np.float64
    assert abs(eta.mean()) < 5 * 0.3 / np.sqrt(eta.size)
    assert eta.std() == pytest.approx(0.3, rel=5 / np.sqrt(2 * eta.size))
    assert aelib.gaussian_noise(3, 4, 0.3, rng=4, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(aelib.gaussian_noise(3, 4, 0.0, rng=4), 0.0)


# --- Gaussian mixture ---------------------------------------------------------------


@pytest.fixture(scope="module")
def mixture_sample():
    A = aelib.random_dictionary(30, 4, rng=10)
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    model = aelib.GaussianMixture(A, noise_std=0.2, weights=weights)
    Y, X = model.sample(40_000, rng=11)
    return model, Y, X


def test_mixture_codes_are_one_hot(mixture_sample):
    model, Y, X = mixture_sample
    assert Y.shape == (30, 40_000) and X.shape == (4, 40_000)
    assert set(np.unique(X)) == {0.0, 1.0}
    np.testing.assert_array_equal(X.sum(axis=0), 1.0)
    assert model.k == 1 and model.kappa1 == model.kappa2 == model.a1 == model.a2 == 1.0


def test_mixture_label_frequencies_follow_weights(mixture_sample):
    model, _, X = mixture_sample
    N = X.shape[1]
    counts = X.sum(axis=1)
    expected = model.weights * N
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < 20.0  # chi-square with 3 degrees of freedom: P(> 20) ~ 2e-4
    np.testing.assert_allclose(model.support_probabilities, [0.1, 0.2, 0.3, 0.4])


def test_uniform_mixture_label_frequencies():
    A = aelib.random_dictionary(10, 5, rng=12)
    _, X = aelib.GaussianMixture(A, noise_std=0.0).sample(20_000, rng=13)
    freq = X.mean(axis=1)
    assert np.all(np.abs(freq - 0.2) < z_bound(0.2, 20_000))


def test_mixture_noise_has_the_given_std_and_zero_mean(mixture_sample):
    model, Y, X = mixture_sample
    eta = Y - model.A @ X
    assert abs(eta.mean()) < 5 * 0.2 / np.sqrt(eta.size)
    assert eta.std() == pytest.approx(0.2, rel=5 / np.sqrt(2 * eta.size))
    # independent of the label: each component has the same spread
    for i in range(4):
        assert eta[:, X[i] == 1].std() == pytest.approx(0.2, rel=0.02)


def test_noiseless_mixture_is_exactly_A_X():
    """The same computation: sample forms the same product A @ X plus zero noise; with one-hot codes every entry is
    a single product by 1, exact on any BLAS.
    """
    A = aelib.random_dictionary(8, 3, rng=14)
    Y, X = aelib.GaussianMixture(A, noise_std=0.0).sample(50, rng=15)
    np.testing.assert_array_equal(Y, A @ X)


def test_model_keeps_a_private_read_only_copy_of_A():
    A = aelib.random_dictionary(8, 3, rng=16)
    model = aelib.GaussianMixture(A, noise_std=0.1)
    A[0, 0] = 100.0
    assert model.A[0, 0] != 100.0
    with pytest.raises(ValueError):
        model.A[0, 0] = 1.0


def test_sampling_is_reproducible_and_seed_dependent():
    """The same seed (an int, or the Generator it makes): the same computation, bit-identical."""
    A = aelib.random_dictionary(12, 6, rng=17)
    models = [
        aelib.GaussianMixture(A, noise_std=0.1),
        aelib.SparseCoding(A, k=2, noise_std=0.1, a1=0.5),
        aelib.NonnegativeSparseCoding(A, k=3, a1=0.5, a2=2.0, noise_std=0.1),
    ]
    for model in models:
        Y1, X1 = model.sample(100, rng=7)
        Y2, X2 = model.sample(100, rng=np.random.default_rng(7))
        np.testing.assert_array_equal(Y1, Y2)
        np.testing.assert_array_equal(X1, X2)
        Y3, X3 = model.sample(100, rng=8)
        assert not np.array_equal(X1, X3)
        assert not np.allclose(Y1, Y3)


def test_float32_samples():
    """The codes are drawn by the same calls from the same stream whatever the dtype (exact 0/1 values):
    bit-identical.
    """
    A = aelib.random_dictionary(12, 3, rng=18)
    Y, X = aelib.GaussianMixture(A, noise_std=0.1).sample(5000, rng=1, dtype=np.float32)
    assert Y.dtype == np.float32 and X.dtype == np.float64
    _, X64 = aelib.GaussianMixture(A, noise_std=0.1).sample(5000, rng=1)
    np.testing.assert_array_equal(X, X64)  # same codes; the float32 noise is another stream
    eta = Y - A @ X
    assert eta.std() == pytest.approx(0.1, rel=0.02)


# --- sparse coding ------------------------------------------------------------------


@pytest.fixture(scope="module", params=[(10, 3, 1.0), (10, 3, 0.3), (8, 8, 0.0), (6, 1, 0.5)])
def sparse_sample(request):
    m, k, a1 = request.param
    A = aelib.random_dictionary(16, m, rng=20)
    model = aelib.SparseCoding(A, k=k, noise_std=0.0, a1=a1)
    _, X = model.sample(30_000, rng=21)
    return model, X


def test_sparse_codes_have_exactly_k_nonzeros(sparse_sample):
    model, X = sparse_sample
    np.testing.assert_array_equal(np.count_nonzero(X, axis=0), model.k)


def test_sparse_supports_are_uniform(sparse_sample):
    model, X = sparse_sample
    m, k, N = model.m, model.k, X.shape[1]
    S = (X != 0).astype(float)
    p_i = k / m
    assert np.all(np.abs(S.mean(axis=1) - p_i) < z_bound(p_i, N) + 1e-12)
    if m >= 2:
        p_ij = k * (k - 1) / (m * (m - 1))
        pair = (S @ S.T) / N
        off = pair[~np.eye(m, dtype=bool)]
        assert np.all(np.abs(off - p_ij) < z_bound(p_ij, N) + 1e-12)


def test_sparse_values_mean_zero_unit_variance_and_bounded(sparse_sample):
    model, X = sparse_sample
    v = X[X != 0]
    assert model.kappa1 == 0.0 and model.kappa2 == 1.0
    assert abs(v.mean()) < 5 / np.sqrt(v.size)  # Var(x | i in S) = 1
    assert np.mean(v**2) == pytest.approx(1.0, abs=5 * np.sqrt(np.var(v**2) / v.size))
    assert np.all(np.abs(v) >= model.a1)
    assert np.all(np.abs(v) <= model.a2)
    # (a1^2 + a1 a2 + a2^2) / 3 = 1 defines a2
    assert (model.a1**2 + model.a1 * model.a2 + model.a2**2) / 3 == pytest.approx(1.0, rel=1e-14)
    assert abs(np.mean(v > 0) - 0.5) < z_bound(0.5, v.size)  # symmetric signs


def test_sparse_coding_with_a1_one_is_rademacher():
    A = aelib.random_dictionary(16, 10, rng=22)
    model = aelib.SparseCoding(A, k=4, noise_std=0.0)
    assert model.a1 == model.a2 == 1.0
    _, X = model.sample(2000, rng=23)
    assert set(np.unique(X)) == {-1.0, 0.0, 1.0}


def test_sparse_nonzero_entries_are_independent():
    # A2: nonzero entries are independent, so on a shared support the product has mean 0.
    A = aelib.random_dictionary(16, 4, rng=24)
    _, X = aelib.SparseCoding(A, k=2, noise_std=0.0, a1=0.2).sample(40_000, rng=25)
    both = (X[0] != 0) & (X[1] != 0)
    prod = X[0, both] * X[1, both]
    assert abs(prod.mean()) < 5 * prod.std() / np.sqrt(both.sum())


# --- non-negative sparse coding -----------------------------------------------------


@pytest.mark.parametrize("k,a1,a2", [(3, 0.5, 2.0), (1, 1.0, 1.0), (5, 0.1, 0.3)])
def test_nonnegative_sparse_coding_statistics(k, a1, a2):
    m, N = 9, 30_000
    A = aelib.random_dictionary(16, m, rng=26)
    model = aelib.NonnegativeSparseCoding(A, k=k, a1=a1, a2=a2, noise_std=0.0)
    _, X = model.sample(N, rng=27)
    np.testing.assert_array_equal(np.count_nonzero(X, axis=0), k)
    S = X != 0
    assert np.all(np.abs(S.mean(axis=1) - k / m) < z_bound(k / m, N))
    v = X[S]
    assert np.all((v >= a1) & (v <= a2))
    assert model.kappa1 == pytest.approx((a1 + a2) / 2)
    assert model.kappa2 == pytest.approx((a1**2 + a1 * a2 + a2**2) / 3)
    spread = max(a2 - a1, 1e-12)
    assert v.mean() == pytest.approx(model.kappa1, abs=5 * spread / np.sqrt(12 * v.size))
    assert np.mean(v**2) == pytest.approx(model.kappa2, abs=5 * a2 * spread / np.sqrt(3 * v.size) + 1e-12)


def test_mixture_is_the_nonnegative_model_with_k1_a1_a2_one():
    A = aelib.random_dictionary(16, 5, rng=28)
    _, X = aelib.NonnegativeSparseCoding(A, k=1, a1=1.0, a2=1.0, noise_std=0.0).sample(500, rng=29)
    np.testing.assert_array_equal(X.sum(axis=0), 1.0)
    assert set(np.unique(X)) == {0.0, 1.0}


def test_k_equals_m_uses_every_index():
    A = aelib.random_dictionary(16, 5, rng=30)
    _, X = aelib.NonnegativeSparseCoding(A, k=5, a1=0.5, a2=1.0, noise_std=0.0).sample(50, rng=31)
    assert np.all(X > 0)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 12), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_exactly_k_nonzeros_for_any_k(m, data, seed):
    k = data.draw(st.integers(1, m))
    A = aelib.random_dictionary(6, m, rng=seed)
    _, X = aelib.SparseCoding(A, k=k, noise_std=0.0, a1=0.5).sample(40, rng=seed)
    np.testing.assert_array_equal(np.count_nonzero(X, axis=0), k)
    _, X = aelib.NonnegativeSparseCoding(A, k=k, a1=0.5, a2=1.5, noise_std=0.0).sample(40, rng=seed)
    np.testing.assert_array_equal(np.count_nonzero(X, axis=0), k)
    assert np.all(X >= 0)


# --- normalize_columns never overflows or underflows ----------------------------------


@pytest.mark.parametrize("scale", [1e-310, 1e-300, 1e-170, 1e-155, 1e-140, 1.0, 1e150, 1e160, 1e300])
def test_normalize_columns_gives_unit_columns_at_any_scale(scale):
    B = np.random.default_rng(0).standard_normal((30, 4))
    U = aelib.normalize_columns(B * scale)
    assert np.all(np.isfinite(U))
    np.testing.assert_allclose(np.linalg.norm(U, axis=0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(U, aelib.normalize_columns(B), rtol=0, atol=1e-6 if scale < 1e-300 else 1e-14)


def test_normalize_columns_mixed_scales_and_issue_example():
    column = np.full((4, 1), 1e-170)  # the squares underflow to 0: the plain norm was 0, the result inf
    np.testing.assert_array_equal(aelib.normalize_columns(column), np.full((4, 1), 0.5))
    B = np.array([[1e-170, 3.0, 3e300, 5e-324], [1e-170, 4.0, 4e300, 0.0]])
    np.testing.assert_allclose(aelib.normalize_columns(B), [[2**-0.5, 0.6, 0.6, 1.0], [2**-0.5, 0.8, 0.8, 0.0]], rtol=1e-15)
    U32 = aelib.normalize_columns(np.array([[1e-30, 3e30], [1e-30, 4e30]], dtype=np.float32))
    assert U32.dtype == np.float32
    np.testing.assert_allclose(U32, [[2**-0.5, 0.6], [2**-0.5, 0.8]], rtol=1e-6)


def test_normalize_columns_ordinary_path_is_the_plain_division():
    """The same operations: on ordinary columns normalize_columns is B / np.linalg.norm(B, axis=0) (elementwise, no
    BLAS): bit-identical.
    """
    B = np.random.default_rng(1).standard_normal((50, 7)) * np.logspace(-100, 100, 7)
    np.testing.assert_array_equal(aelib.normalize_columns(B), B / np.linalg.norm(B, axis=0))
    B32 = (np.random.default_rng(2).standard_normal((50, 3)) * [1e-10, 1.0, 1e10]).astype(np.float32)
    np.testing.assert_array_equal(aelib.normalize_columns(B32), B32 / np.linalg.norm(B32, axis=0))


# ----------------------------------------------------------------------------------------------
# Tests for the Chapter 1 additions to aelib.models (support probabilities, code
# statistics, coherence of random dictionaries).
# ----------------------------------------------------------------------------------------------


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


# The sparse samples must not depend on the CPU. numpy selects the k smallest keys with SIMD code
# (AVX2, AVX-512) or scalar code, which return them in different orders; before the supports
# were sorted, the values then landed on other indices, and every sparse sample differed on a
# CPU without AVX2 (and on ARM). The same computation in another process with numpy's AVX2 and
# AVX-512 loops switched off must give the same bits.
_SAMPLE_DIGEST = """
import hashlib, numpy as np, aelib
A = aelib.random_dictionary(64, 128, rng=1)
digests = []
for model in (aelib.SparseCoding(A, k=6, noise_std=0.01),
              aelib.NonnegativeSparseCoding(A, k=5, a1=1.0, a2=2.0, noise_std=0.01)):
    Y, X = model.sample(500, rng=2)
    digests.append(hashlib.sha256(X.tobytes()).hexdigest())
print(" ".join(digests))
"""


def test_sparse_samples_do_not_depend_on_the_cpus_simd_loops():
    """The same computation (the same sampler and seed) on another code path of numpy's
    selection: bit-identical codes, since the supports are sorted before values are placed."""
    import os
    import subprocess
    import sys

    def digest(**env):
        out = subprocess.run([sys.executable, "-c", _SAMPLE_DIGEST], env={**os.environ, **env},
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    assert digest(NPY_DISABLE_CPU_FEATURES="") == digest(
        NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR")


def test_supports_are_in_increasing_order():
    rng = np.random.default_rng(0)
    support = aelib.models._uniform_supports(128, 6, 300, rng)
    assert support.shape == (6, 300)
    assert np.all(np.diff(support, axis=0) > 0)
