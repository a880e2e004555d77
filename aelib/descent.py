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

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple, Union

import numpy as np

from ._checks import (
    check_activation,
    check_bias,
    check_int,
    check_matrix,
    check_probabilities,
    check_real,
    unit_columns,
)
from .autoencoder import _loss_and_gradients, _squared_norm, _workspace, encode
from .metrics import matched_distance

__all__ = [
    "TRAIN_OPTIONS",
    "TrainSettings",
    "TrainResult",
    "train",
    "reference_train",
    "sqrt_decay",
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
    "linearized_factor",
    "common_mode_lr_limit",
    "run_mixture_descent",
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


def _next_bias(b: np.ndarray, decay, floor) -> np.ndarray:
    """The bias rule of every trainer in aelib: b^{s+1} = b^s / C, with |b| kept >= ``floor``.

    This is the one implementation of the rule (Sec. 5's b^{s+1} = b^s / C, and the
    floor of Chapter 7). :meth:`TrainSettings.next_bias` and :func:`_descent_step`, through
    which every trainer and :func:`aelib.bias_schedule` go, call it.

    The zero-bias rule: the floor keeps a nonzero bias away from 0 *on its own side*
    (``sign(b) * max(|b|, floor)``), and a bias that is exactly zero stays zero. A zero
    bias has no side, and zero is a deliberate setting (the threshold activation's b = 0
    of Thm. 3 (i)), which a floor must not turn into a positive, firing bias.

    Parameters
    ----------
    b : ndarray
    decay : float or ndarray
        C > 0, one per entry of ``b`` or shared.
    floor : float, ndarray or None
        None for no floor; an array may hold 0 where an entry has none (``sign(b) |b| = b``).

    Raises FloatingPointError when b / C overflows (C < 1 grows the bias).
    """
    b = b / decay
    if floor is not None:
        b = np.sign(b) * np.maximum(np.abs(b), floor)
    if not np.isfinite(b).all():
        raise FloatingPointError(f"the bias b / bias_decay is not finite (bias_decay={np.min(decay):g})")
    return b


def _normalized_step(W: np.ndarray, G: np.ndarray, lr: float) -> np.ndarray:
    """normalize(W - lr G), with column norms that neither overflow nor underflow."""
    W = W - lr * G
    W, failed = unit_columns(W, out=W)
    if failed.size:
        if np.any(np.all(W[:, failed] == 0, axis=0)):
            raise FloatingPointError("a column of W - lr * gradient is zero; cannot normalize (lower lr)")
        raise FloatingPointError("a column of W - lr * gradient is not finite")
    return W


def _descent_step(W: np.ndarray, b: np.ndarray, G: np.ndarray, lr, decay, floor) -> Tuple[np.ndarray, np.ndarray]:
    """The one update of every trainer: (normalize(W - lr G), b / C with the floor) (Sec. 5).

    ``lr``, ``decay`` and ``floor`` are scalars, or arrays with one entry per column of W
    (:func:`aelib.train_many` stacks several runs side by side). Raises FloatingPointError
    as :func:`_normalized_step` and :func:`_next_bias` do.
    """
    return _normalized_step(W, G, lr), _next_bias(b, decay, floor)


#: The training options, in the order a :class:`TrainSettings` lists them.
TRAIN_OPTIONS: Tuple[str, ...] = ("b0", "lr", "steps", "activation", "lam", "bias_decay", "bias_floor")


def _bias_value(b0) -> Union[float, Tuple[float, ...]]:
    """b0 as a float (shared by every unit) or a tuple of floats (one per unit), validated."""
    arr = np.asarray(b0)
    if arr.ndim > 1:
        raise ValueError(f"b0: expected a number or a vector, got shape {arr.shape}")
    checked = check_bias("b0", b0, arr.shape[0] if arr.ndim == 1 else 1)
    return float(checked[0]) if arr.ndim == 0 else tuple(float(v) for v in checked)


@dataclass(frozen=True, eq=False)
class TrainSettings(Mapping):
    """The validated options of one run of normalized gradient descent (Sec. 5-6).

    Every trainer of aelib (:func:`train`, :func:`reference_train`, :func:`trace_descent`,
    :func:`aelib.train_many`, :func:`aelib.population_descent`,
    :func:`aelib.oracle_support_train` and :func:`aelib.neural_sparse_coding`) turns its
    options into one of these, so each option is checked in one place, and makes its
    updates with :meth:`step`, so the update

        W^{s+1} = normalize(W^s - lr g^s),    b^{s+1} = b^s / C  (then abs(b) >= floor)

    is written once. The object owns the bias rule (:meth:`next_bias`).

    A ``TrainSettings`` reads as a mapping of the options that are set (None ones are
    left out), in the order of :data:`TRAIN_OPTIONS`, so presets can be extended like
    dicts: ``dict(aelib.PAPER_SETTINGS, bias_floor=0.1)``. :meth:`replace` gives a
    validated copy with some options changed.

    Parameters
    ----------
    b0 : float or sequence of float, default 0
        Initial bias b^0, shared or one per unit (stored as a float or a tuple).
    lr : float, optional
        Learning rate zeta > 0; every trainer needs it (only :func:`aelib.bias_schedule`
        does without).
    steps : int, optional
        Number of updates T >= 0, for presets (the trainers take ``steps`` as an argument).
    activation : {"relu", "threshold"}
    lam : float, optional
        Threshold of the hard-threshold activation (required for it, refused for ReLU).
    bias_decay : float, default 1
        C > 0 of b^{s+1} = b^s / C: 1 keeps b fixed, 2 is Sec. 6, :func:`sqrt_decay` gives
        Sec. 5's sqrt(1 - tau).
    bias_floor : float, optional
        Keep abs(b_i) >= bias_floor after each decay (Chapter 7's variant, not the paper's).

    Raises
    ------
    ValueError
        If an option is invalid; the message names it.
    """

    b0: Union[float, Tuple[float, ...]] = 0.0
    lr: Optional[float] = None
    steps: Optional[int] = None
    activation: str = "relu"
    lam: Optional[float] = None
    bias_decay: float = 1.0
    bias_floor: Optional[float] = None

    def __post_init__(self) -> None:
        checked = {
            "b0": _bias_value(self.b0),
            "lr": None if self.lr is None else check_real("lr", self.lr, minimum=0.0, strict_min=True),
            "steps": None if self.steps is None else check_int("steps", self.steps, minimum=0),
            "lam": check_activation(self.activation, self.lam),
            "bias_decay": check_real("bias_decay", self.bias_decay, minimum=0.0, strict_min=True),
            "bias_floor": None if self.bias_floor is None else check_real("bias_floor", self.bias_floor, minimum=0.0),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_mapping(cls, options: Mapping, *, name: str = "settings") -> "TrainSettings":
        """Validate a mapping of options (a dict preset, or a ``TrainSettings`` itself).

        Raises ValueError naming ``name`` for a key that is not one of :data:`TRAIN_OPTIONS`.
        """
        if isinstance(options, TrainSettings):
            return options
        if not isinstance(options, Mapping):
            raise ValueError(f"{name}: expected a mapping of training options, got {type(options).__name__}")
        unknown = sorted(set(options) - set(TRAIN_OPTIONS))
        if unknown:
            raise ValueError(f"{name}: unknown training options {unknown}; expected some of {TRAIN_OPTIONS}")
        return cls(**options)

    def replace(self, **changes) -> "TrainSettings":
        """A validated copy with some options changed (``None`` unsets an optional one)."""
        return dataclasses.replace(self, **changes)

    def trainer_lr(self, name: str = "lr") -> float:
        """The learning rate, which every trainer needs: ValueError naming ``name`` if unset."""
        if self.lr is None:
            raise ValueError(f"{name}: every trainer needs a learning rate 'lr'")
        return self.lr

    def initial_bias(self, m: int, dtype=np.float64) -> np.ndarray:
        """b^0 as a fresh length-``m`` vector of ``dtype`` (ValueError if its length is not m)."""
        return check_bias("b0", self.b0, m, dtype=dtype)

    def next_bias(self, b: np.ndarray) -> np.ndarray:
        """The bias rule: b^{s+1} = b^s / C, with abs(b) >= floor (see :func:`_next_bias`)."""
        return _next_bias(b, self.bias_decay, self.bias_floor)

    def step(self, W: np.ndarray, b: np.ndarray, G: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """One update (W^{s+1}, b^{s+1}) from (W^s, b^s) and the gradient g^s (:func:`_descent_step`)."""
        return _descent_step(W, b, G, self.trainer_lr(), self.bias_decay, self.bias_floor)

    def __getitem__(self, key: str):
        if key not in TRAIN_OPTIONS or getattr(self, key) is None:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return (key for key in TRAIN_OPTIONS if getattr(self, key) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __hash__(self) -> int:
        return hash(tuple(self.items()))


def _diverged(what: str, step: int, lr: float, Y: np.ndarray) -> FloatingPointError:
    """The error :func:`train` raises when its iterates stop being finite."""
    scale = float(np.max(np.abs(Y)))
    limit = float(np.sqrt(np.finfo(Y.dtype).max))
    return FloatingPointError(
        f"train: {what} at step {step} (lr={lr:g}, data scale max|Y|={scale:.3g}). "
        "Lower lr, or scale the data to order 1 (the theory assumes unit-norm dictionary "
        f"atoms; the loss squares the data, so in {Y.dtype} entries beyond about {limit:.0e} overflow)"
    )


def _train_arguments(Y, W0, settings: TrainSettings, steps, A):
    """Validate the data, the start and the ground truth of a trainer; b^0 comes from ``settings``."""
    settings.trainer_lr()
    Y = check_matrix("Y", Y)
    # a private copy: with steps=0 (or an early stop) result.W must not alias the caller's W0
    W0 = check_matrix("W0", W0, rows=Y.shape[0], dtype=Y.dtype, nonzero_columns=True).copy()
    b0 = settings.initial_bias(W0.shape[1], dtype=Y.dtype)
    steps = check_int("steps", steps, minimum=0)
    if A is not None:
        A = check_matrix("A", A, rows=Y.shape[0], cols=W0.shape[1])
    return Y, W0, b0, steps, A


# Overflow inside a step is not warned about: every step's loss and W are checked, and
# a non-finite one raises FloatingPointError (see train's docstring).
_CHECKED = np.errstate(over="ignore", invalid="ignore", divide="ignore")


@_CHECKED
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
        Keep abs(b_i) >= bias_floor after each decay (sign preserved; a zero
        bias stays zero). A floor stops a decaying ReLU bias from reaching 0.
    tol : float, optional
        Stop early once abs(L_{s-1} - L_s) <= tol * abs(L_{s-1}).

    Returns
    -------
    TrainResult
        Every value in it is finite.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it), e.g. Y with NaN or inf.
    FloatingPointError
        If the run stops being finite: the loss at some W^s (in float64 the loss
        squares the data, so entries beyond about 1e150 overflow), a column of
        W - lr g that is zero or not finite, or the bias (``bias_decay`` < 1 grows it). The message names the step, ``lr`` and
        the data scale max|Y|. There is no ``diverged`` flag on the result: an
        exception means that no NaN W can reach the code downstream. A run that
        drifts away from A but stays finite (a step size beyond the stable range of
        Thm. 4) is not a floating-point failure and runs to the end.

    Notes
    -----
    Two passes over Y per step: Z = W^T Y, then one m-row product Y (X + P)^T; the
    loss comes from m x m and m x N products. The loss recorded at W^s is the one
    whose gradient makes step s, so the history costs nothing extra; only the final
    loss needs one more pass. The finiteness checks cost O(nm) per step.

    The column norms of normalize() are rescaled where a plain sum of squares would
    overflow or underflow (:func:`aelib.normalize_columns`), so even ``lr=1e300``
    gives unit columns (along -g); elsewhere they are exactly ``np.linalg.norm``.
    """
    settings = TrainSettings(lr=lr, activation=activation, lam=lam, b0=b0, bias_decay=bias_decay, bias_floor=bias_floor)
    Y, W, b, steps, A = _train_arguments(Y, W0, settings, steps, A)
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
            W, b, Y, activation, settings.lam, workspace, squared_norm_Y, with_gradients=not last
        )
        if not np.isfinite(loss_value):
            raise _diverged("the loss is not finite", steps_run, settings.lr, Y)
        losses.append(loss_value)
        biases.append(b)
        if A is not None:
            distances.append(matched_distance(W, A, signs=signs))
        if tol is not None and len(losses) > 1 and abs(losses[-2] - loss_value) <= tol * abs(losses[-2]):
            stopped_early = steps_run < steps
            break
        if last:
            break
        steps_run += 1
        try:
            W, b = settings.step(W, b, G)
        except FloatingPointError as exc:
            raise _diverged(str(exc), steps_run, settings.lr, Y) from None
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
    settings = TrainSettings(lr=lr, activation=activation, lam=lam, b0=b0, bias_decay=bias_decay, bias_floor=bias_floor)
    Y, W, b, steps, A = _train_arguments(Y, W0, settings, steps, A)
    N = Y.shape[1]
    losses, distances, biases = [], [], []
    for step in range(steps + 1):
        X = encode(W, b, Y, activation=activation, lam=settings.lam)
        R = Y - W @ X
        losses.append(0.5 * float(np.sum(R * R)) / N)
        biases.append(b)
        if A is not None:
            distances.append(matched_distance(W, A, signs=signs))
        if step == steps:
            break
        gate = X != 0  # the approximation: 1{x_i != 0} in place of sigma'(z_i)
        G = -(R @ X.T + Y @ (gate * (W.T @ R)).T) / N
        W, b = settings.step(W, b, G)
    return TrainResult(W, b, np.array(losses), np.array(distances) if A is not None else None, np.array(biases), steps, False)


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


def close_weights(A: np.ndarray, delta: float, *, rng) -> np.ndarray:
    """Unit-norm W with ||W_i - A_i|| = delta exactly for every column (Def. 2).

    Each column is A_i rotated by the angle theta with 2 (1 - cos theta) = delta^2
    towards a random unit direction orthogonal to A_i, so W is delta-close to A
    (and no closer) -- the hypothesis of Lemma 1 and Thm. 4 with equality.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Unit-norm columns.
    delta : float
        Column distance, 0 <= delta <= 2 (n >= 2).
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray, shape (n, m)
    """
    from ._checks import as_rng, check_unit_columns

    A = check_matrix("A", A, dtype=np.float64)
    check_unit_columns("A", A)
    delta = check_real("delta", delta, minimum=0.0, maximum=2.0)
    if A.shape[0] < 2:
        raise ValueError(f"A: needs n >= 2 rows to rotate a column, got shape {A.shape}")
    rng = as_rng(rng)
    U = rng.standard_normal(A.shape)
    U -= A * np.sum(A * U, axis=0)
    U /= np.linalg.norm(U, axis=0)
    cos = 1.0 - delta**2 / 2.0
    return cos * A + np.sqrt(max(0.0, 1.0 - cos**2)) * U


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
    sizes : sequence of int
        Increasing sample sizes, each at most N_max.
    activation, lam
        As in :func:`aelib.gradient`.
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform by default).
    expected : ndarray, shape (n, m), optional
        Reference gradient to compare with instead of the closed form.

    Returns
    -------
    GradientErrorCurve
    """
    from .autoencoder import gradient

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
        Matched distance ||pi(W^s) - A||_F (the same numbers as :func:`train` records).
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
    """Run :func:`train`'s update and evaluate Lemma 1 and code consistency at every step.

    The update is exactly that of :func:`train` (same gradient, same normalized step,
    same bias schedule), so ``distance`` and ``loss`` agree with ``train(...)``. At each
    step s the columns of W^s are matched to A, the empirical gradient g^s on Y is
    plugged into Lemma 1 (:func:`lemma1`, gamma = g^s minus the closed form of the
    proof of Thm. 4 (i)), and the firing pattern of the encoder is compared with the
    true codes ``X_star`` (Thm. 3). Meant for the Gaussian mixture (Sec. 5).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
    W0 : ndarray, shape (n, m)
    b0 : float or ndarray, shape (m,)
    A : ndarray, shape (n, m)
        Ground truth.
    lr, steps, activation, lam, bias_decay, bias_floor
        As in :func:`train`.
    X_star : ndarray, shape (m, N), optional
        True codes of Y, for the consistency rates.
    weights : ndarray, shape (m,), optional
        Mixing probabilities p_i (uniform by default).

    Returns
    -------
    DescentTrace
    """
    from .metrics import match_columns

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
            W, b, Y, activation, settings.lam, workspace, squared_norm_Y, with_gradients=not last
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
        perm = match_columns(W, A64).permutation
        Wm = W[:, perm].astype(np.float64)
        quantities = lemma1(Wm, A64, b[perm], G[:, perm].astype(np.float64), weights=p)
        out["lhs"].append(quantities.lhs)
        out["rhs"].append(quantities.rhs)
        out["cond"].append(quantities.bias_condition)
        out["lam"].append(quantities.lam)
        out["closeness"].append(float(np.max(np.linalg.norm(Wm - A64, axis=0))))
        out["tau"].append(lemma1_tau(Wm, A64, settings.lr, weights=p))
        closed = expected_gradient_mixture(Wm, A64, b[perm], weights=p)
        out["gamma"].append(np.linalg.norm(G[:, perm] - closed, axis=0))
        out["expected"].append(np.linalg.norm(closed, axis=0))
        W, b = settings.step(W, b, G)

    def stack(key, width):
        return np.array(out[key]) if out[key] else np.zeros((0, width))

    return DescentTrace(
        distance=np.array(out["distance"]),
        loss=np.array(out["loss"]),
        bias=np.array(out["bias"]),
        lhs=stack("lhs", m),
        rhs=stack("rhs", m),
        bias_condition=stack("cond", m).astype(bool),
        lam=stack("lam", m),
        closeness=np.array(out["closeness"]),
        tau=stack("tau", m),
        gamma=stack("gamma", m),
        expected=stack("expected", m),
        off_support=np.array(out["off"]) if X_star is not None else None,
        missed_support=np.array(out["missed"]) if X_star is not None else None,
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


def run_mixture_descent(
    *,
    n: int,
    m: int,
    N: int,
    noise_std: float,
    delta: float,
    lr: float,
    steps: int,
    activation: str = "relu",
    b0: float = 0.0,
    bias_decay: float = 1.0,
    bias_floor: Optional[float] = None,
    seed: int = 0,
) -> TrainResult:
    """One training run on a fresh Gaussian mixture from a perturbed start (Sec. 5-6).

    Draws A = random_dictionary(n, m), N samples of the mixture with noise ``noise_std``
    (float32), W^0 = perturbed_init(A, delta) (Sec. 6, init (i)), and trains with
    :func:`train` (threshold lam = 1/2 for ``activation="threshold"``), recording the
    matched distance. All randomness comes from ``seed``.

    Returns
    -------
    TrainResult
    """
    from .initialization import perturbed_init
    from .models import GaussianMixture, random_dictionary

    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    A = random_dictionary(n, m, rng=rng)
    Y, _ = GaussianMixture(A, noise_std=noise_std).sample(N, rng=rng, dtype=np.float32)
    W0 = perturbed_init(A, delta, rng=rng)
    lam = 0.5 if activation == "threshold" else None
    return train(
        Y, W0, b0, lr=lr, steps=steps, activation=activation, lam=lam,
        bias_decay=bias_decay, bias_floor=bias_floor, A=A,
    )
