from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-06-1"


@test_case(name="oracle floor at sigma = 0.02")
def floor(oracle_floor, oracle_measured):
    close("oracle_floor", oracle_floor, aelib.oracle_distance_floor(784, 10, 10_000, 0.02), rtol=1e-9)
    A = aelib.random_dictionary(784, 10, rng=0)
    Y, X = aelib.GaussianMixture(A, noise_std=0.02).sample(10_000, rng=1)
    close("oracle_measured", oracle_measured, aelib.matched_distance(aelib.oracle_class_means(Y, X), A), rtol=1e-6,
          hint="Measure with aelib.matched_distance(aelib.oracle_class_means(Y, X), A).")
