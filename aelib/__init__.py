"""aelib: the companion package of the book reproducing Nguyen, Wong and Hegde (AISTATS 2019),
"On the Dynamics of Gradient Descent for Autoencoders".

Conventions: a sample is a column (Y is n x N, codes X are m x N), W and A are n x m,
losses and gradients are means over samples, and every random draw takes ``rng``
(a numpy Generator or an integer seed).
"""

from .autoencoder import (
    activate,
    bias_gradient,
    decode,
    encode,
    exact_gradient,
    gradient,
    hard_threshold,
    loss,
    relu,
)
from .consistency import (
    RecoveryRates,
    mixture_bias_interval,
    preactivation_split,
    recovery_rates,
    relu_bias_interval,
    sign_recovery_rate,
    support_recovery_rate,
)
from .descent import (
    Lemma1,
    TrainResult,
    expected_gradient_mixture,
    lemma1,
    reference_train,
    sqrt_decay,
    train,
)
from .initialization import pca_init, perturbed_init, random_init, spectral_init
from .metrics import (
    Matching,
    align,
    column_distances,
    is_close,
    is_near,
    match_columns,
    matched_distance,
)
from .models import (
    BilinearModel,
    GaussianMixture,
    NonnegativeSparseCoding,
    SparseCoding,
    coherence,
    gaussian_noise,
    normalize_columns,
    random_dictionary,
)

__version__ = "0.1.0"

__all__ = [
    "activate", "bias_gradient", "decode", "encode", "exact_gradient", "gradient",
    "hard_threshold", "loss", "relu",
    "RecoveryRates", "mixture_bias_interval", "preactivation_split", "recovery_rates",
    "relu_bias_interval", "sign_recovery_rate", "support_recovery_rate",
    "Lemma1", "TrainResult", "expected_gradient_mixture", "lemma1", "reference_train",
    "sqrt_decay", "train",
    "pca_init", "perturbed_init", "random_init", "spectral_init",
    "Matching", "align", "column_distances", "is_close", "is_near", "match_columns",
    "matched_distance",
    "BilinearModel", "GaussianMixture", "NonnegativeSparseCoding", "SparseCoding",
    "coherence", "gaussian_noise", "normalize_columns", "random_dictionary",
]
