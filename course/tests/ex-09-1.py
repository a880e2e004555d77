from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-09-1"


@test_case(name="[Sigma^-1]_ii and the oracle's Frobenius error")
def oracle(sigma_inv_sparse, sigma_inv_mixture, frobenius_mixture):
    A32 = aelib.random_dictionary(64, 32, rng=0)
    sparse = np.linalg.inv(aelib.code_second_moment(aelib.SparseCoding(A32, k=3, noise_std=0.01)))
    close("sigma_inv_sparse", sigma_inv_sparse, sparse[0, 0], rtol=1e-9, hint="Sparse codes, m = 32, k = 3, kappa2 = 1.")
    A10 = aelib.random_dictionary(784, 10, rng=0)
    mixture = aelib.GaussianMixture(A10, noise_std=0.01)
    close("sigma_inv_mixture", sigma_inv_mixture, np.linalg.inv(aelib.code_second_moment(mixture))[0, 0], rtol=1e-9)
    close("frobenius_mixture", frobenius_mixture, aelib.oracle_distance_floor(784, 10, 10_000, 0.01), rtol=1e-9)
