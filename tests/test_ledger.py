"""The ledger of verdicts (book/ledger.md) agrees with the chapters' summaries.

The ledger lists the claims of the paper, one row each: its key in bold, what the paper says,
where the book measures it (links to chapter summaries), what was measured, and a verdict from a
fixed set. Every chapter that measures a claim states the same verdicts in its ``## Summary``, in a
table whose first column starts with the claim's bold key and whose last column starts with the
verdict in italics, under a label ``(chNN-summary)=``. This test reads both and checks:

- every verdict, in the ledger and in the summaries, is one of :data:`VERDICTS`;
- every table row has as many cells as its header (a bare ``|`` inside math splits a cell);
- every key is in the ledger once, and every claim of the paper (:data:`CLAIMS`) has a row;
- every summary row with a key has a ledger row with the same key and the same verdict, and the
  ledger links that chapter's summary; every chapter the ledger links states that key;
- every link resolves: each ``{ref}`chNN-summary``` label stands before the ``## Summary`` of
  chapter NN (the strict book build also fails on an unresolved reference);
- every decimal number of a ledger row's ``measured`` cell stands in a code cell or text output of
  a chapter the row links, so the notebook check checks it (as ``tests/test_prose_numbers.py``
  does for the chapters' own prose).

The checks are functions of the texts, so the tests at the end can feed them broken copies and
see them fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from test_prose_numbers import _checked_text, prose_numbers

BOOK = Path(__file__).resolve().parent.parent / "book"
LEDGER = BOOK / "ledger.md"

#: The verdicts, spelled exactly (longest first, so that a prefix test picks the right one).
VERDICTS = ("agrees in form, constants differ", "outside the hypotheses", "not measured", "disagrees", "agrees")
#: The claims of the paper the ledger must cover (each by at least one key that starts with it).
CLAIMS = ("Thm. 1", "Thm. 2", "Thm. 3 (i)", "Thm. 3 (ii)", "Thm. 3 (iii)", "Thm. 4 (i", "Thm. 4 (ii)",
          "Thm. 4 (iii", "Lemma 1", "Sec. 3, conjecture", "Sec. 5, bias schedule", "Sec. 6, Fig. 2",
          "Sec. 6, Fig. 3")
SUMMARY = re.compile(r"^\((ch\d\d-summary)\)=[ \t]*\n+##[ \t]+Summary[ \t]*$", re.M)
KEY = re.compile(r"^\*\*(.+?)\*\*")
VERDICT = re.compile(r"^\*([^*]+)\*")
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?(ch\d\d-summary)>?`")


@dataclass(frozen=True)
class Row:
    """One keyed row of a table: where it stands, its key, verdict, the labels it links and its cells."""

    where: str
    key: str
    verdict: str
    links: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row, split as the renderer splits them (on every unescaped |)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def table_rows(text: str, where: str, problems: list[str]) -> list[tuple[list[str], list[str]]]:
    """(header, cells) of every row of every markdown table in ``text``; malformed rows are problems."""
    rows, header = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
        elif not all(set(cell) <= set("-: ") for cell in cells):
            if len(cells) != len(header):
                problems.append(f"{where}, line {number}: {len(cells)} cells under a header of {len(header)} "
                                f"(a bare | inside math splits a cell: write \\lvert, \\rvert): {line[:80]}")
            else:
                rows.append((header, cells))
    return rows


def keyed_rows(text: str, where: str, problems: list[str]) -> list[Row]:
    """The rows of ``text``'s tables whose first cell starts with a bold key; checks their verdicts."""
    found = []
    for header, cells in table_rows(text, where, problems):
        key = KEY.match(cells[0])
        if not key or header[0].lower() != "claim" or header[-1].lower() != "verdict":
            continue
        verdict = VERDICT.match(cells[-1])
        if not verdict or verdict.group(1).strip() not in VERDICTS:
            problems.append(f"{where}, {key.group(1)!r}: the verdict cell must start with one of "
                            f"{', '.join(f'*{v}*' for v in VERDICTS)}; it reads {cells[-1][:60]!r}")
            continue
        found.append(Row(where, key.group(1).strip(), verdict.group(1).strip(),
                         tuple(REF.findall(" ".join(cells))), tuple(cells)))
    return found


def summaries(chapters: dict[str, str], problems: list[str]) -> dict[str, list[Row]]:
    """Label -> the keyed rows of that chapter's summary, from {chapter name: its markdown}."""
    out: dict[str, list[Row]] = {}
    for name, text in chapters.items():
        match = SUMMARY.search(text)
        if not match:
            continue
        section = text[match.end():].split("\n## ", 1)[0]
        label = match.group(1)
        if label != f"ch{name[:2]}-summary":
            problems.append(f"{name}: its summary label is {label}, expected ch{name[:2]}-summary")
        out[label] = keyed_rows(section, f"{name} ({label})", problems)
    return out


def check(ledger: str, chapters: dict[str, str], outputs: dict[str, str] | None = None) -> list[str]:
    """Every way ``ledger`` and the ``chapters``' summaries disagree (an empty list if none).

    ``chapters`` maps a notebook's file name to its markdown; ``outputs``, if given, maps the same
    names to the code and text outputs the notebook check compares, for the ledger's numbers.
    """
    problems: list[str] = []
    rows = keyed_rows(ledger, "ledger", problems)
    by_key: dict[str, Row] = {}
    for row in rows:
        if row.key in by_key:
            problems.append(f"ledger: the key {row.key!r} has two rows")
        by_key[row.key] = row
    for claim in CLAIMS:
        if not any(key.startswith(claim) for key in by_key):
            problems.append(f"ledger: no row for the paper's claim {claim!r}")
    stated = summaries(chapters, problems)
    for row in rows:
        if row.verdict != "not measured" and not row.links:
            problems.append(f"ledger, {row.key!r}: measured, but links no chapter summary")
        for label in row.links:
            if label not in stated:
                problems.append(f"ledger, {row.key!r}: links {label}, which no chapter defines before its Summary")
            elif row.key not in {r.key for r in stated[label]}:
                problems.append(f"ledger, {row.key!r}: links {label}, whose summary does not state that claim")
    for label, chapter_rows in stated.items():
        for row in chapter_rows:
            if row.key not in by_key:
                problems.append(f"{row.where}: the claim {row.key!r} has no row in the ledger")
            elif row.verdict != by_key[row.key].verdict:
                problems.append(f"{row.where}: {row.key!r} is *{row.verdict}* there but "
                                f"*{by_key[row.key].verdict}* in the ledger")
            elif label not in by_key[row.key].links:
                problems.append(f"ledger, {row.key!r}: does not link {label}, which states it")
    if outputs is not None:
        for row in rows:
            checked = "\n".join(text for name, text in outputs.items() if f"ch{name[:2]}-summary" in row.links)
            measured = row.cells[3] if len(row.cells) == 5 else ""
            for number in prose_numbers(measured):
                if not re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", checked):
                    problems.append(f"ledger, {row.key!r}: {number} stands in no output of the chapters it links")
    return problems


def chapters() -> tuple[dict[str, str], dict[str, str]]:
    """{notebook file name: its markdown cells joined}, and {name: what the notebook check compares}."""
    markdown, checked = {}, {}
    for path in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        markdown[path.name] = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        checked[path.name] = _checked_text(nb)
    return markdown, checked


@pytest.fixture(scope="module")
def book() -> tuple[str, dict[str, str], dict[str, str]]:
    return (LEDGER.read_text(), *chapters())


@pytest.fixture(scope="module")
def texts(book: tuple[str, dict[str, str], dict[str, str]]) -> tuple[str, dict[str, str]]:
    return book[0], book[1]


def test_the_ledger_and_the_chapter_summaries_agree(book: tuple[str, dict[str, str], dict[str, str]]) -> None:
    problems = check(*book)
    assert not problems, "\n".join(problems)


def test_the_check_fails_on_a_number_no_output_shows(book: tuple[str, dict[str, str], dict[str, str]]) -> None:
    ledger, markdown, outputs = book
    row = next(line for line in ledger.splitlines() if line.startswith("| **Thm. 4 (i.1)"))
    cells = _cells(row)
    broken = row.replace(cells[3], cells[3] + " and 0.123456", 1)
    problems = check(ledger.replace(row, broken), markdown, outputs)
    assert any("0.123456 stands in no output" in p for p in problems), problems


def test_every_chapter_that_states_a_verdict_is_in_the_ledger(texts: tuple[str, dict[str, str]]) -> None:
    ledger, chapters = texts
    stated = summaries(chapters, [])
    assert len(stated) >= 8, sorted(stated)  # the parser finds the summaries
    linked = set(REF.findall(ledger))
    assert {label for label, rows in stated.items() if rows} <= linked


def _break(texts: tuple[str, dict[str, str]], old: str, new: str, *, chapter: str | None = None):
    ledger, chapters = texts
    if chapter is None:
        assert old in ledger
        return ledger.replace(old, new, 1), chapters
    assert old in chapters[chapter]
    return ledger, {**chapters, chapter: chapters[chapter].replace(old, new, 1)}


def test_the_check_fails_on_a_verdict_outside_the_set(texts: tuple[str, dict[str, str]]) -> None:
    problems = check(*_break(texts, "| *outside the hypotheses* |", "| *contradicts* |"))
    assert any("must start with one of" in p for p in problems)


def test_the_check_fails_when_a_chapter_and_the_ledger_differ(texts: tuple[str, dict[str, str]]) -> None:
    name = next(n for n, t in texts[1].items() if "| **Thm. 4 (i.2)**" in t)
    text = texts[1][name]
    row = text[text.index("| **Thm. 4 (i.2)**"):].split("\n", 1)[0]
    broken = row.replace("*outside the hypotheses*", "*disagrees*")
    problems = check(*_break(texts, row, broken, chapter=name))
    assert any("'Thm. 4 (i.2)' is *disagrees* there but *outside the hypotheses* in the ledger" in p
               for p in problems), problems


def test_the_check_fails_on_a_missing_claim_and_a_dangling_link(texts: tuple[str, dict[str, str]]) -> None:
    ledger, chapters = texts
    row = next(line for line in ledger.splitlines() if line.startswith("| **Lemma 1"))
    problems = check(ledger.replace(row + "\n", ""), chapters)
    assert any("no row in the ledger" in p for p in problems)
    problems = check(*_break(texts, "<ch05-summary>`", "<ch99-summary>`"))
    assert any("ch99-summary, which no chapter defines" in p for p in problems)


def test_the_check_fails_on_a_cell_split_by_a_bare_bar(texts: tuple[str, dict[str, str]]) -> None:
    ledger, chapters = texts
    row = next(line for line in ledger.splitlines() if line.startswith("| **Thm. 4 (i.1)"))
    problems = check(ledger.replace(row, row.replace(" |", " $|b|$ |", 1)), chapters)
    assert any("cells under a header of" in p for p in problems)
