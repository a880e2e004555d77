from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-06-2"


@test_case(name="initial loss and the loss of a consistent code at W = A")
def losses(initial_loss, consistent_loss):
    n, sigma = 784, 0.01
    A = aelib.random_dictionary(n, 10, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=sigma).sample(10_000, rng=1)
    close("initial_loss", initial_loss, aelib.loss(A, -1.25, Y), rtol=0.01,
          hint="Within 1% of the loss aelib measures at b = -1.25, where no unit fires.")
    function_close("consistent_loss", consistent_loss, (-0.25, -0.1), lambda b: aelib.loss(A, b, Y), rtol=0.01,
                   hint="Within 1% of aelib.loss(A, b, Y): which dimensions of the noise survive the reconstruction?")
