"""Tests of aelib.descent: the trainer layer (TrainSettings, the one step), train against reference_train, Thm. 4's predictions."""

from __future__ import annotations

import re

import numpy as np
import pytest

import aelib

# train's keyword arguments for the configurations compared with reference_train
CONFIGS = {
    "relu-decay2": dict(b0=-0.6, activation="relu", bias_decay=2.0, signs=False),
    "relu-decay2-signs": dict(b0=-0.6, activation="relu", bias_decay=2.0, signs=True),
    "threshold": dict(b0=0.0, activation="threshold", lam=0.5, signs=False),
    "relu-floor": dict(b0=-0.6, activation="relu", bias_decay=2.0, bias_floor=0.2),
    "relu-vector-bias": dict(b0=np.array([-0.6, -0.5, -0.4, -0.55]), activation="relu", bias_decay=1.5),
}


def run(trainer, data, config, *, steps=12, Y=None, **extra):
    kwargs = dict(config)
    b0 = kwargs.pop("b0")
    return trainer(data.Y if Y is None else Y, data.W0, b0, lr=data.m, steps=steps, A=data.A, **kwargs, **extra)


# --- train against the plain reference ----------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_train_matches_reference_train(small_mixture, name):
    config = CONFIGS[name]
    fast = run(aelib.train, small_mixture, config)
    ref = run(aelib.reference_train, small_mixture, config)
    np.testing.assert_allclose(fast.W, ref.W, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.b, ref.b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.loss, ref.loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.distance, ref.distance, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.bias, ref.bias, rtol=0, atol=1e-12)
    assert fast.steps_run == ref.steps_run == 12
    assert not fast.stopped_early
    # the run actually moved: the comparison is not between two copies of W0
    assert np.abs(fast.W - small_mixture.W0).max() > 0.05


def test_bias_schedule_and_floor(small_mixture):
    r = run(aelib.train, small_mixture, CONFIGS["relu-decay2"], steps=5)
    np.testing.assert_allclose(r.bias[:, 0], -0.6 / 2.0 ** np.arange(6), rtol=1e-15)
    np.testing.assert_allclose(r.b, np.full(4, -0.6 / 2**5), rtol=1e-15)
    r = run(aelib.train, small_mixture, CONFIGS["relu-floor"], steps=5)
    np.testing.assert_allclose(r.bias[:, 0], [-0.6, -0.3, -0.2, -0.2, -0.2, -0.2], rtol=1e-15)
    assert r.bias.shape == (6, 4)


def test_sqrt_decay_formula_and_schedule(small_mixture):
    # Sec. 5: b^{s+1} = sqrt(1 - tau) b^s, i.e. divide by C = 1 / sqrt(1 - tau).
    assert aelib.sqrt_decay(0.0) == 1.0
    assert aelib.sqrt_decay(0.75) == pytest.approx(2.0, rel=1e-15)
    assert aelib.sqrt_decay(0.36) == pytest.approx(1.25, rel=1e-15)
    tau = 0.5
    r = aelib.train(small_mixture.Y, small_mixture.W0, -0.4, lr=4, steps=4, bias_decay=aelib.sqrt_decay(tau))
    np.testing.assert_allclose(r.bias[:, 2], -0.4 * np.sqrt(1 - tau) ** np.arange(5), rtol=1e-14)


# --- dtype ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["relu-decay2", "threshold"])
def test_float32_training(small_mixture, name):
    Y32 = small_mixture.Y.astype(np.float32)
    r32 = run(aelib.train, small_mixture, CONFIGS[name], Y=Y32)
    r64 = run(aelib.train, small_mixture, CONFIGS[name])
    assert r32.W.dtype == np.float32 and r32.b.dtype == np.float32
    assert all(isinstance(v, float) for v in r32.loss.tolist())
    assert np.isfinite(r32.loss).all()
    np.testing.assert_allclose(r32.W, r64.W, rtol=0, atol=1e-4)
    np.testing.assert_allclose(r32.loss, r64.loss, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(r32.distance, r64.distance, rtol=0, atol=1e-4)


def test_float64_result_dtype_and_integer_data():
    Y = np.array([[1, 0, 2], [0, 1, 1]])  # integers are trained in float64
    r = aelib.train(Y, np.eye(2), -0.1, lr=1.0, steps=2)
    assert r.W.dtype == np.float64
    np.testing.assert_allclose(r.loss[0], aelib.loss(np.eye(2), -0.1, Y.astype(float)))


# --- histories --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["relu-decay2", "threshold", "relu-floor"])
def test_loss_and_distance_histories(small_mixture, name):
    """bias[-1] is the b returned (the same array recorded): bit-identical; the rest is compared within rounding."""
    config = dict(CONFIGS[name])
    steps = 7
    r = run(aelib.train, small_mixture, config, steps=steps)
    act = dict(activation=config["activation"], lam=config.get("lam"))
    assert r.loss.shape == (steps + 1,) and r.distance.shape == (steps + 1,)
    assert r.bias.shape == (steps + 1, small_mixture.m)
    assert r.loss[0] == pytest.approx(aelib.loss(small_mixture.W0, config["b0"], small_mixture.Y, **act), rel=1e-10)
    assert r.loss[-1] == pytest.approx(aelib.loss(r.W, r.b, small_mixture.Y, **act), rel=1e-10)
    np.testing.assert_array_equal(r.bias[-1], r.b)
    signs = config.get("signs", False)
    assert r.distance[0] == pytest.approx(aelib.matched_distance(small_mixture.W0, small_mixture.A, signs=signs), rel=1e-12)
    assert r.distance[-1] == pytest.approx(aelib.matched_distance(r.W, small_mixture.A, signs=signs), rel=1e-12)
    np.testing.assert_allclose(np.linalg.norm(r.W, axis=0), 1.0, rtol=1e-12)


def test_loss_history_at_every_step(small_mixture):
    # Re-running s steps must end at (W^s, b^s), whose loss is loss[s] of the long run.
    long = run(aelib.train, small_mixture, CONFIGS["relu-decay2"], steps=4)
    for s in range(5):
        short = run(aelib.train, small_mixture, CONFIGS["relu-decay2"], steps=s)
        assert long.loss[s] == pytest.approx(aelib.loss(short.W, short.b, small_mixture.Y), rel=1e-10)
        np.testing.assert_allclose(short.loss, long.loss[: s + 1], rtol=1e-13)


def test_no_distance_without_A(small_mixture):
    r = aelib.train(small_mixture.Y, small_mixture.W0, -0.5, lr=4, steps=3)
    assert r.distance is None
    assert aelib.reference_train(small_mixture.Y, small_mixture.W0, -0.5, lr=4, steps=3).distance is None


def test_steps_zero(small_mixture):
    """Zero steps return copies of W0 and b0: bit-identical."""
    W0 = small_mixture.W0
    r = aelib.train(small_mixture.Y, W0, -0.5, lr=4, steps=0, A=small_mixture.A)
    np.testing.assert_array_equal(r.W, W0)
    np.testing.assert_array_equal(r.b, np.full(4, -0.5))
    assert r.loss.shape == (1,) and r.distance.shape == (1,) and r.bias.shape == (1, 4)
    assert r.loss[0] == pytest.approx(aelib.loss(W0, -0.5, small_mixture.Y), rel=1e-10)
    assert r.steps_run == 0 and not r.stopped_early
    ref = aelib.reference_train(small_mixture.Y, W0, -0.5, lr=4, steps=0)
    np.testing.assert_array_equal(ref.W, W0)


def test_result_does_not_alias_inputs():
    # Writing into a result must never write into the caller's arrays (steps = 0 included).
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((6, 20))
    W0 = aelib.normalize_columns(rng.standard_normal((6, 3)))
    b0 = np.array([-0.1, -0.2, -0.3])
    for trainer in (aelib.train, aelib.reference_train):
        for steps in (0, 2):
            r = trainer(Y, W0, b0, lr=1.0, steps=steps)
            assert not np.shares_memory(r.W, W0)
            assert not np.shares_memory(r.b, b0)


def test_early_stop_with_tol(mixture):
    full = aelib.train(mixture.Y, mixture.W0, 0.0, lr=mixture.m, steps=30, activation="threshold", lam=0.5)
    r = aelib.train(mixture.Y, mixture.W0, 0.0, lr=mixture.m, steps=30, activation="threshold", lam=0.5, A=mixture.A, tol=1e-6)
    assert r.stopped_early
    assert 0 < r.steps_run < 30
    S = r.steps_run
    assert r.loss.shape == (S + 1,) and r.distance.shape == (S + 1,) and r.bias.shape == (S + 1, mixture.m)
    np.testing.assert_allclose(r.loss, full.loss[: S + 1], rtol=1e-12)
    # the criterion: |L_{S-1} - L_S| <= tol |L_{S-1}|, and not before
    rel = np.abs(np.diff(r.loss)) / np.abs(r.loss[:-1])
    assert rel[-1] <= 1e-6 and np.all(rel[:-1] > 1e-6)
    assert r.loss[-1] == pytest.approx(aelib.loss(r.W, r.b, mixture.Y, activation="threshold", lam=0.5), rel=1e-10)
    # a tolerance never met runs every step, and is not an early stop
    r = aelib.train(mixture.Y, mixture.W0, 0.0, lr=mixture.m, steps=3, activation="threshold", lam=0.5, tol=0.0)
    assert not r.stopped_early and r.steps_run == 3 and r.loss.shape == (4,)


def test_train_does_not_modify_inputs(small_mixture):
    """The caller's arrays against copies taken before: bit-identical."""
    rng = np.random.default_rng(1)
    Y = small_mixture.Y + 0.0  # writable copies
    W0 = small_mixture.W0 + 0.01 * rng.standard_normal(small_mixture.W0.shape)  # not normalized
    A = small_mixture.A + 0.0
    b0 = np.array([-0.6, -0.5, -0.4, -0.55])
    copies = [x.copy() for x in (Y, W0, A, b0)]
    for trainer in (aelib.train, aelib.reference_train):
        trainer(Y, W0, b0, lr=4, steps=3, A=A, bias_decay=2.0)
        for x, c in zip((Y, W0, A, b0), copies):
            np.testing.assert_array_equal(x, c)
    # and read-only inputs are accepted (nothing writes into them)
    for x in (Y, W0, A, b0):
        x.setflags(write=False)
    for trainer in (aelib.train, aelib.reference_train):
        r = trainer(Y, W0, b0, lr=4, steps=3, A=A, bias_decay=2.0)
        assert r.W.flags.writeable and r.b.flags.writeable
    r = aelib.train(Y.astype(np.float32), W0, b0, lr=4, steps=2, A=A)  # converts, never writes back
    assert r.W.dtype == np.float32
    for x, c in zip((Y, W0, A, b0), copies):
        np.testing.assert_array_equal(x, c)


def test_same_inputs_same_results(small_mixture):
    """The same computation repeated: bit-identical."""
    r1 = run(aelib.train, small_mixture, CONFIGS["relu-decay2"])
    r2 = run(aelib.train, small_mixture, CONFIGS["relu-decay2"])
    for field in ("W", "b", "loss", "distance", "bias"):
        np.testing.assert_array_equal(getattr(r1, field), getattr(r2, field))


# --- predictions of Thm. 4 ----------------------------------------------------------------


def test_relu_descent_from_perturbed_start_converges(mixture):
    # Thm. 4 (i) with ReLU: lr = m, a bias inside the mixture interval of Thm. 3, a 0.3
    # perturbation of A: the matched distance drops at least 5x within 10 steps.
    W0, A = mixture.W0, mixture.A
    delta = aelib.column_distances(W0, A).max()
    lo, hi = aelib.mixture_bias_interval(delta)
    b = (lo + hi) / 2
    r = aelib.train(mixture.Y, W0, b, lr=mixture.m, steps=10, A=A)
    assert r.distance[-1] <= r.distance[0] / 5
    assert np.all(np.diff(r.distance) < 0)  # monotone descent


def test_threshold_linear_convergence_thm4_i1():
    # Thm. 4 (i.1): threshold_{1/2}, b = 0, lr = m: ||W^s - A|| decreases geometrically
    # down to the statistical floor ~ sigma sqrt(n m / (p N)).
    n, m, N, noise = 200, 5, 20_000, 0.01
    A = aelib.random_dictionary(n, m, rng=11)
    Y, _ = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=12)
    W0 = aelib.perturbed_init(A, 0.3, rng=13)
    r = aelib.train(Y, W0, 0.0, lr=m, steps=3, activation="threshold", lam=0.5, A=A)
    d = r.distance
    assert d[0] > 0.5
    assert d[1] / d[0] < 0.5 and d[2] / d[1] < 0.5
    assert d[-1] < 0.1
    floor = noise * np.sqrt(n * m / (N / m))
    assert d[-1] < 3 * floor


def test_halving_the_bias_loses_consistency_at_small_n(mixture):
    # Finding (not a bug): Sec. 6's schedule b^{s+1} = b^s / 2 drives b to 0, but the mixture
    # proof of Thm. 3 needs b_i <= -(2 delta + mu / sqrt(n)) for the wrong units to stay off.
    # At n = 100 the cross inner products max_{i != j} <A_i, A_j> ~ 0.16 are not negligible:
    # the descent converges while |b^s| exceeds them, then loses code consistency and the
    # matched distance grows again. (A fixed bias inside the interval keeps converging; see
    # test_relu_descent_from_perturbed_start_converges.)
    A, Y, X_star = mixture.A, mixture.Y, mixture.X_star
    lo, hi = aelib.mixture_bias_interval(aelib.column_distances(mixture.W0, A).max())
    r = aelib.train(Y, mixture.W0, (lo + hi) / 2, lr=mixture.m, steps=10, A=A, bias_decay=2.0)
    d = r.distance
    assert d[:4].min() < d[0] / 5  # first converges, as in the fixed-bias run
    cross = np.max(np.abs(A.T @ A - np.eye(mixture.m)))
    assert 0.1 < cross < 0.3
    late = np.abs(r.bias[:, 0]) < cross / 2
    assert late.any()
    # with |b| below the cross terms even W = A no longer recovers the supports
    assert aelib.support_recovery_rate(aelib.encode(A, r.bias[late][0], Y), X_star) < 0.9
    assert d[-1] > 3 * d.min()


# --- overflow is never silent: FloatingPointError naming lr and the data scale ---------

TRAINERS = {"train": aelib.train, "reference_train": aelib.reference_train}


@pytest.mark.parametrize("name", list(TRAINERS))
def test_huge_lr_gives_the_normalized_gradient_direction(small_mixture, name):
    Y, W0 = small_mixture.Y, small_mixture.W0
    result = TRAINERS[name](Y, W0, -0.3, lr=1e300, steps=1)  # the example: was all-zero columns
    assert np.all(np.isfinite(result.W)) and np.all(np.isfinite(result.loss))
    np.testing.assert_allclose(np.linalg.norm(result.W, axis=0), 1.0, rtol=1e-14)
    G = aelib.gradient(W0, -0.3, Y)
    np.testing.assert_allclose(result.W, aelib.normalize_columns(-G), atol=1e-12)


def test_overflowing_data_raises_naming_lr_and_scale(small_mixture):
    Y, W0 = small_mixture.Y, small_mixture.W0
    scale = float(np.max(np.abs(Y))) * 1e160
    expected = re.escape(f"loss is not finite at step 0 (lr=5, data scale max|Y|={scale:.3g})")
    with pytest.raises(FloatingPointError, match=expected):
        aelib.train(Y * 1e160, W0, -0.3, lr=5.0, steps=3)
    with pytest.raises(FloatingPointError, match=r"at step \d \(lr=5, .*float32 entries beyond"):
        aelib.train((Y * 1e20).astype(np.float32), W0, -0.3, lr=5.0, steps=3)
    assert np.all(np.isfinite(aelib.train(Y * 1e140, W0, -0.3, lr=5.0, steps=3).W))  # large but fine
    # the plain reference (its source is printed in chapter 5) raises from the shared step,
    # after numpy's own overflow warnings (train silences those: it checks every step)
    with pytest.raises(FloatingPointError, match="not finite"), np.errstate(all="ignore"):
        aelib.reference_train(Y * 1e160, W0, -0.3, lr=5.0, steps=3)


def test_divergence_mid_run_is_caught_at_its_step(small_mixture):
    Y, W0 = small_mixture.Y, small_mixture.W0
    # b grows by 1e200 per step: b^1 = -3e199 is finite, b^2 = -inf (every unit silent, so
    # the loss would stay finite and the run would end with b = -inf)
    with pytest.raises(FloatingPointError, match=r"bias b / bias_decay is not finite .* at step 2 \(lr=4,"):
        aelib.train(Y, W0, -0.3, lr=4.0, steps=5, bias_decay=1e-200)
    with pytest.raises(FloatingPointError, match=r"bias b / bias_decay is not finite"), np.errstate(all="ignore"):
        aelib.reference_train(Y, W0, -0.3, lr=4.0, steps=5, bias_decay=1e-200)
    # lr g overflows: a column of W - lr g that is not finite
    for trainer in TRAINERS.values():
        with pytest.raises(FloatingPointError, match=r"gradient is not finite"), np.errstate(all="ignore"):
            trainer(Y * 1e7, W0, -0.3, lr=1e300, steps=2)
    with pytest.raises(FloatingPointError, match=r"not finite at step 1 \(lr=1e\+300"):
        aelib.train(Y * 1e7, W0, -0.3, lr=1e300, steps=2)


def test_zero_column_step_still_raises(small_mixture):
    W0 = np.zeros((small_mixture.n, 4))
    W0[0] = 1.0
    Y = np.zeros_like(small_mixture.Y)
    Y[0] = 1.0
    # every column of W0 and of its gradient is a multiple of e_1: this lr cancels them
    G = aelib.gradient(W0, 0.0, Y)
    lr = float(W0[0, 0] / G[0, 0])
    with pytest.raises(FloatingPointError, match=r"is zero; cannot normalize .*lr="):
        aelib.train(Y, W0, 0.0, lr=lr, steps=1)


# --- the trainer layer: one settings object, one step function ----------------------------


def test_train_settings_validate_each_option_by_name():
    bad = {
        "lr": dict(lr=0.0), "steps": dict(lr=1.0, steps=-1), "activation": dict(lr=1.0, activation="tanh"),
        "lam": dict(lr=1.0, activation="threshold"), "bias_decay": dict(lr=1.0, bias_decay=0.0),
        "bias_floor": dict(lr=1.0, bias_floor=-0.1), "b0": dict(lr=1.0, b0=np.nan),
    }
    for name, options in bad.items():
        with pytest.raises(ValueError, match=f"^{name}:"):
            aelib.TrainSettings(**options)
    with pytest.raises(ValueError, match=r"^lam: only the 'threshold'"):
        aelib.TrainSettings(lr=1.0, lam=0.5)
    with pytest.raises(ValueError, match=r"^b0: expected a number or a vector"):
        aelib.TrainSettings(lr=1.0, b0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^settings: unknown training options \['momentum'\]"):
        aelib.TrainSettings.from_mapping({"lr": 1.0, "momentum": 0.9})
    with pytest.raises(ValueError, match=r"^lr: every trainer needs a learning rate"):
        aelib.TrainSettings().trainer_lr()


def test_train_settings_are_frozen_and_read_as_a_mapping():
    s = aelib.TrainSettings(b0=-1.25, lr=10, steps=50, bias_decay=2)
    with pytest.raises(AttributeError):
        s.lr = 1.0
    # the options that are set, in TRAIN_OPTIONS order, validated to float / int
    assert list(s.items()) == [("b0", -1.25), ("lr", 10.0), ("steps", 50), ("activation", "relu"), ("bias_decay", 2.0)]
    assert s == aelib.PAPER_SETTINGS and hash(s) == hash(aelib.PAPER_SETTINGS)
    assert "bias_floor" not in s and s.get("bias_floor", "-") == "-"
    variant = aelib.TrainSettings.from_mapping(dict(aelib.PAPER_SETTINGS, bias_floor=0.1))
    assert variant == s.replace(bias_floor=0.1) and variant.bias_floor == 0.1 and s.bias_floor is None
    with pytest.raises(ValueError, match="^bias_floor:"):
        s.replace(bias_floor=-1.0)
    vector = aelib.TrainSettings(lr=1.0, b0=np.array([-0.5, -0.25], dtype=np.float32))
    assert vector.b0 == (-0.5, -0.25)
    np.testing.assert_array_equal(vector.initial_bias(2, dtype=np.float32), [-0.5, -0.25])
    with pytest.raises(ValueError, match="^b0: expected a scalar or a vector of length 3"):
        vector.initial_bias(3)


def test_train_settings_own_the_bias_rule():
    """Exact values: halving these biases and the floor round nothing."""
    s = aelib.TrainSettings(lr=1.0, bias_decay=2.0, bias_floor=0.25)
    b = np.array([-1.0, 0.0, 0.3, -0.26])
    np.testing.assert_array_equal(s.next_bias(b), [-0.5, 0.0, 0.25, -0.25])  # a zero bias stays zero
    W = np.eye(3)[:, :2].copy()
    G = np.array([[0.5, 0.0], [0.0, 0.0], [0.0, -1.0]])
    W1, b1 = s.step(W, b[:2], G)
    np.testing.assert_allclose(W1, [[1.0, 0.0], [0.0, 1 / np.sqrt(2)], [0.0, 1 / np.sqrt(2)]], atol=1e-15)
    np.testing.assert_array_equal(b1, [-0.5, 0.0])


def test_every_trainer_steps_through_the_one_step_function(monkeypatch, small_mixture):
    """train, reference_train, trace_descent, train_many, population_descent,
    oracle_support_train and neural_sparse_coding all update through descent's step."""
    from aelib import descent

    calls = []
    normalized_step = descent._normalized_step

    def counted(W, G, lr):
        calls.append(W.shape)
        return normalized_step(W, G, lr)

    monkeypatch.setattr(descent, "_normalized_step", counted)
    d, steps = small_mixture, 3
    model = aelib.GaussianMixture(d.A, noise_std=d.noise_std)
    trainers = {
        "train": lambda: aelib.train(d.Y, d.W0, -0.5, lr=4.0, steps=steps),
        "reference_train": lambda: aelib.reference_train(d.Y, d.W0, -0.5, lr=4.0, steps=steps),
        "trace_descent": lambda: aelib.trace_descent(d.Y, d.W0, -0.5, d.A, lr=4.0, steps=steps),
        "train_many": lambda: aelib.train_many(d.Y, [d.W0, d.W0], [{"lr": 4.0}, {"lr": 2.0}], steps=steps),
        "population_descent": lambda: aelib.population_descent(model, d.W0, lr=4.0, steps=steps, tol=None),
        "oracle_support_train": lambda: aelib.oracle_support_train(d.Y, d.X_star, d.W0, lr=4.0, steps=steps),
        "neural_sparse_coding": lambda: aelib.neural_sparse_coding(d.Y, d.W0, lr=4.0, steps=steps, lam=0.5),
    }
    for name, run_trainer in trainers.items():
        calls.clear()
        run_trainer()
        assert len(calls) == steps, name
