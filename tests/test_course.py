"""The course edition (course/): student notebooks without solutions, otter checks, leak search."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course import edition, leaks

ROOT = Path(__file__).resolve().parent.parent
SECRET = "the secret reasoning that only the instructor may see in this solution"


def _notebook():
    nb = new_notebook()
    nb.cells = [
        new_code_cell("import numpy as np"),
        new_markdown_cell("## Exercises\n\n```{exercise} Pen and paper\n:label: ex-10-1\n\nProve it.\n```\n\n"
                          f"```{{solution}} ex-10-1\n:class: dropdown\n\n{SECRET}.\n```"),
        new_markdown_cell("```{exercise} Collisions (code)\n:label: ex-10-3\n\nCompute.\n```"),
        new_markdown_cell("```{solution-start} ex-10-3\n:class: dropdown\n```\n\nThe code below."),
        new_code_cell("p_free = 0.00036288  # secret solution code line"),
        new_markdown_cell("```{solution-end}\n```"),
        new_markdown_cell("```{exercise} Ungraded (code)\n:label: ex-10-4\n\nRun it.\n```"),
    ]
    return nb


def test_student_notebook_drops_every_solution_and_adds_answer_cells():
    nb = _notebook()
    before = nbformat.writes(nb)
    student = edition.student_notebook(nb, {"ex-10-3": "p_free = ...  # m!/m^m\n"})
    assert nbformat.writes(nb) == before  # the instructor notebook is not modified
    text = nbformat.writes(student)
    for gone in (SECRET, "secret solution code", "solution-start", "solution-end", "{solution"):
        assert gone not in text
    sources = [c.source for c in student.cells]
    assert 'grader = otter.Notebook(tests_dir="tests")' in sources[1]
    stub = sources.index(next(s for s in sources if s.startswith("# ex-10-3")))
    assert "p_free = ..." in sources[stub] and sources[stub + 1] == 'grader.check("ex-10-3")'
    assert any(s.startswith("# ex-10-4 (code): your code here") for s in sources)
    assert sum(s.startswith("grader.check(") for s in sources) == 1  # the ungraded exercise gets no check


def test_unterminated_gated_solution_is_an_error():
    nb = _notebook()
    del nb.cells[5]
    with pytest.raises(ValueError, match="no {solution-end}"):
        edition.student_notebook(nb, {})


def _check(label, env, tmp_path, monkeypatch):
    import otter
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT / "course"))
    result = otter.Notebook(tests_dir=str(ROOT / "course" / "tests")).check(label, env)
    return getattr(result, "return_value", result)


def test_wrong_answer_fails_with_a_message_not_a_traceback(tmp_path, monkeypatch):
    test = _check("ex-10-3", {"p_free": 0.5, "p_stirling": 3.6e-4, "uncovered": 3.4868}, tmp_path, monkeypatch)
    assert test.score == 0
    summary = test.summary()
    assert "`p_free` = 0.5, but aelib gives 0.00036288" in summary
    assert "Traceback" not in summary


def test_right_answer_passes(tmp_path, monkeypatch):
    test = _check("ex-10-3", {"p_free": 3.6288e-4, "p_stirling": 3.5991e-4, "uncovered": 3.4868}, tmp_path,
                  monkeypatch)
    assert test.score == test.possible == 1


def test_stub_gets_a_message(tmp_path, monkeypatch):
    test = _check("ex-10-3", {"p_free": ..., "p_stirling": ..., "uncovered": ...}, tmp_path, monkeypatch)
    assert test.score == 0 and "is still `...`" in test.summary()


def test_leak_search_finds_a_planted_solution(tmp_path):
    needles = leaks.solution_needles()
    code, prose = needles["ex-01-4"]
    assert code and prose
    (tmp_path / "page.html").write_text(f"<p>{prose[0]}</p>")
    (tmp_path / "nb.ipynb").write_text(code[0])
    (tmp_path / "clean.txt").write_text("nothing to see")
    hits, _, found = leaks.scan(tmp_path)
    assert {p.name for p, _, _ in hits} == {"page.html", "nb.ipynb"} and found == {"ex-01-4"}


def test_registry_tests_and_titles_agree():
    graded = edition.graded_exercises()
    assert sorted(graded) == sorted(p.stem for p in (ROOT / "course" / "tests").glob("ex-*.py"))
    assert len(graded) >= 20 and len({edition.chapter_of(label) for label in graded}) >= 8
    titles = {}
    for path in (ROOT / "book").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for directive, _, text in edition._split_blocks(cell.source) if cell.cell_type == "markdown" else []:
                if directive == "exercise":
                    titles[edition.exercise_label(text)] = edition.is_coding(text)
    assert all(titles[label] for label in graded)  # every graded exercise is marked (code)


def test_gated_solution_code_is_folded_in_jupyterlab():
    """The code of a gated solution (between solution-start and solution-end) is executed for the
    HTML book, but a reader in JupyterLab sees it folded, like the solutions' dropdowns: JupyterLab
    honours the cell metadata ``jupyter.source_hidden`` / ``jupyter.outputs_hidden``."""
    unfolded = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        inside = False
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                inside = ("{solution-start}" in cell.source) or (inside and "{solution-end}" not in cell.source)
            elif inside:
                flags = cell.metadata.get("jupyter", {})
                if not (flags.get("source_hidden") and flags.get("outputs_hidden")):
                    unfolded.append(f"{path.name}:{cell.id}")
    assert not unfolded, f"gated solution code cells not folded: {unfolded}"
