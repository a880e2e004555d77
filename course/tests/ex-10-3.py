from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-10-3"


@test_case(name="collision-free starts and uncovered clusters, m = 10")
def collisions(p_free, p_stirling, uncovered):
    reference = aelib.collision_free_probability(10)
    close("p_free", p_free, reference, rtol=1e-9)
    close("p_stirling", p_stirling, reference, rtol=0.05, hint="Stirling's formula is within 1% at m = 10.")
    rng = np.random.default_rng(0)
    picks = np.sort(rng.integers(0, 10, size=(20_000, 10)), axis=1)
    simulated = 10 - np.mean(1 + np.sum(picks[:, 1:] != picks[:, :-1], axis=1))
    close("uncovered", uncovered, simulated, rtol=0.02,
          hint="Within 2% of a simulation of 20,000 random assignments.")
