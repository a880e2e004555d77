"""Recovery up to permutation and sign: matching, matched distance, Def. 2.

Any method recovers A only up to a permutation of its columns (and, for sparse
coding, a sign flip of each). The operator pi of Def. 2 is found here by the
Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`) on the squared
column distances, which minimizes ||pi(W) - A||_F exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from ._checks import check_real, check_same_shape

__all__ = [
    "Matching",
    "match_columns",
    "align",
    "column_distances",
    "matched_distance",
    "is_close",
    "is_near",
    "brute_force_match",
    "time_matching",
    "closeness_parameters",
]


@dataclass(frozen=True)
class Matching:
    """The operator pi of Def. 2: ``pi(W)[:, i] = signs[i] * W[:, permutation[i]]``.

    Attributes
    ----------
    permutation : ndarray of int, shape (m,)
        Column i of pi(W) is column ``permutation[i]`` of W.
    signs : ndarray, shape (m,)
        +1 or -1 per column of pi(W) (all +1 without sign flips).
    """

    permutation: np.ndarray
    signs: np.ndarray

    def apply(self, W: np.ndarray) -> np.ndarray:
        """Return pi(W), a new array.

        Parameters
        ----------
        W : ndarray, shape (n, m)
            The matrix the matching was found for (or any with m columns).

        Returns
        -------
        ndarray, shape (n, m)
        """
        return W[:, self.permutation] * self.signs


def _pair(W, A) -> Tuple[np.ndarray, np.ndarray]:
    return check_same_shape("W", W, "A", A)


def match_columns(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> Matching:
    """Find pi minimizing ||pi(W) - A||_F over column permutations (and sign flips).

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Estimate and ground truth.
    signs : bool
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    Matching
    """
    W, A = _pair(W, A)
    inner = A.T @ W  # inner[i, j] = <A_i, W_j>
    if signs:
        cost = -np.abs(inner)
    else:
        cost = -inner
    cost = cost + 0.5 * (np.sum(W * W, axis=0)[None, :] + np.sum(A * A, axis=0)[:, None])
    rows, cols = linear_sum_assignment(cost)
    permutation = cols[np.argsort(rows)]
    chosen = inner[np.arange(A.shape[1]), permutation]
    flip = np.where(chosen < 0, -1.0, 1.0) if signs else np.ones(A.shape[1])
    return Matching(permutation=permutation, signs=flip)


def align(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> np.ndarray:
    """Return pi(W): W's columns permuted (and flipped) to best match A.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Estimate (e.g. trained weights).
    A : ndarray, shape (n, m)
        Ground truth.
    signs : bool, default False
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    ndarray, shape (n, m)
        pi(W) for the pi of :func:`match_columns`, a new array.
    """
    W, A = _pair(W, A)
    return match_columns(W, A, signs=signs).apply(W)


def column_distances(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> np.ndarray:
    """||pi(W)_i - A_i|| for each column i, after matching.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Estimate (e.g. trained weights).
    A : ndarray, shape (n, m)
        Ground truth.
    signs : bool, default False
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    ndarray, shape (m,)
    """
    W, A = _pair(W, A)
    return np.linalg.norm(align(W, A, signs=signs) - A, axis=0)


def matched_distance(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> float:
    """min over permutations (and sign flips) pi of ||pi(W) - A||_F (Sec. 6, Fig. 3).

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Estimate (e.g. trained weights).
    A : ndarray, shape (n, m)
        Ground truth.
    signs : bool, default False
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    float
    """
    return float(np.linalg.norm(column_distances(W, A, signs=signs)))


def _distance_matrix(W: np.ndarray, A: np.ndarray, signs: bool) -> np.ndarray:
    """D[i, j] = min over s of ||s W_j - A_i|| (s = 1, or s = +-1 with ``signs``)."""
    inner = A.T @ W
    cross = np.abs(inner) if signs else inner
    squared = np.sum(W * W, axis=0)[None, :] + np.sum(A * A, axis=0)[:, None] - 2.0 * cross
    return np.sqrt(np.maximum(squared, 0.0))


def _close_matching(W: np.ndarray, A: np.ndarray, delta: float, signs: bool):
    """A Matching with every column distance <= delta, or None when no pi achieves it.

    Among the operators pi that make W delta-close (Def. 2), the one returned
    minimizes ||pi(W) - A||_F: the assignment problem with the edges longer than delta
    removed. Exact, unlike checking the Frobenius-optimal matching alone.
    """
    D = _distance_matrix(W, A, signs)
    # D comes from the Gram identity, accurate to about sqrt(eps): search with a little
    # slack, then decide with the exactly computed distances of the chosen pi.
    allowed = D <= delta + 1e-7 * (1.0 + float(D.max()))
    if not (np.all(allowed.any(axis=0)) and np.all(allowed.any(axis=1))):
        return None
    cost = np.where(allowed, D**2, np.inf)
    try:
        rows, cols = linear_sum_assignment(cost)
    except ValueError:  # no perfect matching uses only allowed edges
        return None
    permutation = cols[np.argsort(rows)]
    chosen = (A.T @ W)[np.arange(A.shape[1]), permutation]
    flip = np.where(chosen < 0, -1.0, 1.0) if signs else np.ones(A.shape[1])
    matching = Matching(permutation=permutation, signs=flip)
    if np.any(np.linalg.norm(matching.apply(W) - A, axis=0) > delta):
        return None
    return matching


def is_close(W: np.ndarray, A: np.ndarray, delta: float, *, signs: bool = False) -> bool:
    """Whether W is delta-close to A: some pi has ||pi(W)_i - A_i|| <= delta for all i (Def. 2).

    Exact: the search is over all permutations (a bottleneck assignment), not only the
    Frobenius-optimal one, which can miss a valid pi when delta is large.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Estimate (e.g. trained weights).
    A : ndarray, shape (n, m)
        Ground truth.
    delta : float
        Largest allowed column distance, delta >= 0.
    signs : bool, default False
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    bool
    """
    delta = check_real("delta", delta, minimum=0.0)
    W, A = _pair(W, A)
    return _close_matching(W, A, delta, signs) is not None


def is_near(W: np.ndarray, A: np.ndarray, delta: float, xi: float, *, signs: bool = False) -> bool:
    """Whether W is (delta, xi)-near to A: delta-close and ||pi(W) - A|| <= xi ||A|| (Def. 2).

    ||.|| is the spectral norm. The pi tested is, among those making W delta-close,
    the one closest in Frobenius norm; closeness is decided exactly, the spectral
    condition for that pi.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Estimate (e.g. trained weights).
    A : ndarray, shape (n, m)
        Ground truth.
    delta : float
        Largest allowed column distance, delta >= 0.
    xi : float
        Bound on the spectral norm ratio ||pi(W) - A|| / ||A||, xi >= 0 (Thm. 2 and 4 use xi = 2).
    signs : bool, default False
        Also allow flipping the sign of each column (sparse coding, Def. 2).

    Returns
    -------
    bool
    """
    delta = check_real("delta", delta, minimum=0.0)
    xi = check_real("xi", xi, minimum=0.0)
    W, A = _pair(W, A)
    matching = _close_matching(W, A, delta, signs)
    if matching is None:
        return False
    return bool(np.linalg.norm(matching.apply(W) - A, 2) <= xi * np.linalg.norm(A, 2))


# --- Chapter 1: brute-force matching and the cost of matching ---

#: Largest number of candidate operators pi that :func:`brute_force_match` enumerates.
BRUTE_FORCE_LIMIT = 2_000_000


def brute_force_match(W: np.ndarray, A: np.ndarray, *, signs: bool = False, objective: str = "frobenius") -> Matching:
    """Find pi of Def. 2 by enumerating every permutation (and every sign pattern).

    A reference for :func:`match_columns` on small m: it evaluates the objective on all
    m! permutations (times 2^m sign patterns when ``signs``), with no reduction to an
    assignment problem. ``objective="frobenius"`` minimizes ||pi(W) - A||_F (what the
    Hungarian algorithm of Kuhn (1955) solves); ``objective="max"`` minimizes the
    largest column distance max_i ||pi(W)_i - A_i||, the quantity delta-closeness
    (Def. 2) bounds. Ties are broken by enumeration order.

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Estimate and ground truth.
    signs : bool
        Also enumerate the sign flip of each column.
    objective : {"frobenius", "max"}
        The sum of squared column distances, or the largest column distance.

    Returns
    -------
    Matching

    Raises
    ------
    ValueError
        If there are more than :data:`BRUTE_FORCE_LIMIT` candidates (from m = 10
        without signs, from m = 8 with signs).
    """
    from itertools import permutations
    from math import factorial

    W, A = _pair(W, A)
    if objective not in ("frobenius", "max"):
        raise ValueError(f"objective: expected 'frobenius' or 'max', got {objective!r}")
    m = A.shape[1]
    count = factorial(m) * (2**m if signs else 1)
    if count > BRUTE_FORCE_LIMIT:
        raise ValueError(f"W: m = {m} gives {count} candidates, more than the brute-force limit {BRUTE_FORCE_LIMIT}")
    # d2[s][i, j] = ||s W_j - A_i||^2 for the sign s (index 0: +1, 1: -1).
    d2 = np.stack([
        np.sum((s * W[:, None, :] - A[:, :, None]) ** 2, axis=0) for s in (1.0, -1.0)
    ])
    perms = np.array(list(permutations(range(m))), dtype=int)  # (m!, m)
    sign_patterns = (
        np.array(np.meshgrid(*([[0, 1]] * m), indexing="ij")).reshape(m, -1).T if signs else np.zeros((1, m), dtype=int)
    )  # (2^m or 1, m), 1 meaning a flip
    rows = np.arange(m)
    best_value, best = np.inf, None
    for flips in sign_patterns:
        cols = d2[flips[None, :], rows[None, :], perms]  # (m!, m) squared column distances
        values = cols.sum(axis=1) if objective == "frobenius" else cols.max(axis=1)
        idx = int(np.argmin(values))
        if values[idx] < best_value:
            best_value, best = float(values[idx]), (perms[idx], flips)
    perm, flips = best
    return Matching(permutation=perm.copy(), signs=np.where(flips == 1, -1.0, 1.0))


def time_matching(ms, *, n: int, rng, method: str = "hungarian", signs: bool = False, repeats: int = 3) -> np.ndarray:
    """Wall-clock seconds to match two random n x m dictionaries, for each m in ``ms``.

    The cost of finding pi (Def. 2): the Hungarian algorithm is O(m^3), brute force
    enumerates m! (2^m) operators. Best of ``repeats`` runs; the numbers depend on the
    machine, so print them only in cells excluded from output comparison.

    Parameters
    ----------
    ms : sequence of int
        Numbers of columns m.
    n : int
        Dimension of the columns.
    rng : numpy.random.Generator or int
        Draws the two dictionaries for each m.
    method : {"hungarian", "brute"}
        :func:`match_columns` or :func:`brute_force_match`.
    signs : bool
        Match up to sign flips as well.
    repeats : int
        Runs per m; the best time is kept.

    Returns
    -------
    ndarray, shape (len(ms),)
    """
    import time

    from ._checks import as_rng, check_int
    from .models import random_dictionary

    if method not in ("hungarian", "brute"):
        raise ValueError(f"method: expected 'hungarian' or 'brute', got {method!r}")
    repeats = check_int("repeats", repeats, minimum=1)
    rng = as_rng(rng)
    out = []
    for m in ms:
        A = random_dictionary(n, m, rng=rng)
        W = random_dictionary(n, m, rng=rng)
        best = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            if method == "hungarian":
                match_columns(W, A, signs=signs)
            else:
                brute_force_match(W, A, signs=signs)
            best = min(best, time.perf_counter() - start)
        out.append(best)
    return np.array(out)


def closeness_parameters(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> Tuple[float, float]:
    """The smallest delta for which W is delta-close to A, and the matching xi (Def. 2).

    delta = min over pi of max_i ||pi(W)_i - A_i|| (a bottleneck assignment, found by
    bisection over the m^2 column distances with the exact test of :func:`is_close`), so
    ``is_close(W, A, d)`` holds exactly when d >= delta. xi = ||pi(W) - A|| / ||A||
    (spectral norms) for the operator pi that :func:`is_near` tests at that delta, so
    ``is_near(W, A, delta, x)`` holds exactly when x >= xi.

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Estimate and ground truth.
    signs : bool
        Allow sign flips (sparse coding).

    Returns
    -------
    (delta, xi) : tuple of float
    """
    W, A = _pair(W, A)
    # the m^2 column distances computed directly (not by the Gram identity), so that the
    # threshold found is exact; memory n m^2, fine for the sizes this is meant for
    distances = np.linalg.norm(W[:, None, :] - A[:, :, None], axis=0)
    if signs:
        distances = np.minimum(distances, np.linalg.norm(W[:, None, :] + A[:, :, None], axis=0))
    # A candidate is tested a hair above its value: the exact check in _close_matching
    # recomputes the chosen columns' distances, which can differ from ``distances`` in the
    # last bit (another summation order) and would then reject the bottleneck value itself.
    values = np.unique(distances) * (1.0 + 8.0 * np.finfo(distances.dtype).eps)
    lo, hi = 0, values.size - 1  # the largest distance always admits a matching
    while lo < hi:
        mid = (lo + hi) // 2
        if _close_matching(W, A, float(values[mid]), signs) is None:
            lo = mid + 1
        else:
            hi = mid
    matching = _close_matching(W, A, float(values[lo]), signs)
    # delta as the exact check computes it, so is_close(W, A, delta) holds
    delta = float(np.max(np.linalg.norm(matching.apply(W) - A, axis=0)))
    xi = float(np.linalg.norm(matching.apply(W) - A, 2) / np.linalg.norm(A, 2))
    return delta, xi
