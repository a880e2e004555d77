"""Initial weights W^0 (Sec. 3 and Sec. 6).

The theory (Thm. 2-4) is local: it needs W^0 that is O*(1/log n) column-wise close to
A. Sec. 6 compares three starts -- a perturbation of the truth, PCA and a random
guess -- and Sec. 3 points to the spectral method of Arora, Ge, Ma and Moitra (2015)
as a provable way to get the required closeness.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ._checks import RngLike, as_rng, check_int, check_matrix, check_real
from .models import normalize_columns, random_dictionary

__all__ = ["perturbed_init", "pca_init", "random_init", "spectral_init"]


def perturbed_init(A: np.ndarray, delta: float, *, rng: RngLike, normalize: bool = True) -> np.ndarray:
    """W^0 = normalize(A + delta E) with E_ij ~ N(0, 1/n) (Sec. 6, init (i)).

    Each column of E has norm close to 1, so before normalization
    ||W_i - A_i|| ~ delta; after it, ~ 2 sin(arctan(delta)/2) (0.46 for delta = 0.5).
    Sec. 6 writes E_ij ~ N(0, 1/sqrt(n)); we read 1/sqrt(n) as the standard deviation.

    Parameters
    ----------
    A : ndarray, shape (n, m)
    delta : float
        Size of the perturbation, >= 0.
    rng : numpy.random.Generator or int
    normalize : bool, default True
        Normalize the columns (as the trainer does after every step).

    Returns
    -------
    ndarray, shape (n, m)
    """
    A = check_matrix("A", A)
    delta = check_real("delta", delta, minimum=0.0)
    rng = as_rng(rng)
    n = A.shape[0]
    W = A + delta * rng.standard_normal(A.shape) / np.sqrt(n)
    return normalize_columns(W) if normalize else W


def _orient(U: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Flip each column u so that the mean of u^T y over the data is >= 0."""
    flips = np.where(U.T @ Y.mean(axis=1) < 0, -1.0, 1.0)
    return U * flips


def _top_left_singular_vectors(Y: np.ndarray, r: int) -> np.ndarray:
    """Top-r left singular vectors of Y (eigenvectors of Y Y^T), in decreasing order."""
    n, N = Y.shape
    if n <= N:
        values, vectors = np.linalg.eigh(Y @ Y.T)
        return vectors[:, ::-1][:, :r]
    U, _, _ = np.linalg.svd(Y, full_matrices=False)
    return U[:, :r]


def pca_init(Y: np.ndarray, m: int, *, center: bool = False) -> np.ndarray:
    """W^0 = the top-m left singular vectors of Y (Sec. 6, init (ii)).

    The sign of a singular vector is arbitrary; each column is oriented so that its
    mean projection on the data is non-negative (otherwise a ReLU unit with negative
    bias could start dead on every sample).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
    m : int
        Number of columns, 1 <= m <= min(n, N).
    center : bool, default False
        Subtract the sample mean first (classical PCA). The paper says "PCA of the
        data samples"; the default follows the issue's reading, uncentered.

    Returns
    -------
    ndarray, shape (n, m), float64
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    m = check_int("m", m, minimum=1, maximum=min(Y.shape))
    data = Y - Y.mean(axis=1, keepdims=True) if center else Y
    return _orient(_top_left_singular_vectors(data, m), Y)


def random_init(n: int, m: int, *, rng: RngLike) -> np.ndarray:
    """W^0 with i.i.d. Gaussian columns, normalized (Sec. 6, init (iii))."""
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
) -> np.ndarray:
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
    M_uv is rank x rank; the eigenvectors are mapped back to R^n.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
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

    Returns
    -------
    ndarray, shape (n, m), unit-norm columns, each oriented to a non-negative mean
    projection on the data (sign is not identifiable from M_uv).

    Raises
    ------
    RuntimeError
        If fewer than m distinct columns are found within ``max_pairs`` pairs.
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    n, N = Y.shape
    m = check_int("m", m, minimum=1)
    if N < 3:
        raise ValueError(f"Y: spectral_init needs at least 3 samples, got {N}")
    gap = check_real("gap", gap, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    duplicate_cosine = check_real(
        "duplicate_cosine", duplicate_cosine, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True
    )
    rank = check_int("rank", min(n, m) if rank is None else rank, minimum=1, maximum=n)
    max_pairs = check_int("max_pairs", 50 * m * m + 200 if max_pairs is None else max_pairs, minimum=1)
    rng = as_rng(rng)

    basis = _top_left_singular_vectors(Y, rank)  # (n, rank)
    Yr = basis.T @ Y  # (rank, N)
    found = []
    for _ in range(max_pairs):
        u, v = rng.choice(N, size=2, replace=False)
        weights = (Yr[:, u] @ Yr) * (Yr[:, v] @ Yr)
        M = (Yr * weights) @ Yr.T / N
        values, vectors = np.linalg.eigh(M)
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
            return _orient(np.array(found).T, Y)
    raise RuntimeError(
        f"spectral_init found {len(found)} of {m} columns in {max_pairs} pairs; "
        "raise max_pairs, or loosen gap / duplicate_cosine"
    )
