from otter.test_files import test_case
import numpy as np
import aelib
from course_checks import answered, close, same, function_close

OK_FORMAT = False
points = 1
name = "ex-05-4"


@test_case(name="common-mode limit for binary non-negative codes, m = 32, k = 3")
def limit(lr_limit, common_mode_multiplier):
    reference = aelib.common_mode_lr_limit(32, 3, 1.0, 1.0)
    close("lr_limit", lr_limit, reference, rtol=1e-9)
    function_close("common_mode_multiplier", common_mode_multiplier, (0.5 * reference, reference, 1.2 * reference),
                   lambda lr: 1 - 2 * lr / reference, rtol=1e-9, atol=1e-12,
                   hint="The multiplier is 1 at lr = 0 and -1 at the limit.")
