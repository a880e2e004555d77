from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-05-2"


def _tan_after_one_step(theta):
    """One normalized expected step with b = 0, zeta = 1/p_i, from W_1 at angle theta to A_1."""
    A = np.eye(3)[:, :2]
    W = np.column_stack([[np.cos(theta), 0.0, np.sin(theta)], [0.0, 1.0, 0.0]])
    weights = np.array([0.5, 0.5])
    step = W - 2.0 * aelib.expected_gradient_mixture(W, A, 0.0, weights=weights)
    w = step[:, 0] / np.linalg.norm(step[:, 0])
    return np.hypot(w[1], w[2]) / w[0]


@test_case(name="tan(theta+) after one step with zeta = 1/p_i")
def one_step(tan_theta_plus):
    function_close("tan_theta_plus", tan_theta_plus, (0.1, 0.3, 0.6), _tan_after_one_step, rtol=1e-9,
                   hint="Compare with one step of W - zeta g, g from aelib.expected_gradient_mixture, then normalize.")


@test_case(name="first-order factor for alpha = 1/4, b = 0")
def factor(factor_quarter):
    close("factor_quarter", factor_quarter, aelib.linearized_factor(10 * 0.25, 0.1, 0.0), rtol=1e-9,
          hint="The factor applies to the squared distance: square c / (c + alpha).")
