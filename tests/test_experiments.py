"""Tests of aelib.experiments: the Monte Carlo runner of Sec. 6 on tiny settings."""

import numpy as np
import pytest
from rounding import assert_within_rounding
from threadpoolctl import threadpool_limits

import aelib
from aelib import experiments as ex

N_TINY, n_TINY, m_TINY = 300, 40, 4
STEPS = 6
# Two code paths for a run trained in float32 (its loss and distance histories are float64
# arrays, so the helper's default, set by their dtype, does not apply): a run stacked with
# others in run_trials against the same run alone. Each of the STEPS float32 steps adds rounding
# of about 1e-7 and the next steps carry it on: with OpenBLAS's Haswell kernels the histories
# differ by up to 5.6e-7 (relative) in the tests below, 1.8e-6 over every trial and start of
# tiny_run, and the whole float32 rounding (against the same runs in float64) is at most 1.6e-6.
# A wrong trial, seed, start, step or a 2% change of lr moves them by 2e-2 or more.
TRAINED_FLOAT32_RTOL = 1e-5
SETTINGS = {"b0": -0.5, "lr": 4.0, "steps": STEPS, "activation": "relu", "bias_decay": 2.0}


def tiny_run(**kwargs):
    args = dict(
        model_factory=ex.mixture_factory(n_TINY, m_TINY, 0.05),
        inits=ex.paper_inits(0.5),
        variants={"paper": SETTINGS, "threshold": {"lr": 4.0, "steps": STEPS, "activation": "threshold", "lam": 0.5}},
        N=N_TINY,
        trials=3,
        seed=7,
    )
    args.update(kwargs)
    return ex.run_trials(**args)


def test_public_names_are_exported():
    for name in ex.__all__:
        assert getattr(aelib, name) is getattr(ex, name)


def test_train_many_equals_train_for_each_autoencoder():
    """W, loss and distance: two code paths (stacked against alone), within rounding. The bias is exact
    arithmetic, the same on every CPU: both trainers step it through the one rule (_next_bias), one
    correctly rounded division by C, then a floor (sign and max) that rounds nothing: bit-identical.
    """
    rng = np.random.default_rng(0)
    A = aelib.random_dictionary(30, 5, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(250, rng=rng)
    W0s = [aelib.perturbed_init(A, 0.5, rng=rng), aelib.pca_init(Y, 5), aelib.random_init(30, 5, rng=rng)]
    settings = [
        {"b0": -0.3, "lr": 5.0, "bias_decay": 2.0},
        {"b0": 0.0, "lr": 5.0, "activation": "threshold", "lam": 0.5},
        {"b0": [-0.4, -0.3, -0.5, -0.4, -0.2], "lr": 3.0, "bias_decay": 2.0, "bias_floor": 0.1},
    ]
    results = ex.train_many(Y, W0s, settings, steps=12, A=A)
    assert len(results) == 3
    for W0, s, got in zip(W0s, settings, results):
        want = aelib.train(
            Y, W0, s["b0"], lr=s["lr"], steps=12, activation=s.get("activation", "relu"), lam=s.get("lam"),
            bias_decay=s.get("bias_decay", 1.0), bias_floor=s.get("bias_floor"), A=A,
        )
        np.testing.assert_allclose(got.loss, want.loss, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got.distance, want.distance, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got.W, want.W, atol=1e-10)
        np.testing.assert_array_equal(got.bias, want.bias)
        np.testing.assert_array_equal(got.b, want.b)
        assert got.steps_run == 12 and not got.stopped_early


def test_train_many_float32_and_validation():
    rng = np.random.default_rng(1)
    A = aelib.random_dictionary(20, 3, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(100, rng=rng, dtype=np.float32)
    (r,) = ex.train_many(Y, [A], [{"b0": -0.2, "lr": 3.0}], steps=3)
    assert r.W.dtype == np.float32 and r.distance is None and r.loss.shape == (4,)
    with pytest.raises(ValueError, match="lr"):
        ex.train_many(Y, [A], [{"b0": -0.2}], steps=3)
    with pytest.raises(ValueError, match="unknown"):
        ex.train_many(Y, [A], [{"lr": 1.0, "momentum": 0.9}], steps=3)
    with pytest.raises(ValueError, match="one per W0"):
        ex.train_many(Y, [A, A], [{"lr": 1.0}], steps=3)
    with pytest.raises(ValueError, match="lam"):
        ex.train_many(Y, [A], [{"lr": 1.0, "activation": "threshold"}], steps=3)
    with pytest.raises(ValueError, match="steps"):
        ex.train_many(Y, [A], [{"lr": 1.0, "steps": 5}], steps=3)


def test_run_trials_shapes_and_names():
    """final and best read the same array (a slice, its minimum): bit-identical."""
    r = tiny_run()
    assert r.variants == ("paper", "threshold")
    assert r.inits == ("perturbation", "pca", "random")
    assert r.loss.shape == r.distance.shape == (3, 2, 3, STEPS + 1)
    assert r.oracle.shape == r.max_inner.shape == (3,) and r.trials == 3
    assert np.all((r.max_inner > 0) & (r.max_inner < 1))
    assert r.curves("loss", "pca", "paper").shape == (3, STEPS + 1)
    np.testing.assert_array_equal(r.final("distance", "random", "threshold"), r.distance[:, 1, 2, -1])
    np.testing.assert_array_equal(r.best("loss", "perturbation", "paper"), r.loss[:, 0, 0].min(axis=1))
    with pytest.raises(ValueError, match="variant"):
        r.curves("loss", "pca")
    with pytest.raises(ValueError, match="field"):
        r.curves("bias", "pca", "paper")


def test_run_trials_matches_a_direct_call_of_train():
    r = tiny_run(variants={"paper": SETTINGS}, trials=1, dtype=np.float64)
    # the documented seeding: SeedSequence([seed, trial]) -> model, data, inits (one child each)
    model_seq, data_seq, init_seq = np.random.SeedSequence([7, 0]).spawn(3)
    model = ex.mixture_factory(n_TINY, m_TINY, 0.05)(np.random.default_rng(model_seq))
    Y, _ = model.sample(N_TINY, rng=np.random.default_rng(data_seq), dtype=np.float64)
    rng_init = np.random.default_rng(init_seq.spawn(3)[0])
    W0 = aelib.perturbed_init(model.A, 0.5, rng=rng_init)
    want = aelib.train(Y, W0, -0.5, lr=4.0, steps=STEPS, bias_decay=2.0, A=model.A)
    np.testing.assert_allclose(r.curves("loss", "perturbation")[0], want.loss, rtol=1e-10)
    np.testing.assert_allclose(r.curves("distance", "perturbation")[0], want.distance, rtol=1e-9)


def test_run_trials_is_deterministic_and_trial_wise():
    """The same computation repeated (trial t is trained the same way whatever the number of trials):
    bit-identical.
    """
    a, b = tiny_run(), tiny_run()
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.distance, b.distance)
    np.testing.assert_array_equal(a.oracle, b.oracle)
    # trial t depends only on (seed, t): the first two trials of a 3-trial run are a 2-trial run
    c = tiny_run(trials=2)
    np.testing.assert_array_equal(c.loss, a.loss[:2])
    d = tiny_run(seed=8)
    assert not np.array_equal(d.loss, a.loss)


def test_run_trials_does_not_depend_on_n_jobs():
    """The same computation (the same trials, on one BLAS thread, in other processes): bit-identical."""
    a, b = tiny_run(), tiny_run(n_jobs=2)
    np.testing.assert_array_equal(b.loss, a.loss)
    np.testing.assert_array_equal(b.distance, a.distance)
    np.testing.assert_array_equal(b.oracle, a.oracle)


def test_draw_trial_gives_the_data_of_that_trial():
    """Two code paths: the run stacked three-wide in run_trials against it alone, within rounding."""
    factory, inits = ex.mixture_factory(n_TINY, m_TINY, 0.05), ex.paper_inits(0.5)
    model, Y, X_star, starts = ex.draw_trial(factory, inits, N=N_TINY, seed=7, trial=1)
    assert Y.shape == (n_TINY, N_TINY) and Y.dtype == np.float32 and X_star.shape == (m_TINY, N_TINY)
    assert list(starts) == list(inits)
    (got,) = ex.train_many(Y, [starts["pca"]], [SETTINGS], steps=STEPS, A=model.A)
    r = tiny_run(variants={"paper": SETTINGS})
    assert_within_rounding(r.curves("distance", "pca")[1], got.distance, rtol=TRAINED_FLOAT32_RTOL)
    assert_within_rounding(r.curves("loss", "pca")[1], got.loss, rtol=TRAINED_FLOAT32_RTOL)


def test_nudge_ulp_moves_every_entry_by_one_ulp_in_a_seeded_direction():
    """Exact constructions (np.nextafter), a copy and the same seed twice: bit-identical."""
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        Y = rng.standard_normal((7, 50)).astype(dtype)
        Y[0, 0] = 0.0
        before = Y.copy()
        Z = ex.nudge_ulp(Y, rng=5)
        np.testing.assert_array_equal(Y, before)  # the caller's array is untouched
        assert Z.dtype == dtype and Z.shape == Y.shape
        up = Z > Y
        assert np.all(up | (Z < Y))  # every entry moved, zero included
        np.testing.assert_array_equal(Z[up], np.nextafter(Y[up], np.inf))
        np.testing.assert_array_equal(Z[~up], np.nextafter(Y[~up], -np.inf))
        assert 0.3 < up.mean() < 0.7  # both directions
        np.testing.assert_array_equal(ex.nudge_ulp(Y, rng=5), Z)
        assert not np.array_equal(ex.nudge_ulp(Y, rng=6), Z)
    with pytest.raises(ValueError, match="Y"):
        ex.nudge_ulp(np.array([[np.nan, 1.0]]), rng=0)


def test_run_trials_nudge_trains_on_the_nudged_data_from_the_same_starts():
    """The nudge moves the histories by as little as two BLAS paths do (a nudge with another seed,
    no nudge, or a PCA start taken from the nudged data all move them by 2e-8 to 8e-7), so it is
    checked bit for bit against the same computation: a run of the one (variant, init) pair
    trains through the very train_many call made here (one BLAS thread, as run_trials uses).
    base against nudged is the same computation on other data. The row of the stacked
    six-wide run against that call is two code paths: within rounding.
    """
    factory, inits = ex.mixture_factory(n_TINY, m_TINY, 0.05), ex.paper_inits(0.5)
    base, nudged = tiny_run(), tiny_run(nudge=11)
    assert not np.array_equal(base.loss, nudged.loss)
    model, Y, _, starts = ex.draw_trial(factory, inits, N=N_TINY, seed=7, trial=2)
    Y_nudged = ex.nudge_ulp(Y, rng=np.random.default_rng([11, 2]))
    with threadpool_limits(limits=1, user_api="blas"):
        (got,) = ex.train_many(Y_nudged, [starts["pca"]], [SETTINGS], steps=STEPS, A=model.A)
    alone = tiny_run(variants={"paper": SETTINGS}, inits={"pca": inits["pca"]}, nudge=11)
    np.testing.assert_array_equal(alone.curves("loss", "pca")[2], got.loss)
    np.testing.assert_array_equal(alone.curves("distance", "pca")[2], got.distance)
    assert_within_rounding(nudged.curves("loss", "pca", "paper")[2], got.loss, rtol=TRAINED_FLOAT32_RTOL)
    assert_within_rounding(nudged.curves("distance", "pca", "paper")[2], got.distance, rtol=TRAINED_FLOAT32_RTOL)
    # one ulp of data moves a loss by far less than its size
    np.testing.assert_allclose(nudged.curves("loss", "pca", "paper")[:, 0], base.curves("loss", "pca", "paper")[:, 0],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="nudge"):
        tiny_run(nudge=-1)


def test_run_trials_train_dtype_trains_the_float32_data_and_nudge_in_float64():
    """The same computation (train_many on the cast data and starts, one BLAS thread): bit-identical.
    Training the same data in float32 instead differs by the float32 rounding (about 1e-6), far
    more than float64 rounding.
    """
    factory, inits = ex.mixture_factory(n_TINY, m_TINY, 0.05), ex.paper_inits(0.5)
    r = tiny_run(variants={"paper": SETTINGS}, nudge=11, train_dtype=np.float64)
    model, Y, _, starts = ex.draw_trial(factory, inits, N=N_TINY, seed=7, trial=1)
    Y64 = ex.nudge_ulp(Y, rng=np.random.default_rng([11, 1])).astype(np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        got = ex.train_many(Y64, [W0.astype(np.float64) for W0 in starts.values()], [SETTINGS] * 3,
                            steps=STEPS, A=model.A)
    for i, name in enumerate(inits):
        np.testing.assert_array_equal(r.curves("distance", name)[1], got[i].distance)
        np.testing.assert_array_equal(r.curves("loss", name)[1], got[i].loss)
    r32 = tiny_run(variants={"paper": SETTINGS}, nudge=11)
    assert not np.array_equal(r32.distance, r.distance)
    np.testing.assert_allclose(r32.distance, r.distance, rtol=TRAINED_FLOAT32_RTOL)
    with pytest.raises(ValueError, match="train_dtype"):
        tiny_run(train_dtype=np.float16)
    with pytest.raises(ValueError, match="train_dtype"):
        tiny_run(train_dtype="no such type")


def test_run_trials_validation():
    with pytest.raises(ValueError, match="steps"):
        tiny_run(variants={"a": SETTINGS, "b": dict(SETTINGS, steps=STEPS + 1)})
    with pytest.raises(ValueError, match="steps"):
        tiny_run(variants={"a": {"lr": 1.0}})
    with pytest.raises(ValueError, match="dtype"):
        tiny_run(dtype=np.int64)
    with pytest.raises(ValueError, match="trials"):
        tiny_run(trials=0)


def test_oracle_class_means_are_the_normalized_class_means():
    rng = np.random.default_rng(3)
    A = aelib.random_dictionary(50, 4, rng=rng)
    Y, X_star = aelib.GaussianMixture(A, noise_std=0.1).sample(400, rng=rng)
    labels = X_star.argmax(axis=0)
    means = np.stack([Y[:, labels == i].mean(axis=1) for i in range(4)], axis=1)
    np.testing.assert_allclose(ex.oracle_class_means(Y, X_star), aelib.normalize_columns(means), atol=1e-12)
    with pytest.raises(ValueError, match="singular"):
        ex.oracle_class_means(Y[:, labels != 0], X_star[:, labels != 0])


def test_oracle_distance_matches_its_prediction():
    rng = np.random.default_rng(4)
    n, m, N, sigma = 400, 5, 4000, 0.05
    A = aelib.random_dictionary(n, m, rng=rng)
    Y, X_star = aelib.GaussianMixture(A, noise_std=sigma).sample(N, rng=rng)
    measured = aelib.matched_distance(ex.oracle_class_means(Y, X_star), A)
    predicted = ex.oracle_distance_floor(n, m, N, sigma)
    assert predicted == pytest.approx(sigma * m * np.sqrt(n / N))
    assert measured == pytest.approx(predicted, rel=0.1)


def test_loss_floor_is_the_noise_energy():
    assert ex.loss_floor(784, 0.01) == pytest.approx(784 * 1e-4 / 2)
    rng = np.random.default_rng(5)
    A = aelib.random_dictionary(200, 4, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(3000, rng=rng)
    # the truth with threshold 1/2 and b = 0 encodes x_i = <A_i, y>: loss (n - 1) sigma^2 / 2
    measured = aelib.loss(A, 0.0, Y, activation="threshold", lam=0.5)
    assert measured == pytest.approx(199 * 0.05**2 / 2, rel=0.05)


def test_band_median_and_percentiles():
    values = np.arange(11.0)[:, None] * np.ones((1, 3))
    median, low, high = ex.band(values)
    np.testing.assert_allclose(median, 5.0)
    np.testing.assert_allclose(low, 1.0)
    np.testing.assert_allclose(high, 9.0)
    _, low, high = ex.band(values, lower=0, upper=100)
    np.testing.assert_allclose(low, 0.0)
    np.testing.assert_allclose(high, 10.0)


def test_paper_settings_and_inits():
    assert ex.PAPER_SETTINGS["b0"] == -2.5 * 0.5 and ex.PAPER_SETTINGS["lr"] == 10.0
    inits = ex.paper_inits(0.5)
    assert list(inits) == ["perturbation", "pca", "random"]
    rng = np.random.default_rng(6)
    A = aelib.random_dictionary(60, 3, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(200, rng=rng)
    for init in inits.values():
        W0 = init(A, Y, np.random.default_rng(0))
        assert W0.shape == A.shape
        np.testing.assert_allclose(np.linalg.norm(W0, axis=0), 1.0)
    assert np.all(aelib.column_distances(inits["perturbation"](A, Y, np.random.default_rng(0)), A) < 0.7)


def test_bias_schedule_matches_train():
    rng = np.random.default_rng(8)
    A = aelib.random_dictionary(20, 3, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(100, rng=rng)
    for settings in [
        {"b0": -1.25, "steps": 8, "bias_decay": 2.0},
        {"b0": -1.25, "steps": 8, "bias_decay": 2.0, "bias_floor": 0.1},
        {"b0": -0.25, "steps": 3},
        {"b0": -1.25, "steps": 6, "bias_decay": aelib.sqrt_decay(0.5)},
    ]:
        r = aelib.train(Y, A, settings["b0"], lr=1.0, steps=settings["steps"],
                        bias_decay=settings.get("bias_decay", 1.0), bias_floor=settings.get("bias_floor"))
        np.testing.assert_allclose(ex.bias_schedule(settings), r.bias[:, 0], rtol=1e-15)
    np.testing.assert_allclose(ex.bias_schedule({"b0": -1.25, "steps": 3, "bias_decay": 2.0}), [-1.25, -0.625, -0.3125, -0.15625])


# --- one bias rule: train and train_many agree everywhere, the zero bias included ---

_BIAS_GRID = [
    dict(activation="relu", b0=-1.25, bias_decay=2.0),
    dict(activation="relu", b0=-1.25, bias_decay=2.0, bias_floor=0.25),
    dict(activation="relu", b0=0.0, bias_decay=2.0, bias_floor=0.25),   # zero bias with a floor
    dict(activation="relu", b0=0.0, bias_floor=0.25),
    dict(activation="relu", b0=-0.3, bias_decay=1.0, bias_floor=0.5),    # floor above |b0|
    dict(activation="threshold", lam=0.5, b0=0.0, bias_floor=0.1),
    dict(activation="threshold", lam=0.5, b0=0.0),
]


@pytest.mark.parametrize("setting", _BIAS_GRID, ids=[str(s) for s in _BIAS_GRID])
def test_train_many_equals_train_over_bias_settings(setting):
    """W and loss: two code paths (stacked against alone), within rounding. The bias, in train, train_many
    and bias_schedule, is the one rule (_next_bias) on the same numbers: a correctly rounded division,
    then sign and max, the same on every CPU: bit-identical.
    """
    A = aelib.random_dictionary(24, 4, rng=3)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.05).sample(400, rng=4)
    W0 = aelib.perturbed_init(A, 0.3, rng=5)
    settings = dict(setting, lr=4.0)
    [many] = aelib.train_many(Y, [W0], [settings], steps=3, A=A)
    kwargs = {key: value for key, value in settings.items()}
    one = aelib.train(Y, W0, kwargs.pop("b0"), steps=3, A=A, **kwargs)
    np.testing.assert_allclose(many.W, one.W, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(many.bias, one.bias)
    np.testing.assert_allclose(many.loss, one.loss, rtol=1e-12)
    schedule = aelib.bias_schedule(dict(settings, steps=3))
    np.testing.assert_array_equal(one.bias[:, 0], schedule)


def test_the_zero_bias_stays_zero_under_a_floor_in_every_trainer():
    """Exact: a zero bias divided by C, with the floor, is exactly zero."""
    A = aelib.random_dictionary(16, 3, rng=0)
    Y, X = aelib.GaussianMixture(A, noise_std=0.01).sample(200, rng=1)
    W0 = aelib.perturbed_init(A, 0.2, rng=2)
    settings = dict(activation="relu", b0=0.0, bias_decay=2.0, bias_floor=0.25, lr=3.0)
    [many] = aelib.train_many(Y, [W0], [settings], steps=2)
    assert np.all(many.bias == 0)
    assert np.all(aelib.bias_schedule(dict(settings, steps=2)) == 0)
    sparse = aelib.SparseCoding(A, k=1, noise_std=0.0)
    population = aelib.population_descent(sparse, W0, lr=3.0, steps=2, b0=0.0, bias_decay=2.0, bias_floor=0.25,
                                          tol=None)
    assert np.all(population.b == 0)
    oracle = aelib.oracle_support_train(Y, X, W0, lr=3.0, steps=2, b0=0.0, bias_decay=2.0, bias_floor=0.25)
    assert np.all(oracle.b == 0)


# --- run_mixture_descent --------------------------------------------------------------------------


def test_run_mixture_descent_is_deterministic():
    """The same seed twice: the same computation, bit-identical."""
    kwargs = dict(n=40, m=4, N=400, noise_std=0.01, delta=0.3, lr=4, steps=5, activation="threshold")
    first = aelib.run_mixture_descent(seed=3, **kwargs)
    second = aelib.run_mixture_descent(seed=3, **kwargs)
    np.testing.assert_array_equal(first.distance, second.distance)
    assert first.distance.shape == (6,)
    assert first.distance[-1] < first.distance[0]
