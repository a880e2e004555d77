"""Self-test of the graded exercises (run by ``make student`` and ``make test``).

    python -m course.selftest [-v]

For every graded exercise of course/exercises.yml it runs, through otter-grader's own check
(``otter.Notebook(tests_dir=...).check(label, env)``, what a student's ``grader.check`` does):

- the instructor's solution code (the code cells between ``{solution-start} <label>`` and
  ``{solution-end}`` in the chapter of book/), in a fresh namespace: every test case must pass;
- the untouched answer cell of the student edition (built in memory by course.edition): no test
  case may pass.

Both run after the same preamble (numpy as np, scipy, aelib, aelib.report.table), so a solution
that relies on anything else from its chapter fails here. Prints exactly one line,
``graded exercises: N, solutions pass P/N, stubs fail F/N``, and exits 1 unless P = F = N
(``-v`` lists the failures on stderr).
"""

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from course.edition import COURSE, ROOT, chapter_of, graded_exercises, solutions, student_notebook

PREAMBLE = "import numpy as np\nimport scipy\nimport aelib\nfrom aelib.report import table\n"


def _run(code: str, label: str, tests_dir: Path):
    """Execute ``code`` after the preamble in a fresh namespace, then otter's check of ``label``.

    Returns (score, possible, message); an exception in ``code`` counts as score 0.
    """
    import otter

    env: dict = {"__name__": "__main__"}
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            exec(compile(PREAMBLE + code, f"<{label}>", "exec"), env)
        except Exception as error:  # a stub may raise; a solution must not
            return 0.0, 1.0, f"{type(error).__name__}: {error}"
        result = otter.Notebook(tests_dir=str(tests_dir)).check(label, env)
    test = getattr(result, "return_value", result)
    return float(test.score), float(test.possible), test.summary()


def main(argv) -> int:
    verbose = "-v" in argv
    graded = graded_exercises()
    chapters = {p.name[:2]: p for p in sorted((ROOT / "book").glob("*.ipynb"))}
    instructor, student = {}, {}
    for number, path in chapters.items():
        nb = nbformat.read(path, as_version=4)
        instructor[number] = solutions(nb)
        student[number] = student_notebook(nb, graded)
    sys.path.insert(0, str(COURSE))  # course_checks, imported by the tests
    passed = failed = 0
    report = []
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # otter may leave a log file in the working directory
        try:
            for label in graded:
                number = chapter_of(label)
                code = "\n".join(instructor.get(number, {}).get(label, {}).get("code", []))
                if not code:
                    report.append(f"{label}: no executed solution code in book/{number}_*.ipynb")
                else:
                    score, possible, message = _run(code, label, COURSE / "tests")
                    if score == possible:
                        passed += 1
                    else:
                        report.append(f"{label}: the solution scores {score:g}/{possible:g}\n{message}")
                stubs = [c.source for c in student[number].cells
                         if c.get("metadata", {}).get("course", {}).get("answer") == label]
                checks = [c for c in student[number].cells
                          if c.get("metadata", {}).get("course", {}).get("check") == label]
                if len(stubs) != 1 or len(checks) != 1:
                    report.append(f"{label}: the student notebook has {len(stubs)} answer and {len(checks)} check cells")
                    continue
                score, possible, message = _run(stubs[0], label, COURSE / "tests")
                if score == 0:
                    failed += 1
                else:
                    report.append(f"{label}: the untouched stub scores {score:g}/{possible:g}")
        finally:
            os.chdir(cwd)
    n = len(graded)
    print(f"graded exercises: {n}, solutions pass {passed}/{n}, stubs fail {failed}/{n}")
    if verbose and report:
        print("\n\n".join(report), file=sys.stderr)
    return 0 if passed == failed == n else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
