"""Sphinx extension: read ``|`` in aelib docstrings as a plain character.

aelib's docstrings write norms and absolute values the way the paper does, e.g.
``|x_i| >= a1`` or ``||W_i - A_i||``. reStructuredText would read ``|x_i|`` as a
substitution reference and the strict build would fail, so this hook escapes every
bar that is not inside inline literals or roles (where it is already safe).
"""

import re

_PROTECTED = re.compile(r"(``.*?``|:[\w:+-]+:`[^`]*`|`[^`]*`)")


def _escape_line(line: str) -> str:
    parts = _PROTECTED.split(line)
    return "".join(part if i % 2 else part.replace("|", r"\|") for i, part in enumerate(parts))


def _escape_bars(app, what, name, obj, options, lines):
    lines[:] = [_escape_line(line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
