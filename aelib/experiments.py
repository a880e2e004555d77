"""Monte Carlo runners behind the figures and tables of the experiments (Sec. 6).

Sec. 6 of the paper trains the autoencoder on synthetic data from the Gaussian
mixture (n = 784, m = 10, N = 10,000 samples per trial, T = 50 steps, lr = m, ReLU,
b^0 = -2.5 delta with delta = 0.5, b <- b / 2) from three starts -- a perturbation
of the truth, PCA and a random guess -- and reports the loss curves (Fig. 2) and
the matched distance ||pi(W) - A||_F (Fig. 3). This module repeats that experiment
over independent trials:

* :func:`run_trials` -- the generic runner: for each trial, draw a model (hence a
  ground truth A), one data set, every initial W^0, and train every
  (variant, init) pair on that same data set. It serves all three generative
  models: the model comes from a factory ``model_factory(rng)``.
* :func:`train_many` -- the trainer of :func:`aelib.train` run on several
  independent autoencoders at once, sharing the passes over Y (one wide product
  instead of one narrow product per autoencoder). Each autoencoder follows
  exactly the update of :func:`aelib.train` (up to floating-point rounding).
* :func:`oracle_class_means` -- the estimate of A an ideal learner that knows the
  labels would make, and :func:`oracle_distance_floor` its predicted error
  sigma m sqrt(n / N): the statistical floor of Fig. 3.

Seeding: one base ``seed`` fixes everything. Trial t uses
``numpy.random.SeedSequence([seed, t])``, spawned into three independent streams:
the model (A), the data (labels and noise) and the initializations (one child
stream per init, in the order the inits are given). A trial's numbers therefore
depend only on ``(seed, t)``, never on how many trials run or on ``n_jobs``. Two
calls with the same seed but different noise levels draw the same A, labels and
standard-normal noise, scaled by sigma (common random numbers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from ._checks import RngLike, as_rng, check_int, check_matrix, check_real
from ._threads import blas_threads
from .autoencoder import _squared_norm
from .descent import TrainResult, TrainSettings, _descent_step, train
from .metrics import matched_distance
from .models import BilinearModel, GaussianMixture, coherence, normalize_columns
from .problems import draw_problem, make_problem, make_start, model_factory

__all__ = [
    "PAPER_SETTINGS",
    "MonteCarloResult",
    "run_trials",
    "draw_trial",
    "train_many",
    "paper_inits",
    "mixture_factory",
    "oracle_class_means",
    "oracle_distance_floor",
    "loss_floor",
    "bias_schedule",
    "band",
    "nudge_ulp",
    "run_mixture_descent",
]

#: Sec. 6's training settings for the Gaussian mixture with m = 10: lr = m, T = 50,
#: ReLU, b^0 = -2.5 delta = -1.25 (delta = 0.5) and b^{s+1} = b^s / 2. A frozen
#: :class:`aelib.TrainSettings`; ``dict(PAPER_SETTINGS, bias_floor=0.1)`` makes a variant.
PAPER_SETTINGS: TrainSettings = TrainSettings(b0=-1.25, lr=10.0, steps=50, activation="relu", bias_decay=2.0)


# --- models and initializations ------------------------------------------------------


def mixture_factory(n: int, m: int, noise_std: float) -> Callable[[np.random.Generator], GaussianMixture]:
    """A model factory for :func:`run_trials`: the Gaussian mixture of Sec. 6.

    Each call ``factory(rng)`` draws a fresh ground truth A with i.i.d. Gaussian
    columns, normalized (:func:`aelib.random_dictionary`), and returns
    ``GaussianMixture(A, noise_std=noise_std)``. Sec. 6 draws A_i ~ N(0, I/sqrt(n))
    and does not say that it normalizes; normalizing is our reading (Sec. 2.2's
    model assumes unit columns), and it is that choice, not the paper, that makes
    the variance-or-standard-deviation question moot for A.

    Parameters
    ----------
    n, m : int
        Dimension and number of components (784 and 10 in Sec. 6).
    noise_std : float
        sigma_eta (0.01, 0.02, 0.03 in Sec. 6).

    Returns
    -------
    callable
        ``factory(rng) -> GaussianMixture`` (picklable, so it works with ``n_jobs > 1``).
    """
    return model_factory("mixture", n, m, 1, noise_std)


def paper_inits(delta: float = 0.5) -> Dict[str, Callable]:
    """The three initializations of Sec. 6, as callables ``init(A, Y, rng) -> W0``.

    * ``"perturbation"``: W^0 = normalize(A + delta E), E_ij ~ N(0, 1/n)
      (:func:`aelib.perturbed_init`; we read the paper's N(0, 1/sqrt(n)) as a
      standard deviation of 1/sqrt(n), which makes each column of W^0 about
      delta-close to A as the text says);
    * ``"pca"``: the top-m left singular vectors of Y (:func:`aelib.pca_init`);
    * ``"random"``: i.i.d. Gaussian columns, normalized (:func:`aelib.random_init`).

    Parameters
    ----------
    delta : float, default 0.5
        Size of the perturbation.

    Returns
    -------
    dict
        ``{"perturbation": ..., "pca": ..., "random": ...}``, in that order.
    """
    delta = check_real("delta", delta, minimum=0.0)
    return {name: functools.partial(make_start, name, delta=delta) for name in ("perturbation", "pca", "random")}


# --- the oracle --------------------------------------------------------------------------


def oracle_class_means(Y: np.ndarray, X_star: np.ndarray) -> np.ndarray:
    """Estimate A from the data *and the true codes*: normalize(Y X*^+) (the statistical floor).

    An ideal learner that is told the code x* of every sample estimates A by least
    squares, A_hat = Y X*^T (X* X*^T)^{-1}, and normalizes the columns. For the
    Gaussian mixture (one-hot codes) this is exactly the class means: A_hat_i is
    the mean of the samples with label i. Its error is the noise averaged over
    about N/m samples per class, so (see :func:`oracle_distance_floor`)
    ||A_hat - A||_F ~ sigma m sqrt(n / N). No method that sees only Y can do
    better on the same data, which makes it the floor to compare Fig. 3 against.

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Samples, one per column.
    X_star : ndarray, shape (m, N)
        The true codes (labels, as one-hot columns, for the mixture).

    Returns
    -------
    ndarray, shape (n, m), float64, unit-norm columns

    Raises
    ------
    ValueError
        If X* X*^T is singular (e.g. a class with no sample).
    """
    Y = check_matrix("Y", Y)
    X_star = check_matrix("X_star", X_star, cols=Y.shape[1], dtype=np.float64)
    gram = X_star @ X_star.T
    if np.linalg.matrix_rank(gram) < gram.shape[0]:
        raise ValueError("X_star: X* X*^T is singular (a column of A is never used); cannot estimate A")
    cross = (Y @ X_star.T.astype(Y.dtype)).astype(np.float64)  # Y X*^T, (n, m)
    return normalize_columns(np.linalg.solve(gram, cross.T).T)


def oracle_distance_floor(n: int, m: int, N: int, noise_std: float) -> float:
    """Predicted matched distance of :func:`oracle_class_means`: sigma m sqrt(n / N).

    Column i is the mean of about N/m samples, so its noise has n coordinates of
    variance sigma^2 m / N and norm ~ sigma sqrt(n m / N); normalizing removes only
    the one component along A_i. Summing m such columns in Frobenius norm gives
    sqrt(m) sigma sqrt(n m / N) = sigma m sqrt(n / N) (0.028 for Sec. 6 with sigma = 0.01).

    Parameters
    ----------
    n : int
        Dimension of the samples (784 in Sec. 6).
    m : int
        Number of components (10 in Sec. 6).
    N : int
        Number of samples (10,000 in Sec. 6).
    noise_std : float
        sigma_eta >= 0 of the mixture (assumption A4).

    Returns
    -------
    float
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    N = check_int("N", N, minimum=1)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    return float(noise_std * m * np.sqrt(n / N))


def loss_floor(n: int, noise_std: float) -> float:
    """The reconstruction loss of the truth with a perfect code: n sigma^2 / 2.

    With W = A and x = x* the residual is the noise eta, whose expected half squared
    norm is n sigma^2 / 2 (0.039 for n = 784, sigma = 0.01). Projecting the noise
    on the active column removes one of the n dimensions, so an autoencoder that
    encodes y = A_i + eta as x_i = <A_i, y> sits at (n - 1) sigma^2 / 2.

    Parameters
    ----------
    n : int
        Dimension of the samples.
    noise_std : float
        sigma_eta >= 0 (assumption A4).

    Returns
    -------
    float
        n sigma^2 / 2.
    """
    n = check_int("n", n, minimum=1)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    return float(n * noise_std**2 / 2.0)


# --- several autoencoders at once -----------------------------------------------------------


@dataclass(frozen=True)
class _Stack:
    """The options of K runs side by side: one entry per column of the stacked W (n, K m)."""

    K: int
    m: int
    b0: np.ndarray
    lr: np.ndarray
    decay: np.ndarray
    floor: Optional[np.ndarray]  # 0 where a run has none; None if no run has one
    threshold: Optional[np.ndarray]  # the rows with the threshold activation; None if all are ReLU
    lam: np.ndarray  # shape (K m, 1)


def _stack(options: Sequence[TrainSettings], m: int, dtype) -> _Stack:
    def per_column(values):
        return np.repeat(np.array(values, dtype=dtype), m)

    threshold = np.repeat([s.activation == "threshold" for s in options], m)
    return _Stack(
        K=len(options),
        m=m,
        b0=np.concatenate([s.initial_bias(m, dtype=dtype) for s in options]),
        lr=per_column([s.trainer_lr(f"settings[{k}]") for k, s in enumerate(options)]),
        decay=per_column([s.bias_decay for s in options]),
        # floor 0 where a run has none: the shared bias rule then leaves those entries as b / C
        floor=per_column([s.bias_floor or 0.0 for s in options]) if any(s.bias_floor is not None for s in options) else None,
        threshold=threshold if threshold.any() else None,
        lam=per_column([s.lam or 0.0 for s in options])[:, None],
    )


def _many_arguments(Y, W0s, settings, steps, A):
    Y = check_matrix("Y", Y)
    steps = check_int("steps", steps, minimum=0)
    W0s, settings = list(W0s), list(settings)
    if not W0s:
        raise ValueError("W0s: expected at least one initial matrix")
    if len(settings) != len(W0s):
        raise ValueError(f"settings: expected {len(W0s)} mappings (one per W0), got {len(settings)}")
    W0s = [check_matrix(f"W0s[{k}]", W, rows=Y.shape[0], dtype=Y.dtype, nonzero_columns=True) for k, W in enumerate(W0s)]
    m = W0s[0].shape[1]
    if any(W.shape[1] != m for W in W0s):
        raise ValueError("W0s: every initial matrix must have the same number of columns")
    options = [TrainSettings.from_mapping(s, name=f"settings[{k}]") for k, s in enumerate(settings)]
    for k, s in enumerate(options):
        if s.steps is not None and s.steps != steps:
            raise ValueError(f"settings[{k}]: steps={s.steps} differs from steps={steps}")
    if A is not None:
        A = check_matrix("A", A, rows=Y.shape[0], cols=m)
    return Y, np.concatenate(W0s, axis=1), _stack(options, m, Y.dtype), steps, A


def _stacked_loss_and_gradient(stack: _Stack, W, b, Y, X, S, squared_norm_Y: float, with_gradient: bool):
    """The K losses at (W_k, b_k) and, if asked, the stacked gradient: two wide passes over Y."""
    K, m, (n, N) = stack.K, stack.m, Y.shape
    Z0 = W.T @ Y  # pass 1, (K m, N)
    np.add(Z0, b[:, None], out=X)
    gate = X > 0
    if stack.threshold is not None:
        gate[stack.threshold] = np.abs(X[stack.threshold]) > stack.lam[stack.threshold]
    X *= gate  # ReLU: zero the negatives; threshold: zero |z| <= lam
    Wb = W.T.reshape(K, m, n)  # the K blocks W_k^T
    gram = Wb @ Wb.transpose(0, 2, 1)  # (K, m, m): W_k^T W_k
    GX = (gram @ X.reshape(K, m, N)).reshape(K * m, N)
    cross = np.einsum("kij,kij->k", X.reshape(K, m, N), Z0.reshape(K, m, N), dtype=np.float64)
    quad = np.einsum("kij,kij->k", X.reshape(K, m, N), GX.reshape(K, m, N), dtype=np.float64)
    losses = 0.5 * (squared_norm_Y - 2.0 * cross + quad) / N
    if not with_gradient:
        return losses, None
    np.subtract(Z0, GX, out=S)  # P = gate * (W^T R), then S = X + P
    S *= gate
    S += X
    YS = Y @ S.T  # pass 2, (n, K m): Y X^T + Y P^T in one product
    Xb = X.reshape(K, m, N)
    XX = Xb @ Xb.transpose(0, 2, 1)  # (K, m, m): X_k X_k^T
    G = (Wb.transpose(0, 2, 1) @ XX).transpose(1, 0, 2).reshape(n, K * m)  # W_k (X_k X_k^T)
    G -= YS
    G /= N
    return losses, G


def train_many(
    Y: np.ndarray,
    W0s: Sequence[np.ndarray],
    settings: Sequence[Mapping],
    *,
    steps: int,
    A: Optional[np.ndarray] = None,
    signs: bool = False,
) -> Tuple[TrainResult, ...]:
    """Train several independent autoencoders on the same data at once (Sec. 5-6).

    Autoencoder k follows exactly the update of :func:`aelib.train`,

        W_k <- normalize(W_k - lr_k g(W_k, b_k)),    b_k <- b_k / C_k  (then the floor),

    with its own start ``W0s[k]`` and its own options ``settings[k]``, through the same
    step function (:meth:`aelib.TrainSettings.step`'s). Stacking the K weight matrices side
    by side makes each step two *wide* products over Y (an (n, K m) matrix instead of K
    narrow ones), which reads Y twice per step instead of 2K times. The Gram matrices
    W_k^T W_k, X_k X_k^T stay block-diagonal, so the autoencoders never interact. With
    P = 1{x != 0} * (W^T R) the gradient of :func:`aelib.gradient` is
    -(1/N) [R X^T + Y P^T] = -(1/N) [Y (X + P)^T - W (X X^T)], so the second pass is one
    (n, N) x (N, K m) product. The result equals K calls of :func:`aelib.train` up to
    floating-point rounding (the tests check this).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Shared training data; float32 data are trained in float32.
    W0s : sequence of ndarray, shape (n, m)
        Initial weights, one per autoencoder (same m for all).
    settings : sequence of mappings
        One per autoencoder: :class:`aelib.TrainSettings` or dicts of its options
        (``lr`` required). A ``steps`` option, if set, must equal ``steps``.
    steps : int
        Number of updates T, the same for all.
    A : ndarray, shape (n, m), optional
        Ground truth; the matched distance of every autoencoder is recorded at every step.
    signs : bool, default False
        Allow sign flips in that matching.

    Returns
    -------
    tuple of TrainResult
        One per autoencoder, as :func:`aelib.train` would return it (no early stop).
    """
    Y, W, stack, steps, A = _many_arguments(Y, W0s, settings, steps, A)
    K, m, N = stack.K, stack.m, Y.shape[1]
    b = stack.b0
    X = np.empty((K * m, N), dtype=Y.dtype)
    S = np.empty((K * m, N), dtype=Y.dtype)
    squared_norm_Y = _squared_norm(Y)
    losses = np.empty((steps + 1, K))
    distances = np.empty((steps + 1, K)) if A is not None else None
    biases = np.empty((steps + 1, K * m), dtype=Y.dtype)
    for step in range(steps + 1):
        biases[step] = b
        if A is not None:
            for k in range(K):
                distances[step, k] = matched_distance(W[:, k * m : (k + 1) * m], A, signs=signs)
        losses[step], G = _stacked_loss_and_gradient(stack, W, b, Y, X, S, squared_norm_Y, step < steps)
        if step < steps:
            W, b = _descent_step(W, b, G, stack.lr, stack.decay, stack.floor)
    columns = [slice(k * m, (k + 1) * m) for k in range(K)]
    return tuple(
        TrainResult(W=W[:, c].copy(), b=b[c].copy(), loss=losses[:, k].copy(),
                    distance=None if distances is None else distances[:, k].copy(),
                    bias=biases[:, c].copy(), steps_run=steps, stopped_early=False)
        for k, c in enumerate(columns)
    )


# --- one run -------------------------------------------------------------------------------


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
    (float32) through :func:`aelib.make_problem`, W^0 = perturbed_init(A, delta) (Sec. 6,
    init (i), :func:`aelib.make_start`), and trains with
    :func:`aelib.train` (threshold lam = 1/2 for ``activation="threshold"``), recording the
    matched distance. All randomness comes from ``seed``.

    Parameters
    ----------
    n : int
        Dimension of the samples.
    m : int
        Number of mixture components (columns of A and W).
    N : int
        Number of samples.
    noise_std : float
        sigma_eta >= 0 of the mixture (assumption A4).
    delta : float
        Size of the perturbation of the start W^0 = perturbed_init(A, delta).
    lr : float
        Learning rate zeta > 0 (Theta(m) for the mixture, Thm. 4 (i)).
    steps : int
        Number of updates T >= 0.
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1); the threshold uses lam = 1/2.
    b0 : float, default 0.0
        Initial bias b^0 (the same for every unit).
    bias_decay : float, default 1.0
        The constant C > 0 of b^{s+1} = b^s / C (Thm. 4 (i.2)).
    bias_floor : float, optional
        Keep abs(b_i) >= bias_floor after each decay (Chapter 7's variant).
    seed : int, default 0
        Seeds the one Generator that draws A, the data and the start, in that order.

    Returns
    -------
    TrainResult
        Of :func:`aelib.train`, with the matched distance to A recorded.
    """
    # one Generator for A, the data and the start, in that order (make_problem's single-Generator scheme)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    problem = make_problem("mixture", n, m, 1, N, noise_std, rng, dtype=np.float32)
    W0 = make_start("perturbation", problem.A, problem.Y, problem.start_rng(), delta=delta)
    lam = 0.5 if activation == "threshold" else None
    return train(
        problem.Y, W0, b0, lr=lr, steps=steps, activation=activation, lam=lam,
        bias_decay=bias_decay, bias_floor=bias_floor, A=problem.A,
    )


# --- rounding sensitivity ------------------------------------------------------------------


def nudge_ulp(Y: np.ndarray, *, rng: RngLike) -> np.ndarray:
    """Move every entry of Y by one unit in the last place, up or down at random.

    ``np.nextafter`` towards +inf or -inf, each with probability 1/2, in the dtype of
    Y: the smallest change of the data that its floating-point type can express (a
    relative change of about 6e-8 in float32), of the size by which two BLAS kernels
    or thread counts round the same product differently. Training on ``nudge_ulp(Y)``
    instead of Y measures how much a result depends on rounding (a stable run
    moves by about as much as its input, a chaotic one by much more).

    Parameters
    ----------
    Y : ndarray, shape (n, N)
        Data (float32 or float64).
    rng : numpy.random.Generator or int
        Draws the directions.

    Returns
    -------
    ndarray, shape (n, N), the dtype of Y (a new array; Y is not modified)
    """
    Y = check_matrix("Y", Y)
    up = as_rng(rng).random(Y.shape) < 0.5
    return np.where(up, np.nextafter(Y, np.inf), np.nextafter(Y, -np.inf)).astype(Y.dtype, copy=False)


# --- the Monte Carlo runner ------------------------------------------------------------------


@dataclass
class MonteCarloResult:
    """Histories of :func:`run_trials`, indexed [trial, variant, init, step].

    Attributes
    ----------
    variants : tuple of str
        Names of the training settings, in order.
    inits : tuple of str
        Names of the initializations, in order.
    loss : ndarray, shape (trials, n_variants, n_inits, steps + 1)
        Reconstruction loss at W^s (with b^s).
    distance : ndarray, shape (trials, n_variants, n_inits, steps + 1)
        Matched distance min_pi ||pi(W^s) - A||_F.
    oracle : ndarray, shape (trials,)
        Matched distance of :func:`oracle_class_means` on the same data.
    max_inner : ndarray, shape (trials,)
        ``max_{i != j} |<A_i, A_j>|`` = mu / sqrt(n) of each trial's ground truth (Def. 1):
        the ReLU code stays consistent only while b_i is below about minus this.
    seed : int
        Base seed of :func:`run_trials`.
    N : int
        Samples per trial.
    """

    variants: Tuple[str, ...]
    inits: Tuple[str, ...]
    loss: np.ndarray
    distance: np.ndarray
    oracle: np.ndarray
    max_inner: np.ndarray
    seed: int
    N: int

    @property
    def trials(self) -> int:
        """Number of trials."""
        return self.loss.shape[0]

    def _index(self, variant: Optional[str], init: str) -> Tuple[int, int]:
        if variant is None:
            if len(self.variants) != 1:
                raise ValueError(f"variant: name one of {self.variants}")
            v = 0
        else:
            v = self.variants.index(variant)
        return v, self.inits.index(init)

    def curves(self, field: str, init: str, variant: Optional[str] = None) -> np.ndarray:
        """The (trials, steps + 1) histories of ``field`` ("loss" or "distance") for one init and variant.

        Parameters
        ----------
        field : {"loss", "distance"}
            Which history to read.
        init : str
            Name of the initialization (one of ``inits``).
        variant : str, optional
            Name of the training settings; may be omitted when there is only one.

        Returns
        -------
        ndarray, shape (trials, steps + 1)
        """
        if field not in ("loss", "distance"):
            raise ValueError(f"field: expected 'loss' or 'distance', got {field!r}")
        v, i = self._index(variant, init)
        return getattr(self, field)[:, v, i, :]

    def final(self, field: str, init: str, variant: Optional[str] = None) -> np.ndarray:
        """Values at the last step, one per trial.

        Parameters
        ----------
        field : {"loss", "distance"}
            Which history to read.
        init : str
            Name of the initialization (one of ``inits``).
        variant : str, optional
            Name of the training settings; may be omitted when there is only one.

        Returns
        -------
        ndarray, shape (trials,)
        """
        return self.curves(field, init, variant)[:, -1]

    def best(self, field: str, init: str, variant: Optional[str] = None) -> np.ndarray:
        """Smallest value along each run (the best a well-timed early stop could get), one per trial.

        Parameters
        ----------
        field : {"loss", "distance"}
            Which history to read.
        init : str
            Name of the initialization (one of ``inits``).
        variant : str, optional
            Name of the training settings; may be omitted when there is only one.

        Returns
        -------
        ndarray, shape (trials,)
        """
        return self.curves(field, init, variant).min(axis=1)


def draw_trial(
    model_factory: Callable[[np.random.Generator], BilinearModel],
    inits: Mapping[str, Callable],
    *,
    N: int,
    seed: int,
    trial: int,
    dtype=np.float32,
) -> Tuple[BilinearModel, np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
    """The model, data and initial weights of one trial of :func:`run_trials`.

    Trial ``trial`` of ``run_trials(..., seed=seed)`` trains on exactly these arrays,
    so a chapter can look inside one trial (e.g. with :func:`aelib.trace_descent`).

    Parameters
    ----------
    model_factory : callable
        ``model_factory(rng) -> BilinearModel`` (e.g. :func:`mixture_factory`).
    inits : mapping
        Name -> ``init(A, Y, rng) -> W0`` (e.g. :func:`paper_inits`).
    N : int
        Samples per trial.
    dtype : {numpy.float32, numpy.float64}, default float32
        Precision of the data and of the starts.
    seed, trial : int
        Base seed and trial index; the streams come from ``SeedSequence([seed, trial])``.

    Returns
    -------
    model : BilinearModel
        Its ``A`` is the ground truth.
    Y : ndarray, shape (n, N)
        The trial's data, in ``dtype``.
    X_star : ndarray, shape (m, N)
        The true codes of ``Y``.
    starts : dict
        Init name -> W^0 (in ``dtype``).
    """
    seed = check_int("seed", seed, minimum=0)
    trial = check_int("trial", trial, minimum=0)
    problem = draw_problem(model_factory, N, (seed, trial), dtype=dtype)
    model, Y = problem.model, problem.Y
    starts = {
        name: np.asarray(init(model.A, Y, rng), dtype=dtype)
        for (name, init), rng in zip(inits.items(), problem.start_rngs(len(inits)))
    }
    return model, Y, problem.X_star, starts


def _one_trial(model_factory, inits, variants, N, seed, trial, dtype, signs, nudge, train_dtype):
    with blas_threads(1):
        return _train_trial(model_factory, inits, variants, N, seed, trial, dtype, signs, nudge, train_dtype)


def _train_trial(model_factory, inits, variants, N, seed, trial, dtype, signs, nudge, train_dtype):
    model, Y, X_star, starts = draw_trial(model_factory, inits, N=N, seed=seed, trial=trial, dtype=dtype)
    if nudge is not None:  # after the starts: the PCA start is that of the data as drawn
        Y = nudge_ulp(Y, rng=np.random.default_rng([nudge, trial]))
    A = model.A
    starts = list(starts.values())
    if train_dtype != Y.dtype:  # the same (nudged) data and starts, trained in another precision
        Y = Y.astype(train_dtype)
        starts = [W0.astype(train_dtype) for W0 in starts]
    steps = {s.steps for s in variants.values()}
    if len(steps) != 1:
        raise ValueError(f"variants: every variant must run the same number of steps, got {sorted(steps)}")
    W0s, settings = [], []
    for s in variants.values():
        for W0 in starts:
            W0s.append(W0)
            settings.append(s)
    results = train_many(Y, W0s, settings, steps=steps.pop(), A=A, signs=signs)
    shape = (len(variants), len(inits), -1)
    loss = np.array([r.loss for r in results]).reshape(shape)
    distance = np.array([r.distance for r in results]).reshape(shape)
    oracle = matched_distance(oracle_class_means(Y, X_star), A, signs=signs)
    max_inner = coherence(A) / np.sqrt(A.shape[0]) if A.shape[1] > 1 else 0.0
    return loss, distance, oracle, max_inner


def run_trials(
    model_factory: Callable[[np.random.Generator], BilinearModel],
    inits: Mapping[str, Callable],
    variants: Mapping[str, Mapping],
    *,
    N: int,
    trials: int,
    seed: int,
    dtype=np.float32,
    signs: bool = False,
    n_jobs: int = 1,
    nudge: Optional[int] = None,
    train_dtype=None,
) -> MonteCarloResult:
    """Monte Carlo repetition of the experiment of Sec. 6 (Fig. 2 and 3).

    For each trial t = 0, ..., trials - 1 (see the module docstring for the seeding):

    1. ``model = model_factory(rng_model)`` draws the ground truth A;
    2. ``Y, X* = model.sample(N, rng=rng_data, dtype=dtype)`` draws one data set;
    3. every init makes its W^0 = ``init(A, Y, rng_init)`` on that data set (as the
       paper does, all starts see the same data);
    4. every (variant, init) pair is trained on Y with :func:`train_many` (the
       update of :func:`aelib.train`), recording loss and matched distance per step;
    5. the oracle :func:`oracle_class_means` gives the statistical floor on that data.

    Parameters
    ----------
    model_factory : callable
        ``model_factory(rng) -> BilinearModel`` (e.g. :func:`mixture_factory`); any of
        the three generative models works.
    inits : mapping
        Name -> ``init(A, Y, rng) -> W0`` (e.g. :func:`paper_inits`).
    variants : mapping
        Name -> training settings for :func:`aelib.train` (``b0``, ``lr``, ``steps``,
        ``activation``, ``lam``, ``bias_decay``, ``bias_floor``), e.g.
        ``{"paper": PAPER_SETTINGS}``. All variants must share ``steps``.
    N : int
        Samples per trial (10,000 in Sec. 6).
    trials : int
        Number of independent trials.
    seed : int
        Base seed; trial t depends only on (seed, t).
    dtype : {numpy.float32, numpy.float64}, default float32
        Precision of the data and of training (float32 is about twice as fast); see
        also ``train_dtype``.
    signs : bool, default False
        Allow sign flips when matching columns (sparse coding).
    n_jobs : int, default 1
        Trials run in parallel with joblib when > 1. Each trial runs with
        single-threaded BLAS (through threadpoolctl), so the numbers depend neither
        on ``n_jobs`` nor on the number of cores; use ``n_jobs`` = number of cores.
    nudge : int, optional
        If given, train on ``nudge_ulp(Y, rng=default_rng([nudge, t]))`` instead of
        Y: every entry of the data moved by one unit in the last place (the starts,
        including PCA's, are still those of the data as drawn). Comparing with the
        run without ``nudge`` measures how much each result depends on rounding.
    train_dtype : {numpy.float32, numpy.float64}, optional
        Precision of training, if not ``dtype``: the data are drawn (and nudged) in
        ``dtype`` and the starts made in ``dtype``, then both are cast. With
        ``dtype=float32, train_dtype=float64`` the runs see exactly the data and the
        one-ulp nudge of a float32 run, and only the arithmetic of training changes.

    Returns
    -------
    MonteCarloResult
    """
    N = check_int("N", N, minimum=1)
    trials = check_int("trials", trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    if nudge is not None:
        nudge = check_int("nudge", nudge, minimum=0)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype: expected float32 or float64, got {np.dtype(dtype)}")
    try:
        train_dtype = np.dtype(dtype if train_dtype is None else train_dtype)
    except TypeError as err:
        raise ValueError(f"train_dtype: expected float32 or float64, got {train_dtype!r}") from err
    if train_dtype not in (np.float32, np.float64):
        raise ValueError(f"train_dtype: expected float32 or float64, got {train_dtype}")
    inits = dict(inits)
    variants = {name: TrainSettings.from_mapping(s, name=f"variants[{name!r}]") for name, s in variants.items()}
    if not inits or not variants:
        raise ValueError("inits, variants: expected at least one of each")
    for name, s in variants.items():
        if s.steps is None:
            raise ValueError(f"variants[{name!r}]: missing 'steps'")
        s.trainer_lr(f"variants[{name!r}]")
    args = (model_factory, inits, variants, N, seed)
    if n_jobs == 1:
        out = [_one_trial(*args, t, dtype, signs, nudge, train_dtype) for t in range(trials)]
    else:
        from joblib import Parallel, delayed

        out = Parallel(n_jobs=n_jobs)(delayed(_one_trial)(*args, t, dtype, signs, nudge, train_dtype)
                                      for t in range(trials))
    return MonteCarloResult(
        variants=tuple(variants),
        inits=tuple(inits),
        loss=np.array([o[0] for o in out]),
        distance=np.array([o[1] for o in out]),
        oracle=np.array([o[2] for o in out]),
        max_inner=np.array([o[3] for o in out]),
        seed=seed,
        N=N,
    )


def bias_schedule(settings: Mapping) -> np.ndarray:
    """The scalar bias b^s, s = 0, ..., steps, that training settings produce (Sec. 5-6).

    b^{s+1} = b^s / C with C = ``bias_decay`` (1 keeps b fixed; 2 is Sec. 6;
    :func:`aelib.sqrt_decay` gives Sec. 5's sqrt(1 - tau)), and ``|b^{s+1}|`` kept at least
    ``bias_floor`` when one is set: the rule of :meth:`aelib.TrainSettings.next_bias`,
    which every trainer uses.

    Parameters
    ----------
    settings : TrainSettings or mapping
        Training settings as in :func:`run_trials`, with ``steps`` and a scalar ``b0``
        (default 0); ``lr`` is not needed.

    Returns
    -------
    ndarray, shape (steps + 1,)
    """
    settings = TrainSettings.from_mapping(settings)
    if settings.steps is None:
        raise ValueError("settings: bias_schedule needs 'steps'")
    if not isinstance(settings.b0, float):
        raise ValueError("b0: bias_schedule needs one scalar b0 shared by all units")
    out = [np.float64(settings.b0)]
    for _ in range(settings.steps):
        out.append(settings.next_bias(out[-1]))
    return np.array(out)


def band(values: np.ndarray, *, lower: float = 10.0, upper: float = 90.0, axis: int = 0) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and a percentile band of Monte Carlo values along ``axis`` (the trials).

    Parameters
    ----------
    values : ndarray
        Monte Carlo values, e.g. :meth:`MonteCarloResult.curves`.
    lower, upper : float
        Percentiles of the band (10 and 90 by default; 0 and 100 give min-max).
    axis : int
        The axis of the trials (0 by default).

    Returns
    -------
    (median, low, high) : tuple of ndarray
    """
    values = np.asarray(values, dtype=np.float64)
    low, median, high = np.percentile(values, [lower, 50.0, upper], axis=axis)
    return median, low, high
