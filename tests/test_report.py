"""Tests of aelib.report: the stable text tables the chapters print (and nbval compares)."""

from __future__ import annotations

import numpy as np
import pytest

from aelib.report import fmt, table


@pytest.mark.parametrize(
    "value,digits,expected",
    [
        (3, 3, "3"),
        (np.int64(-7), 3, "-7"),
        (0.12345, 3, "0.123"),
        (0.12355, 2, "0.12"),
        (np.float32(0.5), 3, "0.500"),
        (np.float64(2.0), 1, "2.0"),
        (-1.25, 1, "-1.2"),  # Python's round-half-even formatting, stable across runs
        (-0.0001, 3, "0.000"),  # no "-0.000"
        (-0.0, 3, "0.000"),
        (-0.0006, 3, "-0.001"),
        (1e-12, 4, "0.0000"),
        (float("nan"), 3, "nan"),
        (float("inf"), 3, "inf"),
        (-np.inf, 3, "-inf"),
        (True, 3, "yes"),
        (np.bool_(False), 3, "no"),
        ("relu", 3, "relu"),
        (None, 3, "None"),
    ],
)
def test_fmt(value, digits, expected):
    assert fmt(value, digits) == expected


def test_fmt_default_digits():
    assert fmt(np.pi) == "3.142"


def test_table_layout_is_exact():
    text = table([[1, 0.5, "relu"], [10, -0.0001, "threshold"]], ["n", "value", "activation"])
    assert text == "\n".join(
        [
            " n  value  activation",
            "--  -----  ----------",
            " 1  0.500        relu",
            "10  0.000   threshold",
        ]
    )


def test_table_digits_and_numpy_rows():
    rows = np.array([[0.123456, 2.0], [1.0, -3.5]])
    text = table(rows, ["a", "b"], digits=1)
    assert text.splitlines() == ["  a     b", "---  ----", "0.1   2.0", "1.0  -3.5"]


def test_table_without_rows():
    assert table([], ["loss", "step"]) == "loss  step\n----  ----"


def test_table_is_deterministic_and_has_aligned_columns():
    rows = [[s, 1.0 / (s + 1), s % 2 == 0] for s in range(12)]
    text = table(rows, ["step", "loss", "even"])
    assert text == table(rows, ["step", "loss", "even"])
    lines = text.splitlines()
    assert len(lines) == 14
    assert len({len(line) for line in lines}) == 1  # right-aligned to common widths
    assert lines[2].split() == ["0", "1.000", "yes"]


def test_table_rejects_ragged_rows():
    with pytest.raises(ValueError, match="rows: row 1 has 1 cells, expected 2"):
        table([[1, 2], [3]], ["a", "b"])
