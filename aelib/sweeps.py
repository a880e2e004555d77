"""Parameter sweeps that run in parallel and survive interruption.

A sweep evaluates ``func(**params)`` at every point ``params`` of a grid (a list of
dicts; :func:`grid_product` builds the cartesian product of some axes). Points are
spread over workers by :mod:`joblib`, so any joblib backend works: the ``n_jobs`` and
``backend`` arguments, or an enclosing ``joblib.parallel_config(...)`` context (for
instance ``parallel_config(backend="dask")`` with a dask client, which joblib loads;
aelib itself never imports dask). Results come back in grid order whatever the
number of workers.

**Caching.** With a cache directory (``cache_dir=...``, or the environment variable
``AELIB_CACHE_DIR`` when ``cache_dir`` is None) each finished point is stored in its
own file as soon as it is computed, so that

- an interrupted sweep (an exception, Ctrl-C, a killed job) keeps every point that
  finished, and the next call computes only the missing ones;
- rebuilding a chapter does not recompute anything;
- a corrupt or partial file is detected, ignored (with a :class:`CacheWarning`) and
  recomputed.

The key of a point is the SHA-256 of a canonical JSON text of the function's
identity, the parameters and a version string (``aelib.__version__`` unless
``version`` is given). The identity of a function is its module, the absolute path of
its module's file, its qualified name, a hash of its code (bytecode, constants and
names, nested code objects included; not line numbers), the values of its closure
variables and its default arguments; a bound method adds the state of its instance
(class and attributes), a :func:`functools.partial` its bound arguments. So two
closures ``make_adder(1)`` and ``make_adder(100)``, methods of two instances with
different state, or two scripts' ``__main__.point`` with different code never share
an entry. What the key cannot cover is refused with a ValueError rather than
guessed: a lambda, a class, a closure value, default or attribute with no canonical
form (a lock, an open file, an arbitrary object). The key does not follow the global
names a function calls: after changing a helper that ``func`` calls (rather than
``func`` itself), pass a new ``version``. Parameters must be JSON-like: None, bools,
numbers (Python or NumPy scalars; 1 and 1.0 are different points), strings, paths,
lists and tuples (the same point), dicts with string keys, NumPy arrays (keyed by
dtype, shape and a hash of their bytes), dataclass instances (class and fields) and
functions (by their identity). A random Generator is refused: pass a seed.

Each file lives at ``<cache_dir>/<module.qualname>/<key>.pkl`` and holds a magic
line, the SHA-256 of the rest and a :mod:`pickle` of ``{"key", "point", "result"}``
(``point`` is the canonical JSON text, for humans), so results may be any picklable
object. Files are written atomically: to a temporary file in the same folder,
flushed and fsynced, then renamed over the target with :func:`os.replace`; a reader
sees either no file or a whole one. A temporary file left by a worker killed
mid-write (joblib kills loky workers when a sweep is aborted) is never read, and is
deleted by a later sweep once it is an hour old. Workers write the files themselves (so a point
is safe the moment it finishes, even while others run); with a distributed backend
the cache folder should therefore be on a shared file system (the caller also
writes any file a worker's machine could not share). A cache that cannot be written
(a read-only or full disk, a folder that cannot be created) costs only the caching:
the results are returned, with one :class:`CacheWarning`. A ``cache_dir`` that is not
a folder path (a file, a bool, a number) is a ValueError. Only load caches you trust:
unpickling runs code.

With no cache (the default) every point is computed, so a fresh clone recomputes
and checks every number.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import json
import os
import pickle
import re
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np

__all__ = ["sweep", "grid_product", "cache_key", "CacheWarning", "CACHE_ENV"]

CACHE_ENV = "AELIB_CACHE_DIR"
"""Name of the environment variable that enables the cache when ``cache_dir`` is None."""

_MAGIC = b"aelib-sweep-cache-1\n"
_DIGEST_SIZE = hashlib.sha256().digest_size
_STALE_SECONDS = 3600.0

PathLike = Union[str, "os.PathLike[str]"]


_FUNCTION_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial)


class CacheWarning(UserWarning):
    """A cache file was unreadable and is being recomputed, or caching was skipped."""


# --- grids -----------------------------------------------------------------------


def grid_product(**axes) -> List[Dict[str, Any]]:
    """The cartesian product of named axes, as a list of parameter dicts.

    The first axis varies slowest and the last fastest, like nested ``for`` loops
    written in the order of the keywords. A string, or any value that is not
    iterable, is a fixed value (an axis of length one); wrap a list in another list
    to use it as one value.

    Parameters
    ----------
    **axes
        Name -> the values of that axis (an iterable), or one fixed value.

    Returns
    -------
    list of dict
        One dict per point, with every name as a key.

    Examples
    --------
    >>> grid_product(noise=[0.01, 0.02], seed=range(2), n=50)
    [{'noise': 0.01, 'seed': 0, 'n': 50}, {'noise': 0.01, 'seed': 1, 'n': 50}, {'noise': 0.02, 'seed': 0, 'n': 50}, {'noise': 0.02, 'seed': 1, 'n': 50}]
    """
    names = list(axes)
    values = []
    for name in names:
        value = axes[name]
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            values.append([value])
        else:
            values.append(list(value))
    return [dict(zip(names, combination)) for combination in itertools.product(*values)]


# --- keys ------------------------------------------------------------------------


def _canonical(value, where: str, seen: frozenset = frozenset()):
    """A JSON-ready form of ``value`` that depends only on its content.

    Functions (and partials, bound methods) are keyed by :func:`_function_identity`,
    classes and modules by name, dataclass instances by their class and fields.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (Integral, np.integer)):
        return int(value)
    if isinstance(value, (Real, np.floating)):
        return float(value)  # json writes the shortest repr that round-trips; NaN as NaN
    if isinstance(value, (complex, np.complexfloating)):
        return {"__complex__": [float(value.real), float(value.imag)]}
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _canonical(value.item(), where, seen)
        if value.dtype == object:
            return {"__ndarray__": [list(value.shape), _canonical(value.tolist(), where, seen)]}
        data = np.ascontiguousarray(value)
        digest = hashlib.sha256(data.view(np.uint8).reshape(-1).tobytes()).hexdigest()
        return {"__ndarray__": [data.dtype.str, list(data.shape), digest]}
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: cache keys need string dict keys, got {key!r}")
            out[key] = _canonical(item, f"{where}[{key!r}]", seen)
        return out
    if isinstance(value, (list, tuple)):
        return [_canonical(item, f"{where}[{i}]", seen) for i, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = [_canonical(item, where, seen) for item in value]
        return {"__set__": sorted(items, key=_dumps)}
    if isinstance(value, _FUNCTION_TYPES):
        return {"__function__": _function_identity(value, seen)}
    if isinstance(value, type):
        return {"__class__": _class_identity(value)}
    if isinstance(value, types.ModuleType):
        return {"__module__": value.__name__}
    if dataclasses.is_dataclass(value):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {"__dataclass__": _class_identity(type(value)), "fields": _canonical(fields, where, seen)}
    if isinstance(value, (np.random.Generator, np.random.RandomState, np.random.BitGenerator)):
        raise TypeError(
            f"{where}: a random generator has no stable cache key; pass an integer seed "
            "and build the Generator inside the function"
        )
    raise TypeError(
        f"{where}: cannot build a cache key from a {type(value).__name__}; use None, bools, "
        "numbers, strings, paths, lists, tuples, dicts with string keys or numpy arrays"
    )


def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True)


def _code_identity(code: types.CodeType):
    """What a code object computes: its bytecode, constants (nested code objects
    recursively), names and signature -- not its file name or line numbers."""
    return {
        "code": code.co_code.hex(),
        "consts": [_const_identity(c) for c in code.co_consts],
        "names": list(code.co_names),
        "varnames": list(code.co_varnames),
        "freevars": list(code.co_freevars),
        "cellvars": list(code.co_cellvars),
        "signature": [code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags],
    }


def _const_identity(value):
    """A code constant, typed: 1, 1.0, True and -0.0 are told apart."""
    if isinstance(value, types.CodeType):
        return _code_identity(value)
    if isinstance(value, (tuple, frozenset)):
        items = [_const_identity(v) for v in value]
        if isinstance(value, frozenset):
            items.sort(key=_dumps)
        return {type(value).__name__: items}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    return {type(value).__name__: repr(value)}


def _module_file(module_name) -> Optional[str]:
    """The absolute path of a loaded module's file, or None (a notebook's or an interactive ``__main__``)."""
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    path = getattr(module, "__file__", None)
    return os.path.abspath(path) if isinstance(path, str) else None


def _state(value, what: str, seen: frozenset):
    """The canonical form of a closure value, default or bound instance; ValueError if there is none."""
    try:
        return _canonical(value, what, seen)
    except TypeError as exc:  # a ValueError of a nested function's identity already says it all
        raise ValueError(
            f"func: {exc}. A cache key must cover it; make it a plain value, pass it as a sweep "
            "parameter, or sweep without a cache"
        ) from exc


def _instance_state(obj, what: str, seen: frozenset):
    """Class and attributes of an instance (its ``__dict__`` and ``__slots__`` values)."""
    cls = type(obj)
    attributes = dict(getattr(obj, "__dict__", {}))
    for klass in cls.__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                attributes[slot] = getattr(obj, slot)
    return {
        "class": _class_identity(cls),
        "attributes": _state(attributes, f"the attributes of {what}", seen),
    }


def _class_identity(cls: type):
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "file": _module_file(cls.__module__)}


def _function_identity(func: Callable, seen: frozenset = frozenset()):
    """What identifies ``func`` in a cache key.

    A Python function: its module, module file, qualified name, a hash of its code
    (:func:`_code_identity`), its closure values and default arguments. A bound
    method: the function and the state of its instance. A :func:`functools.partial`:
    the wrapped function and the bound arguments. A builtin: its qualified name (and
    the state of the object it is bound to). A callable instance: the class's
    ``__call__`` and the instance's state.

    Raises
    ------
    ValueError
        For what cannot be keyed safely: a lambda, a class, or a closure value,
        default or instance state with no canonical form (see :func:`_canonical`).
    """
    if id(func) in seen:  # a recursive closure: the function is already being keyed
        return {"recursive": getattr(func, "__qualname__", type(func).__name__)}
    seen = seen | {id(func)}
    if isinstance(func, functools.partial):
        return {
            "partial": _function_identity(func.func, seen),
            "args": _state(list(func.args), "the partial's positional arguments", seen),
            "keywords": _state(dict(func.keywords), "the partial's keyword arguments", seen),
        }
    if isinstance(func, types.MethodType):
        return {
            "method": _function_identity(func.__func__, seen),
            "self": _instance_state(func.__self__, f"the instance bound to {func.__qualname__}", seen),
        }
    if isinstance(func, types.BuiltinFunctionType):
        name = f"{func.__module__}.{func.__qualname__}"
        bound = func.__self__
        if bound is None or isinstance(bound, types.ModuleType):
            return name
        return {"builtin": name, "self": _state(bound, f"the object bound to {name}", seen)}
    if isinstance(func, type):
        raise ValueError(
            f"func: a class ({func.__module__}.{func.__qualname__}) cannot be keyed by its code; "
            "wrap the call in a function defined with def, or sweep without a cache"
        )
    if not isinstance(func, types.FunctionType):
        call = getattr(type(func), "__call__", None)
        if not isinstance(call, types.FunctionType):
            raise ValueError(f"func: cannot build a cache key for a {type(func).__name__}")
        return {
            "callable": _function_identity(call, seen),
            "self": _instance_state(func, f"the callable {type(func).__name__} instance", seen),
        }
    return _plain_function_identity(func, seen)


def _plain_function_identity(func: types.FunctionType, seen: frozenset):
    """A function defined with ``def``: module, module file, qualified name, code hash, closure and defaults.

    A lambda is refused (ValueError): it has no stable name.
    """
    module, qualname = func.__module__, func.__qualname__
    if func.__name__ == "<lambda>":
        raise ValueError(
            f"func: a lambda ({module}.{qualname}) has no stable name for the cache; "
            "define it with def, or sweep without a cache"
        )
    code = func.__code__
    closure = {}
    for name, cell in zip(code.co_freevars, func.__closure__ or ()):
        try:
            value = cell.cell_contents
        except ValueError:  # a cell not yet filled
            closure[name] = {"__empty_cell__": True}
            continue
        closure[name] = _state(value, f"the closure variable {name!r} of {qualname}", seen)
    return {
        "function": f"{module}.{qualname}",
        "file": _module_file(module),
        "code": hashlib.sha256(_dumps(_code_identity(code)).encode("ascii")).hexdigest(),
        "closure": closure,
        "defaults": _state(list(func.__defaults__ or ()), f"the default arguments of {qualname}", seen),
        "kwdefaults": _state(dict(func.__kwdefaults__ or {}), f"the keyword defaults of {qualname}", seen),
    }


def _folder_name(func: Callable) -> str:
    while isinstance(func, functools.partial):
        func = func.func
    func = getattr(func, "__func__", func)  # a bound method: its function
    if not hasattr(func, "__qualname__"):  # a callable instance: its class
        func = type(func)
    name = f"{func.__module__}.{func.__qualname__}".replace("<locals>", "locals")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:150]


def _default_version() -> str:
    from . import __version__

    return __version__


def _point(func: Callable, params: Mapping, version) -> str:
    if not isinstance(params, Mapping):
        raise TypeError(f"grid: every point must be a dict of keyword arguments, got {params!r}")
    payload = {
        "function": _function_identity(func),
        "params": _canonical(params, "params"),
        "version": _canonical(_default_version() if version is None else version, "version"),
    }
    return _dumps(payload)


def cache_key(func: Callable, params: Mapping, *, version=None) -> str:
    """The cache key of one point: SHA-256 (hex) of the canonical JSON of
    (the identity of ``func``, ``params``, ``version``).

    The identity of ``func`` covers its module file, qualified name, a hash of its
    code, its closure values, defaults and, for a bound method, its instance's state
    (see the module docstring). ``version`` defaults to ``aelib.__version__``. NumPy
    scalars equal Python numbers and tuples equal lists, so
    ``{"x": np.float64(0.5), "s": (1, 2)}`` and ``{"s": [1, 2], "x": 0.5}`` have the
    same key; dict order does not matter.

    Parameters
    ----------
    func : callable
        The function the point is computed with (a named function, a partial or a
        bound method; not a lambda or a class).
    params : mapping
        The keyword arguments of the point.
    version : object, optional
        Any value with a canonical form; defaults to ``aelib.__version__``.

    Returns
    -------
    str
        64 hexadecimal digits.

    Raises
    ------
    TypeError
        If a parameter has no canonical form (e.g. a random Generator: pass a seed).
    ValueError
        If ``func`` cannot be keyed safely: a lambda, a class, or a closure value,
        default argument or instance attribute with no canonical form.
    """
    return hashlib.sha256(_point(func, params, version).encode("ascii")).hexdigest()


# --- files -----------------------------------------------------------------------


def _encode(key: str, point: str, result) -> bytes:
    try:
        body = pickle.dumps({"key": key, "point": point, "result": result}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise TypeError(f"sweep: the result for {point} cannot be pickled for the cache ({exc})") from exc
    return _MAGIC + hashlib.sha256(body).digest() + body


def _load(path: Path, key: str):
    """(True, result) for a valid file, (False, None) when missing or corrupt.

    A :class:`CacheWarning` says why a file is not used; it points at the caller of
    :func:`sweep` (``_load`` <- ``_plan`` <- ``sweep`` <- caller: stacklevel 4).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False, None
    except OSError as exc:
        warnings.warn(f"cannot read cache file {path} ({exc}); recomputing", CacheWarning, stacklevel=4)
        return False, None
    start = len(_MAGIC) + _DIGEST_SIZE
    body = data[start:]
    problem = None
    if not data.startswith(_MAGIC) or len(data) <= start:
        problem = "not an aelib sweep file, or truncated"
    elif hashlib.sha256(body).digest() != data[len(_MAGIC) : start]:
        problem = "checksum mismatch (partial or damaged write)"
    else:
        try:
            record = pickle.loads(body)
        except Exception as exc:  # a class that moved, a module that is gone, ...
            problem = f"cannot unpickle ({type(exc).__name__}: {exc})"
        else:
            if not isinstance(record, dict) or record.get("key") != key or "result" not in record:
                problem = "it belongs to another point"
            else:
                return True, record["result"]
    warnings.warn(f"ignoring cache file {path}: {problem}; recomputing", CacheWarning, stacklevel=4)
    return False, None


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX); silently skipped where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see no file or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def _remove_stale_temporaries(directory: Path, older_than: float = _STALE_SECONDS) -> None:
    """Delete temporary files left by writers that were killed mid-write.

    A live write keeps its temporary file for the time of one write and fsync, so a
    temporary file older than ``older_than`` seconds belongs to a dead writer (a
    worker killed when a sweep was aborted, say). Readers never look at them.
    """
    now = time.time()
    for tmp in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()


def _store(path: Path, data: bytes) -> Optional[str]:
    """Write one cache file; on an OS error, say why instead of raising."""
    try:
        _atomic_write(path, data)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _evaluate(func: Callable, params: Mapping, path: Optional[str], key: Optional[str], point: Optional[str]):
    """One point, run on a worker: compute, then (with a cache) store at once.

    Returns (result, None) or, when the file could not be written, (result, why): a
    full or read-only disk costs the cache, never the result.
    """
    result = func(**params)
    if path is None:
        return result, None
    return result, _store(Path(path), _encode(key, point, result))


def _resolve_cache_dir(cache_dir, func: Callable) -> Optional[Path]:
    """The cache folder to use, or None for no cache; ValueError for a bad ``cache_dir``."""
    source = "cache_dir"
    if cache_dir is False:
        return None
    if cache_dir is None:
        env = os.environ.get(CACHE_ENV, "").strip()
        if not env:
            return None
        try:
            _function_identity(func)
        except ValueError as exc:
            warnings.warn(f"{CACHE_ENV} is set but this sweep is not cached: {exc}", CacheWarning, stacklevel=3)
            return None
        cache_dir, source = env, f"cache_dir (from {CACHE_ENV})"
    if isinstance(cache_dir, bool) or not isinstance(cache_dir, (str, os.PathLike)):
        raise ValueError(
            f"{source}: expected a folder path (str or os.PathLike), None or False, got {cache_dir!r}"
        )
    path = os.fspath(cache_dir)
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"{source}: expected a non-empty folder path, got {cache_dir!r}")
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{source}: {str(folder)!r} exists and is not a folder")
    return folder


def _warn_unwritable(folder: Path, failures: List[str], total: int) -> None:
    if failures:
        warnings.warn(
            f"cannot write the sweep cache in {folder} ({failures[0]}); {len(failures)} of {total} "
            "computed point(s) are returned but not cached",
            CacheWarning,
            stacklevel=3,
        )


def _check_grid(grid: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The grid as a list; TypeError for a point that is not a dict of keyword arguments."""
    grid = list(grid)
    for params in grid:
        if not isinstance(params, Mapping):
            raise TypeError(f"grid: every point must be a dict of keyword arguments, got {params!r}")
    return grid


def _open_function_folder(folder: Optional[Path], func: Callable) -> Optional[Path]:
    """The folder of ``func``'s cache files inside ``folder``, created, with stale temporaries removed.

    None without a cache, or (with a :class:`CacheWarning`) when it cannot be created:
    then every point is computed and nothing is stored.
    """
    if folder is None:
        return None
    directory = folder / _folder_name(func)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warnings.warn(
            f"cannot create the sweep cache folder {directory} ({type(exc).__name__}: {exc}); "
            "computing every point without a cache",
            CacheWarning,
            stacklevel=3,
        )
        return None
    _remove_stale_temporaries(directory)
    return directory


def _plan(func: Callable, grid: List[Mapping[str, Any]], folder: Optional[Path], directory: Optional[Path],
          version) -> Tuple[List[Any], list, Dict[int, List[int]]]:
    """Load what the cache holds and list the points still to compute.

    With a cache (``folder`` not None) every point is keyed, even when ``directory``
    could not be created (so a point that cannot be keyed is refused either way), and
    a point repeated in the grid is computed (or loaded) once.

    Returns
    -------
    results : list
        One slot per point: the cached result, or None until computed.
    tasks : list of (index, (params, path, key, point))
        The points to compute; ``path``, ``key`` and ``point`` are None when nothing
        is to be stored.
    copies : dict
        The index of the first occurrence of each distinct point -> all its indices.
    """
    results: List[Any] = [None] * len(grid)
    tasks, copies = [], {}
    first_of: Dict[str, int] = {}
    for i, params in enumerate(grid):
        if folder is None:
            tasks.append((i, (params, None, None, None)))
            copies[i] = [i]
            continue
        point = _point(func, params, version)  # keyed (or refused) even when the folder is unusable
        key = hashlib.sha256(point.encode("ascii")).hexdigest()
        if key in first_of:  # a repeated point: computed (or loaded) once
            copies[first_of[key]].append(i)
            continue
        first_of[key] = i
        copies[i] = [i]
        if directory is None:
            tasks.append((i, (params, None, None, None)))
            continue
        path = directory / f"{key}.pkl"
        found, value = _load(path, key)
        if found:
            results[i] = value
        else:
            tasks.append((i, (params, str(path), key, point)))
    return results, tasks, copies


def _compute(func: Callable, tasks: list, results: List[Any], *, n_jobs, backend, verbose: int) -> List[str]:
    """Run ``tasks`` (from :func:`_plan`) through joblib and put each result in its slot of ``results``.

    Workers store their results themselves; a file a worker did not leave here (it
    could not write, or wrote to its own machine's disk) is stored by the caller.
    Returns the reason for each file that could not be stored (empty if all were).
    """
    from joblib import Parallel, delayed

    computed = Parallel(n_jobs=n_jobs, backend=backend, verbose=verbose)(
        delayed(_evaluate)(func, params, path, key, point) for _, (params, path, key, point) in tasks
    )
    failures = []
    for (i, (_, path, key, point)), (value, failure) in zip(tasks, computed):
        results[i] = value
        if path is not None and not os.path.exists(path):
            # the worker could not write, or wrote to its own machine's disk: store it here
            failure = _store(Path(path), _encode(key, point, value))
            if failure is not None:
                failures.append(failure)
    return failures


# --- the sweep -------------------------------------------------------------------


def sweep(func: Callable, grid: Iterable[Mapping[str, Any]], *, cache_dir: Union[PathLike, None, bool] = None,
          n_jobs: Optional[int] = None, backend=None, version=None, verbose: int = 0) -> list:
    """Evaluate ``func(**params)`` for every ``params`` in ``grid``, in parallel, with a disk cache.

    Parameters
    ----------
    func : callable
        Called with each point's parameters as keywords. Its result must be
        picklable when a cache or a process-based backend is used. With a cache it
        must be keyable: a function defined with ``def`` (closures included), a
        bound method, a :func:`functools.partial` of one, or a builtin.
    grid : iterable of dict
        The points, e.g. from :func:`grid_product`.
    cache_dir : str, path, None or False, default None
        Folder of the per-point cache files (created if needed). None uses the
        environment variable ``AELIB_CACHE_DIR`` when it is set and non-empty, and
        no cache otherwise; False never caches. A folder that cannot be created or
        written gives a :class:`CacheWarning`, and the results are still returned.
    n_jobs : int, optional
        Number of joblib workers (-1: all cores). None leaves it to joblib: 1, or
        the value of an enclosing ``joblib.parallel_config``.
    backend : str or joblib backend, optional
        The joblib backend ("loky", "threading", "multiprocessing", "dask", ...).
        None leaves it to joblib (loky, or an enclosing ``parallel_config``).
    version : str or int, optional
        Part of every cache key; defaults to ``aelib.__version__``. Change it to
        invalidate the cached points of a function whose code changed.
    verbose : int, default 0
        joblib's progress messages.

    Returns
    -------
    list
        ``[func(**params) for params in grid]``, in grid order.

    Raises
    ------
    ValueError
        If ``cache_dir`` is not a folder path (a file, a bool, a number), or if a
        cache is used and ``func`` cannot be keyed safely (see :func:`cache_key`).
    Exception
        The first exception raised by ``func``. With a cache, every point that
        finished before it is already stored, so calling :func:`sweep` again
        resumes where it stopped.

    Notes
    -----
    With a cache, points of the grid with the same key are computed once (and share
    one result object). Files are pickles (see the module docstring for the format);
    a file that does not verify is recomputed and replaced, with a :class:`CacheWarning`.

    Examples
    --------
    >>> def area(width, height):
    ...     return width * height
    >>> sweep(area, grid_product(width=[1, 2], height=[10, 20]))
    [10, 20, 20, 40]
    """
    grid = _check_grid(grid)
    folder = _resolve_cache_dir(cache_dir, func)
    directory = _open_function_folder(folder, func)
    results, tasks, copies = _plan(func, grid, folder, directory, version)
    if tasks:
        failures = _compute(func, tasks, results, n_jobs=n_jobs, backend=backend, verbose=verbose)
        _warn_unwritable(directory, failures, len(tasks))
    for first, indices in copies.items():
        for i in indices[1:]:
            results[i] = results[first]
    return results
