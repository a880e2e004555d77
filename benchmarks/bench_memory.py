"""Peak memory of :func:`aelib.train` and :class:`aelib.TiedAutoencoder`, over the size of the data.

Setting: the paper's (Sec. 6), as in ``bench_train.py``: n = 784, m = 10, N = 10,000,
T = 50 steps, ReLU, b0 = -1.25, bias_decay = 2, lr = m, a Gaussian mixture with noise
0.01 and a perturbed start (delta = 0.5) for ``train``; the estimator with its defaults
(``init="pca"``) on ``X``, a C-ordered copy of ``Y.T`` (one sample per row).

Each figure is the peak of the memory that :mod:`tracemalloc` sees allocated during
one call (NumPy reports its array buffers to it), divided by ``Y.nbytes`` (``X.nbytes``):
the extra memory the call needs beyond the data it is given. Goals (ARCHITECTURE.md, "The hot
path"): ``train`` forms no n x N temporary besides Y, so its ratio stays well below 1
(about 3m/n for the m x N workspace); the estimator copies ``X.T`` once into C order,
so its ratio is about 1, and no more (no float64 copy of float32 data for PCA).
``reference_train``, which forms the n x N residual, is shown for comparison.

Usage: python benchmarks/bench_memory.py [--steps T]. The exit status is 0 whether or
not the goals are met: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc

import numpy as np

import aelib

N_DIM, M_CODES, N_SAMPLES, STEPS = 784, 10, 10_000, 50
B0, BIAS_DECAY, NOISE, DELTA = -1.25, 2.0, 0.01, 0.5
GOAL_TRAIN = 0.1  # train: peak / Y.nbytes <= this
GOAL_ESTIMATOR = 1.2  # TiedAutoencoder.fit: peak / X.nbytes <= this


def make_problem(dtype, seed: int = 0):
    """Y (n x N, C-contiguous, in ``dtype``) and a 0.5-perturbed W0, as in ``bench_train.py``."""
    rng = np.random.default_rng(seed)
    A = aelib.random_dictionary(N_DIM, M_CODES, rng=rng)
    Y, _ = aelib.GaussianMixture(A, noise_std=NOISE).sample(N_SAMPLES, rng=rng, dtype=dtype)
    W0 = aelib.perturbed_init(A, DELTA, rng=rng).astype(dtype)
    return np.ascontiguousarray(Y), W0


def peak_ratio(call, nbytes: int) -> float:
    """Peak traced allocation during ``call()``, over ``nbytes``.

    ``call`` runs once untraced first, so that lazy imports and caches filled on first
    use are not counted.
    """
    call()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - start) / nbytes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="gradient steps T per run")
    args = parser.parse_args(argv)
    T = args.steps
    print(f"setting: n={N_DIM} m={M_CODES} N={N_SAMPLES} T={T}; peak traced allocation / size of the data")
    kw = dict(lr=float(M_CODES), steps=T, activation="relu", bias_decay=BIAS_DECAY)
    rows, verdicts = [], []
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        Y, W0 = make_problem(dtype)
        X = np.ascontiguousarray(Y.T)  # samples as rows, C-ordered as scikit-learn users have them
        ratios = {
            "aelib.train": peak_ratio(lambda: aelib.train(Y, W0, B0, **kw), Y.nbytes),
            "reference_train (R = Y - WX)": peak_ratio(lambda: aelib.reference_train(Y, W0, B0, **kw), Y.nbytes),
            "TiedAutoencoder(init='pca').fit": peak_ratio(
                lambda: aelib.TiedAutoencoder(n_components=M_CODES, max_iter=T).fit(X), X.nbytes
            ),
        }
        for variant, ratio in ratios.items():
            rows.append((variant, name, ratio))
        for variant, goal in (("aelib.train", GOAL_TRAIN), ("TiedAutoencoder(init='pca').fit", GOAL_ESTIMATOR)):
            ok = ratios[variant] <= goal
            verdicts.append(f"{variant} {name}: {ratios[variant]:.3f} x the data (goal <= {goal:g}): {'met' if ok else 'NOT met'}")
    width = max(len(r[0]) for r in rows)
    print(f"{'variant':<{width}}  {'dtype':<7}  {'peak / data':>11}")
    print(f"{'-' * width}  {'-' * 7}  {'-' * 11}")
    for variant, name, ratio in rows:
        print(f"{variant:<{width}}  {name:<7}  {ratio:11.3f}")
    print()
    for line in verdicts:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
