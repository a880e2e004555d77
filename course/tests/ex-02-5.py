from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-02-5"


@test_case(name="bias gradient of the non-negative model")
def bias_gradient(g_b, p_hat, rel_discrepancy):
    A = aelib.random_dictionary(784, 50, rng=0)
    Y, X = aelib.NonnegativeSparseCoding(A, k=3, a1=0.5, a2=1.0, noise_std=0.01).sample(5000, rng=2)
    W = aelib.perturbed_init(A, 0.1, rng=1)
    lo, hi = aelib.relu_bias_interval(float(np.linalg.norm(W - A, axis=0).max()), 3, 0.5, 1.0)
    b = (lo + hi) / 2
    reference = aelib.bias_gradient(W, b, Y)
    close("g_b", g_b, reference, rtol=1e-9, atol=1e-12, hint="Use aelib.bias_gradient at the middle of the interval.")
    frequencies = (X != 0).mean(axis=1)
    close("p_hat", p_hat, frequencies, atol=1e-12, hint="p_hat[i] is the fraction of codes with x*_i != 0.")
    close("rel_discrepancy", rel_discrepancy,
          np.abs(reference - frequencies * b).max() / np.abs(frequencies * b).max(), rtol=1e-6)
