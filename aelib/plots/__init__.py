"""The book's figures (matplotlib), so that chapters stay short.

Every figure uses one style and one palette (:mod:`aelib.plots.style`); each plotting
function takes already computed numbers, draws them, and returns the
:class:`matplotlib.figure.Figure` (chapters end the cell with ``plt.show()``). Nothing in
this package computes a result: the numbers come from the numerics layer, which never
imports plots. The modules:

- :mod:`aelib.plots.style`: the palette (``COLORS``, ``INIT_COLORS``), ``COLUMN_WIDTH``,
  ``MIN_FONT``, ``use_style``, ``new_figure`` and the legend rule ``legend``;
- one module per chapter, holding the figures that chapter draws:
  :mod:`~aelib.plots.ch01_model`, :mod:`~aelib.plots.ch02_autoencoder`,
  :mod:`~aelib.plots.ch03_initialization`, :mod:`~aelib.plots.ch04_code_consistency`,
  :mod:`~aelib.plots.ch05_descent`, :mod:`~aelib.plots.ch06_experiments`,
  :mod:`~aelib.plots.ch07_variations`, :mod:`~aelib.plots.ch08_sparse_in_practice`,
  :mod:`~aelib.plots.ch09_finite_samples`, :mod:`~aelib.plots.ch10_random_starts`,
  :mod:`~aelib.plots.ch11_baselines`.

Every public name of these modules is re-exported here (``plots.plot_codes``). The
interactive explorers live in :mod:`aelib.explorers` (they compute, then draw through this
package); ``plots.training_explorer``, ``plots.consistency_explorer`` and
``plots.consistency_explorer_figure`` are kept as aliases of them, loaded on first use.
"""

from . import (
    ch01_model,
    ch02_autoencoder,
    ch03_initialization,
    ch04_code_consistency,
    ch05_descent,
    ch06_experiments,
    ch07_variations,
    ch08_sparse_in_practice,
    ch09_finite_samples,
    ch10_random_starts,
    ch11_baselines,
    style,
)
from .ch01_model import *  # noqa: F401,F403
from .ch02_autoencoder import *  # noqa: F401,F403
from .ch03_initialization import *  # noqa: F401,F403
from .ch04_code_consistency import *  # noqa: F401,F403
from .ch05_descent import *  # noqa: F401,F403
from .ch06_experiments import *  # noqa: F401,F403
from .ch07_variations import *  # noqa: F401,F403
from .ch08_sparse_in_practice import *  # noqa: F401,F403
from .ch09_finite_samples import *  # noqa: F401,F403
from .ch10_random_starts import *  # noqa: F401,F403
from .ch11_baselines import *  # noqa: F401,F403
from .style import *  # noqa: F401,F403

#: The chapter modules, in reading order.
CHAPTER_MODULES = (
    ch01_model, ch02_autoencoder, ch03_initialization, ch04_code_consistency, ch05_descent, ch06_experiments,
    ch07_variations, ch08_sparse_in_practice, ch09_finite_samples, ch10_random_starts, ch11_baselines,
)

#: Names kept here for the explorers, which moved to :mod:`aelib.explorers`.
_EXPLORERS = ("training_explorer", "consistency_explorer", "consistency_explorer_figure")

__all__ = list(style.__all__) + [name for module in CHAPTER_MODULES for name in module.__all__] + list(_EXPLORERS)


def __getattr__(name):
    # aelib.explorers imports this package, so its names are loaded on first use, not here.
    if name in _EXPLORERS:
        from .. import explorers

        value = getattr(explorers, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
