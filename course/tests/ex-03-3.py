from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-03-3"


@test_case(name="distance from A_i to the centered PCA span, m = 10")
def centered_residual(centered_residual):
    A = aelib.random_dictionary(784, 10, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(5000, rng=1)
    measured = aelib.span_residual(aelib.pca_init(Y, 10, center=True), A).mean()
    close("centered_residual", centered_residual, measured, rtol=0.05,
          hint="Your prediction should agree within 5% with the mean span residual aelib measures "
               "(784 x 10 mixture, sigma = 0.01, N = 5000): what component of A_i does centering remove?")
