"""The two kinds of equality in this test suite, and the tolerance of the second.

- **Bit-identical: the same computation, repeated.** A seed drawn twice, a run with ``n_jobs=2``
  against ``n_jobs=1`` (the same function on the same inputs, in another process), a cache hit
  against the computation it stored, a copy that must not have been modified. These are compared
  with ``np.testing.assert_array_equal``: any difference is a bug (a lost seed, a shared stream, a
  state that leaked), and no machine can legitimately produce one.
- **Within rounding: two code paths for one quantity.** A run stacked with others against the
  same run alone, a chunked sum against a whole one, float32 against float64, a closed form
  against a loop, one BLAS thread against two. Their products go through different BLAS kernels
  or summation orders, so the last bits differ on some CPUs even where they agree on ours. These
  are compared with :func:`assert_within_rounding`, whose default relative tolerance is tied to
  the dtype (``ROUNDING_RTOL``: 1e-6 in float32, 1e-12 in float64). A test that needs more, because
  its computation amplifies rounding (many training steps, a subtraction of close numbers), passes
  ``rtol`` and says why in a comment.

Every test that compares two results says in its name or docstring which kind it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Relative tolerance for two code paths by dtype: about 8 units of rounding in float32 (eps 1.2e-7)
# and 4,500 in float64 (eps 2.2e-16), where a result is a sum of thousands of products.
ROUNDING_RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-12}


def rounding_rtol(*arrays: Any) -> float:
    """The default relative tolerance for comparing ``arrays``: that of their coarsest dtype."""
    dtypes = [np.asarray(a).dtype for a in arrays]
    return max(ROUNDING_RTOL.get(d, ROUNDING_RTOL[np.dtype(np.float64)]) for d in dtypes)


def assert_within_rounding(actual: Any, desired: Any, *, rtol: float | None = None, atol: float = 0.0,
                           err_msg: str = "") -> None:
    """Assert that two code paths computed the same quantity, up to rounding.

    Parameters
    ----------
    actual, desired : array_like
        The two results; shapes must match.
    rtol : float, optional
        Relative tolerance; by default :func:`rounding_rtol` of the two (1e-6 if either is float32,
        else 1e-12).
    atol : float, default 0
        Absolute tolerance, for entries that should be zero.
    err_msg : str
        Shown on failure.
    """
    rtol = rounding_rtol(actual, desired) if rtol is None else rtol
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)
