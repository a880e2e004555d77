"""Tests of aelib.descent_checks: the expected gradient, Lemma 1, contraction and trace_descent (Sec. 5)."""

from __future__ import annotations

import numpy as np
import pytest

import aelib
from aelib.descent_checks import relu_conditions


# --- expected gradient and Lemma 1 --------------------------------------------------------


def test_expected_gradient_mixture_against_monte_carlo():
    # For a unit-norm W matched to A and a code-consistent encoder, the per-sample approximate
    # gradient of column i on a sample of component i is -(lambda_i + b_i + <W_i, eta>) r + b_i y
    # with r = y - W_i z_i; its expectation over eta is exactly -lambda_i A_i + (lambda_i + b_i)^2 W_i
    # (the sigma^2 terms cancel because ||W_i|| = 1). So the Monte Carlo average differs from the
    # closed form only by sampling error: the label frequencies (relative sd sqrt((1-p)/(pN)) ~
    # 0.45% for p = 0.2, N = 2e5) and the noise (~ sigma sqrt(n / (pN)) / |g_i / p| ~ 0.03%).
    n, m, N, noise = 50, 5, 200_000, 0.01
    A = aelib.random_dictionary(n, m, rng=1)
    W = aelib.perturbed_init(A, 0.1, rng=2)
    delta = aelib.column_distances(W, A).max()
    assert delta < 0.12
    b = -0.5
    lo, hi = aelib.mixture_bias_interval(delta)
    assert lo < b <= hi
    Y, X_star = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=3)
    assert aelib.support_recovery_rate(aelib.encode(W, b, Y), X_star) == 1.0  # consistent
    G = aelib.gradient(W, b, Y)
    E = aelib.expected_gradient_mixture(W, A, b)
    col_err = np.linalg.norm(G - E, axis=0) / np.linalg.norm(E, axis=0)
    assert np.all(col_err < 0.03)  # ~ 6 sd of the label-frequency error
    # With the empirical label frequencies as weights only the noise term remains.
    freq = X_star.mean(axis=1)
    E_emp = aelib.expected_gradient_mixture(W, A, b, weights=freq / freq.sum())
    assert np.linalg.norm(G - E_emp) / np.linalg.norm(E_emp) < 3e-3
    # and the closed form is not trivially close to anything: dropping the bias is detected
    E_wrong = aelib.expected_gradient_mixture(W, A, 0.0)
    assert np.linalg.norm(G - E_wrong) / np.linalg.norm(E) > 0.2


def test_expected_gradient_mixture_formula():
    A = aelib.random_dictionary(7, 3, rng=5)
    W = aelib.perturbed_init(A, 0.2, rng=6)
    b = np.array([-0.1, -0.3, 0.2])
    p = np.array([0.5, 0.3, 0.2])
    g = aelib.expected_gradient_mixture(W, A, b, weights=p)
    for i in range(3):
        lam = W[:, i] @ A[:, i]
        np.testing.assert_allclose(g[:, i], -p[i] * lam * A[:, i] + p[i] * (lam + b[i]) ** 2 * W[:, i], rtol=1e-13, atol=1e-15)
    # at W = A, b = 0 the expected gradient vanishes: A is a fixed point
    np.testing.assert_allclose(aelib.expected_gradient_mixture(A, A, 0.0), 0.0, atol=1e-15)


def test_lemma1_on_the_exact_expected_gradient():
    # Threshold case (b = 0), W delta-close to A, g = the closed form (gamma = 0):
    # lhs - rhs = p (1 - lambda) (4 delta^2 - lambda (1 - lambda)) > 0, and the bias
    # condition |lambda^2 - lambda| <= 2 (1 - lambda) holds.
    A = aelib.random_dictionary(40, 5, rng=7)
    W = aelib.perturbed_init(A, 0.2, rng=8)
    g = aelib.expected_gradient_mixture(W, A, 0.0)
    res = aelib.lemma1(W, A, 0.0, g)
    for arr in (res.lhs, res.rhs, res.bias_condition, res.lam, res.holds):
        assert arr.shape == (5,)
    assert np.all(res.holds) and np.all(res.bias_condition)
    lam = np.sum(W * A, axis=0)
    np.testing.assert_allclose(res.lam, lam, rtol=1e-14)
    d2 = np.sum((W - A) ** 2, axis=0)
    p = 0.2
    np.testing.assert_allclose(res.lhs, p * lam * (1 + lam) * d2, rtol=1e-10)
    delta2 = d2.max()
    np.testing.assert_allclose(res.lhs - res.rhs, p * (1 - lam) * (4 * delta2 - lam * (1 - lam)), rtol=1e-8, atol=1e-14)


def test_lemma1_detects_violations():
    A = aelib.random_dictionary(40, 5, rng=7)
    W = aelib.perturbed_init(A, 0.2, rng=8)
    # A bias far outside |(b + lambda)^2 - lambda| <= 2 (1 - lambda): the hypothesis fails, and
    # so does the inequality for the exact expected gradient (gamma = 0): g ~ -p lambda A has
    # ||g||^2 / (p lambda) ~ p lambda, far above lhs ~ 2 p lambda (1 - lambda).
    res = aelib.lemma1(W, A, -0.9, aelib.expected_gradient_mixture(W, A, -0.9))
    assert not np.any(res.bias_condition)
    assert not np.any(res.holds)




@pytest.mark.parametrize("delta", [0.0, 0.1, 0.5, 1.3])
def test_close_weights_exact_distance(delta):
    A = aelib.random_dictionary(30, 6, rng=0)
    W = aelib.close_weights(A, delta, rng=1)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(W - A, axis=0), delta, atol=1e-12)


def test_close_weights_validates():
    A = aelib.random_dictionary(30, 6, rng=0)
    with pytest.raises(ValueError, match="delta"):
        aelib.close_weights(A, 2.5, rng=0)
    with pytest.raises(ValueError, match="unit-norm"):
        aelib.close_weights(2 * A, 0.1, rng=0)


# --- expected gradient and gradient_error_curve ---------------------------------------------


@pytest.mark.parametrize("activation, lam, b", [("threshold", 0.5, 0.0), ("relu", None, -0.4)])
def test_closed_form_is_exact_without_noise(activation, lam, b):
    """With sigma = 0, balanced classes and a consistent code, the empirical gradient is the closed form."""
    n, m, per_class = 40, 4, 3
    A = aelib.random_dictionary(n, m, rng=2)
    W = aelib.close_weights(A, 0.2, rng=3)
    Y = np.repeat(A, per_class, axis=1)
    g_emp = aelib.gradient(W, b, Y, activation=activation, lam=lam)
    np.testing.assert_allclose(g_emp, aelib.expected_gradient_mixture(W, A, b), atol=1e-12)


def test_gradient_error_curve_decays_like_monte_carlo(mixture):
    W = aelib.close_weights(mixture.A, 0.2, rng=4)
    sizes = [100, 1000, 10_000]
    curve = aelib.gradient_error_curve(mixture.Y, W, mixture.A, 0.0, sizes, activation="threshold", lam=0.5)
    assert curve.sizes.tolist() == sizes
    assert curve.error[0] > curve.error[-1]
    assert -0.8 < curve.slope < -0.3
    assert curve.error[-1] < 0.1


def test_gradient_error_curve_against_given_reference(mixture):
    W = aelib.close_weights(mixture.A, 0.2, rng=5)
    full = aelib.gradient(W, -0.3, mixture.Y)
    N = mixture.Y.shape[1]
    curve = aelib.gradient_error_curve(mixture.Y, W, mixture.A, -0.3, [N // 2, N], expected=full)
    assert curve.error[-1] < 1e-10
    assert curve.error[0] > 0


def test_gradient_error_curve_validates(mixture):
    W = aelib.close_weights(mixture.A, 0.2, rng=5)
    with pytest.raises(ValueError, match="sizes"):
        aelib.gradient_error_curve(mixture.Y, W, mixture.A, 0.0, [100, 50])
    with pytest.raises(ValueError, match="sizes"):
        aelib.gradient_error_curve(mixture.Y, W, mixture.A, 0.0, [10**9])
    with pytest.raises(ValueError, match="zero"):
        aelib.gradient_error_curve(mixture.Y, mixture.A, mixture.A, 0.0, [100], expected=np.zeros_like(mixture.A))


# --- lemma1_tau, linearized_factor, common_mode_lr_limit -------------------------------------


def test_lemma1_tau_formula():
    A = aelib.random_dictionary(20, 4, rng=6)
    W = aelib.close_weights(A, 0.3, rng=7)
    lam = np.sum(W * A, axis=0)
    np.testing.assert_allclose(aelib.lemma1_tau(W, A, 4.0), 4.0 * 0.25 * (lam - 2 * 0.3**2))
    np.testing.assert_allclose(aelib.lemma1_tau(W, A, 4.0, delta=0.1), 4.0 * 0.25 * (lam - 0.02))


def test_linearized_factor_values():
    assert aelib.linearized_factor(10, 0.1) == pytest.approx(0.0)
    assert aelib.linearized_factor(2.5, 0.1) == pytest.approx(0.75**2)
    b = np.array([-0.5, 0.0])
    out = aelib.linearized_factor(10, 0.1, b)
    assert out.shape == (2,)
    assert out[0] == pytest.approx((0.75 / 1.75) ** 2)


def test_linearized_factor_predicts_a_constant_bias_run(mixture):
    """Near A, the measured per-step contraction matches the linearization."""
    m = mixture.m
    result = aelib.train(mixture.Y, mixture.W0, -0.5, lr=m, steps=6, A=mixture.A)
    fit = aelib.contraction_factor(result.distance)
    assert fit.ratios[1] == pytest.approx(aelib.linearized_factor(m, 1 / m, -0.5), rel=0.35)


def test_common_mode_lr_limit():
    assert aelib.common_mode_lr_limit(10, 1, 1.0, 1.0) == pytest.approx(20.0)
    assert aelib.common_mode_lr_limit(32, 3, 0.0, 1.0) == pytest.approx(64 / 3)
    assert aelib.common_mode_lr_limit(32, 3, 1.0, 1.0) == pytest.approx(64 / 9)
    with pytest.raises(ValueError):
        aelib.common_mode_lr_limit(4, 5, 1.0, 1.0)


# --- contraction_factor ------------------------------------------------------------------------


def test_contraction_factor_geometric_with_floor():
    steps = np.arange(20)
    d2 = 2.0 * 0.5**steps + 1e-6
    fit = aelib.contraction_factor(np.sqrt(d2))
    assert fit.factor == pytest.approx(0.5, rel=0.02)
    assert fit.tau == pytest.approx(1 - fit.factor)
    assert fit.first == 0 and fit.last < 20
    assert fit.ratios.shape == (fit.last - fit.first,)


def test_contraction_factor_start_and_two_points():
    d = np.array([1.0, 1.0, 0.1, 0.01, 0.01])
    fit = aelib.contraction_factor(d, start=1)
    assert fit.first == 1
    assert fit.factor == pytest.approx(0.01, rel=1e-6)
    with pytest.raises(ValueError):
        aelib.contraction_factor([1.0])


# --- trace_descent -----------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [dict(b0=0.0, activation="threshold", lam=0.5),
                                    dict(b0=-0.8, activation="relu", bias_decay=2.0)])
def test_trace_descent_matches_train(mixture, kwargs):
    """The same computation: trace_descent runs train's loop (the same _loss_and_gradients on the same workspace,
    the same step) and only records more, so distance, loss and bias are bit-identical.
    """
    kwargs = dict(kwargs)
    b0 = kwargs.pop("b0")
    m = mixture.m
    trace = aelib.trace_descent(mixture.Y, mixture.W0, b0, mixture.A, lr=m, steps=5, X_star=mixture.X_star, **kwargs)
    result = aelib.train(mixture.Y, mixture.W0, b0, lr=m, steps=5, A=mixture.A, **kwargs)
    np.testing.assert_array_equal(trace.distance, result.distance)
    np.testing.assert_array_equal(trace.loss, result.loss)
    np.testing.assert_array_equal(trace.bias, result.bias)
    for field in ("lhs", "rhs", "bias_condition", "lam", "tau", "gamma", "expected"):
        assert getattr(trace, field).shape == (5, m)
    assert trace.off_support.shape == (6,) and trace.missed_support.shape == (6,)
    # closeness: delta^s = max_i ||W_i^s - A_i|| after matching, the delta of Def. 2 at step s
    assert trace.closeness.shape == (5,)
    for s in (0, 3):
        W_s = aelib.train(mixture.Y, mixture.W0, b0, lr=m, steps=s, **kwargs).W
        np.testing.assert_allclose(trace.closeness[s], aelib.column_distances(W_s, mixture.A).max(), rtol=1e-5)


def test_trace_descent_threshold_satisfies_lemma1(mixture):
    trace = aelib.trace_descent(mixture.Y, mixture.W0, 0.0, mixture.A, lr=mixture.m, steps=3,
                                activation="threshold", lam=0.5, X_star=mixture.X_star)
    assert trace.holds.all() and trace.bias_condition.all()
    assert np.all(trace.off_support == 0) and np.all(trace.missed_support == 0)
    # the empirical gradient is close to the closed form at the first step (consistent code)
    assert np.all(trace.gamma[0] < 0.2 * trace.expected[0])


def test_trace_descent_relu_zero_bias_fires_off_support(mixture):
    trace = aelib.trace_descent(mixture.Y, mixture.A, 0.0, mixture.A, lr=mixture.m, steps=1, X_star=mixture.X_star)
    assert trace.off_support[0] > 0.1
    assert trace.off_support is not None
    no_codes = aelib.trace_descent(mixture.Y, mixture.W0, 0.0, mixture.A, lr=mixture.m, steps=1)
    assert no_codes.off_support is None and no_codes.missed_support is None


# --- relu_conditions (Thm. 3 (ii) along a run) --------------------------------------------------


def test_relu_conditions_mixture_cases():
    """k = 1, a1 = a2 = 1: the interval [-1 + 2 delta, -delta] and mu <= delta sqrt(n), case by case."""
    level = 0.09
    closeness = [0.474, 0.242, 0.025, 0.025, 0.2]
    bias = [-0.3, -0.3125, -0.078, -0.1, -0.1]
    c = relu_conditions(closeness, bias, level)
    # step 0: delta > 1/3, the interval is empty, nothing fits under either reading
    assert not c.nonempty[0] and not c.in_interval[0] and not c.tight[0] and not c.some_delta[0]
    assert c.bias_above_level[0]  # necessary, not sufficient
    # step 1: all three hold at delta^s
    assert c.nonempty[1] and c.incoherent[1] and c.in_interval[1] and c.tight[1] and c.some_delta[1]
    np.testing.assert_allclose([c.lower[1], c.upper[1]], aelib.relu_bias_interval(0.242, 1, 1.0, 1.0))
    # step 2: delta^s < mu/sqrt(n) and |b| < mu/sqrt(n): fails under both readings
    assert not c.incoherent[2] and c.in_interval[2] and not c.tight[2]
    assert not c.some_delta[2] and not c.bias_above_level[2]
    # step 3: same delta^s, |b| >= mu/sqrt(n): W^s is also 0.09-close, and then b = -0.1 fits
    assert not c.tight[3] and c.some_delta[3] and c.bias_above_level[3]
    # step 4: the bias is above -delta^s, outside the interval at delta^s
    assert c.incoherent[4] and not c.in_interval[4] and not c.some_delta[4]


def test_relu_conditions_readings_are_nested():
    """tight => some_delta => bias_above_level, for any inputs (here k = 3, a1 = 1/2, a2 = 1)."""
    rng = np.random.default_rng(0)
    closeness = rng.uniform(0, 0.4, size=500)
    bias = -rng.uniform(0, 0.6, size=(500, 4))
    c = relu_conditions(closeness, bias, 0.02, k=3, a1=0.5, a2=1.0)
    assert np.all(~c.tight | c.some_delta) and np.all(~c.some_delta | c.bias_above_level)
    assert c.tight.any() and (c.some_delta & ~c.tight).any() and (c.bias_above_level & ~c.some_delta).any()
    # one unit outside the interval is enough to fail
    one = relu_conditions([0.1], [[-0.2, -0.05]], 0.01)
    assert not one.in_interval[0] and not one.some_delta[0]


def test_relu_conditions_matches_a_trace(mixture):
    trace = aelib.trace_descent(mixture.Y, mixture.W0, -0.8, mixture.A, lr=mixture.m, steps=4, bias_decay=2.0)
    level = aelib.coherence(mixture.A) / np.sqrt(mixture.A.shape[0])
    by_unit = relu_conditions(trace.closeness, trace.bias[:-1], level)
    scalar = relu_conditions(trace.closeness, trace.bias[:-1, 0], level)
    for field in ("nonempty", "incoherent", "in_interval", "some_delta", "bias_above_level"):
        np.testing.assert_array_equal(getattr(by_unit, field), getattr(scalar, field))
    np.testing.assert_array_equal(by_unit.incoherent, level <= trace.closeness)


def test_relu_conditions_validates():
    f = relu_conditions
    with pytest.raises(ValueError, match="closeness"):
        f([-0.1], [-0.5], 0.1)
    with pytest.raises(ValueError, match="bias"):
        f([0.1, 0.2], [-0.5], 0.1)
    with pytest.raises(ValueError, match="bias"):
        f([0.1], -0.5, 0.1)
    with pytest.raises(ValueError, match="max_inner"):
        f([0.1], [-0.5], -0.1)
    with pytest.raises(ValueError, match="a2"):
        f([0.1], [-0.5], 0.1, a1=1.0, a2=0.5)
    with pytest.raises(ValueError, match="k"):
        f([0.1], [-0.5], 0.1, k=0)


def test_relu_conditions_steps_as_ranges():
    level = 0.09
    # empty interval (steps 0, 1), all hold (2, 3), delta^s below the level (4), hold again (5), bias at 0 (6)
    c = relu_conditions([0.47, 0.47, 0.24, 0.1, 0.02, 0.2, 0.2], [-1.25, -0.6, -0.3, -0.15, -0.08, -0.3, 0.0], level)
    assert c.steps() == "2..3, 5" and c.steps("tight") == "2..3, 5"
    assert c.steps("some_delta") == "2..3, 5"
    assert relu_conditions([0.5], [-0.3], level).steps() == "none"
    assert relu_conditions([0.02], [-0.1], level).steps("some_delta") == "0"
    with pytest.raises(ValueError, match="reading"):
        c.steps("loose")
