"""The weight-sharing two-layer autoencoder of Sec. 2.1 and its gradients (eq. 4).

Encoder x = sigma(W^T y + b), decoder y_hat = W x, with the same n x m matrix W in
both layers. Losses and gradients are means over the N columns of a batch ``Y``.

Two gradients are provided:

* :func:`exact_gradient` -- eq. (4) literally, with sigma'(z) = 1{z > 0} for ReLU and
  1{|z| > lam} for the hard threshold (taking 0 at the kinks, where sigma is not
  differentiable);
* :func:`gradient` -- the paper's approximate gradient, which replaces sigma'(z_i) by
  1{x_i != 0}. It is the one the trainer uses, computed with two passes over ``Y``
  and no n x N temporary (see :func:`_loss_and_gradients`).

Because sigma(z) = z sigma'(z) for both activations, the two agree wherever the
loss is differentiable; they can differ only on the measure-zero set of kinks.
What they both ignore is the jump of the hard threshold at |z| = lam, which makes
the *loss* discontinuous in W (Chapter 2 measures both facts).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ._checks import check_activation, check_bias, check_matrix

__all__ = [
    "relu",
    "hard_threshold",
    "activate",
    "encode",
    "decode",
    "loss",
    "gradient",
    "exact_gradient",
    "bias_gradient",
]


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(z, 0), elementwise (Sec. 2.1)."""
    return np.maximum(z, 0)


def hard_threshold(z: np.ndarray, lam: float) -> np.ndarray:
    """threshold_lam(z) = z 1{|z| > lam}, elementwise (Sec. 2.1)."""
    return z * (np.abs(z) > lam)


def activate(z: np.ndarray, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Apply the activation sigma named by ``activation`` ("relu" or "threshold")."""
    lam = check_activation(activation, lam)
    z = np.asarray(z)
    return relu(z) if activation == "relu" else hard_threshold(z, lam)


def _validated(W, b, Y) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check W (n, m), b (scalar or m) and Y (n, N); cast W and b to Y's dtype."""
    Y = check_matrix("Y", Y)
    W = check_matrix("W", W, rows=Y.shape[0], dtype=Y.dtype)
    b = check_bias("b", b, W.shape[1], dtype=Y.dtype)
    return W, b, Y


def encode(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Encoder output X = sigma(W^T Y + b) (eq. 2).

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
    lam : float, optional
        Threshold of the hard-threshold activation (required for it, e.g. a1/2 as in
        Thm. 3 (i) and (iii); forbidden for ReLU).

    Returns
    -------
    X : ndarray, shape (m, N)
        Codes in the dtype of ``Y``.
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    Z = W.T @ Y + b[:, None]
    return relu(Z) if activation == "relu" else hard_threshold(Z, lam)


def decode(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Decoder output Y_hat = W X (eq. 2)."""
    X = check_matrix("X", X)
    W = check_matrix("W", W, cols=X.shape[0])
    return W @ X


def loss(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> float:
    """Reconstruction loss L = mean over columns of 1/2 ||y - W sigma(W^T y + b)||^2 (Sec. 2.1).

    This is the definition, computed with the residual; the trainer computes the same
    number without forming the n x N residual.
    """
    X = encode(W, b, Y, activation=activation, lam=lam)
    W, b, Y = _validated(W, b, Y)
    R = Y - W @ X
    return float(0.5 * np.einsum("ij,ij->", R, R, dtype=np.float64) / Y.shape[1])


def exact_gradient(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Gradient of the loss in W by eq. (4), averaged over the columns of Y.

    grad_{W_i} L = -sigma'(z_i) [z_i I + y W_i^T] (y - W x), with z = W^T y + b and
    sigma'(z) taken as 0 at the kinks. Computed plainly, forming the residual
    R = Y - W X; use it as a reference, not in loops.

    Returns
    -------
    ndarray, shape (n, m)
    """
    return _plain_gradient(W, b, Y, activation, lam, exact=True)


def _plain_gradient(W, b, Y, activation, lam, *, exact: bool) -> np.ndarray:
    """-(1/N) [R (gate * Z)^T + Y (gate * (W^T R))^T], the residual form of eq. (4)."""
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    Z = W.T @ Y + b[:, None]
    X = relu(Z) if activation == "relu" else hard_threshold(Z, lam)
    if exact:  # sigma'(z), zero at the kinks, times z
        gate = (Z > 0) if activation == "relu" else (np.abs(Z) > lam)
        code = Z
    else:  # 1{x != 0}, times x
        gate, code = X != 0, X
    R = Y - W @ X
    return -(R @ (gate * code).T + Y @ (gate * (W.T @ R)).T) / Y.shape[1]


def gradient(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """The paper's approximate gradient, mean over the columns of Y (Sec. 5).

    grad~_i L = -1{x_i != 0} (W_i^T y I + b_i I + y W_i^T)(y - W x): eq. (4) with
    sigma'(z_i) replaced by 1{x_i != 0}. This is what :func:`aelib.train` descends.

    Parameters
    ----------
    W : ndarray, shape (n, m)
    b : float or ndarray, shape (m,)
    Y : ndarray, shape (n, N)
    activation : {"relu", "threshold"}
    lam : float, optional
        Threshold for ``activation="threshold"``.

    Returns
    -------
    ndarray, shape (n, m)
        In the dtype of ``Y``.
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    _, G, _ = _loss_and_gradients(W, b, Y, activation, lam, _workspace(W, Y), _squared_norm(Y))
    return G


def bias_gradient(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Approximate gradient of the loss in b (Sec. 5): -mean of 1{x_i != 0} W_i^T (y - W x).

    Returns
    -------
    ndarray, shape (m,)
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    _, _, gb = _loss_and_gradients(W, b, Y, activation, lam, _workspace(W, Y), _squared_norm(Y))
    return gb


# --- the hot path -------------------------------------------------------------------


def _workspace(W: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """A (2m, N) buffer holding [X; P] for the one product Y [X; P]^T."""
    return np.empty((2 * W.shape[1], Y.shape[1]), dtype=Y.dtype)


def _squared_norm(Y: np.ndarray, block: int = 8192) -> float:
    """||Y||_F^2 accumulated in float64, in column blocks (no n x N float64 copy)."""
    total = 0.0
    for start in range(0, Y.shape[1], block):
        chunk = Y[:, start : start + block]
        total += float(np.einsum("ij,ij->", chunk, chunk, dtype=np.float64))
    return total


def _loss_and_gradients(
    W: np.ndarray,
    b: np.ndarray,
    Y: np.ndarray,
    activation: str,
    lam: Optional[float],
    workspace: np.ndarray,
    squared_norm_Y: float,
    with_gradients: bool = True,
) -> Tuple[float, Optional[np.ndarray], Optional[np.ndarray]]:
    """Loss, approximate W-gradient and approximate b-gradient in two passes over Y.

    With Z0 = W^T Y (pass 1), X = sigma(Z0 + b), gate D = 1{X != 0} and the m x N
    quantity P = D * (W^T R) = D * (Z0 - (W^T W) X), the approximate gradient is

        G = -(1/N) [R X^T + Y P^T] = -(1/N) [Y X^T - W (X X^T) + Y P^T],

    and Y X^T, Y P^T come from the single product Y [X; P]^T (pass 2). The loss is
    (1/2N) (||Y||^2 - 2 <X, Z0> + <X, (W^T W) X>). Nothing n x N is formed.
    All inputs must already be validated and share Y's dtype. With
    ``with_gradients=False`` only the loss is computed (one pass over Y).
    """
    m, N = W.shape[1], Y.shape[1]
    Z0 = W.T @ Y
    X = workspace[:m]
    P = workspace[m:]
    np.add(Z0, b[:, None], out=X)
    if activation == "relu":
        gate = X > 0
        np.maximum(X, 0, out=X)
    else:
        gate = np.abs(X) > lam
        X *= gate
    GX = (W.T @ W) @ X
    if Y.dtype == np.float64:
        cross, quad = np.vdot(X, Z0), np.vdot(X, GX)
    else:  # accumulate the two m x N inner products in float64
        X64 = X.astype(np.float64)
        cross, quad = np.vdot(X64, Z0.astype(np.float64)), np.vdot(X64, GX.astype(np.float64))
    loss_value = 0.5 * (squared_norm_Y - 2.0 * float(cross) + float(quad)) / N
    if not with_gradients:
        return loss_value, None, None
    np.subtract(Z0, GX, out=P)
    P *= gate
    YXP = Y @ workspace.T
    G = W @ (X @ X.T)
    G -= YXP[:, :m]
    G -= YXP[:, m:]
    G /= N
    gb = -P.sum(axis=1) / N
    return loss_value, G, gb
