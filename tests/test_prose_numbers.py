"""Every decimal number a chapter's prose quotes stands in an output or code cell of that chapter.

nbval checks the outputs of every chapter against a fresh run, but not the markdown. A number
quoted in the text is therefore checked only if it also appears in the chapter's code or in
what its cells print, so this test requires exactly that. Each decimal number (``0.029``,
``1.41``, ``-0.49``) in a markdown cell of ``book/NN_*.ipynb`` must occur, as the same digit
string, in a code cell's source or in a text output of the same notebook.

Figure captions and alt texts (myst-nb cell metadata) are prose too and are scanned the same way.

Two kinds of text are exempt:

- exercise solutions (the body of a ``{solution}`` directive, or the cells between
  ``{solution-start}`` and ``{solution-end}``): they state expected outcomes, and their code is
  checked where it runs;
- derived constants, marked in the same markdown cell by an HTML comment that names them and says
  where they come from, which the rendered page does not show::

      <!-- derived: 0.125 = 1/2^3, the chance that k = 3 signs agree -->

  The numbers before the marker's first ``=`` are exempt in that cell (``derived: 0.75, 1.25 = ...``).

Section and equation numbers (``Sec. 2.2``, ``Thm. 4 (i.2)``, ``eq. (4)``) are not quantities and
are skipped, as are version strings (``0.4.0``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))

# A decimal number: digits, a point, digits; not part of a longer dotted token (1.2.3) or word.
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w]|\.\d)")
# A reference to a numbered part of the paper or book right before the number.
REFERENCE = re.compile(
    r"(?:Sec|Sect|Section|Sections|§|Fig|Figure|Figures|Table|Eq|eq|Eqs|eqs|Lemma|Theorem|Thm|Thms|"
    r"Definition|Def|Corollary|Cor|Remark|Appendix|App|Example|Exercise|Proposition|Prop|Chapter|Ch|"
    r"Algorithm|Alg|version|v)\.?[\s~]*(?:\(|[A-Z]\.)?$"
)
DERIVED = re.compile(r"<!--\s*derived:(.*?)-->", re.S)
FENCE = re.compile(r"^(`{3,}|:{3,})\s*\{([\w:-]+)\}", re.M)


def _strip_solutions(text: str) -> str:
    """Remove the bodies of ``{solution}`` directives (fenced with backticks or colons)."""
    out, pos = [], 0
    for match in FENCE.finditer(text):
        if match.start() < pos or match.group(2) != "solution":
            continue
        fence = match.group(1)
        # the closing fence: the same characters, at least as many, alone on a line
        close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$", re.M)
        end = close.search(text, match.end())
        out.append(text[pos:match.start()])
        pos = end.end() if end else len(text)
    out.append(text[pos:])
    return "".join(out)


def _derived(text: str) -> set[str]:
    """The numbers a cell marks as derived constants: those before the first ``=`` of a marker."""
    found = set()
    for body in DERIVED.findall(text):
        found.update(NUMBER.findall(body.split("=", 1)[0]))
    return found


def prose_numbers(text: str) -> list[str]:
    """The decimal numbers a markdown text quotes as quantities (solutions and comments removed)."""
    text = _strip_solutions(DERIVED.sub("", text))
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)            # link targets
    numbers = []
    for match in NUMBER.finditer(text):
        if REFERENCE.search(text[max(0, match.start() - 16):match.start()]):
            continue
        numbers.append(match.group(1))
    return numbers


def _checked_text(nb) -> str:
    """Everything of a notebook that nbval checks: code sources and text outputs."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(str(output["data"].get("text/plain", "")))
            elif output.get("output_type") == "error":
                parts.append(" ".join(output.get("traceback", [])))
    return "\n".join(parts)


def _solution_cells(nb) -> set[int]:
    """Indices of markdown cells between ``{solution-start}`` and ``{solution-end}`` (exempt)."""
    inside, exempt = False, set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        if "{solution-start}" in cell.source:
            inside = True
        if inside:
            exempt.add(index)
        if "{solution-end}" in cell.source:
            inside = False
    return exempt


def _caption(cell) -> str:
    """The caption and alt text of a figure cell (myst-nb ``mystnb.figure`` / ``mystnb.image``)."""
    options = cell.get("metadata", {}).get("mystnb", {})
    return "\n".join(str(options.get(key, {}).get(field, ""))
                     for key, field in (("figure", "caption"), ("image", "alt")))


def unchecked_numbers(path: Path) -> list[tuple[int, str]]:
    """(cell index, number) for each prose number of ``path`` that no checked cell shows."""
    nb = nbformat.read(path, as_version=4)
    checked = _checked_text(nb)
    exempt = _solution_cells(nb)
    missing = []
    for index, cell in enumerate(nb.cells):
        if index in exempt:
            continue
        text = cell.source if cell.cell_type == "markdown" else _caption(cell)
        derived = _derived(text)
        for number in prose_numbers(text):
            if number in derived:
                continue
            if not re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", checked):
                missing.append((index, number))
    return missing


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_prose_numbers_are_checked(path):
    missing = unchecked_numbers(path)
    assert not missing, (
        f"{path.name}: {len(missing)} number(s) quoted in the prose appear in no code cell or output "
        "of the chapter, so nothing checks them; print them in an output, or mark a derived constant "
        "with <!-- derived: NUMBER = how -->: "
        + ", ".join(f"{number} (markdown cell {index})" for index, number in missing)
    )


def test_the_rule_bites():
    """The scanner finds a quoted number, skips references, solutions and derived markers."""
    text = (
        "We measure 0.337 at step 50 (Sec. 2.2, Thm. 4 (i.2), eq. 3.1), version 0.4.0.\n"
        "<!-- derived: 0.125 = 1/8 -->The chance is 0.125.\n"
        "```{solution} ex-01-1\n:class: dropdown\n\nThe answer is 0.777.\n```\n"
        "After the solution, 1.41 again.\n"
    )
    assert prose_numbers(text) == ["0.337", "0.125", "1.41"]
    assert _derived(text) == {"0.125"}
    colon = ":::{solution} ex-02-1\nIt is 9.99.\n:::\nand 2.5 outside"
    assert prose_numbers(colon) == ["2.5"]


def test_every_chapter_is_scanned():
    assert len(CHAPTERS) >= 11


def test_an_unprinted_number_is_reported(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("The distance falls to 0.029, then rises to 0.337."),
        nbformat.v4.new_code_cell("print(0.029)", outputs=[nbformat.v4.new_output("stream", text="0.0290\n")]),
        nbformat.v4.new_code_cell("plot()", metadata={"mystnb": {"figure": {"caption": "It ends at 0.281."}}}),
    ]
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(nb, path)
    assert unchecked_numbers(path) == [(0, "0.337"), (2, "0.281")]
