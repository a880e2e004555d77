"""Shared, small fixtures for the aelib test suite.

Sizes are kept small so that the whole suite runs in well under a minute on two cores.
Session-scoped arrays are made read-only: a test (or an aelib function) that writes into a
shared fixture fails loudly instead of silently corrupting the tests that follow.
"""

from __future__ import annotations

import os

# The suite multiplies small matrices; on a shared two-core machine a multi-threaded BLAS
# spends more time synchronising threads than computing (10x slower under load). Unless the
# caller chose otherwise, and if numpy is not yet imported, run BLAS single-threaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import aelib  # noqa: E402


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class MixtureData:
    """A Gaussian-mixture data set with a delta-close start (all arrays read-only)."""

    A: np.ndarray  # (n, m) ground truth, unit-norm columns
    Y: np.ndarray  # (n, N)
    X_star: np.ndarray  # (m, N) one-hot codes
    W0: np.ndarray  # (n, m) perturbed_init(A, 0.3), columns in A's order
    noise_std: float

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def m(self) -> int:
        return self.A.shape[1]


@pytest.fixture(scope="session")
def mixture() -> MixtureData:
    """n = 100, m = 5, N = 10,000, noise 0.01; W0 is a 0.3-perturbation of A."""
    n, m, N, noise = 100, 5, 10_000, 0.01
    A = aelib.random_dictionary(n, m, rng=1)
    Y, X_star = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=3)
    W0 = aelib.perturbed_init(A, 0.3, rng=2)
    return MixtureData(A=_frozen(A), Y=_frozen(Y), X_star=_frozen(X_star), W0=_frozen(W0), noise_std=noise)


@pytest.fixture(scope="session")
def small_mixture() -> MixtureData:
    """n = 20, m = 4, N = 400, noise 0.01: for the cheap equivalence tests."""
    n, m, N, noise = 20, 4, 400, 0.01
    A = aelib.random_dictionary(n, m, rng=21)
    Y, X_star = aelib.GaussianMixture(A, noise_std=noise).sample(N, rng=22)
    W0 = aelib.perturbed_init(A, 0.3, rng=23)
    return MixtureData(A=_frozen(A), Y=_frozen(Y), X_star=_frozen(X_star), W0=_frozen(W0), noise_std=noise)
