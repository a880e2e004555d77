"""Sphinx extension: cross-references that say what they point to, and unique HTML ids.

* **Theorem references show their titles.** The book's sphinx-proof directives are
  ``:nonumber:`` and titled with the paper's own numbering ("Theorem 4 (Descent property)").
  sphinx-proof renders a reference to such a directive as the bare kind word plus an empty
  number, "Theorem ". Here a ``{prf:ref}`` without explicit text shows the target's title, as
  its box does: the title alone for definitions, theorems and lemmas (whose titles name their
  kind, so ``aelib.css`` hides the kind word in the box), "Remark — title" for the others.
* **Exercises and figures are numbered per chapter.** sphinx-exercise and Sphinx number
  exercises and figures across the whole book ("Exercise 18" for chapter 4's first, "Fig.
  12" for its first figure). After Sphinx assigns the numbers, the exercises, figures, tables
  and code listings of a page ``book/NN_name`` are renumbered NN.1, NN.2, ... in page order,
  each kind on its own; a page without a chapter number (the introduction) numbers its own
  1, 2, ...
* **No duplicated ids.** sphinx-proof puts a ``:nonumber:`` directive's id both on its box
  and on the box's title, and gives every box's body the id ``proof-content`` (every proof
  the id ``proof``); sphinx-exercise gives every body ``exercise-content`` or
  ``solution-content``. Before a page is written, an id that already appeared earlier in the
  page is removed from the later node (the first holder stays the link target). sphinx-proof's
  HTML visitor for ``:nonumber:`` boxes finds the box's title by that duplicated id, so it is
  replaced by one that finds the title by position (same output, less the second id).
* **API names link where they are defined.** Docstrings name functions by their public path,
  ``aelib.train``, while autodoc documents them where they are defined,
  ``aelib.descent.train``; a name another module's docstring uses bare (``trace_descent`` in
  :mod:`aelib.descent`) is not found either. A Python reference that Sphinx cannot resolve is
  looked up as an attribute of the package ``aelib`` and resolved at its defining module.
"""

from __future__ import annotations

import re
import sys

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_proof.domain import ProofDomain
from sphinx_proof import nodes as proof_nodes

#: Kinds whose box title names the kind itself (aelib.css hides sphinx-proof's kind word).
TITLE_NAMES_KIND = frozenset({"definition", "theorem", "lemma"})

_CHAPTER = re.compile(r"(?:^|/)(\d+)_[^/]*$")


class TitledProofDomain(ProofDomain):
    """sphinx-proof's domain, with reference texts taken from the target's title."""

    def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
        refnode = super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
        entry = getattr(env, "proof_list", {}).get(target)
        # Only references without explicit text (sphinx-proof sees the label as the text).
        if refnode is None or entry is None or target not in contnode.astext():
            return refnode
        title = entry.get("aelib_title", "")
        if not title:
            return refnode
        kind = entry["realtype"]
        number = refnode.astext().strip()  # "Theorem" or, for a numbered box, "Theorem 3"
        if entry["nonumber"]:
            text = title if kind in TITLE_NAMES_KIND else f"{number} — {title}"
        else:
            text = f"{number} ({title})"
        refnode.children = [nodes.Text(text)]
        return refnode


def _record_proof_titles(app: Sphinx, doctree: nodes.document) -> None:
    """Store each sphinx-proof box's rendered title text in ``env.proof_list``."""
    proof_list = getattr(app.env, "proof_list", {})
    for node in doctree.findall(nodes.Element):
        label = node.get("label")
        if node.get("realtype") and label in proof_list and proof_list[label]["docname"] == app.env.docname:
            titles = [child for child in node.children if isinstance(child, nodes.title)]
            proof_list[label]["aelib_title"] = titles[0].astext().strip() if titles else ""


#: The numbered kinds renumbered per chapter (sphinx-exercise's and Sphinx's own numfig kinds).
PER_CHAPTER = ("exercise", "figure", "table", "code-block")


def _number_per_chapter(app: Sphinx, env: BuildEnvironment) -> list[str]:
    changed = []
    for docname, fignumbers in env.toc_fignumbers.items():
        match = _CHAPTER.search(docname)
        prefix = (int(match.group(1)),) if match else ()
        for kind in PER_CHAPTER:
            numbers = fignumbers.get(kind)
            if not numbers:
                continue
            in_page_order = sorted(numbers, key=lambda ident: numbers[ident])
            fignumbers[kind] = {ident: prefix + (i,) for i, ident in enumerate(in_page_order, 1)}
            changed.append(docname)
    return sorted(set(changed))


def _drop_duplicate_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    seen: set[str] = set()
    for node in doctree.findall(nodes.Element):
        ids = node.get("ids")
        if not ids:
            continue
        node["ids"] = [ident for ident in ids if ident not in seen]
        seen.update(ids)


_TITLE_TAG = '<p class="admonition-title">'


def _visit_unenumerable_html(self, node: nodes.Element) -> None:
    self.body.append(self.starttag(node, "div", CLASS="admonition"))
    self.aelib_box_starts = [*getattr(self, "aelib_box_starts", []), len(self.body)]


def _depart_unenumerable_html(self, node: nodes.Element) -> None:
    """As sphinx-proof's, but the kind word goes into this box's first title, found by position."""
    start = self.aelib_box_starts.pop()
    idx = self.body.index(_TITLE_TAG, start) + 1
    kind = proof_nodes._(node.get("realtype", "").title())  # sphinx-proof's translation
    self.body.insert(idx, f'<span class="caption-number">{kind} </span>')
    self.body.append("</div>")


def _defining_path(target: str):
    """``aelib.train`` (or bare ``train``) -> ``aelib.descent.train``; None if not an aelib name."""
    import importlib

    parts = target.split(".")
    if parts[0] == "aelib":
        parts = parts[1:]
    if not parts:
        return None
    package = importlib.import_module("aelib")
    if not hasattr(package, parts[0]):
        return None
    module = getattr(getattr(package, parts[0]), "__module__", None)
    if not isinstance(module, str) or not module.startswith("aelib."):
        # a constant (no __module__): the submodule that lists it in its __all__
        owners = [name for name, mod in sorted(sys.modules.items())
                  if name.startswith("aelib.") and parts[0] in getattr(mod, "__all__", ())]
        if len(owners) != 1:
            return None
        module = owners[0]
    return ".".join([module] + parts)


def _resolve_public_names(app: Sphinx, env: BuildEnvironment, node, contnode):
    if node.get("refdomain") != "py":
        return None
    path = _defining_path(node.get("reftarget", ""))
    if path is None or path == node.get("reftarget"):
        return None
    return env.get_domain("py").resolve_xref(env, node["refdoc"], app.builder, node["reftype"], path, node, contnode)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_proof")
    app.setup_extension("sphinx_exercise")
    app.add_domain(TitledProofDomain, override=True)
    html = (_visit_unenumerable_html, _depart_unenumerable_html)
    app.add_node(
        proof_nodes.unenumerable_node, override=True, html=html, singlehtml=html,
        latex=(proof_nodes.visit_unenumerable_node, proof_nodes.depart_unenumerable_node),
    )
    app.connect("doctree-read", _record_proof_titles)
    app.connect("env-get-updated", _number_per_chapter, priority=900)
    app.connect("doctree-resolved", _drop_duplicate_ids, priority=900)
    app.connect("missing-reference", _resolve_public_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
