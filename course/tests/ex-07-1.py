from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-07-1"


@test_case(name="the fixed point and the contraction for zeta p = 1, b = -0.25")
def fixed_point(fixed_point_multiple, angle_factor):
    A = aelib.random_dictionary(64, 4, rng=0)
    step = A - 4.0 * aelib.expected_gradient_mixture(A, A, -0.25)  # zeta = m = 4, p_i = 1/4
    close("fixed_point_multiple", fixed_point_multiple, np.linalg.norm(step[:, 0]), rtol=1e-9,
          hint="W_i - zeta g_i at W = A is a multiple of A_i: which one?")
    close("angle_factor", angle_factor, np.sqrt(aelib.linearized_factor(4.0, 0.25, -0.25)), rtol=1e-9,
          hint="aelib.linearized_factor is the factor of the squared distance.")
