"""The generative bilinear model y = A x* + eta (Sec. 2.2, eq. 3) and its three cases.

A sample is a column: ``Y`` is n x N and the codes ``X_star`` are m x N.  The three
models share everything except the law of the code x*, so they share one
:meth:`BilinearModel.sample` and differ only in :meth:`BilinearModel.sample_codes`.

Assumptions of the paper that the samplers implement:

* A1 -- the support S of x* has exactly k elements drawn uniformly at random, so
  p_i = P[i in S] = k/m, p_ij = k(k-1)/(m(m-1)), p_ijl = k(k-1)(k-2)/(m(m-1)(m-2)).
* A2 -- nonzero entries are independent with ``E[x_i | i in S] = kappa_1`` and
  ``E[x_i^2 | i in S] = kappa_2``.
* A3 -- ``|x_i|`` lies in [a1, a2] on the support.
* A4 -- eta ~ N(0, sigma_eta^2 I), independent of x*.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ._checks import (
    RngLike,
    as_rng,
    check_int,
    check_matrix,
    check_probabilities,
    check_real,
    check_unit_columns,
    unit_columns,
)

__all__ = [
    "normalize_columns",
    "random_dictionary",
    "coherence",
    "gaussian_noise",
    "BilinearModel",
    "GaussianMixture",
    "SparseCoding",
    "NonnegativeSparseCoding",
    "uniform_support_probabilities",
    "CodeStatistics",
    "code_statistics",
    "gaussian_coherence_prediction",
    "CoherenceSweep",
    "coherence_sweep",
]


def normalize_columns(B: np.ndarray) -> np.ndarray:
    """Return normalize(B): every column divided by its Euclidean norm (Sec. 5).

    The norms are computed with scaling where the plain sum of squares would
    overflow or underflow (:func:`aelib._checks.unit_columns`), so the columns of
    the result have unit norm whatever the scale of ``B`` (a 1e-170 column too).

    Parameters
    ----------
    B : ndarray, shape (n, m)
        A finite matrix with no all-zero column.

    Returns
    -------
    ndarray, shape (n, m)
        A new matrix with unit-norm columns, in the dtype of ``B`` (float64 for
        integer input).

    Raises
    ------
    ValueError
        If ``B`` is not a finite 2-D matrix or has an all-zero column.
    """
    B = check_matrix("B", B, nonzero_columns=True)
    U, _ = unit_columns(B)  # a finite column with a nonzero entry always has a direction
    return U


def random_dictionary(n: int, m: int, *, rng: RngLike) -> np.ndarray:
    """Draw a random dictionary with i.i.d. Gaussian entries and unit-norm columns.

    This is the ground truth of Sec. 6: A_i ~ N(0, I_n / n), then normalized (the
    normalization removes the scale, so the variance convention does not matter).
    Such a matrix is mu-incoherent (Def. 1) with mu = O(sqrt(log m)) w.h.p.

    Parameters
    ----------
    n, m : int
        Dimension of a sample and number of columns (atoms, or mixture centres).
    rng : numpy.random.Generator or int
        Source of randomness (a seed is turned into ``default_rng(seed)``).

    Returns
    -------
    ndarray, shape (n, m), float64
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    rng = as_rng(rng)
    G = rng.standard_normal((n, m)) / np.sqrt(n)
    return G / np.linalg.norm(G, axis=0)


def coherence(A: np.ndarray) -> float:
    """Mutual coherence ``mu = sqrt(n) max_{i != j} |<A_i, A_j>|`` (Def. 1).

    A is mu-incoherent exactly when ``coherence(A) <= mu``.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Unit-norm columns (Def. 1 presupposes them), m >= 2.

    Returns
    -------
    float
    """
    A = check_matrix("A", A)
    if A.shape[1] < 2:
        raise ValueError(f"A: coherence needs at least 2 columns, got shape {A.shape}")
    check_unit_columns("A", A)
    gram = np.abs(A.T @ A)
    np.fill_diagonal(gram, 0.0)
    return float(np.sqrt(A.shape[0]) * gram.max())


def gaussian_noise(n: int, N: int, noise_std: float, *, rng: RngLike, dtype=np.float64) -> np.ndarray:
    """Draw the noise eta ~ N(0, noise_std^2 I_n) of assumption A4 for N samples.

    Parameters
    ----------
    n : int
        Dimension of a sample (at least 1).
    N : int
        Number of samples (0 gives an empty (n, 0) array).
    noise_std : float
        sigma_eta of assumption A4 (at least 0).
    rng : numpy.random.Generator or int
        Source of randomness (a seed is turned into ``default_rng(seed)``).
    dtype : {numpy.float64, numpy.float32}
        Precision of the draw.

    Returns
    -------
    ndarray, shape (n, N), in ``dtype`` (float64 or float32)
    """
    n = check_int("n", n, minimum=1)
    N = check_int("N", N, minimum=0)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype: expected float32 or float64, got {np.dtype(dtype)}")
    rng = as_rng(rng)
    noise = rng.standard_normal((n, N), dtype=dtype)
    noise *= noise_std
    return noise


def _uniform_supports(m: int, k: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """Indices (k, N) of a uniformly random k-subset of [m] for each of N samples, in increasing order.

    The subset is the k smallest of m uniform keys. ``np.argpartition`` finds them, but leaves
    their order unspecified: it differs between numpy's SIMD (AVX2, AVX-512) and scalar
    selection, so the values drawn next would land on other indices on another CPU. Sorting
    the k indices makes the order, and so the sample, the same on every machine.
    """
    if k == m:
        return np.broadcast_to(np.arange(m)[:, None], (m, N)).copy()
    keys = rng.random((m, N))
    return np.sort(np.argpartition(keys, k - 1, axis=0)[:k], axis=0)


class BilinearModel:
    """Common part of the three generative models y = A x* + eta (eq. 3).

    Subclasses define the law of the code through :meth:`sample_codes`; everything
    else (validation of A, noise, the sample itself) lives here.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Ground-truth dictionary, no zero column (unit-norm columns in the paper's setting).
    noise_std : float
        Standard deviation sigma_eta >= 0 of every coordinate of the noise (assumption A4).

    Attributes
    ----------
    A : ndarray, shape (n, m)
        The ground-truth dictionary (a private copy).
    noise_std : float
        sigma_eta of assumption A4.
    k : int
        Number of nonzeros of every code (1 for the mixture).
    kappa1, kappa2 : float
        ``E[x_i | i in S]`` and ``E[x_i^2 | i in S]`` (assumption A2).
    a1, a2 : float
        Bounds on ``|x_i|`` over the support (assumption A3).
    """

    k: int
    kappa1: float
    kappa2: float
    a1: float
    a2: float

    def __init__(self, A: np.ndarray, *, noise_std: float):
        A = check_matrix("A", A, nonzero_columns=True)
        self.A = np.array(A, dtype=np.float64, copy=True)
        self.A.setflags(write=False)
        self.noise_std = check_real("noise_std", noise_std, minimum=0.0)

    @property
    def n(self) -> int:
        """Dimension of a sample."""
        return self.A.shape[0]

    @property
    def m(self) -> int:
        """Number of dictionary columns (code length)."""
        return self.A.shape[1]

    @property
    def support_probabilities(self) -> np.ndarray:
        """p_i = P[i in supp(x*)] for each i (assumption A1)."""
        return np.full(self.m, self.k / self.m)

    def sample_codes(self, N: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover
        """Draw N codes x*, as the columns of an m x N matrix.

        Parameters
        ----------
        N : int
            Number of codes (columns).
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray, shape (m, N), float64
        """
        raise NotImplementedError

    def sample(self, N: int, *, rng: RngLike, dtype=np.float64) -> Tuple[np.ndarray, np.ndarray]:
        """Draw N samples y = A x* + eta.

        Parameters
        ----------
        N : int
            Number of samples (columns).
        rng : numpy.random.Generator or int
            Source of randomness.
        dtype : {numpy.float64, numpy.float32}
            dtype of ``Y`` (``X_star`` is always float64).

        Returns
        -------
        Y : ndarray, shape (n, N)
            Samples y = A x* + eta, one per column.
        X_star : ndarray, shape (m, N)
            Their codes x*.
        """
        N = check_int("N", N, minimum=1)
        rng = as_rng(rng)
        X_star = self.sample_codes(N, rng)
        Y = gaussian_noise(self.n, N, self.noise_std, rng=rng, dtype=dtype)
        Y += (self.A @ X_star).astype(dtype, copy=False)
        return Y, X_star

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n={self.n}, m={self.m}, k={self.k}, "
            f"noise_std={self.noise_std:g})"
        )


class GaussianMixture(BilinearModel):
    """Mixture of m spherical Gaussians with means A_i (Sec. 2.2).

    x* = e_i with probability p_i (uniform by default), so k = 1 and
    kappa1 = kappa2 = a1 = a2 = 1; y ~ N(A_i, noise_std^2 I) given the label i.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Means of the components, one per column.
    noise_std : float
        Standard deviation sigma_eta of every coordinate of the noise.
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (positive, summing to 1). Uniform if omitted.
    """

    k = 1
    kappa1 = kappa2 = a1 = a2 = 1.0

    def __init__(self, A: np.ndarray, *, noise_std: float, weights: Optional[np.ndarray] = None):
        super().__init__(A, noise_std=noise_std)
        if weights is None:
            self.weights = np.full(self.m, 1.0 / self.m)
        else:
            self.weights = check_probabilities("weights", weights, self.m)

    @property
    def support_probabilities(self) -> np.ndarray:
        """p_i, the mixing weights."""
        return self.weights.copy()

    def sample_codes(self, N: int, rng: np.random.Generator) -> np.ndarray:
        """One-hot codes e_i with i drawn from the mixing weights.

        Parameters
        ----------
        N : int
            Number of codes (columns).
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray, shape (m, N), float64
        """
        labels = rng.choice(self.m, size=N, p=self.weights)
        X = np.zeros((self.m, N))
        X[labels, np.arange(N)] = 1.0
        return X


def _check_k(k, m: int) -> int:
    return check_int("k", k, minimum=1, maximum=m)


class SparseCoding(BilinearModel):
    """General k-sparse coding (Sec. 2.2, Thm. 3 (i), Thm. 4 (ii)).

    Each code has exactly k nonzeros on a uniformly random support (A1). A nonzero
    value is a random sign times a magnitude drawn uniformly from [a1, a2], where a2
    is chosen so that ``E[x_i^2 | i in S] = 1``; hence kappa1 = 0, kappa2 = 1 and
    ``|x_i| >= a1`` (A2, A3). With the default a1 = 1 the nonzeros are Rademacher +-1.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        The dictionary (unit-norm columns in the paper).
    k : int
        Sparsity, 1 <= k <= m.
    noise_std : float
        sigma_eta >= 0.
    a1 : float, default 1.0
        Lower bound on ``|x_i|`` over the support, 0 <= a1 <= 1 (a1 > 1 is incompatible
        with unit variance).
    """

    kappa1 = 0.0
    kappa2 = 1.0

    def __init__(self, A: np.ndarray, *, k: int, noise_std: float, a1: float = 1.0):
        super().__init__(A, noise_std=noise_std)
        self.k = _check_k(k, self.m)
        self.a1 = check_real("a1", a1, minimum=0.0, maximum=1.0)
        # E[U^2] = (a1^2 + a1 a2 + a2^2) / 3 = 1 for U ~ Uniform[a1, a2].
        self.a2 = float((-self.a1 + np.sqrt(12.0 - 3.0 * self.a1**2)) / 2.0)

    def sample_codes(self, N: int, rng: np.random.Generator) -> np.ndarray:
        """Codes with k nonzeros of random sign and magnitude in [a1, a2].

        Parameters
        ----------
        N : int
            Number of codes (columns).
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray, shape (m, N), float64
        """
        support = _uniform_supports(self.m, self.k, N, rng)
        magnitudes = rng.uniform(self.a1, self.a2, size=support.shape)
        signs = rng.choice(np.array([-1.0, 1.0]), size=support.shape)
        X = np.zeros((self.m, N))
        np.put_along_axis(X, support, signs * magnitudes, axis=0)
        return X


class NonnegativeSparseCoding(BilinearModel):
    """Non-negative k-sparse coding (Sec. 2.2, Thm. 3 (ii)-(iii), Thm. 4 (iii)).

    Each code has exactly k nonzeros on a uniformly random support, each drawn
    independently and uniformly from [a1, a2] (so kappa1 = (a1 + a2)/2 and
    kappa2 = (a1^2 + a1 a2 + a2^2)/3). The mixture of Gaussians is the case k = 1,
    a1 = a2 = 1.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        The dictionary (unit-norm columns in the paper).
    k : int
        Sparsity, 1 <= k <= m.
    a1, a2 : float
        Range of the nonzero values, 0 < a1 <= a2.
    noise_std : float
        sigma_eta >= 0.
    """

    def __init__(self, A: np.ndarray, *, k: int, a1: float, a2: float, noise_std: float):
        super().__init__(A, noise_std=noise_std)
        self.k = _check_k(k, self.m)
        self.a1 = check_real("a1", a1, minimum=0.0, strict_min=True)
        self.a2 = check_real("a2", a2, minimum=self.a1)
        self.kappa1 = (self.a1 + self.a2) / 2.0
        self.kappa2 = (self.a1**2 + self.a1 * self.a2 + self.a2**2) / 3.0

    def sample_codes(self, N: int, rng: np.random.Generator) -> np.ndarray:
        """Codes with k nonzeros drawn uniformly from [a1, a2].

        Parameters
        ----------
        N : int
            Number of codes (columns).
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray, shape (m, N), float64
        """
        support = _uniform_supports(self.m, self.k, N, rng)
        values = rng.uniform(self.a1, self.a2, size=support.shape)
        X = np.zeros((self.m, N))
        np.put_along_axis(X, support, values, axis=0)
        return X


# --- Chapter 1: support probabilities, code statistics, coherence of random dictionaries ---


def uniform_support_probabilities(m: int, k: int) -> Tuple[float, float, float]:
    """Closed forms of p_i, p_ij, p_ijl for a uniformly random k-subset S of [m] (A1).

    p_i = k/m, p_ij = k(k-1)/(m(m-1)) and p_ijl = k(k-1)(k-2)/(m(m-1)(m-2)) for
    distinct i, j, l (a probability is 0 when there are fewer than 2 or 3 columns).
    Assumption A1 of the paper asks for p_i = Theta(k/m), p_ij = Theta(k^2/m^2) and
    p_ijl = Theta(k^3/m^3); for k = 1 (the mixture) p_ij = p_ijl = 0, which satisfies
    the upper bounds the proofs use but not the lower ones.

    Parameters
    ----------
    m : int
        Number of columns, m >= 1.
    k : int
        Support size, 1 <= k <= m.

    Returns
    -------
    (p_i, p_ij, p_ijl) : tuple of float
    """
    m = check_int("m", m, minimum=1)
    k = _check_k(k, m)
    p_i = k / m
    p_ij = k * (k - 1) / (m * (m - 1)) if m >= 2 else 0.0
    p_ijl = k * (k - 1) * (k - 2) / (m * (m - 1) * (m - 2)) if m >= 3 else 0.0
    return float(p_i), float(p_ij), float(p_ijl)


class CodeStatistics:
    """Empirical counterparts of assumptions A1-A3 measured on codes X (m x N).

    Parameters
    ----------
    X : ndarray, shape (m, N)
        Codes, one per column, not all zero (e.g. the ``X_star`` of ``model.sample``).

    Attributes
    ----------
    p_i : float
        Mean over i of the fraction of codes with x_i != 0.
    p_ij : float
        Mean over pairs i != j of the fraction of codes with x_i, x_j != 0.
    kappa1, kappa2 : float
        Mean of x_i and of x_i^2 over the nonzero entries (``E[x_i | i in S]``, ``E[x_i^2 | i in S]``).
    a1, a2 : float
        Smallest and largest ``|x_i|`` over the nonzero entries.
    k_min, k_max : int
        Smallest and largest number of nonzeros in a code.
    """

    def __init__(self, X: np.ndarray):
        X = check_matrix("X", X)
        m, N = X.shape
        support = X != 0
        if not support.any():
            raise ValueError("X: every code is zero, so the statistics on the support are undefined")
        counts = support.sum(axis=0)
        values = X[support]
        S = support.astype(np.float64)
        pair = S @ S.T / N
        self.p_i = float(S.mean())
        self.p_ij = float((pair.sum() - np.trace(pair)) / (m * (m - 1))) if m >= 2 else 0.0
        self.kappa1 = float(values.mean())
        self.kappa2 = float(np.mean(values**2))
        self.a1 = float(np.abs(values).min())
        self.a2 = float(np.abs(values).max())
        self.k_min = int(counts.min())
        self.k_max = int(counts.max())

    def __repr__(self) -> str:
        return (
            f"CodeStatistics(p_i={self.p_i:.4g}, p_ij={self.p_ij:.4g}, kappa1={self.kappa1:.4g}, "
            f"kappa2={self.kappa2:.4g}, a1={self.a1:.4g}, a2={self.a2:.4g}, k in [{self.k_min}, {self.k_max}])"
        )


def code_statistics(X: np.ndarray) -> CodeStatistics:
    """Measure A1-A3 on sampled codes: p_i, p_ij, kappa1, kappa2, a1, a2 and k (Sec. 2.2).

    Parameters
    ----------
    X : ndarray, shape (m, N)
        Codes, one per column (e.g. the ``X_star`` returned by ``model.sample``).

    Returns
    -------
    CodeStatistics
    """
    return CodeStatistics(X)


def gaussian_coherence_prediction(n: int, m: int) -> Tuple[float, float]:
    """Predicted coherence mu (Def. 1) of an n x m random dictionary with Gaussian columns.

    For unit vectors u, v drawn uniformly and independently, (1 + <u, v>)/2 follows
    Beta((n-1)/2, (n-1)/2), so sqrt(n) <u, v> is nearly N(0, 1). Treating the
    M = m(m-1)/2 pairs as independent gives

    * the leading-order growth mu ~ sqrt(2 log(2M)) = sqrt(2 log(m(m-1))), i.e.
      mu = O(sqrt(log m)) (the order quoted for random dictionaries); and
    * the median of mu: sqrt(n) s with ``P(|<u, v>| <= s)^M = 1/2``, from the exact Beta law.

    Parameters
    ----------
    n : int
        Dimension, n >= 2.
    m : int
        Number of columns, m >= 2.

    Returns
    -------
    (leading_order, median) : tuple of float
    """
    from scipy.special import betaincinv

    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=2)
    M = m * (m - 1) / 2.0
    leading = float(np.sqrt(2.0 * np.log(2.0 * M)))
    # P(|<u,v>| <= s) = 2 F((1+s)/2) - 1 = q with q = 2^(-1/M); F the Beta cdf.
    q = float(np.exp2(-1.0 / M))
    half = (n - 1) / 2.0
    s = 2.0 * float(betaincinv(half, half, (1.0 + q) / 2.0)) - 1.0
    return leading, float(np.sqrt(n) * s)


class CoherenceSweep:
    """Coherence of random dictionaries over a list of sizes (see :func:`coherence_sweep`).

    Parameters
    ----------
    n, m : sequence of int, length S
        The sizes.
    mu : array_like, shape (S, trials)
        coherence(A) for each size and trial.

    Attributes
    ----------
    n, m : ndarray of int, shape (S,)
        The sizes.
    mu : ndarray, shape (S, trials)
        coherence(A) for each size and trial (Def. 1).
    max_inner : ndarray, shape (S, trials)
        ``max_{i != j} |<A_i, A_j>| = mu / sqrt(n)``.
    """

    def __init__(self, n, m, mu):
        self.n = np.asarray(n, dtype=int)
        self.m = np.asarray(m, dtype=int)
        self.mu = np.asarray(mu, dtype=np.float64)
        self.max_inner = self.mu / np.sqrt(self.n)[:, None]


def coherence_sweep(ns, ms, *, trials: int, rng: RngLike) -> CoherenceSweep:
    """Coherence mu of random dictionaries over a list of sizes (Def. 1, Sec. 2.2, Sec. 6).

    For each size (n, m) draw ``trials`` dictionaries with :func:`random_dictionary`
    and record ``coherence(A)``.

    Parameters
    ----------
    ns, ms : sequence of int, same length
        The sizes (each m >= 2).
    trials : int
        Dictionaries per size.
    rng : numpy.random.Generator or int
        Draws every dictionary, size by size.

    Returns
    -------
    CoherenceSweep
    """
    ns = [check_int("ns", v, minimum=1) for v in ns]
    ms = [check_int("ms", v, minimum=2) for v in ms]
    if len(ns) != len(ms):
        raise ValueError(f"ms: expected as many sizes as ns ({len(ns)}), got {len(ms)}")
    trials = check_int("trials", trials, minimum=1)
    rng = as_rng(rng)
    mu = np.empty((len(ns), trials))
    for s, (n, m) in enumerate(zip(ns, ms)):
        for t in range(trials):
            A = random_dictionary(n, m, rng=rng)
            gram = A.T @ A
            np.fill_diagonal(gram, 0.0)
            mu[s, t] = np.sqrt(n) * np.abs(gram).max()
    return CoherenceSweep(ns, ms, mu)
