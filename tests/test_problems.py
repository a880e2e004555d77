"""Tests of aelib.problems: the problem factory and the registry of starts.

Each former inline setup of the experiment drivers is restated literally below (the code
as it stood in baselines, starts, experiments, recovery and samples before the fold), and
make_problem / make_start must draw exactly the same arrays from it.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import aelib
from aelib import problems


def _same(a, b):
    """Same dtype and the same bits: for the same computation, made twice."""
    return a.dtype == b.dtype and np.array_equal(a, b)


# --- the former setups, restated literally -----------------------------------------------


def test_mixture_seed_n_m_stream_as_start_trial_drew_it():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # starts.start_trial: SeedSequence([seed, n, m]), three streams, one child per start name
    seed, n, m, N, noise = 3, 30, 4, 200, 0.02
    model_seq, data_seq, init_seq = np.random.SeedSequence([seed, n, m]).spawn(3)
    A = aelib.random_dictionary(n, m, rng=np.random.default_rng(model_seq))
    Y, X = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=np.random.default_rng(data_seq), dtype=np.float32)
    rngs = [np.random.default_rng(s) for s in init_seq.spawn(3)]
    W_random = aelib.random_init(n, m, rng=rngs[0])
    W_pert = aelib.perturbed_init(A, 0.5, rng=rngs[2])

    p = aelib.make_problem("mixture", n, m, 1, N, noise, (seed, n, m), dtype=np.float32)
    assert p.kind == "mixture" and isinstance(p.model, aelib.GaussianMixture)
    assert _same(p.A, A) and _same(p.Y, Y) and _same(p.X_star, X)
    new = p.start_rngs(3)
    assert _same(aelib.make_start("random", p.A, p.Y, new[0]), W_random)
    assert _same(aelib.make_start("perturbation", p.A, p.Y, new[2], delta=0.5), W_pert)
    assert _same(aelib.make_start("pca", p.A, p.Y, None), aelib.pca_init(Y, m))
    # the children are the same on every call (spawning a SeedSequence is stateful; this is not)
    assert _same(aelib.make_start("random", p.A, p.Y, p.start_rngs(3)[0]), W_random)


def test_sparse_seed_n_m_k_stream_as_the_comparison_drew_it():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # baselines._sparse_problem + sparse_comparison's start streams
    seed, n, m, k, N, noise = 2, 40, 6, 2, 1000, 0.01  # a seed where the spectral start finds m columns
    model_seq, data_seq, init_seq = np.random.SeedSequence([seed, n, m, k]).spawn(3)
    A = aelib.random_dictionary(n, m, rng=np.random.default_rng(model_seq))
    Y, X = aelib.SparseCoding(A, k=k, noise_std=noise).sample(N, rng=np.random.default_rng(data_seq))
    spectral_rng, perturbation_rng, _ = (np.random.default_rng(s) for s in init_seq.spawn(3))
    W_pert = aelib.perturbed_init(A, 0.3, rng=perturbation_rng)
    W_spec = aelib.spectral_init(Y, m, rng=spectral_rng)

    p = aelib.make_problem("sparse", n, m, k, N, noise, (seed, n, m, k))
    assert isinstance(p.model, aelib.SparseCoding) and p.model.a1 == 1.0
    assert _same(p.A, A) and _same(p.Y, Y) and _same(p.X_star, X)
    spec, pert = p.start_rngs(2)
    assert _same(aelib.make_start("perturbation", p.A, p.Y, pert, delta=0.3), W_pert)
    assert _same(aelib.make_start("spectral", p.A, p.Y, spec), W_spec)


def test_nonnegative_stream_as_recovery_point_drew_it():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # recovery.recovery_point: model from seeds[0], one start generator on seeds[2], data on seeds[1] (float32)
    seed, n, m, k, N, noise = 2, 30, 8, 3, 250, 0.01
    seeds = np.random.SeedSequence([int(seed), n, m, k]).spawn(3)
    A = aelib.random_dictionary(n, m, rng=np.random.default_rng(seeds[0]))
    model = aelib.NonnegativeSparseCoding(A, k=k, a1=1.0, a2=1.5, noise_std=noise)
    init_rng = np.random.default_rng(seeds[2])
    starts = [aelib.perturbed_init(A, d, rng=init_rng) for d in (0.2, 0.4)]
    Y, X = model.sample(N, rng=np.random.default_rng(seeds[1]), dtype=np.float32)

    p = aelib.make_problem("nonnegative", n, m, k, N, noise, (seed, n, m, k), dtype=np.float32)
    assert isinstance(p.model, aelib.NonnegativeSparseCoding)
    assert (p.model.a1, p.model.a2) == problems.NONNEGATIVE_RANGE == (1.0, 1.5)
    assert _same(p.A, A) and _same(p.Y, Y) and _same(p.X_star, X)
    rng = p.start_rng()
    for W, d in zip(starts, (0.2, 0.4)):
        assert _same(aelib.make_start("perturbation", p.A, None, rng, delta=d), W)
    # N=None draws no data: the data stream is left for the caller (floor_decomposition)
    q = aelib.make_problem("nonnegative", n, m, k, None, noise, (seed, n, m, k))
    assert q.Y is None and q.X_star is None and _same(q.A, A)
    Y2, _ = q.model.sample(N, rng=q.data_rng(), dtype=np.float32)
    assert _same(Y2, Y)


def test_seed_t_stream_as_draw_trial_drew_it():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # experiments.draw_trial: SeedSequence([seed, trial]), one child per init, in the order given
    seed, trial, n, m, N, noise = 5, 2, 20, 3, 100, 0.02
    model_seq, data_seq, init_seq = np.random.SeedSequence([seed, trial]).spawn(3)
    A = aelib.random_dictionary(n, m, rng=np.random.default_rng(model_seq))
    Y, X = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=np.random.default_rng(data_seq), dtype=np.float32)
    children = init_seq.spawn(3)
    old = {"perturbation": aelib.perturbed_init(A, 0.4, rng=np.random.default_rng(children[0])).astype(np.float32),
           "pca": aelib.pca_init(Y, m).astype(np.float32),
           "random": aelib.random_init(n, m, rng=np.random.default_rng(children[2])).astype(np.float32)}

    model, Y_new, X_new, starts = aelib.draw_trial(aelib.mixture_factory(n, m, noise), aelib.paper_inits(0.4),
                                                   N=N, seed=seed, trial=trial)
    assert _same(model.A, A) and _same(Y_new, Y) and _same(X_new, X)
    assert list(starts) == list(old) and all(_same(starts[name], old[name]) for name in old)
    p = aelib.draw_problem(aelib.model_factory("mixture", n, m, 1, noise), N, (seed, trial), dtype=np.float32)
    assert _same(p.A, A) and _same(p.Y, Y)


def test_data_seed_stream_as_sample_point_drew_it():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # samples.sample_point: SeedSequence([seed, n, m, k]).spawn(2) for A and W^0; data from [seed, n, m, k, N]
    seed, n, m, k, N = 4, 30, 6, 2, 200
    base = np.random.SeedSequence([int(seed), n, m, k]).spawn(2)
    A = aelib.random_dictionary(n, m, rng=np.random.default_rng(base[0]))
    W0 = aelib.perturbed_init(A, 0.3, rng=np.random.default_rng(base[1]))
    model = aelib.SparseCoding(A, k=k, noise_std=0.01)
    Y, X = model.sample(N, rng=np.random.default_rng(np.random.SeedSequence([seed, n, m, k, N])), dtype=np.float32)

    p = aelib.make_problem("sparse", n, m, k, N, 0.01, (seed, n, m, k), data_seed=(seed, n, m, k, N),
                           dtype=np.float32)
    assert _same(p.A, A) and _same(p.Y, Y) and _same(p.X_star, X)
    assert _same(aelib.make_start("perturbation", p.A, None, p.start_rng(), delta=0.3), W0)


def test_one_generator_is_one_stream_in_the_order_A_data_starts():
    """The same computation: the factory makes the restated setup's calls, on the same streams: bit-identical."""
    # descent.run_mixture_descent's scheme: default_rng(seed) draws A, then Y, then W^0
    rng = np.random.default_rng(7)
    A = aelib.random_dictionary(20, 3, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(50, rng=rng, dtype=np.float32)
    W0 = aelib.perturbed_init(A, 0.3, rng=rng)

    p = aelib.make_problem("mixture", 20, 3, 1, 50, 0.01, np.random.default_rng(7), dtype=np.float32)
    assert _same(p.A, A) and _same(p.Y, Y)
    assert _same(aelib.make_start("perturbation", p.A, p.Y, p.start_rng(), delta=0.3), W0)
    with pytest.raises(ValueError, match="start_rng"):
        p.start_rngs(2)


def test_noise_level_does_not_enter_the_streams():
    """A and the codes: the same draws whatever the noise level, and an int seed is its one-entry
    sequence (the same computation each): bit-identical. The noise part of Y, scaled, is compared
    within rounding.
    """
    a = aelib.make_problem("mixture", 20, 3, 1, 80, 0.01, (0, 20, 3))
    b = aelib.make_problem("mixture", 20, 3, 1, 80, 0.03, (0, 20, 3))
    assert _same(a.A, b.A) and _same(a.X_star, b.X_star)
    np.testing.assert_allclose(b.Y - b.A @ b.X_star, 3 * (a.Y - a.A @ a.X_star), rtol=1e-9, atol=1e-12)
    # an int seed is the one-entry entropy
    assert _same(aelib.make_problem("sparse", 20, 6, 2, 10, 0.0, 9).Y,
                 aelib.make_problem("sparse", 20, 6, 2, 10, 0.0, [9]).Y)
    # and different entropies give different problems
    assert not np.array_equal(a.A, aelib.make_problem("mixture", 20, 3, 1, 80, 0.01, (1, 20, 3)).A)


def test_model_factory_is_picklable_and_matches_make_model():
    """The same computation: the unpickled factory calls random_dictionary on the same stream: bit-identical."""
    factory = aelib.model_factory("nonnegative", 15, 5, 2, 0.0, a1=0.5, a2=2.0)
    again = pickle.loads(pickle.dumps(factory))
    A = aelib.random_dictionary(15, 5, rng=3)
    model = again(np.random.default_rng(3))
    assert _same(model.A, A) and (model.a1, model.a2, model.k) == (0.5, 2.0, 2)
    assert isinstance(aelib.mixture_factory(15, 5, 0.1)(np.random.default_rng(0)), aelib.GaussianMixture)


# --- the registry of starts -----------------------------------------------------------------


def test_registry_names_and_paper_inits():
    """The caller's A against its copy: bit-identical."""
    assert tuple(aelib.START_REGISTRY) == ("perturbation", "pca", "random", "spectral")
    assert set(aelib.START_NAMES) <= set(aelib.START_REGISTRY)
    assert list(aelib.paper_inits()) == ["perturbation", "pca", "random"]
    p = aelib.make_problem("mixture", 20, 3, 1, 100, 0.01, (0, 1))
    W = aelib.make_start("random", p.A, p.Y, np.random.default_rng(1))
    assert W.shape == (20, 3)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0)
    # the caller's arrays are left alone
    A0 = p.A.copy()
    aelib.make_start("perturbation", p.A, p.Y, np.random.default_rng(1), delta=0.5)
    assert np.array_equal(p.A, A0)


def test_registry_rejects_unknown_names_and_missing_data():
    p = aelib.make_problem("mixture", 20, 3, 1, 100, 0.01, 0)
    with pytest.raises(ValueError, match=r"name: unknown start 'svd'.*perturbation"):
        aelib.make_start("svd", p.A, p.Y, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Y: the 'pca' start needs the data"):
        aelib.make_start("pca", p.A, None, np.random.default_rng(0))
    with pytest.raises(ValueError, match="delta"):
        aelib.make_start("perturbation", p.A, None, np.random.default_rng(0), delta=-1.0)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(kind="gaussian"), "kind"),
        (dict(n=0), "n"),
        (dict(m=1.5), "m"),
        (dict(k=2), "k"),  # the mixture has k = 1
        (dict(kind="sparse", k=9), "k"),  # k <= m
        (dict(N=0), "N"),
        (dict(noise_std=-0.1), "noise_std"),
        (dict(seed=-1), "seed"),
        (dict(seed=(1, -2)), "seed"),
        (dict(seed=()), "seed"),
        (dict(seed="0"), "seed"),
        (dict(seed=True), "seed"),
        (dict(dtype=np.int64), "dtype"),
        (dict(data_seed=-3), "data_seed"),
    ],
)
def test_make_problem_rejects_bad_input(kwargs, argument):
    args = dict(kind="mixture", n=10, m=4, k=1, N=20, noise_std=0.01, seed=0)
    args.update(kwargs)
    extra = {key: args.pop(key) for key in ("dtype", "data_seed") if key in args}
    with pytest.raises(ValueError, match=rf"^{argument}:"):
        aelib.make_problem(args["kind"], args["n"], args["m"], args["k"], args["N"], args["noise_std"], args["seed"],
                           **extra)


def test_data_seed_needs_a_seed_sequence():
    with pytest.raises(ValueError, match="data_seed"):
        aelib.make_problem("mixture", 10, 3, 1, 20, 0.0, np.random.default_rng(0), data_seed=(0, 1))


def test_make_model_names_the_kind():
    with pytest.raises(ValueError, match="kind"):
        problems.make_model("dense", np.eye(3), k=1)
    assert aelib.make_model is problems.make_model is aelib.recovery.make_model
