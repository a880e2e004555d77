from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-01-1"


def _reference():
    model = aelib.NonnegativeSparseCoding(aelib.random_dictionary(64, 16, rng=0), k=3, a1=0.5, a2=1.0,
                                          noise_std=0.0)
    support = (model.sample(50_000, rng=1)[1] != 0).astype(float)
    pairs = support @ support.T / support.shape[1]
    np.fill_diagonal(pairs, 0.0)
    return support.mean(axis=1), pairs


@test_case(name="the three support probabilities at m = 16, k = 3")
def formulas(p_formula):
    expected = [aelib.support_moment(16, 3, d) for d in (1, 2, 3)]
    close("p_formula", p_formula, expected, rtol=1e-12, hint="Count the k-subsets containing i (and j, l).")


@test_case(name="per-index frequencies of the 50,000 codes")
def frequencies(p_i_hat, p_ij_hat):
    p_i, p_ij = _reference()
    close("p_i_hat", p_i_hat, p_i, atol=1e-12, hint="p_i_hat[i] is the fraction of codes with x_i != 0.")
    close("p_ij_hat", p_ij_hat, p_ij, atol=1e-12,
          hint="p_ij_hat[i, j] is the fraction of codes with x_i != 0 and x_j != 0, zero on the diagonal.")
