"""Benchmark of the hot path, :func:`aelib.train`, on the paper's setting (Sec. 6).

Setting: n = 784, m = 10, N = 10,000, T = 50 steps, ReLU, b0 = -1.25, bias_decay = 2,
lr = m, a Gaussian mixture with noise 0.01, a perturbed start (delta = 0.5), the loss
history on, no ground truth A passed to the trainer. Both float64 and float32.

Everything is reported as a ratio of two times measured in the same run, never as an
absolute time: the machine is shared and slow or fast on a given day, but two loops
timed side by side see the same conditions. Each variant is timed ``--repeats`` times,
the variants interleaved round-robin (so a burst of load hits them all alike), and the
best (minimum) time is kept.

Goals (ARCHITECTURE.md, "The hot path"):

(a) ``aelib.train`` at least 3x faster than a plain NumPy loop that forms the n x N
    residual R = Y - W X every step (:func:`aelib.reference_train` is exactly that);
(b) ``aelib.train`` within 1.3x of the two-pass floor: a loop doing, per step, only
    ``W.T @ Y`` and ``Y @ B.T`` with B a preallocated (2m, N) array -- the two passes
    over Y of the design's Y [X; P]^T, and nothing else.

``train`` now needs only the sum Y X^T + Y P^T = Y (X + P)^T, an m-row product, so it can
beat that floor; the table also shows, for information, the floor of what it does now:
``W.T @ Y`` and the m-row product (in the operand order ``train`` uses for the dtype).

The comparison with a PyTorch CPU autograd loop lives in ``benchmarks/bench_torch.py``.

Usage: python benchmarks/bench_train.py [--repeats K] [--steps T] [--threads P]
(``--threads`` caps the BLAS thread pool through threadpoolctl; by default it is left
as it is.) The exit status is 0 whether or not the goals are met: this is a report,
not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from contextlib import nullcontext

import numpy as np

import aelib

GOAL_VS_PLAIN = 3.0  # (a): reference_train / train >= this
GOAL_VS_FLOOR = 1.3  # (b): train / floor <= this

N_DIM, M_CODES, N_SAMPLES, STEPS = 784, 10, 10_000, 50
B0, BIAS_DECAY, NOISE, DELTA = -1.25, 2.0, 0.01, 0.5


def blas_report() -> tuple[str, object]:
    """A description of the BLAS in use, and threadpoolctl's threadpool_limits (or None)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return "threadpoolctl not importable; BLAS configuration unknown", None
    lines = []
    for pool in threadpool_info():
        lines.append(
            f"{pool.get('user_api')}: {pool.get('internal_api')} {pool.get('version')}, "
            f"{pool.get('num_threads')} threads, arch {pool.get('architecture', '?')}, "
            f"layer {pool.get('threading_layer', '?')}"
        )
    return "\n".join("  " + line for line in lines) or "  (no thread pool found)", threadpool_limits


def make_problem(dtype, seed: int = 0):
    """A, Y (n x N, C-contiguous, in ``dtype``) and a 0.5-perturbed W0 in ``dtype``, as in Sec. 6."""
    rng = np.random.default_rng(seed)
    A = aelib.random_dictionary(N_DIM, M_CODES, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=NOISE).sample(N_SAMPLES, rng=rng, dtype=dtype)
    W0 = aelib.perturbed_init(A, DELTA, rng=rng).astype(dtype)
    return A, np.ascontiguousarray(Y), W0


def max_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def max_rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def train_kwargs(steps: int) -> dict:
    return dict(lr=float(M_CODES), steps=steps, activation="relu", bias_decay=BIAS_DECAY)


def floor_loop(Y: np.ndarray, W0: np.ndarray, steps: int, rows: int):
    """The two passes over Y of one step, and nothing else.

    ``steps`` times ``W.T @ Y`` and a product of Y with a preallocated (rows, N) array B,
    then one more ``W.T @ Y``: ``train`` makes steps + 1 passes W^T Y (the last one for
    the final loss) and ``steps`` second products. With rows = 2m it is goal (b)'s floor,
    ``Y @ B.T``; with rows = m it is the floor of ``train``'s own m-row product, in the
    operand order ``train`` uses for this dtype.
    """
    B = np.random.default_rng(1).standard_normal((rows, Y.shape[1])).astype(Y.dtype)
    W = W0.copy()
    second = (lambda: (B @ Y.T).T) if rows == W0.shape[1] and Y.dtype == np.float64 else (lambda: Y @ B.T)

    def run():
        for _ in range(steps):
            W.T @ Y
            second()
        W.T @ Y

    return run


def best_of(variants: dict, repeats: int) -> dict:
    """Minimum wall time of each callable over ``repeats`` rounds, interleaved round-robin."""
    for fn in variants.values():  # warm-up: first-touch, BLAS thread start-up, caches
        fn()
    times = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(ts) for name, ts in times.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per variant (best is kept)")
    parser.add_argument("--steps", type=int, default=STEPS, help="gradient steps T per run")
    parser.add_argument("--threads", type=int, default=None, help="cap the BLAS threads (threadpoolctl)")
    args = parser.parse_args(argv)

    blas, threadpool_limits = blas_report()
    load_at_start = os.getloadavg()[0]
    print(f"python {platform.python_version()}, numpy {np.__version__}, aelib {aelib.__version__}")
    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("BLAS (threadpoolctl):")
    print(blas)
    if args.threads is not None:
        if threadpool_limits is None:
            print("--threads ignored: threadpoolctl is not importable")
            limits = nullcontext()
        else:
            limits = threadpool_limits(limits=args.threads, user_api="blas")
            print(f"BLAS threads capped at {args.threads}")
    else:
        limits = nullcontext()
    T = args.steps
    print(
        f"setting: n={N_DIM} m={M_CODES} N={N_SAMPLES} T={T} relu b0={B0} bias_decay={BIAS_DECAY:g} "
        f"lr=m GaussianMixture(noise {NOISE}) perturbed start (delta {DELTA}); "
        f"best of {args.repeats}, variants interleaved"
    )
    print()

    rows, verdicts, checks = [], [], []
    with limits:
        for dtype in (np.float64, np.float32):
            name = np.dtype(dtype).name
            _, Y, W0 = make_problem(dtype)
            kw = train_kwargs(T)

            fast = aelib.train(Y, W0, B0, **kw)
            plain = aelib.reference_train(Y, W0, B0, **kw)
            line = (
                f"agreement {name}: max |W_train - W_reference| = {max_abs(fast.W, plain.W):.2e}, "
                f"max relative loss difference = {max_rel(fast.loss, plain.loss):.2e}, "
                f"train keeps {name}: {fast.W.dtype == dtype}"
            )
            if dtype != np.float64:  # both float32 runs against the same data run in float64
                exact = aelib.reference_train(Y.astype(np.float64), W0.astype(np.float64), B0, **kw)
                line += (
                    f"\n  vs the float64 reference on the same data: max |dW| train {max_abs(fast.W, exact.W):.2e}, "
                    f"reference_train {max_abs(plain.W, exact.W):.2e}; max relative loss difference "
                    f"train {max_rel(fast.loss, exact.loss):.2e}, reference_train {max_rel(plain.loss, exact.loss):.2e}"
                )
            checks.append(line)

            variants = {
                "aelib.train": lambda: aelib.train(Y, W0, B0, **kw),
                "reference_train (R = Y - WX)": lambda: aelib.reference_train(Y, W0, B0, **kw),
                "two-pass floor": floor_loop(Y, W0, T, 2 * M_CODES),
                "two-pass floor, m-row 2nd product": floor_loop(Y, W0, T, M_CODES),
            }
            best = best_of(variants, args.repeats)

            t_train = best["aelib.train"]
            for variant, seconds in best.items():
                rows.append((variant, name, seconds, seconds / t_train))
            speedup = best["reference_train (R = Y - WX)"] / t_train
            over_floor = t_train / best["two-pass floor"]
            verdicts.append(
                f"(a) {name}: train is {speedup:.2f}x faster than the plain residual loop "
                f"(goal >= {GOAL_VS_PLAIN:g}x): {'met' if speedup >= GOAL_VS_PLAIN else 'NOT met'}"
            )
            verdicts.append(
                f"(b) {name}: train takes {over_floor:.2f}x the two-pass floor "
                f"(goal <= {GOAL_VS_FLOOR:g}x): {'met' if over_floor <= GOAL_VS_FLOOR else 'NOT met'}"
            )
            verdicts.append(
                f"    {name}: train takes {t_train / best['two-pass floor, m-row 2nd product']:.2f}x "
                "the floor of its own m-row second product (informational)"
            )

    width = max(len(r[0]) for r in rows)
    print(f"{'variant':<{width}}  {'dtype':<7}  {'best s':>8}  {'x train':>8}")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 8}  {'-' * 8}")
    for variant, name, seconds, ratio in rows:
        print(f"{variant:<{width}}  {name:<7}  {seconds:8.3f}  {ratio:8.2f}")
    print("('x train' = time / time of aelib.train in the same dtype; absolute seconds are for context only)")
    print()
    for line in verdicts:
        print(line)
    print()
    for line in checks:
        print(line)
    # The 1-minute load average before the run counts only other work; at the end it also
    # counts this process (up to one runnable thread per core).
    load_at_end = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    if load_at_start > 1.0 or load_at_end > cpus + 1.0:
        print(
            f"note: other work was running (load average {load_at_start:.1f} before, {load_at_end:.1f} after, "
            f"on {cpus} cpus): the ratios are noisier than usual; rerun, or try --threads 1"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
