from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-11-3"


@test_case(name="early stop from the spectral start")
def early_stop(steps_run, final_distance):
    A = aelib.random_dictionary(784, 10, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(10_000, rng=1, dtype=np.float32)
    W0 = aelib.spectral_init(Y, 10, rng=2)
    run = aelib.train(Y, W0, 0.0, lr=10, steps=50, activation="threshold", lam=0.5, A=A, tol=1e-4)
    same("steps_run", steps_run, run.steps_run, hint="Read result.steps_run.")
    close("final_distance", final_distance, run.distance[-1], rtol=1e-4)
