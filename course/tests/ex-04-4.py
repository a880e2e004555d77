from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, has_entry, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-04-4"


@test_case(name="largest bias with support recovery >= 0.99, W = A")
def largest(largest_bias):
    answered("largest_bias", largest_bias)
    A50 = aelib.random_dictionary(784, 50, rng=1)
    for k in (1, 2, 3, 5):
        has_entry("largest_bias", largest_bias, k, hint="Use the values of k as keys: 1, 2, 3 and 5.")
        model = aelib.NonnegativeSparseCoding(A50, k=k, a1=1.0, a2=2.0, noise_std=0.01)
        diagram = aelib.recovery_phase_diagram(model, [0.0], np.linspace(-1, 0, 101), N=2000, rng=0)
        close(f"largest_bias[{k}]", largest_bias[k], diagram.bias_range(0.99)[1][0], atol=1e-9,
              hint="Take the largest grid bias whose support recovery rate is >= 0.99 (PhaseDiagram.bias_range).")
