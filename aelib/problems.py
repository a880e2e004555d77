"""One problem factory and one registry of starts for the experiment drivers (Sec. 2.2, 3, 6).

Every experiment of the book draws a problem the same way: a ground truth A with
i.i.d. Gaussian columns, normalized (:func:`aelib.random_dictionary`), one of the
three generative models of Sec. 2.2 on it (:func:`make_model`), N samples, and the
random streams of the starts. :func:`make_problem` is that setup, written once; it
returns a :class:`Problem`. The starts W^0 of Sec. 6 (a perturbation of A, PCA, a
random guess) and the spectral start of Sec. 3 are looked up by name in
:data:`START_REGISTRY` (:func:`make_start`).

Seeding
-------
``seed`` is the entropy of one :class:`numpy.random.SeedSequence` (an int, or a
tuple such as ``(seed, t)`` for trial t of :func:`aelib.run_trials`,
``(seed, n, m)`` for the mixture comparisons, ``(seed, n, m, k)`` for the sparse
sweeps). It is spawned into three independent streams, in this order: the model
(A), the data (codes and noise) and the starts. With ``data_seed`` the data come
from their own sequence and ``seed`` is spawned into two streams only, the model
and the starts (chapter 9 varies N on a fixed A and W^0). A
:class:`numpy.random.Generator` instead of a seed is one stream for everything,
drawn in the order A, data, starts. The noise level does not enter the seed, so
two problems that differ only in ``noise_std`` share A, the codes and the
standard-normal noise (common random numbers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._checks import check_int, check_real
from .initialization import pca_init, perturbed_init, random_init, spectral_init
from .models import BilinearModel, GaussianMixture, NonnegativeSparseCoding, SparseCoding, random_dictionary

__all__ = [
    "PROBLEM_KINDS",
    "NONNEGATIVE_RANGE",
    "START_REGISTRY",
    "Problem",
    "make_model",
    "model_factory",
    "draw_problem",
    "make_problem",
    "make_start",
]

#: The generative models of Sec. 2.2, by name.
PROBLEM_KINDS: Tuple[str, ...] = ("mixture", "sparse", "nonnegative")

#: Default range [a1, a2] of the non-zero values of the non-negative model
#: (kappa1 = 1.25, kappa2 = 19/12; threshold a1/2 = 0.5 as for the sparse model).
NONNEGATIVE_RANGE: Tuple[float, float] = (1.0, 1.5)

SeedLike = Union[int, Sequence[int], np.random.SeedSequence, np.random.Generator]


def make_model(kind: str, A: np.ndarray, *, k: int, noise_std: float = 0.0, a1: Optional[float] = None,
               a2: Optional[float] = None) -> BilinearModel:
    """One of the three generative models of Sec. 2.2 by name: "mixture", "sparse" or "nonnegative".

    "sparse" is :class:`aelib.SparseCoding` (a1 defaults to 1: Rademacher codes);
    "nonnegative" is :class:`aelib.NonnegativeSparseCoding` with [a1, a2] defaulting
    to :data:`NONNEGATIVE_RANGE`; "mixture" is :class:`aelib.GaussianMixture` (k must be 1).

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2).
    A : ndarray, shape (n, m)
        The ground truth (unit columns).
    k : int
        Nonzeros per code (1 for the mixture).
    noise_std : float, default 0
        sigma_eta.
    a1, a2 : float, optional
        Bounds on the nonzero code values (see above for the defaults).

    Returns
    -------
    BilinearModel
    """
    if kind == "mixture":
        if k != 1:
            raise ValueError(f"k: the mixture has k = 1, got {k}")
        return GaussianMixture(A, noise_std=noise_std)
    if kind == "sparse":
        return SparseCoding(A, k=k, noise_std=noise_std, a1=1.0 if a1 is None else a1)
    if kind == "nonnegative":
        lo, hi = NONNEGATIVE_RANGE
        return NonnegativeSparseCoding(A, k=k, a1=lo if a1 is None else a1, a2=hi if a2 is None else a2,
                                       noise_std=noise_std)
    raise ValueError(f"kind: expected one of {PROBLEM_KINDS}, got {kind!r}")


def _draw_model(kind: str, n: int, m: int, k: int, noise_std: float, a1: Optional[float], a2: Optional[float],
                rng: np.random.Generator) -> BilinearModel:
    return make_model(kind, random_dictionary(n, m, rng=rng), k=k, noise_std=noise_std, a1=a1, a2=a2)


def _check_kind(kind: str, m: int, k: int) -> int:
    if kind not in PROBLEM_KINDS:
        raise ValueError(f"kind: expected one of {PROBLEM_KINDS}, got {kind!r}")
    return check_int("k", k, minimum=1, maximum=1 if kind == "mixture" else m)


def model_factory(kind: str, n: int, m: int, k: int, noise_std: float, *, a1: Optional[float] = None,
                  a2: Optional[float] = None) -> Callable[[np.random.Generator], BilinearModel]:
    """A model factory ``factory(rng) -> model`` (for :func:`aelib.run_trials` and :func:`draw_problem`).

    Each call draws a fresh ground truth A = :func:`aelib.random_dictionary` ``(n, m,
    rng=rng)`` and returns ``make_model(kind, A, k=k, noise_std=noise_std, a1=a1, a2=a2)``
    (Sec. 2.2; Sec. 6 for the mixture).

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2).
    n, m, k : int
        Dimension, atoms, nonzeros per code (k = 1 for the mixture).
    noise_std : float
        sigma_eta >= 0.
    a1, a2 : float, optional
        Bounds on the nonzero code values (assumption A3); defaults as in :func:`make_model`.

    Returns
    -------
    callable
        Picklable (a :func:`functools.partial`), so it works with ``n_jobs > 1``.
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=1)
    k = _check_kind(kind, m, k)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    return functools.partial(_draw_model, kind, n, m, k, noise_std, a1, a2)


def _child(seq: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """Child ``index`` of ``seq``, as ``seq.spawn`` makes it on a fresh sequence (spawning is stateful)."""
    return np.random.SeedSequence(seq.entropy, spawn_key=tuple(seq.spawn_key) + (index,), pool_size=seq.pool_size)


def _as_seed(name: str, seed: SeedLike) -> Union[np.random.SeedSequence, np.random.Generator]:
    if isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return seed
    if isinstance(seed, (Integral, np.integer)) and not isinstance(seed, bool):
        return np.random.SeedSequence(check_int(name, seed, minimum=0))
    if isinstance(seed, (str, bytes)) or not isinstance(seed, Sequence) or len(seed) == 0:
        raise ValueError(f"{name}: expected a non-negative integer, a non-empty sequence of them, "
                         f"a numpy SeedSequence or Generator, got {seed!r}")
    return np.random.SeedSequence([check_int(name, s, minimum=0) for s in seed])


def _rng(stream: Union[np.random.SeedSequence, np.random.Generator]) -> np.random.Generator:
    return stream if isinstance(stream, np.random.Generator) else np.random.default_rng(stream)


@dataclass(frozen=True, eq=False)
class Problem:
    """One drawn problem: a generative model (its ground truth A), data, and the start streams.

    Attributes
    ----------
    kind : str or None
        One of :data:`PROBLEM_KINDS` (None when drawn from a custom factory).
    model : BilinearModel
        The model of Sec. 2.2; ``model.A`` is the ground truth.
    Y : ndarray, shape (n, N), or None
        The samples (None when drawn with ``N=None``: draw them from :meth:`data_rng`).
    X_star : ndarray, shape (m, N), or None
        Their true codes.
    data_stream, start_stream : numpy SeedSequence or Generator
        The streams of the data and of the starts (a shared Generator when the
        problem was drawn from one).
    """

    kind: Optional[str]
    model: BilinearModel
    Y: Optional[np.ndarray]
    X_star: Optional[np.ndarray]
    data_stream: Union[np.random.SeedSequence, np.random.Generator]
    start_stream: Union[np.random.SeedSequence, np.random.Generator]

    @property
    def A(self) -> np.ndarray:
        """The ground truth A (n x m, unit columns)."""
        return self.model.A

    def data_rng(self) -> np.random.Generator:
        """A Generator on the data stream, from its start (the one Y was drawn from).

        With a shared Generator, that Generator itself (its state moves on).
        """
        return _rng(self.data_stream)

    def start_rng(self) -> np.random.Generator:
        """A Generator on the start stream, from its start (one stream for all starts)."""
        return _rng(self.start_stream)

    def start_rngs(self, count: int) -> List[np.random.Generator]:
        """``count`` independent Generators: the start stream spawned into ``count`` children.

        The same children on every call (``start_stream.spawn(count)`` on a fresh
        sequence); one per start, so that a start does not depend on which others are drawn.

        Parameters
        ----------
        count : int
            Number of Generators, >= 0.

        Returns
        -------
        list of numpy.random.Generator
        """
        count = check_int("count", count, minimum=0)
        if isinstance(self.start_stream, np.random.Generator):
            raise ValueError("count: a problem drawn from one Generator has a single start stream; use start_rng()")
        return [np.random.default_rng(_child(self.start_stream, i)) for i in range(count)]


def draw_problem(factory: Callable[[np.random.Generator], BilinearModel], N: Optional[int], seed: SeedLike, *,
                 dtype=np.float64, data_seed: Optional[SeedLike] = None, kind: Optional[str] = None) -> Problem:
    """Draw a :class:`Problem` from a model factory (the seeding of the module docstring).

    Parameters
    ----------
    factory : callable
        ``factory(rng) -> BilinearModel`` (e.g. :func:`model_factory`,
        :func:`aelib.mixture_factory`).
    N : int or None
        Samples to draw (None: none; draw them later from :meth:`Problem.data_rng`).
    seed : int, sequence of int, SeedSequence or Generator
        Entropy of the problem's SeedSequence (see the module docstring).
    dtype : {numpy.float64, numpy.float32}, default float64
        dtype of Y.
    data_seed : int, sequence of int or SeedSequence, optional
        Entropy of a separate data stream (``seed`` then spawns only model and starts).
    kind : str, optional
        Recorded in :attr:`Problem.kind`.

    Returns
    -------
    Problem
    """
    if N is not None:
        N = check_int("N", N, minimum=1)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype: expected float32 or float64, got {np.dtype(dtype)}")
    stream = _as_seed("seed", seed)
    if data_seed is not None:
        data_stream = _as_seed("data_seed", data_seed)
        if isinstance(stream, np.random.Generator) or isinstance(data_stream, np.random.Generator):
            raise ValueError("data_seed: expected an integer entropy, with a seed that is not a Generator")
        model_stream, start_stream = _child(stream, 0), _child(stream, 1)
    elif isinstance(stream, np.random.Generator):
        model_stream = data_stream = start_stream = stream
    else:
        model_stream, data_stream, start_stream = (_child(stream, i) for i in range(3))
    model = factory(_rng(model_stream))
    Y = X_star = None
    if N is not None:
        Y, X_star = model.sample(N, rng=_rng(data_stream), dtype=np.dtype(dtype))
    return Problem(kind=kind, model=model, Y=Y, X_star=X_star, data_stream=data_stream, start_stream=start_stream)


def make_problem(kind: str, n: int, m: int, k: int, N: Optional[int], noise_std: float, seed: SeedLike, *,
                 dtype=np.float64, data_seed: Optional[SeedLike] = None, a1: Optional[float] = None,
                 a2: Optional[float] = None) -> Problem:
    """Draw A, a generative model on it and N samples: the setup of every experiment (Sec. 2.2, 6).

    A = :func:`aelib.random_dictionary` ``(n, m)`` from the model stream, the model
    ``make_model(kind, A, k=k, noise_std=noise_std, a1=a1, a2=a2)`` (Sec. 2.2: the
    Gaussian mixture of Sec. 6, k-sparse codes, non-negative k-sparse codes), and
    ``model.sample(N, dtype=dtype)`` from the data stream; the start stream is left
    for the starts (:meth:`Problem.start_rng`, :meth:`Problem.start_rngs`,
    :func:`make_start`). The streams are those of the module docstring.

    Parameters
    ----------
    kind : {"mixture", "sparse", "nonnegative"}
        The generative model (Sec. 2.2).
    n, m : int
        Dimension and number of atoms (784 and 10 in Sec. 6).
    k : int
        Nonzeros per code: 1 for the mixture, 1 <= k <= m otherwise.
    N : int or None
        Samples (None: draw none).
    noise_std : float
        sigma_eta >= 0.
    seed : int, sequence of int, SeedSequence or Generator
        Entropy of the problem's SeedSequence, e.g. ``(seed, n, m)``.
    dtype : {numpy.float64, numpy.float32}, default float64
        dtype of the samples ``Y``.
    data_seed : int, sequence of int or SeedSequence, optional
        A separate data stream (see the module docstring).
    a1, a2 : float, optional
        Code bounds of :func:`make_model`.

    Returns
    -------
    Problem

    Raises
    ------
    ValueError
        Naming the argument that is out of range or unknown.
    """
    factory = model_factory(kind, n, m, k, noise_std, a1=a1, a2=a2)
    return draw_problem(factory, N, seed, dtype=dtype, data_seed=data_seed, kind=kind)


def _perturbation_start(A: np.ndarray, Y: np.ndarray, rng: np.random.Generator, delta: float) -> np.ndarray:
    return perturbed_init(A, delta, rng=rng)


def _pca_start(A: np.ndarray, Y: np.ndarray, rng: np.random.Generator, delta: float) -> np.ndarray:
    return pca_init(Y, A.shape[1])


def _random_start(A: np.ndarray, Y: np.ndarray, rng: np.random.Generator, delta: float) -> np.ndarray:
    return random_init(A.shape[0], A.shape[1], rng=rng)


def _spectral_start(A: np.ndarray, Y: np.ndarray, rng: np.random.Generator, delta: float) -> np.ndarray:
    return spectral_init(Y, A.shape[1], rng=rng)


#: The starts W^0 by name, each ``start(A, Y, rng, delta) -> W0`` (use :func:`make_start`):
#: Sec. 6's (i) ``"perturbation"`` normalize(A + delta E), E_ij ~ N(0, 1/n)
#: (:func:`aelib.perturbed_init`), (ii) ``"pca"``, the top-m left singular vectors of Y
#: (:func:`aelib.pca_init`), (iii) ``"random"``, i.i.d. Gaussian columns, normalized
#: (:func:`aelib.random_init`), and Sec. 3's ``"spectral"`` start (:func:`aelib.spectral_init`,
#: which raises RuntimeError when it does not find m columns). Only the perturbation
#: reads A (beyond its shape) and ``delta``; only PCA and the spectral start read Y.
START_REGISTRY: Dict[str, Callable[[np.ndarray, np.ndarray, np.random.Generator, float], np.ndarray]] = {
    "perturbation": _perturbation_start,
    "pca": _pca_start,
    "random": _random_start,
    "spectral": _spectral_start,
}


def make_start(name: str, A: np.ndarray, Y: Optional[np.ndarray], rng: np.random.Generator, *,
               delta: float = 0.5) -> np.ndarray:
    """The start W^0 named ``name`` (:data:`START_REGISTRY`; Sec. 6's inits (i)-(iii), Sec. 3).

    Parameters
    ----------
    name : {"perturbation", "pca", "random", "spectral"}
        The start (Sec. 6 inits (i)-(iii), and the spectral start of Sec. 3).
    A : ndarray, shape (n, m)
        The ground truth (the random start reads only its shape).
    Y : ndarray, shape (n, N), or None
        The data (read by "pca" and "spectral" only).
    rng : numpy.random.Generator or int
        Draws the random part ("perturbation", "random", "spectral").
    delta : float, default 0.5
        Size of the perturbation (Sec. 6: 0.5).

    Returns
    -------
    ndarray, shape (n, m)
    """
    if name not in START_REGISTRY:
        raise ValueError(f"name: unknown start {name!r}; expected one of {tuple(START_REGISTRY)}")
    if name in ("pca", "spectral") and Y is None:
        raise ValueError(f"Y: the {name!r} start needs the data, got None")
    if name == "perturbation":
        delta = check_real("delta", delta, minimum=0.0)
    return START_REGISTRY[name](A, Y, rng, delta)
