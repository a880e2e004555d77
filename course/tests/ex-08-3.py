from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, has_entry, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-08-3"


@test_case(name="how many of seeds 0, 1, 2 settle, n = m = 96")
def stability(settled):
    answered("settled", settled)
    for k in (2, 6):
        for c in (0.5, 0.75, 1.0, 1.25):
            has_entry("settled", settled, (k, c), hint="Use the pairs (k, c) as keys.")
            floors = [aelib.population_point(kind="sparse", n=96, m=96, k=k, seed=s, lr_scale=c) for s in (0, 1, 2)]
            same(f"settled[{(k, c)}]", settled[(k, c)], int(np.sum(np.isfinite(floors))),
                 hint="Count the seeds whose population_point is not NaN.")
