"""The learning stage (Sec. 5): expected gradients, Lemma 1, bias schedules, the trainer.

The update analysed in Thm. 4 is normalized gradient descent with the approximate
gradient g of Sec. 5,

    W^{s+1} = normalize(W^s - lr g^s),    b^{s+1} = b^s / C,

where C = 1 keeps the bias fixed (threshold activation, b = 0), C > 1 is the
geometric decay of Thm. 4 (i.2) and (iii.2) (Sec. 6 uses C = 2), and
C = 1 / sqrt(1 - tau) is the schedule b^{s+1} = sqrt(1 - tau) b^s of Sec. 5.

:func:`train` is the hot path: two passes over Y per step and no n x N temporary
besides Y (see :func:`aelib.autoencoder._loss_and_gradients`).
:func:`reference_train` is the same algorithm written plainly, for reading and for
checking :func:`train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._checks import check_activation, check_bias, check_int, check_matrix, check_real
from .autoencoder import _loss_and_gradients, _squared_norm, _workspace, encode
from .metrics import matched_distance

__all__ = [
    "TrainResult",
    "train",
    "reference_train",
    "sqrt_decay",
    "expected_gradient_mixture",
    "Lemma1",
    "lemma1",
]


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    Attributes
    ----------
    W : ndarray, shape (n, m)
        Final weights W^S (S = ``steps_run``).
    b : ndarray, shape (m,)
        Final bias b^S.
    loss : ndarray, shape (S + 1,)
        loss[s] is the mean reconstruction loss at (W^s, b^s).
    distance : ndarray, shape (S + 1,) or None
        Matched distance min_pi ||pi(W^s) - A||_F when ``A`` was given.
    bias : ndarray, shape (S + 1, m)
        The bias b^s used at each step.
    steps_run : int
        Number of updates made (less than ``steps`` after an early stop).
    stopped_early : bool
        Whether the tolerance ``tol`` ended the run.
    """

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    distance: Optional[np.ndarray]
    bias: np.ndarray
    steps_run: int
    stopped_early: bool


def sqrt_decay(tau: float) -> float:
    """The divisor C giving Sec. 5's schedule b^{s+1} = sqrt(1 - tau) b^s, i.e. 1/sqrt(1 - tau)."""
    tau = check_real("tau", tau, minimum=0.0, maximum=1.0, strict_max=True)
    return float(1.0 / np.sqrt(1.0 - tau))


def _next_bias(b: np.ndarray, decay: float, floor: Optional[float]) -> np.ndarray:
    """b / C, with |b| kept at least ``floor`` (sign preserved) when a floor is set."""
    b = b / decay
    if floor is not None:
        b = np.where(b < 0, -1.0, 1.0).astype(b.dtype) * np.maximum(np.abs(b), floor)
    return b


def _normalized_step(W: np.ndarray, G: np.ndarray, lr: float) -> np.ndarray:
    W = W - lr * G
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms == 0):
        raise FloatingPointError("a column of W - lr * gradient is zero; cannot normalize (lower lr)")
    W /= norms
    return W


def _train_arguments(Y, W0, b0, lr, steps, activation, lam, bias_decay, bias_floor, A):
    lam = check_activation(activation, lam)
    Y = check_matrix("Y", Y)
    W0 = check_matrix("W0", W0, rows=Y.shape[0], dtype=Y.dtype, nonzero_columns=True)
    m = W0.shape[1]
    b0 = check_bias("b0", b0, m, dtype=Y.dtype)
    lr = check_real("lr", lr, minimum=0.0, strict_min=True)
    steps = check_int("steps", steps, minimum=0)
    bias_decay = check_real("bias_decay", bias_decay, minimum=0.0, strict_min=True)
    if bias_floor is not None:
        bias_floor = check_real("bias_floor", bias_floor, minimum=0.0)
    if A is not None:
        A = check_matrix("A", A, rows=Y.shape[0], cols=m)
    return Y, W0, b0, lr, steps, lam, bias_decay, bias_floor, A


def train(
    Y: np.ndarray,
    W0: np.ndarray,
    b0,
    *,
    lr: float,
    steps: int,
    activation: str = "relu",
    lam: Optional[float] = None,
    bias_decay: float = 1.0,
    A: Optional[np.ndarray] = None,
    signs: bool = False,
    bias_floor: Optional[float] = None,
    tol: Optional[float] = None,
) -> TrainResult:
    """Normalized batch gradient descent on the autoencoder loss (Sec. 5, Thm. 4).

    Each step: W <- normalize(W - lr * g(W, b)), then b <- b / bias_decay, where g
    is the approximate gradient :func:`aelib.gradient` over all columns of ``Y``.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Training data, one sample per column. float32 input is trained in float32.
    W0 : ndarray, shape (n, m)
        Initial weights (not normalized here; no zero column).
    b0 : float or ndarray, shape (m,)
        Initial bias.
    lr : float
        Learning rate zeta > 0 (Theta(m) for the mixture, Theta(m/k) for sparse codes).
    steps : int
        Number of updates T >= 0.
    activation : {"relu", "threshold"}
    lam : float, optional
        Threshold of the hard-threshold activation (required for it).
    bias_decay : float, default 1.0
        The constant C > 0 of b^{s+1} = b^s / C. 1 keeps b fixed; 2 is Sec. 6;
        :func:`sqrt_decay` gives Sec. 5's sqrt(1 - tau) schedule.
    A : ndarray, shape (n, m), optional
        Ground truth; when given, the matched distance is recorded at every step.
    signs : bool, default False
        Allow sign flips in that matching (sparse coding).
    bias_floor : float, optional
        Keep |b_i| >= bias_floor (sign preserved) after each decay.
    tol : float, optional
        Stop early once |L_{s-1} - L_s| <= tol * |L_{s-1}|.

    Returns
    -------
    TrainResult

    Notes
    -----
    Two passes over Y per step: Z = W^T Y, then one product Y [X; P]^T; the
    loss comes from m x m and m x N products. The loss recorded at W^s is the one
    whose gradient makes step s, so the history costs nothing extra; only the final
    loss needs one more pass.
    """
    Y, W, b, lr, steps, lam, bias_decay, bias_floor, A = _train_arguments(
        Y, W0, b0, lr, steps, activation, lam, bias_decay, bias_floor, A
    )
    if tol is not None:
        tol = check_real("tol", tol, minimum=0.0)
    workspace = _workspace(W, Y)
    squared_norm_Y = _squared_norm(Y)
    losses, distances, biases = [], [], []
    stopped_early = False
    steps_run = 0
    for _ in range(steps + 1):
        last = steps_run == steps
        loss_value, G, _ = _loss_and_gradients(
            W, b, Y, activation, lam, workspace, squared_norm_Y, with_gradients=not last
        )
        losses.append(loss_value)
        biases.append(b)
        if A is not None:
            distances.append(matched_distance(W, A, signs=signs))
        if tol is not None and len(losses) > 1 and abs(losses[-2] - loss_value) <= tol * abs(losses[-2]):
            stopped_early = steps_run < steps
            break
        if last:
            break
        W = _normalized_step(W, G, lr)
        b = _next_bias(b, bias_decay, bias_floor)
        steps_run += 1
    return TrainResult(
        W=W,
        b=b,
        loss=np.array(losses),
        distance=np.array(distances) if A is not None else None,
        bias=np.array(biases),
        steps_run=steps_run,
        stopped_early=stopped_early,
    )


def reference_train(
    Y: np.ndarray,
    W0: np.ndarray,
    b0,
    *,
    lr: float,
    steps: int,
    activation: str = "relu",
    lam: Optional[float] = None,
    bias_decay: float = 1.0,
    A: Optional[np.ndarray] = None,
    signs: bool = False,
    bias_floor: Optional[float] = None,
) -> TrainResult:
    """The trainer of :func:`train`, written plainly with the residual R = Y - W X.

    Three n x N products per step instead of two and an n x N residual; kept as the
    readable statement of the algorithm and as the reference the tests and
    benchmarks compare :func:`train` against. Same parameters as :func:`train`
    (without early stopping).
    """
    Y, W, b, lr, steps, lam, bias_decay, bias_floor, A = _train_arguments(
        Y, W0, b0, lr, steps, activation, lam, bias_decay, bias_floor, A
    )
    N = Y.shape[1]
    losses, distances, biases = [], [], []
    for step in range(steps + 1):
        X = encode(W, b, Y, activation=activation, lam=lam)
        R = Y - W @ X
        losses.append(0.5 * float(np.sum(R * R)) / N)
        biases.append(b)
        if A is not None:
            distances.append(matched_distance(W, A, signs=signs))
        if step == steps:
            break
        gate = X != 0  # the approximation: 1{x_i != 0} in place of sigma'(z_i)
        G = -(R @ X.T + Y @ (gate * (W.T @ R)).T) / N
        W = _normalized_step(W, G, lr)
        b = _next_bias(b, bias_decay, bias_floor)
    return TrainResult(W, b, np.array(losses), np.array(distances) if A is not None else None, np.array(biases), steps, False)


def expected_gradient_mixture(W: np.ndarray, A: np.ndarray, b, *, weights=None) -> np.ndarray:
    """Closed-form expected gradient for the Gaussian mixture (proof of Thm. 4 (i)).

    g_i = -p_i lambda_i A_i + p_i (lambda_i + b_i)^2 W_i, lambda_i = <W_i, A_i>,

    the expectation (5) over x* and eta when the encoder is code-consistent, up to
    the term gamma of norm n^{-omega(1)} and to terms of order sigma_eta^2. Columns
    of W must be matched to A and unit norm.

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
    b : float or ndarray, shape (m,)
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform 1/m by default).

    Returns
    -------
    ndarray, shape (n, m)
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1])
    m = A.shape[1]
    b = check_bias("b", b, m)
    p = np.full(m, 1.0 / m) if weights is None else check_bias("weights", weights, m)
    lam_ = np.sum(W * A, axis=0)
    return -p * lam_ * A + p * (lam_ + b) ** 2 * W


@dataclass(frozen=True)
class Lemma1:
    """The two sides of Lemma 1 for each column i.

    Attributes
    ----------
    lhs : ndarray
        2 <g_i, W_i - A_i>.
    rhs : ndarray
        p_i (lambda_i - 2 delta^2) ||W_i - A_i||^2 + ||g_i||^2 / (p_i lambda_i)
        - 2 ||gamma_i||^2 / (p_i lambda_i).
    bias_condition : ndarray of bool
        |(b_i + lambda_i)^2 - lambda_i| <= 2 (1 - lambda_i), the lemma's hypothesis.
    lam : ndarray
        lambda_i = <W_i, A_i>.
    """

    lhs: np.ndarray
    rhs: np.ndarray
    bias_condition: np.ndarray
    lam: np.ndarray

    @property
    def holds(self) -> np.ndarray:
        """Whether the inequality lhs >= rhs holds, column by column."""
        return self.lhs >= self.rhs


def lemma1(W: np.ndarray, A: np.ndarray, b, g: np.ndarray, *, weights=None, delta: Optional[float] = None) -> Lemma1:
    """Evaluate both sides of Lemma 1 for a gradient ``g`` (e.g. measured on data).

    gamma is taken as g minus the closed form of :func:`expected_gradient_mixture`,
    and delta defaults to max_i ||W_i - A_i|| (W is then delta-close to A).
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1])
    g = check_matrix("g", g, rows=A.shape[0], cols=A.shape[1])
    m = A.shape[1]
    b = check_bias("b", b, m)
    p = np.full(m, 1.0 / m) if weights is None else check_bias("weights", weights, m)
    diff = W - A
    dist2 = np.sum(diff * diff, axis=0)
    delta = float(np.sqrt(dist2.max())) if delta is None else check_real("delta", delta, minimum=0.0)
    lam_ = np.sum(W * A, axis=0)
    gamma = g - expected_gradient_mixture(W, A, b, weights=p)
    lhs = 2.0 * np.sum(g * diff, axis=0)
    rhs = (
        p * (lam_ - 2.0 * delta**2) * dist2
        + np.sum(g * g, axis=0) / (p * lam_)
        - 2.0 * np.sum(gamma * gamma, axis=0) / (p * lam_)
    )
    condition = np.abs((b + lam_) ** 2 - lam_) <= 2.0 * (1.0 - lam_)
    return Lemma1(lhs=lhs, rhs=rhs, bias_condition=condition, lam=lam_)
