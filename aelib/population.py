"""The expected gradient of eq. (5) in closed form, for the sparse and non-negative models (Sec. 5, Thm. 4).

Theorem 4 is proved for the update W^{s+1} = normalize(W^s - zeta g^s) in which g is
the *expected* approximate gradient of eq. (5),

    g_i = -E[1[x_i != 0] (W_i^T y I + b_i I + y W_i^T) (y - W x)],

taken over the code x* and the noise eta ("infinitely many fresh samples"), on the
event that the encoder is code-consistent (Thm. 3: supp(x) = supp(x*)). The paper
writes g out for the mixture of Gaussians (proof of Thm. 4 (i), Sec. 5) and defers
the general k-sparse and non-negative cases (Thm. 4 (ii), (iii)) to its Appendix B.
This module evaluates g exactly under assumptions A1, A2 and A4 of Sec. 2.2: a
uniformly random support S of size k, independent non-zeros with
E[x_i | i in S] = kappa1 and E[x_i^2 | i in S] = kappa2, and Gaussian noise.

* :func:`support_moment` -- the support probabilities p_i, p_ij, p_ijl of A1 for a
  uniform k-subset of [m];
* :func:`chain_expectation` -- E[D M_1 D ... M_r D] for D = diag(1[i in S]), the
  building block of every term of (5);
* :func:`population_gradient` -- g itself, in O(m^3 + n m^2) whatever the number of
  samples;
* :func:`oracle_support_gradient` -- its finite-sample counterpart, the approximate
  gradient with the true supports as the encoder's gate; its mean over the model is
  :func:`population_gradient`.

The descent that iterates them (:func:`aelib.recovery.population_descent`,
:func:`aelib.recovery.oracle_support_train`) is in :mod:`aelib.recovery`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, Sequence, Tuple

import numpy as np

from ._checks import check_bias, check_int, check_matrix, check_real

__all__ = ["support_moment", "chain_expectation", "population_gradient", "oracle_support_gradient"]


# --- moments of a uniformly random support -------------------------------------------


def support_moment(m: int, k: int, d: int) -> float:
    """P[d given distinct indices all lie in S] for S a uniform k-subset of [m]: k^(d) / m^(d).

    The falling factorials give p_1 = k/m, p_2 = k(k-1)/(m(m-1)), ... (assumption A1's
    p_i, p_ij, p_ijl), and 0 when d > k.

    Parameters
    ----------
    m : int
        Number of indices, m >= 1.
    k : int
        Support size, 0 <= k <= m.
    d : int
        Number of distinct indices, d >= 0 (d = 0 gives 1).

    Returns
    -------
    float
        k (k-1) ... (k-d+1) / (m (m-1) ... (m-d+1)).
    """
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=0, maximum=m)
    d = check_int("d", d, minimum=0)
    out = 1.0
    for t in range(d):
        out *= max(k - t, 0) / (m - t) if t < m else 0.0
    return float(out)


def _set_partitions(items):
    items = list(items)
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        yield [[first]] + part
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1 :]


@lru_cache(maxsize=None)
def _partition_weights(r: int, m: int, k: int) -> Dict[Tuple[Tuple[int, ...], ...], float]:
    """Weights w(pi) with E[s_{a_0} ... s_{a_r}] = sum_pi w(pi) 1[a constant on the blocks of pi].

    E[s_{a_0} ... s_{a_r}] = p_d, d the number of distinct a_t; Moebius inversion on
    the lattice of set partitions of {0, ..., r} (finest first) gives w.
    """
    parts = [tuple(sorted(tuple(sorted(b)) for b in p)) for p in _set_partitions(range(r + 1))]
    parts.sort(key=lambda q: -len(q))

    def finer(a, b):
        return all(any(set(x) <= set(y) for y in b) for x in a)

    weights: Dict[Tuple[Tuple[int, ...], ...], float] = {}
    for q in parts:
        weights[q] = support_moment(m, k, len(q)) - sum(w for s, w in weights.items() if finer(s, q))
    return weights


def chain_expectation(mats: Sequence[np.ndarray], k: int) -> np.ndarray:
    """E[D M_1 D M_2 ... M_r D] for D = diag(1[i in S]), S a uniform k-subset of [m] (r <= 3).

    Entry (a_0, a_r) is sum over a_1..a_{r-1} of M_1[a_0, a_1] ... M_r[a_{r-1}, a_r]
    E[s_{a_0} ... s_{a_r}], and the moment depends only on how many of the a_t are
    distinct (:func:`support_moment`). Splitting the sum by which indices coincide
    (set partitions of the r + 1 positions) turns it into a few matrix products and
    elementwise products: O(m^3) instead of O(m^(r+1)). This is the building block of
    :func:`population_gradient` (the sums over S of assumption A1 in the expected
    gradient (5)).

    Parameters
    ----------
    mats : sequence of ndarray, shape (m, m)
        M_1, ..., M_r, 0 <= r <= 3 (r = 0 gives E[D] = p_1 I).
    k : int
        Support size.

    Returns
    -------
    ndarray, shape (m, m)
    """
    mats = [np.asarray(M, dtype=np.float64) for M in mats]
    r = len(mats)
    if r > 3:
        raise ValueError(f"mats: chains of at most 3 matrices are supported, got {r}")
    if r == 0:
        raise ValueError("mats: give at least one matrix (E[D] = p_1 I needs m; use support_moment)")
    m = mats[0].shape[0]
    for M in mats:
        if M.shape != (m, m):
            raise ValueError(f"mats: expected square matrices of one size {m}, got {M.shape}")
    k = check_int("k", k, minimum=1, maximum=m)
    w = _partition_weights(r, m, k)
    out = np.zeros((m, m))
    diag = np.zeros(m)

    def add(blocks, value, *, on_diagonal=False):
        weight = w[blocks]
        if weight == 0.0:
            return
        if on_diagonal:
            diag.__iadd__(weight * value)
        else:
            out.__iadd__(weight * value)

    if r == 1:
        (M,) = mats
        add(((0,), (1,)), M)
        add(((0, 1),), np.diagonal(M), on_diagonal=True)
    elif r == 2:
        M1, M2 = mats
        d1, d2 = np.diagonal(M1), np.diagonal(M2)
        add(((0,), (1,), (2,)), M1 @ M2)
        add(((0, 1), (2,)), d1[:, None] * M2)
        add(((0,), (1, 2)), M1 * d2[None, :])
        add(((0, 2), (1,)), np.einsum("ij,ji->i", M1, M2), on_diagonal=True)
        add(((0, 1, 2),), d1 * d2, on_diagonal=True)
    else:
        M1, M2, M3 = mats
        d1, d2, d3 = np.diagonal(M1), np.diagonal(M2), np.diagonal(M3)
        M12 = M1 @ M2
        u12 = np.einsum("ij,ji->i", M1, M2)
        u23 = np.einsum("ij,ji->i", M2, M3)
        add(((0,), (1,), (2,), (3,)), M12 @ M3)
        add(((0, 1), (2,), (3,)), d1[:, None] * (M2 @ M3))
        add(((0,), (1, 2), (3,)), (M1 * d2[None, :]) @ M3)
        add(((0,), (1,), (2, 3)), M12 * d3[None, :])
        add(((0, 2), (1,), (3,)), u12[:, None] * M3)
        add(((0,), (1, 3), (2,)), M1 * u23[None, :])
        add(((0, 3), (1,), (2,)), np.einsum("ij,ji->i", M12, M3), on_diagonal=True)
        add(((0, 1), (2, 3)), d1[:, None] * M2 * d3[None, :])
        add(((0, 2), (1, 3)), M1 * M2.T * M3)
        add(((0, 3), (1, 2)), np.einsum("ij,ji->i", M1 * d2[None, :], M3), on_diagonal=True)
        add(((0, 1, 2), (3,)), (d1 * d2)[:, None] * M3)
        add(((0, 1, 3), (2,)), d1 * u23, on_diagonal=True)
        add(((0, 2, 3), (1,)), u12 * d3, on_diagonal=True)
        add(((0,), (1, 2, 3)), M1 * (d2 * d3)[None, :])
        add(((0, 1, 2, 3),), d1 * d2 * d3, on_diagonal=True)
    out[np.diag_indices(m)] += diag
    return out


# --- the expected (population) gradient -----------------------------------------------


def population_gradient(
    W: np.ndarray,
    A: np.ndarray,
    b=0.0,
    *,
    k: int,
    kappa1: float,
    kappa2: float,
    noise_std: float = 0.0,
) -> np.ndarray:
    """The expected approximate gradient g = E[grad~ L] of eq. (5), in closed form, under code consistency.

    For y = A x* + eta with a uniformly random support S of size k (A1), independent
    non-zeros with E[x_i] = kappa1, E[x_i^2] = kappa2 (A2) and eta ~ N(0, sigma^2 I)
    (A4), and an encoder that is code-consistent (Thm. 3: supp(x) = supp(x*), so
    x_S = W_S^T y + b_S), the expectation of

        grad~_i L = -1[i in S] ((W_i^T y + b_i) I + y W_i^T) (y - W x)

    is a polynomial in the support indicators of degree <= 4 and in y of degree 2.
    Writing D = diag(1[i in S]), E[y y^T | S] = v A D A^T + kappa1^2 A D 1 1^T D A^T + sigma^2 I
    (v = kappa2 - kappa1^2) and E[y | S] = kappa1 A D 1, every term is A or W times a
    chain E[D M_1 D ... D] (:func:`chain_expectation`), so g costs O(m^3 + n m^2)
    whatever the number of samples. This is Theorem 4's "infinitely many fresh
    samples" on the consistency event; the mixture is k = 1, kappa1 = kappa2 = 1.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Weights, columns in A's order (the encoder is assumed code-consistent).
    A : ndarray, shape (n, m)
        Ground truth.
    b : float or ndarray, shape (m,), default 0
        Encoder bias (0 for the threshold encoder of Thm. 4 (ii), (iii.1)).
    k : int
        Support size (exactly k non-zeros).
    kappa1, kappa2 : float
        E[x_i | i in S] and E[x_i^2 | i in S].
    noise_std : float, default 0
        sigma_eta.

    Returns
    -------
    ndarray, shape (n, m)
        The mean over the model of :func:`oracle_support_gradient` (and of
        :func:`aelib.gradient` whenever the encoder is code-consistent).
    """
    A = check_matrix("A", A, dtype=np.float64)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1], dtype=np.float64)
    n, m = A.shape
    b = check_bias("b", b, m)
    k = check_int("k", k, minimum=1, maximum=m)
    kappa1 = check_real("kappa1", kappa1)
    kappa2 = check_real("kappa2", kappa2, minimum=0.0)
    sigma2 = check_real("noise_std", noise_std, minimum=0.0) ** 2
    if kappa2 < kappa1**2 - 1e-12:
        raise ValueError(f"kappa2: must be >= kappa1^2 (a variance), got kappa1={kappa1}, kappa2={kappa2}")
    v = kappa2 - kappa1**2
    C = A.T @ W  # C[j, i] = <A_j, W_i>
    Ct = C.T
    G = W.T @ W

    def E(*mats):
        return chain_expectation(mats, k)

    p1 = support_moment(m, k, 1)
    # -g = A LA + W LW: the terms of E[r (y^T W + b^T) D + y r^T W D], r = (I - W D W^T) y - W D b.
    LA = v * (2.0 * E(C) - E(C, G))
    LW = -v * E(Ct, C) + 2.0 * sigma2 * (p1 * np.eye(m) - E(G))
    if np.any(b != 0.0):
        LW -= E(np.outer(b, b))
    if kappa1 != 0.0:
        J = np.ones((m, m))
        LA += kappa1**2 * (2.0 * E(J, C) - E(J, C, G))
        LW -= kappa1**2 * E(Ct, J, C)
        if np.any(b != 0.0):
            Jb = np.outer(np.ones(m), b)
            LA += kappa1 * (E(Jb) - E(Jb, G))
            LW -= kappa1 * (E(Ct, Jb) + E(Jb.T, C))
    return -(A @ LA + W @ LW)


def oracle_support_gradient(W: np.ndarray, b, Y: np.ndarray, X_star: np.ndarray) -> np.ndarray:
    """The approximate gradient of :func:`aelib.gradient` with the true support as the gate.

    x = 1[x* != 0] (W^T y + b): the encoder of a perfectly code-consistent autoencoder
    (Thm. 3). Its mean over the model is :func:`population_gradient`; on samples where
    the real encoder recovers the support it equals :func:`aelib.gradient`.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Weights, columns in the order of ``X_star``'s rows.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        Samples, one per column.
    X_star : ndarray, shape (m, N)
        True codes; only their support is used.

    Returns
    -------
    ndarray, shape (n, m), float64
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    W = check_matrix("W", W, rows=Y.shape[0], dtype=np.float64)
    X_star = check_matrix("X_star", X_star, rows=W.shape[1], cols=Y.shape[1])
    b = check_bias("b", b, W.shape[1])
    gate = X_star != 0
    X = gate * (W.T @ Y + b[:, None])
    R = Y - W @ X
    P = gate * (W.T @ R)
    return -(R @ X.T + Y @ P.T) / Y.shape[1]
