"""Package-level hygiene: the public API of DESIGN.md and no silently shadowed definitions."""

import ast
import inspect
import pathlib

import pytest

import aelib

PACKAGE = pathlib.Path(aelib.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_top_level_name_defined_twice(path):
    """A second def/class of the same name silently replaces the first (it happened once in plots.py)."""
    tree = ast.parse(path.read_text())
    seen = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            assert node.name not in seen, f"{path.name}: {node.name} defined at lines {seen[node.name]} and {node.lineno}"
            seen[node.name] = node.lineno


@pytest.mark.parametrize(
    "name, parameters",
    [
        ("random_dictionary", ["n", "m", "rng"]),
        ("coherence", ["A"]),
        ("encode", ["W", "b", "Y", "activation", "lam"]),
        ("loss", ["W", "b", "Y", "activation", "lam"]),
        ("gradient", ["W", "b", "Y", "activation", "lam"]),
        ("train", ["Y", "W0", "b0", "lr", "steps", "activation", "lam", "bias_decay", "A", "signs"]),
        ("matched_distance", ["W", "A", "signs"]),
    ],
)
def test_design_api_signatures(name, parameters):
    """The names and parameters DESIGN.md promises are exported, in that order."""
    signature = inspect.signature(getattr(aelib, name))
    assert list(signature.parameters)[: len(parameters)] == parameters


@pytest.mark.parametrize("name", ["GaussianMixture", "SparseCoding", "NonnegativeSparseCoding"])
def test_models_exported_with_sample(name):
    assert callable(getattr(getattr(aelib, name), "sample"))


def test_all_names_resolve():
    for name in aelib.__all__:
        assert getattr(aelib, name) is not None, name
