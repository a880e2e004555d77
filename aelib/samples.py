"""Finite samples: recovery error against the number of samples N (beyond the paper).

Theorem 4 is proved for infinitely many fresh samples, and the paper leaves "finite
sample complexity analysis" as future work (Sec. 6, Conclusions). This module
measures it: the error of the autoencoder trained on N samples, beside the error
of an ideal learner that is told the true codes X* -- for the mixture the class
means given the labels, in general the least-squares fit
A_hat = normalize(Y X*^T (X* X*^T)^{-1}) (:func:`aelib.oracle_class_means`, which
already handles any codes). No method that sees only Y can beat it on average, so
its error is the statistical floor at that N.

* :func:`sample_point` -- one (model, N, seed): train the autoencoder from a
  delta0-close start and compute the oracle on the same data (sweep-friendly).
* :func:`code_second_moment` and :func:`oracle_error` -- the oracle's predicted
  error, sigma sqrt((n - 1) [E x x^T]^{-1}_ii / N) per column.
* :func:`samples_needed` -- the N at which an error curve first reaches a target.

Errors are column-RMS matched distances ||pi(W) - A||_F / sqrt(m) (sign flips allowed
for :class:`aelib.SparseCoding`).
"""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np

from ._checks import check_int, check_real
from .experiments import oracle_class_means
from .autoencoder import encode
from .metrics import align, matched_distance
from .models import BilinearModel, GaussianMixture, SparseCoding
from .problems import make_problem, make_start
from .recovery import recovery_run, support_moment, theorem4_settings

__all__ = ["code_second_moment", "oracle_error", "sample_point", "samples_needed"]


def code_second_moment(model: BilinearModel) -> np.ndarray:
    """E[x* x*^T] for the code law of ``model`` (assumptions A1-A2).

    For a uniformly random support of size k with independent non-zeros,
    E[x_i^2] = p_1 kappa2 and E[x_i x_j] = p_2 kappa1^2 (i != j), with p_1 = k/m and
    p_2 = k(k-1)/(m(m-1)) (:func:`aelib.support_moment`). For a mixture with
    weights p_i it is diag(p).

    Parameters
    ----------
    model : BilinearModel
        GaussianMixture, SparseCoding or NonnegativeSparseCoding (gives m, k, kappa1,
        kappa2, or the mixing weights).

    Returns
    -------
    ndarray, shape (m, m)
    """
    m = model.m
    if isinstance(model, GaussianMixture):
        return np.diag(model.support_probabilities)
    k = int(model.k)
    p1 = support_moment(m, k, 1)
    p2 = support_moment(m, k, 2)
    sigma = np.full((m, m), p2 * model.kappa1**2)
    np.fill_diagonal(sigma, p1 * model.kappa2)
    return sigma


def oracle_error(model: BilinearModel, N) -> np.ndarray:
    """Predicted column-RMS error of the oracle :func:`aelib.oracle_class_means` on N samples.

    The least-squares estimate A_hat = Y X*^T (X* X*^T)^{-1} equals A plus the noise
    term E X*^T (X* X*^T)^{-1}; for large N, X* X*^T ~ N Sigma with Sigma =
    :func:`code_second_moment`, so column i carries Gaussian noise of variance
    sigma^2 [Sigma^{-1}]_ii / N in each of n coordinates. Normalizing removes the one
    along A_i, which leaves

        ||A_hat_i - A_i|| ~ sigma sqrt((n - 1) [Sigma^{-1}]_ii / N).

    For the uniform mixture [Sigma^{-1}]_ii = m, the per-column form of
    :func:`aelib.oracle_distance_floor` (sigma m sqrt(n / N) in Frobenius norm).
    Noise-free data (sigma = 0) give 0: the oracle is then exact.

    Parameters
    ----------
    model : BilinearModel
        Gives n, the noise level sigma_eta and the code law (:func:`code_second_moment`).
    N : int or array_like
        Sample sizes.

    Returns
    -------
    ndarray (or float for a scalar N)
        sqrt(mean_i ||A_hat_i - A_i||^2), the column-RMS error.
    """
    N_arr = np.asarray(N, dtype=np.float64)
    if np.any(N_arr <= 0):
        raise ValueError("N: sample sizes must be positive")
    inverse = np.linalg.inv(code_second_moment(model))
    value = model.noise_std * np.sqrt((model.n - 1) * np.mean(np.diag(inverse)) / N_arr)
    return float(value) if value.ndim == 0 else value


def sample_point(
    *,
    kind: str,
    n: int,
    m: int,
    k: int,
    N: int,
    noise_std: float,
    seed: int = 0,
    delta0: float = 0.3,
    steps: int = 40,
    activation: str = "threshold",
    lr_scale: float = 1.0,
) -> Dict[str, float]:
    """Autoencoder and oracle errors on one data set of N samples (sweep-friendly).

    ``numpy.random.SeedSequence([seed, n, m, k])`` fixes the dictionary A
    (:func:`aelib.random_dictionary`) and the start W^0 = :func:`aelib.perturbed_init`
    (``delta0``), the same for every N, so that a curve over N varies only the data;
    the N samples of ``make_model(kind, A, k=k, noise_std=noise_std)`` come from
    ``SeedSequence([seed, n, m, k, N])`` (float32). The autoencoder trains for
    ``steps`` steps with :func:`aelib.theorem4_settings` (``activation``, ``lr_scale``);
    the oracle is :func:`aelib.oracle_class_means` on the same samples.

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
    N : int
        Number of samples.
    noise_std : float
        sigma_eta >= 0.
    seed : int, default 0
        Base seed of the SeedSequences.
    delta0 : float, default 0.3
        Perturbation size of the start.
    steps : int, default 40
        Number of updates T.
    activation : {"threshold", "relu", "relu_floor"}, default "threshold"
        The variant of :func:`aelib.theorem4_settings`.
    lr_scale : float, default 1.0
        Factor on its learning rate.

    Returns
    -------
    dict
        ``autoencoder`` and ``oracle`` (column-RMS matched distances), ``initial``
        (the start's), ``predicted`` (:func:`oracle_error`) and ``false_detections``
        (inactive units that the trained encoder, matched to A, fires per sample: its
        encoding mistakes). ``oracle`` is NaN when some atom never appears in the N
        codes (the least-squares fit is then undefined).
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    k = check_int("k", k, minimum=1, maximum=m)
    N = check_int("N", N, minimum=1)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    problem = make_problem(kind, n, m, k, N, noise_std, (seed, n, m, k), data_seed=(seed, n, m, k, N),
                           dtype=np.float32)
    model, A, Y, X_star = problem.model, problem.A, problem.Y, problem.X_star
    W0 = make_start("perturbation", A, None, problem.start_rng(), delta=delta0)
    signs = isinstance(model, SparseCoding)
    settings = theorem4_settings(model, activation, lr_scale=lr_scale)
    run = recovery_run(model, W0, settings, N=N, rng=0, steps=steps, Y=Y, history=False)
    try:
        oracle = matched_distance(oracle_class_means(Y, X_star), A, signs=signs) / np.sqrt(m)
    except ValueError:
        oracle = float("nan")
    # encoding mistakes of the trained encoder: inactive units that fire, per sample
    W = align(run.W, A, signs=signs).astype(Y.dtype)
    X = encode(W, settings["b0"], Y, activation=settings["activation"], lam=settings.get("lam"))
    false = float(np.mean(np.sum((X != 0) & (X_star == 0), axis=0)))
    return {
        "autoencoder": float(run.final),
        "oracle": float(oracle),
        "initial": float(run.initial),
        "predicted": float(oracle_error(model, N)),
        "false_detections": false,
    }


def samples_needed(Ns, errors, target: float, *, failure: Optional[float] = None) -> float:
    """Smallest N at which an error curve reaches ``target`` and stays below it.

    Between two measured sample sizes the curve is interpolated linearly in
    (log N, log error). Points above ``failure`` (runs that did not converge) count
    as above the target.

    Parameters
    ----------
    Ns : array_like, shape (p,)
        Increasing sample sizes.
    errors : array_like, shape (p,)
        Error at each N (e.g. a median over seeds); NaN counts as above the target.
    target : float
        Error to reach (e.g. 0.1 per column).
    failure : float, optional
        Errors above this are failures (treated as above the target).

    Returns
    -------
    float
        The interpolated N; ``Ns[0]`` if the curve starts below the target; ``inf`` if
        it never settles below it within the measured range.
    """
    Ns = np.asarray(Ns, dtype=np.float64).ravel()
    err = np.asarray(errors, dtype=np.float64).ravel()
    target = check_real("target", target, minimum=0.0, strict_min=True)
    if Ns.shape != err.shape or Ns.size == 0:
        raise ValueError("Ns, errors: expected two arrays of the same positive length")
    if np.any(np.diff(Ns) <= 0) or np.any(Ns <= 0):
        raise ValueError("Ns: expected positive, strictly increasing sample sizes")
    bad = ~np.isfinite(err)
    if failure is not None:
        bad |= err > failure
    below = (err <= target) & ~bad
    if not below[-1]:
        return float("inf")
    # last index that is not below the target: the curve settles after it
    above = np.flatnonzero(~below)
    if above.size == 0:
        return float(Ns[0])
    i = int(above[-1])
    if bad[i]:  # a failed run just before: no slope to interpolate on
        return float(Ns[i + 1])
    x0, x1 = np.log(Ns[i]), np.log(Ns[i + 1])
    y0, y1 = np.log(err[i]), np.log(err[i + 1])
    t = (np.log(target) - y0) / (y1 - y0) if y1 != y0 else 1.0
    return float(np.exp(x0 + np.clip(t, 0.0, 1.0) * (x1 - x0)))
