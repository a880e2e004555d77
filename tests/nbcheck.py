"""The notebook check: nbval, with printed numbers compared within one unit of their last digit.

Every chapter of the book is committed with its outputs, and ``make test`` re-executes it and
compares what it prints now with what was committed. A reader's CPU, BLAS kernel and thread
count round differently from ours in the last bits, so a number whose true value sits next to a
rounding boundary may print as ``1.016`` here and ``1.017`` there. An exact comparison of the
printed text would fail on that reader's machine although nothing is wrong; no choice of digits
keeps every one of the book's numbers away from every boundary. So this check compares:

- **decimal numbers** (``0.25``, ``-1.5``, ``3.2e-05``, ``97.5%``, ``1,234.5``) within one unit in
  their last printed digit: ``1.016`` matches ``1.015`` and ``1.017``, not ``1.018``. The number of
  decimals must be the same (``0.25`` never matches ``0.250``), as must the notation (fixed or
  scientific). Across a power of ten the unit is the finer of the two: ``9.99e-06`` matches
  ``1.00e-05``, and ``9.99`` matches ``10.00``.
- **everything else exactly**: words, symbols, line breaks, table layout, and integers (counts,
  shapes, step numbers, seeds), whose value no rounding moves. The only slack is the padding next
  to a number whose printed width changed in a flip (``9.99`` to ``10.00``, ``-0.001`` to
  ``0.000``), so that a right-aligned column stays aligned.

A number is a maximal run of digits, with an optional sign, decimal part and exponent, that is not
part of a word or of a dotted token: ``W0``, ``x_1``, ``ex-05-2`` and version strings such as
``3.2.2`` are text, compared exactly, and so are ``nan`` and ``inf``.

A cell that needs more slack declares it in its metadata, with the reason, which the check prints
in its summary (and in any failure of that cell)::

    "nbcheck": {"units": 3, "reason": "a chaotic final distance; its spread over seeds is 0.002"}

``units`` (an integer of at least 1) widens the decimals of that cell only; integers and words stay
exact. A declaration without a reason, or with an unknown key, is an error.

Everything else is nbval's: the kernel, the cell tags (``nbval-ignore-output`` for timings and
widget reprs, ``raises-exception``, ``nbval-skip``), the sanitizers of ``--nbval-sanitize-with``
(applied to both outputs before comparing), and which outputs are compared (text, not images).
The plugin subclasses nbval's notebook and cell items and replaces only the comparison of the
outputs, so it works with pytest-xdist like nbval (``-n 2 --dist loadscope`` runs each notebook in
one worker, top to bottom).

Usage (``make nbcheck NB=book/06_experiments.ipynb``; ``make test`` runs it on every chapter)::

    python -m pytest -p tests.nbcheck --nbcheck --nbval-current-env \\
        --nbval-sanitize-with tests/nbval-sanitize.cfg book/06_experiments.ipynb
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator, Mapping

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError, transform_streams_for_comparison

__all__ = ["Printed", "parse_number", "compare_numbers", "compare_text", "cell_tolerance"]

# A printed number: sign, integer part (plain, or with thousands separators), decimals, exponent.
# Not preceded by a word character or a dot (W0, x_1, the 2 of 3.2.2), not followed by a dot and
# a digit (the 3.2 of 3.2.2) or by another digit.
NUMBER = re.compile(
    r"""
    (?<![\w.])
    (?P<sign>[-+\u2212])?
    (?P<int>\d{1,3}(?:,\d{3})+(?!\d)|\d+)
    (?:\.(?P<frac>\d+))?
    (?:[eE](?P<exp>[-+]?\d+))?
    (?!\.?\d)
    """,
    re.VERBOSE,
)
# Stands in for a number in a line's skeleton (a character no output contains).
_SLOT = "\x00"
METADATA_KEY = "nbcheck"


@dataclass(frozen=True)
class Printed:
    """A number as printed: its text, exact value and the place of its last digit.

    Attributes
    ----------
    text : str
        The characters as printed.
    value : decimal.Decimal
        The exact value of those characters.
    decimals : int or None
        Digits after the decimal point (of the mantissa, in scientific notation); ``None`` for an
        integer, which has neither a decimal point nor an exponent.
    scientific : bool
        Printed with an exponent (``3.2e-05``).
    unit : decimal.Decimal
        One unit in the last printed digit (``0.001`` for ``1.016``, ``1e-07`` for ``3.20e-05``).
    """

    text: str
    value: Decimal
    decimals: int | None
    scientific: bool
    unit: Decimal

    @property
    def is_integer(self) -> bool:
        """Whether this is an integer (a count, a shape, a step): compared exactly."""
        return self.decimals is None


def parse_number(match: re.Match[str]) -> Printed:
    """The :class:`Printed` number of a match of :data:`NUMBER`."""
    sign = "-" if match["sign"] in ("-", "\u2212") else ""
    frac, exp = match["frac"], match["exp"]
    mantissa = sign + match["int"].replace(",", "") + ("." + frac if frac is not None else "")
    exponent = int(exp) if exp is not None else 0
    value = Decimal(mantissa).scaleb(exponent)
    decimals = len(frac) if frac is not None else (0 if exp is not None else None)
    unit = Decimal(1).scaleb(exponent - (decimals or 0))
    return Printed(match[0], value, decimals, exp is not None, unit)


def _units(moved: Decimal) -> str:
    return str(int(moved)) if moved == moved.to_integral_value() else f"{moved:f}"


def compare_numbers(committed: Printed, fresh: Printed, units: int = 1) -> tuple[str | None, Decimal]:
    """Compare two printed numbers: integers exactly, decimals within ``units`` of the last digit.

    Parameters
    ----------
    committed, fresh : Printed
        The number as committed in the notebook, and as the fresh run printed it.
    units : int, default 1
        How many units in the last printed digit a decimal may move (1: a rounding flip).

    Returns
    -------
    problem : str or None
        Why the two do not match, or ``None`` when they do.
    moved : decimal.Decimal
        How many units of the last digit the decimal moved (0 for integers that match).
    """
    zero = Decimal(0)
    if committed.is_integer and fresh.is_integer:
        if committed.text == fresh.text:
            return None, zero
        return f"the integer {committed.text} is now {fresh.text} (integers must match exactly)", zero
    if committed.is_integer != fresh.is_integer or committed.decimals != fresh.decimals:
        def digits(p: Printed) -> str:
            return "an integer" if p.is_integer else f"{p.decimals} decimals"
        return (f"{committed.text} is now printed as {fresh.text}: {digits(committed)}, now "
                f"{digits(fresh)} (the number of digits must match)"), zero
    if committed.scientific != fresh.scientific:
        return f"{committed.text} is now printed as {fresh.text}: the notation changed", zero
    unit = min(committed.unit, fresh.unit)
    moved = abs(fresh.value - committed.value) / unit
    if moved > units:
        return (f"{committed.text} -> {fresh.text}: moved by {_units(moved)} units in its last "
                f"digit (at most {units} allowed)"), moved
    return None, moved


def _collapse(skeleton: str) -> str:
    """A skeleton without the spaces next to its number slots (the padding of aligned columns)."""
    return re.sub(rf" *{_SLOT} *", _SLOT, skeleton)


@dataclass(frozen=True)
class TextComparison:
    """The result of :func:`compare_text`.

    Attributes
    ----------
    problems : list of str
        One entry per mismatch, each naming the line and showing the committed and fresh line.
    largest_move : decimal.Decimal
        The largest move of a decimal, in units of its last digit, among the numbers that matched.
    """

    problems: list[str]
    largest_move: Decimal

    def __bool__(self) -> bool:
        return not self.problems


def compare_text(committed: str, fresh: str, units: int = 1, *, label: str = "output") -> TextComparison:
    """Compare a committed text output with a fresh one, numbers within their printed precision.

    Parameters
    ----------
    committed, fresh : str
        The two texts (already sanitized).
    units : int, default 1
        How many units in its last printed digit a decimal may move.
    label : str
        What the text is (``"stdout"``, ``"text/plain"``), for the messages.

    Returns
    -------
    TextComparison
        Truthy when the texts match.
    """
    largest = Decimal(0)
    if committed == fresh:
        return TextComparison([], largest)
    old_lines, new_lines = committed.split("\n"), fresh.split("\n")
    if len(old_lines) != len(new_lines):
        diff = difflib.unified_diff(old_lines, new_lines, "committed", "fresh", lineterm="", n=1)
        return TextComparison(
            [f"{label}: {len(old_lines)} lines committed, {len(new_lines)} now:\n"
             + "\n".join("    " + line for line in diff)], largest)
    problems = []
    for number, (old, new) in enumerate(zip(old_lines, new_lines), start=1):
        if old == new:
            continue
        old_numbers = [parse_number(m) for m in NUMBER.finditer(old)]
        new_numbers = [parse_number(m) for m in NUMBER.finditer(new)]
        old_skeleton, new_skeleton = NUMBER.sub(_SLOT, old), NUMBER.sub(_SLOT, new)
        why: list[str] = []
        if _collapse(old_skeleton) != _collapse(new_skeleton):
            why.append("the text around the numbers differs")
        else:
            widths_changed = any(len(a.text) != len(b.text) for a, b in zip(old_numbers, new_numbers))
            if old_skeleton != new_skeleton and not widths_changed:
                why.append("the spacing differs, but no number changed its width")
            for a, b in zip(old_numbers, new_numbers):
                problem, moved = compare_numbers(a, b, units)
                largest = max(largest, moved) if problem is None else largest
                if problem:
                    why.append(problem)
        if why:
            problems.append(f"{label}, line {number}:\n    committed: {old}\n    fresh:     {new}\n"
                            + "\n".join("    " + w for w in why))
    return TextComparison(problems, largest)


def cell_tolerance(metadata: Mapping[str, Any], where: str) -> tuple[int, str | None]:
    """The units a cell's decimals may move, and the reason it declares for more than 1.

    Parameters
    ----------
    metadata : mapping
        The cell's metadata; its ``"nbcheck"`` entry, if any, is ``{"units": int, "reason": str}``.
    where : str
        The notebook and cell, for the error message.

    Returns
    -------
    units : int
        1 unless the cell declares more.
    reason : str or None
        The declared reason, or ``None`` for a cell that declares nothing.

    Raises
    ------
    ValueError
        If the declaration is not a mapping with exactly an integer ``units`` of at least 1 and a
        non-empty string ``reason``.
    """
    declared = metadata.get(METADATA_KEY)
    if declared is None:
        return 1, None
    expected = f'expected {{"units": <integer >= 1>, "reason": "<why this cell needs it>"}}'
    if not isinstance(declared, Mapping) or set(declared) != {"units", "reason"}:
        raise ValueError(f"{where}: cell metadata {METADATA_KEY!r} is {declared!r}; {expected}")
    units, reason = declared["units"], declared["reason"]
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise ValueError(f"{where}: {METADATA_KEY}.units is {units!r}; {expected}")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: {METADATA_KEY}.reason is {reason!r}; {expected}")
    return units, reason.strip()


class NumberCheckedCell(IPyNbCell):
    """An nbval cell whose text outputs are compared by :func:`compare_text`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units, self.reason = cell_tolerance(self.cell.metadata, self.nodeid)

    def _flatten(self, outputs: list[Any], skip: tuple[str, ...]) -> dict[str, list[Any]]:
        """nbval's view of a cell's outputs: sanitized values by stream name or MIME type."""
        flat: dict[str, list[Any]] = defaultdict(list)
        for output in transform_streams_for_comparison(outputs):
            for key, value in output.items():
                if key in skip:
                    continue
                if key == "data":
                    for mime, data in value.items():
                        if mime not in skip:
                            flat[mime].append(self.sanitize(data))
                else:
                    flat[key].append(self.sanitize(value))
        return flat

    def compare_outputs(self, test: list[Any], ref: list[Any], skip_compare: tuple[str, ...] | None = None) -> bool:
        skip = skip_compare or self.parent.skip_compare
        fresh, committed = self._flatten(test, skip), self._flatten(ref, skip)
        problems: list[str] = []
        largest = Decimal(0)
        if set(fresh) != set(committed):
            problems.append(f"the kinds of output differ: committed {sorted(committed)}, now {sorted(fresh)}")
        for key in sorted(set(fresh) & set(committed)):
            if len(fresh[key]) != len(committed[key]):
                problems.append(f"{key}: {len(committed[key])} outputs committed, {len(fresh[key])} now")
                continue
            for old, new in zip(committed[key], fresh[key]):
                if isinstance(old, str) and isinstance(new, str):
                    result = compare_text(old, new, self.units, label=key)
                    problems += result.problems
                    largest = max(largest, result.largest_move)
                elif old != new:
                    problems.append(f"{key}: the output differs:\n    committed: {old!r}\n    fresh:     {new!r}")
        if self.reason is not None:
            self.user_properties.append(
                (METADATA_KEY, f"{self.nodeid}: decimals may move by {self.units} units "
                               f"(largest move this run: {_units(largest)}); reason: {self.reason}"))
            if problems:
                problems.append(f"this cell allows {self.units} units because: {self.reason}")
        self.comparison_traceback = problems
        return not problems

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        """For differing outputs, the problems found; for anything else, nbval's report."""
        error = excinfo.value
        if isinstance(error, NbCellError) and getattr(self, "comparison_traceback", None):
            return (f"Cell {error.cell_num}: the outputs differ from the committed ones\n\n"
                    f"Input:\n{error.source}\n\n" + "\n".join(self.comparison_traceback))
        return super().repr_failure(excinfo)


class NumberCheckedNotebook(IPyNbFile):
    """An nbval notebook whose cells are :class:`NumberCheckedCell` items."""

    def collect(self) -> Iterator[NumberCheckedCell]:
        for cell in super().collect():
            yield NumberCheckedCell.from_parent(self, name=cell.name, cell_num=cell.cell_num,
                                                cell=cell.cell, options=cell.options)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("nbval").addoption(
        "--nbcheck", action="store_true",
        help="Run Jupyter notebooks and compare their outputs with the committed ones, decimal "
             "numbers within one unit in their last printed digit (tests/nbcheck.py)")


def pytest_configure(config: pytest.Config) -> None:
    if config.option.nbcheck and (config.option.nbval or config.option.nbval_lax):
        raise pytest.UsageError("--nbcheck replaces --nbval: pass only one of them")


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> NumberCheckedNotebook | None:
    if parent.config.option.nbcheck and file_path.suffix == ".ipynb":
        return NumberCheckedNotebook.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    notes = sorted({value for reports in terminalreporter.stats.values() for report in reports
                    if getattr(report, "when", None) == "call"
                    for name, value in getattr(report, "user_properties", ()) if name == METADATA_KEY})
    if notes:
        terminalreporter.section("nbcheck: cells with a wider tolerance")
        for note in notes:
            terminalreporter.line(note)
