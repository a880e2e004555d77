"""Argument validation shared by all aelib modules.

Every public function validates its inputs here so that a wrong shape, a NaN, an
unknown activation or an out-of-range parameter raises a :class:`ValueError` that
names the offending argument and says what was expected.  None of these helpers
modifies the caller's arrays: they return either the original array (read only use)
or a fresh copy when a conversion is needed.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Optional, Tuple, Union

import numpy as np

RngLike = Union[np.random.Generator, int, np.integer]

ACTIVATIONS = ("relu", "threshold")


def as_rng(rng: RngLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a Generator or an integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (Integral, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: expected a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(
        "rng: expected a numpy.random.Generator or an integer seed "
        f"(every random draw in aelib is explicit), got {type(rng).__name__}"
    )


def as_float_array(
    name: str,
    value,
    *,
    ndim: int,
    dtype: Optional[np.dtype] = None,
) -> np.ndarray:
    """Convert ``value`` to a finite floating array with ``ndim`` dimensions.

    Integer and boolean input is converted to float64; float32 stays float32 unless
    ``dtype`` is given.  The result may share memory with ``value``: callers must not
    write into it.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds here
        raise ValueError(f"{name}: could not be converted to an array ({exc})") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ):
        raise ValueError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name}: expected a real array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        shape_word = {1: "a vector", 2: "a 2-D matrix"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name}: expected {shape_word}, got an array of shape {arr.shape}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if not all_finite(arr):
        raise ValueError(f"{name}: contains NaN or inf")
    return arr


FINITE_CHUNK = 1 << 16
"""Elements per block of :func:`all_finite`: its temporary is this many bools (64 KiB)."""


def all_finite(arr: np.ndarray, chunk: int = FINITE_CHUNK) -> bool:
    """Whether every entry of ``arr`` is finite, checked in blocks of ``chunk`` elements.

    ``np.all(np.isfinite(arr))`` would allocate a boolean array the shape of ``arr``
    (an n x N temporary for a batch Y); here the largest temporary has ``chunk``
    entries, whatever the size, order or strides of ``arr``.
    """
    if arr.size <= chunk:
        return bool(np.isfinite(arr).all())
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        flat = arr.ravel(order="K")  # a view, in memory order
        return all(np.isfinite(flat[start : start + chunk]).all() for start in range(0, flat.size, chunk))
    axis = int(np.argmax(arr.shape))  # a strided view: split its longest axis into blocks
    step = max(1, chunk * arr.shape[axis] // arr.size)
    index = [slice(None)] * arr.ndim
    for start in range(0, arr.shape[axis], step):
        index[axis] = slice(start, start + step)
        if not all_finite(arr[tuple(index)], chunk):
            return False
    return True


def _small_norm(dtype) -> float:
    """Below this, a plain sqrt(sum of squares) may have lost digits to underflow."""
    info = np.finfo(dtype)
    return float(np.sqrt(info.tiny) / info.eps)


def unit_columns(B: np.ndarray, *, out: Optional[np.ndarray] = None):
    """Divide every column of ``B`` by its Euclidean norm, without overflow or underflow.

    The norms are ``np.linalg.norm(B, axis=0)``, the plain square root of the sum of
    squares, wherever that is exact; a column whose plain norm is not finite (its
    squares overflow) or is tiny (its squares underflow to 0 or to subnormals) is
    instead divided by its largest magnitude first, so that ``normalize(B)`` of Sec. 5
    is unit-norm for columns of any scale (1e-170 or 1e200 alike).

    Parameters
    ----------
    B : ndarray, shape (n, m), float
    out : ndarray, optional
        Where to write the result (``B`` itself for an in-place division).

    Returns
    -------
    U : ndarray, shape (n, m)
        The normalized columns (``out`` when given).
    failed : ndarray of int
        Columns that have no direction: all zero, or with a NaN or inf entry. They
        are left in ``U`` as they are in ``B``; callers raise.
    """
    with np.errstate(over="ignore", under="ignore"):  # both are handled below
        norms = np.linalg.norm(B, axis=0)
    rescale = ~np.isfinite(norms) | (norms < _small_norm(B.dtype))
    if not rescale.any():
        return np.divide(B, norms, out=out), np.empty(0, dtype=int)
    columns = np.flatnonzero(rescale)
    raw = B[:, columns]  # a copy, taken before an in-place division
    U = np.divide(B, np.where(rescale, 1, norms).astype(B.dtype, copy=False), out=out)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        raw /= np.max(np.abs(raw), axis=0)  # now 1 is the largest magnitude of each column
        raw /= np.linalg.norm(raw, axis=0)
    ok = np.isfinite(raw).all(axis=0)
    U[:, columns[ok]] = raw[:, ok]
    return U, columns[~ok]


def check_matrix(
    name: str,
    value,
    *,
    rows: Optional[int] = None,
    cols: Optional[int] = None,
    dtype: Optional[np.dtype] = None,
    nonzero_columns: bool = False,
) -> np.ndarray:
    """Validate a finite 2-D float matrix, optionally with a given shape."""
    arr = as_float_array(name, value, ndim=2, dtype=dtype)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty matrix, got shape {arr.shape}")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name}: expected {rows} rows, got shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name}: expected {cols} columns, got shape {arr.shape}")
    if nonzero_columns:
        zero = np.flatnonzero(~np.any(arr != 0, axis=0))
        if zero.size:
            raise ValueError(
                f"{name}: columns must be non-zero, but column(s) {zero[:5].tolist()} are all zero"
            )
    return arr


def check_unit_columns(name: str, A: np.ndarray, *, rtol: float = 1e-6) -> None:
    """Raise unless every column of ``A`` has Euclidean norm 1 (to ``rtol``)."""
    norms = np.linalg.norm(A, axis=0)
    bad = np.flatnonzero(np.abs(norms - 1.0) > rtol * max(1.0, A.shape[0] ** 0.5))
    if bad.size:
        raise ValueError(
            f"{name}: expected unit-norm columns (Def. 1); column {int(bad[0])} has norm "
            f"{norms[bad[0]]:.6g}. Normalize with aelib.normalize_columns first."
        )


def check_same_shape(name: str, value, reference_name: str, reference) -> Tuple[np.ndarray, np.ndarray]:
    """Validate two matrices that must have one shape (W and A, X and X*); return (value, reference)."""
    reference = check_matrix(reference_name, reference)
    value = check_matrix(name, value)
    if value.shape != reference.shape:
        raise ValueError(f"{name}: expected the shape of {reference_name} {reference.shape}, got {value.shape}")
    return value, reference


def check_bias(name: str, value, m: int, dtype=np.float64) -> np.ndarray:
    """Return the bias as a fresh length-``m`` vector (a scalar is broadcast)."""
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name}: expected a number or a length-{m} vector, got {value!r}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name}: expected a real number or vector, got dtype {arr.dtype}")
    if arr.ndim == 0:
        arr = np.full(m, float(arr), dtype=dtype)
    elif arr.ndim == 1 and arr.shape[0] == m:
        arr = arr.astype(dtype, copy=True)
    else:
        raise ValueError(f"{name}: expected a scalar or a vector of length {m}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or inf")
    return arr


def check_probabilities(name: str, value, m: int) -> np.ndarray:
    """Return m positive probabilities summing to 1 (e.g. mixing weights) as a fresh float64 vector."""
    p = check_bias(name, value, m)
    if np.any(p <= 0):
        raise ValueError(f"{name}: expected {m} positive probabilities, got {p.tolist()}")
    if abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name}: expected probabilities summing to 1, got sum {p.sum():.6g}")
    return p


def check_activation(activation, lam) -> Optional[float]:
    """Validate the activation name and its threshold; return ``lam`` as a float or None."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}")
    if activation == "threshold":
        if lam is None:
            raise ValueError(
                "lam: the 'threshold' activation needs a threshold lam >= 0 "
                "(the paper uses lam = a1/2, i.e. 1/2 for the Gaussian mixture)"
            )
        return check_real("lam", lam, minimum=0.0)
    if lam is not None:
        raise ValueError("lam: only the 'threshold' activation takes a threshold; got lam with 'relu'")
    return None


def check_real(
    name: str,
    value,
    *,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    strict_min: bool = False,
    strict_max: bool = False,
) -> float:
    """Validate a finite real number within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name}: expected a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if minimum is not None and (value < minimum or (strict_min and value == minimum)):
        op = ">" if strict_min else ">="
        raise ValueError(f"{name}: expected {op} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (strict_max and value == maximum)):
        op = "<" if strict_max else "<="
        raise ValueError(f"{name}: expected {op} {maximum}, got {value}")
    return value


def check_int(name: str, value, *, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """Validate an integer within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name}: expected an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected an integer <= {maximum}, got {value}")
    return value
