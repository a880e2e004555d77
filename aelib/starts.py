"""Random and PCA starts (beyond the paper): success probabilities and failure diagnostics.

The theory of the paper is local: Thm. 2 and 4 need a start W^0 that is already
O*(1/log n)-close to A, and Sec. 3 leaves open whether a random start works. Sec. 6
observes that random and PCA starts lower the loss but do not recover A. This module
measures how often they *do* recover A on the Gaussian mixture, and why they fail.

Outcome of a run
----------------
After matching (Def. 2, :func:`aelib.column_distances`), a run *recovers* A when every
column is within ``success_radius`` (0.1 by default) of its matched column of A,
and *locates* A when every column is within ``locate_radius`` (0.5) of it: each
unit then sits on its own cluster, even if it is biased away from the mean.
Columns of a random or a failed W are about sqrt(2) from every A_i, so the
outcome does not hinge on the exact radii.

Diagnostics
-----------
* :func:`dead_units` -- units whose code is zero on every sample: they get no
  gradient and never move (eq. (4) has the factor sigma'(z_i)).
* :func:`nearest_columns`, :func:`duplicate_columns` -- the column of A each W_j is
  closest to; a column is a duplicate when another (live) column has the same
  nearest A_i and is closer to it.
* :func:`coverage` -- which clusters have some column of W within a radius.
* :func:`classify_columns` -- one label per column of W at the end of a run:
  ``"recovered"``, ``"near"`` (located, not recovered), ``"straddle"`` (live, alone
  on its nearest cluster, but far from every A_i: it sits between clusters),
  ``"duplicate"`` or ``"dead"``; the worst label of a run is its failure cause.
* :func:`stalled_start` -- a start that is a stationary point of the update with
  every unit firing on every sample (a PCA start under a permissive encoder: the
  top-m singular vectors are the stationary point of the *linear* autoencoder).
  Such a run does not move until rounding errors, grown along the unstable
  directions, push it off, so where it ends is decided by rounding, not by the
  data: it is counted as its own failure cause, ``"stalled"``, whatever its end.

:func:`start_trial` runs every (encoder, start) pair on one drawn problem and
returns one record per pair: it is the point function of the chapter's
:func:`aelib.sweep`. :func:`schedule_trial` does the same for the schedules of
:data:`TIGHTENING_SCHEDULES`, which start permissive and tighten later (run phase
by phase by :func:`train_phases`). :func:`success_probability` and
:func:`failure_causes` summarize a list of records.

Records
-------
A record of :func:`start_trial` has the keys ``n, m, noise_std, N, seed, steps,
encoder, start`` (the point), ``distance`` (final matched distance
``||pi(W) - A||_F``), ``max_column`` (largest matched column distance),
``recovered`` and ``located`` (bools: max_column within each radius), ``loss0`` and
``loss`` (first and final loss), ``dead_start`` (units of W^0 silent under b^0),
``stuck_start`` (units of W^0 silent under the bias the run ends with: since
abs(b) never grows, such a unit is silent at every step, gets no gradient and is
still dead at the end; left out of the record of a run whose abs(b) grows, where
that argument fails), ``collisions_start`` (:func:`duplicate_columns` of W^0:
units pointing to a cluster another unit points to more closely), ``stalled``
(bool, :func:`stalled_start`: such a run is never counted as recovering or
locating A, since where it ends is decided by rounding), ``dead, duplicate,
straddle, near`` (column counts at the end, from :func:`classify_columns`),
``uncovered`` (clusters with no column within ``locate_radius`` at the end) and
``cause`` (``"stalled"``, else the worst column label of a failed run, or
``"none"`` for a run that recovers A).
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ._checks import check_int, check_matrix, check_real
from .autoencoder import encode
from .descent import TrainResult, TrainSettings, train
from .experiments import train_many
from .metrics import column_distances
from .problems import Problem, make_problem, make_start

__all__ = [
    "START_ENCODERS",
    "START_NAMES",
    "TIGHTENING_SCHEDULES",
    "FAILURE_CAUSES",
    "dead_units",
    "nearest_columns",
    "duplicate_columns",
    "max_cosine",
    "coverage",
    "classify_columns",
    "stalled_start",
    "start_trial",
    "train_phases",
    "schedule_trial",
    "success_probability",
    "success_grid",
    "failure_causes",
    "failure_given",
    "collision_free_probability",
]

#: The three encoder settings compared (lr = m for all, as in Sec. 6):
#: the paper's ReLU schedule (b^0 = -1.25, b <- b/2), the same with the bias kept at
#: abs(b) >= 0.25, and the hard threshold lam = 1/2 with b = 0 (Thm. 3 (iii), a1 = 1).
#: Each is a :class:`aelib.TrainSettings` without ``lr`` (the runs set lr = m).
START_ENCODERS: Dict[str, TrainSettings] = {
    "relu-decay": TrainSettings(activation="relu", b0=-1.25, bias_decay=2.0),
    "relu-floor": TrainSettings(activation="relu", b0=-1.25, bias_decay=2.0, bias_floor=0.25),
    "threshold": TrainSettings(activation="threshold", lam=0.5, b0=0.0),
}

#: The starts compared: a random guess and PCA (Sec. 6, inits (iii) and (ii)), and a
#: 0.5-perturbation of A (Sec. 6, init (i)) as the control that tells whether an
#: encoder setting can converge at all.
START_NAMES: Tuple[str, ...] = ("random", "pca", "perturbation")

#: Bias schedules that start permissive and tighten later (not the paper's: Chapter 10 measures
#: whether they rescue random starts). Each is a sequence of phases ``(settings without lr,
#: steps)``, run one after the other by :func:`train_phases`: W carries over from phase to phase,
#: the bias restarts at each phase's b0. 50 steps in all, as in Sec. 6.
#:
#: * ``"decay, then 0.25"``: the paper's Sec. 6 schedule (b^0 = -1.25, b <- b/2) for 25 steps, so
#:   that b reaches about 0 and every unit with a positive inner product fires; then the constant
#:   b = -0.25 of the ``relu-floor`` encoder for 25 steps.
#: * ``"ramp to 0.25"``: abs(b) starts at 0.02 and grows by a factor 1.2 per step for 14 steps
#:   (up to 0.02 * 1.2^13 = 0.21); then the constant b = -0.25 for 36 steps.
TIGHTENING_SCHEDULES: Dict[str, Tuple[Tuple[TrainSettings, int], ...]] = {
    "decay, then 0.25": (
        (TrainSettings(activation="relu", b0=-1.25, bias_decay=2.0), 25),
        (TrainSettings(activation="relu", b0=-0.25), 25),
    ),
    "ramp to 0.25": (
        (TrainSettings(activation="relu", b0=-0.02, bias_decay=1 / 1.2), 14),
        (TrainSettings(activation="relu", b0=-0.25), 36),
    ),
}

#: Failure causes of a run, worst first: ``"stalled"`` (the start is a stationary point,
#: :func:`stalled_start`: the outcome is decided by rounding), then the column labels of
#: :func:`classify_columns` (otherwise the cause of a failed run is its worst label).
FAILURE_CAUSES: Tuple[str, ...] = ("stalled", "dead", "duplicate", "straddle", "near")

#: The column labels of :func:`classify_columns` that mark a failure, worst first.
_COLUMN_CAUSES: Tuple[str, ...] = FAILURE_CAUSES[1:]


def dead_units(W: np.ndarray, b, Y: np.ndarray, *, activation: str = "relu", lam: Optional[float] = None) -> np.ndarray:
    """Which units are silent on every sample: x_j = sigma(W_j^T y + b_j) = 0 for all y.

    A dead unit receives no gradient: in eq. (4) (and in the approximate gradient of
    Sec. 5) every term carries sigma'(z_j) or 1{x_j != 0}, so its column W_j never
    moves unless the bias changes. With the threshold activation and b = 0, a unit
    is dead when abs(W_j^T y) <= lam for every sample; with ReLU and b < 0, when
    W_j^T y <= -b_j.

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
        Threshold of the hard-threshold activation.

    Returns
    -------
    ndarray of bool, shape (m,)
        True for a dead unit.
    """
    X = encode(W, b, Y, activation=activation, lam=lam)
    return ~np.any(X != 0, axis=1)


def _cosines(W: np.ndarray, A: np.ndarray, signs: bool) -> np.ndarray:
    """cos(W_j, A_i) as an (m_W, m_A) array (absolute values with ``signs``)."""
    Wn = W / np.linalg.norm(W, axis=0)
    An = A / np.linalg.norm(A, axis=0)
    C = Wn.T @ An
    return np.abs(C) if signs else C


def nearest_columns(W: np.ndarray, A: np.ndarray, *, signs: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """The column of A each column of W points to: argmax_i cos(W_j, A_i).

    Unlike the matching of Def. 2 (:func:`aelib.match_columns`), which is a
    permutation, several columns of W may point to the same A_i.

    Parameters
    ----------
    W : ndarray, shape (n, m_W)
        Estimate (any number of columns).
    A : ndarray, shape (n, m)
        Ground truth.
    signs : bool, default False
        Compare abs(cosine) (sparse coding, where -A_i is as good as A_i).

    Returns
    -------
    index : ndarray of int, shape (m_W,)
        index[j] = the i maximizing cos(W_j, A_i).
    cosine : ndarray, shape (m_W,)
        That largest cosine.
    """
    A = check_matrix("A", A, nonzero_columns=True)
    W = check_matrix("W", W, rows=A.shape[0], nonzero_columns=True)
    C = _cosines(W.astype(np.float64), A.astype(np.float64), signs)
    index = np.argmax(C, axis=1)
    return index, C[np.arange(C.shape[0]), index]


def duplicate_columns(
    W: np.ndarray, A: np.ndarray, *, signs: bool = False, live: Optional[np.ndarray] = None
) -> np.ndarray:
    """Which columns of W duplicate another: same nearest A_i, but a lower cosine to it.

    Among the (live) columns that point to the same A_i (:func:`nearest_columns`),
    the one with the largest cosine keeps it and the others are duplicates. By the
    pigeonhole principle, m columns with d duplicates leave at least d columns of A
    that no column points to.

    Parameters
    ----------
    W, A : ndarray, shape (n, m)
        Estimate and ground truth.
    signs : bool, default False
        Compare abs(cosine).
    live : ndarray of bool, shape (m,), optional
        Only these columns count (e.g. ``~dead_units(...)``); a dead column is never
        a duplicate and takes no cluster. Default: all columns.

    Returns
    -------
    ndarray of bool, shape (m,)
        True for a duplicate column; ``.sum()`` is the number of duplicates.
    """
    index, cosine = nearest_columns(W, A, signs=signs)
    m = index.size
    live = np.ones(m, dtype=bool) if live is None else np.asarray(live, dtype=bool)
    if live.shape != (m,):
        raise ValueError(f"live: expected a boolean vector of length {m}, got shape {live.shape}")
    duplicate = np.zeros(m, dtype=bool)
    for target in np.unique(index[live]):
        group = np.flatnonzero(live & (index == target))
        keeper = group[np.argmax(cosine[group])]
        duplicate[group[group != keeper]] = True
    return duplicate


def max_cosine(W: np.ndarray, *, signs: bool = False) -> float:
    """Largest cosine between two distinct columns of W (abs(cosine) with ``signs``).

    Near 1 when two columns have converged to the same direction (a duplicate); for
    m random unit vectors in R^n it is about sqrt(4 log(m) / n).

    Parameters
    ----------
    W : ndarray, shape (n, m), m >= 2
        Weights (columns need not be unit norm).
    signs : bool, default False
        Compare abs(cosine).

    Returns
    -------
    float
    """
    W = check_matrix("W", W, nonzero_columns=True)
    if W.shape[1] < 2:
        raise ValueError(f"W: max_cosine needs at least 2 columns, got {W.shape[1]}")
    C = _cosines(W.astype(np.float64), W.astype(np.float64), signs)
    np.fill_diagonal(C, -np.inf)
    return float(C.max())


def coverage(W: np.ndarray, A: np.ndarray, *, radius: float = 0.5, signs: bool = False) -> np.ndarray:
    """Which columns of A (clusters) have some column of W within ``radius``.

    Distances are between unit vectors: ``||W_j / ||W_j|| - A_i||`` (or the smaller
    of the distances to +A_i and -A_i with ``signs``). Two columns of an incoherent A
    are about sqrt(2) apart, so with radius < sqrt(2)/2 a column of W covers at most
    one cluster, and W recovers A within ``radius`` (Def. 2, delta = radius) exactly
    when every cluster is covered.

    Parameters
    ----------
    W : ndarray, shape (n, m_W)
        Estimate (any number of columns).
    A : ndarray, shape (n, m)
        Ground truth (the cluster means).
    radius : float, default 0.5
        Largest distance at which a column of W covers a cluster.
    signs : bool, default False
        Also count -W_j (sparse coding).

    Returns
    -------
    ndarray of bool, shape (m,)
        True for a covered column of A; ``(~coverage(W, A)).sum()`` counts the
        clusters left uncovered.
    """
    A = check_matrix("A", A, nonzero_columns=True)
    W = check_matrix("W", W, rows=A.shape[0], nonzero_columns=True)
    radius = check_real("radius", radius, minimum=0.0)
    C = _cosines(W.astype(np.float64), A.astype(np.float64), signs)
    distance = np.sqrt(np.maximum(2.0 - 2.0 * C, 0.0))  # ||u - v|| for unit u, v
    return np.any(distance <= radius, axis=0)


def classify_columns(
    W: np.ndarray,
    b,
    Y: np.ndarray,
    A: np.ndarray,
    *,
    activation: str = "relu",
    lam: Optional[float] = None,
    success_radius: float = 0.1,
    locate_radius: float = 0.5,
    signs: bool = False,
) -> np.ndarray:
    """One label per column of W, from best to worst:

    * ``"recovered"`` -- live, alone on its nearest A_i and within ``success_radius`` of it;
    * ``"near"`` -- the same, within ``locate_radius`` but not ``success_radius``
      (on the right cluster, pulled off its mean, e.g. by a ReLU bias near 0);
    * ``"straddle"`` -- live and alone on its nearest A_i but farther than
      ``locate_radius`` from it: it fires on, and averages, several clusters;
    * ``"duplicate"`` -- live, but another live column is closer to its nearest A_i
      (:func:`duplicate_columns`);
    * ``"dead"`` -- silent on every sample of Y (:func:`dead_units`).

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Weights, e.g. the end of a run.
    b : float or ndarray, shape (m,)
        The bias the encoder uses with W (e.g. ``TrainResult.b``).
    Y : ndarray, shape (n, N)
        Samples, to tell dead units (:func:`dead_units`).
    A : ndarray, shape (n, m)
        Ground truth.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).
    success_radius, locate_radius : float
        0 < success_radius <= locate_radius.
    signs : bool, default False
        Compare abs(cosine) (sparse coding).

    Returns
    -------
    ndarray of str, shape (m,)
    """
    success_radius = check_real("success_radius", success_radius, minimum=0.0, strict_min=True)
    locate_radius = check_real("locate_radius", locate_radius, minimum=success_radius)
    dead = dead_units(W, b, Y, activation=activation, lam=lam)
    duplicate = duplicate_columns(W, A, signs=signs, live=~dead)
    _, cosine = nearest_columns(W, A, signs=signs)
    distance = np.sqrt(np.maximum(2.0 - 2.0 * cosine, 0.0))
    labels = np.where(distance <= success_radius, "recovered", np.where(distance <= locate_radius, "near", "straddle"))
    labels = np.where(duplicate, "duplicate", labels)
    labels = np.where(dead, "dead", labels)
    return labels.astype(object)


def stalled_start(W0: np.ndarray, b0, Y: np.ndarray, *, lr: float, activation: str = "relu",
                  lam: Optional[float] = None, **schedule) -> bool:
    """Whether W^0 is a stationary point of the update with every unit firing on every sample.

    When every unit fires on every sample, the encoder is linear on the data
    (x = W^T y + b, or x = W^T y for the threshold), so the loss is locally that of a
    linear autoencoder, whose gradient vanishes at the top-m left singular vectors
    of Y: a PCA start (:func:`aelib.pca_init`) under a permissive encoder (e.g. the
    threshold 1/2 for m = 2, where each PCA column has inner product about 0.7 with
    both clusters) does not move. It stays there, up to rounding, until rounding
    errors grown along the unstable directions push it off, after tens of steps
    and in a direction rounding decides: the end of such a run differs between BLAS
    kernels. A start of silent units also does not move, but deterministically (no
    unit fires, no gradient): it is not stalled.

    Parameters
    ----------
    W0 : ndarray, shape (n, m)
        Start W^0.
    b0 : float or ndarray, shape (m,)
        Initial bias b^0.
    Y : ndarray, shape (n, N)
        Training data, one sample per column.
    lr : float
        Learning rate of the update.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold of the hard-threshold activation (required for it; forbidden for ReLU).
    **schedule
        Further keyword arguments of :func:`aelib.train` (``bias_decay``, ``bias_floor``).

    Returns
    -------
    bool
        True when every unit fires on every sample under (W^0, b^0) and one step of
        :func:`aelib.train` moves W^0 by at most sqrt(eps) of Y's dtype in Frobenius norm.
    """
    if not np.all(encode(W0, b0, Y, activation=activation, lam=lam) != 0):
        return False
    step = train(Y, W0, b0, lr=lr, steps=1, activation=activation, lam=lam, **schedule)
    return bool(np.linalg.norm(step.W - W0) <= np.sqrt(np.finfo(Y.dtype).eps))


def collision_free_probability(m: int) -> float:
    """m! / m^m: the chance that m units, each picking one of m clusters uniformly at
    random, pick m different clusters.

    If each unit of a random start is captured by the cluster it happens to be
    closest to, and gradient descent never moves a unit to another cluster, this is
    the probability that a random start locates every cluster (0.5 for m = 2,
    0.038 for m = 5, 3.6e-4 for m = 10).

    Parameters
    ----------
    m : int, >= 1
        Number of units and of clusters.

    Returns
    -------
    float
    """
    m = check_int("m", m, minimum=1)
    return float(np.exp(np.sum(np.log(np.arange(1, m + 1))) - m * np.log(m)))


def _check_names(argument: str, what: str, given: Optional[Iterable[str]], known: Sequence[str]) -> List[str]:
    """``given`` as a list (all of ``known`` when None), every name one of ``known``."""
    names = list(known) if given is None else list(given)
    for name in names:
        if name not in known:
            raise ValueError(f"{argument}: unknown {what} {name!r}; expected some of {tuple(known)}")
    return names


def _trial_starts(problem: Problem, starts: Sequence[str], delta: float) -> Dict[str, np.ndarray]:
    """W^0 of each start: one child of the start stream per name of :data:`START_NAMES`, in that
    order, so that a start's W^0 does not depend on which other starts are drawn."""
    A, Y, delta = problem.A, problem.Y, check_real("delta", delta, minimum=0.0)
    rngs = dict(zip(START_NAMES, problem.start_rngs(len(START_NAMES))))
    return {name: make_start(name, A, Y, rngs[name], delta=delta).astype(Y.dtype) for name in starts}


def _run_record(run: Tuple[str, str], first: Mapping, last: Mapping, result: TrainResult, W0: np.ndarray,
                problem: Problem, success_radius: float, locate_radius: float) -> Dict[str, object]:
    """The outcome and the diagnostics of one trained (encoder, start) pair (the keys of
    :func:`start_trial` after the point's).

    ``first`` is the setting (with lr) of the run's first step, which the diagnostics of the
    start use (``stalled``, ``dead_start``); ``last`` that of its last step, whose encoder
    labels the final columns. ``stuck_start`` is recorded only when abs(b) never grows
    along the run: only then is a unit silent under the final bias silent at every step.
    """
    A, Y = problem.A, problem.Y
    activation, lam = last["activation"], last.get("lam")
    cols = column_distances(result.W.astype(np.float64), A)
    labels = classify_columns(
        result.W, result.b, Y, A, activation=activation, lam=lam,
        success_radius=success_radius, locate_radius=locate_radius,
    )
    counts = {cause: int(np.sum(labels == cause)) for cause in _COLUMN_CAUSES}
    start_activation, start_lam = first["activation"], first.get("lam")
    schedule = {key: first[key] for key in ("bias_decay", "bias_floor") if key in first}
    stalled = stalled_start(W0, first["b0"], Y, lr=first["lr"], activation=start_activation, lam=start_lam,
                            **schedule)
    recovered = bool(cols.max() <= success_radius) and not stalled
    if stalled:
        cause = "stalled"
    else:
        cause = "none" if recovered else next((c for c in _COLUMN_CAUSES if counts[c]), "near")
    stuck = {}
    if np.all(np.diff(np.abs(result.bias), axis=0) <= 0):
        stuck["stuck_start"] = int(dead_units(W0, result.b, Y, activation=activation, lam=lam).sum())
    return {
        "encoder": run[0], "start": run[1],
        "distance": float(np.linalg.norm(cols)),
        "max_column": float(cols.max()),
        "recovered": recovered,
        "located": bool(cols.max() <= locate_radius) and not stalled,
        "loss0": float(result.loss[0]),
        "loss": float(result.loss[-1]),
        "dead_start": int(dead_units(W0, first["b0"], Y, activation=start_activation, lam=start_lam).sum()),
        **stuck,
        "collisions_start": int(duplicate_columns(W0, A).sum()),
        "stalled": stalled,
        **counts,
        "uncovered": int((~coverage(result.W, A, radius=locate_radius)).sum()),
        "cause": cause,
    }


def _draw_trial(n, m, noise_std, N, seed, steps, starts, delta, dtype) -> Tuple[Dict[str, object], Problem,
                                                                              List[str], Dict[str, np.ndarray]]:
    """The validated point, the problem and the starts of :func:`start_trial` and :func:`schedule_trial`."""
    n, m = check_int("n", n, minimum=1), check_int("m", m, minimum=2)
    N = check_int("N", N, minimum=m)
    point = {"n": n, "m": m, "noise_std": check_real("noise_std", noise_std, minimum=0.0), "N": N,
             "seed": check_int("seed", seed, minimum=0), "steps": check_int("steps", steps, minimum=0)}
    starts = _check_names("starts", "start", starts, START_NAMES)
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype: expected 'float32' or 'float64', got {dtype!r}")
    problem = make_problem("mixture", n, m, 1, N, point["noise_std"], (point["seed"], n, m), dtype=np.dtype(dtype))
    return point, problem, starts, _trial_starts(problem, starts, delta)


def start_trial(
    *,
    n: int,
    m: int,
    noise_std: float,
    N: int,
    seed: int,
    steps: int = 50,
    encoders: Optional[Iterable[str]] = None,
    starts: Optional[Iterable[str]] = None,
    delta: float = 0.5,
    success_radius: float = 0.1,
    locate_radius: float = 0.5,
    dtype: str = "float64",
) -> List[Dict[str, object]]:
    """Train every (encoder, start) pair on one Gaussian-mixture problem; diagnose each run.

    The problem is Sec. 6's mixture (:func:`aelib.make_problem`) from
    ``numpy.random.SeedSequence([seed, n, m])`` (noise_std does not enter the seed:
    runs that differ only in it share A, the labels and the standard-normal noise), the
    starts come from :func:`aelib.make_start`, and every pair is trained with the update
    of :func:`aelib.train` (lr = m, ``steps`` updates, the settings of :data:`START_ENCODERS`;
    all pairs at once with :func:`aelib.train_many`).

    Parameters
    ----------
    n, m : int
        Dimension and number of clusters (m >= 2).
    noise_std : float
        sigma_eta.
    N : int
        Samples (N >= m).
    seed : int
        Base seed of the problem's SeedSequence([seed, n, m]).
    steps : int, default 50
        T, as in Sec. 6.
    encoders : iterable of str, optional
        Keys of :data:`START_ENCODERS` (default: all).
    starts : iterable of str, optional
        Some of :data:`START_NAMES` (default: all).
    delta : float, default 0.5
        Size of the perturbation start.
    success_radius, locate_radius : float
        See :func:`classify_columns`.
    dtype : {"float64", "float32"}
        Precision of the data and of training. float64 by default: in float32 the
        ReLU runs whose bias decays to 0 end differently under other BLAS kernels
        (rounding decides which samples a unit fires on), in float64 they do not.

    Returns
    -------
    list of dict
        One record per (encoder, start): the point (``n, m, noise_std, N, seed,
        steps``), then ``encoder``, ``start`` and the outcome and diagnostics listed
        under "Records" in the module docstring.
    """
    encoders = _check_names("encoders", "encoder", encoders, tuple(START_ENCODERS))
    point, problem, starts, W0s = _draw_trial(n, m, noise_std, N, seed, steps, starts, delta, dtype)
    runs = [(encoder, start) for encoder in encoders for start in starts]
    settings = [START_ENCODERS[encoder].replace(lr=float(point["m"])) for encoder, _ in runs]
    results = train_many(problem.Y, [W0s[start] for _, start in runs], settings, steps=point["steps"])
    return [{**point, **_run_record(run, s, s, result, W0s[run[1]], problem, success_radius, locate_radius)}
            for run, s, result in zip(runs, settings, results)]


def train_phases(
    Y: np.ndarray,
    W0s: Sequence[np.ndarray],
    phases: Sequence[Tuple[Mapping, int]],
    *,
    lr: float,
    A: Optional[np.ndarray] = None,
    signs: bool = False,
) -> Tuple[TrainResult, ...]:
    """Train several autoencoders through a sequence of phases with different encoder settings.

    Phase p runs ``steps_p`` updates of :func:`aelib.train` (Sec. 5: W <- normalize(W - lr g),
    b <- b / C with the phase's floor) with the phase's options, all autoencoders stacked in
    one :func:`aelib.train_many` call; W carries over from one phase to the next and the bias
    restarts at the phase's ``b0``. This is how a bias schedule that the one-rule trainer
    cannot express (e.g. abs(b) first shrinking to 0, then held at 0.25:
    :data:`TIGHTENING_SCHEDULES`) is run. Not the paper's schedule, which is one phase.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Shared training data.
    W0s : sequence of ndarray, shape (n, m)
        Starts, one per autoencoder.
    phases : sequence of (mapping, int)
        ``(settings, steps)`` pairs, at least one: :class:`aelib.TrainSettings` or dicts of its
        options without ``lr``, and the number of updates of the phase (>= 0).
    lr : float
        Learning rate zeta > 0 of every phase.
    A : ndarray, shape (n, m), optional
        Ground truth; when given, the matched distance is recorded at every step.
    signs : bool, default False
        Allow sign flips in that matching.

    Returns
    -------
    tuple of TrainResult
        One per start, with the histories of all phases joined: entry s of ``loss``,
        ``bias`` (and ``distance``) is taken at (W^s, b^s), b^s being the bias step s uses
        (at a phase boundary, the next phase's b0); ``steps_run`` is the total number of
        updates.

    Raises
    ------
    ValueError
        If ``phases`` is empty or malformed, or an option is invalid (the message names it).
    """
    lr = check_real("lr", lr, minimum=0.0, strict_min=True)
    phases = list(phases)
    if not phases:
        raise ValueError("phases: expected at least one (settings, steps) pair")
    checked = []
    for p, phase in enumerate(phases):
        if not (isinstance(phase, (tuple, list)) and len(phase) == 2):
            raise ValueError(f"phases[{p}]: expected a (settings, steps) pair, got {phase!r}")
        settings = TrainSettings.from_mapping(phase[0], name=f"phases[{p}]")
        checked.append((settings.replace(lr=lr, steps=None), check_int(f"phases[{p}] steps", phase[1], minimum=0)))
    Ws = list(W0s)
    history: Optional[List[Dict[str, object]]] = None
    for settings, steps in checked:
        results = train_many(Y, Ws, [settings] * len(Ws), steps=steps, A=A, signs=signs)
        parts = [{"loss": r.loss, "bias": r.bias, "distance": r.distance} for r in results]
        if history is not None:  # the boundary state is the new phase's first entry
            parts = [{key: None if part[key] is None else np.concatenate([old[key][:-1], part[key]])
                      for key in part} for old, part in zip(history, parts)]
        history = parts
        Ws = [r.W for r in results]
    total = sum(steps for _, steps in checked)
    return tuple(
        TrainResult(W=r.W, b=r.b, loss=h["loss"], distance=h["distance"], bias=h["bias"], steps_run=total,
                    stopped_early=False)
        for r, h in zip(results, history)
    )


def schedule_trial(
    *,
    n: int,
    m: int,
    noise_std: float,
    N: int,
    seed: int,
    schedules: Optional[Iterable[str]] = None,
    starts: Optional[Iterable[str]] = None,
    delta: float = 0.5,
    success_radius: float = 0.1,
    locate_radius: float = 0.5,
    dtype: str = "float64",
) -> List[Dict[str, object]]:
    """:func:`start_trial` for the schedules of :data:`TIGHTENING_SCHEDULES` (beyond the paper).

    The same problem and the same starts as :func:`start_trial` at the same point (so the
    runs are paired with its runs), trained through each schedule's phases by
    :func:`train_phases` (lr = m), and diagnosed alike.

    Parameters
    ----------
    n, m, noise_std, N, seed :
        The point, as in :func:`start_trial`.
    schedules : iterable of str, optional
        Keys of :data:`TIGHTENING_SCHEDULES` (default: all).
    starts : iterable of str, optional
        Some of :data:`START_NAMES` (default: all).
    delta, success_radius, locate_radius, dtype :
        As in :func:`start_trial`.

    Returns
    -------
    list of dict
        One record per (schedule, start), with the keys of :func:`start_trial`'s records
        (the schedule's name under ``encoder``; ``steps`` is the schedule's total) except
        ``stuck_start``, which a schedule whose abs(b) grows does not define.
    """
    schedules = _check_names("schedules", "schedule", schedules, tuple(TIGHTENING_SCHEDULES))
    point, problem, chosen, W0s = _draw_trial(n, m, noise_std, N, seed, 0, starts, delta, dtype)
    lr = float(point["m"])
    records = []
    for name in schedules:
        phases = TIGHTENING_SCHEDULES[name]
        first, last = phases[0][0].replace(lr=lr), phases[-1][0].replace(lr=lr)
        results = train_phases(problem.Y, [W0s[start] for start in chosen], phases, lr=lr)
        records += [{**point, "steps": result.steps_run,
                     **_run_record((name, start), first, last, result, W0s[start], problem, success_radius,
                                   locate_radius)}
                    for start, result in zip(chosen, results)]
    return records


def _records(records) -> List[Mapping]:
    flat = []
    for item in records:
        if isinstance(item, Mapping):
            flat.append(item)
        else:  # a list of records per sweep point
            flat.extend(item)
    if not flat:
        raise ValueError("records: expected at least one record")
    return flat


def success_probability(
    records, by: Sequence[str], *, field: str = "recovered"
) -> Dict[Tuple, Tuple[float, int]]:
    """Fraction of runs with ``field`` true, grouped by the values of the keys ``by``.

    Parameters
    ----------
    records : iterable of dict, or of lists of dicts
        Records of :func:`start_trial` (the nested list a sweep returns is flattened).
    by : sequence of str
        Record keys to group by, e.g. ``("encoder", "start", "n", "m")``.
    field : str, default "recovered"
        A boolean record key ("recovered" or "located").

    Returns
    -------
    dict
        ``{group values (tuple): (probability, number of runs)}``, groups in order of
        first appearance.
    """
    flat = _records(records)
    by = list(by)
    counts: Dict[Tuple, List[int]] = {}
    for record in flat:
        missing = [key for key in by + [field] if key not in record]
        if missing:
            raise ValueError(f"records: a record lacks the key(s) {missing}")
        key = tuple(record[k] for k in by)
        hits, total = counts.setdefault(key, [0, 0])
        counts[key] = [hits + bool(record[field]), total + 1]
    return {key: (hits / total, total) for key, (hits, total) in counts.items()}


def success_grid(
    records,
    row: str,
    col: str,
    *,
    field: str = "recovered",
    encoders: Optional[Sequence[str]] = None,
    starts: Optional[Sequence[str]] = None,
):
    """Success probabilities as an array, for heat maps: one map per (encoder, start).

    Parameters
    ----------
    records : iterable of dict, or of lists of dicts
        Records of :func:`start_trial`.
    row, col : str
        Record keys along the rows and columns of each map (e.g. "n" and "m").
    field : str, default "recovered"
        "recovered" or "located".
    encoders, starts : sequence of str, optional
        Which maps, in this order (default: those present, in order of appearance).

    Returns
    -------
    row_values, col_values : list
        The sorted distinct values of ``row`` and ``col``.
    P : ndarray, shape (len(encoders), len(starts), len(row_values), len(col_values))
        Fraction of runs with ``field`` true (NaN where no run).
    runs : ndarray of int, same shape
        Number of runs behind each cell.
    """
    flat = _records(records)
    encoders = list(dict.fromkeys(r["encoder"] for r in flat)) if encoders is None else list(encoders)
    starts = list(dict.fromkeys(r["start"] for r in flat)) if starts is None else list(starts)
    row_values = sorted({r[row] for r in flat})
    col_values = sorted({r[col] for r in flat})
    probability = success_probability(flat, ("encoder", "start", row, col), field=field)
    shape = (len(encoders), len(starts), len(row_values), len(col_values))
    P = np.full(shape, np.nan)
    runs = np.zeros(shape, dtype=int)
    for e, encoder in enumerate(encoders):
        for s, start in enumerate(starts):
            for i, rv in enumerate(row_values):
                for j, cv in enumerate(col_values):
                    hit = probability.get((encoder, start, rv, cv))
                    if hit is not None:
                        P[e, s, i, j], runs[e, s, i, j] = hit
    return row_values, col_values, P, runs


def failure_causes(records, by: Sequence[str] = ("encoder", "start")) -> Dict[Tuple, Dict[str, float]]:
    """How the failed runs of each group fail: the share of each cause.

    A failed run (``recovered`` false) is attributed to its ``cause``, in the order of
    :data:`FAILURE_CAUSES`: a stalled start (:func:`stalled_start`) first, otherwise
    the worst label among its columns (:func:`classify_columns`): a dead unit, then a
    duplicate, then a column straddling clusters, then a column that is on its
    cluster but not within the success radius ("near").

    Parameters
    ----------
    records : iterable of dict, or of lists of dicts
        Records of :func:`start_trial`.
    by : sequence of str
        Record keys to group by.

    Returns
    -------
    dict
        ``{group: {"runs": runs, "failures": failed runs, "stalled": share, "dead": share,
        "duplicate": share, "straddle": share, "near": share}}``; the shares are fractions of the
        failed runs (0 when none failed) and sum to 1 over the causes.
    """
    flat = _records(records)
    by = list(by)
    out: Dict[Tuple, Dict[str, float]] = {}
    tallies: Dict[Tuple, Dict[str, int]] = {}
    for record in flat:
        key = tuple(record[k] for k in by)
        tally = tallies.setdefault(key, {"runs": 0, "failures": 0, **{c: 0 for c in FAILURE_CAUSES}})
        tally["runs"] += 1
        if not record["recovered"]:
            tally["failures"] += 1
            tally[record["cause"]] += 1
    for key, tally in tallies.items():
        failures = tally["failures"]
        out[key] = {"runs": tally["runs"], "failures": failures,
                    **{c: (tally[c] / failures if failures else 0.0) for c in FAILURE_CAUSES}}
    return out


def failure_given(records, key: str, by: Sequence[str] = ("encoder", "start")) -> Dict[Tuple, Dict[str, float]]:
    """How well one diagnostic explains failure: failure rates with and without it.

    A run *has* the diagnostic when ``record[key] > 0`` (e.g. ``"stuck_start"``: a
    unit silent from the start; ``"duplicate"``: a duplicated column at the end).

    Parameters
    ----------
    records : iterable of dict, or of lists of dicts
        Records of :func:`start_trial`.
    key : str
        A count in the records.
    by : sequence of str
        Record keys to group by.

    Returns
    -------
    dict
        ``{group: {"runs", "with" (runs having the diagnostic), "fail_with"
        (P[failure given the diagnostic], NaN if no run has it), "fail_without"
        (P[failure given no diagnostic], NaN if every run has it), "explained" (share of
        the failed runs that have it, NaN if none failed)}}``.
    """
    flat = _records(records)
    by = list(by)
    tallies: Dict[Tuple, List[int]] = {}
    for record in flat:
        if key not in record:
            raise ValueError(f"key: the records have no {key!r}")
        group = tuple(record[k] for k in by)
        t = tallies.setdefault(group, [0, 0, 0, 0])  # runs, with, fail & with, fail
        has, failed = record[key] > 0, not record["recovered"]
        t[0] += 1
        t[1] += has
        t[2] += has and failed
        t[3] += failed
    nan = float("nan")
    out = {}
    for group, (runs, with_, fail_with, fail) in tallies.items():
        out[group] = {
            "runs": runs,
            "with": with_,
            "fail_with": fail_with / with_ if with_ else nan,
            "fail_without": (fail - fail_with) / (runs - with_) if runs > with_ else nan,
            "explained": fail_with / fail if fail else nan,
        }
    return out
