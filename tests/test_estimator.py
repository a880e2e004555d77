"""Tests of aelib.estimator: the scikit-learn TiedAutoencoder (Sec. 2.1, trained as in Sec. 5-6).

The estimator must pass scikit-learn's own estimator checks with its default
parameters, agree with aelib.train / encode / loss on the transposed data, and be
usable for model selection.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import Normalizer  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import aelib  # noqa: E402
from aelib.estimator import TiedAutoencoder  # noqa: E402


@parametrize_with_checks(
    [
        TiedAutoencoder(),
        TiedAutoencoder(n_components=3, activation="threshold", lam=0.5, bias=0.0, bias_decay=1.0, init="random"),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def easy():
    """The brief's easy mixture: n = 50, m = 5, noise 0.01, a 0.5-perturbation of A."""
    A = aelib.random_dictionary(50, 5, rng=0)
    Y, X_star = aelib.GaussianMixture(A, noise_std=0.01).sample(1000, rng=1)
    W0 = aelib.perturbed_init(A, 0.5, rng=2)
    return A, Y, X_star, W0


def test_exported_from_package():
    assert aelib.TiedAutoencoder is TiedAutoencoder
    assert "TiedAutoencoder" in aelib.__all__


def test_matches_train_encode_and_loss(easy):
    A, Y, _, W0 = easy
    model = TiedAutoencoder(n_components=5, init=W0, max_iter=7, bias=-0.6, bias_decay=1.5, lr=3.0).fit(Y.T)
    ref = aelib.train(Y, W0, -0.6, lr=3.0, steps=7, bias_decay=1.5)
    np.testing.assert_allclose(model.components_, ref.W.T)
    np.testing.assert_allclose(model.bias_, ref.b)
    np.testing.assert_allclose(model.loss_curve_, ref.loss)
    assert model.n_iter_ == 7 and model.n_features_in_ == 50
    assert model.components_.shape == (5, 50) and model.components_.flags.c_contiguous
    codes = model.transform(Y.T)
    np.testing.assert_allclose(codes, aelib.encode(ref.W, ref.b, Y).T)
    assert model.score(Y.T) == pytest.approx(-aelib.loss(ref.W, ref.b, Y))
    np.testing.assert_allclose(model.inverse_transform(codes), (ref.W @ codes.T).T)


def test_default_lr_is_n_components(easy):
    """The same computation (lr 5 by default, 5.0 given): bit-identical."""
    _, Y, _, W0 = easy
    a = TiedAutoencoder(n_components=5, init=W0, max_iter=3).fit(Y.T)
    b = TiedAutoencoder(n_components=5, init=W0, max_iter=3, lr=5.0).fit(Y.T)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_recovers_dictionary_from_perturbed_start(easy):
    A, Y, _, W0 = easy
    start = aelib.matched_distance(W0, A)
    model = TiedAutoencoder(n_components=5, init=W0, bias=-0.5, bias_decay=1.0).fit(Y.T)
    assert aelib.matched_distance(model.components_.T, A) < 0.05 < start / 10
    # the Sec. 6 schedule with the bias held away from 0 (Thm. 3 needs b_i <= -delta)
    floored = TiedAutoencoder(n_components=5, init=W0, bias_floor=0.4).fit(Y.T)
    assert aelib.matched_distance(floored.components_.T, A) < 0.05
    # codes: the unit matched to the sample's component fires, the others stay silent
    perm = aelib.match_columns(model.components_.T, A).permutation
    codes = model.transform(Y.T)[:, perm]
    assert np.mean(np.argmax(codes, axis=1) == np.argmax(easy[2], axis=0)) == 1.0


def test_grid_search_over_bias(easy):
    _, Y, _, W0 = easy
    base = TiedAutoencoder(n_components=5, init=W0, bias_decay=1.0, max_iter=20)
    search = GridSearchCV(base, {"bias": [-3.0, -0.5, -0.2, 1.0]}, cv=3).fit(Y.T)
    scores = dict(zip(search.cv_results_["param_bias"], search.cv_results_["mean_test_score"]))
    assert search.best_params_ == {"bias": -0.2}
    # b = -3: every unit is dead, the reconstruction is 0 and the loss is E||y||^2 / 2
    assert scores[-3.0] == pytest.approx(-0.5 * np.mean(np.sum(Y * Y, axis=0)), rel=0.02)
    assert scores[1.0] < scores[-3.0] < scores[-0.5] < scores[-0.2]
    assert isinstance(search.best_estimator_, TiedAutoencoder)


def test_pipeline(easy):
    _, Y, _, W0 = easy
    pipe = make_pipeline(Normalizer(), TiedAutoencoder(n_components=5, init=W0, max_iter=5))
    assert pipe.fit_transform(Y.T).shape == (1000, 5)
    assert np.isfinite(pipe.score(Y.T))


@pytest.mark.parametrize("init", ["pca", "random", "spectral"])
def test_named_inits(easy, init):
    _, Y, _, _ = easy
    model = TiedAutoencoder(n_components=5, init=init, random_state=0, max_iter=0).fit(Y.T)
    W0 = model.components_.T
    np.testing.assert_allclose(np.linalg.norm(W0, axis=0), 1.0)
    expected = {
        "pca": lambda: aelib.pca_init(Y, 5),
        "random": lambda: aelib.random_init(50, 5, rng=0),
        "spectral": lambda: aelib.spectral_init(Y, 5, rng=0),
    }[init]()
    np.testing.assert_allclose(W0, expected)
    assert model.n_iter_ == 0 and model.loss_curve_.shape == (1,)


def test_pca_completes_at_random_when_too_few_directions():
    """The same random_state twice: the same computation, bit-identical."""
    X = np.random.default_rng(0).random((4, 3))  # 4 samples, 3 features, 10 units
    model = TiedAutoencoder(random_state=0, max_iter=0).fit(X)
    W0 = model.components_.T
    assert W0.shape == (3, 10)
    np.testing.assert_allclose(np.abs(W0[:, :3]), np.abs(aelib.pca_init(X.T, 3)))
    again = TiedAutoencoder(random_state=0, max_iter=0).fit(X)
    np.testing.assert_array_equal(again.components_, model.components_)


def test_one_sample_and_random_state_kinds():
    x = np.array([[0.3, -0.2, 0.9]])
    for rs in [None, 0, np.random.RandomState(0), np.random.default_rng(0)]:
        out = TiedAutoencoder(n_components=2, random_state=rs, max_iter=3).fit_transform(x)
        assert out.shape == (1, 2) and np.all(np.isfinite(out))


def test_float32_is_preserved(easy):
    _, Y, _, W0 = easy
    X32 = Y.T.astype(np.float32)
    model = TiedAutoencoder(n_components=5, init=W0, max_iter=5).fit(X32)
    assert model.components_.dtype == np.float32 and model.bias_.dtype == np.float32
    assert model.transform(X32).dtype == np.float32
    assert model.inverse_transform(model.transform(X32)).dtype == np.float32
    ref = TiedAutoencoder(n_components=5, init=W0, max_iter=5).fit(Y.T)
    np.testing.assert_allclose(model.components_, ref.components_, atol=1e-4)


def test_init_array_is_normalized_and_not_modified(easy):
    """The caller's array against its copy: bit-identical."""
    _, Y, _, W0 = easy
    W = 3.0 * np.array(W0)
    before = W.copy()
    model = TiedAutoencoder(n_components=5, init=W, max_iter=0).fit(Y.T)
    np.testing.assert_array_equal(W, before)
    np.testing.assert_allclose(model.components_.T, W0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"init": np.ones((3, 3))}, "n_features, n_components"),
        ({"init": "svd"}, "init: expected one of"),
        ({"activation": "threshold"}, "needs a threshold"),
        ({"activation": "tanh"}, "activation"),
        ({"lam": 0.5}, "only the 'threshold'"),
        ({"n_components": 0}, "n_components"),
        ({"lr": -1.0}, "lr"),
        ({"max_iter": -1}, "max_iter"),
        ({"bias_decay": 0.0}, "bias_decay"),
        ({"bias": [1.0, 2.0]}, "bias"),
    ],
)
def test_bad_parameters_raise_clear_errors(easy, params, match):
    _, Y, _, _ = easy
    with pytest.raises(ValueError, match=match):
        TiedAutoencoder(**{"n_components": 5, **params}).fit(Y.T[:50])


def test_unfitted_and_shape_errors(easy):
    _, Y, _, W0 = easy
    with pytest.raises(NotFittedError):
        TiedAutoencoder().transform(Y.T)
    model = TiedAutoencoder(n_components=5, init=W0, max_iter=1).fit(Y.T)
    with pytest.raises(ValueError, match="features"):
        model.transform(Y.T[:, :10])
    with pytest.raises(ValueError, match="n_components=5"):
        model.inverse_transform(np.ones((2, 4)))


def test_tol_stops_early(easy):
    _, Y, _, W0 = easy
    model = TiedAutoencoder(n_components=5, init=W0, bias=-0.5, bias_decay=1.0, tol=1e-3, max_iter=200).fit(Y.T)
    assert 1 <= model.n_iter_ < 200
    assert model.loss_curve_.shape == (model.n_iter_ + 1,)


# --- overflow is never silent; PCA init on float32 without a float64 copy --------------


@pytest.mark.parametrize("init", ["pca", "random", "spectral"])
def test_fit_on_overflowing_data_raises(init):
    A = aelib.random_dictionary(30, 4, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(300, rng=1)
    model = TiedAutoencoder(n_components=4, init=init, random_state=0, max_iter=5)
    with pytest.raises(FloatingPointError, match="overflow|not finite"):
        model.fit(Y.T * 1e160)
    assert not hasattr(model, "components_")


def test_transform_and_score_raise_on_overflow():
    A = aelib.random_dictionary(30, 4, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(300, rng=1)
    model = TiedAutoencoder(n_components=4, max_iter=5).fit(Y.T)
    assert np.isfinite(model.score(Y.T * 1e100))  # large, representable
    with pytest.raises(FloatingPointError, match="score: the result overflowed"):
        model.score(Y.T * 1e160)
    with pytest.raises(FloatingPointError, match="transform: the result overflowed"):
        model.transform(1e308 * np.sign(model.components_))  # w^T x = 1e308 ||w||_1 > 1.8e308


def test_pca_fit_on_float32_allocates_about_one_copy():
    import tracemalloc

    A = aelib.random_dictionary(200, 5, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(20_000, rng=1, dtype=np.float32)
    X = np.ascontiguousarray(Y.T)  # samples as rows, C order: the estimator copies X.T once
    model = TiedAutoencoder(n_components=5, max_iter=2)
    model.fit(X)  # first use: lazy imports
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        model.fit(X)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < 1.3 * X.nbytes  # was 3.3x: the copy, plus a float64 copy (2x) for PCA
    assert model.components_.dtype == np.float32
