"""aelib.plots: the package's layout and layering, the shared style and legend rule, and the figures
the book commits.

The figures' type must stay readable in the book's column (issue 8): a figure no wider than
``COLUMN_WIDTH`` is shown at 100%, so its smallest type is ``MIN_FONT`` points = 110/72 px per
point; legends must not overlap the data; every figure cell carries a caption, a name and an
alt text (myst-nb cell metadata).
"""

from __future__ import annotations

import ast
import base64
import glob
import inspect
import os
import pkgutil
import struct
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import aelib  # noqa: E402
from aelib import plots  # noqa: E402

BOOK = os.path.join(os.path.dirname(__file__), os.pardir, "book")
CHAPTERS = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(BOOK, "[0-9][0-9]_*.ipynb")))


# --- the package: one style module plus one module per chapter, numerics never import it --------


def test_one_plots_module_per_chapter_and_a_style_module():
    modules = {info.name for info in pkgutil.iter_modules(plots.__path__)}
    expected = {f"ch{chapter}" for chapter in CHAPTERS} | {"style"}
    assert len(CHAPTERS) >= 11
    assert modules == expected
    assert [module.__name__.rsplit(".", 1)[1] for module in plots.CHAPTER_MODULES] == [f"ch{c}" for c in CHAPTERS]


def test_all_names_resolve_and_each_comes_from_one_module():
    owners = {}
    for module in (plots.style, *plots.CHAPTER_MODULES):
        for name in module.__all__:
            assert name not in owners, f"{name} exported by {owners.get(name)} and {module.__name__}"
            owners[name] = module.__name__
            assert getattr(plots, name) is getattr(module, name), name
    explorers = {"training_explorer", "consistency_explorer", "consistency_explorer_figure"}
    assert set(plots.__all__) == set(owners) | explorers
    assert len(plots.__all__) == len(set(plots.__all__))
    for name in plots.__all__:
        assert getattr(plots, name) is not None, name


def test_every_public_name_of_a_plots_module_is_exported():
    for module in (plots.style, *plots.CHAPTER_MODULES):
        public = set()
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                public.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    public.add(target.id)
        public = {name for name in public if not name.startswith("_")}
        assert public == set(module.__all__), f"{module.__name__}: {sorted(public ^ set(module.__all__))}"


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_plot"):
        plots.no_such_plot  # noqa: B018


def _imported_after(code: str) -> set:
    """Modules of interest present in a fresh interpreter after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(sorted(m for m in sys.modules " \
                   "if m.startswith(('aelib.plots', 'aelib.explorers', 'matplotlib')))))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_numerics_never_import_plots_or_matplotlib():
    import aelib

    numerics = [info.name for info in pkgutil.iter_modules(aelib.__path__) if info.name not in ("plots", "explorers")]
    core = {"descent", "experiments", "models", "autoencoder", "metrics", "initialization", "consistency"}
    assert core <= set(numerics)
    loaded = _imported_after("import aelib\n" + "\n".join(f"import aelib.{name}" for name in numerics))
    assert loaded == set(), f"the numerics layer imported {sorted(loaded)}"


def test_plots_loads_the_explorers_only_when_asked():
    loaded = _imported_after("import aelib.plots")
    assert "aelib.plots.style" in loaded and "aelib.explorers" not in loaded
    loaded = _imported_after("import aelib.plots\naelib.plots.training_explorer")
    assert "aelib.explorers" in loaded


def _texts(fig):
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _figure_cells():
    for path in sorted(glob.glob(os.path.join(BOOK, "*.ipynb"))):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if cell.cell_type == "code" and images:
                yield os.path.basename(path), cell, images


def _synthetic_figures():
    rng = np.random.default_rng(0)
    loss = {init: {s: rng.uniform(0.1, 1.0, (4, 11)) for s in (0.01, 0.02)} for init in ("a", "b", "c")}
    yield "loss_curves", plots.plot_loss_curves(loss, floors={0.01: 0.05, 0.02: 0.1})
    yield "rate_curves", plots.plot_rate_curves(
        [{"one": (np.arange(5.0), np.linspace(1, 0, 5)), "two": (np.arange(5.0), np.linspace(1, 0.5, 5))}] * 3,
        ["p", "q", "r"], ["x", "y", "z"], marks=[{"mark": 2.0}] * 3)
    yield "rate_grids", plots.plot_rate_grids([rng.uniform(size=(3, 4))] * 2, ["a", "b"], [0, 0.1, 0.2, 0.3],
                                              [1, 2, 4], xlabel="d", ylabel="k")
    dist = {init: rng.uniform(0.1, 2.0, (4, 11)) for init in ("perturbation", "pca", "random")}
    yield "matched_distance", plots.plot_matched_distance(dist, rng.uniform(0.1, 0.2, 4))


@pytest.mark.parametrize("name,fig", list(_synthetic_figures()), ids=lambda v: v if isinstance(v, str) else "")
def test_figures_fit_the_column_and_keep_type_readable(name, fig):
    assert fig.get_figwidth() <= plots.COLUMN_WIDTH + 1e-9
    sizes = [t.get_fontsize() for t in _texts(fig)]
    assert min(sizes) >= plots.MIN_FONT
    plt.close(fig)


def test_consistency_state_draws_the_given_rates_and_cut_offs():
    rates = aelib.RecoveryRates(support=0.25, sign=0.125, entry_support=0.5)
    on, off = np.linspace(0.5, 1.5, 40), np.linspace(-1.0, 0.2, 120)
    fig = plots.plot_consistency_state(on, off, rates, activation="threshold", lam=0.5, delta=0.3, b=-0.2,
                                       sigma=0.01, adversarial=True)
    ax = fig.axes[0]
    assert "worst-case W" in ax.get_title() and "support recovered: 0.250, signs: 0.125" in ax.get_title()
    assert sorted(line.get_xdata()[0] for line in ax.get_lines()) == [-0.5, 0.5]
    assert sum(p.get_height() for p in ax.patches) == on.size + off.size
    assert fig.get_figwidth() == pytest.approx(plots.COLUMN_WIDTH)
    plt.close(fig)


def test_new_figure_caps_the_width():
    fig, _ = plots.new_figure(3, 1, width=12.0)
    assert fig.get_figwidth() == pytest.approx(plots.COLUMN_WIDTH)
    plt.close(fig)


def test_figure_legend_lies_outside_every_axes():
    fig, axes = plots.new_figure(3, 1, height=2.5)
    for ax in axes:
        for j in range(5):
            ax.plot(np.arange(10), np.arange(10) * (j + 1), label=f"a fairly long label {j}")
    leg = plots.legend(fig)
    fig.canvas.draw()
    box = leg.get_window_extent()
    assert len(leg.get_texts()) == 5  # each label once
    for ax in axes:
        assert not box.overlaps(ax.get_window_extent())
    assert box.width <= fig.bbox.width  # columns chosen to fit
    plt.close(fig)


@pytest.mark.parametrize("loc", ["below", "right"])
def test_axes_legend_outside_its_axes_and_tick_labels(loc):
    fig, axes = plots.new_figure(2, 1, height=3.0)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.set_xlabel("x label")
    leg = plots.legend(axes[0], loc=loc, ncol=1)
    fig.canvas.draw()
    box = leg.get_window_extent()
    assert not box.overlaps(axes[0].get_window_extent())
    assert not box.overlaps(axes[0].xaxis.label.get_window_extent())
    plt.close(fig)


def test_legend_rejects_an_inside_location_for_a_figure():
    fig, ax = plots.new_figure()
    ax.plot([0, 1], label="x")
    with pytest.raises(ValueError, match="loc"):
        plots.legend(fig, loc="upper left")
    plt.close(fig)


def test_every_book_figure_has_caption_name_alt_and_fits_the_column():
    names = []
    for chapter, cell, images in _figure_cells():
        where = f"{chapter} cell {cell.id}"
        assert len(images) == 1, f"{where}: one figure per cell"
        meta = cell.metadata.get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        alt = meta.get("image", {}).get("alt", "")
        assert len(caption) > 40, f"{where}: caption missing or too short"
        assert len(alt) > 40 and ".png" not in alt, f"{where}: alt text must describe the figure"
        names.append(meta["figure"].get("name"))
        width = struct.unpack(">I", base64.b64decode(images[0]["data"]["image/png"])[16:20])[0]
        # bbox_inches="tight" may add a few pixels around the figure
        assert width <= plots.COLUMN_WIDTH * 110 + 30, f"{where}: {width} px wider than the column"
    assert len(names) == len(set(names)) and all(names), "figure names must be unique"
    assert len(names) >= 30


# --- Chapter 5's figures, from the trainer's and the checks' results ----------------------------


def test_chapter5_plots_return_figures(mixture):
    trace = aelib.trace_descent(mixture.Y, mixture.W0, -0.8, mixture.A, lr=mixture.m, steps=3,
                                bias_decay=2.0, X_star=mixture.X_star)
    W = aelib.close_weights(mixture.A, 0.2, rng=4)
    curve = aelib.gradient_error_curve(mixture.Y, W, mixture.A, 0.0, [100, 1000], activation="threshold", lam=0.5)
    result = aelib.train(mixture.Y, mixture.W0, 0.0, lr=mixture.m, steps=3, activation="threshold", lam=0.5,
                         A=mixture.A)
    figures = [
        plots.plot_gradient_error({"threshold": curve}, title="t"),
        plots.plot_lemma1_trace({"relu": trace}),
        plots.plot_distance_panels({"one": {"run": result.distance}}, floor=0.01),
        plots.plot_distance_panels({"a": {"run": result.distance}, "b": {"run": trace.distance}}),
        plots.plot_bias_drift(trace, title="t"),
        plots.plot_training_run(result, loss_floor=0.01, title="t"),
    ]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        plt.close(fig)
