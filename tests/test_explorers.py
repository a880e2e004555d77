"""aelib.explorers: the ipywidgets explorers compute a setting, then draw it through aelib.plots.

The old names ``aelib.plots.training_explorer`` etc. stay as aliases of the explorers.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import aelib  # noqa: E402
from aelib import explorers, plots  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return aelib.GaussianMixture(aelib.random_dictionary(30, 6, rng=1), noise_std=0.02)


@pytest.mark.parametrize("name", explorers.__all__)
def test_plots_keeps_the_old_names(name):
    assert getattr(plots, name) is getattr(explorers, name)


def _title(fig):
    return fig.axes[0].get_title()


@pytest.mark.parametrize("activation,adversarial", [("relu", False), ("threshold", True)])
def test_consistency_figure_shows_the_rates_of_its_setting(model, activation, adversarial):
    """The same computation: the explorer's draws and operations (A @ codes + sigma * noise, encode), restated, so
    the rates (counts over N) are the same.
    """
    N, delta, b, sigma = 500, 0.3, -0.3, 0.05
    fig = explorers.consistency_explorer_figure(model, delta=delta, b=b, sigma=sigma, activation=activation,
                                                adversarial=adversarial, N=N, rng=3)
    # the same setting, computed here from the explorer's seeded draw
    gen = np.random.default_rng(3)
    codes = model.sample_codes(N, gen)
    Y = model.A @ codes + sigma * aelib.gaussian_noise(model.n, N, 1.0, rng=gen)
    W = aelib.delta_close(model.A, delta, rng=3, adversarial=adversarial)
    lam = model.a1 / 2.0 if activation == "threshold" else None
    rates = aelib.recovery_rates(aelib.encode(W, b, Y, activation=activation, lam=lam), codes)
    assert f"support recovered: {rates.support:.3f}, signs: {rates.sign:.3f}" in _title(fig)
    assert ("worst-case" in _title(fig)) == adversarial
    on, off = aelib.preactivation_split(W, b, Y, codes)
    assert sum(p.get_height() for p in fig.axes[0].patches) == on.size + off.size == model.m * N
    plt.close(fig)


def test_consistency_figure_follows_delta(model):
    near = explorers.consistency_explorer_figure(model, delta=0.0, b=-0.4, N=400)
    far = explorers.consistency_explorer_figure(model, delta=1.0, b=-0.4, N=400)
    assert _title(near) != _title(far)
    assert "support recovered: 1.000" in _title(near)
    plt.close("all")


def test_consistency_explorer_builds_a_widget(model):
    widgets = pytest.importorskip("ipywidgets")
    widget = explorers.consistency_explorer(model, N=300, rng=0)
    assert isinstance(widget, widgets.VBox)
    sliders = [c for box in widget.children[:2] for c in box.children]
    assert [c.description for c in sliders] == ["delta", "bias b", "noise", "activation", "worst-case W"]
    assert isinstance(widget.children[2], widgets.Output)
    plt.close("all")


def test_training_explorer_builds_a_widget():
    pytest.importorskip("ipywidgets")
    widget = explorers.training_explorer(n=40, m=4, N=400, steps=3)
    assert hasattr(widget, "children") and len(widget.children) >= 7
    assert [c.description for c in widget.children[:7]] == [
        "activation", "b0 (ReLU)", "bias decay C", "bias floor", "lr / m", "noise sigma", "init delta"]
    plt.close("all")
