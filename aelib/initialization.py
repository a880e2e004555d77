"""Initial weights W^0 (Sec. 3 and Sec. 6).

The theory (Thm. 2-4) is local: it needs W^0 that is O*(1/log n) column-wise close to
A. Sec. 6 compares three starts -- a perturbation of the truth, PCA and a random
guess -- and Sec. 3 points to the spectral method of Arora, Ge, Ma and Moitra (2015)
as a provable way to get the required closeness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import scipy.linalg

from ._checks import RngLike, as_rng, check_int, check_matrix, check_real
from ._threads import blas_threads
from .metrics import column_distances
from .models import normalize_columns, random_dictionary

__all__ = [
    "perturbed_init",
    "pca_init",
    "random_init",
    "spectral_init",
    "INIT_METHODS",
    "Closeness",
    "init_closeness",
    "closeness_vs_n",
    "closeness_table",
    "spectral_pairs_mixture",
    "spectral_pairs",
    "reweighted_covariance",
    "find_pair",
    "span_residual",
    "PairSpectrum",
    "pair_spectrum",
]


def perturbed_init(A: np.ndarray, delta: float, *, rng: RngLike, normalize: bool = True) -> np.ndarray:
    """W^0 = normalize(A + delta E) with E_ij ~ N(0, 1/n) (Sec. 6, init (i)).

    Each column of E has norm close to 1, so before normalization
    ||W_i - A_i|| ~ delta; after it, ~ 2 sin(arctan(delta)/2) (0.46 for delta = 0.5).
    Sec. 6 writes E_ij ~ N(0, 1/sqrt(n)); we read 1/sqrt(n) as the standard deviation.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Ground truth.
    delta : float
        Size of the perturbation, >= 0.
    rng : numpy.random.Generator or int
        Draws E.
    normalize : bool, default True
        Normalize the columns (as the trainer does after every step).

    Returns
    -------
    ndarray, shape (n, m)
        With ``normalize``, unit-norm columns for any finite ``delta`` (the norms
        are scaled, so ``delta = 1e160`` gives unit columns, not zero ones).

    Raises
    ------
    ValueError
        If ``A`` is not a finite matrix, or ``delta`` is negative or so large that
        ``delta * E`` overflows.
    """
    A = check_matrix("A", A)
    delta = check_real("delta", delta, minimum=0.0)
    rng = as_rng(rng)
    n = A.shape[0]
    with np.errstate(over="ignore"):
        W = A + delta * rng.standard_normal(A.shape) / np.sqrt(n)
    if not np.isfinite(W).all():
        raise ValueError(f"delta: A + delta * E overflows for delta={delta:g}; expected a smaller perturbation")
    return normalize_columns(W) if normalize else W


def _orient(U: np.ndarray, Y: np.ndarray, mean: Optional[np.ndarray] = None) -> np.ndarray:
    """Flip each column u so that the mean of u^T y over the data (``mean``, if given) is >= 0."""
    flips = np.where(U.T @ (Y.mean(axis=1) if mean is None else mean) < 0, -1.0, 1.0)
    return U * flips


def _gram_float64(Y: np.ndarray, mean: Optional[np.ndarray], block_elements: int = 1 << 18) -> np.ndarray:
    """(Y - mean) (Y - mean)^T in float64 for float32 ``Y``, summed over column blocks.

    Only one block of ``block_elements`` float64 values exists at a time: no float64
    copy of Y (which would be twice the size of the data).
    """
    n, N = Y.shape
    gram = np.zeros((n, n))
    step = max(1, block_elements // n)
    for start in range(0, N, step):
        block = Y[:, start : start + step].astype(np.float64)
        if mean is not None:
            block -= mean[:, None]
        gram += block @ block.T
    return gram


def _top_left_singular_vectors(Y: np.ndarray, r: int, gram: Optional[np.ndarray] = None) -> np.ndarray:
    """Top-r left singular vectors of Y (eigenvectors of Y Y^T, or of ``gram`` when given), in decreasing order."""
    n, N = Y.shape
    if gram is not None or n <= N:
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            gram = Y @ Y.T if gram is None else gram
        if not np.isfinite(gram).all():
            raise FloatingPointError(
                f"Y: the Gram matrix Y Y^T overflows (data scale max|Y| = {float(np.max(np.abs(Y))):.3g}); "
                "scale the data to order 1"
            )
        # LAPACK eigensolvers on one BLAS thread: their level-2 steps gain nothing from a
        # second one, which on a shared machine turns them into spin-waits (8-20x slower)
        with blas_threads(1):
            if r < n:  # only the top r eigenpairs: much cheaper than a full eigh for r << n
                values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - r, n - 1])
            else:
                values, vectors = np.linalg.eigh(gram)
        return vectors[:, ::-1][:, :r]
    U, _, _ = np.linalg.svd(Y, full_matrices=False)
    return U[:, :r]


def _reweighted_spectra(Yr: np.ndarray, uv: np.ndarray, N: int, chunk_elements: int = 1 << 21):
    """Eigen-decompositions of M_uv = (1/N) sum_y <y,u> <y,v> y y^T for a batch of pairs.

    ``Yr`` is (r, N) and ``uv`` (B, 2) holds sample indices. All B matrices come from
    one product (B x N) @ (N x r(r+1)/2) per chunk of samples -- the distinct entries
    y_a y_b of y y^T -- instead of B small products (far faster, and free of the
    thread overhead of many tiny BLAS calls). Returns (values (B, r), vectors (B, r, r)).
    """
    r = Yr.shape[0]
    weights = (Yr[:, uv[:, 0]].T @ Yr) * (Yr[:, uv[:, 1]].T @ Yr)  # (B, N)
    rows, cols = np.triu_indices(r)
    entries = np.zeros((uv.shape[0], rows.size))
    step = max(1, chunk_elements // rows.size)
    for start in range(0, N, step):
        block = Yr[:, start : start + step]
        entries += weights[:, start : start + step] @ (block[rows] * block[cols]).T
    M = np.zeros((uv.shape[0], r, r))
    M[:, rows, cols] = entries / N
    M[:, cols, rows] = entries / N
    with blas_threads(1):
        return np.linalg.eigh(M)


def pca_init(Y: np.ndarray, m: int, *, center: bool = False) -> np.ndarray:
    """W^0 = the top-m left singular vectors of Y (Sec. 6, init (ii)).

    The sign of a singular vector is arbitrary; each column is oriented so that its
    mean projection on the data is non-negative (otherwise a ReLU unit with negative
    bias could start dead on every sample).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    m : int
        Number of columns, 1 <= m <= min(n, N).
    center : bool, default False
        Subtract the sample mean first (classical PCA). The paper says "PCA of the
        data samples"; the default follows the issue's reading, uncentered.

    Returns
    -------
    ndarray, shape (n, m), float64

    Raises
    ------
    FloatingPointError
        If the Gram matrix overflows (data entries beyond about 1e150).

    Notes
    -----
    float64 data is used as it is. float32 data is not copied to float64 (a copy
    twice the size of the data): the n x n Gram matrix is accumulated in float64
    over blocks of columns, and the mean in float64. Only when n > N (the SVD path)
    is a float64 copy made.
    """
    Y = check_matrix("Y", Y)
    m = check_int("m", m, minimum=1, maximum=min(Y.shape))
    if Y.dtype != np.float64:
        mean = Y.mean(axis=1, dtype=np.float64)
        if Y.shape[0] <= Y.shape[1]:
            gram = _gram_float64(Y, mean if center else None)
            return _orient(_top_left_singular_vectors(Y, m, gram), Y, mean)
        Y = Y.astype(np.float64)
    data = Y - Y.mean(axis=1, keepdims=True) if center else Y
    return _orient(_top_left_singular_vectors(data, m), Y)


def random_init(n: int, m: int, *, rng: RngLike) -> np.ndarray:
    """W^0 with i.i.d. Gaussian columns, normalized (Sec. 6, init (iii)).

    Parameters
    ----------
    n : int
        Dimension of the samples (rows of W^0).
    m : int
        Number of hidden units (columns of W^0).
    rng : numpy.random.Generator or int
        Draws the columns.

    Returns
    -------
    ndarray, shape (n, m), float64, unit-norm columns
        The same draw as :func:`aelib.random_dictionary` (n, m, rng=rng).
    """
    return random_dictionary(n, m, rng=rng)


def spectral_init(
    Y: np.ndarray,
    m: int,
    *,
    rng: RngLike,
    max_pairs: Optional[int] = None,
    gap: float = 0.25,
    duplicate_cosine: float = 0.5,
    rank: Optional[int] = None,
    center: bool = False,
    return_pairs: bool = False,
):
    """Spectral initialization of Arora, Ge, Ma and Moitra (2015), cited in Sec. 3.

    Repeatedly draw two samples u, v and form the reweighted covariance

        M_uv = (1/N) sum_y <y, u> <y, v> y y^T.

    When u and v share exactly one dictionary column A_i in their supports, M_uv is
    close to a multiple of A_i A_i^T: its top eigenvalue stands out. A pair is
    accepted when sigma_2 <= gap * sigma_1; its top eigenvector is added unless it
    is a near-duplicate (|cosine| > ``duplicate_cosine``) of a column already found.
    The loop stops when m columns are found.

    To keep each pair cheap the data are first projected on their top ``rank`` left
    singular vectors (default min(n, m), the dimension of A's column span), so that
    M_uv is rank x rank; the eigenvectors are mapped back to R^n. Pairs are drawn
    one at a time from ``rng`` but evaluated in batches (up to 512 matrices M_uv from
    one matrix product), so a Generator passed as ``rng`` is advanced past the
    stopping pair by up to one batch.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    m : int
        Number of columns to find.
    rng : numpy.random.Generator or int
        Draws the pairs.
    max_pairs : int, optional
        Give up after this many pairs (default 50 m^2 + 200).
    gap : float in (0, 1)
        Acceptance ratio sigma_2 / sigma_1.
    duplicate_cosine : float in (0, 1)
        |<z, w>| above which a candidate repeats a column already found.
    rank : int, optional
        Dimension of the projection (default min(n, m)).
    center : bool, default False
        Subtract the sample mean of Y before forming M_uv. For non-negative codes
        (E[x*] != 0) the mean direction A E[x*] otherwise dominates every M_uv; Sec. 3
        conjectures that the method extends to that case with "more complicated
        treatments", and centering is the simplest one. (Not part of Arora et al.)
    return_pairs : bool, default False
        Also return the number of pairs (u, v) drawn before the m-th column was
        found, a measure of the method's cost (each pair costs one M_uv: about
        rank^2 N / 2 multiply-adds, and one rank x rank eigendecomposition).

    Returns
    -------
    W : ndarray, shape (n, m)
        Unit-norm columns, each oriented to a non-negative mean projection on the
        data (sign is not identifiable from M_uv).
    pairs : int
        Only with ``return_pairs=True``: the number of pairs drawn (<= ``max_pairs``).

    Raises
    ------
    RuntimeError
        If fewer than m distinct columns are found within ``max_pairs`` pairs.
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    m = check_int("m", m, minimum=1)
    found, pairs, max_pairs = _spectral_columns(
        Y, m, rng=rng, max_pairs=max_pairs, gap=gap, duplicate_cosine=duplicate_cosine, rank=rank, center=center
    )
    if len(found) < m:
        raise RuntimeError(
            f"spectral_init found {len(found)} of {m} columns in {max_pairs} pairs; "
            "raise max_pairs, or loosen gap / duplicate_cosine"
        )
    W = _orient(np.array(found).T, Y)
    return (W, pairs) if return_pairs else W


def _spectral_columns(Y, m, *, rng, max_pairs, gap, duplicate_cosine, rank, center, basis=None):
    """The loop of :func:`spectral_init`: (columns found, pairs drawn, max_pairs).

    Stops at m columns or after ``max_pairs`` pairs, whichever comes first. ``basis``
    may pass the top-``rank`` left singular vectors of the (centered) data when the
    caller already has them.
    """
    n, N = Y.shape
    if N < 3:
        raise ValueError(f"Y: spectral_init needs at least 3 samples, got {N}")
    gap = check_real("gap", gap, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    duplicate_cosine = check_real(
        "duplicate_cosine", duplicate_cosine, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True
    )
    rank = check_int("rank", min(n, m) if rank is None else rank, minimum=1, maximum=n)
    max_pairs = check_int("max_pairs", 50 * m * m + 200 if max_pairs is None else max_pairs, minimum=1)
    rng = as_rng(rng)

    data = Y - Y.mean(axis=1, keepdims=True) if center else Y
    if basis is None:
        basis = _top_left_singular_vectors(data, rank)  # (n, rank)
    Yr = basis.T @ data  # (rank, N)
    found = []
    pairs = 0
    batch = 32
    while pairs < max_pairs:
        batch = min(2 * batch, 512, max_pairs - pairs)
        # The same pairs, in the same order, as drawing them one at a time.
        uv = np.array([rng.choice(N, size=2, replace=False) for _ in range(batch)])
        for values, vectors in zip(*_reweighted_spectra(Yr, uv, N)):
            pairs += 1
            order = np.argsort(np.abs(values))[::-1]
            top = abs(values[order[0]])
            second = abs(values[order[1]]) if rank > 1 else 0.0
            if top == 0.0 or second > gap * top:
                continue
            z = basis @ vectors[:, order[0]]
            if found and np.max(np.abs(np.array(found) @ z)) > duplicate_cosine:
                continue
            found.append(z / np.linalg.norm(z))
            if len(found) == m:
                return found, pairs, max_pairs
    return found, pairs, max_pairs


# --- Chapter 3: how close is each start? ------------------------------------------------

#: The starts compared by :func:`init_closeness` and :func:`closeness_vs_n`.
INIT_METHODS = ("perturbation", "pca", "pca_centered", "random", "spectral", "spectral_centered")


@dataclass(frozen=True)
class Closeness:
    """How close one start W^0 is to A, column by column (Def. 2, Sec. 3).

    Attributes
    ----------
    method : str
        One of :data:`INIT_METHODS`.
    n, m : int
        Shape of A.
    distances : ndarray, shape (m,)
        ||pi(W^0)_i - A_i|| after matching (:func:`aelib.column_distances`); all NaN
        when the start failed (a spectral start that gave up).
    pairs : int or None
        Spectral starts only: the pairs (u, v) drawn.
    found : int
        Columns produced: m, except for a spectral start that gave up.
    """

    method: str
    n: int
    m: int
    distances: np.ndarray
    pairs: Optional[int]
    found: int

    @property
    def max(self) -> float:
        """max_i ||pi(W^0)_i - A_i||: the delta of Def. 2 this start achieves."""
        return float(np.max(self.distances))

    @property
    def median(self) -> float:
        """Median over columns of ||pi(W^0)_i - A_i||."""
        return float(np.median(self.distances))

    @property
    def requirement(self) -> float:
        """1 / log n, the O*(1/log n) closeness the theory asks of W^0 (Sec. 3), constant 1."""
        return float(1.0 / np.log(self.n))

    @property
    def meets(self) -> bool:
        """Whether max_i ||pi(W^0)_i - A_i|| <= 1 / log n (False for a failed start)."""
        return bool(self.found == self.m and self.max <= self.requirement)


def init_closeness(
    model,
    N: int,
    *,
    rng: RngLike,
    methods: Sequence[str] = INIT_METHODS,
    delta: Union[float, Callable[[int], float]] = 0.5,
    signs: bool = False,
    max_pairs: Optional[int] = None,
) -> List[Closeness]:
    """Draw N samples from ``model`` and measure how close each start is to ``model.A``.

    The starts are those of Sec. 6 and Sec. 3: ``"perturbation"``
    (:func:`perturbed_init` with ``delta``, which needs A), ``"pca"`` and
    ``"pca_centered"`` (:func:`pca_init`), ``"random"`` (:func:`random_init`) and
    ``"spectral"`` / ``"spectral_centered"`` (:func:`spectral_init`, which may give up:
    its row then has NaN distances and ``found < m``).

    Parameters
    ----------
    model : BilinearModel
        GaussianMixture, SparseCoding or NonnegativeSparseCoding.
    N : int
        Samples for the data-driven starts.
    rng : numpy.random.Generator or int
        Draws the samples, then the random parts of the starts, in the order of ``methods``.
    methods : sequence of str
        Subset of :data:`INIT_METHODS`.
    delta : float or callable
        Size of the perturbation, or a function of n giving it (e.g. ``lambda n: 0.5 / np.log(n)``).
    signs : bool
        Match columns up to sign as well (sparse coding, Def. 2).
    max_pairs : int, optional
        Passed to :func:`spectral_init`.

    Returns
    -------
    list of Closeness
        One per method, in the order of ``methods``.
    """
    unknown = [name for name in methods if name not in INIT_METHODS]
    if unknown:
        raise ValueError(f"methods: unknown start(s) {unknown}; expected names from {INIT_METHODS}")
    rng = as_rng(rng)
    A = model.A
    n, m = A.shape
    Y, _ = model.sample(N, rng=rng)
    Y = check_matrix("Y", Y, dtype=np.float64)
    top = {}  # top-m left singular vectors, uncentered (False) and centered (True): shared by PCA and spectral

    def basis(center):
        if center not in top:
            top[center] = _top_left_singular_vectors(Y - Y.mean(axis=1, keepdims=True) if center else Y, min(n, m))
        return top[center]

    rows = []
    for name in methods:
        pairs = None
        if name == "perturbation":
            size = delta(n) if callable(delta) else delta
            W = perturbed_init(A, size, rng=rng)
        elif name in ("pca", "pca_centered"):
            W = _orient(basis(name == "pca_centered"), Y)  # = pca_init(Y, m, center=...)
        elif name == "random":
            W = random_init(n, m, rng=rng)
        else:
            center = name == "spectral_centered"
            found, pairs, _ = _spectral_columns(
                Y, m, rng=rng, max_pairs=max_pairs, gap=0.25, duplicate_cosine=0.5, rank=None, center=center,
                basis=basis(center),
            )
            if len(found) < m:
                rows.append(Closeness(name, n, m, np.full(m, np.nan), pairs, len(found)))
                continue
            W = _orient(np.array(found).T, Y)
        rows.append(Closeness(name, n, m, column_distances(W, A, signs=signs), pairs, m))
    return rows


def closeness_vs_n(
    make_model: Callable[[np.ndarray], object],
    ns: Sequence[int],
    m: Union[int, Callable[[int], int]],
    *,
    N: int,
    rng: RngLike,
    methods: Sequence[str] = INIT_METHODS,
    delta: Union[float, Callable[[int], float]] = 0.5,
    signs: bool = False,
    max_pairs: Optional[int] = None,
) -> List[Closeness]:
    """:func:`init_closeness` for growing n: does a start meet delta = O*(1/log n)?

    For each n a fresh ground truth A = random_dictionary(n, m) is drawn and
    ``make_model(A)`` builds the generative model (e.g.
    ``lambda A: GaussianMixture(A, noise_std=0.01)``).

    Parameters
    ----------
    make_model : callable
        A -> model.
    ns : sequence of int
        Dimensions n.
    m : int or callable
        Number of columns, or a function of n (e.g. ``lambda n: n // 4``).
    N : int
        Samples for the data-driven starts, for every n.
    rng : numpy.random.Generator or int
        Draws every A, then the samples and starts of :func:`init_closeness`.
    methods : sequence of str
        Subset of :data:`INIT_METHODS`.
    delta : float or callable
        Size of the perturbation, or a function of n giving it (e.g. ``lambda n: 0.5 / np.log(n)``).
    signs : bool
        Match columns up to sign as well (sparse coding, Def. 2).
    max_pairs : int, optional
        Passed to :func:`spectral_init`.

    Returns
    -------
    list of Closeness
        Ordered by n, then by method.
    """
    rng = as_rng(rng)
    rows = []
    for n in ns:
        n = check_int("n", n, minimum=2)
        A = random_dictionary(n, m(n) if callable(m) else m, rng=rng)
        rows += init_closeness(
            make_model(A), N, rng=rng, methods=methods, delta=delta, signs=signs, max_pairs=max_pairs
        )
    return rows


def spectral_pairs_mixture(m: int) -> float:
    """Expected pairs for :func:`spectral_init` on a mixture with m equal weights: m^2 H_m.

    A pair (u, v) reveals component i when both samples come from it, which happens
    with probability 1/m^2 for each i, so a pair reveals some component with
    probability 1/m. If exactly those pairs are accepted, collecting all m components
    is the coupon collector's problem with success probability 1/m per draw:
    m * (m H_m) pairs on average, with H_m = 1 + 1/2 + ... + 1/m. This is the cost
    model behind Sec. 3's spectral start, for the mixture (k = 1).

    Parameters
    ----------
    m : int
        Number of mixture components, m >= 1.

    Returns
    -------
    float
        m^2 H_m.
    """
    m = check_int("m", m, minimum=1)
    return float(m * m * np.sum(1.0 / np.arange(1, m + 1)))


def spectral_pairs(model, N: int, *, trials: int, rng: RngLike, **spectral_kwargs) -> np.ndarray:
    """Pairs drawn by :func:`spectral_init` until it finds m columns, over independent trials.

    Each trial draws fresh samples from ``model`` (same A) and runs the spectral start
    with a fresh stream of pairs.

    Parameters
    ----------
    model : BilinearModel
        The generative model (eq. (3)); its ``m`` is the number of columns sought.
    N : int
        Samples per trial.
    trials : int
        Number of independent trials, >= 1.
    rng : numpy.random.Generator or int
        Draws the samples and the pairs of every trial, in turn.
    **spectral_kwargs
        Passed on to :func:`spectral_init` (e.g. ``max_pairs``, ``gap``).

    Returns
    -------
    ndarray of int, shape (trials,)
        The number of pairs of each trial; -1 where the start gave up.
    """
    trials = check_int("trials", trials, minimum=1)
    rng = as_rng(rng)
    out = np.empty(trials, dtype=int)
    for t in range(trials):
        Y, _ = model.sample(N, rng=rng)
        try:
            _, out[t] = spectral_init(Y, model.m, rng=rng, return_pairs=True, **spectral_kwargs)
        except RuntimeError:
            out[t] = -1
    return out


def reweighted_covariance(Y: np.ndarray, u: int, v: int) -> np.ndarray:
    """M_uv = (1/N) sum_y <y, u> <y, v> y y^T for the samples u = Y[:, u], v = Y[:, v].

    The matrix of the spectral method (Arora, Ge, Ma and Moitra 2015; Sec. 3), formed
    in full (n x n) for inspection; :func:`spectral_init` forms it in a projection.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    u, v : int
        Column indices of the two samples.

    Returns
    -------
    ndarray, shape (n, n), symmetric
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    N = Y.shape[1]
    u = check_int("u", u, minimum=0, maximum=N - 1)
    v = check_int("v", v, minimum=0, maximum=N - 1)
    weights = (Y[:, u] @ Y) * (Y[:, v] @ Y)
    return (Y * weights) @ Y.T / N


def find_pair(X_star: np.ndarray, shared: int, *, rng: RngLike) -> tuple:
    """Two distinct samples whose supports share exactly ``shared`` indices.

    Parameters
    ----------
    X_star : ndarray, shape (m, N)
        True codes.
    shared : int
        |supp(x*_u) & supp(x*_v)|, >= 0.
    rng : numpy.random.Generator or int
        Picks u at random among the samples, then v among those that qualify.

    Returns
    -------
    (u, v) : tuple of int

    Raises
    ------
    ValueError
        If no pair with exactly ``shared`` common indices exists among 50 tries of u.
    """
    X_star = check_matrix("X_star", X_star)
    shared = check_int("shared", shared, minimum=0)
    rng = as_rng(rng)
    S = (X_star != 0).astype(np.int64)
    N = S.shape[1]
    for _ in range(50):
        u = int(rng.integers(N))
        overlap = S[:, u] @ S
        overlap[u] = -1
        candidates = np.flatnonzero(overlap == shared)
        if candidates.size:
            return u, int(rng.choice(candidates))
    raise ValueError(f"shared: no pair of samples shares exactly {shared} support indices")


def span_residual(W: np.ndarray, A: np.ndarray) -> np.ndarray:
    """||A_i - P_W A_i|| for each column of A, with P_W the orthogonal projector on span(W).

    Zero when A's columns lie in the span of W: a start can have the right subspace
    (small residual) and still be far from A column by column (PCA on a mixture).

    Parameters
    ----------
    W : ndarray, shape (n, m_W)
        A start W^0, any number of linearly independent columns.
    A : ndarray, shape (n, m_A)
        Ground truth.

    Returns
    -------
    ndarray, shape (m_A,)
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0])
    Q, _ = np.linalg.qr(W)
    return np.linalg.norm(A - Q @ (Q.T @ A), axis=0)


@dataclass(frozen=True)
class PairSpectrum:
    """The spectrum of one M_uv (:func:`pair_spectrum`).

    Attributes
    ----------
    values : ndarray, shape (top,)
        The largest |eigenvalues| of M_uv, in decreasing order.
    ratio : float
        sigma_2 / sigma_1, the quantity :func:`spectral_init` compares with ``gap``.
    column : int
        The column of A closest (in |cosine|) to the top eigenvector.
    cosine : float
        That |cosine|.
    """

    values: np.ndarray
    ratio: float
    column: int
    cosine: float


def pair_spectrum(Y: np.ndarray, u: int, v: int, A: np.ndarray, *, top: int = 8) -> PairSpectrum:
    """Eigenvalues of M_uv (:func:`reweighted_covariance`) and how well its top eigenvector matches A.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    u, v : int
        Column indices of the two samples.
    A : ndarray, shape (n, m)
        Ground truth, to name the column the top eigenvector recovers.
    top : int
        How many eigenvalues to return.

    Returns
    -------
    PairSpectrum
    """
    A = check_matrix("A", A)
    M = reweighted_covariance(Y, u, v)
    top = check_int("top", top, minimum=2, maximum=M.shape[0])
    with blas_threads(1):
        values, vectors = np.linalg.eigh(M)
    order = np.argsort(np.abs(values))[::-1]
    magnitudes = np.abs(values[order])
    cosines = np.abs(A.T @ vectors[:, order[0]]) / np.linalg.norm(A, axis=0)
    return PairSpectrum(
        values=magnitudes[:top],
        ratio=float(magnitudes[1] / magnitudes[0]),
        column=int(np.argmax(cosines)),
        cosine=float(np.max(cosines)),
    )


def closeness_table(rows: Sequence[Closeness]) -> tuple:
    """Arrange :func:`closeness_vs_n` rows for :func:`aelib.report.table`: one line per n.

    Columns: n, 1/log n, then max_i ||pi(W^0)_i - A_i|| for each start present (in the
    order of :data:`INIT_METHODS`; a spectral start that gave up shows as
    ``gave up (f/m)``), then the spectral start's pairs when there is one.

    Parameters
    ----------
    rows : sequence of Closeness
        E.g. the output of :func:`closeness_vs_n`.

    Returns
    -------
    (table_rows, headers)
    """
    methods = [name for name in INIT_METHODS if any(r.method == name for r in rows)]
    headers = ["n", "1/log n"] + methods + (["pairs"] if "spectral" in methods else [])
    out = []
    for n in sorted({r.n for r in rows}):
        mine = {r.method: r for r in rows if r.n == n}
        line = [n, 1.0 / np.log(n)]
        for name in methods:
            r = mine.get(name)
            if r is None:
                line.append("-")
            elif r.found < r.m:
                line.append(f"gave up ({r.found}/{r.m})")
            else:
                line.append(r.max)
        if "spectral" in methods:
            line.append(mine["spectral"].pairs if "spectral" in mine else "-")
        out.append(line)
    return out, headers
