"""Chapter 5's checks of the descent analysis (Sec. 5): Lemma 1, the expected gradient, contraction.

The trainer lives in :mod:`aelib.descent`; this module measures what the paper says
about it:

* :func:`expected_gradient_mixture` -- the closed form of the expected gradient (5) for
  the Gaussian mixture, from the proof of Thm. 4 (i), and :func:`gradient_error_curve`,
  how fast the empirical gradient approaches it with N;
* :func:`lemma1` and :func:`lemma1_tau` -- both sides of Lemma 1's descent inequality
  and its contraction tau;
* :func:`trace_descent` -- a run of the trainer's own update (:meth:`TrainSettings.step`)
  that evaluates Lemma 1 and code consistency (Thm. 3) at every step;
* :func:`relu_conditions` -- the explicit conditions of Thm. 3 (ii), on which Thm. 4 (i.2)
  rests, at every step of a run, under both readings of delta-closeness (Def. 2);
* :func:`contraction_factor`, :func:`linearized_factor` and :func:`common_mode_lr_limit`
  -- the measured and the predicted per-step contraction (the last two are our
  linearizations, not the paper's);
* :func:`close_weights` -- starts exactly delta-close to A (Def. 2), an alias of
  :func:`aelib.delta_close`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._checks import as_float_array, check_bias, check_int, check_matrix, check_probabilities, check_real
from .autoencoder import _loss_and_gradients, _squared_norm, _workspace, gradient
from .consistency import delta_close, relu_bias_interval
from .descent import TrainSettings, _train_arguments
from .metrics import match_columns, matched_distance

__all__ = [
    "expected_gradient_mixture",
    "Lemma1",
    "lemma1",
    "close_weights",
    "GradientErrorCurve",
    "gradient_error_curve",
    "lemma1_tau",
    "Contraction",
    "contraction_factor",
    "DescentTrace",
    "trace_descent",
    "ReluConditions",
    "relu_conditions",
    "linearized_factor",
    "common_mode_lr_limit",
]

#: Unit-norm W with ||W_i - A_i|| = delta exactly for every column (Def. 2): the
#: hypothesis of Lemma 1 and Thm. 4 with equality. The same function as
#: :func:`aelib.delta_close` (a random direction orthogonal to each A_i), under the
#: name Chapter 5 uses.
close_weights = delta_close


def expected_gradient_mixture(W: np.ndarray, A: np.ndarray, b, *, weights=None) -> np.ndarray:
    """Closed-form expected gradient for the Gaussian mixture (proof of Thm. 4 (i)).

    g_i = -p_i lambda_i A_i + p_i (lambda_i + b_i)^2 W_i, lambda_i = <W_i, A_i>,

    the expectation (5) over x* and eta when the encoder is code-consistent, up to
    the term gamma of norm n^{-omega(1)} (the event that consistency fails). The
    sigma_eta^2 terms cancel exactly for unit-norm W_i: E[z y] and E[z^2] W_i each
    carry sigma_eta^2 W_i (Chapter 5 checks this by Monte Carlo). Columns of W must
    be matched to A and unit norm.

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Weights (unit-norm columns matched to A) and the ground truth (the means).
    b : float or ndarray, shape (m,)
        Encoder bias b_i (a scalar is broadcast to every unit).
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform 1/m by default).

    Returns
    -------
    ndarray, shape (n, m)
        Column i is g_i.
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1])
    m = A.shape[1]
    b = check_bias("b", b, m)
    p = np.full(m, 1.0 / m) if weights is None else check_probabilities("weights", weights, m)
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
        abs((b_i + lambda_i)^2 - lambda_i) <= 2 (1 - lambda_i), the lemma's hypothesis.
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

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Weights, columns matched to A (unit norm).
    A : ndarray, shape (n, m)
        Ground truth (the means of the mixture).
    b : float or ndarray, shape (m,)
        Encoder bias b_i (a scalar is broadcast to every unit).
    g : ndarray, shape (n, m)
        Gradient, column i for unit i: the expected gradient g_i of eq. (5) or an
        estimate of it (e.g. :func:`aelib.gradient` on samples).
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform 1/m by default).
    delta : float, optional
        Closeness of W to A (Def. 2); defaults to max_i ||W_i - A_i||.

    Returns
    -------
    Lemma1
        Both sides, the bias condition and lambda_i, per column.
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1])
    g = check_matrix("g", g, rows=A.shape[0], cols=A.shape[1])
    m = A.shape[1]
    b = check_bias("b", b, m)
    p = np.full(m, 1.0 / m) if weights is None else check_probabilities("weights", weights, m)
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


# --- Chapter 5: Monte Carlo checks of the descent analysis ---------------------------------


@dataclass(frozen=True)
class GradientErrorCurve:
    """Relative error of the empirical gradient against a closed form, as N grows.

    Attributes
    ----------
    sizes : ndarray of int
        Sample sizes N (prefixes of the same sample stream).
    error : ndarray
        ||g_N - g||_F / ||g||_F, g_N the empirical gradient on the first N samples.
    slope : float
        Least-squares slope of log(error) against log(N); -1/2 for a pure
        Monte Carlo error, 0 for a systematic one.
    """

    sizes: np.ndarray
    error: np.ndarray
    slope: float


def gradient_error_curve(
    Y: np.ndarray,
    W: np.ndarray,
    A: np.ndarray,
    b,
    sizes,
    *,
    activation: str = "relu",
    lam: Optional[float] = None,
    weights=None,
    expected: Optional[np.ndarray] = None,
) -> GradientErrorCurve:
    """Empirical gradient on the first N columns of Y against the expected gradient, for each N.

    The reference is the closed form g_i = -p_i lambda_i A_i + p_i (lambda_i + b_i)^2 W_i
    of the proof of Thm. 4 (i) (:func:`expected_gradient_mixture`) unless ``expected``
    is given. The empirical gradient is :func:`aelib.gradient`, the paper's approximate
    gradient (5) averaged over the samples instead of taking the expectation.

    Parameters
    ----------
    Y : ndarray, shape (n, N_max)
        Samples of the model (one per column); prefixes are used.
    W, A : ndarray, shape (n, m)
        Weights (unit-norm columns matched to A) and ground truth.
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    sizes : sequence of int
        Increasing sample sizes, each at most N_max.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform by default).
    expected : ndarray, shape (n, m), optional
        Reference gradient to compare with instead of the closed form.

    Returns
    -------
    GradientErrorCurve
    """
    Y = check_matrix("Y", Y)
    A = check_matrix("A", A, rows=Y.shape[0])
    W = check_matrix("W", W, rows=Y.shape[0], cols=A.shape[1])
    sizes = np.asarray(sizes)
    if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(f"sizes: expected a non-empty 1-D sequence of integers, got {sizes!r}")
    if np.any(np.diff(sizes) <= 0) or sizes[0] < 1 or sizes[-1] > Y.shape[1]:
        raise ValueError(f"sizes: expected increasing sizes in [1, {Y.shape[1]}], got {sizes.tolist()}")
    if expected is None:
        expected = expected_gradient_mixture(W, A, b, weights=weights)
    else:
        expected = check_matrix("expected", expected, rows=A.shape[0], cols=A.shape[1], dtype=np.float64)
    scale = np.linalg.norm(expected)
    if scale == 0:
        raise ValueError("expected: the reference gradient is zero (W = A?); a relative error is undefined")
    total = np.zeros(W.shape)
    errors = []
    start = 0
    for N in sizes:
        chunk = Y[:, start:N]
        total += gradient(W, b, chunk, activation=activation, lam=lam).astype(np.float64) * chunk.shape[1]
        start = int(N)
        errors.append(np.linalg.norm(total / N - expected) / scale)
    errors = np.array(errors)
    slope = float(np.polyfit(np.log(sizes), np.log(errors), 1)[0]) if sizes.size > 1 else float("nan")
    return GradientErrorCurve(sizes=sizes.astype(int), error=errors, slope=slope)


def lemma1_tau(W: np.ndarray, A: np.ndarray, lr: float, *, weights=None, delta: Optional[float] = None) -> np.ndarray:
    """The contraction tau_i = zeta p_i (lambda_i - 2 delta^2) of Lemma 1 / Thm. 4 (i).

    With this tau the lemma gives ||W_i - zeta g_i - A_i||^2 <= (1 - tau_i) ||W_i - A_i||^2
    (plus the gamma term), so the predicted contraction of ||W - A||_F^2 per step is at
    most max_i (1 - tau_i).

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Columns matched.
    lr : float
        Learning rate zeta.
    weights : ndarray, shape (m,), optional
        p_i (uniform 1/m by default).
    delta : float, optional
        Closeness; defaults to max_i ||W_i - A_i||.

    Returns
    -------
    ndarray, shape (m,)
        tau_i (negative when lambda_i < 2 delta^2: no descent promised).
    """
    A = check_matrix("A", A)
    W = check_matrix("W", W, rows=A.shape[0], cols=A.shape[1])
    lr = check_real("lr", lr, minimum=0.0, strict_min=True)
    m = A.shape[1]
    p = np.full(m, 1.0 / m) if weights is None else check_probabilities("weights", weights, m)
    diff = W - A
    if delta is None:
        delta = float(np.sqrt(np.max(np.sum(diff * diff, axis=0))))
    else:
        delta = check_real("delta", delta, minimum=0.0)
    lam_ = np.sum(W * A, axis=0)
    return lr * p * (lam_ - 2.0 * delta**2)


@dataclass(frozen=True)
class Contraction:
    """A geometric fit ||W^s - A||_F^2 ~ c (1 - tau)^s over the steps before the floor.

    Attributes
    ----------
    factor : float
        Fitted contraction factor 1 - tau of the squared distance per step.
    tau : float
        1 - factor.
    first, last : int
        The steps s = first, ..., last used in the fit.
    ratios : ndarray, shape (last - first,)
        The single-step ratios d_{s+1}^2 / d_s^2 for s = first, ..., last - 1.
    """

    factor: float
    tau: float
    first: int
    last: int
    ratios: np.ndarray


def contraction_factor(distance, *, start: int = 0, floor_factor: float = 2.0) -> Contraction:
    """Fit the linear rate 1 - tau of Thm. 4 to a distance history ||W^s - A||_F.

    The floor is the smallest squared distance in the history; the fit uses the steps
    s = start, ..., last, where last is the first step after which d_s^2 falls to
    floor_factor times the floor (the statistical floor of Thm. 4's additive term
    and of finite N). Least squares of log d_s^2 on s; with two points this is the
    ratio d_{s+1}^2 / d_s^2.

    Parameters
    ----------
    distance : array_like, shape (S + 1,)
        Matched distances ||W^s - A||_F, s = 0..S (e.g. ``TrainResult.distance``).
    start : int, default 0
        First step of the fit (skip steps where the run does not move yet).
    floor_factor : float, default 2.0
        Steps with d_s^2 <= floor_factor * min d^2 count as "at the floor".

    Returns
    -------
    Contraction
    """
    d2 = np.asarray(distance, dtype=np.float64) ** 2
    if d2.ndim != 1 or d2.size < 2 or not np.all(np.isfinite(d2)):
        raise ValueError("distance: expected a finite 1-D history with at least 2 steps")
    start = check_int("start", start, minimum=0, maximum=d2.size - 2)
    floor_factor = check_real("floor_factor", floor_factor, minimum=1.0)
    floor = d2.min()
    at_floor = np.flatnonzero(d2[start + 1 :] <= floor_factor * floor)
    last = start + 1 + int(at_floor[0]) if at_floor.size else d2.size - 1
    steps = np.arange(start, last + 1)
    if np.any(d2[steps] <= 0):
        raise ValueError("distance: a zero distance before the floor; no rate to fit")
    slope = np.polyfit(steps, np.log(d2[steps]), 1)[0]
    factor = float(np.exp(slope))
    ratios = d2[start + 1 : last + 1] / d2[start:last]
    return Contraction(factor=factor, tau=1.0 - factor, first=int(start), last=int(last), ratios=ratios)


@dataclass(frozen=True)
class DescentTrace:
    """What :func:`trace_descent` records along a run (S steps, m columns).

    Attributes
    ----------
    distance : ndarray, shape (S + 1,)
        Matched distance ||pi(W^s) - A||_F (the same numbers as :func:`aelib.train` records).
    loss : ndarray, shape (S + 1,)
        Reconstruction loss at (W^s, b^s).
    bias : ndarray, shape (S + 1, m)
        b^s (in the unit order of W).
    lhs, rhs : ndarray, shape (S, m)
        Both sides of Lemma 1 at step s for each matched column, with the empirical
        gradient (see :func:`lemma1`).
    bias_condition : ndarray of bool, shape (S, m)
        The lemma's hypothesis abs((b_i + lambda_i)^2 - lambda_i) <= 2 (1 - lambda_i).
    lam : ndarray, shape (S, m)
        lambda_i = <W_i, A_i> (matched).
    closeness : ndarray, shape (S,)
        delta^s = max_i ||W_i^s - A_i|| (matched): W^s is delta^s-close to A (Def. 2).
        Thm. 3 (ii)-(iii), on which Thm. 4 (i) rests, assumes mu <= delta^s sqrt(n) / k.
    tau : ndarray, shape (S, m)
        Lemma 1's tau_i = zeta p_i (lambda_i - 2 delta_s^2), delta_s the closeness at step s.
    gamma : ndarray, shape (S, m)
        ||gamma_i|| = ||g_i - g_bar_i||, the distance of the empirical gradient from the
        closed form g_bar of the proof of Thm. 4 (i) (small when the code is consistent).
    expected : ndarray, shape (S, m)
        ||g_bar_i||, the norm of that closed form.
    off_support : ndarray, shape (S + 1,) or None
        Fraction of entries with x*_i = 0 but x_i != 0 (units firing off the true
        support, a failure of code consistency, Thm. 3); None without ``X_star``.
    missed_support : ndarray, shape (S + 1,) or None
        Fraction of entries with x*_i != 0 but x_i = 0.
    """

    distance: np.ndarray
    loss: np.ndarray
    bias: np.ndarray
    lhs: np.ndarray
    rhs: np.ndarray
    bias_condition: np.ndarray
    lam: np.ndarray
    closeness: np.ndarray
    tau: np.ndarray
    gamma: np.ndarray
    expected: np.ndarray
    off_support: Optional[np.ndarray]
    missed_support: Optional[np.ndarray]

    @property
    def holds(self) -> np.ndarray:
        """Whether Lemma 1's inequality lhs >= rhs holds, per (step, column)."""
        return self.lhs >= self.rhs


def _record_lemma1(out, W, A64, b, G, p, lr) -> None:
    """Append Lemma 1's quantities at (W^s, b^s) with the empirical gradient G to ``out``."""
    perm = match_columns(W, A64).permutation
    Wm = W[:, perm].astype(np.float64)
    quantities = lemma1(Wm, A64, b[perm], G[:, perm].astype(np.float64), weights=p)
    out["lhs"].append(quantities.lhs)
    out["rhs"].append(quantities.rhs)
    out["cond"].append(quantities.bias_condition)
    out["lam"].append(quantities.lam)
    out["closeness"].append(float(np.max(np.linalg.norm(Wm - A64, axis=0))))
    out["tau"].append(lemma1_tau(Wm, A64, lr, weights=p))
    closed = expected_gradient_mixture(Wm, A64, b[perm], weights=p)
    out["gamma"].append(np.linalg.norm(G[:, perm] - closed, axis=0))
    out["expected"].append(np.linalg.norm(closed, axis=0))


def trace_descent(
    Y: np.ndarray,
    W0: np.ndarray,
    b0,
    A: np.ndarray,
    *,
    lr: float,
    steps: int,
    activation: str = "relu",
    lam: Optional[float] = None,
    bias_decay: float = 1.0,
    bias_floor: Optional[float] = None,
    X_star: Optional[np.ndarray] = None,
    weights=None,
) -> DescentTrace:
    """Run :func:`aelib.train`'s update and evaluate Lemma 1 and code consistency at every step.

    The update is exactly that of :func:`aelib.train` (same gradient, same normalized step,
    same bias schedule), so ``distance`` and ``loss`` agree with ``train(...)``. At each
    step s the columns of W^s are matched to A, the empirical gradient g^s on Y is
    plugged into Lemma 1 (:func:`lemma1`, gamma = g^s minus the closed form of the
    proof of Thm. 4 (i)), and the firing pattern of the encoder is compared with the
    true codes ``X_star`` (Thm. 3). Meant for the Gaussian mixture (Sec. 5).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Training data, one sample per column.
    W0 : ndarray, shape (n, m)
        Initial weights (not normalized here; no zero column).
    b0 : float or ndarray, shape (m,)
        Initial bias.
    A : ndarray, shape (n, m)
        Ground truth.
    lr : float
        Learning rate zeta > 0.
    steps : int
        Number of updates T >= 0.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it).
    bias_decay : float, default 1.0
        The constant C > 0 of b^{s+1} = b^s / C (as in :func:`aelib.train`).
    bias_floor : float, optional
        Keep abs(b_i) >= bias_floor after each decay (as in :func:`aelib.train`).
    X_star : ndarray, shape (m, N), optional
        True codes of Y, for the consistency rates.
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform by default).

    Returns
    -------
    DescentTrace
    """
    settings = TrainSettings(lr=lr, activation=activation, lam=lam, b0=b0, bias_decay=bias_decay, bias_floor=bias_floor)
    Y, W, b, steps, A = _train_arguments(Y, W0, settings, steps, A)
    m = W.shape[1]
    p = np.full(m, 1.0 / m) if weights is None else check_probabilities("weights", weights, m)
    if X_star is not None:
        X_star = check_matrix("X_star", X_star, rows=m, cols=Y.shape[1])
        truth = X_star != 0
        n_on, n_off = max(1, int(truth.sum())), max(1, int((~truth).sum()))
    A64 = A.astype(np.float64)
    workspace = _workspace(W, Y)
    squared_norm_Y = _squared_norm(Y)
    out = {key: [] for key in ("distance", "loss", "bias", "lhs", "rhs", "cond", "lam", "closeness", "tau", "gamma", "expected", "off", "missed")}
    for step in range(steps + 1):
        last = step == steps
        loss_value, G, _ = _loss_and_gradients(
            W, b, Y, settings.activation, settings.lam, workspace, squared_norm_Y, with_gradients=not last
        )
        out["loss"].append(loss_value)
        out["bias"].append(b)
        out["distance"].append(matched_distance(W, A, signs=False))
        if X_star is not None:
            fired = workspace[:m] != 0
            out["off"].append(float(np.sum(fired & ~truth)) / n_off)
            out["missed"].append(float(np.sum(~fired & truth)) / n_on)
        if last:
            break
        _record_lemma1(out, W, A64, b, G, p, settings.lr)
        W, b = settings.step(W, b, G)

    return _trace(out, m, with_codes=X_star is not None)


def _trace(out, m: int, *, with_codes: bool) -> DescentTrace:
    """The DescentTrace of the lists :func:`trace_descent` recorded (empty per-step arrays for 0 steps)."""

    def stack(key):
        return np.array(out[key]) if out[key] else np.zeros((0, m))

    return DescentTrace(
        distance=np.array(out["distance"]),
        loss=np.array(out["loss"]),
        bias=np.array(out["bias"]),
        lhs=stack("lhs"),
        rhs=stack("rhs"),
        bias_condition=stack("cond").astype(bool),
        lam=stack("lam"),
        closeness=np.array(out["closeness"]),
        tau=stack("tau"),
        gamma=stack("gamma"),
        expected=stack("expected"),
        off_support=np.array(out["off"]) if with_codes else None,
        missed_support=np.array(out["missed"]) if with_codes else None,
    )


@dataclass(frozen=True)
class ReluConditions:
    """The explicit conditions of Thm. 3 (ii) at each step of a run (see :func:`relu_conditions`).

    Attributes
    ----------
    closeness : ndarray, shape (S,)
        delta^s = max_i ||W_i^s - A_i||: the smallest delta for which W^s is delta-close to A.
    lower, upper : ndarray, shape (S,)
        The bias interval of Thm. 3 (ii) at delta = delta^s (:func:`aelib.relu_bias_interval`).
    nonempty : ndarray of bool, shape (S,)
        lower <= upper (for k = 1, a1 = a2 = 1: delta^s <= 1/3).
    incoherent : ndarray of bool, shape (S,)
        mu <= delta^s sqrt(n) / k, i.e. max_inner <= delta^s / k.
    in_interval : ndarray of bool, shape (S,)
        Every b_i^s lies in [lower, upper].
    some_delta : ndarray of bool, shape (S,)
        The three conditions hold for some delta >= delta^s (W^s is delta-close for every
        such delta): the reading of Def. 2 as an upper bound.
    bias_above_level : ndarray of bool, shape (S,)
        abs(b_i^s) >= a2 k^(3/2) mu / sqrt(n) for every i; for k = 1, a2 = 1 this is
        abs(b_i^s) >= mu / sqrt(n). Necessary under both readings, since b_i <= -a2 delta sqrt(k)
        and delta >= k mu / sqrt(n).
    """

    closeness: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    nonempty: np.ndarray
    incoherent: np.ndarray
    in_interval: np.ndarray
    some_delta: np.ndarray
    bias_above_level: np.ndarray

    @property
    def tight(self) -> np.ndarray:
        """All three conditions at delta = delta^s (the reading of Def. 2 with the measured delta)."""
        return self.nonempty & self.incoherent & self.in_interval

    def steps(self, reading: str = "tight") -> str:
        """The steps at which the conditions hold, as ranges: ``"2..3"``, ``"2..3, 6"``, ``"none"``.

        Parameters
        ----------
        reading : {"tight", "some_delta"}
            delta = delta^s (:attr:`tight`) or some delta >= delta^s (:attr:`some_delta`).

        Returns
        -------
        str
        """
        if reading not in ("tight", "some_delta"):
            raise ValueError(f"reading: expected 'tight' or 'some_delta', got {reading!r}")
        held = np.flatnonzero(self.tight if reading == "tight" else self.some_delta)
        if held.size == 0:
            return "none"
        runs = np.split(held, np.flatnonzero(np.diff(held) > 1) + 1)
        return ", ".join(f"{r[0]}..{r[-1]}" if r.size > 1 else f"{r[0]}" for r in runs)


def relu_conditions(closeness, bias, max_inner: float, *, k: int = 1, a1: float = 1.0, a2: float = 1.0) -> ReluConditions:
    """Whether the explicit conditions of Thm. 3 (ii) hold at each step of a ReLU run.

    Thm. 4 (i.2) and (iii.2) assume "the conditions in either (ii) or (iii) of Theorem 3"
    at every step s. For the ReLU these are: W^s is delta-close to A (Def. 2),
    mu <= delta sqrt(n) / k, and b_i in [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)]
    for all i (the asymptotic ones, delta = O*(1/log n), k = O(1/delta^2) and
    sigma_eta = O(1/sqrt(n)), have no constant to check). Def. 2 allows two readings of
    delta: the measured closeness delta^s (``tight``), or any delta >= delta^s
    (``some_delta``). The interval shrinks as delta grows, so the second holds iff the
    conditions hold at delta = max(delta^s, k mu / sqrt(n)). Under either reading
    abs(b_i^s) >= a2 k^(3/2) mu / sqrt(n) is necessary (``bias_above_level``).

    Parameters
    ----------
    closeness : array_like, shape (S,)
        delta^s = max_i ||W_i^s - A_i|| after matching, e.g. :attr:`DescentTrace.closeness`.
    bias : array_like, shape (S,) or (S, m)
        b^s, one scalar per step or one value per unit (e.g. ``DescentTrace.bias[:S]``).
    max_inner : float
        mu / sqrt(n) = max_{i != j} abs(<A_i, A_j>) (Def. 1), >= 0.
    k : int, default 1
        Sparsity (1 for the Gaussian mixture).
    a1, a2 : float, default 1.0
        Bounds of the nonzero code values (1 for the mixture), 0 <= a1 <= a2.

    Returns
    -------
    ReluConditions
    """
    closeness = as_float_array("closeness", closeness, ndim=1, dtype=np.float64)
    if np.any(closeness < 0):
        raise ValueError("closeness: expected values >= 0")
    bias = np.asarray(bias)
    bias = as_float_array("bias", bias[:, None] if bias.ndim == 1 else bias, ndim=2, dtype=np.float64)
    if bias.shape[0] != closeness.shape[0]:
        raise ValueError(f"bias: expected {closeness.shape[0]} steps (rows), got shape {bias.shape}")
    max_inner = check_real("max_inner", max_inner, minimum=0.0)
    k = check_int("k", k, minimum=1)
    relu_bias_interval(0.0, k, a1, a2)  # validates k, a1, a2

    def interval(delta):
        bounds = [relu_bias_interval(float(d), k, a1, a2) for d in delta]
        return np.array([lo for lo, _ in bounds]), np.array([hi for _, hi in bounds])

    def inside(lower, upper):  # every b_i^s in [lower, upper] (impossible when the interval is empty)
        return np.all((bias >= lower[:, None]) & (bias <= upper[:, None]), axis=1)

    lower, upper = interval(closeness)
    loose_lower, loose_upper = interval(np.maximum(closeness, k * max_inner))
    return ReluConditions(
        closeness=closeness,
        lower=lower,
        upper=upper,
        nonempty=lower <= upper,
        incoherent=max_inner <= closeness / k,
        in_interval=inside(lower, upper),
        some_delta=inside(loose_lower, loose_upper),
        bias_above_level=np.all(np.abs(bias) >= a2 * k**1.5 * max_inner, axis=1),
    )


def linearized_factor(lr: float, p, b=0.0):
    """Per-step contraction of ||W - A||_F^2 predicted by the expected update near W = A.

    For the Gaussian mixture with a code-consistent encoder the expected gradient is
    g_i = p_i (-lambda_i A_i + (lambda_i + b_i)^2 W_i) (proof of Thm. 4 (i)), so the
    unnormalized step is W_i - zeta g_i = c W_i + d A_i with c = 1 - zeta p_i (lambda_i + b_i)^2
    and d = zeta p_i lambda_i. Near W = A (lambda_i -> 1) the component of W_i - A_i
    orthogonal to A_i is multiplied by c / (c + d) after normalization, hence the factor

        ((1 - zeta p (1 + b)^2) / (1 - zeta p (1 + b)^2 + zeta p))^2.

    It is 0 for zeta p = 1, b = 0 (one step lands on A) and (1 - zeta p)^2 for b = 0.
    This linearization is ours (not in the paper); Lemma 1's 1 - tau is an upper bound.

    Parameters
    ----------
    lr : float
        zeta > 0.
    p : float
        Probability p_i of the component (1/m for a uniform mixture).
    b : float or array_like
        Bias (a history b^s gives one factor per step).

    Returns
    -------
    float or ndarray
        The factor, with the shape of ``b``.
    """
    lr = check_real("lr", lr, minimum=0.0, strict_min=True)
    p = check_real("p", p, minimum=0.0, maximum=1.0, strict_min=True)
    b = np.asarray(b, dtype=np.float64)
    a = lr * p
    c = 1.0 - a * (1.0 + b) ** 2
    factor = (c / (c + a)) ** 2
    return float(factor) if factor.ndim == 0 else factor


def common_mode_lr_limit(m: int, k: int, kappa1: float, kappa2: float) -> float:
    """Largest stable learning rate for the mode shared by all columns: 2m / (k (kappa2 + (k - 1) kappa1^2)).

    Linearizing the expected update (5) with the threshold encoder (b = 0) near W = A
    for uniformly random supports and incoherence neglected, a perturbation E_j = e
    common to all columns (e orthogonal to the span of A) is multiplied per step by
    1 - zeta (k/m) (kappa2 + (k - 1) kappa1^2): the own term p_i kappa2 plus kappa1^2
    sum_{j != i} p_ij from the other active atoms. With non-negative codes
    (kappa1 > 0) this exceeds the own-mode rate k kappa2 / m, so zeta = m / (k kappa2),
    the step that makes the own mode land on A, is unstable as soon as
    (k - 1) kappa1^2 > kappa2: Thm. 4 (iii)'s zeta = Theta(m/k) needs a constant below
    2 / (kappa2 + (k - 1) kappa1^2). For the mixture (k = 1) and for sparse coding
    (kappa1 = 0) the limit is 2m / (k kappa2). This derivation is ours, not the paper's.

    Parameters
    ----------
    m, k : int
        Number of atoms and sparsity.
    kappa1, kappa2 : float
        E[x_i | i in S] and E[x_i^2 | i in S] (assumption A2).

    Returns
    -------
    float
    """
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    kappa1 = check_real("kappa1", kappa1)
    kappa2 = check_real("kappa2", kappa2, minimum=0.0, strict_min=True)
    return float(2.0 * m / (k * (kappa2 + (k - 1) * kappa1**2)))
