from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-01-5"


@test_case(name="coherence of [I, H / sqrt(n)] and the Welch bound, n = 64")
def coherences(mu_hadamard, welch_mu, mu_gaussian):
    import scipy.linalg
    n = 64
    close("mu_hadamard", mu_hadamard, aelib.coherence(np.hstack([np.eye(n), scipy.linalg.hadamard(n) / np.sqrt(n)])),
          atol=1e-9)
    close("welch_mu", welch_mu, np.sqrt(n / (2 * n - 1)), rtol=1e-9,
          hint="Multiply the Welch bound on max |<A_i, A_j>| by sqrt(n) to get a bound on mu.")
    close("mu_gaussian", mu_gaussian, aelib.coherence_sweep([n], [2 * n], trials=5, rng=0).mu[0], rtol=1e-9,
          hint="The five values of aelib.coherence_sweep([64], [128], trials=5, rng=0).")
