"""A scikit-learn estimator around :func:`aelib.train`: the weight-sharing autoencoder.

:class:`TiedAutoencoder` lets the autoencoder of Sec. 2.1, trained by the normalized
gradient descent of Sec. 5 (Thm. 4) with the settings of Sec. 6, take part in
scikit-learn pipelines, cross-validation and grid searches.

scikit-learn puts one sample per *row*; the rest of aelib (and the paper) puts one
sample per *column*. The estimator takes ``X`` of shape (n_samples, n_features) and
trains on ``Y = X.T`` (n x N), copied once into C order, where :func:`aelib.train`
is fastest; :meth:`TiedAutoencoder.transform` and :meth:`TiedAutoencoder.score`
work on the view ``X.T``.

This module imports scikit-learn, which is an optional dependency of aelib
(``pip install aelib[sklearn]``); ``aelib.TiedAutoencoder`` is loaded on first use.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._checks import all_finite, check_activation, check_bias, check_int, check_matrix
from .autoencoder import encode, loss
from .descent import train
from .initialization import pca_init, random_init, spectral_init
from .models import normalize_columns

__all__ = ["TiedAutoencoder"]

_FLOATS = [np.float64, np.float32]
_INITS = ("pca", "random", "spectral")


def _as_generator(random_state) -> np.random.Generator:
    """A numpy Generator from scikit-learn's ``random_state`` conventions.

    An int seeds :func:`numpy.random.default_rng` directly (so ``random_state=0`` with
    ``init="random"`` gives ``aelib.random_init(n, m, rng=0)``); a Generator is used as
    is; None or a RandomState instance seeds a new Generator from that RandomState
    (None means numpy's global RandomState, as everywhere in scikit-learn).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, (Integral, np.integer)) and not isinstance(random_state, bool):
        return np.random.default_rng(int(random_state))
    state = check_random_state(random_state)
    return np.random.default_rng(int(state.randint(np.iinfo(np.int32).max)))


def _finite(method: str, value):
    """``value`` if every entry is finite; FloatingPointError otherwise (overflow is never silent)."""
    if not all_finite(np.asarray(value)):
        raise FloatingPointError(
            f"TiedAutoencoder.{method}: the result overflowed (inf or NaN); scale X to order 1"
        )
    return value


class TiedAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Weight-sharing autoencoder trained by normalized gradient descent (scikit-learn API).

    The encoder computes the codes ``x = sigma(W^T y + b)`` and the decoder
    ``y_hat = W x`` with the same weights ``W`` (n_features x n_components), as in
    Sec. 2.1 of Nguyen, Wong and Hegde (2019). :meth:`fit` runs the algorithm analysed
    in Sec. 5 (Thm. 4) and used in Sec. 6,

        ``W <- normalize(W - lr * g(W, b))``,  ``b <- b / bias_decay``,

    where ``g`` is the paper's approximate gradient of the mean reconstruction loss
    (:func:`aelib.gradient`), through :func:`aelib.train`. The defaults are the
    settings of Sec. 6: ReLU, ``b0 = -2.5 delta = -1.25``, ``bias_decay = 2``,
    ``lr = m``, ``T = 50`` steps.

    Samples are rows, as everywhere in scikit-learn; internally ``Y = X.T``.

    Parameters
    ----------
    n_components : int, default=10
        Number of hidden units m (columns of W).
    activation : {"relu", "threshold"}, default="relu"
        The encoder's activation sigma.
    lam : float, default=None
        Threshold of the hard-threshold activation (required for
        ``activation="threshold"``, not allowed for ReLU).
    bias : float or array-like of shape (n_components,), default=-1.25
        The initial bias b^0 (Sec. 6 uses b^0 = -2.5 delta with delta = 0.5).
    bias_decay : float, default=2.0
        The constant C > 0 of ``b^{s+1} = b^s / C``; 1 keeps the bias fixed, 2 is
        Sec. 6, :func:`aelib.sqrt_decay` gives Sec. 5's sqrt(1 - tau) schedule.
    bias_floor : float, default=None
        Keep ``|b_i| >= bias_floor`` after each decay (sign kept).
    lr : float, default=None
        Learning rate zeta > 0. None means ``n_components``: Theta(m), as Thm. 4 (i)
        asks for the mixture and Sec. 6 uses.
    max_iter : int, default=50
        Number of gradient steps T >= 0.
    tol : float, default=None
        Stop early once the relative decrease of the loss is at most ``tol``.
    init : {"pca", "random", "spectral"} or array-like of shape (n_features, n_components), default="pca"
        The initial weights W^0 (Sec. 3 and Sec. 6):

        - ``"pca"``: the top left singular vectors of the (uncentered) data,
          :func:`aelib.pca_init`. PCA yields at most ``min(n_samples, n_features)``
          directions; when ``n_components`` is larger (an overcomplete
          dictionary, or a tiny sample) the remaining columns are random unit
          vectors drawn from ``random_state``.
        - ``"random"``: Gaussian columns, :func:`aelib.random_init`.
        - ``"spectral"``: the pairwise reweighting method of Arora et al. (2015),
          :func:`aelib.spectral_init` (needs at least 3 samples).
        - an array: used as W^0 after normalizing its columns (for instance
          :func:`aelib.perturbed_init` of the true dictionary).
    random_state : int, numpy.random.Generator, RandomState instance or None, default=None
        Seeds the random parts of the initialization.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The learned weights, one unit-norm row per hidden unit (``W.T``).
    bias_ : ndarray of shape (n_components,)
        The final bias b^T, used by :meth:`transform` and :meth:`score`.
    loss_curve_ : ndarray of shape (``n_iter_ + 1``,)
        The mean reconstruction loss at W^0, ..., W^T (with the bias of each step).
    n_iter_ : int
        Number of gradient steps made (less than ``max_iter`` after an early stop).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during :meth:`fit`, when ``X`` has string column names.

    See Also
    --------
    aelib.train : The trainer, on column-major data.
    aelib.encode : The encoder behind :meth:`transform`.
    aelib.matched_distance : Compare ``components_.T`` with a true dictionary.

    Notes
    -----
    float32 input is trained and transformed in float32 (the dtype is preserved);
    other input is converted to float64. The columns of W are renormalized after
    every step (with scaled norms, so a huge ``lr`` still gives unit columns), but
    the loss squares the data: on badly scaled data (entries beyond about 1e150 in
    float64, 1e19 in float32) it overflows. Overflow is never silent: :meth:`fit`
    then raises the FloatingPointError of :func:`aelib.train` (naming ``lr`` and the
    data scale) before any learned attribute is set, and :meth:`transform` and :meth:`score`
    raise FloatingPointError rather than return inf or NaN. The theory assumes
    unit-norm dictionary atoms, so scale the data accordingly (for instance with a
    ``Normalizer``).

    :meth:`score` is the negative mean reconstruction loss, so that model selection
    (``GridSearchCV``) maximizes it.

    References
    ----------
    Thanh V. Nguyen, Raymond K. W. Wong and Chinmay Hegde. On the dynamics of
    gradient descent for autoencoders. AISTATS 2019 (Sec. 2.1, Sec. 5, Sec. 6).

    Examples
    --------
    >>> import aelib
    >>> A = aelib.random_dictionary(50, 5, rng=0)
    >>> Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(1000, rng=1)
    >>> W0 = aelib.perturbed_init(A, 0.5, rng=2)  # about 0.46-close to A, column-wise
    >>> model = aelib.TiedAutoencoder(n_components=5, init=W0, bias=-0.5, bias_decay=1.0)
    >>> codes = model.fit_transform(Y.T)  # one row of 5 codes per sample
    >>> codes.shape
    (1000, 5)
    >>> bool(aelib.matched_distance(model.components_.T, A) < 0.05)
    True

    A fixed negative bias keeps the codes consistent (Thm. 3) all along. With the
    Sec. 6 schedule (the defaults) the bias halves to about 0 within T = 50 steps;
    on this small problem (n = 50) the weights then drift away from A again.
    """

    def __init__(
        self,
        n_components=10,
        *,
        activation="relu",
        lam=None,
        bias=-1.25,
        bias_decay=2.0,
        bias_floor=None,
        lr=None,
        max_iter=50,
        tol=None,
        init="pca",
        random_state=None,
    ):
        self.n_components = n_components
        self.activation = activation
        self.lam = lam
        self.bias = bias
        self.bias_decay = bias_decay
        self.bias_floor = bias_floor
        self.lr = lr
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @property
    def _n_features_out(self):
        """Number of output features, for ``get_feature_names_out``."""
        return self.components_.shape[0]

    # --- fitting ------------------------------------------------------------------

    def _initial_weights(self, Y: np.ndarray, m: int) -> np.ndarray:
        """W^0 (n x m) for the data Y (n x N), by ``self.init``."""
        n, N = Y.shape
        init = self.init
        if isinstance(init, str):
            if init == "pca":
                r = min(n, N, m)
                W0 = pca_init(Y, r)
                if r < m:  # PCA has only min(n, N) directions; complete at random
                    extra = random_init(n, m - r, rng=_as_generator(self.random_state))
                    W0 = np.hstack([W0, extra])
                return W0
            if init == "random":
                return random_init(n, m, rng=_as_generator(self.random_state))
            if init == "spectral":
                return spectral_init(Y, m, rng=_as_generator(self.random_state))
            raise ValueError(f"init: expected one of {_INITS} or an array, got {init!r}")
        W0 = check_matrix("init", init, nonzero_columns=True)
        if W0.shape != (n, m):
            raise ValueError(
                f"init: expected an array of shape (n_features, n_components) = {(n, m)}, "
                f"got {W0.shape}"
            )
        return normalize_columns(W0)

    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, one sample per row.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : TiedAutoencoder
        """
        X = validate_data(self, X, dtype=_FLOATS)
        m = check_int("n_components", self.n_components, minimum=1)
        lam = check_activation(self.activation, self.lam)
        steps = check_int("max_iter", self.max_iter, minimum=0)
        b0 = check_bias("bias", self.bias, m, dtype=X.dtype)
        # Samples as columns, as in the rest of aelib. W^0 comes from the view X.T, before
        # the C-ordered copy that train gets (its two products run about a third slower
        # on the F-ordered view), so that the peak memory is that of one copy of X, not
        # of the copy plus the initialization's work.
        W0 = self._initial_weights(X.T, m)
        Y = np.ascontiguousarray(X.T)
        result = train(
            Y,
            W0,
            b0,
            lr=float(m) if self.lr is None else self.lr,
            steps=steps,
            activation=self.activation,
            lam=lam,
            bias_decay=self.bias_decay,
            bias_floor=self.bias_floor,
            tol=self.tol,
        )
        self.components_ = np.ascontiguousarray(result.W.T)
        self.bias_ = result.b
        self.loss_curve_ = result.loss
        self.n_iter_ = result.steps_run
        return self

    # --- using a fitted model -----------------------------------------------------

    def transform(self, X):
        """Encode ``X``: the codes ``sigma(W^T y + b)`` with the final bias, one row per sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row (scikit-learn's layout: the transpose of ``Y``).

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            In the dtype of ``X`` when it is float32, float64 otherwise.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=_FLOATS, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):  # checked by _finite
            codes = encode(self.components_.T, self.bias_, X.T, activation=self.activation, lam=self.lam)
        return _finite("transform", codes).T

    def inverse_transform(self, X):
        """Decode codes: ``y_hat = W x`` for each row ``x``, i.e. ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, for instance from :meth:`transform`.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=_FLOATS)
        m = self.components_.shape[0]
        if X.shape[1] != m:
            raise ValueError(f"X has {X.shape[1]} columns, but the model has n_components={m} units")
        return X @ self.components_.astype(X.dtype, copy=False)

    def score(self, X, y=None):
        """Negative mean reconstruction loss, ``-mean 1/2 ||y - W sigma(W^T y + b)||^2``.

        Higher is better, so ``GridSearchCV`` and ``cross_val_score`` can use it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row (scikit-learn's layout: the transpose of ``Y``).
        y : None
            Ignored.

        Returns
        -------
        float
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=_FLOATS, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):  # checked by _finite
            value = loss(self.components_.T, self.bias_, X.T, activation=self.activation, lam=self.lam)
        return -_finite("score", value)
