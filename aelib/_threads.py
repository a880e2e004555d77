"""One BLAS thread where aelib's results or speed need it, through threadpoolctl.

The single implementation of the context that every module uses: the Monte Carlo
trials (:func:`aelib.run_trials`, so that their numbers do not depend on the machine's
core count), LAPACK eigensolvers of :func:`aelib.spectral_init` and the population
updates of :mod:`aelib.recovery` (small matrices, for which threads only add
synchronization and spin-waits on a busy machine), and :func:`aelib.timed`.
"""

from __future__ import annotations

import contextlib

__all__ = ["blas_threads"]


def blas_threads(limits: int = 1, *, all_pools: bool = False):
    """A context manager that limits the BLAS thread pools to ``limits`` threads.

    ``all_pools=True`` limits OpenMP pools too (scikit-learn's k-means, for
    :func:`aelib.timed`). threadpoolctl can only limit the runtimes already loaded, and
    scikit-learn loads its OpenMP runtime when its compiled modules are first imported,
    which aelib does inside the call it times; so ``all_pools=True`` imports them first
    (when scikit-learn is installed), and the cap holds from the first call on. Uses
    threadpoolctl (installed with scikit-learn); without it, a context that does nothing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    if all_pools:
        with contextlib.suppress(ImportError):
            import sklearn.cluster  # noqa: F401  (its k-means modules link the OpenMP runtime)
    return threadpool_limits(limits=limits, user_api=None if all_pools else "blas")
