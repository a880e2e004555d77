"""The weight-sharing two-layer autoencoder of Sec. 2.1 and its gradients (eq. 4).

Encoder x = sigma(W^T y + b), decoder y_hat = W x, with the same n x m matrix W in
both layers. Losses and gradients are means over the N columns of a batch ``Y``.

Two gradients are provided:

* :func:`exact_gradient` -- eq. (4) literally, with sigma'(z) = 1{z > 0} for ReLU and
  ``1{|z| > lam}`` for the hard threshold (taking 0 at the kinks, where sigma is not
  differentiable);
* :func:`gradient` -- the paper's approximate gradient, which replaces sigma'(z_i) by
  1{x_i != 0}. It is the one the trainer uses, computed with two passes over ``Y``
  and no n x N temporary (see :func:`_loss_and_gradients`).

Because sigma(z) = z sigma'(z) for both activations, the two agree wherever the
loss is differentiable; they can differ only on the measure-zero set of kinks.
What they both ignore is the jump of the hard threshold at ``|z| = lam``, which makes
the *loss* discontinuous in W (Chapter 2 measures both facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from ._checks import check_activation, check_bias, check_matrix, check_real

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
    "activation_derivative",
    "kink_fraction",
    "GradientComparison",
    "compare_gradients",
    "LineSlice",
    "loss_along_line",
]


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(z, 0), elementwise (Sec. 2.1).

    Parameters
    ----------
    z : array_like
        Pre-activations, e.g. z = W^T y + b.

    Returns
    -------
    ndarray
        max(z, 0), the shape of ``z``.
    """
    return np.maximum(z, 0)


def hard_threshold(z: np.ndarray, lam: float) -> np.ndarray:
    """threshold_lam(z) = ``z 1{|z| > lam}``, elementwise (Sec. 2.1).

    Parameters
    ----------
    z : array_like
        Pre-activations, e.g. z = W^T y + b.
    lam : float
        Threshold, lam >= 0 (the paper takes lam = a1/2, Thm. 3 (i) and (iii)).

    Returns
    -------
    ndarray
        ``z 1{|z| > lam}``, the shape of ``z``.
    """
    lam = check_real("lam", lam, minimum=0.0)
    return z * (np.abs(z) > lam)


def activate(z: np.ndarray, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Apply the activation sigma named by ``activation`` ("relu" or "threshold").

    Parameters
    ----------
    z : array_like
        Pre-activations, e.g. z = W^T y + b.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    ndarray
        sigma(z), the shape of ``z``.
    """
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
        Encoder activation sigma (Sec. 2.1).
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
    """Decoder output Y_hat = W X (eq. 2).

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    X : ndarray, shape (m, N)
        Codes, one per column (e.g. from :func:`encode`).

    Returns
    -------
    Y_hat : ndarray, shape (n, N)
        Reconstructions, one per column.
    """
    X = check_matrix("X", X)
    W = check_matrix("W", W, cols=X.shape[0])
    return W @ X


def loss(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> float:
    """Reconstruction loss L = mean over columns of 1/2 ||y - W sigma(W^T y + b)||^2 (Sec. 2.1).

    This is the definition, computed with the residual; the trainer computes the same
    number without forming the n x N residual.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    float
        The mean loss over the N columns (accumulated in float64).
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

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    ndarray, shape (n, m)
        Column i is the mean of grad_{W_i} L over the samples, in the dtype of ``Y``.
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
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

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

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    ndarray, shape (m,)
        In the dtype of ``Y``.
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    _, _, gb = _loss_and_gradients(W, b, Y, activation, lam, _workspace(W, Y), _squared_norm(Y))
    return gb


# --- the hot path -------------------------------------------------------------------


def _workspace(W: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """A (2m, N) buffer: X in the first m rows, P and then X + P in the last m."""
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

    and Y X^T + Y P^T = Y (X + P)^T is one product with m rows (pass 2). The loss is
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
    # The two m x N inner products, accumulated in float64 whatever Y's dtype. einsum casts
    # float32 in small buffers (no m x N float64 copies) and, unlike np.vdot, never calls a
    # threaded BLAS dot, whose thread hand-off is slow on a busy machine (benchmarks/).
    cross = np.einsum("ij,ij->", X, Z0, dtype=np.float64)
    quad = np.einsum("ij,ij->", X, GX, dtype=np.float64)
    loss_value = 0.5 * (squared_norm_Y - 2.0 * float(cross) + float(quad)) / N
    if not with_gradients:
        return loss_value, None, None
    np.subtract(Z0, GX, out=P)
    P *= gate
    gb = -P.sum(axis=1) / N
    P += X  # only the sum Y X^T + Y P^T is needed: one m-row product, half the flops
    # Operand order measured with OpenBLAS (benchmarks/bench_train.py): ((X + P) Y^T)^T
    # is the faster form in float64, Y (X + P)^T in float32; both are the same product.
    YQ = (P @ Y.T).T if Y.dtype == np.float64 else Y @ P.T
    G = W @ (X @ X.T)
    G -= YQ
    G /= N
    return loss_value, G, gb


# --- Chapter 2: derivatives, kinks, exact versus approximate gradient, loss along a line ---


def activation_derivative(z: np.ndarray, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """sigma'(z) of Sec. 5, elementwise, taking the value 0 at the kinks.

    ReLU: 1{z > 0}; hard threshold: ``1{|z| > lam}``. At z = 0 (ReLU) and ``|z| = lam``
    (threshold) sigma is not differentiable; the value 0 there is the convention of
    :func:`exact_gradient`.

    Parameters
    ----------
    z : array_like
        Pre-activations, e.g. z = W^T y + b.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    ndarray of float, the shape of ``z``
        0 or 1; in the dtype of ``z`` if it is floating, else float64.
    """
    lam = check_activation(activation, lam)
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    gate = (z > 0) if activation == "relu" else (np.abs(z) > lam)
    return gate.astype(z.dtype)


def kink_fraction(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> float:
    """Fraction of (unit, sample) pairs whose pre-activation z = W^T y + b sits at a kink.

    The kinks are z = 0 for ReLU and ``|z| = lam`` for the hard threshold, where sigma' in
    eq. (4) is undefined. Only there can the exact gradient (eq. 4) and the paper's
    approximate gradient (1{x_i != 0} in place of sigma') differ.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    float in [0, 1]
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    Z = W.T @ Y + b[:, None]
    at_kink = (Z == 0) if activation == "relu" else (np.abs(Z) == lam)
    return float(np.mean(at_kink))


@dataclass(frozen=True)
class GradientComparison:
    """Exact gradient (eq. 4) versus the approximate gradient on one batch.

    Attributes
    ----------
    kink_fraction : float
        Fraction of (unit, sample) pairs at a kink (see :func:`kink_fraction`).
    gate_mismatch : float
        Fraction of pairs where sigma'(z) (0 at kinks) differs from 1{x != 0}.
    max_abs_diff : float
        ``max |G_exact - G_approx|`` over the n x m entries.
    max_rel_diff : float
        ``max_abs_diff / max(abs(G_exact))``.
    """

    kink_fraction: float
    gate_mismatch: float
    max_abs_diff: float
    max_rel_diff: float


def compare_gradients(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> GradientComparison:
    """Compare :func:`exact_gradient` (eq. 4, residual form) with :func:`gradient` (two passes).

    The two differ by (a) the gate -- sigma'(z) versus 1{x_i != 0} (Sec. 5) -- and
    (b) the algebra -- the residual R = Y - W X versus the two-pass form
    G = -(1/N)[Y X^T - W (X X^T) + Y P^T]. Both are exact in exact arithmetic away
    from the kinks, so the difference measures rounding plus the kink set.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    GradientComparison
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    Z = W.T @ Y + b[:, None]
    X = relu(Z) if activation == "relu" else hard_threshold(Z, lam)
    at_kink = (Z == 0) if activation == "relu" else (np.abs(Z) == lam)
    mismatch = activation_derivative(Z, activation, lam).astype(bool) != (X != 0)
    G_exact = exact_gradient(W, b, Y, activation=activation, lam=lam)
    G_approx = gradient(W, b, Y, activation=activation, lam=lam)
    diff = float(np.abs(G_exact - G_approx).max())
    scale = float(np.abs(G_exact).max())
    return GradientComparison(
        kink_fraction=float(np.mean(at_kink)),
        gate_mismatch=float(np.mean(mismatch)),
        max_abs_diff=diff,
        max_rel_diff=diff / scale if scale > 0 else 0.0,
    )


@dataclass(frozen=True)
class LineSlice:
    """The loss and its approximate gradient along the line W + t D (see :func:`loss_along_line`).

    Attributes
    ----------
    t : ndarray, shape (K,)
        The grid (increasing).
    loss : ndarray, shape (K,)
        L(W + t D, b).
    slope : ndarray, shape (K,)
        <G(W + t D), D>, the directional derivative the approximate gradient predicts.
    changes : ndarray of int, shape (K-1,)
        Number of (unit, sample) pairs whose gate 1{x_i != 0} differs between t_k and t_{k+1}.
    """

    t: np.ndarray
    loss: np.ndarray
    slope: np.ndarray
    changes: np.ndarray

    @property
    def jumps(self) -> np.ndarray:
        """Per interval, the part of L(t_{k+1}) - L(t_k) the gradient does not explain.

        ΔL minus the trapezoid rule on the slopes: O(Δt^3) where L is smooth, the size of
        the discontinuity where the loss jumps.
        """
        dt = np.diff(self.t)
        return np.diff(self.loss) - dt * 0.5 * (self.slope[1:] + self.slope[:-1])

    @property
    def integrated_slope(self) -> np.ndarray:
        """int_{t_0}^{t} <G, D> ds by the trapezoid rule, shape (K,), 0 at t_0."""
        dt = np.diff(self.t)
        return np.concatenate([[0.0], np.cumsum(dt * 0.5 * (self.slope[1:] + self.slope[:-1]))])

    def summary(self, tol: float = 1e-9) -> dict:
        """Counts and sizes of the jumps: a dict of numbers for the chapter's table.

        Keys: ``intervals``, ``intervals_with_gate_change``, ``jumps`` (intervals with
        ``|jump| > tol``), ``max_smooth_residual`` (largest ``|jump|`` over intervals where no gate
        changes), ``total_jump`` (sum of the jumps), ``secant_slope`` ((L(t_end) -
        L(t_0)) / (t_end - t_0)) and ``mean_gradient_slope`` (the same for the
        integrated slope).

        Parameters
        ----------
        tol : float, optional
            An interval counts as a jump when ``|jump| > tol``.

        Returns
        -------
        dict
        """
        j = self.jumps
        span = self.t[-1] - self.t[0]
        smooth = j[self.changes == 0]
        return {
            "intervals": int(j.size),
            "intervals_with_gate_change": int(np.count_nonzero(self.changes)),
            "jumps": int(np.count_nonzero(np.abs(j) > tol)),
            "max_smooth_residual": float(np.abs(smooth).max()) if smooth.size else 0.0,
            "total_jump": float(j.sum()),
            "secant_slope": float((self.loss[-1] - self.loss[0]) / span),
            "mean_gradient_slope": float(self.integrated_slope[-1] / span),
        }


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """<a, b> summed without BLAS (a threaded BLAS dot is slow on a busy machine)."""
    return float(np.einsum("ij,ij->", a, b))


def loss_along_line(
    W: np.ndarray,
    b,
    Y: np.ndarray,
    D: np.ndarray,
    t,
    *,
    activation: str = "relu",
    lam: Optional[float] = None,
) -> LineSlice:
    """Loss L(W + t D) and the approximate gradient's directional derivative on a grid of t.

    A 1-D slice of the loss of Sec. 2.1. Where L is differentiable, dL/dt = <grad L, D>
    and the approximate gradient (Sec. 5) equals grad L, so the increments of L are the
    integral of the slope. For the hard threshold, L jumps wherever some ``|z_i|`` crosses
    lam (x_i jumps between 0 and +-lam); the gradient does not see these jumps.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights, the point t = 0 of the line.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit), fixed along the line.
    Y : ndarray, shape (n, N)
        One sample per column.
    D : ndarray, shape (n, m)
        Direction (no normalization is applied; W is not re-normalized along the line).
        The whole slice costs two passes over ``Y`` (W^T Y and D^T Y); each grid point
        then needs only m x N and m x m work, computed in float64.
    t : sequence of float
        Increasing grid, at least 2 points.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).

    Returns
    -------
    LineSlice
    """
    lam = check_activation(activation, lam)
    W, b, Y = _validated(W, b, Y)
    D = check_matrix("D", D, rows=W.shape[0], cols=W.shape[1], dtype=Y.dtype)
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or not np.all(np.diff(t) > 0):
        raise ValueError("t: expected an increasing 1-D grid of at least 2 points")
    N = Y.shape[1]
    # Two passes over Y in all: Z(t) = W^T Y + t D^T Y + b; everything else is m x N or m x m.
    ZW = (W.T @ Y).astype(np.float64)
    ZD = (D.T @ Y).astype(np.float64)
    W64, D64, b64 = W.astype(np.float64), D.astype(np.float64), b.astype(np.float64)
    WW, WD, DD = W64.T @ W64, W64.T @ D64, D64.T @ D64
    sq = _squared_norm(Y)
    losses, slopes, changes = np.empty(t.size), np.empty(t.size), np.zeros(t.size - 1, dtype=int)
    previous = None
    for k, tk in enumerate(t):
        Zy = ZW + tk * ZD  # W_t^T Y
        Z = Zy + b64[:, None]
        if activation == "relu":
            gate = Z > 0
        else:
            gate = np.abs(Z) > lam
        X = Z * gate
        gram = WW + tk * (WD + WD.T) + tk * tk * DD  # W_t^T W_t
        GX = np.einsum("ij,jk->ik", gram, X)  # small products: einsum, no BLAS thread start-up
        losses[k] = 0.5 * (sq - 2.0 * _dot(X, Zy) + _dot(X, GX)) / N
        P = gate * (Zy - GX)  # 1{x != 0} * (W_t^T R)
        DtWt = WD.T + tk * DD  # D^T W_t
        slopes[k] = -(_dot(ZD, X) - _dot(DtWt, X @ X.T) + _dot(ZD, P)) / N
        if previous is not None:
            changes[k - 1] = int(np.count_nonzero(gate != previous))
        previous = gate
    return LineSlice(t=t, loss=losses, slope=slopes, changes=changes)
