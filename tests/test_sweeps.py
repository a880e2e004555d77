"""Tests of aelib.sweeps: parallel parameter sweeps with an atomic per-point disk cache.

Calls are counted through marker files written by the swept function (one file per
call), so the count is right whatever process or thread ran the call.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
import os
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config

import aelib
from aelib import sweeps
from aelib.sweeps import CacheWarning, cache_key, grid_product, sweep


def record(x, log, fail_at=None, delay=0.0):
    """x squared, leaving one marker file per call in ``log``; raises when x == fail_at."""
    Path(log, f"{x}-{uuid.uuid4().hex}").touch()
    if delay:
        time.sleep(delay)
    if fail_at is not None and x == fail_at:
        raise RuntimeError(f"simulated crash at x={x}")
    return {"x": x, "square": x * x, "array": np.full(2, x, dtype=float)}


def calls(log) -> list:
    """The x of every call so far, sorted."""
    return sorted(int(name.split("-")[0]) for name in os.listdir(log))


def cache_files(cache) -> list:
    return sorted(p for p in Path(cache).rglob("*") if p.is_file())


def settle(log, cache, quiet=0.3, limit=10.0):
    """Wait until no call or write has happened for ``quiet`` seconds."""
    start, last, seen = time.time(), time.time(), None
    while time.time() - start < limit:
        now = (len(os.listdir(log)), sorted(p.name for p in Path(cache).rglob("*")))
        if now != seen:
            seen, last = now, time.time()
        elif time.time() - last > quiet:
            return
        time.sleep(0.02)


@pytest.fixture
def dirs(tmp_path):
    log, cache = tmp_path / "log", tmp_path / "cache"
    log.mkdir()
    return str(log), cache


@pytest.fixture(autouse=True)
def no_cache_env(monkeypatch):
    monkeypatch.delenv(sweeps.CACHE_ENV, raising=False)


def test_exported():
    for name in ["sweep", "grid_product", "cache_key", "CacheWarning"]:
        assert getattr(aelib, name) is getattr(sweeps, name)
        assert name in aelib.__all__


def test_grid_product_order_and_fixed_values():
    grid = grid_product(a=[1, 2], b="xy", c=range(3), d=None)
    assert len(grid) == 6
    assert grid[0] == {"a": 1, "b": "xy", "c": 0, "d": None}
    assert [(p["a"], p["c"]) for p in grid] == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]
    assert list(grid[0]) == ["a", "b", "c", "d"]
    assert grid_product() == [{}]
    assert grid_product(a=[[1, 2]]) == [{"a": [1, 2]}]


def test_without_cache_every_point_is_computed(dirs):
    log, _ = dirs
    grid = grid_product(x=[3, 1, 3], log=log)
    out = sweep(record, grid)
    assert [r["square"] for r in out] == [9, 1, 9]
    assert calls(log) == [1, 3, 3]
    sweep(record, grid)
    assert len(calls(log)) == 6


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_grid_order_is_kept_with_two_jobs(dirs, backend):
    log, cache = dirs
    xs = [5, 4, 3, 2, 1, 0]
    # later points are faster, so they finish first
    grid = [{"x": x, "log": log, "delay": 0.02 * x} for x in xs]
    out = sweep(record, grid, n_jobs=2, backend=backend, cache_dir=cache)
    assert [r["x"] for r in out] == xs
    assert len(cache_files(cache)) == len(xs)
    again = sweep(record, grid, n_jobs=2, backend=backend, cache_dir=cache)
    assert [r["x"] for r in again] == xs
    assert calls(log) == sorted(xs)


def test_parallel_config_context_is_used(dirs):
    _, cache = dirs

    def where(i):
        return threading.current_thread() is threading.main_thread()

    assert sweep(where, grid_product(i=range(4))) == [True] * 4
    with parallel_config(backend="threading", n_jobs=2):
        assert sweep(where, grid_product(i=range(4))) == [False] * 4


def test_second_call_loads_from_cache(dirs):
    """A cache hit against the computation it stored: bit-identical."""
    log, cache = dirs
    grid = grid_product(x=range(5), log=log)
    first = sweep(record, grid, cache_dir=cache)
    assert calls(log) == [0, 1, 2, 3, 4]
    second = sweep(record, grid, cache_dir=cache)
    assert calls(log) == [0, 1, 2, 3, 4]  # func was not called again
    for a, b in zip(first, second):
        assert a["square"] == b["square"]
        np.testing.assert_array_equal(a["array"], b["array"])
    # a larger grid computes only its new points
    sweep(record, grid_product(x=range(7), log=log), cache_dir=cache)
    assert calls(log) == [0, 1, 2, 3, 4, 5, 6]


def test_files_are_one_per_point_in_a_folder_per_function(dirs):
    log, cache = dirs
    sweep(record, grid_product(x=range(3), log=log), cache_dir=cache)
    files = cache_files(cache)
    assert len(files) == 3
    assert {f.parent.name for f in files} == {f"{record.__module__}.record"}
    keys = {cache_key(record, {"x": x, "log": log}) for x in range(3)}
    assert {f.stem for f in files} == keys
    assert all(f.read_bytes().startswith(b"aelib-sweep-cache-1\n") for f in files)


def test_version_change_invalidates(dirs):
    log, cache = dirs
    grid = grid_product(x=range(3), log=log)
    sweep(record, grid, cache_dir=cache, version="1")
    sweep(record, grid, cache_dir=cache, version="1")
    assert len(calls(log)) == 3
    sweep(record, grid, cache_dir=cache, version="2")
    assert len(calls(log)) == 6
    assert cache_key(record, grid[0]) == cache_key(record, grid[0], version=aelib.__version__)
    assert cache_key(record, grid[0], version="1") != cache_key(record, grid[0], version="2")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_interrupted_sweep_resumes(dirs, tmp_path, n_jobs):
    """func raises on the 3rd point; finished points stay cached and a rerun completes the grid."""
    log, cache = dirs
    flag = tmp_path / "crash"
    flag.touch()  # while it exists, x == 2 fails (a transient failure, same grid)
    grid = grid_product(x=range(6), log=log, flag=str(flag))
    with pytest.raises(RuntimeError, match="transient failure"):
        sweep(flaky, grid, cache_dir=cache, n_jobs=n_jobs, backend="threading")
    settle(log, cache)  # joblib returns at the error; another thread may still be finishing
    done = calls(log)
    if n_jobs == 1:
        assert done == [0, 1, 2]
    finished = [x for x in done if x != 2]
    assert {0, 1} <= set(finished)
    assert len(cache_files(cache)) == len(finished)  # every finished point is on disk
    assert not list(Path(cache).rglob("*.tmp"))
    flag.unlink()
    out = sweep(flaky, grid, cache_dir=cache, n_jobs=n_jobs, backend="threading")
    assert out == [0, 1, 4, 9, 16, 25]
    rerun = calls(log)
    assert all(rerun.count(x) == 1 for x in finished)  # not recomputed
    assert sorted(set(rerun)) == list(range(6)) and rerun.count(2) == 2


def flaky(x, log, flag):
    Path(log, f"{x}-{uuid.uuid4().hex}").touch()
    if x == 2 and os.path.exists(flag):
        raise RuntimeError("transient failure")
    return x * x


def test_atomic_write_leaves_no_temp_files(dirs, monkeypatch):
    log, cache = dirs
    sweep(record, grid_product(x=range(4), log=log), cache_dir=cache)
    assert not [p for p in Path(cache).rglob("*") if p.name.endswith(".tmp")]

    # a crash between writing and renaming: no target file, no temp file
    def broken_replace(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(sweeps.os, "replace", broken_replace)
    with pytest.warns(CacheWarning, match="disk gone.*returned but not cached"):
        out = sweep(record, grid_product(x=[10], log=log), cache_dir=cache)
    assert out[0]["square"] == 100  # the result survives a cache that cannot be written
    monkeypatch.undo()
    files = cache_files(cache)
    assert len(files) == 4 and not [p for p in files if p.name.endswith(".tmp")]


def test_stale_temporary_files_are_removed(dirs):
    log, cache = dirs
    sweep(record, grid_product(x=[0], log=log), cache_dir=cache)
    folder = Path(cache) / f"{record.__module__}.record"
    stale, fresh = folder / ".dead.pkl.abc.tmp", folder / ".live.pkl.def.tmp"
    stale.write_bytes(b"half a resu")
    fresh.write_bytes(b"being writ")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    assert sweep(record, grid_product(x=[0], log=log), cache_dir=cache)[0]["square"] == 0
    assert not stale.exists() and fresh.exists()  # a live writer's file is left alone
    assert calls(log) == [0]


def test_unpicklable_result_is_a_clear_error(dirs):
    _, cache = dirs

    def make_lock(i):
        return threading.Lock()

    with pytest.raises(TypeError, match="cannot be pickled"):
        sweep(make_lock, [{"i": 0}], cache_dir=cache)
    assert cache_files(cache) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # a partial write
        lambda b: b"",  # an empty file
        lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]),  # a flipped byte
        lambda b: b"garbage" + b[7:],  # a wrong header
    ],
    ids=["truncated", "empty", "bitflip", "header"],
)
def test_corrupt_file_is_recomputed(dirs, damage):
    log, cache = dirs
    grid = grid_product(x=range(3), log=log)
    sweep(record, grid, cache_dir=cache)
    victim = Path(cache) / f"{record.__module__}.record" / f"{cache_key(record, grid[1])}.pkl"
    victim.write_bytes(damage(victim.read_bytes()))
    with pytest.warns(CacheWarning, match="ignoring cache file"):
        out = sweep(record, grid, cache_dir=cache)
    assert [r["square"] for r in out] == [0, 1, 4]
    assert calls(log) == [0, 1, 1, 2]
    sweep(record, grid, cache_dir=cache)  # repaired: no warning, no call
    assert calls(log) == [0, 1, 1, 2]


def test_file_of_another_point_is_rejected(dirs):
    log, cache = dirs
    grid = grid_product(x=range(2), log=log)
    sweep(record, grid, cache_dir=cache)
    folder = Path(cache) / f"{record.__module__}.record"
    a, b = (folder / f"{cache_key(record, p)}.pkl" for p in grid)
    b.write_bytes(a.read_bytes())
    with pytest.warns(CacheWarning, match="another point"):
        out = sweep(record, grid, cache_dir=cache)
    assert out[1]["square"] == 1


def test_canonical_keys():
    f = math.hypot
    same = [
        {"a": 0.5, "b": [1, 2], "c": 3, "d": True},
        {"d": np.bool_(True), "c": np.int64(3), "b": (1, 2), "a": np.float64(0.5)},
        {"a": np.array(0.5), "b": np.array([1, 2]).tolist(), "c": np.int32(3), "d": True},
    ]
    keys = {cache_key(f, p, version="1") for p in same}
    assert len(keys) == 1
    # pinned: changing the canonical form silently invalidates every cache
    assert keys.pop() == "38e9e54664bbee77209a39acf881f92a7933ebb0fc370101a0de3aa6ef3257ac"
    base = cache_key(f, same[0], version="1")
    for other in [
        {**same[0], "a": 0.25},
        {**same[0], "c": 3.0},  # 3 and 3.0 are different points
        {**same[0], "b": [2, 1]},
        {**same[0], "e": None},
    ]:
        assert cache_key(f, other, version="1") != base
    assert cache_key(math.atan2, same[0], version="1") != base


def test_array_and_nested_params():
    f = math.hypot
    x = np.arange(6.0).reshape(2, 3)
    k = cache_key(f, {"A": x, "opts": {"tol": 1e-3, "steps": (1, 2)}})
    assert k == cache_key(f, {"A": np.asfortranarray(x.copy()), "opts": {"steps": [1, 2], "tol": 0.001}})
    assert k != cache_key(f, {"A": x.T, "opts": {"tol": 1e-3, "steps": (1, 2)}})
    assert k != cache_key(f, {"A": x.astype(np.float32), "opts": {"tol": 1e-3, "steps": (1, 2)}})
    assert cache_key(f, {"p": Path("/a/b")}) == cache_key(f, {"p": "/a/b"})
    assert cache_key(f, {"z": float("nan")}) == cache_key(f, {"z": np.nan})


def test_keys_refuse_generators_lambdas_and_odd_keys():
    with pytest.raises(TypeError, match="integer seed"):
        cache_key(math.hypot, {"rng": np.random.default_rng(0)})
    with pytest.raises(TypeError, match="cannot build a cache key"):
        cache_key(math.hypot, {"obj": object()})
    with pytest.raises(TypeError, match="string dict keys"):
        cache_key(math.hypot, {"d": {1: 2}})
    with pytest.raises(ValueError, match="lambda"):
        cache_key(lambda x: x, {"x": 1})
    with pytest.raises(ValueError, match="lambda"):
        sweep(lambda x: x, [{"x": 1}], cache_dir="unused")


def test_partial_keys_include_bound_arguments():
    a = functools.partial(record, fail_at=1)
    b = functools.partial(record, fail_at=2)
    assert cache_key(a, {"x": 0}) != cache_key(b, {"x": 0})
    assert cache_key(a, {"x": 0}) == cache_key(functools.partial(record, fail_at=np.int64(1)), {"x": 0})


def test_duplicate_points_are_computed_once_with_a_cache(dirs):
    log, cache = dirs
    out = sweep(record, [{"x": 1, "log": log}, {"x": 2, "log": log}, {"x": np.int64(1), "log": log}], cache_dir=cache)
    assert [r["x"] for r in out] == [1, 2, 1]
    assert calls(log) == [1, 2]


def test_environment_variable_enables_and_false_disables(dirs, monkeypatch):
    log, cache = dirs
    grid = grid_product(x=range(2), log=log)
    monkeypatch.setenv(sweeps.CACHE_ENV, str(cache))
    sweep(record, grid)
    sweep(record, grid)
    assert calls(log) == [0, 1] and len(cache_files(cache)) == 2
    sweep(record, grid, cache_dir=False)
    assert calls(log) == [0, 0, 1, 1]
    with pytest.warns(CacheWarning, match="not cached"):
        assert sweep(lambda x: x + 1, [{"x": 1}]) == [2]


def test_bad_grid():
    with pytest.raises(TypeError, match="dict of keyword arguments"):
        sweep(math.hypot, [(1, 2)])
    assert sweep(math.hypot, []) == []


# --- the key covers the function's identity: a cache that cannot lie ----------------


def make_adder(amount):
    def add(x):
        return x + amount

    return add


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def apply(self, x):
        return x * self.factor


def add_offset(x, offset=1):
    return x + offset


def test_closures_with_different_values_do_not_share_results(tmp_path):
    one, hundred = make_adder(1), make_adder(100)
    assert one.__qualname__ == hundred.__qualname__  # the old key: module + qualname only
    grid = grid_product(x=[1, 2])
    assert sweep(one, grid, cache_dir=tmp_path) == [2, 3]
    assert sweep(hundred, grid, cache_dir=tmp_path) == [101, 102]
    assert sweep(make_adder(1), grid, cache_dir=tmp_path) == [2, 3]  # equal closure: a hit
    assert len(cache_files(tmp_path)) == 4
    assert cache_key(one, {"x": 1}) != cache_key(hundred, {"x": 1})
    assert cache_key(one, {"x": 1}) == cache_key(make_adder(1), {"x": 1})


def test_bound_methods_of_instances_with_different_state(tmp_path):
    grid = grid_product(x=[1, 2])
    assert sweep(Scaler(2).apply, grid, cache_dir=tmp_path) == [2, 4]
    assert sweep(Scaler(10).apply, grid, cache_dir=tmp_path) == [10, 20]
    assert cache_key(Scaler(2).apply, {"x": 1}) == cache_key(Scaler(2).apply, {"x": 1})
    assert cache_key(Scaler(2).apply, {"x": 1}) != cache_key(Scaler(2.0).apply, {"x": 1})


def test_partials_and_defaults_are_part_of_the_key(tmp_path):
    grid = grid_product(x=[1, 2])
    assert sweep(functools.partial(add_offset, offset=5), grid, cache_dir=tmp_path) == [6, 7]
    assert sweep(functools.partial(add_offset, offset=7), grid, cache_dir=tmp_path) == [8, 9]
    assert sweep(add_offset, grid, cache_dir=tmp_path) == [2, 3]
    original = add_offset.__defaults__
    try:
        add_offset.__defaults__ = (50,)
        assert sweep(add_offset, grid, cache_dir=tmp_path) == [51, 52]
    finally:
        add_offset.__defaults__ = original


def test_same_function_rerun_hits_the_cache(dirs):
    log, cache = dirs
    grid = grid_product(x=[1, 2], log=log)
    sweep(record, grid, cache_dir=cache)
    sweep(record, grid, cache_dir=cache)
    assert calls(log) == [1, 2]


def test_code_changes_change_the_key():
    namespace_a, namespace_b = {"__name__": "__main__"}, {"__name__": "__main__"}
    exec(compile("def point(x):\n    return x + 1\n", "a.py", "exec"), namespace_a)
    exec(compile("def point(x):\n    return x * 10\n", "b.py", "exec"), namespace_b)
    exec(compile("\n\ndef point(x):\n    return x + 1\n", "c.py", "exec"), namespace_c := {"__name__": "__main__"})
    a, b, c = namespace_a["point"], namespace_b["point"], namespace_c["point"]
    assert a.__qualname__ == b.__qualname__ == "point"
    assert cache_key(a, {"x": 1}) != cache_key(b, {"x": 1})
    assert cache_key(a, {"x": 1}) == cache_key(c, {"x": 1})  # same code, other lines: same key

    def outer_one():
        def inner():
            return 1
        return inner

    def outer_two():
        def inner():
            return 2
        return inner

    # a nested code object's constants count too
    assert sweeps._code_identity(outer_one.__code__) != sweeps._code_identity(outer_two.__code__)


SCRIPT = """
import sys
from aelib import sweep

def point(x):
    return x {op}

print(sweep(point, [{{"x": 1}}, {{"x": 2}}], cache_dir=sys.argv[1]))
"""


def test_two_scripts_main_point_with_different_code(tmp_path):
    import subprocess
    import sys

    cache = tmp_path / "cache"
    outputs = {}
    for name, op in [("a", "+ 1"), ("b", "* 10"), ("a", "+ 1")]:
        script = tmp_path / f"{name}.py"
        script.write_text(SCRIPT.format(op=op))
        done = subprocess.run([sys.executable, str(script), str(cache)], capture_output=True, text=True, check=True)
        outputs.setdefault(name, []).append(done.stdout.strip())
    assert outputs == {"a": ["[2, 3]", "[2, 3]"], "b": ["[10, 20]"]}
    files = cache_files(cache)
    assert {f.parent.name for f in files} == {"__main__.point"} and len(files) == 4  # rerun of a: hits


class Opaque:
    pass


def test_what_cannot_be_keyed_is_refused():
    lock = threading.Lock()

    def uses_lock(x):
        with lock:
            return x

    with pytest.raises(ValueError, match="closure variable 'lock' .*from a lock"):
        cache_key(uses_lock, {"x": 1})
    with pytest.raises(ValueError, match="closure variable 'lock'"):
        sweep(uses_lock, [{"x": 1}], cache_dir="unused")
    holder = Scaler(Opaque())
    with pytest.raises(ValueError, match="attributes of the instance.*Opaque"):
        cache_key(holder.apply, {"x": 1})
    with pytest.raises(ValueError, match="a class"):
        cache_key(Scaler, {"factor": 1})
    with pytest.raises(ValueError, match="lambda"):
        cache_key(functools.partial(lambda x, y: x, y=1), {"x": 1})
    with pytest.raises(ValueError, match="default arguments"):
        cache_key(lambda_free_default, {"x": 1})


def lambda_free_default(x, lock=threading.Lock()):
    return x


# --- a cache folder that cannot be used ----------------------------------------------


def test_unwritable_cache_warns_and_returns_results(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(CacheWarning, match="cannot create the sweep cache folder"):
        assert sweep(add_offset, [{"x": 3}], cache_dir=blocker / "cache") == [4]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_entries_that_cannot_be_written_warn_and_results_are_returned(dirs, monkeypatch, n_jobs):
    log, cache = dirs

    def no_space(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sweeps, "_atomic_write", no_space)
    with pytest.warns(CacheWarning, match="No space left.*3 of 3 computed"):
        out = sweep(record, grid_product(x=range(3), log=log), cache_dir=cache, n_jobs=n_jobs, backend="threading")
    assert [r["square"] for r in out] == [0, 1, 4]
    assert cache_files(cache) == []


def test_cache_warnings_point_at_the_line_that_called_sweep(dirs, tmp_path, monkeypatch):
    # whichever helper of sweep raises it, a CacheWarning names the caller's file, not aelib's
    log, cache = dirs
    grid = grid_product(x=range(2), log=log)
    sweep(record, grid, cache_dir=cache)
    victim = Path(cache) / f"{record.__module__}.record" / f"{cache_key(record, grid[1])}.pkl"
    victim.write_bytes(b"garbage")
    with pytest.warns(CacheWarning, match="ignoring cache file") as corrupt:
        sweep(record, grid, cache_dir=cache)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(CacheWarning, match="cannot create the sweep cache folder") as no_folder:
        sweep(add_offset, [{"x": 3}], cache_dir=blocker / "cache")
    monkeypatch.setenv(sweeps.CACHE_ENV, str(cache))
    with pytest.warns(CacheWarning, match="is set but this sweep is not cached") as unkeyable:
        sweep(lambda x: x, [{"x": 1}])

    def no_space(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sweeps, "_atomic_write", no_space)
    with pytest.warns(CacheWarning, match="returned but not cached") as unwritable:
        sweep(record, grid_product(x=[7], log=log), cache_dir=cache)
    for caught in (corrupt, no_folder, unkeyable, unwritable):
        assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize("bad", [True, 3, 1.5, ["a"], b"bytes", ""])
def test_bad_cache_dir_is_a_value_error_naming_it(bad):
    with pytest.raises(ValueError, match="cache_dir"):
        sweep(math.hypot, [{"x": 3, "y": 4}], cache_dir=bad)


def test_cache_dir_that_is_a_file(tmp_path, monkeypatch):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ValueError, match="cache_dir.*not a folder"):
        sweep(math.hypot, [{"x": 3, "y": 4}], cache_dir=target)
    monkeypatch.setenv(sweeps.CACHE_ENV, str(target))
    with pytest.raises(ValueError, match=f"cache_dir \\(from {sweeps.CACHE_ENV}\\).*not a folder"):
        sweep(math.hypot, [{"x": 3, "y": 4}])


# --- a real cluster engine: dask.distributed through joblib ---------------------------

STARTS_GRID = grid_product(n=[16, 32], m=[2, 3], noise_std=0.02, N=200, seed=range(2), steps=10)


def killable_trial(log, hold, victim, index, **point):
    """aelib.start_trial, leaving a marker ``<index>-<pid>-<uuid>`` per call.

    The point ``victim`` blocks (up to a minute) unless the file ``hold`` already
    existed when it started: the test kills the worker process running it meanwhile.
    """
    retry = os.path.exists(hold)
    Path(log, f"{index}-{os.getpid()}-{uuid.uuid4().hex}").touch()
    if index == victim and not retry:
        for _ in range(600):
            time.sleep(0.1)
    return aelib.start_trial(**point)


def trial_calls(log) -> list:
    """(index, pid) of every call so far."""
    return sorted(tuple(int(v) for v in name.split("-")[:2]) for name in os.listdir(log))


def test_dask_cluster_sweep_survives_a_killed_worker(tmp_path):
    """A chapter-10 grid on a 2-process LocalCluster under parallel_config(backend="dask"),
    with the cache on, while one worker process is killed (SIGKILL, by pid) mid-point.

    The results against the serial run: the same computation (the same function on the same
    points, one BLAS thread in both, in other processes), bit-identical."""
    import signal

    distributed = pytest.importorskip("distributed")
    from threadpoolctl import threadpool_limits

    log, cache, hold = tmp_path / "log", tmp_path / "cache", tmp_path / "hold"
    log.mkdir()
    victim = 5
    grid = [{"log": str(log), "hold": str(hold), "victim": victim, "index": i, **p} for i, p in enumerate(STARTS_GRID)]
    with threadpool_limits(limits=1):  # dask workers run one BLAS thread: the serial run does too
        serial = sweep(aelib.start_trial, STARTS_GRID)

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        workers = set(client.run(os.getpid).values())
        assert len(workers) == 2 and os.getpid() not in workers
        outcome = {}

        def run():
            try:
                with parallel_config(backend="dask"):
                    outcome["results"] = sweep(killable_trial, grid, cache_dir=cache)
            except BaseException as exc:  # reported by the main thread
                outcome["error"] = exc

        runner = threading.Thread(target=run, daemon=True)
        runner.start()
        deadline = time.time() + 60
        while not [c for c in trial_calls(log) if c[0] == victim] and time.time() < deadline and runner.is_alive():
            time.sleep(0.02)
        started = [pid for index, pid in trial_calls(log) if index == victim]
        assert started, f"the victim point never started: {outcome}"
        killed = started[0]
        assert killed in workers  # a worker process of the cluster, not this one
        hold.touch()  # the retried point must not block again
        os.kill(killed, signal.SIGKILL)
        runner.join(120)
        assert not runner.is_alive(), "the sweep did not finish after a worker was killed"

        # The sweep finished: dask rescheduled the killed point on a live worker.
        assert "error" not in outcome, outcome.get("error")
        assert outcome["results"] == serial  # equal to the serial run, in grid order
        victim_runs = [pid for index, pid in trial_calls(log) if index == victim]
        assert len(victim_runs) == 2 and victim_runs.count(killed) == 1
        assert sorted({index for index, _ in trial_calls(log)}) == list(range(len(grid)))
        files = cache_files(cache)
        assert len(files) == len(grid) and not [f for f in files if f.name.endswith(".tmp")]

        # A rerun loads everything; after losing two files it computes exactly those two.
        before = Counter(index for index, _ in trial_calls(log))
        lost = [cache_key(killable_trial, grid[i]) for i in (1, 6)]
        for f in files:
            if f.stem in lost:
                f.unlink()
        with parallel_config(backend="dask"):
            again = sweep(killable_trial, grid, cache_dir=cache)
        assert again == serial
        assert Counter(index for index, _ in trial_calls(log)) - before == Counter({1: 1, 6: 1})
