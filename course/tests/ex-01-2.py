from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, has_entry, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-01-2"


@test_case(name="a2 for a1 = 0, 1/2, 1")
def upper_ends(a2_values):
    answered("a2_values", a2_values)
    A = aelib.random_dictionary(16, 8, rng=0)
    for a1 in (0.0, 0.5, 1.0):
        has_entry("a2_values", a2_values, a1, hint="Use the values of a1 as keys: 0.0, 0.5 and 1.0.")
        close(f"a2_values[{a1}]", a2_values[a1], aelib.SparseCoding(A, k=2, noise_std=0.0, a1=a1).a2, rtol=1e-12,
              hint="Solve (a1^2 + a1 a2 + a2^2) / 3 = 1 for the positive a2.")
