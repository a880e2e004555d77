"""Package-level hygiene: the public API of ARCHITECTURE.md and no silently shadowed definitions."""

import ast
import inspect
import pathlib
import re

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
    """The names and parameters ARCHITECTURE.md promises are exported, in that order."""
    signature = inspect.signature(getattr(aelib, name))
    assert list(signature.parameters)[: len(parameters)] == parameters


@pytest.mark.parametrize("name", ["GaussianMixture", "SparseCoding", "NonnegativeSparseCoding"])
def test_models_exported_with_sample(name):
    assert callable(getattr(getattr(aelib, name), "sample"))


def test_all_names_resolve():
    for name in aelib.__all__:
        assert getattr(aelib, name) is not None, name


# The layers of ARCHITECTURE.md, lowest first. A module may import from its own layer or a lower one
# (arrows point down only): numerics never import plots, and the trainer knows no experiment.
LAYERS = {
    "core": {"_checks", "_threads", "models", "autoencoder", "metrics", "initialization", "consistency"},
    "trainer": {"descent"},
    "drivers": {"descent_checks", "population", "fitting", "problems", "experiments", "recovery", "samples",
                "starts", "baselines", "estimator"},
    "top": {"sweeps", "report", "plots", "explorers"},
}
RANK = {module: rank for rank, names in enumerate(LAYERS.values()) for module in names}


def _layer_of(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _relative_imports(path: pathlib.Path):
    """The aelib modules a file imports with ``from .x import`` (at any depth, lazy imports included)."""
    inside_plots = path.parent.name == "plots"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            if inside_plots and node.level == 1:
                yield "plots"
            elif node.module:
                yield node.module.split(".")[0]
            else:  # "from . import x": a submodule, or a name of the package (its defining module counts)
                for alias in node.names:
                    defined_in = getattr(getattr(aelib, alias.name, None), "__module__", None) or ""
                    if alias.name in RANK:
                        yield alias.name
                    elif defined_in.startswith("aelib."):
                        yield defined_in.split(".")[1]


def test_every_module_has_a_layer():
    modules = {_layer_of(p) for p in MODULES if p.name != "__init__.py" or p.parent != PACKAGE}
    assert modules == set(RANK), f"modules without a layer: {sorted(modules - set(RANK))}"


@pytest.mark.parametrize("path", [p for p in MODULES if p != PACKAGE / "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    own = _layer_of(path)
    upward = [target for target in _relative_imports(path) if RANK[target] > RANK[own]]
    assert not upward, f"{path.relative_to(PACKAGE)} ({own}) imports from a higher layer: {upward}"


def test_api_reference_documents_every_public_module():
    api = (PACKAGE.parent / "book" / "api.md").read_text()
    documented = set(re.findall(r"^\.\. automodule:: (aelib[\w.]*)$", api, flags=re.M))
    public = {"aelib." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
              for p in MODULES if not p.name.startswith("_")}
    public |= {"aelib.plots"}  # the package's own page (its __init__)
    assert public == documented, f"undocumented: {sorted(public - documented)}; stale: {sorted(documented - public)}"


def test_every_public_module_has_its_test_module():
    """One test module per aelib module (the plots package's modules share tests/test_plots.py)."""
    tests = PACKAGE.parent / "tests"
    public = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.name.startswith("_")) + ["plots"]
    missing = [name for name in public if not (tests / f"test_{name}.py").exists()]
    assert not missing, f"modules without tests/test_<module>.py: {missing}"


def test_architecture_names_only_paths_that_exist():
    """ARCHITECTURE.md stays true as the code moves: every file or folder it names in backticks exists."""
    root = PACKAGE.parent
    text = (root / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`((?:[\w.-]+/)+[\w.-]*|[\w-]+\.(?:py|md|yml|toml|txt|cfg))`", text))
    assert len(named) > 30, sorted(named)  # the pattern finds the paths
    missing = sorted(p for p in named if not (root / p).exists())
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_architecture_places_every_module_in_a_layer():
    """Every aelib module of a layer above is named in ARCHITECTURE.md's section on the layers."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text()
    layers = text.split("## Layers of the package", 1)[1].split("\n## ", 1)[0]
    unnamed = sorted(m for m in RANK if f"aelib/{m}.py" not in layers and f"aelib/{m}/" not in layers)
    assert not unnamed, f"modules ARCHITECTURE.md does not place in a layer: {unnamed}"
