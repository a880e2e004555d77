"""Code consistency (Thm. 1 and Thm. 3): does the encoder recover the signed support?

Theorem 3 says that when W is delta-close to A the encoder output
x = sigma(W^T y + b) has the support (or the signs) of the true code x* with high
probability. This module measures that on samples and states the bias intervals of
the theorem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ._checks import RngLike, as_rng, check_activation, check_int, check_matrix, check_real, check_same_shape, check_unit_columns
from .autoencoder import _validated, activate, encode
from .models import GaussianMixture, NonnegativeSparseCoding, coherence, random_dictionary

__all__ = [
    "RecoveryRates",
    "recovery_rates",
    "support_recovery_rate",
    "sign_recovery_rate",
    "relu_bias_interval",
    "mixture_bias_interval",
    "preactivation_split",
    "coherent_neighbours",
    "delta_close",
    "mixture_proof_bounds",
    "PhaseDiagram",
    "recovery_phase_diagram",
    "bias_intervals",
    "Theorem3Conditions",
    "theorem3_conditions",
    "UpperEndSpread",
    "mixture_upper_end_spread",
    "IntervalEndRates",
    "interval_end_rates",
]


@dataclass(frozen=True)
class RecoveryRates:
    """Fractions of samples whose code is recovered exactly.

    Attributes
    ----------
    support : float
        Fraction with supp(x) = supp(x*) (Thm. 3 (ii), (iii)).
    sign : float
        Fraction with sgn(x) = sgn(x*) (Thm. 3 (i)); never above ``support``.
    entry_support : float
        Fraction of individual entries (i, sample) with 1{x_i != 0} = 1{x*_i != 0}.
    """

    support: float
    sign: float
    entry_support: float


def _codes(X, X_star) -> Tuple[np.ndarray, np.ndarray]:
    return check_same_shape("X", X, "X_star", X_star)


def recovery_rates(X: np.ndarray, X_star: np.ndarray) -> RecoveryRates:
    """Support and sign recovery rates of codes X (m, N) against the truth X_star (m, N).

    The columns of W must already be matched to A (see :func:`aelib.align`).

    Parameters
    ----------
    X : ndarray, shape (m, N)
        Encoder codes, e.g. :func:`aelib.encode` (W, b, Y), with W's columns matched to A.
    X_star : ndarray, shape (m, N)
        True codes x* of the same samples (eq. (3)).

    Returns
    -------
    RecoveryRates
    """
    X, X_star = _codes(X, X_star)
    same_support = (X != 0) == (X_star != 0)
    same_sign = np.sign(X) == np.sign(X_star)
    return RecoveryRates(
        support=float(np.mean(np.all(same_support, axis=0))),
        sign=float(np.mean(np.all(same_sign, axis=0))),
        entry_support=float(np.mean(same_support)),
    )


def support_recovery_rate(X: np.ndarray, X_star: np.ndarray) -> float:
    """Fraction of samples with supp(x) = supp(x*) (Thm. 3 (ii), (iii)).

    Parameters
    ----------
    X : ndarray, shape (m, N)
        Encoder codes, e.g. :func:`aelib.encode` (W, b, Y), with W's columns matched to A.
    X_star : ndarray, shape (m, N)
        True codes x* of the same samples (eq. (3)).

    Returns
    -------
    float in [0, 1]
        :attr:`RecoveryRates.support` of :func:`recovery_rates`.
    """
    return recovery_rates(X, X_star).support


def sign_recovery_rate(X: np.ndarray, X_star: np.ndarray) -> float:
    """Fraction of samples with sgn(x) = sgn(x*) (Thm. 3 (i)).

    Parameters
    ----------
    X : ndarray, shape (m, N)
        Encoder codes, e.g. :func:`aelib.encode` (W, b, Y), with W's columns matched to A.
    X_star : ndarray, shape (m, N)
        True codes x* of the same samples (eq. (3)).

    Returns
    -------
    float in [0, 1]
        :attr:`RecoveryRates.sign` of :func:`recovery_rates`.
    """
    return recovery_rates(X, X_star).sign


def relu_bias_interval(delta: float, k: int, a1: float, a2: float) -> Tuple[float, float]:
    """The bias interval of Thm. 3 (ii): b_i in [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)].

    The interval is empty (lower > upper) when delta is too large for the given k,
    a1, a2; the theorem then promises nothing.

    Parameters
    ----------
    delta : float
        Closeness of W to A (Def. 2), delta >= 0.
    k : int
        Sparsity: nonzeros per code, k >= 1 (k = 1 for the Gaussian mixture).
    a1 : float
        Lower bound of the nonzero code values, a1 >= 0 (assumption A3).
    a2 : float
        Upper bound of the nonzero code values, a2 >= a1 (assumption A3).

    Returns
    -------
    (lower, upper) : tuple of float
    """
    delta = check_real("delta", delta, minimum=0.0)
    k = check_int("k", k, minimum=1)
    a1 = check_real("a1", a1, minimum=0.0)
    a2 = check_real("a2", a2, minimum=a1)
    spread = a2 * delta * np.sqrt(k)
    return (-(1.0 - delta) * a1 + spread, -spread)


def mixture_bias_interval(delta: float) -> Tuple[float, float]:
    """The bias range of the mixture proof of Thm. 3: -1 + delta < b_i <= -2 delta.

    (The proof needs b_i > -1 + delta for the true unit to fire and b_i <= -2 delta for
    the others to stay silent, up to the small terms mu/sqrt(n) and sigma_eta log n.)

    Parameters
    ----------
    delta : float
        Closeness of W to A (Def. 2), delta >= 0.

    Returns
    -------
    (lower, upper) : tuple of float
        (-1 + delta, -2 delta); empty (lower > upper) when delta > 1/3.
    """
    delta = check_real("delta", delta, minimum=0.0)
    return (-1.0 + delta, -2.0 * delta)


def preactivation_split(W: np.ndarray, b, Y: np.ndarray, X_star: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Split z = W^T y + b into entries on and off the true support.

    This is the quantity of the proof of Thm. 3: z_i for i in supp(x*) (the case
    i = j in the mixture proof) and for i not in supp(x*) (the case i != j). The
    encoder recovers the support of every sample exactly when a cut-off separates
    the two sets.

    Parameters
    ----------
    W : ndarray, shape (n, m)
        Shared weights, matched to A (pi = identity).
    b : float or ndarray, shape (m,)
        Encoder bias (a scalar is broadcast to every unit).
    Y : ndarray, shape (n, N)
        One sample per column.
    X_star : ndarray, shape (m, N)
        True codes x* of the samples (eq. (3)); only their support is used.

    Returns
    -------
    on_support, off_support : ndarray (1-D)
    """
    X_star = check_matrix("X_star", X_star)
    W, b, Y = _validated(W, b, Y)
    if X_star.shape != (W.shape[1], Y.shape[1]):
        raise ValueError(f"X_star: expected shape {(W.shape[1], Y.shape[1])}, got {X_star.shape}")
    Z = W.T @ Y + b[:, None]
    on = X_star != 0
    return Z[on], Z[~on]


# --- Chapter 4: measuring Theorem 3 -------------------------------------------------------


def coherent_neighbours(A: np.ndarray) -> np.ndarray:
    """For each column i of A, the other column j(i) with the largest inner product <A_i, A_j>.

    This is the column the worst-case :func:`delta_close` tilts W_i towards. The signed
    inner product is used, not its absolute value: the mixture proof of Thm. 3 is attacked
    by a large *positive* <W_i, A_j>, which makes unit i fire on samples of component j.
    Ties go to the smallest j.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        m >= 2 columns.

    Returns
    -------
    ndarray of int, shape (m,)
        j(i) != i for every i. A component j with j = j(i) for some i is a *target*:
        in the mixture, unit i fires on its samples once b > -<W_i, A_j>.
    """
    A = check_matrix("A", A, dtype=np.float64)
    if A.shape[1] < 2:
        raise ValueError(f"A: coherent neighbours need m >= 2 columns, got shape {A.shape}")
    G = A.T @ A
    np.fill_diagonal(G, -np.inf)
    return np.argmax(G, axis=0)


def delta_close(A: np.ndarray, delta: float, *, rng: RngLike, adversarial: bool = False) -> np.ndarray:
    """A matrix W with unit columns at distance exactly delta from A: ||W_i - A_i|| = delta (Def. 2).

    Each column is rotated away from A_i by the angle theta = 2 arcsin(delta / 2) in
    the plane of A_i and a unit direction u_i orthogonal to A_i:
    W_i = cos(theta) A_i + sin(theta) u_i.

    * ``adversarial=False``: u_i is a uniformly random direction orthogonal to A_i
      (a "typical" delta-close W; <W_i - A_i, A_j> is then of order delta / sqrt(n)).
    * ``adversarial=True``: u_i points towards the column A_j, j = j(i) of
      :func:`coherent_neighbours` (the other column with the largest <A_i, A_j>), the worst case of the mixture proof of Thm. 3 for ReLU (a large
      positive <W_i, A_j> makes unit i fire on samples of component j): with
      c = <A_i, A_j>, <W_i, A_j> = cos(theta) c + sin(theta) sqrt(1 - c^2), about
      c + delta, so the proof's bound <W_i, A_j> <= mu/sqrt(n) + delta is nearly
      attained when the most coherent pair has a positive inner product.

    W is returned already matched to A (pi = identity), so encoder outputs can be
    compared with X* column by column.

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Unit-norm columns, n >= 2 (m >= 2 when ``adversarial``).
    delta : float
        Column distance, 0 <= delta <= 2.
    rng : numpy.random.Generator or int
        Draws the random directions (unused when ``adversarial``).
    adversarial : bool
        Tilt each column towards its most coherent neighbour instead of a random direction.

    Returns
    -------
    ndarray, shape (n, m), float64
    """
    A = check_matrix("A", A, dtype=np.float64)
    check_unit_columns("A", A)
    delta = check_real("delta", delta, minimum=0.0, maximum=2.0)
    n, m = A.shape
    if n < 2:
        raise ValueError(f"A: delta_close needs n >= 2 rows, got shape {A.shape}")
    if adversarial:
        if m < 2:
            raise ValueError(f"A: the adversarial delta_close needs m >= 2 columns, got shape {A.shape}")
        target = A[:, coherent_neighbours(A)]
    else:
        target = as_rng(rng).standard_normal((n, m))
    U = target - A * np.sum(A * target, axis=0)  # remove the A_i component
    norms = np.linalg.norm(U, axis=0)
    if np.any(norms == 0):
        raise ValueError("A: a column is parallel to its neighbour; no direction orthogonal to it")
    U /= norms
    theta = 2.0 * np.arcsin(delta / 2.0)
    return np.cos(theta) * A + np.sin(theta) * U


def mixture_proof_bounds(A: np.ndarray, delta: float, b: float, noise_std: float) -> Tuple[float, float]:
    """The two bounds of the mixture proof of Thm. 3 on z = W^T y + b, for W delta-close to A.

    On the support (i = j): z_i >= (1 - delta^2/2) - sigma_eta log n + b_i.
    Off the support (i != j): z_i <= mu/sqrt(n) + delta + sigma_eta log n + b_i,
    with mu/sqrt(n) = max_{i != j} |<A_i, A_j>| (Def. 1). The term sigma_eta log n
    bounds |<W_i, eta>| with high probability; the rest is deterministic (Claim 1:
    <W_i, A_i> = 1 - ||W_i - A_i||^2 / 2; Claim 2: |<W_i, A_j>| <= mu/sqrt(n) + delta).

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Ground-truth dictionary (the means of the mixture), unit-norm columns.
    delta : float
        Closeness of W to A (Def. 2), delta >= 0.
    b : float
        Bias b_i (the same for every unit).
    noise_std : float
        Noise level sigma_eta >= 0 (assumption A4).

    Returns
    -------
    (on_lower, off_upper) : tuple of float
        Support recovery is certified when on_lower > 0 > off_upper (ReLU).
    """
    A = check_matrix("A", A)
    delta = check_real("delta", delta, minimum=0.0)
    b = check_real("b", b)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    n = A.shape[0]
    incoherence = coherence(A) / np.sqrt(n)
    noise = noise_std * np.log(n)
    return (1.0 - delta**2 / 2.0 - noise + b, incoherence + delta + noise + b)


@dataclass(frozen=True)
class PhaseDiagram:
    """Recovery rates of the encoder on a grid of closeness delta and bias b (Thm. 3).

    Attributes
    ----------
    deltas : ndarray, shape (D,)
        Column distances ||W_i - A_i|| of the grid (rows).
    biases : ndarray, shape (B,)
        Scalar biases b of the grid (columns).
    support, sign, entry_support : ndarray, shape (D, B)
        The fields of :class:`RecoveryRates` at each (delta, b).
    """

    deltas: np.ndarray
    biases: np.ndarray
    support: np.ndarray
    sign: np.ndarray
    entry_support: np.ndarray

    def bias_range(self, level: float = 0.99, *, rate: str = "support") -> Tuple[np.ndarray, np.ndarray]:
        """For each delta, the smallest and largest grid bias whose rate is >= ``level``.

        This is the measured counterpart of the bias interval of Thm. 3 (ii) (the
        grid points in between are not checked: the measured region is an interval
        in every case we draw). NaN where no bias reaches ``level``.

        Parameters
        ----------
        level : float, optional
            Rate in [0, 1] a bias must reach.
        rate : {"support", "sign", "entry_support"}
            Which field of the diagram to read.

        Returns
        -------
        (lower, upper) : ndarrays, shape (D,)
        """
        level = check_real("level", level, minimum=0.0, maximum=1.0)
        if rate not in ("support", "sign", "entry_support"):
            raise ValueError(f"rate: expected 'support', 'sign' or 'entry_support', got {rate!r}")
        ok = getattr(self, rate) >= level
        lower = np.where(ok.any(axis=1), np.where(ok, self.biases, np.inf).min(axis=1), np.nan)
        upper = np.where(ok.any(axis=1), np.where(ok, self.biases, -np.inf).max(axis=1), np.nan)
        return lower, upper


def recovery_phase_diagram(
    model,
    deltas: Sequence[float],
    biases: Sequence[float],
    *,
    activation: str = "relu",
    lam: Optional[float] = None,
    N: int,
    rng: RngLike,
    adversarial: bool = False,
) -> PhaseDiagram:
    """Support and sign recovery of x = sigma(W^T y + b) over a (delta, b) grid (Thm. 3).

    One batch of N samples (Y, X*) is drawn from ``model`` and shared by every grid
    point (common random numbers, so the rates vary smoothly). For each delta a
    W = :func:`delta_close` (A, delta) is drawn, already matched to A; for each b the
    codes x = :func:`aelib.encode` (W, b, Y) are compared with X* by
    :func:`recovery_rates`. One function serves the three cases of Thm. 3:

    * (i) ``SparseCoding``, ``activation="threshold"``, ``lam=a1/2``, ``biases=[0]``:
      read the ``sign`` rate;
    * (ii) ``NonnegativeSparseCoding`` or ``GaussianMixture``, ``activation="relu"``:
      read ``support`` against the interval :func:`relu_bias_interval`;
    * (iii) the same models, ``activation="threshold"``, ``lam=a1/2``, ``biases=[0]``.

    Parameters
    ----------
    model : BilinearModel
        The generative model of eq. (3) (``model.A`` is the ground truth).
    deltas : sequence of float
        Column distances ||W_i - A_i||, each in [0, 2].
    biases : sequence of float
        Scalar biases b (the same for every unit).
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    lam : float, optional
        Threshold for ``activation="threshold"``.
    N : int
        Samples per grid point (the same samples for all points).
    rng : numpy.random.Generator or int
        Draws the samples, then the directions of each W.
    adversarial : bool
        Use the worst-case W of :func:`delta_close`.

    Returns
    -------
    PhaseDiagram
    """
    lam = check_activation(activation, lam)
    deltas = np.array([check_real("deltas", d, minimum=0.0, maximum=2.0) for d in deltas], dtype=np.float64)
    biases = np.array([check_real("biases", b) for b in biases], dtype=np.float64)
    if deltas.size == 0 or biases.size == 0:
        raise ValueError("deltas, biases: expected at least one value each")
    N = check_int("N", N, minimum=1)
    rng = as_rng(rng)
    Y, X_star = model.sample(N, rng=rng)
    out = np.empty((3, deltas.size, biases.size))
    for d, delta in enumerate(deltas):
        W = delta_close(model.A, delta, rng=rng, adversarial=adversarial)
        out[:, d, :] = _rates_over_biases(W.T @ Y, biases, X_star, activation, lam)
    return PhaseDiagram(deltas=deltas, biases=biases, support=out[0], sign=out[1], entry_support=out[2])


def _rates_over_biases(Z: np.ndarray, biases: np.ndarray, X_star: np.ndarray, activation: str,
                       lam: Optional[float]) -> np.ndarray:
    """The fields of :func:`recovery_rates` (support, sign, entry support) of sigma(Z + b) for each b: shape (3, B).

    ``Z = W^T Y`` is computed once by the caller and shared by every bias; the rates are those of
    :func:`recovery_rates` (``activate(Z + b)``, X_star), inlined.
    """
    on = X_star != 0
    signs = np.sign(X_star)
    out = np.empty((3, len(biases)))
    for j, b in enumerate(biases):
        X = activate(Z + b, activation, lam)
        same_support = (X != 0) == on
        out[:, j] = (np.mean(np.all(same_support, axis=0)), np.mean(np.all(np.sign(X) == signs, axis=0)),
                     np.mean(same_support))
    return out


def bias_intervals(deltas: Sequence[float], *, k: int = 1, a1: float = 1.0, a2: float = 1.0,
                   rule: str = "theorem") -> Tuple[np.ndarray, np.ndarray]:
    """The bias interval of Thm. 3 (ii) along a grid of delta, NaN where it is empty (for plotting).

    Parameters
    ----------
    deltas : sequence of float
        Closeness values delta (Def. 2).
    k : int, optional
        Sparsity, as in :func:`relu_bias_interval` (``rule="theorem"`` only).
    a1, a2 : float, optional
        Bounds of the nonzero code values (assumption A3), as in :func:`relu_bias_interval`
        (``rule="theorem"`` only).
    rule : {"theorem", "mixture-proof"}
        ``"theorem"``: [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)] as stated in
        Thm. 3 (ii); ``"mixture-proof"``: (-1 + delta, -2 delta], the range the proof for the
        mixture uses (:func:`mixture_bias_interval`).

    Returns
    -------
    (lower, upper) : ndarrays, shape (len(deltas),)
    """
    if rule not in ("theorem", "mixture-proof"):
        raise ValueError(f"rule: expected 'theorem' or 'mixture-proof', got {rule!r}")
    pairs = [relu_bias_interval(d, k, a1, a2) if rule == "theorem" else mixture_bias_interval(d) for d in deltas]
    lower, upper = (np.array(v, dtype=np.float64) for v in zip(*pairs)) if pairs else (np.empty(0), np.empty(0))
    empty = lower > upper
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


# --- Chapter 4: the hypotheses of Theorem 3, and the ends of its bias interval inside them ---------


@dataclass(frozen=True)
class Theorem3Conditions:
    """Which hypotheses of Thm. 3 (ii) and (iii) hold for one (A, delta, k, sigma_eta), in our reading.

    The paper states one explicit inequality, mu <= delta sqrt(n) / k, and three order
    conditions without constants: delta = O*(1/log n), sigma_eta = O(1/sqrt(n)) and
    k = O(1/delta^2). A condition without a constant is not a number at a fixed n; our reading
    gives each the constant 1 (natural logarithm), as Chapters 1 and 3 do for the closeness.

    Attributes
    ----------
    incoherence : bool
        mu <= delta sqrt(n) / k (Def. 1's mu), up to a relative rounding of 1e-12.
    closeness : bool
        delta <= 1 / log n (our reading of delta = O*(1/log n)).
    noise : bool
        sigma_eta <= 1 / sqrt(n) (our reading of sigma_eta = O(1/sqrt(n))).
    sparsity : bool
        k <= 1 / delta^2 (our reading of k = O(1/delta^2)).
    interval : bool
        The bias interval of (ii), :func:`relu_bias_interval`, is non-empty.
    """

    incoherence: bool
    closeness: bool
    noise: bool
    sparsity: bool
    interval: bool

    @property
    def part_iii(self) -> bool:
        """All the hypotheses of Thm. 3 (iii) hold (the bias is 0, so the interval plays no part)."""
        return self.incoherence and self.closeness and self.noise and self.sparsity

    @property
    def part_ii(self) -> bool:
        """All the hypotheses of Thm. 3 (ii) hold, and its bias interval is non-empty."""
        return self.part_iii and self.interval


def theorem3_conditions(A: np.ndarray, delta: float, *, k: int = 1, a1: float = 1.0, a2: float = 1.0,
                        noise_std: float = 0.0) -> Theorem3Conditions:
    """Check the hypotheses of Thm. 3 (ii), (iii) for a dictionary A at closeness delta (our reading).

    Parameters
    ----------
    A : ndarray, shape (n, m)
        Ground-truth dictionary, unit-norm columns, m >= 2 (for its incoherence mu, Def. 1).
    delta : float
        Closeness of W to A (Def. 2), delta >= 0.
    k : int, optional
        Sparsity (k = 1 for the Gaussian mixture).
    a1, a2 : float, optional
        Range of the nonzero code values (assumption A3), for the interval of (ii).
    noise_std : float, optional
        Noise level sigma_eta >= 0.

    Returns
    -------
    Theorem3Conditions
    """
    A = check_matrix("A", A, dtype=np.float64)
    if A.shape[1] < 2:
        raise ValueError(f"A: the incoherence needs m >= 2 columns, got shape {A.shape}")
    delta = check_real("delta", delta, minimum=0.0)
    k = check_int("k", k, minimum=1)
    noise_std = check_real("noise_std", noise_std, minimum=0.0)
    lower, upper = relu_bias_interval(delta, k, a1, a2)
    n = A.shape[0]
    return Theorem3Conditions(
        incoherence=bool(k * coherence(A) <= delta * np.sqrt(n) * (1.0 + 1e-12)),
        closeness=bool(delta <= 1.0 / np.log(n)),
        noise=bool(noise_std <= 1.0 / np.sqrt(n)),
        sparsity=bool(k * delta**2 <= 1.0),
        interval=bool(lower <= upper),
    )


@dataclass(frozen=True)
class UpperEndSpread:
    """Support recovery of the worst-case W at the upper end b = -delta of Thm. 3 (ii) for the mixture, over dictionaries.

    One entry per dictionary A (seed d = 0, 1, ...). A component j is a *target* when some W_i is
    tilted towards it (:func:`coherent_neighbours`); at b = -delta the worst-case W misses the
    samples of every target and recovers the others, so ``rate`` is close to ``untargeted_share``.

    Attributes
    ----------
    coherence : ndarray, shape (D,)
        mu / sqrt(n) = max_{i != j} |<A_i, A_j>| of each dictionary (Def. 1).
    targets : ndarray of int, shape (D,)
        Number of targets among the m components.
    untargeted_share : ndarray, shape (D,)
        Share of the N samples drawn from components that are no target.
    rate : ndarray, shape (D,)
        Measured support recovery rate of ReLU(W^T y - delta), W the worst-case :func:`delta_close`.
    inside : ndarray of bool, shape (D,)
        Whether the hypotheses of Thm. 3 (ii) hold (:attr:`Theorem3Conditions.part_ii`).
    """

    coherence: np.ndarray
    targets: np.ndarray
    untargeted_share: np.ndarray
    rate: np.ndarray
    inside: np.ndarray


def mixture_upper_end_spread(n: int, m: int, delta: float, *, noise_std: float, N: int, dictionaries: int,
                             seed: int = 0) -> UpperEndSpread:
    """Measure the upper end -delta of Thm. 3 (ii) (k = 1, a1 = a2 = 1) for the worst-case W on many dictionaries.

    Dictionary d is ``random_dictionary(n, m, rng=d)`` (so d = 0 is the A of a chapter that draws
    it with seed 0); its N samples come from ``GaussianMixture(A, noise_std)`` with the generator
    ``default_rng([seed, d])``. W is the worst-case :func:`delta_close` (A, delta), and the bias the
    upper end of :func:`relu_bias_interval` (delta, 1, 1, 1), that is b = -delta.

    Parameters
    ----------
    n, m : int
        Dimension and number of mixture components, m >= 2.
    delta : float
        Closeness of W to A (Def. 2), 0 <= delta <= 2.
    noise_std : float
        sigma_eta >= 0.
    N : int
        Samples per dictionary.
    dictionaries : int
        Number of dictionaries D >= 1.
    seed : int, optional
        Seed of the samples (the dictionaries are seeded 0, ..., D - 1).

    Returns
    -------
    UpperEndSpread
    """
    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=2)
    delta = check_real("delta", delta, minimum=0.0, maximum=2.0)
    N = check_int("N", N, minimum=1)
    dictionaries = check_int("dictionaries", dictionaries, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    upper = relu_bias_interval(delta, 1, 1.0, 1.0)[1]
    fields = {name: [] for name in ("coherence", "targets", "untargeted_share", "rate", "inside")}
    for d in range(dictionaries):
        A = random_dictionary(n, m, rng=d)
        model = GaussianMixture(A, noise_std=noise_std)
        Y, X_star = model.sample(N, rng=np.random.default_rng([seed, d]))
        W = delta_close(A, delta, rng=0, adversarial=True)  # deterministic: rng unused
        targets = np.unique(coherent_neighbours(A))
        fields["coherence"].append(coherence(A) / np.sqrt(n))
        fields["targets"].append(targets.size)
        fields["untargeted_share"].append(np.mean(~np.isin(X_star.argmax(axis=0), targets)))
        fields["rate"].append(support_recovery_rate(encode(W, upper, Y), X_star))
        fields["inside"].append(theorem3_conditions(A, delta, noise_std=noise_std).part_ii)
    return UpperEndSpread(**{name: np.array(values) for name, values in fields.items()})


@dataclass(frozen=True)
class IntervalEndRates:
    """Support recovery at three biases of Thm. 3 (ii) for one (k, dictionary, delta) inside the hypotheses.

    Attributes
    ----------
    k : int
        Sparsity.
    dictionary : int
        Seed d of the dictionary, ``random_dictionary(n, m, rng=d)``.
    coherence : float
        mu / sqrt(n) of that dictionary.
    position : float
        Where delta lies in the range of delta inside the hypotheses: 0 at its smallest value
        k mu / sqrt(n), 1 at its largest.
    delta : float
        Closeness of W to A.
    worst, typical : tuple of float
        Support recovery rates of the worst-case and of a typical :func:`delta_close` W at four
        biases: the stated upper end -a2 delta sqrt(k); its double -2 a2 delta sqrt(k) (for k = 1
        the upper end -2 delta of the mixture proof); the conjectured upper end
        -2 a2 delta sqrt(k) - sigma_eta log n (Chapter 4's conjecture, not the paper's); and the
        lower end -(1 - delta) a1 + a2 delta sqrt(k).
    """

    k: int
    dictionary: int
    coherence: float
    position: float
    delta: float
    worst: Tuple[float, float, float, float]
    typical: Tuple[float, float, float, float]


def interval_end_rates(n: int, m: int, ks: Sequence[int], *, a1: float = 1.0, a2: float = 1.0, noise_std: float,
                       N: int, dictionaries: int, positions: Sequence[float] = (0.0, 0.5, 1.0),
                       seed: int = 0) -> Tuple[IntervalEndRates, ...]:
    """Support recovery at the ends of the bias interval of Thm. 3 (ii), measured inside its hypotheses.

    For each dictionary d (``random_dictionary(n, m, rng=d)``) and sparsity k, the hypotheses of
    :func:`theorem3_conditions` hold exactly for delta in [k mu/sqrt(n), delta_max], with
    delta_max = min(1/log n, 1/sqrt(k), a1/(a1 + 2 a2 sqrt(k))) (closeness, sparsity, non-empty
    interval), provided sigma_eta <= 1/sqrt(n). Where that range is non-empty, N samples of
    ``NonnegativeSparseCoding(A, k, a1, a2, noise_std)`` are drawn (generator
    ``default_rng([seed, d, k])``) and, at each delta of ``positions`` along the range, a worst-case
    and a typical :func:`delta_close` W encode them with the ReLU at four biases (see
    :class:`IntervalEndRates`). Where it is empty, (k, d) gives no record.

    Parameters
    ----------
    n, m : int
        Dimension and number of atoms, m >= 2.
    ks : sequence of int
        Sparsities, 1 <= k <= m.
    a1, a2 : float, optional
        Range of the nonzero code values, 0 < a1 <= a2 (a1 = a2 = 1: binary codes).
    noise_std : float
        sigma_eta, at most 1/sqrt(n) (else no delta is inside the hypotheses).
    N : int
        Samples per (k, dictionary).
    dictionaries : int
        Number of dictionaries D >= 1, seeded 0, ..., D - 1.
    positions : sequence of float, optional
        Positions in [0, 1] along the range of delta inside the hypotheses.
    seed : int, optional
        Seed of the samples and of the typical W.

    Returns
    -------
    tuple of IntervalEndRates
        Ordered by k, then dictionary, then position.
    """
    n = check_int("n", n, minimum=2)
    m = check_int("m", m, minimum=2)
    ks = [check_int("ks", k, minimum=1, maximum=m) for k in ks]
    a1 = check_real("a1", a1, minimum=0.0, strict_min=True)
    a2 = check_real("a2", a2, minimum=a1)
    noise_std = check_real("noise_std", noise_std, minimum=0.0, maximum=1.0 / np.sqrt(n))
    N = check_int("N", N, minimum=1)
    dictionaries = check_int("dictionaries", dictionaries, minimum=1)
    positions = [check_real("positions", p, minimum=0.0, maximum=1.0) for p in positions]
    seed = check_int("seed", seed, minimum=0)
    if not ks or not positions:
        raise ValueError("ks, positions: expected at least one value each")
    records = []
    for k in ks:
        for d in range(dictionaries):
            A = random_dictionary(n, m, rng=d)
            incoherence = coherence(A) / np.sqrt(n)
            lowest = k * incoherence
            highest = min(1.0 / np.log(n), 1.0 / np.sqrt(k), a1 / (a1 + 2.0 * a2 * np.sqrt(k)))
            if lowest > highest:
                continue
            rng = np.random.default_rng([seed, d, k])
            Y, X_star = NonnegativeSparseCoding(A, k=k, a1=a1, a2=a2, noise_std=noise_std).sample(N, rng=rng)
            for p in positions:
                delta = highest if p == 1.0 else lowest + p * (highest - lowest)  # the ends exactly, no rounding
                lower, stated = relu_bias_interval(delta, k, a1, a2)
                doubled = -2.0 * a2 * delta * np.sqrt(k)
                biases = np.array([stated, doubled, doubled - noise_std * np.log(n), lower])
                rates = {}
                for adversarial in (True, False):
                    W = delta_close(A, delta, rng=rng, adversarial=adversarial)
                    support = _rates_over_biases(W.T @ Y, biases, X_star, "relu", None)[0]
                    rates[adversarial] = tuple(float(r) for r in support)
                records.append(IntervalEndRates(k=k, dictionary=d, coherence=float(incoherence), position=p,
                                                delta=float(delta), worst=rates[True], typical=rates[False]))
    return tuple(records)
