"""Tests of aelib.consistency: recovery rates and the bias intervals of Thm. 3."""

from __future__ import annotations

import numpy as np
import pytest

import aelib


def test_recovery_rates_on_hand_made_codes():
    """support_recovery_rate and sign_recovery_rate return fields of recovery_rates: the same computation, exact."""
    X_star = np.array(
        [
            [1.0, 0.0, -2.0, 0.0],
            [0.0, 3.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 1.0],
        ]
    )
    X = np.array(
        [
            [0.5, 0.0, 2.0, 0.0],  # sample 2: right support, wrong sign in row 0
            [0.0, 0.1, 0.0, 0.2],  # sample 3: an extra nonzero
            [0.0, 0.0, 4.0, 1.0],
        ]
    )
    r = aelib.recovery_rates(X, X_star)
    assert r.support == pytest.approx(3 / 4)  # samples 0, 1, 2
    assert r.sign == pytest.approx(2 / 4)  # samples 0, 1
    assert r.entry_support == pytest.approx(11 / 12)  # only entry (1, 3) disagrees
    assert aelib.support_recovery_rate(X, X_star) == r.support
    assert aelib.sign_recovery_rate(X, X_star) == r.sign
    assert r.sign <= r.support


def test_recovery_rates_perfect_and_none():
    X_star = np.eye(3)
    assert aelib.recovery_rates(2 * X_star, X_star) == aelib.RecoveryRates(1.0, 1.0, 1.0)
    r = aelib.recovery_rates(1.0 - X_star, X_star)
    assert r.support == 0.0 and r.sign == 0.0 and r.entry_support == 0.0
    r = aelib.recovery_rates(-X_star, X_star)
    assert r.support == 1.0 and r.sign == 0.0


def test_relu_bias_interval_formula():
    # Thm. 3 (ii): [-(1 - delta) a1 + a2 delta sqrt(k), -a2 delta sqrt(k)]
    lo, hi = aelib.relu_bias_interval(0.1, 4, 0.5, 2.0)
    assert lo == pytest.approx(-(0.9) * 0.5 + 2.0 * 0.1 * 2.0)
    assert hi == pytest.approx(-2.0 * 0.1 * 2.0)
    lo, hi = aelib.relu_bias_interval(0.0, 1, 1.0, 1.0)
    assert (lo, hi) == (-1.0, 0.0)
    lo, hi = aelib.relu_bias_interval(0.5, 9, 1.0, 1.0)
    assert lo > hi  # empty: the theorem promises nothing at this delta
    # for the mixture (k = 1, a1 = a2 = 1) the lower end is -1 + 2 delta
    assert aelib.relu_bias_interval(0.2, 1, 1.0, 1.0) == pytest.approx((-0.6, -0.2))


def test_mixture_bias_interval_formula():
    assert aelib.mixture_bias_interval(0.1) == pytest.approx((-0.9, -0.2))
    assert aelib.mixture_bias_interval(0.0) == (-1.0, 0.0)
    lo, hi = aelib.mixture_bias_interval(0.4)
    assert lo == pytest.approx(-0.6) and hi == pytest.approx(-0.8) and lo > hi


def test_preactivation_split():
    W = np.eye(3)
    Y = np.array([[1.0, 0.2], [0.3, 2.0], [0.1, 0.4]])
    X_star = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = np.array([-0.1, -0.2, -0.3])
    on, off = aelib.preactivation_split(W, b, Y, X_star)
    Z = Y + b[:, None]
    np.testing.assert_allclose(np.sort(on), np.sort([Z[0, 0], Z[1, 1]]))
    np.testing.assert_allclose(np.sort(off), np.sort([Z[1, 0], Z[2, 0], Z[0, 1], Z[2, 1]]))
    assert on.size + off.size == Z.size


def test_preactivation_split_separates_on_a_consistent_mixture(mixture):
    on, off = aelib.preactivation_split(mixture.A, -0.5, mixture.Y, mixture.X_star)
    assert on.size == mixture.Y.shape[1]  # one true unit per sample
    assert on.min() > 0 > off.max()


@pytest.mark.parametrize("activation,lam", [("relu", None), ("threshold", 0.5)])
def test_mixture_support_recovered_with_W_equal_A(mixture, activation, lam):
    # Thm. 3 for the mixture: W = A (delta = 0), small noise, b inside (-1 + delta, -2 delta]
    # for ReLU, b = 0 with threshold 1/2: every support is recovered.
    A, Y, X_star = mixture.A, mixture.Y, mixture.X_star
    if activation == "relu":
        lo, hi = aelib.mixture_bias_interval(0.0)
        b = -0.5
        assert lo < b <= hi
    else:
        b = 0.0
    X = aelib.encode(A, b, Y, activation=activation, lam=lam)
    rates = aelib.recovery_rates(X, X_star)
    assert rates.support == 1.0 and rates.sign == 1.0


def test_relu_without_bias_loses_consistency(mixture):
    # The interval matters: with b = 0 every unit whose column correlates positively with
    # the true centre also fires, so the support is wrong on many samples.
    X = aelib.encode(mixture.A, 0.0, mixture.Y)
    assert aelib.support_recovery_rate(X, mixture.X_star) < 0.5


def test_consistency_from_a_perturbed_start(mixture):
    W, A = mixture.W0, mixture.A
    delta = aelib.column_distances(W, A).max()
    lo, hi = aelib.mixture_bias_interval(delta)
    assert lo < hi
    X = aelib.encode(W, (lo + hi) / 2, mixture.Y)
    assert aelib.support_recovery_rate(X, mixture.X_star) == 1.0


# ----------------------------------------------------------------------------------------------
# Tests of the Chapter 4 additions to aelib.consistency: delta-close W, proof bounds, phase diagrams.
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def A():
    return aelib.random_dictionary(120, 6, rng=3)


@pytest.mark.parametrize("adversarial", [False, True])
@pytest.mark.parametrize("delta", [0.0, 0.1, 0.7, 2.0])
def test_delta_close_is_exactly_delta_close(A, delta, adversarial):
    W = aelib.delta_close(A, delta, rng=0, adversarial=adversarial)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(W - A, axis=0), delta, atol=1e-12)
    assert aelib.is_close(W, A, delta + 1e-6)  # is_close's distances carry ~1e-8 rounding


def test_adversarial_delta_close_attains_the_proof_bound(A):
    delta = 0.2
    W = aelib.delta_close(A, delta, rng=0, adversarial=True)
    G = A.T @ A
    np.fill_diagonal(G, -np.inf)
    neighbour = G.argmax(axis=0)  # the column most correlated with A_i
    towards = np.sum(W * A[:, neighbour], axis=0)  # <W_i, A_neighbour(i)>
    c = G.max(axis=0)
    theta = 2 * np.arcsin(delta / 2)
    np.testing.assert_allclose(towards, np.cos(theta) * c + np.sin(theta) * np.sqrt(1 - c**2), atol=1e-12)
    bound = aelib.coherence(A) / np.sqrt(A.shape[0]) + delta
    assert np.all(towards <= bound + 1e-12)
    # nearly attained, up to the curvature of the sphere, for the most positively correlated pair
    assert towards.max() > c.max() + delta - 0.01
    typical = aelib.delta_close(A, delta, rng=0)
    off = typical.T @ A
    np.fill_diagonal(off, 0.0)
    assert np.abs(off).max() < towards.max()


def test_delta_close_validates(A):
    with pytest.raises(ValueError, match="delta"):
        aelib.delta_close(A, 2.5, rng=0)
    with pytest.raises(ValueError, match="m >= 2"):
        aelib.delta_close(A[:, :1], 0.1, rng=0, adversarial=True)


def test_coherent_neighbours_brute_force():
    """Indices (integers), and the input against its copy: exact."""
    A = aelib.random_dictionary(50, 7, rng=11)
    A_before = A.copy()
    j = aelib.coherent_neighbours(A)
    for i in range(7):
        others = [l for l in range(7) if l != i]
        assert j[i] == max(others, key=lambda l: A[:, i] @ A[:, l])  # signed, not |.|
    np.testing.assert_array_equal(A, A_before)
    # the signed maximum differs from the absolute one when the most coherent pair is negative
    B = np.array([[1.0, -0.9, 0.3], [0.0, np.sqrt(1 - 0.81), 0.0], [0.0, 0.0, np.sqrt(1 - 0.09)]])
    assert aelib.coherent_neighbours(B)[0] == 2


def test_coherent_neighbours_validates():
    with pytest.raises(ValueError, match="m >= 2"):
        aelib.coherent_neighbours(np.ones((4, 1)) / 2)
    with pytest.raises(ValueError, match="A"):
        aelib.coherent_neighbours(np.full((3, 2), np.nan))


def test_worst_case_upper_end_fails_exactly_on_the_targets():
    """Chapter 4's mechanism: at b = -delta a worst-case W misses the samples of every target."""
    A = aelib.random_dictionary(400, 10, rng=5)
    Y, X = aelib.GaussianMixture(A, noise_std=0.001).sample(3000, rng=6)
    delta = 0.15
    W = aelib.delta_close(A, delta, rng=0, adversarial=True)
    recovered = np.all((aelib.encode(W, -delta, Y) != 0) == (X != 0), axis=0)
    component = X.argmax(axis=0)
    targets = np.unique(aelib.coherent_neighbours(A))
    assert 1 <= targets.size < 10
    np.testing.assert_array_equal(recovered, ~np.isin(component, targets))


def test_mixture_proof_bounds_formula(A):
    lo, up = aelib.mixture_proof_bounds(A, 0.1, -0.2, 0.01)
    n = A.shape[0]
    assert lo == pytest.approx(1 - 0.005 - 0.01 * np.log(n) - 0.2)
    assert up == pytest.approx(aelib.coherence(A) / np.sqrt(n) + 0.1 + 0.01 * np.log(n) - 0.2)


def test_mixture_proof_bounds_hold_on_samples(A):
    model = aelib.GaussianMixture(A, noise_std=0.01)
    Y, X = model.sample(2000, rng=1)
    for adversarial in (False, True):
        W = aelib.delta_close(A, 0.15, rng=2, adversarial=adversarial)
        on, off = aelib.preactivation_split(W, -0.3, Y, X)
        lo, up = aelib.mixture_proof_bounds(A, 0.15, -0.3, 0.01)
        assert on.min() >= lo and off.max() <= up


def test_phase_diagram_shapes_and_extremes(A):
    """Rates at the extremes are counts over N (0 or 1 exactly), and the bias range is a grid value: exact."""
    model = aelib.GaussianMixture(A, noise_std=0.0)
    pd = aelib.recovery_phase_diagram(model, [0.0, 0.1, 0.3], [-2.0, -0.5, 0.0, 0.5], N=500, rng=0)
    assert pd.support.shape == pd.sign.shape == pd.entry_support.shape == (3, 4)
    np.testing.assert_array_equal(pd.support[:, 0], 0.0)  # b = -2 silences every unit
    np.testing.assert_array_equal(pd.support[:, 1], 1.0)  # b = -1/2 inside the proof's interval
    np.testing.assert_array_equal(pd.support[:, 3], 0.0)  # b = +1/2 lets every unit fire
    assert np.all(pd.sign <= pd.support + 1e-12)
    lower, upper = pd.bias_range(0.99)
    np.testing.assert_array_equal(lower, -0.5)
    assert np.all(upper <= 0.0)


def test_phase_diagram_matches_encode(A):
    """The same computation: the diagram inlines recovery_rates(encode(W, b, Y)) with the same product W^T Y plus b
    on the same draws, so the rates (counts over N) are bit-identical.
    """
    model = aelib.SparseCoding(A, k=2, noise_std=0.01)
    pd = aelib.recovery_phase_diagram(model, [0.2], [0.0], activation="threshold", lam=0.5, N=400, rng=7)
    # redo by hand with the same draws: samples first, then the direction of W
    rng = np.random.default_rng(7)
    Y, X = model.sample(400, rng=rng)
    W = aelib.delta_close(A, 0.2, rng=rng)
    r = aelib.recovery_rates(aelib.encode(W, 0.0, Y, activation="threshold", lam=0.5), X)
    assert (pd.support[0, 0], pd.sign[0, 0], pd.entry_support[0, 0]) == (r.support, r.sign, r.entry_support)


def test_phase_diagram_bias_range_nan_when_nothing_recovers(A):
    model = aelib.GaussianMixture(A, noise_std=0.0)
    pd = aelib.recovery_phase_diagram(model, [0.1], [1.0, 2.0], N=100, rng=0)
    lower, upper = pd.bias_range()
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    with pytest.raises(ValueError, match="rate"):
        pd.bias_range(rate="accuracy")


def test_phase_diagram_validates(A):
    model = aelib.GaussianMixture(A, noise_std=0.0)
    with pytest.raises(ValueError, match="lam"):
        aelib.recovery_phase_diagram(model, [0.1], [0.0], activation="threshold", N=10, rng=0)
    with pytest.raises(ValueError, match="deltas"):
        aelib.recovery_phase_diagram(model, [], [0.0], N=10, rng=0)


def test_bias_intervals_match_the_scalar_functions_and_mark_empty():
    """bias_intervals calls relu_bias_interval for each delta: the same computation, bit-identical."""
    deltas = [0.0, 0.1, 0.2, 0.5]
    lower, upper = aelib.bias_intervals(deltas, k=3, a1=1.0, a2=2.0)
    for d, lo, up in zip(deltas, lower, upper):
        a, b = aelib.relu_bias_interval(d, 3, 1.0, 2.0)
        if a <= b:
            assert (lo, up) == (a, b)
        else:
            assert np.isnan(lo) and np.isnan(up)
    assert np.isnan(lower[-1])  # empty for large delta
    lower, upper = aelib.bias_intervals(deltas, rule="mixture-proof")
    np.testing.assert_allclose(lower[:3], [-1.0, -0.9, -0.8])
    np.testing.assert_allclose(upper[:3], [0.0, -0.2, -0.4])
    assert np.isnan(upper[-1])  # -1 + 0.5 > -1
    with pytest.raises(ValueError, match="rule"):
        aelib.bias_intervals(deltas, rule="paper")


# ----------------------------------------------------------------------------------------------
# The hypotheses of Thm. 3 (our reading), and the ends of its bias interval measured inside them.
# ----------------------------------------------------------------------------------------------


def _two_columns(n, c):
    """A (n, 2) dictionary whose two unit columns have inner product c, so mu = sqrt(n) |c|."""
    A = np.zeros((n, 2))
    A[0, 0] = 1.0
    A[0, 1], A[1, 1] = c, np.sqrt(1 - c**2)
    return A


def test_theorem3_conditions_each_hypothesis():
    A = _two_columns(100, 0.05)  # mu / sqrt(n) = 0.05, 1/log n = 0.217, 1/sqrt(n) = 0.1
    inside = aelib.theorem3_conditions(A, 0.1, k=2, noise_std=0.1)
    assert inside == aelib.Theorem3Conditions(True, True, True, True, True)
    assert inside.part_ii and inside.part_iii
    assert aelib.theorem3_conditions(A, 0.05, noise_std=0.0).incoherence  # the edge mu = delta sqrt(n) is inside
    assert not aelib.theorem3_conditions(A, 0.049, noise_std=0.0).incoherence
    assert not aelib.theorem3_conditions(A, 0.09, k=2).incoherence  # mu <= delta sqrt(n) / k with k = 2
    assert not aelib.theorem3_conditions(A, 0.22).closeness
    assert not aelib.theorem3_conditions(A, 0.1, noise_std=0.11).noise
    assert aelib.theorem3_conditions(A, 0.25, k=16).sparsity is True  # k delta^2 = 1 exactly
    assert not aelib.theorem3_conditions(A, 0.26, k=16).sparsity
    # an empty interval fails (ii) only: with a1 = 1, a2 = 2, k = 1 it is empty for delta > 1/5
    assert aelib.theorem3_conditions(A, 0.2, k=1, a1=1.0, a2=2.0).interval
    c = aelib.theorem3_conditions(A, 0.21, k=1, a1=1.0, a2=2.0)
    assert not c.interval and c.part_iii and not c.part_ii


def test_theorem3_conditions_validates():
    with pytest.raises(ValueError, match="m >= 2"):
        aelib.theorem3_conditions(np.eye(3)[:, :1], 0.1)
    with pytest.raises(ValueError, match="delta"):
        aelib.theorem3_conditions(np.eye(3), -0.1)
    with pytest.raises(ValueError, match="noise_std"):
        aelib.theorem3_conditions(np.eye(3), 0.1, noise_std=-1.0)


def test_mixture_upper_end_spread_matches_a_hand_computation():
    """The same computation as by hand on the same draws: rates and shares are counts over N, bit-identical."""
    spread = aelib.mixture_upper_end_spread(300, 6, 0.15, noise_std=0.005, N=400, dictionaries=4, seed=9)
    assert all(v.shape == (4,) for v in (spread.coherence, spread.targets, spread.untargeted_share, spread.rate,
                                         spread.inside))
    for d in range(4):
        A = aelib.random_dictionary(300, 6, rng=d)
        Y, X = aelib.GaussianMixture(A, noise_std=0.005).sample(400, rng=np.random.default_rng([9, d]))
        W = aelib.delta_close(A, 0.15, rng=0, adversarial=True)
        assert spread.rate[d] == aelib.support_recovery_rate(aelib.encode(W, -0.15, Y), X)
        targets = np.unique(aelib.coherent_neighbours(A))
        assert spread.targets[d] == targets.size
        assert spread.untargeted_share[d] == np.mean(~np.isin(X.argmax(axis=0), targets))
        assert spread.coherence[d] == aelib.coherence(A) / np.sqrt(300)
        assert spread.inside[d] == aelib.theorem3_conditions(A, 0.15, noise_std=0.005).part_ii


def test_mixture_upper_end_spread_the_share_predicts_the_rate():
    """Chapter 4's mechanism on many dictionaries: at b = -delta the worst case recovers the untargeted samples."""
    spread = aelib.mixture_upper_end_spread(1000, 8, 0.14, noise_std=0.001, N=500, dictionaries=12)
    inside = spread.inside
    assert inside.sum() >= 8 and np.all(spread.coherence[inside] <= 0.14)
    assert np.all((spread.targets >= 1) & (spread.targets <= 7))
    assert np.median(np.abs(spread.rate - spread.untargeted_share)[inside]) < 0.01
    assert spread.rate[inside].max() < 0.9  # the stated upper end never recovers the support


def test_mixture_upper_end_spread_validates():
    with pytest.raises(ValueError, match="dictionaries"):
        aelib.mixture_upper_end_spread(50, 4, 0.1, noise_std=0.0, N=10, dictionaries=0)
    with pytest.raises(ValueError, match="m"):
        aelib.mixture_upper_end_spread(50, 1, 0.1, noise_std=0.0, N=10, dictionaries=1)


@pytest.fixture(scope="module")
def ends():
    return aelib.interval_end_rates(2048, 6, [1, 2], noise_std=0.01, N=300, dictionaries=2, seed=4)


def test_interval_end_rates_lie_inside_the_hypotheses(ends):
    n = 2048
    assert [(r.k, r.dictionary, r.position) for r in ends] == [
        (k, d, p) for k in (1, 2) for d in (0, 1) for p in (0.0, 0.5, 1.0)]
    for r in ends:
        A = aelib.random_dictionary(n, 6, rng=r.dictionary)
        assert aelib.theorem3_conditions(A, r.delta, k=r.k, noise_std=0.01).part_ii
        assert r.coherence == aelib.coherence(A) / np.sqrt(n)
        if r.position == 0.0:
            assert r.delta == pytest.approx(r.k * r.coherence, rel=1e-12)
        if r.position == 1.0:
            assert r.delta == min(1 / np.log(n), 1 / np.sqrt(r.k), 1 / (1 + 2 * np.sqrt(r.k)))
    # the lower end recovers every support; the stated upper end for k = 1 fails for the worst-case W
    assert all(r.worst[3] == 1.0 and r.typical[3] == 1.0 for r in ends)
    assert all(r.worst[0] < 0.9 for r in ends if r.k == 1)
    assert all(len(r.worst) == len(r.typical) == 4 for r in ends)


def test_interval_end_rates_match_a_hand_computation():
    """The same computation by hand on the same draws (rates are counts over N): bit-identical."""
    (r,) = aelib.interval_end_rates(2048, 6, [2], noise_std=0.01, N=300, dictionaries=1, positions=[0.5], seed=4)
    A = aelib.random_dictionary(2048, 6, rng=0)
    rng = np.random.default_rng([4, 0, 2])
    Y, X = aelib.NonnegativeSparseCoding(A, k=2, a1=1.0, a2=1.0, noise_std=0.01).sample(300, rng=rng)
    lower, stated = aelib.relu_bias_interval(r.delta, 2, 1.0, 1.0)
    doubled = -2 * r.delta * np.sqrt(2)
    for adversarial, rates in ((True, r.worst), (False, r.typical)):  # the worst case draws nothing from rng
        W = aelib.delta_close(A, r.delta, rng=rng, adversarial=adversarial)
        for b, rate in zip((stated, doubled, doubled - 0.01 * np.log(2048), lower), rates, strict=True):
            assert rate == aelib.support_recovery_rate(aelib.encode(W, b, Y), X)


def test_interval_end_rates_skip_and_validate():
    # m = 6 at n = 64: k mu / sqrt(n) is above 1/log n for k = 3, so no record
    assert aelib.interval_end_rates(64, 6, [3], noise_std=0.0, N=10, dictionaries=2) == ()
    with pytest.raises(ValueError, match="noise_std"):
        aelib.interval_end_rates(100, 4, [1], noise_std=0.2, N=10, dictionaries=1)
    with pytest.raises(ValueError, match="ks"):
        aelib.interval_end_rates(100, 4, [5], noise_std=0.0, N=10, dictionaries=1)
    with pytest.raises(ValueError, match="positions"):
        aelib.interval_end_rates(100, 4, [1], noise_std=0.0, N=10, dictionaries=1, positions=[1.5])
