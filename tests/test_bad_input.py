"""Bad inputs: every public function that takes arrays or parameters rejects them with a
ValueError whose message starts with the name of the offending argument.

The table is generated: each function is described once by its valid arguments
(:class:`Spec`), and each case replaces one argument by a bad value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest

import aelib

n, m, N = 6, 3, 10
A = aelib.random_dictionary(n, m, rng=0)
W = aelib.perturbed_init(A, 0.1, rng=1)
Y, X_STAR = aelib.GaussianMixture(A, noise_std=0.01).sample(N, rng=2)
B = np.full(m, -0.3)
MODEL = aelib.GaussianMixture(A, noise_std=0.01)


@dataclass
class Spec:
    """A function with valid positional (``pos``) and keyword (``kw``) arguments."""

    name: str
    func: Callable
    pos: Dict[str, Any]
    kw: Dict[str, Any] = field(default_factory=dict)

    def call(self, **override):
        pos = [override.pop(k) if k in override else v for k, v in self.pos.items()]
        kw = {**self.kw, **override}
        return self.func(*pos, **kw)


def nan_at(arr, value=np.nan):
    out = np.array(arr, dtype=float, copy=True)
    out.flat[0] = value
    return out


def zero_column(arr):
    out = np.array(arr, copy=True)
    out[:, 0] = 0.0
    return out


def matrix_defects(arr) -> List[Tuple[str, Any]]:
    """Bad versions of a valid 2-D float matrix."""
    return [
        ("1d", np.asarray(arr)[:, 0]),
        ("3d", np.asarray(arr)[None]),
        ("nan", nan_at(arr)),
        ("inf", nan_at(arr, np.inf)),
        ("-inf", nan_at(arr, -np.inf)),
        ("complex", np.asarray(arr) + 0j),
        ("object", np.asarray(arr).astype(object)),
        ("strings", np.full(np.shape(arr), "a")),
        ("empty", np.asarray(arr)[:, :0]),
    ]


def bias_defects(length) -> List[Tuple[str, Any]]:
    return [
        ("long", np.zeros(length + 1)),
        ("short", np.zeros(length - 1)),
        ("2d", np.zeros((length, 1))),
        ("nan", nan_at(np.zeros(length))),
        ("inf", nan_at(np.zeros(length), np.inf)),
        ("nan-scalar", np.nan),
        ("complex", np.zeros(length) + 1j),
        ("complex-scalar", 0.5 + 1j),
        ("object", np.zeros(length).astype(object)),
        ("string", "zero"),
    ]


def rng_defects() -> List[Tuple[str, Any]]:
    return [("string", "seed"), ("negative", -1), ("float", 1.5), ("legacy", np.random.RandomState(0)), ("none", None)]


ACTIVATION_DEFECTS = [
    ("unknown", dict(activation="sigmoid"), "activation"),
    ("unknown-case", dict(activation="ReLU"), "activation"),
    ("threshold-no-lam", dict(activation="threshold"), "lam"),
    ("relu-with-lam", dict(activation="relu", lam=0.5), "lam"),
    ("negative-lam", dict(activation="threshold", lam=-0.1), "lam"),
    ("nan-lam", dict(activation="threshold", lam=np.nan), "lam"),
    ("string-lam", dict(activation="threshold", lam="half"), "lam"),
]

CASES: List[Any] = []


def add(spec: Spec, argname: str, label: str, **override):
    CASES.append(pytest.param(spec, override, argname, id=f"{spec.name}-{argname}-{label}"))


# --- autoencoder ---------------------------------------------------------------------------

for f in (aelib.encode, aelib.loss, aelib.gradient, aelib.exact_gradient, aelib.bias_gradient):
    spec = Spec(f.__name__, f, dict(W=W, b=B, Y=Y))
    for label, bad in matrix_defects(Y):
        add(spec, "Y", label, Y=bad)
    for label, bad in matrix_defects(W):
        add(spec, "W", label, W=bad)
    add(spec, "W", "rows", W=W[:-1])
    for label, bad in bias_defects(m):
        add(spec, "b", label, b=bad)
    for label, override, argname in ACTIVATION_DEFECTS:
        add(spec, argname, label, **override)

spec = Spec("activate", aelib.activate, dict(z=np.zeros(3)))
for label, override, argname in ACTIVATION_DEFECTS:
    add(spec, argname, label, **override)
spec = Spec("hard_threshold", aelib.hard_threshold, dict(z=np.zeros(3), lam=0.5))
add(spec, "lam", "negative", lam=-0.5)
add(spec, "lam", "nan", lam=np.nan)

spec = Spec("decode", aelib.decode, dict(W=W, X=X_STAR))
for label, bad in matrix_defects(X_STAR):
    add(spec, "X", label, X=bad)
for label, bad in matrix_defects(W)[2:]:
    add(spec, "W", label, W=bad)
add(spec, "W", "cols", W=W[:, :-1])

# --- models --------------------------------------------------------------------------------

spec = Spec("normalize_columns", aelib.normalize_columns, dict(B=A))
for label, bad in matrix_defects(A):
    add(spec, "B", label, B=bad)
add(spec, "B", "zero-column", B=zero_column(A))

spec = Spec("coherence", aelib.coherence, dict(A=A))
for label, bad in matrix_defects(A):
    add(spec, "A", label, A=bad)
add(spec, "A", "one-column", A=A[:, :1])
add(spec, "A", "not-unit-norm", A=2 * A)

spec = Spec("random_dictionary", aelib.random_dictionary, dict(n=5, m=3), dict(rng=0))
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)
add(spec, "n", "zero", n=0)
add(spec, "n", "float", n=5.0)
add(spec, "m", "negative", m=-3)
add(spec, "m", "bool", m=True)

spec = Spec("random_init", aelib.random_init, dict(n=5, m=3), dict(rng=0))
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)

spec = Spec("gaussian_noise", aelib.gaussian_noise, dict(n=5, N=4, noise_std=0.1), dict(rng=0))
add(spec, "noise_std", "negative", noise_std=-0.1)
add(spec, "noise_std", "inf", noise_std=np.inf)
add(spec, "noise_std", "string", noise_std="0.1")
add(spec, "N", "negative", N=-1)
add(spec, "dtype", "int", dtype=np.int64)
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)

MODEL_SPECS = [
    Spec("GaussianMixture", aelib.GaussianMixture, dict(A=A), dict(noise_std=0.1)),
    Spec("SparseCoding", aelib.SparseCoding, dict(A=A), dict(k=2, noise_std=0.1, a1=0.5)),
    Spec("NonnegativeSparseCoding", aelib.NonnegativeSparseCoding, dict(A=A), dict(k=2, a1=0.5, a2=1.5, noise_std=0.1)),
]
for spec in MODEL_SPECS:
    for label, bad in matrix_defects(A):
        add(spec, "A", label, A=bad)
    add(spec, "A", "zero-column", A=zero_column(A))
    add(spec, "noise_std", "negative", noise_std=-0.01)
    add(spec, "noise_std", "nan", noise_std=np.nan)
    add(spec, "noise_std", "array", noise_std=np.array([0.1, 0.1]))
    if spec.name != "GaussianMixture":
        add(spec, "k", "zero", k=0)
        add(spec, "k", "m+1", k=m + 1)
        add(spec, "k", "negative", k=-1)
        add(spec, "k", "float", k=2.0)

spec = MODEL_SPECS[0]
add(spec, "weights", "sum-not-1", weights=np.array([0.5, 0.3, 0.3]))
add(spec, "weights", "sum-below-1", weights=np.array([0.2, 0.2, 0.2]))
add(spec, "weights", "negative", weights=np.array([1.2, -0.1, -0.1]))
add(spec, "weights", "zero", weights=np.array([0.5, 0.5, 0.0]))
add(spec, "weights", "length", weights=np.array([0.5, 0.5]))
add(spec, "weights", "nan", weights=np.array([np.nan, 0.5, 0.5]))
add(spec, "weights", "complex", weights=np.array([0.5, 0.25, 0.25]) + 0j)
spec = MODEL_SPECS[1]
add(spec, "a1", "above-1", a1=1.5)
add(spec, "a1", "negative", a1=-0.1)
spec = MODEL_SPECS[2]
add(spec, "a2", "a1-above-a2", a1=2.0, a2=1.0)
add(spec, "a1", "zero", a1=0.0)
add(spec, "a1", "negative", a1=-1.0)
add(spec, "a2", "inf", a2=np.inf)

spec = Spec("sample", MODEL.sample, dict(N=5), dict(rng=0))
add(spec, "N", "zero", N=0)
add(spec, "N", "float", N=5.5)
add(spec, "dtype", "int", dtype=np.int32)
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)

# --- initialization --------------------------------------------------------------------------

spec = Spec("perturbed_init", aelib.perturbed_init, dict(A=A, delta=0.1), dict(rng=0))
for label, bad in matrix_defects(A):
    add(spec, "A", label, A=bad)
add(spec, "delta", "negative", delta=-0.1)
add(spec, "delta", "nan", delta=np.nan)
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)

spec = Spec("pca_init", aelib.pca_init, dict(Y=Y, m=m))
for label, bad in matrix_defects(Y):
    add(spec, "Y", label, Y=bad)
add(spec, "m", "zero", m=0)
add(spec, "m", "above-n", m=n + 1)
add(spec, "m", "float", m=2.0)

spec = Spec("spectral_init", aelib.spectral_init, dict(Y=Y, m=m), dict(rng=0))
for label, bad in matrix_defects(Y):
    add(spec, "Y", label, Y=bad)
add(spec, "Y", "two-samples", Y=Y[:, :2])
add(spec, "m", "zero", m=0)
add(spec, "max_pairs", "zero", max_pairs=0)
add(spec, "gap", "zero", gap=0.0)
add(spec, "gap", "one", gap=1.0)
add(spec, "duplicate_cosine", "above-1", duplicate_cosine=1.5)
add(spec, "rank", "above-n", rank=n + 1)
for label, bad in rng_defects():
    add(spec, "rng", label, rng=bad)

# --- metrics ---------------------------------------------------------------------------------

for f, extra in (
    (aelib.match_columns, {}),
    (aelib.align, {}),
    (aelib.column_distances, {}),
    (aelib.matched_distance, {}),
    (aelib.is_close, dict(delta=0.5)),
    (aelib.is_near, dict(delta=0.5, xi=1.0)),
):
    spec = Spec(f.__name__, f, dict(W=W, A=A, **extra))
    for label, bad in matrix_defects(W):
        add(spec, "W", label, W=bad)
    for label, bad in matrix_defects(A):
        add(spec, "A", label, A=bad)
    add(spec, "W", "shape-mismatch", W=W[:, :-1])
    add(spec, "W", "rows-mismatch", W=W[:-1])
    if "delta" in extra:
        add(spec, "delta", "negative", delta=-0.1)
    if "xi" in extra:
        add(spec, "xi", "negative", xi=-1.0)

# --- consistency -----------------------------------------------------------------------------

for f in (aelib.recovery_rates, aelib.support_recovery_rate, aelib.sign_recovery_rate):
    spec = Spec(f.__name__, f, dict(X=X_STAR, X_star=X_STAR))
    for label, bad in matrix_defects(X_STAR):
        add(spec, "X", label, X=bad)
        add(spec, "X_star", label, X_star=bad)
    add(spec, "X", "shape-mismatch", X=X_STAR[:, :-1])

spec = Spec("relu_bias_interval", aelib.relu_bias_interval, dict(delta=0.1, k=1, a1=1.0, a2=1.0))
add(spec, "delta", "negative", delta=-0.1)
add(spec, "k", "zero", k=0)
add(spec, "a1", "negative", a1=-1.0)
add(spec, "a2", "a1-above-a2", a1=1.0, a2=0.5)
spec = Spec("mixture_bias_interval", aelib.mixture_bias_interval, dict(delta=0.1))
add(spec, "delta", "negative", delta=-0.1)
add(spec, "delta", "nan", delta=np.nan)

spec = Spec("preactivation_split", aelib.preactivation_split, dict(W=W, b=B, Y=Y, X_star=X_STAR))
for label, bad in matrix_defects(Y):
    add(spec, "Y", label, Y=bad)
for label, bad in matrix_defects(W):
    add(spec, "W", label, W=bad)
add(spec, "W", "rows", W=W[:-1])
for label, bad in bias_defects(m):
    add(spec, "b", label, b=bad)
for label, bad in matrix_defects(X_STAR)[2:]:
    add(spec, "X_star", label, X_star=bad)
add(spec, "X_star", "shape", X_star=X_STAR[:, :-1])

# --- descent ---------------------------------------------------------------------------------

for f in (aelib.train, aelib.reference_train):
    spec = Spec(f.__name__, f, dict(Y=Y, W0=W, b0=B), dict(lr=1.0, steps=2, A=A))
    for label, bad in matrix_defects(Y):
        add(spec, "Y", label, Y=bad)
    for label, bad in matrix_defects(W):
        add(spec, "W0", label, W0=bad)
    add(spec, "W0", "rows", W0=W[:-1])
    add(spec, "W0", "zero-column", W0=zero_column(W))
    for label, bad in bias_defects(m):
        add(spec, "b0", label, b0=bad)
    for label, bad in matrix_defects(A)[1:]:
        add(spec, "A", label, A=bad)
    add(spec, "A", "cols", A=A[:, :-1])
    add(spec, "A", "rows", A=A[:-1])
    for label, override, argname in ACTIVATION_DEFECTS:
        add(spec, argname, label, **override)
    add(spec, "lr", "zero", lr=0.0)
    add(spec, "lr", "negative", lr=-1.0)
    add(spec, "lr", "nan", lr=np.nan)
    add(spec, "lr", "inf", lr=np.inf)
    add(spec, "lr", "string", lr="1")
    add(spec, "steps", "negative", steps=-1)
    add(spec, "steps", "float", steps=2.5)
    add(spec, "steps", "integral-float", steps=2.0)
    add(spec, "steps", "bool", steps=True)
    add(spec, "bias_decay", "zero", bias_decay=0.0)
    add(spec, "bias_decay", "negative", bias_decay=-2.0)
    add(spec, "bias_floor", "negative", bias_floor=-0.1)
    if f is aelib.train:
        add(spec, "tol", "negative", tol=-1e-3)

spec = Spec("expected_gradient_mixture", aelib.expected_gradient_mixture, dict(W=W, A=A, b=B))
for label, bad in matrix_defects(W):
    add(spec, "W", label, W=bad)
for label, bad in matrix_defects(A):
    add(spec, "A", label, A=bad)
add(spec, "W", "shape-mismatch", W=W[:, :-1])
for label, bad in bias_defects(m):
    add(spec, "b", label, b=bad)
add(spec, "weights", "sum-not-1", weights=np.array([0.5, 0.3, 0.3]))
add(spec, "weights", "negative", weights=np.array([1.2, -0.1, -0.1]))
add(spec, "weights", "length", weights=np.array([0.5, 0.5]))
add(spec, "weights", "nan", weights=np.array([np.nan, 0.5, 0.5]))

G = aelib.expected_gradient_mixture(W, A, 0.0)
spec = Spec("lemma1", aelib.lemma1, dict(W=W, A=A, b=0.0, g=G))
for label, bad in matrix_defects(G):
    add(spec, "g", label, g=bad)
add(spec, "g", "shape", g=G[:, :-1])
add(spec, "W", "shape-mismatch", W=W[:-1])
add(spec, "A", "nan", A=nan_at(A))
for label, bad in bias_defects(m):
    add(spec, "b", label, b=bad)
add(spec, "delta", "negative", delta=-0.1)
add(spec, "weights", "sum-not-1", weights=np.array([0.5, 0.3, 0.3]))

spec = Spec("sqrt_decay", aelib.sqrt_decay, dict(tau=0.5))
add(spec, "tau", "one", tau=1.0)
add(spec, "tau", "negative", tau=-0.1)
add(spec, "tau", "nan", tau=np.nan)


@pytest.mark.parametrize("spec,override,argname", CASES)
def test_bad_input_raises_value_error_naming_the_argument(spec, override, argname):
    with pytest.raises(ValueError, match=rf"^{re.escape(argname)}\b"):
        spec.call(**dict(override))


@pytest.mark.parametrize(
    "spec",
    [
        Spec("encode", aelib.encode, dict(W=W, b=B, Y=Y)),
        Spec("train", aelib.train, dict(Y=Y, W0=W, b0=B), dict(lr=1.0, steps=2, A=A)),
        Spec("matched_distance", aelib.matched_distance, dict(W=W, A=A)),
        Spec("expected_gradient_mixture", aelib.expected_gradient_mixture, dict(W=W, A=A, b=B), dict(weights=np.full(m, 1 / m))),
        *MODEL_SPECS,
    ],
    ids=lambda s: s.name,
)
def test_the_valid_arguments_of_the_table_are_accepted(spec):
    # Each bad case above differs from these valid arguments in one place only, so the
    # ValueError is due to that one argument.
    spec.call()


def test_table_is_large():
    assert len(CASES) > 400


# --- finiteness is checked in chunks: no n x N temporary ------------------------------


def _traced_peak(call) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        call()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finiteness_check_allocates_no_n_by_N_temporary(dtype):
    from aelib._checks import check_matrix

    big = np.ones((500, 64_000 // np.dtype(dtype).itemsize), dtype=dtype)  # 32 MB
    # a boolean n x N mask would be 1/8 (float64) or 1/4 (float32) of the data; the
    # chunked check needs a few blocks of FINITE_CHUNK entries, whatever the layout
    for view in (big, big.T, big[:, ::2], big[::3, 1:]):
        peak = _traced_peak(lambda: check_matrix("Y", view))
        assert peak < 0.02 * view.nbytes, (view.shape, view.strides, peak)


@pytest.mark.parametrize("where", [(0, 0), (399, 4999), (123, 2500), (7, 4001)])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_chunked_check_finds_every_nonfinite_entry(where, bad):
    from aelib._checks import all_finite

    big = np.zeros((400, 5000))
    assert all_finite(big) and all_finite(big.T) and all_finite(big[:, 1::3])
    big[where] = bad
    i, j = where
    assert not all_finite(big)
    assert not all_finite(big.T)
    assert not all_finite(np.asfortranarray(big))
    assert not all_finite(big[:, j % 3 :: 3]) and all_finite(big[:, (j + 1) % 3 :: 3])
    with pytest.raises(ValueError, match="^Y: contains NaN or inf"):
        aelib.train(big, np.eye(400, 3), -0.1, lr=1.0, steps=1)
