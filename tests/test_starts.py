"""Tests of aelib.starts: diagnostics of random and PCA starts (chapter 10)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import aelib
from aelib import starts
from rounding import assert_within_rounding


@pytest.fixture(scope="module")
def problem():
    n, m = 40, 4
    A = aelib.random_dictionary(n, m, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(400, rng=1)
    return A, Y


# --- dead units ----------------------------------------------------------------------


def test_dead_units_relu_and_threshold(problem):
    A, Y = problem
    m = A.shape[1]
    assert not aelib.dead_units(A, 0.0, Y).any()  # W = A fires on its own cluster
    assert aelib.dead_units(A, -2.0, Y).all()  # <A_i, y> <= ~1 < 2: all silent
    assert not aelib.dead_units(A, 0.0, Y, activation="threshold", lam=0.5).any()
    # a column orthogonal to the data span never passes the threshold 1/2
    Q, _ = np.linalg.qr(np.column_stack([A, np.random.default_rng(3).standard_normal(A.shape[0])]))
    W = A.copy()
    W[:, 2] = Q[:, m]
    dead = aelib.dead_units(W, 0.0, Y, activation="threshold", lam=0.5)
    assert dead.tolist() == [False, False, True, False]


def test_dead_units_per_unit_bias(problem):
    A, Y = problem
    b = np.array([0.0, -5.0, 0.0, -5.0])
    assert aelib.dead_units(A, b, Y).tolist() == [False, True, False, True]


# --- nearest columns, duplicates, coverage, cosines ----------------------------------------


def test_nearest_and_duplicates(problem):
    A, _ = problem
    W = A[:, [0, 0, 1, 3]].copy()
    W[:, 1] = aelib.normalize_columns((A[:, 0] + 0.3 * A[:, 2])[:, None])[:, 0]  # close to A_0, less than W_0
    index, cosine = aelib.nearest_columns(W, A)
    assert index.tolist() == [0, 0, 1, 3]
    assert cosine[0] == pytest.approx(1.0) and cosine[1] < 1.0
    dup = aelib.duplicate_columns(W, A)
    assert dup.tolist() == [False, True, False, False]
    # a dead column is never a duplicate and takes no cluster
    assert not aelib.duplicate_columns(W, A, live=np.array([True, False, True, True])).any()
    # the pigeonhole: one duplicate leaves one cluster (A_2) uncovered
    assert aelib.coverage(W, A, radius=0.1).tolist() == [True, True, False, True]


def test_signs_in_matching(problem):
    A, _ = problem
    W = -A
    assert aelib.coverage(W, A, radius=0.1).sum() == 0
    assert aelib.coverage(W, A, radius=0.1, signs=True).all()
    index, cosine = aelib.nearest_columns(W, A, signs=True)
    assert index.tolist() == list(range(A.shape[1]))
    assert np.allclose(cosine, 1.0)


def test_max_cosine():
    assert aelib.max_cosine(np.eye(5)[:, :3]) == pytest.approx(0.0)
    W = np.eye(4)[:, :3].copy()
    W[:, 2] = W[:, 0] * 2.0  # same direction, other norm
    assert aelib.max_cosine(W) == pytest.approx(1.0)
    W[:, 2] = -W[:, 0]
    assert aelib.max_cosine(W) == pytest.approx(0.0)
    assert aelib.max_cosine(W, signs=True) == pytest.approx(1.0)


def test_classify_columns(problem):
    A, Y = problem
    assert list(aelib.classify_columns(A, 0.0, Y, A)) == ["recovered"] * 4
    W = A.copy()
    W[:, 1] = aelib.normalize_columns((A[:, 1] + 0.3 * A[:, 0] / 0.9)[:, None])[:, 0]  # near, ~0.3 off
    W[:, 2] = aelib.normalize_columns((A[:, 0] + A[:, 3])[:, None])[:, 0]  # between two clusters
    labels = aelib.classify_columns(W, 0.0, Y, A, activation="threshold", lam=0.5)
    assert labels[0] == "recovered" and labels[1] == "near" and labels[3] == "recovered"
    assert labels[2] in ("straddle", "duplicate")
    W[:, 2] = 0.0
    W[0, 2] = 1.0  # unrelated direction: silent under the threshold
    labels = aelib.classify_columns(W, 0.0, Y, A, activation="threshold", lam=0.5)
    assert labels[2] == "dead"


def test_collision_free_probability():
    assert aelib.collision_free_probability(1) == pytest.approx(1.0)
    assert aelib.collision_free_probability(2) == pytest.approx(0.5)
    assert aelib.collision_free_probability(3) == pytest.approx(6 / 27)
    assert aelib.collision_free_probability(10) == pytest.approx(math.factorial(10) / 10**10)


# --- the trial runner and the summaries --------------------------------------------------


def test_start_trial_records_and_determinism():
    """The same point twice: the same computation, bit-identical."""
    kwargs = dict(n=48, m=3, noise_std=0.02, N=300, seed=5, steps=30)
    first = aelib.start_trial(**kwargs)
    second = aelib.start_trial(**kwargs)
    assert first == second  # a point is a pure function of its parameters
    assert len(first) == len(aelib.START_ENCODERS) * len(aelib.START_NAMES)
    pairs = [(r["encoder"], r["start"]) for r in first]
    assert pairs == [(e, s) for e in aelib.START_ENCODERS for s in aelib.START_NAMES]
    for r in first:
        assert r["recovered"] == (r["cause"] == "none")
        assert r["recovered"] <= r["located"]
        assert sum(r[c] for c in aelib.FAILURE_CAUSES[1:]) <= 3  # column labels
        assert not r["stalled"] or r["cause"] == "stalled"
        assert 0 <= r["stuck_start"] <= r["dead_start"] or r["encoder"] == "threshold"
    by_pair = {(r["encoder"], r["start"]): r for r in first}
    # the threshold encoder recovers A from a 0.5-perturbation (Thm. 4 (i)) ...
    assert by_pair["threshold", "perturbation"]["recovered"]
    # ... but a random start is silent: |<W_j, y>| ~ 1/sqrt(n) << 1/2
    assert by_pair["threshold", "random"]["stuck_start"] == 3
    assert by_pair["threshold", "random"]["cause"] == "dead"
    # the paper's b0 = -1.25 silences every unit of every start at step 0
    assert all(by_pair["relu-decay", s]["dead_start"] == 3 for s in aelib.START_NAMES)


def test_stalled_pca_start():
    # m = 2: each PCA column has |<W_j, A_i>| ~ 0.7 > 1/2 on both clusters, so under the threshold
    # every unit fires on every sample, the encoder is linear and the PCA start is stationary
    kwargs = dict(n=64, m=2, noise_std=0.02, N=1000, encoders=["threshold"], starts=["pca"])
    stalled = aelib.start_trial(seed=4, **kwargs)[0]
    assert stalled["stalled"] and stalled["cause"] == "stalled"
    assert not stalled["recovered"] and not stalled["located"]
    moving = aelib.start_trial(seed=0, **kwargs)[0]  # one PCA column misses a cluster: not linear
    assert not moving["stalled"] and moving["recovered"]

    A = aelib.random_dictionary(64, 2, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.02).sample(1000, rng=1)
    W0 = aelib.pca_init(Y, 2)
    assert np.all(np.abs(W0.T @ Y) > 0.5)  # this problem's PCA start is linear on the data
    assert aelib.stalled_start(W0, 0.0, Y, lr=2.0, activation="threshold", lam=0.5)
    # moved off the stationary point, it is not stalled; silent units are not stalled either
    assert not aelib.stalled_start(aelib.normalize_columns(W0 + 0.1 * A), 0.0, Y, lr=2.0,
                                   activation="threshold", lam=0.5)
    assert not aelib.stalled_start(W0, -5.0, Y, lr=2.0)
    # a random start under ReLU with b = 0: units fire on about half the samples, not all
    assert not aelib.stalled_start(aelib.random_init(64, 2, rng=2), 0.0, Y, lr=2.0)


def test_start_trial_noise_keeps_common_random_numbers():
    a = aelib.start_trial(n=32, m=2, noise_std=0.0, N=200, seed=1, steps=0, encoders=["threshold"], starts=["random"])
    b = aelib.start_trial(n=32, m=2, noise_std=0.5, N=200, seed=1, steps=0, encoders=["threshold"], starts=["random"])
    # same A and same random start: the distance at step 0 does not depend on the noise
    assert a[0]["distance"] == pytest.approx(b[0]["distance"])


def test_start_trial_bad_input():
    with pytest.raises(ValueError, match="encoders"):
        aelib.start_trial(n=8, m=2, noise_std=0.0, N=10, seed=0, encoders=["sigmoid"])
    with pytest.raises(ValueError, match="starts"):
        aelib.start_trial(n=8, m=2, noise_std=0.0, N=10, seed=0, starts=["kmeans"])
    with pytest.raises(ValueError, match="m"):
        aelib.start_trial(n=8, m=1, noise_std=0.0, N=10, seed=0)
    with pytest.raises(ValueError, match="dtype"):
        aelib.start_trial(n=8, m=2, noise_std=0.0, N=10, seed=0, dtype="float16")


def _record(encoder, start, n, recovered, cause="none", stuck=0, located=None):
    return {"encoder": encoder, "start": start, "n": n, "m": 2, "recovered": recovered,
            "located": recovered if located is None else located, "cause": cause, "stuck_start": stuck}


def test_summaries():
    records = [
        [_record("e", "random", 10, True), _record("e", "random", 10, False, "dead", stuck=1)],
        [_record("e", "random", 20, False, "duplicate", located=False), _record("e", "pca", 20, True)],
    ]
    P = aelib.success_probability(records, ("encoder", "start", "n"))
    assert P[("e", "random", 10)] == (0.5, 2)
    assert P[("e", "random", 20)] == (0.0, 1)
    rows, cols, grid, runs = aelib.success_grid(records, "n", "m")
    assert rows == [10, 20] and cols == [2]
    assert grid.shape == (1, 2, 2, 1)
    assert grid[0, 0, :, 0].tolist() == [0.5, 0.0]
    assert np.isnan(grid[0, 1, 0, 0]) and runs[0, 1, 0, 0] == 0
    causes = aelib.failure_causes(records)
    assert causes[("e", "random")]["failures"] == 2
    assert causes[("e", "random")]["dead"] == 0.5 and causes[("e", "random")]["duplicate"] == 0.5
    assert causes[("e", "pca")]["failures"] == 0 and causes[("e", "pca")]["dead"] == 0.0
    given = aelib.failure_given(records, "stuck_start")
    assert given[("e", "random")]["fail_with"] == 1.0
    assert given[("e", "random")]["fail_without"] == 0.5
    assert given[("e", "random")]["explained"] == 0.5
    assert math.isnan(given[("e", "pca")]["fail_with"])


def test_summaries_bad_input():
    with pytest.raises(ValueError, match="records"):
        aelib.success_probability([], ("n",))
    with pytest.raises(ValueError, match="lacks"):
        aelib.success_probability([_record("e", "random", 1, True)], ("k",))
    with pytest.raises(ValueError, match="key"):
        aelib.failure_given([_record("e", "random", 1, True)], "nothing")


def test_diagnostics_bad_input(problem):
    A, Y = problem
    with pytest.raises(ValueError):
        aelib.dead_units(A, 0.0, Y[:-1])
    with pytest.raises(ValueError, match="lam"):
        aelib.dead_units(A, 0.0, Y, activation="threshold")
    with pytest.raises(ValueError, match="live"):
        aelib.duplicate_columns(A, A, live=np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="radius"):
        aelib.coverage(A, A, radius=-1.0)
    with pytest.raises(ValueError, match="2 columns"):
        aelib.max_cosine(A[:, :1])
    with pytest.raises(ValueError, match="locate_radius"):
        aelib.classify_columns(A, 0.0, Y, A, success_radius=0.5, locate_radius=0.1)
    with pytest.raises(ValueError, match="m"):
        aelib.collision_free_probability(0)


# --- schedules in phases (train_phases, schedule_trial) ------------------------------------


def test_train_phases_matches_train_phase_by_phase(problem):
    """Two code paths (train_phases stacks through train_many; train runs alone), within rounding."""
    A, Y = problem
    m = A.shape[1]
    W0s = [aelib.random_init(A.shape[0], m, rng=s) for s in (1, 2)]
    phases = [(aelib.TrainSettings(activation="relu", b0=-0.5, bias_decay=2.0), 4),
              ({"activation": "relu", "b0": -0.25}, 3)]
    results = aelib.train_phases(Y, W0s, phases, lr=float(m), A=A)
    for W0, result in zip(W0s, results):
        first = aelib.train(Y, W0, -0.5, lr=float(m), steps=4, bias_decay=2.0, A=A)
        second = aelib.train(Y, first.W, -0.25, lr=float(m), steps=3, A=A)
        assert_within_rounding(result.W, second.W)
        assert_within_rounding(result.b, second.b)
        assert result.steps_run == 7 and not result.stopped_early
        # the histories are joined: entries 0-3 from phase 1, 4-7 from phase 2 (its b0 at the boundary)
        assert result.loss.shape == (8,) and result.bias.shape == (8, m) and result.distance.shape == (8,)
        assert_within_rounding(result.loss, np.concatenate([first.loss[:-1], second.loss]))
        assert_within_rounding(result.distance, np.concatenate([first.distance[:-1], second.distance]))
        assert result.bias[:, 0].tolist() == [-0.5, -0.25, -0.125, -0.0625, -0.25, -0.25, -0.25, -0.25]


def test_train_phases_one_phase_is_train_many(problem):
    """The same computation (one phase is one train_many call): bit-identical."""
    A, Y = problem
    W0s = [aelib.random_init(A.shape[0], A.shape[1], rng=3)]
    setting = aelib.TrainSettings(activation="threshold", lam=0.5)
    alone = aelib.train_phases(Y, W0s, [(setting, 5)], lr=4.0)[0]
    many = aelib.train_many(Y, W0s, [setting.replace(lr=4.0)], steps=5)[0]
    np.testing.assert_array_equal(alone.W, many.W)
    np.testing.assert_array_equal(alone.loss, many.loss)
    assert alone.distance is None


def test_train_phases_bad_input(problem):
    A, Y = problem
    W0s = [A]
    relu = aelib.TrainSettings(activation="relu", b0=-0.1)
    with pytest.raises(ValueError, match="phases"):
        aelib.train_phases(Y, W0s, [], lr=1.0)
    with pytest.raises(ValueError, match=r"phases\[0\]"):
        aelib.train_phases(Y, W0s, [relu], lr=1.0)
    with pytest.raises(ValueError, match=r"phases\[1\]"):
        aelib.train_phases(Y, W0s, [(relu, 2), ({"decay": 2.0}, 2)], lr=1.0)
    with pytest.raises(ValueError, match=r"phases\[0\] steps"):
        aelib.train_phases(Y, W0s, [(relu, -1)], lr=1.0)
    with pytest.raises(ValueError, match="lr"):
        aelib.train_phases(Y, W0s, [(relu, 1)], lr=0.0)


def test_tightening_schedules_are_permissive_then_tight():
    for name, phases in aelib.TIGHTENING_SCHEDULES.items():
        assert sum(steps for _, steps in phases) == 50, name  # Sec. 6's T
        first, last = phases[0][0], phases[-1][0]
        assert last["b0"] == -0.25 and last.get("bias_decay", 1.0) == 1.0, name  # tight at the end
        # the last bias of the first phase is more permissive than the final one
        assert abs(first["b0"]) / first.get("bias_decay", 1.0) ** (phases[0][1] - 1) < 0.25, name


def test_schedule_trial_records_pair_with_start_trial():
    """The same problem and starts as start_trial; the same point twice is bit-identical."""
    kwargs = dict(n=128, m=5, noise_std=0.02, N=1000, seed=0)
    records = aelib.schedule_trial(**kwargs)
    assert records == aelib.schedule_trial(**kwargs)
    assert [(r["encoder"], r["start"]) for r in records] == [
        (e, s) for e in aelib.TIGHTENING_SCHEDULES for s in aelib.START_NAMES]
    baseline = {(r["encoder"], r["start"]): r for r in aelib.start_trial(**kwargs)}
    for r in records:
        assert r["steps"] == 50 and "stuck_start" not in r  # abs(b) grows: not defined
        assert r["collisions_start"] == baseline["relu-floor", r["start"]]["collisions_start"]  # same W0
        assert r["recovered"] == (r["cause"] == "none")
    by_pair = {(r["encoder"], r["start"]): r for r in records}
    # the decay phase wakes the random start's units, which the floor alone leaves dead
    assert baseline["relu-floor", "random"]["cause"] == "dead"
    assert by_pair["decay, then 0.25", "random"]["recovered"]
    assert by_pair["decay, then 0.25", "random"]["dead_start"] == 5  # b0 = -1.25 silences every unit
    # start_trial's records keep stuck_start: abs(b) never grows there
    assert all("stuck_start" in r for r in baseline.values())


def test_schedule_trial_bad_input():
    with pytest.raises(ValueError, match="schedules"):
        aelib.schedule_trial(n=8, m=2, noise_std=0.0, N=10, seed=0, schedules=["cosine"])
    with pytest.raises(ValueError, match="starts"):
        aelib.schedule_trial(n=8, m=2, noise_std=0.0, N=10, seed=0, starts=["kmeans"])
    with pytest.raises(ValueError, match="N"):
        aelib.schedule_trial(n=8, m=2, noise_std=0.0, N=1, seed=0)
