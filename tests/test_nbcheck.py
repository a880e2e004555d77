"""The notebook check (tests/nbcheck.py): numbers within one unit of their last digit, the rest exact.

The first part tests the comparison itself on strings; the second runs the plugin, as ``make
nbcheck`` does, on a small notebook whose committed outputs were edited: a number moved by one unit
passes, by two fails, a changed word or integer fails, and a cell's declared tolerance widens only
that cell and is printed with its reason.
"""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import nbformat
import pytest

from nbcheck import NUMBER, cell_tolerance, compare_text, parse_number

ROOT = Path(__file__).resolve().parent.parent


def numbers(text: str) -> list[str]:
    return [m[0] for m in NUMBER.finditer(text)]


def ok(committed: str, fresh: str, units: int = 1) -> bool:
    return bool(compare_text(committed, fresh, units))


# --- what counts as a number ---------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("loss 0.250 at step 12", ["0.250", "12"]),
    ("x = -1.5, y = +2.25, z = \u22120.5", ["-1.5", "+2.25", "\u22120.5"]),
    ("err 3.20e-05 and 1e-07 and 2.5E+03", ["3.20e-05", "1e-07", "2.5E+03"]),
    ("97.5% of 1,234.5 samples", ["97.5", "1,234.5"]),
    ("shape (784, 10), N = 10,000", ["784", "10", "10,000"]),
    ("a 2.5x speed-up", ["2.5"]),
])
def test_numbers_are_found_with_sign_exponent_percent_and_separators(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("W0 and x_1, ch08_sparse", []),
    ("MathJax 3.2.2", []),
    ("nan and inf", []),
    ("ex-05-2", ["05", "2"]),              # integers, compared exactly
])
def test_identifiers_versions_and_nonfinite_values_are_text(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


def test_parse_number_gives_the_exact_value_and_the_unit_of_the_last_digit() -> None:
    p = parse_number(NUMBER.search("-1,234.50"))
    assert (p.value, p.decimals, p.unit, p.scientific) == (Decimal("-1234.50"), 2, Decimal("0.01"), False)
    p = parse_number(NUMBER.search("3.20e-05"))
    assert (p.value, p.decimals, p.unit, p.scientific) == (Decimal("3.20e-05"), 2, Decimal("1e-07"), True)
    assert parse_number(NUMBER.search("42")).is_integer


# --- the rule ------------------------------------------------------------------------------

def test_a_decimal_may_move_by_one_unit_in_its_last_digit() -> None:
    assert ok("L^T / floor  1.016", "L^T / floor  1.017")
    assert ok("L^T / floor  1.016", "L^T / floor  1.015")


def test_a_decimal_that_moves_by_two_units_fails_and_says_by_how_much() -> None:
    result = compare_text("L^T / floor  1.016", "L^T / floor  1.018", label="stdout")
    assert not result
    (message,) = result.problems
    assert "stdout, line 1" in message
    assert "committed: L^T / floor  1.016" in message and "fresh:     L^T / floor  1.018" in message
    assert "1.016 -> 1.018: moved by 2 units" in message


def test_a_changed_word_fails() -> None:
    result = compare_text("median 0.120 at step 7", "mean 0.120 at step 7")
    assert not result and "text around the numbers differs" in result.problems[0]


def test_a_changed_integer_fails_even_by_one() -> None:
    result = compare_text("best at step 7: 0.120", "best at step 8: 0.120")
    assert not result and "the integer 7 is now 8" in result.problems[0]
    assert not ok("shape (784, 10)", "shape (784, 11)")
    assert not ok("10,000 samples", "10,001 samples")


def test_the_number_of_digits_and_the_notation_must_match() -> None:
    assert not ok("0.25", "0.250")
    assert not ok("0.25", "0.3")
    assert not ok("1", "1.0")
    assert not ok("2.50e-01", "0.25")


def test_signed_scientific_and_percent_numbers() -> None:
    assert ok("slope -0.496", "slope -0.497")
    assert not ok("slope -0.496", "slope -0.498")
    assert ok("-0.001", "0.000")                      # a flip across zero
    assert not ok("0.5", "-0.5")
    assert ok("err 3.20e-05", "err 3.21e-05")
    assert not ok("err 3.20e-05", "err 3.22e-05")
    assert ok("err 9.99e-06", "err 1.00e-05")         # across a power of ten: the finer unit
    assert not ok("err 9.90e-06", "err 1.00e-05")
    assert not ok("err 3.20e-05", "err 3.20e-06")     # the exponent is part of the value
    assert ok("97.5% within", "97.6% within")
    assert not ok("97.5% within", "97.7% within")


def test_a_table_keeps_its_layout_and_its_padding_absorbs_a_wider_flip() -> None:
    committed = "     n    rate\n------  ------\n   784   9.999\n    10   0.500"
    wider = "     n    rate\n------  ------\n   784  10.000\n    10   0.500"
    assert ok(committed, committed.replace("0.500", "0.501"))
    assert ok(committed, wider)
    assert not ok(committed, committed.replace("0.500", "0.502"))
    assert not ok(committed, committed.replace("   784", "   785"))
    assert not ok(committed, committed.replace("    rate", "   rates"))
    assert not ok(committed, committed.replace("    10   0.500", "    10    0.500"))  # spacing alone
    assert not ok(committed, committed + "\n    12   0.250")                         # a row more


def test_a_wider_tolerance_widens_decimals_only() -> None:
    assert ok("median 0.120 at step 7", "median 0.123 at step 7", units=3)
    assert not ok("median 0.120 at step 7", "median 0.124 at step 7", units=3)
    assert not ok("median 0.120 at step 7", "median 0.121 at step 8", units=3)


def test_the_largest_move_is_reported() -> None:
    assert compare_text("0.120 and 2.5", "0.123 and 2.4", units=3).largest_move == 3


@pytest.mark.parametrize("declared", [
    {"units": 3},
    {"units": 3, "reason": "  "},
    {"units": 0, "reason": "r"},
    {"units": True, "reason": "r"},
    {"units": 2.5, "reason": "r"},
    {"units": 2, "reason": "r", "digits": 3},
    "3",
])
def test_a_malformed_declaration_is_an_error_naming_the_cell(declared: object) -> None:
    with pytest.raises(ValueError, match="ch.ipynb::Cell 4.*nbcheck"):
        cell_tolerance({"nbcheck": declared}, "ch.ipynb::Cell 4")


def test_a_declaration_gives_its_units_and_reason() -> None:
    assert cell_tolerance({}, "x") == (1, None)
    assert cell_tolerance({"nbcheck": {"units": 3, "reason": " chaotic "}}, "x") == (3, "chaotic")


# --- the plugin, end to end ----------------------------------------------------------------

# Each case: a cell that prints a line, the committed output (edited from the true one), and the
# cell's metadata. All run in one notebook, in one kernel; each cell is its own pytest item.
SOURCE = 'print(f"ratio {1016 / 1000:.3f} at step {7}")'          # prints: ratio 1.016 at step 7
CASES = {
    "same": ("ratio 1.016 at step 7", {}),
    "one unit up": ("ratio 1.017 at step 7", {}),
    "one unit down": ("ratio 1.015 at step 7", {}),
    "two units": ("ratio 1.018 at step 7", {}),
    "a word": ("ratio 1.016 at stage 7", {}),
    "an integer": ("ratio 1.016 at step 6", {}),
    "widened": ("ratio 1.019 at step 7", {"nbcheck": {"units": 3, "reason": "a chaotic ratio, spread 0.004"}}),
}
CELL = {case: number for number, case in enumerate(CASES)}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """Run the check, as make nbcheck does, on one notebook holding every case."""
    nb = nbformat.v4.new_notebook()
    for count, (committed, metadata) in enumerate(CASES.values(), start=1):
        cell = nbformat.v4.new_code_cell(SOURCE, execution_count=count, metadata=metadata)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=committed + "\n")]
        nb.cells.append(cell)
    path = tmp_path_factory.mktemp("nbcheck") / "cases.ipynb"
    nbformat.write(nb, path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.nbcheck", "--nbcheck", "--nbval-current-env",
         "-p", "no:cacheprovider", "-p", "no:xdist", "-rA", "-o", "addopts=", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    return run.stdout + run.stderr, run.returncode


def _outcome(output: str, case: str) -> str:
    for line in output.splitlines():
        if re.match(rf"(PASSED|FAILED) \S*cases\.ipynb::Cell {CELL[case]}\b", line):
            return line.split()[0]
    raise AssertionError(f"no outcome for the case {case!r} in:\n{output}")


def test_the_plugin_passes_one_unit_and_fails_two_units_words_and_integers(checked: tuple[str, int]) -> None:
    output, code = checked
    assert code == 1, output
    assert [_outcome(output, case) for case in CASES] == [
        "PASSED", "PASSED", "PASSED", "FAILED", "FAILED", "FAILED", "PASSED"]
    assert f"Cell {CELL['two units']}: the outputs differ from the committed ones" in output
    assert "1.018 -> 1.016: moved by 2 units in its last digit (at most 1 allowed)" in output
    assert "committed: ratio 1.016 at stage 7" in output and "fresh:     ratio 1.016 at step 7" in output
    assert "the integer 6 is now 7" in output


def test_the_plugin_prints_a_widened_cell_and_its_reason(checked: tuple[str, int]) -> None:
    output, _ = checked
    assert "cells with a wider tolerance" in output
    assert (f"cases.ipynb::Cell {CELL['widened']}: decimals may move by 3 units (largest move this run: 3); "
            "reason: a chaotic ratio, spread 0.004") in output
