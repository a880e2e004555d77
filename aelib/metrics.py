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

from ._checks import check_matrix, check_real

__all__ = [
    "Matching",
    "match_columns",
    "align",
    "column_distances",
    "matched_distance",
    "is_close",
    "is_near",
]


@dataclass(frozen=True)
class Matching:
    """The operator pi of Def. 2: ``pi(W)[:, i] = signs[i] * W[:, permutation[i]]``."""

    permutation: np.ndarray
    signs: np.ndarray

    def apply(self, W: np.ndarray) -> np.ndarray:
        """Return pi(W), a new array."""
        return W[:, self.permutation] * self.signs


def _pair(W, A) -> Tuple[np.ndarray, np.ndarray]:
    A = check_matrix("A", A)
    W = check_matrix("W", W)
    if W.shape != A.shape:
        raise ValueError(f"W: expected the shape of A {A.shape}, got {W.shape}")
    return W, A


def match_columns(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> Matching:
    """Find pi minimizing ||pi(W) - A||_F over column permutations (and sign flips).

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
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
    """Return pi(W): W's columns permuted (and flipped) to best match A."""
    W, A = _pair(W, A)
    return match_columns(W, A, signs=signs).apply(W)


def column_distances(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> np.ndarray:
    """||pi(W)_i - A_i|| for each column i, after matching.

    Returns
    -------
    ndarray, shape (m,)
    """
    W, A = _pair(W, A)
    return np.linalg.norm(align(W, A, signs=signs) - A, axis=0)


def matched_distance(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> float:
    """min over permutations (and sign flips) pi of ||pi(W) - A||_F (Sec. 6, Fig. 3)."""
    return float(np.linalg.norm(column_distances(W, A, signs=signs)))


def is_close(W: np.ndarray, A: np.ndarray, delta: float, *, signs: bool = False) -> bool:
    """Whether W is delta-close to A: ||pi(W)_i - A_i|| <= delta for all i (Def. 2).

    The matching minimizes the Frobenius distance; for the small delta the theory
    needs, that matching is also the one achieving the column-wise bound.
    """
    delta = check_real("delta", delta, minimum=0.0)
    return bool(np.all(column_distances(W, A, signs=signs) <= delta))


def is_near(W: np.ndarray, A: np.ndarray, delta: float, xi: float, *, signs: bool = False) -> bool:
    """Whether W is (delta, xi)-near to A: delta-close and ||pi(W) - A|| <= xi ||A|| (Def. 2).

    ||.|| is the spectral norm.
    """
    delta = check_real("delta", delta, minimum=0.0)
    xi = check_real("xi", xi, minimum=0.0)
    W, A = _pair(W, A)
    aligned = align(W, A, signs=signs)
    close = np.all(np.linalg.norm(aligned - A, axis=0) <= delta)
    return bool(close and np.linalg.norm(aligned - A, 2) <= xi * np.linalg.norm(A, 2))
