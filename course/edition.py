"""Build the student edition of the book (``make student``).

    python -m course.edition OUT

writes into OUT (``_build/student``):

- ``notebooks/NN_*.ipynb``: every chapter with every solution removed (``{solution}`` blocks,
  and everything from ``{solution-start}`` to ``{solution-end}``, including executed solution
  code). Each coding exercise gets an answer cell after its statement: for a graded exercise the
  stub of ``course/exercises.yml`` and a check cell ``grader.check("ex-NN-K")``; otherwise an
  empty cell to fill. ``notebooks/tests/`` holds the otter tests, ``notebooks/course_checks.py``
  their helpers, ``autograder/NN_*.zip`` one otter autograder per chapter (``otter generate``).
- ``src/``: the book's sources with those notebooks, and ``_config.student.yml``, the book's
  configuration with ``hide_solutions: true`` (sphinx-exercise); ``make student`` builds the
  HTML from it into ``OUT/html``.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import nbformat
import yaml
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
FENCE = re.compile(r"^```\{([\w-]+)\}[ \t]*(.*)$")
GRADER_SETUP = ('# Course edition: `grader.check("ex-NN-K")` checks your answer to a graded exercise, offline.\n'
                'import otter\n\ngrader = otter.Notebook(tests_dir="tests")')


def graded_exercises() -> Dict[str, str]:
    """Label -> stub of the answer cell, from course/exercises.yml."""
    return yaml.safe_load((COURSE / "exercises.yml").read_text())


def chapter_of(label: str) -> str:
    """'ex-05-2' -> '05'."""
    return label.split("-")[1]


def _split_blocks(text: str) -> List[Tuple[str, str, str]]:
    """Split markdown into (directive or '', argument, text) pieces at top-level ``` fences."""
    pieces, lines, i, buf = [], text.split("\n"), 0, []
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            buf.append(lines[i])
            i += 1
            continue
        if buf:
            pieces.append(("", "", "\n".join(buf)))
            buf = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        pieces.append((match.group(1), match.group(2).strip(), "\n".join(lines[i:j + 1])))
        i = j + 1
    if buf:
        pieces.append(("", "", "\n".join(buf)))
    return pieces


def exercise_label(block: str) -> str:
    match = re.search(r"^:label:\s*(\S+)", block, re.M)
    if match is None:
        raise ValueError(f"exercise without a label: {block[:80]!r}")
    return match.group(1)


def is_coding(block: str) -> bool:
    """An exercise is a coding exercise when its title ends with '(code)'."""
    return block.split("\n", 1)[0].rstrip().endswith("(code)")


def solutions(nb) -> Dict[str, Dict[str, List[str]]]:
    """Label -> {'prose': [...], 'code': [...]} of every solution in an instructor notebook."""
    found: Dict[str, Dict[str, List[str]]] = {}
    gated = None
    for cell in nb.cells:
        if gated is not None:
            if cell.cell_type == "markdown" and "{solution-end}" in cell.source:
                gated = None
            else:
                found[gated]["code" if cell.cell_type == "code" else "prose"].append(cell.source)
            continue
        if cell.cell_type != "markdown":
            continue
        pieces = _split_blocks(cell.source)
        for i, (directive, argument, text) in enumerate(pieces):
            if directive == "solution":
                found.setdefault(argument, {"prose": [], "code": []})["prose"].append(text)
            elif directive == "solution-start":  # the rest of the cell belongs to the solution
                gated = argument
                rest = "\n".join(piece for _, _, piece in pieces[i:])
                found.setdefault(argument, {"prose": [], "code": []})["prose"].append(rest)
                break
    return found


def strip_markdown(text: str) -> str:
    """A MyST page without its ``{solution}`` blocks (pages have no gated solutions)."""
    kept = []
    for directive, _, piece in _split_blocks(text):
        if directive in ("solution-start", "solution-end"):
            raise ValueError("gated solutions are supported in notebooks only")
        if directive != "solution":
            kept.append(piece)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


def markdown_solutions(text: str) -> Dict[str, Dict[str, List[str]]]:
    """Label -> {'prose': [...], 'code': []} of the ``{solution}`` blocks of a MyST page."""
    return {argument: {"prose": [piece], "code": []}
            for directive, argument, piece in _split_blocks(text) if directive == "solution"}


def _answer_cells(label: str, coding: bool, graded: Dict[str, str]) -> list:
    if label in graded:
        stub = new_code_cell(f"# {label} (code): your answer. Replace each ... then run the check below.\n"
                             + graded[label].rstrip("\n"))
        check = new_code_cell(f'grader.check("{label}")')
        stub.metadata["course"] = {"answer": label}
        check.metadata["course"] = {"check": label}
        return [stub, check]
    if coding:
        cell = new_code_cell(f"# {label} (code): your code here (this exercise is not autograded).\n...")
        cell.metadata["course"] = {"answer": label}
        return [cell]
    return []


def student_notebook(nb, graded: Dict[str, str]):
    """The student version of an instructor notebook (a new notebook; the input is not changed)."""
    nb = nbformat.from_dict(nb)  # deep copy
    cells, gated, needs_grader, pending = [], None, False, []
    for cell in nb.cells:
        if gated is not None:  # inside {solution-start} ... {solution-end}: drop everything
            if cell.cell_type == "markdown" and "{solution-end}" in cell.source:
                cells.extend(pending)
                gated, pending = None, []
            continue
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        kept, answers = [], []
        for directive, argument, text in _split_blocks(cell.source):
            if directive == "solution":
                continue
            if directive == "solution-start":
                gated = argument
                continue
            if directive == "exercise":
                label = exercise_label(text)
                answers = _answer_cells(label, is_coding(text), graded)
                needs_grader |= label in graded
            if gated is None:
                kept.append(text)
        source = "\n".join(kept).strip("\n")
        if source:
            cell.source = source
            cells.append(cell)
        if gated is None:
            cells.extend(answers)
        else:
            pending = answers
    if gated is not None:
        raise ValueError(f"{{solution-start}} {gated} has no {{solution-end}}")
    if needs_grader:
        first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
        cells.insert(first_code + 1, new_code_cell(GRADER_SETUP))
    nb.cells = cells
    return nb


def write_notebooks(out: Path) -> List[Path]:
    graded = graded_exercises()
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = student_notebook(nbformat.read(path, as_version=4), graded)
        nbformat.validate(nb)
        nbformat.write(nb, target / path.name)
        written.append(target / path.name)
    shutil.copytree(COURSE / "tests", target / "tests", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(COURSE / "course_checks.py", target / "course_checks.py")
    return written


def write_autograders(out: Path, notebooks: List[Path]) -> None:
    """One otter autograder zip per chapter with graded exercises (for `otter run`)."""
    graded = graded_exercises()
    zips = out / "autograder"
    zips.mkdir(parents=True, exist_ok=True)
    otter = Path(sys.executable).parent / "otter"
    for nb in notebooks:
        labels = sorted(label for label in graded if nb.name.startswith(chapter_of(label) + "_"))
        if not labels:
            continue
        staging = out / "tmp-autograder" / nb.stem
        (staging / "tests").mkdir(parents=True, exist_ok=True)
        for label in labels:
            shutil.copy2(COURSE / "tests" / f"{label}.py", staging / "tests" / f"{label}.py")
        shutil.copy2(COURSE / "course_checks.py", staging / "course_checks.py")
        subprocess.run([str(otter), "generate", "-t", "tests", "-o", str((zips / f"{nb.stem}.zip").resolve()),
                        "--no-requirements", "--no-environment", "--no-config", "course_checks.py"],
                       cwd=staging, check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(out / "tmp-autograder", ignore_errors=True)


def write_sources(out: Path, notebooks: List[Path]) -> Path:
    """The book's sources with the student notebooks, and _config.student.yml."""
    src = out / "src"
    (src / "book").mkdir(parents=True, exist_ok=True)
    for name in ("_toc.yml",):
        shutil.copy2(ROOT / name, src / name)
    for item in (ROOT / "book").iterdir():
        if item.suffix == ".ipynb":
            continue
        if item.suffix == ".md":
            (src / "book" / item.name).write_text(strip_markdown(item.read_text()))
        elif item.is_dir():
            shutil.copytree(item, src / "book" / item.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / "book" / item.name)
    for nb in notebooks:
        shutil.copy2(nb, src / "book" / nb.name)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = config["title"] + " (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    header = "# Generated by course/edition.py from _config.yml: the student edition (solutions hidden).\n"
    (src / "_config.student.yml").write_text(header + yaml.safe_dump(config, sort_keys=False))
    return src


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    notebooks = write_notebooks(out)
    write_autograders(out, notebooks)
    write_sources(out, notebooks)
    print(f"student edition: {len(notebooks)} notebooks, {len(graded_exercises())} graded exercises in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
