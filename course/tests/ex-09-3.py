from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-09-3"


@test_case(name="population floor per column, n = 64, m = 32, k = 2")
def floor(floor_per_column):
    close("floor_per_column", floor_per_column,
          np.sqrt(aelib.population_point(kind="sparse", n=64, m=32, k=2) / 32), rtol=1e-6,
          hint="population_point returns ||W - A||_F^2: divide by m, then take the square root.")
