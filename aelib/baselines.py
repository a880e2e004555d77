"""What a practitioner would use instead of the autoencoder: the baselines.

* :func:`kmeans_dictionary` -- Lloyd's k-means :cite:p:`lloyd1982least` (scikit-learn) for
  the mixture: the cluster centres, normalized, estimate the columns of A.
* :func:`dictionary_learning` -- online dictionary learning :cite:p:`mairal2009online`
  (scikit-learn's MiniBatchDictionaryLearning) for sparse coding.
* :func:`neural_sparse_coding` -- the "neural" update of Arora, Ge, Ma and Moitra (2015),
  the algorithm whose analysis the paper extends: decode by thresholding,
  x = threshold_{lam}(W^T y), then W <- W - lr * mean((W x - y) sgn(x)^T), and
  normalize the columns.

All return an n x m estimate of A (columns in no particular order; compare with
:func:`aelib.matched_distance`). scikit-learn is imported only when a function that
needs it is called.

Side by side (chapter 11): :func:`mixture_comparison` and :func:`sparse_comparison` run
the autoencoder (:func:`aelib.train`) and these baselines on the same data and time
each with :func:`timed`; :func:`dictionary_learning_point` is the point function of
the fair tuning sweep of :func:`dictionary_learning`. Both draw their problem with
:func:`aelib.make_problem` and their starts with :func:`aelib.make_start`.

Rows
----
A comparison returns one row (a dict) per (method, start): ``problem`` ("mixture"
or "sparse"), ``method``, ``start`` ("-" when none), ``error`` (matched distance
``||pi(W) - A||_F``, with sign flips for sparse coding), ``max_column`` (largest
matched column distance), ``to_oracle`` (matched distance to the oracle's estimate:
near 0 when a method finds the same estimate as the oracle), ``seconds`` (the
method alone) and ``start_seconds`` (computing its start). A method whose start
failed (a spectral start that did not find m columns) has NaN errors.
"""

from __future__ import annotations

import contextlib
import functools
import time
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ._threads import blas_threads
from ._checks import RngLike, as_rng, check_int, check_matrix, check_real
from .descent import TrainResult, TrainSettings
from .experiments import oracle_class_means
from .metrics import column_distances, matched_distance
from .models import normalize_columns
from .problems import Problem, make_problem, make_start

__all__ = [
    "kmeans_dictionary",
    "dictionary_learning",
    "neural_sparse_coding",
    "timed",
    "MIXTURE_ENCODERS",
    "MIXTURE_RUNS",
    "mixture_comparison",
    "sparse_comparison",
    "dictionary_learning_point",
]


def _seed(rng: RngLike) -> int:
    """An integer seed for scikit-learn drawn from an aelib rng."""
    return int(as_rng(rng).integers(0, 2**31 - 1))


def kmeans_dictionary(Y: np.ndarray, m: int, *, rng: RngLike, n_init: int = 4) -> np.ndarray:
    """Normalized k-means centres of the columns of Y (a baseline for the mixture).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    m : int
        Number of clusters.
    rng : numpy.random.Generator or int
        Seeds scikit-learn's k-means.
    n_init : int
        Restarts of k-means++ (scikit-learn's ``n_init``).

    Returns
    -------
    ndarray, shape (n, m)
    """
    from sklearn.cluster import KMeans

    Y = check_matrix("Y", Y)
    m = check_int("m", m, minimum=1, maximum=Y.shape[1])
    n_init = check_int("n_init", n_init, minimum=1)
    km = KMeans(n_clusters=m, n_init=n_init, random_state=_seed(rng)).fit(Y.T)
    return normalize_columns(km.cluster_centers_.T.astype(np.float64))


def dictionary_learning(
    Y: np.ndarray,
    m: int,
    *,
    k: int,
    rng: RngLike,
    alpha: float = 0.1,
    batch_size: int = 256,
    max_iter: int = 10,
    W0: Optional[np.ndarray] = None,
    tol: float = 1e-3,
    max_no_improvement: Optional[int] = 10,
) -> np.ndarray:
    """Online dictionary learning (scikit-learn MiniBatchDictionaryLearning), normalized.

    Codes are computed by OMP with ``k`` nonzeros, matching the k-sparse model.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    m : int
        Number of atoms.
    k : int
        Sparsity used by the OMP coder.
    rng : numpy.random.Generator or int
        Seeds scikit-learn's estimator.
    alpha : float
        Sparsity penalty of the dictionary-update step (scikit-learn's ``alpha``).
    batch_size, max_iter : int
        Passed to scikit-learn.
    W0 : ndarray, shape (n, m), optional
        Initial dictionary (scikit-learn's ``dict_init``). Default: scikit-learn's own
        start (a truncated SVD of the data).
    tol, max_no_improvement : float, int or None
        scikit-learn's early stopping (its defaults). It often stops after one or two
        passes, long before the dictionary converges; ``tol=0.0,
        max_no_improvement=None`` runs all ``max_iter`` passes.

    Returns
    -------
    ndarray, shape (n, m)
    """
    from sklearn.decomposition import MiniBatchDictionaryLearning

    Y = check_matrix("Y", Y)
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    alpha = check_real("alpha", alpha, minimum=0.0)
    dict_init = None if W0 is None else check_matrix("W0", W0, rows=Y.shape[0], cols=m).T.copy()
    learner = MiniBatchDictionaryLearning(
        n_components=m,
        alpha=alpha,
        batch_size=check_int("batch_size", batch_size, minimum=1),
        max_iter=check_int("max_iter", max_iter, minimum=1),
        tol=check_real("tol", tol, minimum=0.0),
        max_no_improvement=None if max_no_improvement is None else check_int(
            "max_no_improvement", max_no_improvement, minimum=1),
        transform_algorithm="omp",
        transform_n_nonzero_coefs=k,
        fit_algorithm="cd",
        dict_init=dict_init,
        random_state=_seed(rng),
    )
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # the inner lasso solver warns on many mini-batches; the result is what we measure
        warnings.simplefilter("ignore", ConvergenceWarning)
        learner.fit(Y.T)
    return normalize_columns(learner.components_.T.astype(np.float64))


def neural_sparse_coding(
    Y: np.ndarray,
    W0: np.ndarray,
    *,
    lr: float,
    steps: int,
    lam: float,
    A: Optional[np.ndarray] = None,
    signs: bool = True,
) -> TrainResult:
    """The neural sparse-coding update of Arora, Ge, Ma and Moitra (2015).

    Each step decodes x = threshold_lam(W^T y) (no bias), then moves
    W <- normalize(W - lr * g) with g = mean over samples of (W x - y) sgn(x)^T.
    Unlike the autoencoder, the code enters the update only through its sign.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    W0 : ndarray, shape (n, m)
        Initial dictionary.
    lr : float
        Step size (Theta(m/k) in their analysis).
    steps : int
        Number of updates.
    lam : float
        Decoding threshold (a1/2 for codes with |x_i| >= a1).
    A : ndarray, shape (n, m), optional
        Ground truth, to record the matched distance at every step.
    signs : bool
        Allow sign flips in the matching (default True: sparse coding).

    Returns
    -------
    TrainResult
        ``loss`` is the reconstruction loss 1/2 mean ||y - W x||^2 with this decoding;
        ``bias`` is all zeros.
    """
    Y = check_matrix("Y", Y)
    W = check_matrix("W0", W0, rows=Y.shape[0], dtype=Y.dtype, nonzero_columns=True)
    # no bias, a fixed threshold: the step of every trainer with b = 0 kept
    settings = TrainSettings(lr=lr, activation="threshold", lam=lam)
    settings.trainer_lr()
    steps = check_int("steps", steps, minimum=0)
    lam, b = settings.lam, settings.initial_bias(W.shape[1], dtype=Y.dtype)
    if A is not None:
        A = check_matrix("A", A, rows=Y.shape[0], cols=W.shape[1])
    N = Y.shape[1]
    losses, distances = [], []
    for step in range(steps + 1):
        Z = W.T @ Y
        X = Z * (np.abs(Z) > lam)
        R = W @ X - Y
        losses.append(0.5 * float(np.einsum("ij,ij->", R, R, dtype=np.float64)) / N)
        if A is not None:
            distances.append(matched_distance(W, A, signs=signs))
        if step == steps:
            break
        W, b = settings.step(W, b, R @ np.sign(X).T / N)
    m = W.shape[1]
    return TrainResult(
        W=W,
        b=b,
        loss=np.array(losses),
        distance=np.array(distances) if A is not None else None,
        bias=np.zeros((len(losses), m)),
        steps_run=steps,
        stopped_early=False,
    )


# --- Chapter 11: side by side on the same data ---


def timed(func: Callable, *args, threads: Optional[int] = 1, **kwargs) -> Tuple[Any, float]:
    """Call ``func(*args, **kwargs)`` and return ``(result, wall-clock seconds)``.

    With ``threads`` the BLAS and OpenMP thread pools (NumPy's matrix products,
    scikit-learn's k-means) are capped at that many threads for the call, through
    :mod:`threadpoolctl`, so that every method compared gets the same resources.
    Times depend on the machine and its load: compare them only with times measured
    in the same run, and never print them in compared notebook output.

    Parameters
    ----------
    func : callable
        The function to time.
    *args, **kwargs
        Passed to ``func``.
    threads : int or None, default 1
        Thread cap; None leaves the pools as they are.

    Returns
    -------
    result : object
        What ``func`` returned.
    seconds : float
    """
    if threads is not None:
        threads = check_int("threads", threads, minimum=1)
    with blas_threads(threads, all_pools=True) if threads is not None else contextlib.nullcontext():
        start = time.perf_counter()
        result = func(*args, **kwargs)
        seconds = time.perf_counter() - start
    return result, seconds


def _row(problem: str, method: str, start: str, W, seconds: float, start_seconds: float, *, A, signs: bool,
         oracle) -> Dict[str, Any]:
    """One row of a comparison (see "Rows" in the module docstring); W None for a failed start."""
    if W is None:
        error = max_column = to_oracle = float("nan")
    else:
        W = np.asarray(W, dtype=np.float64)
        cols = column_distances(W, A, signs=signs)
        error, max_column = float(np.linalg.norm(cols)), float(cols.max())
        to_oracle = matched_distance(W, oracle, signs=signs)
    return {"problem": problem, "method": method, "start": start, "error": error, "max_column": max_column,
            "to_oracle": to_oracle, "seconds": float(seconds), "start_seconds": float(start_seconds)}


def _timed_start(name: str, problem: Problem, rng, threads: Optional[int], delta: float = 0.5):
    """:func:`aelib.make_start` timed: ``(W0, seconds)``, or ``(None, seconds)`` for a spectral
    start that does not find m columns."""
    start = time.perf_counter()
    try:
        return timed(make_start, name, problem.A, problem.Y, rng, delta=delta, threads=threads)
    except RuntimeError:
        if name != "spectral":
            raise
        return None, time.perf_counter() - start


def _timed_starts(problem: Problem, rngs: Dict[str, Any], delta: float, threads: Optional[int]):
    """The starts named by ``rngs`` (name -> its Generator), timed: ``({name: W0}, {name: seconds})``."""
    W0s, seconds = {}, {}
    for name, rng in rngs.items():
        W0s[name], seconds[name] = _timed_start(name, problem, rng, threads, delta)
    return W0s, seconds


def _start_rows(row: Callable, W0s: Dict[str, Any], start_seconds: Dict[str, float]) -> List[Dict[str, Any]]:
    """One row per start alone (method "start only")."""
    return [row("start only", name, W, 0.0, start_seconds[name]) for name, W in W0s.items()]


#: The autoencoder runs of :func:`mixture_comparison`: (method, start) pairs.
MIXTURE_RUNS: Tuple[Tuple[str, str], ...] = (
    ("autoencoder, Sec. 6 ReLU", "pca"),
    ("autoencoder, Sec. 6 ReLU", "random"),
    ("autoencoder, Sec. 6 ReLU", "spectral"),
    ("autoencoder, ReLU + floor", "pca"),
    ("autoencoder, ReLU + floor", "spectral"),
    ("autoencoder, threshold 1/2", "spectral"),
)


#: The encoder of each autoencoder method of :func:`mixture_comparison`, as a key of
#: :data:`aelib.START_ENCODERS` (the settings chapter 10 compares): Sec. 6's ReLU schedule
#: (b^0 = -1.25, b <- b/2), the same with a bias floor, and the threshold 1/2 with b = 0.
MIXTURE_ENCODERS: Dict[str, str] = {
    "autoencoder, Sec. 6 ReLU": "relu-decay",
    "autoencoder, ReLU + floor": "relu-floor",
    "autoencoder, threshold 1/2": "threshold",
}


def _check_runs(runs: Optional[Sequence[Tuple[str, str]]]) -> List[Tuple[str, str]]:
    runs = list(MIXTURE_RUNS) if runs is None else [tuple(run) for run in runs]
    for run in runs:
        if run not in MIXTURE_RUNS:
            raise ValueError(f"runs: unknown run {run!r}; expected some of {MIXTURE_RUNS}")
    return runs


def _mixture_runs(row: Callable, Y: np.ndarray, W0s: Dict[str, Any], start_seconds: Dict[str, float],
                  runs: Sequence[Tuple[str, str]], *, bias_floor: float, steps: int,
                  threads: Optional[int]) -> List[Dict[str, Any]]:
    """Train the autoencoder (lr = m) for each (method, start) of ``runs``, timed: one row each."""
    from .descent import train
    from .starts import START_ENCODERS

    encoders = {method: dict(START_ENCODERS[key]) for method, key in MIXTURE_ENCODERS.items()}
    encoders["autoencoder, ReLU + floor"]["bias_floor"] = bias_floor
    rows = []
    for method, name in runs:
        settings = dict(encoders[method])
        b0, W0 = settings.pop("b0"), W0s[name]
        if W0 is None:
            rows.append(row(method, name, None, float("nan"), start_seconds[name]))
            continue
        result, seconds = timed(train, Y, W0.astype(Y.dtype), b0, lr=float(W0.shape[1]), steps=steps,
                                threads=threads, **settings)
        rows.append(row(method, name, result.W, seconds, start_seconds[name]))
    return rows


def mixture_comparison(
    *,
    n: int = 784,
    m: int = 10,
    N: int = 10_000,
    noise_std: float = 0.01,
    seed: int = 0,
    steps: int = 50,
    bias_floor: float = 0.25,
    n_init: int = 4,
    threads: Optional[int] = 1,
    dtype: str = "float32",
    runs: Optional[Sequence[Tuple[str, str]]] = None,
) -> List[Dict[str, Any]]:
    """The autoencoder and the baselines on one Gaussian-mixture data set (Sec. 6's setting).

    Draws the mixture problem (:func:`aelib.make_problem`: A and N samples of
    ``GaussianMixture(A, noise_std)``) from ``numpy.random.SeedSequence([seed, n, m])``,
    then estimates A on that same data with

    * the autoencoder (:func:`aelib.train`, lr = m, ``steps`` steps) on each (method,
      start) of ``runs``, the encoders of :data:`MIXTURE_ENCODERS`: Sec. 6's (ReLU,
      b^0 = -1.25, b <- b/2), the same with abs(b) >= ``bias_floor``, the threshold 1/2;
    * the PCA, random and spectral starts alone (method "start only");
    * k-means (:func:`kmeans_dictionary`, k-means++ with ``n_init`` restarts);
    * the oracle class means, which know the labels
      (:func:`aelib.oracle_class_means`, the statistical floor).

    Parameters
    ----------
    n, m, N : int
        Dimension, clusters, samples (784, 10, 10,000 in Sec. 6).
    noise_std : float
        sigma_eta >= 0 of the mixture (assumption A4).
    seed : int
        Base seed of the problem's SeedSequence([seed, n, m]).
    steps : int, default 50
        Number of updates T of every autoencoder run.
    bias_floor : float, default 0.25
        The floor of the ReLU run with abs(b) >= bias_floor.
    n_init : int, default 4
        Restarts of k-means (:func:`kmeans_dictionary`).
    threads : int or None, default 1
        Thread cap of every timed call (:func:`timed`).
    dtype : {"float32", "float64"}
        Precision of the data and of training.
    runs : sequence of (method, start), optional
        The autoencoder runs to make, a subset of :data:`MIXTURE_RUNS` (default: all).

    Returns
    -------
    list of dict
        One row per (method, start), as described under "Rows" in the module docstring
        (``problem`` is "mixture").
    """
    n, m = check_int("n", n, minimum=1), check_int("m", m, minimum=2)
    N, seed = check_int("N", N, minimum=m), check_int("seed", seed, minimum=0)
    steps = check_int("steps", steps, minimum=0)
    bias_floor = check_real("bias_floor", bias_floor, minimum=0.0)
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype: expected 'float32' or 'float64', got {dtype!r}")
    runs = _check_runs(runs)
    problem = make_problem("mixture", n, m, 1, N, noise_std, (seed, n, m), dtype=np.dtype(dtype))
    random_rng, spectral_rng, kmeans_rng = problem.start_rngs(3)
    oracle, oracle_seconds = timed(oracle_class_means, problem.Y, problem.X_star, threads=threads)
    row = functools.partial(_row, "mixture", A=problem.A, signs=False, oracle=oracle)
    starts = _timed_starts(problem, {"pca": None, "random": random_rng, "spectral": spectral_rng}, 0.5, threads)
    rows = _start_rows(row, *starts)
    rows += _mixture_runs(row, problem.Y, *starts, runs, bias_floor=bias_floor, steps=steps, threads=threads)
    W, seconds = timed(kmeans_dictionary, problem.Y, m, rng=kmeans_rng, n_init=n_init, threads=threads)
    rows.append(row(f"k-means (n_init={n_init})", "-", W, seconds, 0.0))
    rows.append(row("oracle class means", "-", oracle, oracle_seconds, 0.0))
    return rows


def _sparse_problem(n: int, m: int, k: int, N: int, noise_std: float, seed: int) -> Problem:
    """The data set of :func:`sparse_comparison` (and of :func:`dictionary_learning_point`):
    ``SparseCoding(A, k=k, noise_std=noise_std)``, a1 = 1, from ``SeedSequence([seed, n, m, k])``."""
    return make_problem("sparse", n, m, k, N, noise_std, (seed, n, m, k))


def dictionary_learning_point(
    *,
    n: int,
    m: int,
    k: int,
    N: int,
    noise_std: float,
    seed: int,
    alpha: float,
    init: str = "own",
    max_iter: int = 10,
    batch_size: int = 32,
    threads: Optional[int] = 1,
) -> Dict[str, Any]:
    """One point of a tuning sweep of :func:`dictionary_learning` on a sparse-coding problem.

    The problem (A, and N samples of ``SparseCoding(A, k=k, noise_std=noise_std)``, a1 = 1)
    is the one :func:`sparse_comparison` draws for the same ``(seed, n, m, k)``; tune
    on a seed that the comparison does not use. All ``max_iter`` passes are run (no
    early stopping).

    Parameters
    ----------
    n, m, k, N : int
        Dimension, atoms, nonzeros per code and samples.
    noise_std : float
        sigma_eta >= 0.
    seed : int
        Base seed of the problem's SeedSequence([seed, n, m, k]).
    alpha : float
        scikit-learn's sparsity penalty.
    init : {"own", "spectral"}
        scikit-learn's own start, or :func:`aelib.spectral_init` (as the autoencoder).
    max_iter, batch_size : int
        Passes and mini-batch size of dictionary learning.
    threads : int or None, default 1
        Thread cap of the timed call (:func:`timed`).

    Returns
    -------
    dict
        ``alpha``, ``init``, ``error`` (``||pi(W) - A||_F`` with sign flips; NaN if the
        spectral start failed), ``seconds``.
    """
    if init not in ("own", "spectral"):
        raise ValueError(f"init: expected 'own' or 'spectral', got {init!r}")
    problem = _sparse_problem(n, m, k, N, noise_std, seed)
    W0 = None
    if init == "spectral":
        W0, _ = _timed_start("spectral", problem, problem.start_rngs(1)[0], threads)
        if W0 is None:
            return {"alpha": alpha, "init": init, "error": float("nan"), "seconds": float("nan")}
    W, seconds = timed(dictionary_learning, problem.Y, m, k=k, rng=seed, alpha=alpha, W0=W0, max_iter=max_iter,
                       batch_size=batch_size, tol=0.0, max_no_improvement=None, threads=threads)
    return {"alpha": alpha, "init": init, "error": matched_distance(W, problem.A, signs=True), "seconds": seconds}


def _sparse_runs(row: Callable, Y: np.ndarray, W0s: Dict[str, Any], start_seconds: Dict[str, float], *,
                 lr: float, steps: int, threads: Optional[int]) -> List[Dict[str, Any]]:
    """The autoencoder (threshold 1/2, b = 0) and the neural update from each start, timed."""
    from .descent import train

    rows, nan = [], float("nan")
    for name, W0 in W0s.items():
        if W0 is None:
            rows.append(row("autoencoder, threshold 1/2", name, None, nan, start_seconds[name]))
            rows.append(row("neural sparse coding", name, None, nan, start_seconds[name]))
            continue
        result, seconds = timed(train, Y, W0, 0.0, lr=lr, steps=steps, activation="threshold", lam=0.5,
                                threads=threads)
        rows.append(row("autoencoder, threshold 1/2", name, result.W, seconds, start_seconds[name]))
        result, seconds = timed(neural_sparse_coding, Y, W0, lr=lr, steps=steps, lam=0.5, threads=threads)
        rows.append(row("neural sparse coding", name, result.W, seconds, start_seconds[name]))
    return rows


def _dictionary_rows(row: Callable, Y: np.ndarray, m: int, k: int, W0: Optional[np.ndarray], W0_seconds: float, *,
                     seed: int, alpha_own: float, alpha_start: float, max_iter: int, batch_size: int,
                     threads: Optional[int]) -> List[Dict[str, Any]]:
    """Dictionary learning (all passes) from its own start and from the spectral start W0, timed."""
    dl = dict(k=k, rng=seed, max_iter=max_iter, batch_size=batch_size, tol=0.0, max_no_improvement=None)
    W, seconds = timed(dictionary_learning, Y, m, alpha=alpha_own, threads=threads, **dl)
    rows = [row("dictionary learning", "own", W, seconds, 0.0)]
    if W0 is None:
        rows.append(row("dictionary learning", "spectral", None, float("nan"), W0_seconds))
    else:
        W, seconds = timed(dictionary_learning, Y, m, alpha=alpha_start, W0=W0, threads=threads, **dl)
        rows.append(row("dictionary learning", "spectral", W, seconds, W0_seconds))
    return rows


def sparse_comparison(
    *,
    n: int = 64,
    m: int = 16,
    k: int = 2,
    N: int = 2000,
    noise_std: float = 0.01,
    seed: int = 0,
    steps: int = 50,
    delta: float = 0.3,
    lr_scale: float = 1.0,
    alpha_own: float = 0.2,
    alpha_start: float = 0.1,
    max_iter: int = 10,
    batch_size: int = 32,
    threads: Optional[int] = 1,
) -> List[Dict[str, Any]]:
    """The autoencoder and the baselines on one sparse-coding data set (Thm. 4 (ii)).

    Draws the sparse problem (:func:`aelib.make_problem`: A and N samples of
    ``SparseCoding(A, k=k, noise_std=noise_std)``, Rademacher codes, a1 = 1) from
    ``numpy.random.SeedSequence([seed, n, m, k])`` and, on that same data, estimates A with

    * the autoencoder (:func:`aelib.train`): threshold encoder lam = a1/2 = 1/2,
      b = 0, lr = ``lr_scale`` m/k (Thm. 4 (ii)), from the spectral start
      (:func:`aelib.spectral_init`) and from a ``delta``-perturbation of A;
    * the neural sparse-coding update of Arora, Ge, Ma and Moitra (2015)
      (:func:`neural_sparse_coding`, same lr, threshold and starts);
    * online dictionary learning (:func:`dictionary_learning`, all ``max_iter``
      passes) from its own start with ``alpha_own`` and from the spectral start with
      ``alpha_start``;
    * the starts alone, and the oracle least squares that knows the codes
      (:func:`aelib.oracle_class_means`). Errors are matched with sign flips (Def. 2).

    Parameters
    ----------
    n, m, k, N : int
        Dimension, atoms, nonzeros per code and samples.
    noise_std : float
        sigma_eta >= 0.
    seed : int
        Base seed of the problem's SeedSequence([seed, n, m, k]).
    steps : int, default 50
        Steps of the autoencoder and of the neural update.
    delta, lr_scale : float, default 0.3 and 1.0
        Size of the perturbation start, and the factor on the learning rate m/k.
    alpha_own, alpha_start : float
        Sparsity penalties of dictionary learning (tune them with
        :func:`dictionary_learning_point` on another seed).
    max_iter, batch_size : int
        Passes and mini-batch size of dictionary learning.
    threads : int or None, default 1
        Thread cap of every timed call (:func:`timed`).

    Returns
    -------
    list of dict
        One row per (method, start), as under "Rows" in the module docstring ("sparse").
    """
    n, m = check_int("n", n, minimum=1), check_int("m", m, minimum=2)
    k, N = check_int("k", k, minimum=1, maximum=m), check_int("N", N, minimum=3)
    seed, steps = check_int("seed", seed, minimum=0), check_int("steps", steps, minimum=0)
    lr = check_real("lr_scale", lr_scale, minimum=0.0, strict_min=True) * m / k
    problem = _sparse_problem(n, m, k, N, check_real("noise_std", noise_std, minimum=0.0), seed)
    spectral_rng, perturbation_rng = problem.start_rngs(2)
    oracle, oracle_seconds = timed(oracle_class_means, problem.Y, problem.X_star, threads=threads)
    row = functools.partial(_row, "sparse", A=problem.A, signs=True, oracle=oracle)
    W0s, seconds = _timed_starts(problem, {"spectral": spectral_rng, "perturbation": perturbation_rng}, delta, threads)
    rows = _start_rows(row, W0s, seconds) + _sparse_runs(row, problem.Y, W0s, seconds, lr=lr, steps=steps,
                                                          threads=threads)
    rows += _dictionary_rows(row, problem.Y, m, k, W0s["spectral"], seconds["spectral"], seed=seed, alpha_own=alpha_own,
                             alpha_start=alpha_start, max_iter=max_iter, batch_size=batch_size, threads=threads)
    rows.append(row("oracle least squares", "-", oracle, oracle_seconds, 0.0))
    return rows
