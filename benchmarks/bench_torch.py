"""aelib.train against a PyTorch CPU autograd loop doing the same update (chapter 11).

Setting (Sec. 6 of the paper): n = 784, m = 10, N = 10,000 samples of the Gaussian
mixture (noise 0.01), T = 50 steps, ReLU, b0 = -1.25 and b <- b / 2, lr = m, a
0.5-perturbed start; float32 (the timed comparison) and float64 (an exactness check).

The PyTorch loop is the obvious way to write this model in a deep-learning framework:

    loss = 0.5 * mean_j ||y_j - W relu(W^T y_j + b)||^2
    grad = autograd gradient of loss in W
    W    = normalize_columns(W - lr * grad);  b = b / 2

Autograd differentiates the loss exactly. aelib.train uses the paper's approximate
gradient (Sec. 5), which replaces sigma'(z) by 1{x != 0}; for ReLU the two are equal
wherever no pre-activation is exactly 0, i.e. almost everywhere, so both loops make
the same steps up to rounding. The script prints

* the speed ratio (best of ``--repeats`` interleaved runs; both libraries given the
  same number of threads, ``--threads``, default 1);
* the agreement of the final W (largest entry difference, and the matched distance
  between the two) and of the loss histories, and each run's distance to A.

When torch is not importable the script says so, tells how to install it and exits 0:
torch is not a requirement of aelib (``pip install torch==2.13.0`` in a separate
environment, then ``PYTHONPATH=. python benchmarks/bench_torch.py``).

Usage: python benchmarks/bench_torch.py [--repeats K] [--steps T] [--threads P]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys

import numpy as np

import aelib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_train import B0, BIAS_DECAY, DELTA, M_CODES, N_DIM, N_SAMPLES, NOISE, STEPS, best_of, make_problem  # noqa: E402
INSTALL = "pip install torch==2.13.0"


def aelib_run(Y: np.ndarray, W0: np.ndarray, steps: int):
    """aelib.train with the paper's settings: returns (W, loss history)."""
    result = aelib.train(Y, W0, B0, lr=float(M_CODES), steps=steps, activation="relu", bias_decay=BIAS_DECAY)
    return result.W, result.loss


def torch_run(torch, Y: np.ndarray, W0: np.ndarray, steps: int):
    """The same update with PyTorch CPU autograd: returns (W, loss history) as NumPy arrays."""
    Yt = torch.from_numpy(Y)
    W = torch.from_numpy(W0.copy())
    b = torch.full((W0.shape[1], 1), B0, dtype=Yt.dtype)
    N = Y.shape[1]
    lr = float(M_CODES)
    losses = []
    for step in range(steps + 1):
        W.requires_grad_(True)
        X = torch.relu(W.T @ Yt + b)
        R = Yt - W @ X
        loss = 0.5 * (R * R).sum() / N
        losses.append(float(loss.detach()))
        if step == steps:
            break
        (grad,) = torch.autograd.grad(loss, W)
        with torch.no_grad():
            W = W - lr * grad
            W = W / torch.linalg.vector_norm(W, dim=0)
        b = b / BIAS_DECAY
    return W.detach().numpy(), np.array(losses)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per variant (best is kept)")
    parser.add_argument("--steps", type=int, default=STEPS, help="gradient steps T per run")
    parser.add_argument("--threads", type=int, default=1, help="threads for both NumPy's BLAS and torch")
    args = parser.parse_args(argv)

    try:
        import torch
    except Exception as exc:  # ImportError, or a broken install
        print(f"torch not importable ({type(exc).__name__}): PyTorch comparison skipped.")
        print(f"To run it, install torch in a separate environment: `{INSTALL}` (CPU build; not a requirement of aelib),")
        print("then run `PYTHONPATH=. python benchmarks/bench_torch.py` from the repository root.")
        return 0

    try:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=args.threads)
        blas_note = f"{args.threads} thread(s) each"
    except ImportError:  # threadpoolctl comes with scikit-learn; a bare torch venv may lack it
        limits = contextlib.nullcontext()
        blas_note = f"torch {args.threads} thread(s), NumPy's BLAS uncapped (threadpoolctl not importable)"

    torch.set_num_threads(args.threads)
    T = args.steps
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, aelib {aelib.__version__}")
    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"setting: n={N_DIM} m={M_CODES} N={N_SAMPLES} T={T} relu b0={B0} bias_decay={BIAS_DECAY:g} lr=m, "
        f"GaussianMixture(noise {NOISE}), perturbed start (delta {DELTA}); {blas_note}, "
        f"best of {args.repeats}, interleaved"
    )
    print()
    with limits:
        for dtype in (np.float32, np.float64):
            name = np.dtype(dtype).name
            A, Y, W0 = make_problem(dtype)
            W_ae, loss_ae = aelib_run(Y, W0, T)
            W_t, loss_t = torch_run(torch, Y, W0, T)
            W_ae64, W_t64 = W_ae.astype(np.float64), W_t.astype(np.float64)
            dW = float(np.max(np.abs(W_ae64 - W_t64)))
            between = aelib.matched_distance(W_ae64, W_t64)
            dL = float(np.max(np.abs(loss_ae - loss_t) / np.abs(loss_t)))
            print(f"{name}: agreement of the final W: max |W_aelib - W_torch| = {dW:.2e}, "
                  f"matched distance between them = {between:.2e}")
            print(f"{name}: loss histories: max relative difference = {dL:.2e}; final loss aelib "
                  f"{loss_ae[-1]:.6f}, torch {loss_t[-1]:.6f}")
            print(f"{name}: distance to A: aelib {aelib.matched_distance(W_ae64, A):.4f}, "
                  f"torch {aelib.matched_distance(W_t64, A):.4f}")
            if dtype == np.float32:
                best = best_of({
                    "aelib.train": lambda: aelib_run(Y, W0, T),
                    "torch autograd": lambda: torch_run(torch, Y, W0, T),
                }, args.repeats)
                ratio = best["torch autograd"] / best["aelib.train"]
                print(f"{name}: best time aelib.train {best['aelib.train']:.3f} s, torch autograd "
                      f"{best['torch autograd']:.3f} s (absolute seconds depend on the machine and its load)")
                print(f"{name}: speed ratio torch / aelib = {ratio:.2f} "
                      f"({'aelib faster' if ratio > 1 else 'torch faster'})")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
