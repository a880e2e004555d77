"""Sparse coding in practice: where recovery succeeds, and the floor it stalls at (Thm. 4 (ii)-(iii)).

Theorem 4 says that, from a delta-close start, normalized gradient descent on the
autoencoder contracts towards A *up to a floor*:

* (ii) general k-sparse codes, threshold encoder (lambda = a1/2, b = 0), zeta = Theta(m/k):
  ||W^{s+1} - A||_F^2 <= (1 - tau) ||W^s - A||_F^2 + O(m k^2 / n^2);
* (iii) non-negative k-sparse codes, threshold (b = 0) or ReLU (b^{s+1} = b^s / C)
  encoder, zeta = Theta(m/k): the same with an O(k^3 / m) term.

Iterating, ||W^s - A||_F^2 ends at most a constant times that term: the *floor*.
The theorem is stated for infinitely many fresh samples and on the event that the
encoder recovers the signed support of every code (code consistency, Thm. 3). This
module measures the floor in two ways that separate those two ingredients from the
finite sample:

* :func:`population_descent` runs the update with the *exact* expected gradient (5)
  under code consistency (:func:`aelib.population.population_gradient`, a closed
  form: no samples at all). Its fixed point is the theorem's floor, the "bias" of
  the approximate gradient, with no finite-sample error and no encoding error.
* :func:`recovery_run` trains the real autoencoder (:func:`aelib.train`) on N samples;
  its floor adds the sampling error (about c / N in squared Frobenius norm) and any
  encoding mistakes. :func:`aelib.fitting.extrapolate_floor` fits F(N) = F_inf + c / N
  over a few N.

:func:`recovery_point` and :func:`population_point` are the sweep-friendly wrappers
(scalar arguments, dict results) used with :func:`aelib.sweep`;
:func:`aelib.fitting.fit_loglog_slope` and :func:`aelib.fitting.pooled_slope` turn
floors into exponents; :func:`relu_consistency_window` says where the hypotheses of
Thm. 3 (ii), which Thm. 4 (iii.2) assumes, can hold at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._checks import RngLike, as_rng, check_int, check_matrix, check_real
from ._threads import blas_threads
from .descent import TrainSettings, train
from .experiments import train_many
from .metrics import column_distances, matched_distance
from .models import BilinearModel, GaussianMixture, SparseCoding, coherence
# moved to aelib.population / aelib.fitting; kept importable (aelib.recovery.X)
from .fitting import Slope, extrapolate_floor, fit_loglog_slope, pooled_slope, seed_slopes  # noqa: F401
from .population import chain_expectation, oracle_support_gradient, population_gradient, support_moment  # noqa: F401
from .problems import NONNEGATIVE_RANGE, make_model, make_problem, make_start  # noqa: F401 (aelib.recovery.make_model, as before)

__all__ = [
    "THEOREM4_SLOPES",
    "PopulationResult",
    "population_descent",
    "oracle_support_train",
    "theorem4_settings",
    "relu_consistency_window",
    "RecoveryResult",
    "recovery_run",
    "recovery_point",
    "population_point",
    "floor_decomposition",
]

#: Exponents of the floor terms of Thm. 4: O(m k^2 / n^2) (sparse, (ii)) and O(k^3 / m)
#: (non-negative, (iii)), as {model: {"n": ., "k": ., "m": .}}.
THEOREM4_SLOPES: Dict[str, Dict[str, float]] = {
    "sparse": {"n": -2.0, "k": 2.0, "m": 1.0},
    "nonnegative": {"n": 0.0, "k": 3.0, "m": -1.0},
}


@dataclass
class PopulationResult:
    """Outcome of :func:`population_descent`.

    Attributes
    ----------
    W : ndarray, shape (n, m)
        Final weights.
    b : ndarray, shape (m,)
        Final bias.
    distance_sq : ndarray, shape (steps_run + 1,)
        ||W^s - A||_F^2 at every step (columns kept in A's order and sign: the
        population update started near A never permutes them).
    steps_run : int
        Number of updates made.
    converged : bool
        Whether the tolerance stopped the run.
    """

    W: np.ndarray
    b: np.ndarray
    distance_sq: np.ndarray
    steps_run: int
    converged: bool

    @property
    def floor(self) -> float:
        """The final ||W - A||_F^2: the infinite-sample floor of Thm. 4 when converged."""
        return float(self.distance_sq[-1])


def _model_constants(model: BilinearModel) -> Tuple[int, float, float]:
    if isinstance(model, GaussianMixture) and not np.allclose(model.weights, 1.0 / model.m):
        raise ValueError("model: the closed-form gradient needs uniform supports (equal mixture weights)")
    return int(model.k), float(model.kappa1), float(model.kappa2)


def population_descent(
    model: BilinearModel,
    W0: np.ndarray,
    *,
    lr: float,
    steps: int,
    b0=0.0,
    bias_decay: float = 1.0,
    bias_floor: Optional[float] = None,
    tol: Optional[float] = 1e-9,
) -> PopulationResult:
    """Normalized gradient descent with the exact expected gradient (Thm. 4, infinitely many samples).

    W^{s+1} = normalize(W^s - lr g(W^s, b^s)), b^{s+1} = b^s / bias_decay (then
    abs(b) >= ``bias_floor``), with g the closed form :func:`population_gradient` for
    ``model`` (code consistency assumed: the encoder recovers every support). The
    fixed point is where g_i is parallel to W_i; its distance ||W - A||_F^2 is the
    floor that Thm. 4 bounds by O(m k^2 / n^2) (sparse) or O(k^3 / m) (non-negative).
    It does not depend on ``lr`` (only the speed and stability of the approach do).

    Parameters
    ----------
    model : GaussianMixture, SparseCoding or NonnegativeSparseCoding
        Gives A, k, kappa1, kappa2 and noise_std.
    W0 : ndarray, shape (n, m)
        Start (e.g. :func:`aelib.perturbed_init`), in A's column order.
    lr : float
        zeta > 0.
    steps : int
        Maximum number of updates.
    b0 : float or ndarray, default 0
        Initial bias (negative for ReLU, Thm. 4 (iii.2)).
    bias_decay : float, default 1
        C of b^{s+1} = b^s / C.
    bias_floor : float, optional
        Keep abs(b_i) >= bias_floor (sign kept), as :func:`aelib.train` does.
    tol : float or None, default 1e-9
        Stop once abs(F_s - F_{s-1}) <= tol * max(F_s, 1e-12), F_s = ||W^s - A||_F^2,
        and the bias has stopped moving (None: run all steps).

    Returns
    -------
    PopulationResult

    Notes
    -----
    Each step costs O(m^3 + n m^2), independent of any sample size; BLAS is limited to
    one thread meanwhile (small matrices).
    """
    A = model.A
    k, kappa1, kappa2 = _model_constants(model)
    W = check_matrix("W0", W0, rows=A.shape[0], cols=A.shape[1], dtype=np.float64, nonzero_columns=True)
    W = W / np.linalg.norm(W, axis=0)
    settings = TrainSettings(lr=lr, b0=b0, bias_decay=bias_decay, bias_floor=bias_floor)
    settings.trainer_lr()
    steps = check_int("steps", steps, minimum=0)
    b = settings.initial_bias(A.shape[1])
    history = [float(np.sum((W - A) ** 2))]
    converged = False
    steps_run = 0
    with blas_threads(1):
        for _ in range(steps):
            g = population_gradient(W, A, b, k=k, kappa1=kappa1, kappa2=kappa2, noise_std=model.noise_std)
            W, b_next = settings.step(W, b, g)
            bias_moved = np.max(np.abs(b_next - b), initial=0.0)
            b = b_next
            steps_run += 1
            history.append(float(np.sum((W - A) ** 2)))
            if tol is not None and bias_moved < 1e-9:
                if abs(history[-1] - history[-2]) <= tol * max(history[-1], 1e-12):
                    converged = True
                    break
    return PopulationResult(W=W, b=b, distance_sq=np.array(history), steps_run=steps_run, converged=converged)


def oracle_support_train(
    Y: np.ndarray,
    X_star: np.ndarray,
    W0: np.ndarray,
    *,
    lr: float,
    steps: int,
    b0=0.0,
    bias_decay: float = 1.0,
    bias_floor: Optional[float] = None,
    A: Optional[np.ndarray] = None,
) -> PopulationResult:
    """Normalized gradient descent on N samples with the true supports as the encoder's gate.

    The update of :func:`aelib.train` with :func:`oracle_support_gradient` in place of
    :func:`aelib.gradient`: a perfectly code-consistent autoencoder (Thm. 3) that
    sees only N samples. Between :func:`population_descent` (no sampling error) and
    the real autoencoder (which also makes encoding mistakes) it isolates the
    finite-sample part of the floor.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    X_star : ndarray, shape (m, N)
        True codes (their supports are the gate).
    W0 : ndarray, shape (n, m)
        Start, in the column order of ``X_star``'s rows (normalized here).
    lr : float
        zeta > 0.
    steps : int
        Number of updates.
    b0 : float or ndarray, default 0
        Initial bias.
    bias_decay : float, default 1
        C of b^{s+1} = b^s / C.
    bias_floor : float, optional
        Keep abs(b_i) >= bias_floor (sign kept), as :func:`aelib.train` does.
    A : ndarray, shape (n, m), optional
        Ground truth for the recorded distances ||W^s - A||_F^2 (no matching: the
        oracle gate pins every column to its atom). Without it the history is NaN.

    Returns
    -------
    PopulationResult
        ``converged`` is False (a fixed number of steps is run).
    """
    Y = check_matrix("Y", Y, dtype=np.float64)
    W = check_matrix("W0", W0, rows=Y.shape[0], dtype=np.float64, nonzero_columns=True)
    W = W / np.linalg.norm(W, axis=0)
    X_star = check_matrix("X_star", X_star, rows=W.shape[1], cols=Y.shape[1])
    settings = TrainSettings(lr=lr, b0=b0, bias_decay=bias_decay, bias_floor=bias_floor)
    settings.trainer_lr()
    steps = check_int("steps", steps, minimum=0)
    b = settings.initial_bias(W.shape[1])
    if A is not None:
        A = check_matrix("A", A, rows=W.shape[0], cols=W.shape[1], dtype=np.float64)

    def dist(W):
        return float(np.sum((W - A) ** 2)) if A is not None else float("nan")

    history = [dist(W)]
    for _ in range(steps):
        W, b = settings.step(W, b, oracle_support_gradient(W, b, Y, X_star))
        history.append(dist(W))
    return PopulationResult(W=W, b=b, distance_sq=np.array(history), steps_run=steps, converged=False)


# --- the real autoencoder on finite samples ----------------------------------------------


def theorem4_settings(model: BilinearModel, activation: str = "threshold", *, lr_scale: float = 1.0,
                      bias_decay: float = 2.0) -> TrainSettings:
    """Training options of Thm. 4 for ``model``: keywords for :func:`aelib.train` (minus ``steps``).

    * ``"threshold"``: lam = a1 / 2, b = 0 (Thm. 3 (i), (iii); Thm. 4 (ii), (iii.1));
    * ``"relu"``: b^0 = -a1 / 2 and b^{s+1} = b^s / C, so b -> 0 (Thm. 4 (iii.2);
      C = ``bias_decay``);
    * ``"relu_floor"``: the same, but abs(b) never drops below a1 / 4 (``bias_floor``):
      our variant, not the paper's, which keeps the inactive units silent (see the chapter);
    * learning rate zeta = lr_scale * m / (k (kappa2 + (k - 1) kappa1^2)). For sparse codes
      (kappa1 = 0, kappa2 = 1) this is m / k, the Theta(m/k) of Thm. 4 (ii); for
      non-negative codes it is half of :func:`aelib.common_mode_lr_limit`, the largest
      stable step of the form c m / k (a fixed c is unstable once (k - 1) kappa1^2 > kappa2).

    Parameters
    ----------
    model : BilinearModel
        Gives m, k, kappa1, kappa2 and a1.
    activation : {"threshold", "relu", "relu_floor"}, default "threshold"
        The encoder and bias rule, as listed above.
    lr_scale : float, default 1.0
        Factor > 0 on the learning rate.
    bias_decay : float, default 2.0
        C of b^{s+1} = b^s / C for the ReLU variants (ignored for the threshold).

    Returns
    -------
    TrainSettings
        ``lr``, ``activation``, ``lam`` (threshold only), ``b0``, ``bias_decay``, and
        ``bias_floor`` for ``"relu_floor"``; it reads as a dict of those options.
    """
    lr_scale = check_real("lr_scale", lr_scale, minimum=0.0, strict_min=True)
    m, k = model.m, int(model.k)
    lr = lr_scale * m / (k * (model.kappa2 + (k - 1) * model.kappa1**2))
    if activation == "threshold":
        return TrainSettings(lr=lr, activation="threshold", lam=model.a1 / 2.0, b0=0.0, bias_decay=1.0)
    if activation in ("relu", "relu_floor"):
        floor = model.a1 / 4.0 if activation == "relu_floor" else None
        return TrainSettings(lr=lr, activation="relu", b0=-model.a1 / 2.0, bias_decay=bias_decay, bias_floor=floor)
    raise ValueError(f"activation: expected 'threshold', 'relu' or 'relu_floor', got {activation!r}")


def relu_consistency_window(A: np.ndarray, *, k: int, a1: float, a2: float) -> Tuple[float, float]:
    """The closeness delta at which the hypotheses of Thm. 3 (ii) can hold for A: (low, high).

    Thm. 4 (iii.2) (ReLU encoder, b^{s+1} = b^s / C) assumes the conditions of Thm. 3 (ii)
    at every step. Two of them bound delta, the closeness of W^s to A (Def. 2), with no
    hidden constant:

    * mu <= delta sqrt(n) / k, i.e. delta >= low = k mu / sqrt(n) = k max_{i != j} |<A_i, A_j>|;
    * a non-empty bias interval [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)]
      (:func:`aelib.relu_bias_interval`), i.e. delta <= high = a1 / (a1 + 2 a2 sqrt(k)).

    When low > high no W satisfies both, whatever its distance to A. The lower end
    also bounds Thm. 3 (iii) (threshold encoder, the same mu <= delta sqrt(n) / k): there
    the hypothesis fails once W is closer to A than ``low``. The conditions with hidden
    constants (delta = O*(1/log n), k = O(1/delta^2)) are not used.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Dictionary with unit columns, m >= 2 (its coherence mu, Def. 1).
    k : int
        Sparsity, k >= 1.
    a1, a2 : float
        Bounds of the non-zero code values, 0 < a1 <= a2 (assumption A3).

    Returns
    -------
    (low, high) : tuple of float
    """
    A = check_matrix("A", A, dtype=np.float64)
    if A.shape[1] < 2:
        raise ValueError(f"A: the coherence needs at least two columns, got {A.shape[1]}")
    k = check_int("k", k, minimum=1)
    a1 = check_real("a1", a1, minimum=0.0, strict_min=True)
    a2 = check_real("a2", a2, minimum=a1)
    low = k * coherence(A) / np.sqrt(A.shape[0])
    return float(low), float(a1 / (a1 + 2.0 * a2 * np.sqrt(k)))


@dataclass
class RecoveryResult:
    """Outcome of one :func:`recovery_run`.

    Attributes
    ----------
    initial, final : float
        Column-RMS matched distance ||pi(W) - A||_F / sqrt(m) at W^0 and at the end.
    floor : float
        Final squared matched distance ||pi(W) - A||_F^2 (Thm. 4's quantity).
    success : bool
        ``final < level`` and ``final < initial``.
    distance : ndarray, shape (steps + 1,)
        ||pi(W^s) - A||_F / sqrt(m) along the run.
    loss : ndarray, shape (steps + 1,)
        Reconstruction loss at (W^s, b^s), as :func:`aelib.train` records it.
    W : ndarray, shape (n, m)
        Final weights.
    """

    initial: float
    final: float
    floor: float
    success: bool
    distance: np.ndarray
    loss: np.ndarray
    W: np.ndarray


def recovery_run(
    model: BilinearModel,
    W0: Union[np.ndarray, Sequence[np.ndarray]],
    train_kwargs: Union[Dict[str, object], Sequence[Dict[str, object]]],
    *,
    N: int,
    rng: RngLike,
    steps: int = 30,
    signs: Optional[bool] = None,
    dtype=np.float32,
    level: float = 0.25,
    Y: Optional[np.ndarray] = None,
    history: bool = True,
) -> Union[RecoveryResult, List[RecoveryResult]]:
    """Draw N samples from ``model`` and train the autoencoder from ``W0`` (Thm. 4 in practice).

    The data are ``model.sample(N, rng=rng, dtype=dtype)`` (or ``Y`` when given);
    training is :func:`aelib.train` with ``train_kwargs`` (e.g. from
    :func:`theorem4_settings`). Several starts (a list ``W0``, with one settings dict
    for all or one per start) are trained on the same data at once with
    :func:`aelib.train_many` (the same update, sharing the passes over Y). Distances
    are matched (Hungarian, with sign flips when ``signs``).

    Parameters
    ----------
    model : BilinearModel
        Generative model; its ``A`` is the ground truth.
    W0 : ndarray (n, m), or a sequence of them
        Start(s) W^0.
    train_kwargs : dict, or a sequence of dicts (one per start)
        ``lr``, ``activation``, ``lam``, ``b0``, ``bias_decay``, ``bias_floor``.
    N : int
        Number of samples.
    rng : numpy.random.Generator or int
        Draws the data.
    steps : int, default 30
        Number of updates T.
    signs : bool, optional
        Match up to sign flips; default True for :class:`aelib.SparseCoding`, else False.
    dtype : numpy dtype, default float32
        dtype of the drawn data, and so of training.
    level : float, default 0.25
        Success threshold on the final column-RMS distance.
    Y : ndarray, shape (n, N), optional
        Use these samples instead of drawing new ones.
    history : bool, default True
        Record the matched distance at every step (one Hungarian matching per step and
        start); False matches only W^0 and the final W (``distance`` then has those two).

    Returns
    -------
    RecoveryResult, or a list of them (one per start) when ``W0`` is a sequence

    Notes
    -----
    Training runs with BLAS limited to one thread (threadpoolctl, restored afterwards):
    at these sizes a second thread gains little on an idle machine and loses several
    times over on a busy one. Run several points in parallel with :func:`aelib.sweep`
    (``n_jobs``) instead.
    """
    N = check_int("N", N, minimum=1)
    steps = check_int("steps", steps, minimum=0)
    level = check_real("level", level, minimum=0.0, strict_min=True)
    if signs is None:
        signs = isinstance(model, SparseCoding)
    if Y is None:
        Y, _ = model.sample(N, rng=as_rng(rng), dtype=dtype)
    A = model.A
    single = isinstance(W0, np.ndarray) and W0.ndim == 2
    starts = [W0] if single else list(W0)
    starts = [np.asarray(W, dtype=Y.dtype) for W in starts]
    settings = _start_settings(train_kwargs, len(starts))
    target = A if history else None
    with blas_threads(1):
        if len(starts) == 1:
            s = settings[0]
            runs = [train(Y, starts[0], s.b0, lr=s.lr, steps=steps, activation=s.activation, lam=s.lam,
                          bias_decay=s.bias_decay, bias_floor=s.bias_floor, A=target, signs=signs)]
        else:
            runs = list(train_many(Y, starts, settings, steps=steps, A=target, signs=signs))
    out = [_recovery_result(W_start, run, A, signs=signs, history=history, level=level)
           for W_start, run in zip(starts, runs)]
    return out[0] if single else out


def _start_settings(train_kwargs, count: int) -> List[TrainSettings]:
    """One validated TrainSettings per start; a ``steps`` option is dropped (the run's ``steps`` rules)."""
    if isinstance(train_kwargs, Mapping):
        options = [train_kwargs] * count
    else:
        options = list(train_kwargs)
        if len(options) != count:
            raise ValueError(f"train_kwargs: expected one dict or {count} (one per start), got {len(options)}")
    settings = [TrainSettings.from_mapping(s, name="train_kwargs").replace(steps=None) for s in options]
    for s in settings:
        s.trainer_lr("train_kwargs")
    return settings


def _recovery_result(W_start, run, A, *, signs: bool, history: bool, level: float) -> RecoveryResult:
    """Column-RMS distances of one run (its history, or its two ends) and its verdict against ``level``."""
    m = A.shape[1]
    if history:
        distance = np.asarray(run.distance, dtype=np.float64) / np.sqrt(m)
    else:
        ends = [matched_distance(W, A, signs=signs) for W in (W_start, run.W)]
        distance = np.array(ends) / np.sqrt(m)
    final_sq = float(np.sum(column_distances(run.W, A, signs=signs) ** 2))
    final = float(np.sqrt(final_sq / m))
    initial = float(distance[0])
    ok = bool(np.isfinite(final) and final < level and final < initial)
    return RecoveryResult(initial=initial, final=final, floor=final_sq, success=ok, distance=distance,
                          loss=np.asarray(run.loss), W=run.W)


def recovery_point(
    *,
    kind: str,
    n: int,
    m: int,
    k: int,
    deltas: Sequence[float],
    variants: Sequence[str] = ("threshold",),
    N: int = 2000,
    steps: int = 30,
    noise_std: float = 0.0,
    seed: int = 0,
    level: float = 0.25,
    lr_scale: float = 1.0,
) -> Dict[str, Dict[str, list]]:
    """One point of a success map: train every (variant, delta0) on one data set.

    Sweep-friendly (scalar arguments, a dict result) for :func:`aelib.sweep`. The seed
    fixes, through ``numpy.random.SeedSequence([seed, n, m, k])``, the dictionary A
    (:func:`aelib.random_dictionary`), the N samples of ``make_model(kind, A, k=k,
    noise_std=noise_std)`` and one :func:`aelib.perturbed_init` per delta0 (the same
    starts for every variant). Each variant is an ``activation`` of
    :func:`theorem4_settings` (with ``lr_scale``); all len(variants) * len(deltas)
    autoencoders train together (:func:`recovery_run`) for ``steps`` steps.

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2), as in :func:`aelib.make_model`.
    n : int
        Dimension of the samples.
    m : int
        Number of atoms (columns of A).
    k : int
        Nonzeros per code: 1 for the mixture, 1 <= k <= m otherwise.
    deltas : sequence of float
        Perturbation sizes delta0 of the starts.
    variants : sequence of str, default ("threshold",)
        ``activation`` values of :func:`theorem4_settings`.
    N : int, default 2000
        Number of samples.
    steps : int, default 30
        Number of updates T.
    noise_std : float, default 0.0
        sigma_eta >= 0.
    seed : int, default 0
        Base seed of the SeedSequence.
    level : float, default 0.25
        Success threshold on the final column-RMS distance (as in :func:`recovery_run`).
    lr_scale : float, default 1.0
        Factor on the learning rate of :func:`theorem4_settings`.

    Returns
    -------
    dict
        For each variant: ``initial``, ``final`` (column-RMS distances, one per
        delta0), ``floor`` (final ||pi(W) - A||_F^2) and ``success`` (booleans), as lists.
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    variants = list(variants)
    deltas = [float(d) for d in deltas]
    problem = make_problem(kind, n, m, k, N, noise_std, (seed, n, m, k), dtype=np.float32)
    model, start_rng = problem.model, problem.start_rng()
    starts = [make_start("perturbation", model.A, None, start_rng, delta=d) for d in deltas]
    settings = [theorem4_settings(model, v, lr_scale=lr_scale) for v in variants]
    runs = recovery_run(model, [W for _ in variants for W in starts], [s for s in settings for _ in starts],
                        N=N, rng=problem.data_rng(), steps=steps, level=level, Y=problem.Y, history=False)
    out = {}
    for j, v in enumerate(variants):
        chunk = runs[j * len(starts) : (j + 1) * len(starts)]
        out[v] = {
            "initial": [r.initial for r in chunk],
            "final": [r.final for r in chunk],
            "floor": [r.floor for r in chunk],
            "success": [r.success for r in chunk],
        }
    return out


def population_point(*, kind: str, n: int, m: int, k: int, seed: int = 0, delta0: float = 0.2,
                     noise_std: float = 0.0, steps: int = 300, tol: float = 1e-7,
                     lr_scale: Optional[float] = None) -> float:
    """The infinite-sample floor ||W - A||_F^2 of :func:`population_descent` at one (n, m, k).

    Sweep-friendly: A = :func:`aelib.random_dictionary` and W^0 = :func:`aelib.perturbed_init`
    (``delta0``) from ``numpy.random.SeedSequence([seed, n, m, k])``; threshold encoder
    (b = 0) and the learning rate of :func:`theorem4_settings` times ``lr_scale``.
    The fixed point does not depend on the rate, so the default picks one that
    converges fast and stably: 0.75 for sparse codes (m / k itself oscillates once
    k / n is above about 0.05) and 1.5 for non-negative codes (3/4 of the
    common-mode limit). Returns NaN if the run does not settle within ``steps``.

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2), as in :func:`aelib.make_model`.
    n : int
        Dimension of the samples.
    m : int
        Number of atoms (columns of A).
    k : int
        Nonzeros per code: 1 for the mixture, 1 <= k <= m otherwise.
    seed : int, default 0
        Base seed of the SeedSequence.
    delta0 : float, default 0.2
        Perturbation size of the start.
    noise_std : float, default 0.0
        sigma_eta >= 0.
    steps : int, default 300
        Maximum number of updates.
    tol : float, default 1e-7
        Convergence tolerance of :func:`population_descent`.
    lr_scale : float, optional
        Factor on the learning rate of :func:`theorem4_settings` (default as above).

    Returns
    -------
    float
        The floor ||W - A||_F^2, or NaN.
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    problem = make_problem(kind, n, m, k, None, noise_std, (seed, n, m, k))
    model = problem.model
    W0 = make_start("perturbation", model.A, None, problem.start_rng(), delta=delta0)
    if lr_scale is None:
        lr_scale = 0.75 if model.kappa1 == 0.0 else 1.5
    lr = theorem4_settings(model, "threshold", lr_scale=lr_scale)["lr"]
    result = population_descent(model, W0, lr=lr, steps=steps, tol=tol)
    return result.floor if result.converged else float("nan")


def floor_decomposition(*, kind: str, n: int, m: int, k: int, Ns: Sequence[int] = (1000, 4000),
                        seed: int = 0, delta0: float = 0.3, steps: int = 30,
                        activation: str = "threshold") -> Dict[str, object]:
    """Split the floor of the real autoencoder into Thm. 4's bias, sampling error and encoding error.

    On one dictionary A and start W^0 (from ``numpy.random.SeedSequence([seed, n, m, k])``,
    as in :func:`population_point`), with the settings of :func:`theorem4_settings`:

    1. ``population``: :func:`population_descent` -- no samples, perfect encoder: the
       floor Thm. 4 bounds;
    2. ``oracle``: :func:`oracle_support_train` on N samples -- perfect encoder, finite N;
    3. ``autoencoder``: the real autoencoder (:func:`recovery_run`) on the same N samples.

    Each finite-N floor is fitted as F(N) = F_inf + c / N (:func:`extrapolate_floor`).
    ``oracle_inf`` should match ``population`` (the sampling error is all in c / N);
    ``autoencoder_inf - population`` is what encoding mistakes add.

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2), as in :func:`aelib.make_model`.
    n : int
        Dimension of the samples.
    m : int
        Number of atoms (columns of A).
    k : int
        Nonzeros per code: 1 for the mixture, 1 <= k <= m otherwise.
    Ns : sequence of int, default (1000, 4000)
        Sample sizes N (at least two for the fit).
    seed : int, default 0
        Base seed of the SeedSequence.
    delta0 : float, default 0.3
        Perturbation size of the start.
    steps : int, default 30
        Number of updates of the finite-N runs (the population run gets 10 times as many).
    activation : {"threshold", "relu", "relu_floor"}, default "threshold"
        The variant of :func:`theorem4_settings`.

    Returns
    -------
    dict
        ``population`` (float); ``oracle``, ``autoencoder`` (lists, one per N);
        ``oracle_inf``, ``oracle_c``, ``autoencoder_inf``, ``autoencoder_c`` (floats).
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    Ns = [check_int("N", N, minimum=1) for N in Ns]
    steps = check_int("steps", steps, minimum=1)
    problem = make_problem(kind, n, m, k, None, 0.0, (seed, n, m, k))
    model, A = problem.model, problem.A
    W0 = make_start("perturbation", A, None, problem.start_rng(), delta=delta0)
    settings = theorem4_settings(model, activation)
    decay = {key: settings[key] for key in ("b0", "bias_decay") if key in settings}
    population = population_descent(model, W0, lr=0.75 * settings["lr"], steps=10 * steps, tol=1e-7,
                                     bias_floor=settings.get("bias_floor"), **decay).floor
    data_rng = problem.data_rng()
    oracle, autoencoder = [], []
    for N in Ns:
        Y, X_star = model.sample(N, rng=data_rng, dtype=np.float32)
        with blas_threads(1):
            run = oracle_support_train(Y, X_star, W0, lr=settings["lr"], steps=steps, A=A,
                                       bias_floor=settings.get("bias_floor"), **decay)
        oracle.append(float(run.distance_sq[-1]))
        autoencoder.append(recovery_run(model, W0, settings, N=N, rng=0, steps=steps, Y=Y, history=False).floor)
    o_inf, o_c = extrapolate_floor(Ns, oracle)
    a_inf, a_c = extrapolate_floor(Ns, autoencoder)
    return {"population": population, "oracle": oracle, "autoencoder": autoencoder,
            "oracle_inf": o_inf, "oracle_c": o_c, "autoencoder_inf": a_inf, "autoencoder_c": a_c}
