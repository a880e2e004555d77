"""Interactive explorers (ipywidgets) of the book: compute a setting, then draw it through :mod:`aelib.plots`.

Each explorer sits in its chapter next to a static figure of its default state, and the text
never depends on moving a slider (ARCHITECTURE.md). Unlike :mod:`aelib.plots`, this module
computes: each widget callback runs the numerics for the chosen setting and hands the
results to a plotting function that only draws.

- :func:`training_explorer` (Chapter 5): one Gaussian-mixture training run,
  :func:`aelib.run_mixture_descent`, drawn by :func:`~aelib.plots.ch05_descent.plot_training_run`.
- :func:`consistency_explorer` (Chapter 4): code consistency (Thm. 3) for a W exactly
  delta-close to A; each setting is :func:`consistency_explorer_figure`, drawn by
  :func:`~aelib.plots.ch04_code_consistency.plot_consistency_state`.

ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import plots
from .autoencoder import encode
from .consistency import delta_close, preactivation_split, recovery_rates
from .models import gaussian_noise

__all__ = ["training_explorer", "consistency_explorer", "consistency_explorer_figure"]


def training_explorer(*, n: int = 256, m: int = 10, N: int = 3000, steps: int = 30, seed: int = 0):
    """An ipywidgets explorer of one Gaussian-mixture training run (Sec. 5).

    Controls: activation, b0, bias decay C (b <- b / C), bias floor, learning rate
    (in units of m), noise sigma and the init perturbation delta. Each change reruns
    :func:`aelib.run_mixture_descent` and redraws :func:`~aelib.plots.ch05_descent.plot_training_run`.

    Parameters
    ----------
    n : int, default 256
        Dimension of the samples.
    m : int, default 10
        Number of mixture components.
    N : int, default 3000
        Number of samples.
    steps : int, default 30
        Number of updates T.
    seed : int, default 0
        Seed of every run (the same A, data and start for every setting).

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    # The package-level name: the driver's home module may change, its public name does not.
    from . import run_mixture_descent

    def show(activation, b0, bias_decay, bias_floor, lr_over_m, noise_std, delta):
        result = run_mixture_descent(
            n=n, m=m, N=N, noise_std=noise_std, delta=delta, lr=lr_over_m * m, steps=steps,
            activation=activation, b0=0.0 if activation == "threshold" else b0,
            bias_decay=1.0 if activation == "threshold" else bias_decay,
            bias_floor=bias_floor if (activation == "relu" and bias_floor > 0) else None, seed=seed,
        )
        plots.plot_training_run(result, loss_floor=n * noise_std**2 / 2,
                                title=f"final distance {result.distance[-1]:.3f}")
        plt.show()

    style = {"description_width": "120px"}
    return widgets.interactive(
        show,
        activation=widgets.Dropdown(options=["relu", "threshold"], value="relu", description="activation", style=style),
        b0=widgets.FloatSlider(value=-1.25, min=-2.0, max=0.0, step=0.05, description="b0 (ReLU)", style=style),
        bias_decay=widgets.FloatSlider(value=2.0, min=1.0, max=4.0, step=0.1, description="bias decay C", style=style),
        bias_floor=widgets.FloatSlider(value=0.0, min=0.0, max=0.5, step=0.01, description="bias floor", style=style),
        lr_over_m=widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.05, description="lr / m", style=style),
        noise_std=widgets.FloatLogSlider(value=0.01, base=10, min=-3, max=-1, step=0.1, description="noise sigma", style=style),
        delta=widgets.FloatSlider(value=0.5, min=0.0, max=1.5, step=0.05, description="init delta", style=style),
    )


def _explorer_data(model, N: int, rng):
    """The codes and the unit-variance noise draw of the consistency explorer (seed ``rng``)."""
    gen = np.random.default_rng(rng)
    return model.sample_codes(N, gen), gaussian_noise(model.n, N, 1.0, rng=gen)


def _explorer_state(A, codes, noise, *, delta, b, sigma, activation, lam, adversarial, seed):
    """Codes, preactivations and rates for one setting of the consistency explorer."""
    Y = A @ codes + sigma * noise
    W = delta_close(A, delta, rng=seed, adversarial=adversarial)
    on, off = preactivation_split(W, b, Y, codes)
    rates = recovery_rates(encode(W, b, Y, activation=activation, lam=lam if activation == "threshold" else None),
                           codes)
    return on, off, rates


def consistency_explorer_figure(model, *, delta: float = 0.2, b: float = -0.4, sigma=None,
                                activation: str = "relu", adversarial: bool = False, N: int = 2000, rng=0,
                                _data=None):
    """The consistency explorer's figure for one setting (its default state, drawn statically).

    Histograms of z = W^T y + b on and off the support for a W exactly delta-close to
    ``model.A`` (:func:`aelib.delta_close`), with the activation's cut-off; the title
    gives the support and sign recovery rates of the encoder (Thm. 3). The
    threshold activation uses lam = a1 / 2, as in Thm. 3 (i) and (iii). The drawing is
    :func:`~aelib.plots.ch04_code_consistency.plot_consistency_state`.

    Parameters
    ----------
    model : BilinearModel
        Gives A, a1 and the law of the codes.
    delta, b : float
        Closeness ||W_i - A_i|| (Def. 2) and the bias shared by every unit.
    sigma : float, optional
        Noise level (default ``model.noise_std``).
    activation : {"relu", "threshold"}
        Encoder activation sigma (Sec. 2.1).
    adversarial : bool
        Worst-case direction for W (:func:`aelib.delta_close`).
    N : int
        Samples.
    rng : int
        Seed of the samples and of W's directions.

    Returns
    -------
    matplotlib.figure.Figure
    """
    codes, noise = _explorer_data(model, N, rng) if _data is None else _data
    sigma = model.noise_std if sigma is None else sigma
    lam = model.a1 / 2.0
    on, off, rates = _explorer_state(model.A, codes, noise, delta=delta, b=b, sigma=sigma, activation=activation,
                                     lam=lam, adversarial=adversarial, seed=rng)
    return plots.plot_consistency_state(on, off, rates, activation=activation, lam=lam, delta=delta, b=b,
                                        sigma=sigma, adversarial=adversarial)


def consistency_explorer(model, *, N: int = 2000, rng: int = 0, delta: float = 0.2, b: float = -0.4,
                         activation: str = "relu"):
    """An ipywidgets explorer of code consistency (Thm. 3) against delta, b, noise and activation.

    Sliders set delta = ||W_i - A_i||, the bias b and the noise sigma_eta; a dropdown
    picks the activation (ReLU, or the threshold lam = a1/2) and a checkbox the
    worst-case W. The codes and a unit noise draw are sampled once (seed ``rng``);
    the figure is :func:`consistency_explorer_figure`.

    Parameters
    ----------
    model : BilinearModel
        Gives A, a1, the noise level and the law of the codes.
    N : int, default 2000
        Number of samples.
    rng : int, default 0
        Seed of the samples and of W's directions.
    delta : float, default 0.2
        Initial closeness ||W_i - A_i|| (Def. 2).
    b : float, default -0.4
        Initial bias, shared by every unit.
    activation : {"relu", "threshold"}
        Initial encoder activation sigma (Sec. 2.1).

    Returns
    -------
    ipywidgets.Widget
        Display it (the last expression of a cell).
    """
    import ipywidgets as widgets

    data = _explorer_data(model, N, rng)
    out = widgets.Output()
    controls = dict(
        delta=widgets.FloatSlider(value=delta, min=0.0, max=1.0, step=0.01, description="delta"),
        b=widgets.FloatSlider(value=b, min=-1.5, max=0.5, step=0.01, description="bias b"),
        sigma=widgets.FloatLogSlider(value=max(model.noise_std, 1e-3), base=10, min=-3, max=-0.3, step=0.05,
                                     description="noise"),
        activation=widgets.Dropdown(options=["relu", "threshold"], value=activation, description="activation"),
        adversarial=widgets.Checkbox(value=False, description="worst-case W"),
    )

    def redraw(**kwargs):
        with out:
            out.clear_output(wait=True)
            fig = consistency_explorer_figure(model, N=N, rng=rng, _data=data, **kwargs)
            plt.show()
            plt.close(fig)

    widgets.interactive_output(redraw, controls)
    return widgets.VBox([widgets.HBox([controls["delta"], controls["b"], controls["sigma"]]),
                         widgets.HBox([controls["activation"], controls["adversarial"]]), out])
