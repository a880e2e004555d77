from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-07-2"


@test_case(name="expected loss at W = A with b = -0.25 and |b| = 0.1")
def losses(loss_constant, loss_floor_01):
    A = aelib.random_dictionary(784, 10, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(10_000, rng=1)
    close("loss_constant", loss_constant, aelib.loss(A, -0.25, Y), rtol=0.01)
    close("loss_floor_01", loss_floor_01, aelib.loss(A, -0.1, Y), rtol=0.01,
          hint="Within 1% of the loss aelib measures at W = A with that bias.")
