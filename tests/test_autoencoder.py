"""Tests of aelib.autoencoder: activations, encode/decode/loss and the gradients of eq. (4).

The gradients are checked against central finite differences of :func:`aelib.loss`, an
independent computation (it forms the residual and knows nothing about eq. (4)).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import aelib

EPS = 1e-6  # finite-difference step
MARGIN = 1e-3  # no pre-activation within this distance of a kink


def central_difference(f, x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f / d x by central differences, entry by entry (x is not modified)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xm = x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        grad[idx] = (f(xp) - f(xm)) / (2 * eps)
    return grad


def preactivation(W, b, Y):
    return W.T @ Y + np.broadcast_to(b, (W.shape[1],))[:, None]


def kink_distance(Z, activation, lam):
    """Distance of the pre-activations to the points where sigma is not smooth."""
    if activation == "relu":
        return float(np.min(np.abs(Z)))
    return float(min(np.min(np.abs(np.abs(Z) - lam)), np.min(np.abs(Z))))


def problem(seed, n=12, m=4, N=30, bias_scale=0.3):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, m)) / np.sqrt(n)
    Y = rng.standard_normal((n, N))
    b = bias_scale * rng.standard_normal(m)
    return W, b, Y


def smooth_problem(activation, lam, *, start_seed=0, **kwargs):
    """The first seeded problem whose pre-activations are all MARGIN away from the kinks."""
    for seed in range(start_seed, start_seed + 200):
        W, b, Y = problem(seed, **kwargs)
        if kink_distance(preactivation(W, b, Y), activation, lam) > MARGIN:
            return W, b, Y
    raise AssertionError("no smooth problem found")  # pragma: no cover


ACTIVATIONS = [("relu", None), ("threshold", 0.5)]


# --- activations, encode, decode, loss ---------------------------------------------


def test_relu_and_hard_threshold_values():
    """Exact values: max(z, 0) and masking round nothing; activate calls relu and hard_threshold
    themselves (the same computation).
    """
    z = np.array([-2.0, -0.5, 0.0, 0.3, 0.5, 0.7, 2.0])
    np.testing.assert_array_equal(aelib.relu(z), [0, 0, 0, 0.3, 0.5, 0.7, 2.0])
    # threshold_lam(z) = z 1{|z| > lam}: |z| = lam itself is cut, negatives beyond lam kept.
    np.testing.assert_array_equal(aelib.hard_threshold(z, 0.5), [-2.0, 0, 0, 0, 0, 0.7, 2.0])
    np.testing.assert_array_equal(aelib.activate(z, "relu"), aelib.relu(z))
    np.testing.assert_array_equal(aelib.activate(z, "threshold", 0.5), aelib.hard_threshold(z, 0.5))
    np.testing.assert_array_equal(aelib.hard_threshold(z, 0.0), z)


@pytest.mark.parametrize("activation,lam", ACTIVATIONS)
def test_encode_decode_loss_match_definitions(activation, lam):
    W, b, Y = problem(1)
    Z = W.T @ Y + b[:, None]
    X_expected = np.maximum(Z, 0) if activation == "relu" else Z * (np.abs(Z) > lam)
    X = aelib.encode(W, b, Y, activation=activation, lam=lam)
    np.testing.assert_allclose(X, X_expected, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(aelib.decode(W, X), W @ X_expected, rtol=1e-13, atol=1e-14)
    per_sample = 0.5 * np.sum((Y - W @ X_expected) ** 2, axis=0)
    L = aelib.loss(W, b, Y, activation=activation, lam=lam)
    assert isinstance(L, float)
    assert L == pytest.approx(per_sample.mean(), rel=1e-13)


def test_scalar_bias_is_broadcast():
    """The same computation: a scalar b becomes the vector np.full(m, b) before anything is computed:
    bit-identical.
    """
    W, _, Y = problem(2)
    for f in (aelib.encode, aelib.gradient, aelib.exact_gradient, aelib.bias_gradient):
        np.testing.assert_array_equal(f(W, -0.2, Y), f(W, np.full(W.shape[1], -0.2), Y))
    assert aelib.loss(W, -0.2, Y) == aelib.loss(W, np.full(W.shape[1], -0.2), Y)


def test_loss_is_zero_on_noiseless_consistent_codes():
    # W = A orthonormal, y = A x* with x* >= 0: ReLU(A^T y) = x*, the reconstruction is exact.
    rng = np.random.default_rng(3)
    A, _ = np.linalg.qr(rng.standard_normal((10, 3)))
    X_star = np.abs(rng.standard_normal((3, 7)))
    assert aelib.loss(A, 0.0, A @ X_star) == pytest.approx(0.0, abs=1e-25)
    np.testing.assert_allclose(aelib.gradient(A, 0.0, A @ X_star), 0.0, atol=1e-14)


def test_outputs_follow_dtype_of_Y():
    W, b, Y = problem(4)
    Y32 = Y.astype(np.float32)
    assert aelib.encode(W, b, Y32).dtype == np.float32
    assert aelib.gradient(W, b, Y32).dtype == np.float32
    assert aelib.bias_gradient(W, b, Y32).dtype == np.float32
    assert isinstance(aelib.loss(W, b, Y32), float)
    np.testing.assert_allclose(aelib.gradient(W, b, Y32), aelib.gradient(W, b, Y), rtol=1e-4, atol=1e-5)
    assert aelib.loss(W, b, Y32) == pytest.approx(aelib.loss(W, b, Y), rel=1e-5)


def test_gradients_do_not_modify_inputs():
    """The inputs against copies taken before the calls: bit-identical."""
    W, b, Y = problem(5)
    copies = [W.copy(), b.copy(), Y.copy()]
    for arr in (W, b, Y):
        arr.setflags(write=False)
    for f in (aelib.encode, aelib.loss, aelib.gradient, aelib.exact_gradient, aelib.bias_gradient):
        f(W, b, Y)
    for arr, copy in zip((W, b, Y), copies):
        np.testing.assert_array_equal(arr, copy)


# --- gradients against finite differences -------------------------------------------


@pytest.mark.parametrize("activation,lam", ACTIVATIONS)
def test_gradients_match_finite_differences(activation, lam):
    W, b, Y = smooth_problem(activation, lam)
    Z = preactivation(W, b, Y)
    assert kink_distance(Z, activation, lam) > MARGIN  # the loss is smooth around W
    # Both active and inactive units occur, so the test exercises both branches.
    active = Z > 0 if activation == "relu" else np.abs(Z) > lam
    assert 0.2 < active.mean() < 0.8

    numeric = central_difference(lambda V: aelib.loss(V, b, Y, activation=activation, lam=lam), W)
    scale = np.abs(numeric).max()
    for grad in (aelib.exact_gradient, aelib.gradient):
        np.testing.assert_allclose(grad(W, b, Y, activation=activation, lam=lam), numeric, rtol=1e-6, atol=1e-7 * scale)

    numeric_b = central_difference(lambda c: aelib.loss(W, c, Y, activation=activation, lam=lam), b)
    np.testing.assert_allclose(
        aelib.bias_gradient(W, b, Y, activation=activation, lam=lam), numeric_b, rtol=1e-6, atol=1e-7 * scale
    )


def test_finite_difference_check_can_fail():
    # Guard against a vacuous comparison: dropping the encoder term of eq. (4) (the
    # y W_i^T part) must be detected at the tolerance used above.
    W, b, Y = smooth_problem("relu", None)
    Z = preactivation(W, b, Y)
    X = np.maximum(Z, 0)
    decoder_only = -(Y - W @ X) @ X.T / Y.shape[1]
    numeric = central_difference(lambda V: aelib.loss(V, b, Y), W)
    assert not np.allclose(decoder_only, numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max())


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 7),
    m=st.integers(1, 4),
    N=st.integers(1, 9),
    seed=st.integers(0, 2**32 - 1),
    activation=st.sampled_from(["relu", "threshold"]),
    lam=st.floats(0.05, 1.0),
)
def test_gradients_match_finite_differences_random_shapes(n, m, N, seed, activation, lam):
    lam = lam if activation == "threshold" else None
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, m))
    Y = rng.standard_normal((n, N))
    b = 0.5 * rng.standard_normal(m)
    assume(kink_distance(preactivation(W, b, Y), activation, lam) > MARGIN)
    f = lambda V: aelib.loss(V, b, Y, activation=activation, lam=lam)  # noqa: E731
    numeric = central_difference(f, W)
    scale = max(np.abs(numeric).max(), 1.0)
    np.testing.assert_allclose(aelib.exact_gradient(W, b, Y, activation=activation, lam=lam), numeric, rtol=1e-5, atol=1e-6 * scale)
    np.testing.assert_allclose(aelib.gradient(W, b, Y, activation=activation, lam=lam), numeric, rtol=1e-5, atol=1e-6 * scale)
    numeric_b = central_difference(lambda c: aelib.loss(W, c, Y, activation=activation, lam=lam), b)
    np.testing.assert_allclose(aelib.bias_gradient(W, b, Y, activation=activation, lam=lam), numeric_b, rtol=1e-5, atol=1e-6 * scale)


def test_gradient_matches_eq4_sample_by_sample():
    # eq. (4) written literally for each sample and each column, then averaged.
    W, b, Y = problem(6)
    n, m = W.shape
    expected = np.zeros_like(W)
    for y in Y.T:
        z = W.T @ y + b
        x = np.maximum(z, 0)
        r = y - W @ x
        for i in range(m):
            if x[i] != 0:
                expected[:, i] -= (z[i] * np.eye(n) + np.outer(y, W[:, i])) @ r
    expected /= Y.shape[1]
    np.testing.assert_allclose(aelib.gradient(W, b, Y), expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(aelib.exact_gradient(W, b, Y), expected, rtol=1e-12, atol=1e-13)


# --- approximate versus exact gradient ------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), activation=st.sampled_from(["relu", "threshold"]))
def test_approximate_equals_exact_gradient_away_from_kinks(seed, activation):
    lam = 0.4 if activation == "threshold" else None
    W, b, Y = problem(seed, n=9, m=3, N=25)
    assume(kink_distance(preactivation(W, b, Y), activation, lam) > MARGIN)
    np.testing.assert_allclose(
        aelib.gradient(W, b, Y, activation=activation, lam=lam),
        aelib.exact_gradient(W, b, Y, activation=activation, lam=lam),
        rtol=1e-12,
        atol=1e-13,
    )


def _put_on_kink(W, b, Y, i, j, target):
    """Shift b_i so that z_ij = (W^T Y)_ij + b_i equals ``target`` exactly; return (b, j).

    p + (target - p) rounds to target for most p but not all (a nonzero target: 1 in 4 of the
    neighbours of seed 7's p fails), and p, a BLAS product, ends in other bits on another CPU.
    So if sample j does not land exactly, the next sample that does is used. encode and both
    gradients form the same product W^T Y + b (the same computation), so z_ij is on the kink there too.
    """
    P = W.T @ Y
    b = b.copy()
    for j in (*range(j, Y.shape[1]), *range(j)):
        b[i] = target - P[i, j]
        if P[i, j] + b[i] == target:
            break
    Z = W.T @ Y + b[:, None]
    assert Z[i, j] == target  # the precondition: exactly on the kink
    return b, j


@pytest.mark.parametrize("activation,lam,target", [("relu", None, 0.0), ("threshold", 0.5, 0.5), ("threshold", 0.5, -0.5)])
def test_approximate_equals_exact_gradient_even_on_kinks(activation, lam, target):
    # Finding: with sigma'(kink) = 0, 1{x_i != 0} and sigma'(z_i) coincide *everywhere*, since
    # sigma(z) = z sigma'(z): at z = 0 (ReLU) or |z| = lam (threshold) both gates are 0.
    # So the two gradients cannot differ, not even on the kinks.
    W, b, Y = problem(7)
    b, j = _put_on_kink(W, b, Y, i=1, j=3, target=target)
    assert aelib.encode(W, b, Y, activation=activation, lam=lam)[1, j] == 0.0
    # A gate that differed on sample j would change column 1 by a term of order 1/N ~ 1e-2.
    np.testing.assert_allclose(
        aelib.gradient(W, b, Y, activation=activation, lam=lam),
        aelib.exact_gradient(W, b, Y, activation=activation, lam=lam),
        rtol=1e-12,
        atol=1e-14,
    )


def test_relu_gradient_on_a_kink_is_the_one_sided_derivative_with_unit_off():
    # On a ReLU kink the loss is not differentiable: its one-sided derivatives in b_i differ,
    # and both gradients return the one of the side where the unit is off (sigma'(0) = 0).
    W, b, Y = problem(8)
    i, j = 2, 5
    b, j = _put_on_kink(W, b, Y, i=i, j=j, target=0.0)
    assert kink_distance(np.delete(preactivation(W, b, Y).ravel(), i * Y.shape[1] + j), "relu", None) > MARGIN

    def L(c):
        return aelib.loss(W, c, Y)

    e = np.zeros_like(b)
    e[i] = 1e-7
    left = (L(b) - L(b - e)) / 1e-7  # unit i stays off on sample j
    right = (L(b + e) - L(b)) / 1e-7  # unit i turns on on sample j
    gb = aelib.bias_gradient(W, b, Y)[i]
    assert gb == pytest.approx(left, rel=1e-5, abs=1e-8)
    # The jump of the derivative is sample j's term -(1/N) W_i^T (y_j - W x_j).
    X = aelib.encode(W, b, Y)
    jump = -W[:, i] @ (Y[:, j] - W @ X[:, j]) / Y.shape[1]
    assert abs(jump) > 1e-3
    assert right - left == pytest.approx(jump, rel=1e-4)
    assert abs(gb - right) > 1e-3


def test_threshold_loss_jumps_at_lambda():
    # The gradients ignore it, but the hard threshold makes the loss itself discontinuous
    # at |z| = lam: crossing it switches a unit from 0 to +-lam.
    W, b, Y = problem(9)
    i, j = 0, 2
    b, j = _put_on_kink(W, b, Y, i=i, j=j, target=0.5)
    e = np.zeros_like(b)
    e[i] = 1e-9
    below = aelib.loss(W, b, Y, activation="threshold", lam=0.5)
    above = aelib.loss(W, b + e, Y, activation="threshold", lam=0.5)
    assert abs(above - below) > 1e-4


# ----------------------------------------------------------------------------------------------
# Tests for the Chapter 2 additions to aelib.autoencoder (sigma', kinks, exact versus
# approximate gradient, the loss along a line).
# ----------------------------------------------------------------------------------------------


def test_activation_derivative_is_zero_at_the_kinks():
    z = np.array([-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0])
    np.testing.assert_array_equal(aelib.activation_derivative(z), [0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(aelib.activation_derivative(z, "threshold", 0.5), [1, 0, 0, 0, 0, 0, 1])
    assert aelib.activation_derivative(np.array([1, -1])).dtype == np.float64
    with pytest.raises(ValueError):
        aelib.activation_derivative(z, "threshold")


@pytest.mark.parametrize("activation,lam", [("relu", None), ("threshold", 0.5)])
def test_sigma_equals_z_times_sigma_prime(activation, lam):
    """An exact identity, not two roundings: multiplying z by sigma'(z), which is 0 or 1, rounds nothing."""
    z = np.linspace(-2, 2, 401)
    np.testing.assert_array_equal(aelib.activate(z, activation, lam), z * aelib.activation_derivative(z, activation, lam))


def test_kink_fraction_on_constructed_data():
    W = np.eye(4)
    Y = np.array([[0.0, 0.5], [0.25, -0.5], [1.0, 0.0], [-0.5, 0.75]])  # z = Y with b = 0
    assert aelib.kink_fraction(W, 0.0, Y) == pytest.approx(2 / 8)
    assert aelib.kink_fraction(W, 0.0, Y, activation="threshold", lam=0.5) == pytest.approx(3 / 8)
    cmp = aelib.compare_gradients(W, 0.0, Y, activation="threshold", lam=0.5)
    assert cmp.kink_fraction == pytest.approx(3 / 8)
    assert cmp.gate_mismatch == 0.0
    assert cmp.max_abs_diff < 1e-15


@pytest.mark.parametrize("activation,lam,b", [("relu", None, -0.2), ("threshold", 0.5, 0.0)])
def test_compare_gradients_on_continuous_data(activation, lam, b):
    A = aelib.random_dictionary(30, 6, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(500, rng=1)
    W = aelib.perturbed_init(A, 0.3, rng=2)
    cmp = aelib.compare_gradients(W, b, Y, activation=activation, lam=lam)
    assert cmp.kink_fraction == 0.0 and cmp.gate_mismatch == 0.0
    assert cmp.max_rel_diff < 1e-12
    assert isinstance(cmp, aelib.GradientComparison)


def _slice(activation, lam, b, N=200, grid=801):
    A = aelib.random_dictionary(20, 8, rng=0)
    Y, _ = aelib.NonnegativeSparseCoding(A, k=2, a1=0.5, a2=1.0, noise_std=0.05).sample(N, rng=1)
    W = aelib.perturbed_init(A, 0.6, rng=2)
    D = np.random.default_rng(3).standard_normal(W.shape)
    D /= np.linalg.norm(D)
    return W, b, Y, D, aelib.loss_along_line(W, b, Y, D, np.linspace(-0.3, 0.3, grid), activation=activation, lam=lam)


def test_loss_along_line_values_match_loss_and_gradient():
    W, b, Y, D, sl = _slice("relu", None, -0.1)
    k = 123
    Wt = W + sl.t[k] * D
    assert sl.loss[k] == pytest.approx(aelib.loss(Wt, b, Y), rel=1e-12)
    assert sl.slope[k] == pytest.approx(float(np.vdot(aelib.gradient(Wt, b, Y), D)), rel=1e-10)
    assert sl.changes.shape == (sl.t.size - 1,)
    assert sl.integrated_slope[0] == 0.0


def test_relu_slice_has_no_jumps_but_threshold_slice_does():
    *_, relu = _slice("relu", None, -0.1)
    *_, thr = _slice("threshold", 0.25, 0.0)
    r, t = relu.summary(tol=1e-6), thr.summary(tol=1e-6)
    assert r["intervals_with_gate_change"] > 0  # kinks are crossed ...
    assert r["jumps"] == 0  # ... but the ReLU loss is continuous
    assert r["secant_slope"] == pytest.approx(r["mean_gradient_slope"], rel=1e-3)
    assert t["jumps"] > 0 and t["jumps"] <= t["intervals_with_gate_change"]
    assert t["max_smooth_residual"] < 1e-9
    span = thr.t[-1] - thr.t[0]
    assert t["secant_slope"] - t["mean_gradient_slope"] == pytest.approx(t["total_jump"] / span, rel=1e-9, abs=1e-12)


def test_loss_along_line_rejects_bad_grids():
    W, b, Y, D, _ = _slice("relu", None, -0.1, grid=3)
    with pytest.raises(ValueError):
        aelib.loss_along_line(W, b, Y, D, [0.0])
    with pytest.raises(ValueError):
        aelib.loss_along_line(W, b, Y, D, [0.1, 0.0])
    with pytest.raises(ValueError):
        aelib.loss_along_line(W, b, Y, D[:, :3], [0.0, 0.1])
