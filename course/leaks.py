"""Check that no solution reaches the student edition (run by ``make student``).

    python -m course.leaks DIR [--expect-leaks]

Collects every solution of the instructor notebooks in book/ (the ``{solution}`` blocks and
everything between ``{solution-start}`` and ``{solution-end}``, prose and code) and searches
every file under DIR for:

- the solution directives themselves (``{solution``, ``solution-start``, ``solution-end``) and,
  in HTML, sphinx-exercise's rendered solutions (``class="solution``, "Solution to");
- each line of solution code of 30 characters or more, verbatim;
- each solution sentence fragment of 8 words or more without math or markup, in the text of
  the file (HTML tags removed, entities decoded).

Prints what it found and exits 1 if anything leaked. With ``--expect-leaks`` it checks the
opposite, that the search finds most solutions in DIR (use it on the instructor edition,
``_build/html``, to show that the search bites).
"""

import html
import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import nbformat

from course.edition import COURSE, ROOT, _split_blocks, markdown_solutions, solutions

MARKERS = ("{solution", "solution-start", "solution-end")
HTML_MARKERS = ('class="solution', "Solution to")
TEXT_SUFFIXES = {".html", ".ipynb", ".md", ".txt", ".py", ".js", ".json", ".yml", ".yaml", ".csv", ".tex"}


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _fragments(prose: str) -> List[str]:
    """Runs of 8+ plain words (math, code and markup removed) from a solution's prose."""
    prose = "\n".join(line for line in prose.splitlines() if not re.match(r"\s*(```|:\w+:)", line))
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[\w-]+\}|\([a-z]\)", " | ", prose, flags=re.S)
    pieces = re.split(r"[|*_\[\]()#>]|\n\s*\n|^\s*\d+\.", text, flags=re.M)
    out = []
    for piece in pieces:
        for sentence in re.split(r"(?<=[.;:?!,])\s", _normalize(piece)):
            words = sentence.strip(" .;:,").split()
            if len(words) >= 8:
                out.append(" ".join(words))
    return out


def _public_text() -> str:
    """What the student edition shows on purpose: exercise statements, answer stubs, otter tests."""
    public = [(COURSE / "exercises.yml").read_text()]
    public += [p.read_text() for p in sorted((COURSE / "tests").glob("*.py"))]
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                public += [piece for directive, _, piece in _split_blocks(cell.source) if directive == "exercise"]
    return "\n".join(public)


def solution_needles() -> Dict[str, Tuple[List[str], List[str]]]:
    """Label -> (code lines, prose fragments) of every solution in book/ (pages and notebooks).

    Code lines that also occur in the public text (a statement, a stub or a test) are not
    searched for: the student edition ships them on purpose.
    """
    public = _public_text()
    found = {}
    for path in sorted((ROOT / "book").glob("*.md")):
        found.update(markdown_solutions(path.read_text()))
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        found.update(solutions(nbformat.read(path, as_version=4)))
    needles = {}
    for label, parts in found.items():
        code = [line.strip() for src in parts["code"] for line in src.splitlines()
                if len(line.strip()) >= 30 and line.strip() not in public]
        prose = [f for src in parts["prose"] for f in _fragments(src)]
        needles[label] = (code, prose)
    return needles


def _text_of(path: Path) -> Tuple[str, str]:
    raw = path.read_text(errors="replace")
    if path.suffix == ".html":
        plain = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    else:
        plain = raw
    return raw, _normalize(plain)


def scan(directory: Path):
    """Return (hits, n_solutions, found_labels): hits are (file, label or marker, needle)."""
    needles = solution_needles()
    hits, found = [], set()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        raw, plain = _text_of(path)
        for marker in MARKERS + (HTML_MARKERS if path.suffix == ".html" else ()):
            if marker in raw:
                hits.append((path, "marker", marker))
        for label, (code, prose) in needles.items():
            for needle in code:
                if needle in raw:
                    hits.append((path, label, needle))
                    found.add(label)
            for needle in prose:
                if needle in plain:
                    hits.append((path, label, needle))
                    found.add(label)
    return hits, len(needles), found


def main(argv: List[str]) -> int:
    expect = "--expect-leaks" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__)
        return 2
    hits, n, found = scan(Path(args[0]))
    if expect:
        ok = len(found) >= 0.9 * n
        print(f"leak search on {args[0]}: found {len(found)} of {n} solutions ({'bites' if ok else 'too weak'})")
        return 0 if ok else 1
    for path, what, needle in hits[:30]:
        print(f"LEAK {path}: {what}: {needle[:100]}")
    print(f"leak search on {args[0]}: {n} solutions, {len(hits)} leaks")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
