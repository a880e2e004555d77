"""Tests for the Chapter 2 additions to aelib.autoencoder (sigma', kinks, exact versus
approximate gradient, the loss along a line)."""

import numpy as np
import pytest

import aelib


def test_activation_derivative_is_zero_at_the_kinks():
    z = np.array([-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0])
    np.testing.assert_array_equal(aelib.activation_derivative(z), [0, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(aelib.activation_derivative(z, "threshold", 0.5), [1, 0, 0, 0, 0, 0, 1])
    assert aelib.activation_derivative(np.array([1, -1])).dtype == np.float64
    with pytest.raises(ValueError):
        aelib.activation_derivative(z, "threshold")


@pytest.mark.parametrize("activation,lam", [("relu", None), ("threshold", 0.5)])
def test_sigma_equals_z_times_sigma_prime(activation, lam):
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
