"""Code consistency (Thm. 1 and Thm. 3): does the encoder recover the signed support?

Theorem 3 says that when W is delta-close to A the encoder output
x = sigma(W^T y + b) has the support (or the signs) of the true code x* with high
probability. This module measures that on samples and states the bias intervals of
the theorem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np

from ._checks import check_int, check_matrix, check_real
from .autoencoder import _validated

__all__ = [
    "RecoveryRates",
    "recovery_rates",
    "support_recovery_rate",
    "sign_recovery_rate",
    "relu_bias_interval",
    "mixture_bias_interval",
    "preactivation_split",
]


@dataclass(frozen=True)
class RecoveryRates:
    """Fractions of samples whose code is recovered exactly.

    Attributes
    ----------
    support : float
        Fraction with supp(x) = supp(x*) (Thm. 3 (ii), (iii)).
    sign : float
        Fraction with sgn(x) = sgn(x*) (Thm. 3 (i)); never above ``support``.
    entry_support : float
        Fraction of individual entries (i, sample) with 1{x_i != 0} = 1{x*_i != 0}.
    """

    support: float
    sign: float
    entry_support: float


def _codes(X, X_star) -> Tuple[np.ndarray, np.ndarray]:
    X_star = check_matrix("X_star", X_star)
    X = check_matrix("X", X)
    if X.shape != X_star.shape:
        raise ValueError(f"X: expected the shape of X_star {X_star.shape}, got {X.shape}")
    return X, X_star


def recovery_rates(X: np.ndarray, X_star: np.ndarray) -> RecoveryRates:
    """Support and sign recovery rates of codes X (m, N) against the truth X_star (m, N).

    The columns of W must already be matched to A (see :func:`aelib.align`).
    """
    X, X_star = _codes(X, X_star)
    same_support = (X != 0) == (X_star != 0)
    same_sign = np.sign(X) == np.sign(X_star)
    return RecoveryRates(
        support=float(np.mean(np.all(same_support, axis=0))),
        sign=float(np.mean(np.all(same_sign, axis=0))),
        entry_support=float(np.mean(same_support)),
    )


def support_recovery_rate(X: np.ndarray, X_star: np.ndarray) -> float:
    """Fraction of samples with supp(x) = supp(x*) (Thm. 3 (ii), (iii))."""
    return recovery_rates(X, X_star).support


def sign_recovery_rate(X: np.ndarray, X_star: np.ndarray) -> float:
    """Fraction of samples with sgn(x) = sgn(x*) (Thm. 3 (i))."""
    return recovery_rates(X, X_star).sign


def relu_bias_interval(delta: float, k: int, a1: float, a2: float) -> Tuple[float, float]:
    """The bias interval of Thm. 3 (ii): b_i in [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)].

    The interval is empty (lower > upper) when delta is too large for the given k,
    a1, a2; the theorem then promises nothing.

    Returns
    -------
    (lower, upper) : tuple of float
    """
    delta = check_real("delta", delta, minimum=0.0)
    k = check_int("k", k, minimum=1)
    a1 = check_real("a1", a1, minimum=0.0)
    a2 = check_real("a2", a2, minimum=a1)
    spread = a2 * delta * np.sqrt(k)
    return (-(1.0 - delta) * a1 + spread, -spread)


def mixture_bias_interval(delta: float) -> Tuple[float, float]:
    """The bias range of the mixture proof of Thm. 3: -1 + delta < b_i <= -2 delta.

    (The proof needs b_i > -1 + delta for the true unit to fire and b_i <= -2 delta for
    the others to stay silent, up to the small terms mu/sqrt(n) and sigma_eta log n.)
    """
    delta = check_real("delta", delta, minimum=0.0)
    return (-1.0 + delta, -2.0 * delta)


def preactivation_split(W: np.ndarray, b, Y: np.ndarray, X_star: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Split z = W^T y + b into entries on and off the true support.

    This is the quantity of the proof of Thm. 3: z_i for i in supp(x*) (the case
    i = j in the mixture proof) and for i not in supp(x*) (the case i != j). The
    encoder recovers the support of every sample exactly when a cut-off separates
    the two sets.

    Returns
    -------
    on_support, off_support : ndarray (1-D)
    """
    X_star = check_matrix("X_star", X_star)
    W, b, Y = _validated(W, b, Y)
    if X_star.shape != (W.shape[1], Y.shape[1]):
        raise ValueError(f"X_star: expected shape {(W.shape[1], Y.shape[1])}, got {X_star.shape}")
    Z = W.T @ Y + b[:, None]
    on = X_star != 0
    return Z[on], Z[~on]
