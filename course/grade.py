"""Grade a folder of submitted notebooks locally with otter-grader, without Docker.

    python -m course.grade AUTOGRADER.zip SUBMISSIONS/ [-o scores.csv]

AUTOGRADER.zip is a chapter's autograder from ``make student``
(``_build/student/autograder/NN_*.zip``). Each ``*.ipynb`` in SUBMISSIONS/ is graded by
``otter run`` (otter's non-containerized grading: it re-executes the whole notebook in a fresh
kernel of this environment, then runs the chapter's tests). Writes one row per submission,
with the points of each graded exercise, the total and the maximum, to the CSV (default
SUBMISSIONS/scores.csv), and prints the same table.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def grade_one(autograder: Path, notebook: Path) -> dict:
    """Points per exercise of one submission, from otter run's results.json."""
    otter = Path(sys.executable).parent / "otter"
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([str(otter), "run", "-a", str(autograder), "-o", out, "--no-logo", str(notebook)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = json.loads((Path(out) / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t and "max_score" in t}


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("autograder", type=Path)
    parser.add_argument("submissions", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    notebooks = sorted(args.submissions.glob("*.ipynb"))
    if not notebooks:
        print(f"no *.ipynb in {args.submissions}", file=sys.stderr)
        return 1
    rows = {nb.name: grade_one(args.autograder.resolve(), nb.resolve()) for nb in notebooks}
    labels = sorted({label for scores in rows.values() for label in scores})
    output = args.output or args.submissions / "scores.csv"
    with open(output, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", *labels, "total", "possible"])
        for name, scores in rows.items():
            writer.writerow([name, *[scores.get(label, 0) for label in labels],
                             sum(scores.values()), len(labels)])
    print(Path(output).read_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
