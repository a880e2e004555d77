"""Answer checks shared by the course edition's otter tests (course/tests/ex-*.py).

Each check compares a student's value with a reference that the test computes with aelib,
within a stated tolerance, and fails with an AssertionError whose message tells the student
what is wrong (otter-grader shows that message and the line of the test, not a traceback).
"""

from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["answered", "has_entry", "close", "same", "function_close"]


def answered(name: str, value: Any) -> None:
    """Fail with a helpful message when ``value`` is still the stub (``...``) or missing."""
    if value is None:
        raise AssertionError(f"`{name}` is not defined: run the answer cell above (it defines `{name}`), "
                             "then this check again.")
    if value is Ellipsis:
        raise AssertionError(f"`{name}` is still `...`: replace the `...` in the answer cell with your value.")


def has_entry(name: str, value: Any, key: Any, *, hint: str = "") -> None:
    """Fail with a helpful message when the dict answer ``value`` has no entry ``key``."""
    answered(name, value)
    try:
        present = key in value
    except TypeError:
        raise AssertionError(f"`{name}` should be a dict, got {type(value).__name__}.") from None
    if not present:
        raise AssertionError(f"`{name}` has no entry for the key {key!r}. {hint}".strip())


def _as_array(name: str, value: Any, expected: np.ndarray) -> np.ndarray:
    answered(name, value)
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"`{name}` should be a number or an array of numbers, got {type(value).__name__}.") from None
    if got.shape != expected.shape:
        raise AssertionError(f"`{name}` has shape {got.shape}, expected shape {expected.shape}.")
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"`{name}` contains NaN or infinite values.")
    return got


def close(name: str, value: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0, hint: str = "") -> None:
    """Assert |value - expected| <= atol + rtol |expected| entrywise (expected computed with aelib)."""
    expected = np.asarray(expected, dtype=float)
    got = _as_array(name, value, expected)
    error = np.abs(got - expected)
    allowed = atol + rtol * np.abs(expected)
    if np.any(error > allowed):
        worst = np.unravel_index(int(np.argmax(error - allowed)), error.shape) if error.ndim else ()
        where = f"{name}[{', '.join(map(str, worst))}]" if worst else name
        raise AssertionError(
            f"`{where}` = {got[worst]:.6g}, but aelib gives {expected[worst]:.6g} "
            f"(allowed difference {allowed[worst]:.2g}). {hint}".strip())


def same(name: str, value: Any, expected: Any, *, hint: str = "") -> None:
    """Assert exact equality (integers, booleans, permutations, dictionary keys)."""
    answered(name, value)
    if isinstance(expected, (list, tuple)):
        value = list(value) if isinstance(value, (list, tuple, np.ndarray)) else value
        expected = list(expected)
    if value != expected:
        raise AssertionError(f"`{name}` = {value!r}, but aelib gives {expected!r}. {hint}".strip())


def function_close(name: str, func: Any, inputs: Iterable, reference: Callable, *, rtol: float = 0.0,
                   atol: float = 0.0, hint: str = "") -> None:
    """Assert func(x) is close to reference(x) for every x in ``inputs``."""
    answered(name, func)
    if not callable(func):
        raise AssertionError(f"`{name}` should be a function, got {type(func).__name__}.")
    for x in inputs:
        try:
            got = func(x)
        except Exception as error:  # the student's function failed: say so, without a traceback
            raise AssertionError(f"`{name}({x!r})` raised {type(error).__name__}: {error}") from None
        if got is None or got is Ellipsis:
            raise AssertionError(f"`{name}({x!r})` returned {got!r}: write the body of `{name}` so that it returns "
                                 "a number.")
        close(f"{name}({x!r})", got, reference(x), rtol=rtol, atol=atol, hint=hint)
