from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-06-4"


@test_case(name="oracle floor with N = 40,000, sigma = 0.01")
def floor(floor_40k):
    close("floor_40k", floor_40k, aelib.oracle_distance_floor(784, 10, 40_000, 0.01), rtol=1e-6)
