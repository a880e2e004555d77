from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-01-4"


@test_case(name="the construction of the hint")
def construction(A_ex, W_ex):
    answered("A_ex", A_ex)
    answered("W_ex", W_ex)
    close("A_ex.shape", np.shape(A_ex), (3, 2))
    close("W_ex.shape", np.shape(W_ex), (3, 2))
    A, W = np.asarray(A_ex, float), np.asarray(W_ex, float)
    close("column norms of A_ex", np.linalg.norm(A, axis=0), [1.0, 1.0], atol=1e-9)
    close("column norms of W_ex", np.linalg.norm(W, axis=0), [1.0, 1.0], atol=1e-9)
    close("W_ex[:, 0] (should equal A_1)", W[:, 0], A[:, 0], atol=1e-9)
    close("[<A_1, A_2>, <W_2, A_1>, <W_2, A_2>]", [A[:, 0] @ A[:, 1], W[:, 1] @ A[:, 0], W[:, 1] @ A[:, 1]],
          [0.2, 0.2, -0.5], atol=1e-9)


@test_case(name="the two matchings")
def matchings(A_ex, W_ex, pi_frobenius, pi_max, max_distance_frobenius, max_distance_max):
    for objective, pi, dmax, pi_name, d_name in [
            ("frobenius", pi_frobenius, max_distance_frobenius, "pi_frobenius", "max_distance_frobenius"),
            ("max", pi_max, max_distance_max, "pi_max", "max_distance_max")]:
        match = aelib.brute_force_match(W_ex, A_ex, objective=objective)
        same(pi_name, pi, match.permutation.tolist(), hint="Use the permutation of aelib.brute_force_match.")
        distances = np.linalg.norm(match.apply(W_ex) - A_ex, axis=0)
        close(d_name, dmax, distances.max(), atol=1e-9, hint="The largest column distance after matching.")
