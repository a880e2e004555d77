from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-05-3"


@test_case(name="constant biases: linearized factors and measured ratios")
def constant_bias(linearized, ratios):
    answered("linearized", linearized)
    answered("ratios", ratios)
    A = aelib.random_dictionary(256, 10, rng=0)
    Y, _ = aelib.GaussianMixture(A, noise_std=0.01).sample(4000, rng=1)
    W0 = aelib.perturbed_init(A, 0.5, rng=2)
    for b in (-0.2, -0.5, -0.8):
        if b not in linearized or b not in ratios:
            raise AssertionError(f"`linearized` and `ratios` need an entry for b = {b}: use the keys -0.2, -0.5, -0.8.")
        close(f"linearized[{b}]", linearized[b], aelib.linearized_factor(10, 0.1, b), rtol=1e-9)
        distance = aelib.train(Y, W0, b, lr=10, steps=5, bias_decay=1.0, A=A).distance
        close(f"ratios[{b}]", ratios[b], distance[1:]**2 / distance[:-1]**2, rtol=1e-6,
              hint="ratios[b][s] = d_{s+1}^2 / d_s^2 for s = 0..4, from the distances aelib.train records.")
