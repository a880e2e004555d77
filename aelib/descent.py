"""The trainer (Sec. 5): one validated settings object, one step function, the trainers.

The update analysed in Thm. 4 is normalized gradient descent with the approximate
gradient g of Sec. 5,

    W^{s+1} = normalize(W^s - lr g^s),    b^{s+1} = b^s / C,

where C = 1 keeps the bias fixed (threshold activation, b = 0), C > 1 is the
geometric decay of Thm. 4 (i.2) and (iii.2) (Sec. 6 uses C = 2), and
C = 1 / sqrt(1 - tau) is the schedule b^{s+1} = sqrt(1 - tau) b^s of Sec. 5.

:class:`TrainSettings` validates the options once and owns the bias rule;
:meth:`TrainSettings.step` (:func:`_descent_step`) is the one update that every trainer
of aelib makes. :func:`train` is the hot path: two passes over Y per step and no
n x N temporary besides Y (see :func:`aelib.autoencoder._loss_and_gradients`).
:func:`reference_train` is the same algorithm written plainly, for reading and for
checking :func:`train`. Chapter 5's checks of the analysis (Lemma 1, the expected
gradient, contraction) are in :mod:`aelib.descent_checks`; the experiment drivers
that call the trainers are in :mod:`aelib.experiments` and the modules after it.
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
    """The divisor C giving Sec. 5's schedule b^{s+1} = sqrt(1 - tau) b^s, i.e. 1/sqrt(1 - tau).

    Parameters
    ----------
    tau : float
        Contraction rate of Thm. 4, 0 <= tau < 1 (the theorem has tau in (1/2, 1)).

    Returns
    -------
    float
        C = 1 / sqrt(1 - tau) >= 1, to pass as ``bias_decay``.
    """
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
        Encoder activation sigma (Sec. 2.1).
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

        Parameters
        ----------
        options : Mapping
            Some of the keys of :data:`TRAIN_OPTIONS`; a ``TrainSettings`` is returned as is.
        name : str, optional
            The argument name that error messages give.

        Returns
        -------
        TrainSettings
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
        """A validated copy with some options changed (``None`` unsets an optional one).

        Parameters
        ----------
        **changes
            New values of some of the options of :data:`TRAIN_OPTIONS`.

        Returns
        -------
        TrainSettings
        """
        return dataclasses.replace(self, **changes)

    def trainer_lr(self, name: str = "lr") -> float:
        """The learning rate, which every trainer needs: ValueError naming ``name`` if unset.

        Parameters
        ----------
        name : str, optional
            The argument name that the error message gives.

        Returns
        -------
        float
            ``lr`` (zeta > 0).
        """
        if self.lr is None:
            raise ValueError(f"{name}: every trainer needs a learning rate 'lr'")
        return self.lr

    def initial_bias(self, m: int, dtype=np.float64) -> np.ndarray:
        """b^0 as a fresh length-``m`` vector of ``dtype`` (ValueError if its length is not m).

        Parameters
        ----------
        m : int
            Number of hidden units (columns of W).
        dtype : numpy dtype, optional
            Usually the dtype of the data ``Y``.

        Returns
        -------
        ndarray, shape (m,)
        """
        return check_bias("b0", self.b0, m, dtype=dtype)

    def next_bias(self, b: np.ndarray) -> np.ndarray:
        """The bias rule: b^{s+1} = b^s / C, with abs(b) >= floor (see :func:`_next_bias`).

        Parameters
        ----------
        b : ndarray, shape (m,)
            The bias b^s.

        Returns
        -------
        ndarray, shape (m,)
            b^{s+1}, a new array.
        """
        return _next_bias(b, self.bias_decay, self.bias_floor)

    def step(self, W: np.ndarray, b: np.ndarray, G: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """One update (W^{s+1}, b^{s+1}) from (W^s, b^s) and the gradient g^s (:func:`_descent_step`).

        Parameters
        ----------
        W : ndarray, shape (n, m)
            Weights W^s.
        b : ndarray, shape (m,)
            Bias b^s.
        G : ndarray, shape (n, m)
            Gradient g^s: the approximate gradient of Sec. 5 (or its expectation, eq. (5)).

        Returns
        -------
        W, b : ndarray
            normalize(W^s - lr g^s) and b^s / C (with the floor).
        """
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
        Encoder activation sigma (Sec. 2.1).
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
    return _descend(Y, W, b, settings, steps, tol, A, signs)


@_CHECKED
def _descend(Y, W, b, settings: TrainSettings, steps: int, tol, A, signs: bool) -> TrainResult:
    """The loop of :func:`train` on validated arguments: the hot path (see its Notes)."""
    workspace = _workspace(W, Y)
    squared_norm_Y = _squared_norm(Y)
    losses, distances, biases = [], [], []
    stopped_early = False
    steps_run = 0
    for _ in range(steps + 1):
        last = steps_run == steps
        loss_value, G, _ = _loss_and_gradients(
            W, b, Y, settings.activation, settings.lam, workspace, squared_norm_Y, with_gradients=not last
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


# Names that lived here before the trainer layer was split off (kept importable as
# aelib.descent.X; the top-level aelib.X is the documented name).
_MOVED = {
    **dict.fromkeys(
        ("expected_gradient_mixture", "Lemma1", "lemma1", "close_weights", "GradientErrorCurve",
         "gradient_error_curve", "lemma1_tau", "Contraction", "contraction_factor", "DescentTrace",
         "trace_descent", "linearized_factor", "common_mode_lr_limit"),
        "descent_checks",
    ),
    "run_mixture_descent": "experiments",
}


def __getattr__(name: str):
    """Resolve a moved name lazily (PEP 562): the trainer imports no checks or experiments."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(f"{__package__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

