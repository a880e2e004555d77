"""Tests of aelib.baselines: k-means, dictionary learning, the neural sparse-coding update,
and the side-by-side comparisons of chapter 11. Problems are small: the suite stays fast."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import aelib
from aelib import baselines


@pytest.fixture(scope="module")
def mixture():
    n, m = 30, 4
    A = aelib.random_dictionary(n, m, rng=0)
    Y, X = aelib.GaussianMixture(A, noise_std=0.01).sample(600, rng=1)
    return A, Y, X


@pytest.fixture(scope="module")
def sparse():
    n, m, k = 40, 8, 2
    A = aelib.random_dictionary(n, m, rng=2)
    Y, X = aelib.SparseCoding(A, k=k, noise_std=0.005).sample(1500, rng=3)
    return A, Y, X, k


# --- k-means ---------------------------------------------------------------------------


def test_kmeans_shapes_recovery_determinism(mixture):
    """The same seed twice (an int or its Generator): the same computation, bit-identical.

    On one OpenMP thread, as the comparisons run it (aelib.timed): scikit-learn's k-means adds
    its per-thread partial centres in the order the threads finish, so with three threads or
    more the last bits change from call to call (OMP_NUM_THREADS=4 here: 3 distinct results in 20).
    """
    import sklearn.cluster  # noqa: F401  (threadpoolctl caps only the OpenMP runtimes already loaded)

    A, Y, X = mixture
    with threadpool_limits(limits=1, user_api="openmp"):
        W = aelib.kmeans_dictionary(Y, 4, rng=5, n_init=2)
        again = aelib.kmeans_dictionary(Y, 4, rng=5, n_init=2)
        from_generator = aelib.kmeans_dictionary(Y, 4, rng=np.random.default_rng(5), n_init=2)
    assert W.shape == A.shape and W.dtype == np.float64
    assert np.allclose(np.linalg.norm(W, axis=0), 1.0)
    # well-separated clusters: k-means finds the class means, the oracle's estimate
    oracle = aelib.oracle_class_means(Y, X)
    assert aelib.matched_distance(W, oracle) < 1e-10
    assert aelib.matched_distance(W, A) < 0.05
    assert np.array_equal(W, again)
    assert np.array_equal(W, from_generator)


def test_kmeans_bad_input(mixture):
    _, Y, _ = mixture
    with pytest.raises(ValueError, match="m"):
        aelib.kmeans_dictionary(Y, 0, rng=0)
    with pytest.raises(ValueError, match="m"):
        aelib.kmeans_dictionary(Y[:, :3], 4, rng=0)
    with pytest.raises(ValueError, match="n_init"):
        aelib.kmeans_dictionary(Y, 4, rng=0, n_init=0)
    with pytest.raises(ValueError, match="Y"):
        aelib.kmeans_dictionary(Y[0], 4, rng=0)
    with pytest.raises(ValueError, match="rng"):
        aelib.kmeans_dictionary(Y, 4, rng=None)


# --- dictionary learning ---------------------------------------------------------------


def test_dictionary_learning_from_a_close_start(sparse):
    A, Y, _, k = sparse
    W0 = aelib.perturbed_init(A, 0.3, rng=4)
    W = aelib.dictionary_learning(Y, A.shape[1], k=k, rng=6, alpha=0.1, W0=W0, max_iter=3, batch_size=64)
    assert W.shape == A.shape
    assert np.allclose(np.linalg.norm(W, axis=0), 1.0)
    assert aelib.matched_distance(W, A, signs=True) < 0.5 * aelib.matched_distance(W0, A, signs=True)
    again = aelib.dictionary_learning(Y, A.shape[1], k=k, rng=6, alpha=0.1, W0=W0, max_iter=3, batch_size=64)
    assert np.allclose(W, again)


def test_dictionary_learning_runs_all_passes_without_early_stopping(sparse):
    A, Y, _, k = sparse
    kw = dict(k=k, rng=0, alpha=0.2, max_iter=2, batch_size=256)
    stopped = aelib.dictionary_learning(Y, A.shape[1], **kw)
    full = aelib.dictionary_learning(Y, A.shape[1], tol=0.0, max_no_improvement=None, **kw)
    assert stopped.shape == full.shape == A.shape


def test_dictionary_learning_bad_input(sparse):
    A, Y, _, k = sparse
    m = A.shape[1]
    with pytest.raises(ValueError, match="k"):
        aelib.dictionary_learning(Y, m, k=m + 1, rng=0)
    with pytest.raises(ValueError, match="alpha"):
        aelib.dictionary_learning(Y, m, k=k, rng=0, alpha=-1.0)
    with pytest.raises(ValueError, match="W0"):
        aelib.dictionary_learning(Y, m, k=k, rng=0, W0=A[:, :-1])
    with pytest.raises(ValueError, match="tol"):
        aelib.dictionary_learning(Y, m, k=k, rng=0, tol=-1.0)
    with pytest.raises(ValueError, match="max_no_improvement"):
        aelib.dictionary_learning(Y, m, k=k, rng=0, max_no_improvement=0)


# --- the neural sparse-coding update ------------------------------------------------------


def test_neural_sparse_coding_descends_and_records(sparse):
    """The same run twice, with and without A (which only adds the distance record): the same computation,
    bit-identical; zero steps return the start untouched.
    """
    A, Y, _, _ = sparse
    W0 = aelib.perturbed_init(A, 0.3, rng=7)
    m, k = A.shape[1], 2
    result = aelib.neural_sparse_coding(Y, W0, lr=m / k, steps=20, lam=0.5, A=A)
    assert result.W.shape == A.shape
    assert np.allclose(np.linalg.norm(result.W, axis=0), 1.0)
    assert result.loss.shape == result.distance.shape == (21,)
    assert result.distance[-1] < 0.5 * result.distance[0]
    assert result.loss[-1] < result.loss[0]
    assert np.all(result.b == 0) and result.steps_run == 20
    again = aelib.neural_sparse_coding(Y, W0, lr=m / k, steps=20, lam=0.5)
    assert np.array_equal(again.W, result.W) and again.distance is None
    # zero steps: the start, untouched
    still = aelib.neural_sparse_coding(Y, W0, lr=1.0, steps=0, lam=0.5)
    assert np.array_equal(still.W, W0)


def test_neural_sparse_coding_bad_input(sparse):
    A, Y, _, _ = sparse
    with pytest.raises(ValueError, match="lr"):
        aelib.neural_sparse_coding(Y, A, lr=0.0, steps=1, lam=0.5)
    with pytest.raises(ValueError, match="steps"):
        aelib.neural_sparse_coding(Y, A, lr=1.0, steps=-1, lam=0.5)
    with pytest.raises(ValueError, match="lam"):
        aelib.neural_sparse_coding(Y, A, lr=1.0, steps=1, lam=-0.5)
    with pytest.raises(ValueError, match="W0"):
        aelib.neural_sparse_coding(Y, A[:-1], lr=1.0, steps=1, lam=0.5)
    with pytest.raises(ValueError, match="A"):
        aelib.neural_sparse_coding(Y, A, lr=1.0, steps=1, lam=0.5, A=A[:, :-1])


# --- timing and the comparisons ------------------------------------------------------------


def test_timed_caps_openmp_from_the_first_call():
    """In a fresh process with four OpenMP threads, timed(threads=1) caps scikit-learn's OpenMP
    runtime on its first call, although nothing has imported scikit-learn before it."""
    code = ("import aelib\n"
            "from threadpoolctl import threadpool_info\n"
            "def pools():\n"
            "    return sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'openmp'})\n"
            "print(aelib.timed(pools, threads=1)[0])\n")
    env = {**os.environ, "OMP_NUM_THREADS": "4"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[1]"


def test_timed():
    value, seconds = aelib.timed(sum, [1, 2, 3])
    assert value == 6 and seconds >= 0.0
    value, seconds = aelib.timed(max, 1, 4, threads=None)
    assert value == 4
    with pytest.raises(ValueError, match="threads"):
        aelib.timed(sum, [1], threads=0)


ROW_KEYS = {"problem", "method", "start", "error", "max_column", "to_oracle", "seconds", "start_seconds"}


def test_mixture_encoders_are_chapter_10s():
    assert set(aelib.MIXTURE_ENCODERS) == {method for method, _ in aelib.MIXTURE_RUNS}
    assert set(aelib.MIXTURE_ENCODERS.values()) <= set(aelib.START_ENCODERS)
    assert aelib.START_ENCODERS[aelib.MIXTURE_ENCODERS["autoencoder, Sec. 6 ReLU"]]["b0"] == -1.25


def test_mixture_comparison_small():
    """The same seed twice, and the oracle of a subset run on the same data: the same computation, bit-identical."""
    rows = aelib.mixture_comparison(n=40, m=3, N=600, noise_std=0.01, seed=1, steps=20, n_init=1)
    assert all(set(r) == ROW_KEYS and r["problem"] == "mixture" for r in rows)
    by = {(r["method"], r["start"]): r for r in rows}
    oracle = by["oracle class means", "-"]
    assert oracle["to_oracle"] == pytest.approx(0.0, abs=1e-12)
    # k-means and the autoencoder with a margin, from the spectral start, find the oracle's estimate
    assert by["k-means (n_init=1)", "-"]["to_oracle"] < 1e-5  # float32 data
    assert by["autoencoder, threshold 1/2", "spectral"]["error"] < 2 * oracle["error"] + 0.02
    assert {r["start"] for r in rows if r["method"] == "start only"} == {"pca", "random", "spectral"}
    # same seed, same errors (times differ)
    again = aelib.mixture_comparison(n=40, m=3, N=600, noise_std=0.01, seed=1, steps=20, n_init=1)
    assert [r["error"] for r in rows] == [r["error"] for r in again]
    subset = aelib.mixture_comparison(n=40, m=3, N=600, noise_std=0.01, seed=1, steps=20, n_init=1,
                                      runs=[("autoencoder, threshold 1/2", "spectral")])
    assert [r["method"] for r in subset if r["method"].startswith("autoencoder")] == ["autoencoder, threshold 1/2"]
    assert subset[-1]["error"] == rows[-1]["error"]  # the oracle: same data
    with pytest.raises(ValueError, match="runs"):
        aelib.mixture_comparison(n=10, m=2, N=20, seed=0, runs=[("autoencoder, threshold 1/2", "pca")])
    with pytest.raises(ValueError, match="dtype"):
        aelib.mixture_comparison(n=10, m=2, N=20, seed=0, dtype="int8")
    with pytest.raises(ValueError, match="m"):
        aelib.mixture_comparison(n=10, m=1, N=20, seed=0)


def test_sparse_comparison_and_tuning_point_small():
    kw = dict(n=40, m=8, k=2, N=800, noise_std=0.005, seed=3)
    rows = aelib.sparse_comparison(**kw, steps=20, max_iter=2, batch_size=64)
    assert all(set(r) == ROW_KEYS and r["problem"] == "sparse" for r in rows)
    by = {(r["method"], r["start"]): r for r in rows}
    start = by["start only", "perturbation"]["error"]
    for method in ("autoencoder, threshold 1/2", "neural sparse coding"):
        assert by[method, "perturbation"]["error"] < start
    assert by["oracle least squares", "-"]["error"] < 0.5 * by["neural sparse coding", "perturbation"]["error"]
    point = aelib.dictionary_learning_point(**kw, alpha=0.2, init="own", max_iter=2, batch_size=64)
    assert set(point) == {"alpha", "init", "error", "seconds"} and point["alpha"] == 0.2
    # the tuning point sees the comparison's data: same error for the same settings
    assert point["error"] == pytest.approx(by["dictionary learning", "own"]["error"], rel=1e-9)
    with pytest.raises(ValueError, match="init"):
        aelib.dictionary_learning_point(**kw, alpha=0.2, init="pca")
    with pytest.raises(ValueError, match="k"):
        aelib.sparse_comparison(n=10, m=4, k=5, N=20, seed=0)
