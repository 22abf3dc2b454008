"""Keep the architecture honest (in the style of datasette's test_docs): the flow is one way.

An AST scan of every import statement — module-level, function-local and
``TYPE_CHECKING`` ones alike — in ``kompetens/``, ``views/`` (the pages) and
``app.py``. The layers, bottom to top::

    core < present < ingest < indicators < access < analysis < query < dialogue < demo < ops < ui
         < entry points (app.py, views/ pages, kompetens.cli, kompetens.wiring, kompetens.benchmarks)

This is the order the code supports, read as the flow of the data: files are
*ingested* into the store (``core``), the *indicator* pipelines turn them into
key figures, ``access`` says who may see what, ``analysis`` combines figures
(support need, segregation), the *query* layer enforces scope and suppression,
and the *dialogue* briefs, the *demo* builder, *ops* (writer lock, snapshots,
backups) and the *ui* read through it. ``present`` (Swedish formatting,
charts, exports) sits just above ``core`` because every layer from ingest up
formats numbers the same way; ``access`` imports nothing but ``core``, so it
could sit lower, but it is placed where the brief's flow puts it. ``ops``
calls ingest and the indicator engine and is called by the ui and the CLI.
``kompetens.core.labels`` (the Swedish words for codes) is in ``core`` so that
every layer may use the one vocabulary.

The rules (each failure names ``file:line``, the import and the rule):

1. A page (``views/*.py``) imports only ``kompetens.query`` (and its
   modules), ``kompetens.ui.*`` and ``kompetens.present.*`` — and neither
   ``polars`` nor ``duckdb``: no Polars logic and no SQL in pages.
2. ``kompetens.indicators`` imports neither ``streamlit`` nor ``kompetens.query``.
3. ``kompetens.ingest`` does not import ``kompetens.indicators``.
4. Nothing imports a module of a higher layer (an upward import).
5. Nothing in ``kompetens/`` outside ``kompetens.ui`` imports ``streamlit``.

A sixth rule keeps pages thin: a page defines no functions or classes. Its
helpers belong in ``kompetens.ui`` (view helpers, tested without a browser).

The allowed exceptions are named in ``EXCEPTIONS`` and ``PAGE_HELPER_EXCEPTIONS``,
each with a one-line reason; an exception that no longer excuses anything fails
the test too.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "kompetens"

#: Layer name -> rank, bottom to top. A new package under kompetens/ must be given a place here.
LAYERS: dict[str, int] = {
    "core": 0,
    "present": 1,
    "ingest": 2,
    "indicators": 3,
    # External benchmarks (Kolada, Skolverket): a flow of their own beside the indicators,
    # reading the registry's Kolada ids; the query layer reads their table.
    "external": 3,
    "access": 4,
    "analysis": 5,
    "query": 6,
    "dialogue": 7,
    "demo": 8,
    "ops": 9,
    "ui": 10,
    # Entry points: nothing imports them (except each other's tests).
    "cli": 11,
    "wiring": 11,
    "benchmarks": 11,
    "views": 11,
    "app": 11,
}

#: What a page may import from the package (module prefixes).
PAGE_MAY_IMPORT: tuple[str, ...] = ("kompetens.query", "kompetens.ui", "kompetens.present")
#: Third-party modules a page must not import: its data comes as frames to hand on, not to compute.
PAGE_MUST_NOT_IMPORT: tuple[str, ...] = ("polars", "duckdb")

#: (file pattern, imported module prefix or "*") -> why the import is allowed although a rule forbids it.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("kompetens/benchmarks/*", "*"): (
        "benchmark scripts time every layer from outside, the app's pages included; nothing imports them"
    ),
}


#: (page, function or class name) -> why the page keeps a helper of its own.
PAGE_HELPER_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("views/importera.py", "template_bytes"): (
        "the Import page's cached template download (to move to a ui helper with the Import "
        "page's own refactor)"
    ),
}


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # the imported module, dotted and absolute


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    module: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}: {self.rule}"


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` (``kompetens.query.records``) names a module or package in the tree."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def module_name(relative: str) -> str:
    """``kompetens/query/records.py`` -> ``kompetens.query.records``; ``__init__`` names the package."""
    parts = list(Path(relative).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, relative: str) -> list[Import]:
    """Every import in ``source`` (the file ``relative`` to the project root), at any depth.

    ``from a import b`` counts as an import of ``a.b`` when that is a module
    (``from kompetens import query``), else of ``a``. Relative imports are
    resolved against the file's package; ``importlib.import_module`` with a
    literal module name counts as an import as well.
    """
    package = module_name(relative).split(".")
    if not relative.endswith("__init__.py"):
        package = package[:-1]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                target = candidate if _is_module(candidate) else module
                found.append(Import(node.lineno, target))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            # importlib.import_module("kompetens.x") with a literal name is an import too.
            found.append(Import(node.lineno, node.args[0].value))
    return sorted(set(found), key=lambda i: (i.line, i.module))


def layer_of_file(relative: str) -> str | None:
    """The layer of a source file; None for the package's own ``__init__``."""
    parts = Path(relative).parts
    if parts[0] == "views":
        return "views"
    if relative == "app.py":
        return "app"
    if parts[0] != PACKAGE:
        raise ValueError(f"{relative} is outside the scanned tree")
    if len(parts) == 2:
        return None if parts[1] == "__init__.py" else Path(parts[1]).stem
    return parts[1]


def layer_of_module(module: str) -> str | None:
    """The layer of an imported package module; None for outside modules and ``kompetens`` itself."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) == 1:
        return None
    return parts[1]


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def check(source: str, relative: str) -> list[Violation]:
    """The rules broken by the imports of one file (before exceptions)."""
    own = layer_of_file(relative)
    out: list[Violation] = []

    def broken(imp: Import, rule: str) -> None:
        out.append(Violation(relative, imp.line, imp.module, rule))

    for imp in imports_of(source, relative):
        target = layer_of_module(imp.module)
        if own == "views":
            if target is not None and not any(_under(imp.module, p) for p in PAGE_MAY_IMPORT):
                broken(
                    imp,
                    "a page imports only kompetens.query, kompetens.ui.* and kompetens.present.*",
                )
            if any(_under(imp.module, p) for p in PAGE_MUST_NOT_IMPORT):
                broken(imp, "a page has no Polars logic and no SQL (no polars, no duckdb)")
        if own == "indicators" and (
            _under(imp.module, "streamlit") or _under(imp.module, "kompetens.query")
        ):
            broken(imp, "kompetens.indicators imports neither streamlit nor the query layer")
        if own == "ingest" and _under(imp.module, "kompetens.indicators"):
            broken(imp, "kompetens.ingest does not import kompetens.indicators")
        if own not in (None, "views", "app", "ui") and _under(imp.module, "streamlit"):
            broken(imp, "only kompetens.ui (and the pages and app.py) import streamlit")
        if target is not None and own is not None:
            if target not in LAYERS:
                broken(imp, f"kompetens.{target} has no layer: give it a place in LAYERS")
            elif own not in LAYERS:
                broken(imp, f"{relative} is in no layer: give kompetens.{own} a place in LAYERS")
            elif LAYERS[target] > LAYERS[own]:
                broken(imp, f"upward import: {own} (layer {LAYERS[own]}) imports {target} "
                       f"(layer {LAYERS[target]})")  # fmt: skip
    return out


def excused_by(violation: Violation) -> tuple[str, str] | None:
    for key in EXCEPTIONS:
        pattern, prefix = key
        if fnmatch.fnmatch(violation.file, pattern) and (
            prefix == "*" or _under(violation.module, prefix)
        ):
            return key
    return None


def source_files() -> list[str]:
    files = [
        *sorted(ROOT.glob(f"{PACKAGE}/**/*.py")),
        *sorted(ROOT.glob("views/*.py")),
        ROOT / "app.py",
    ]
    return [str(Path(f).relative_to(ROOT)) for f in files]


def scan() -> tuple[list[Violation], set[tuple[str, str]]]:
    """(unexcused violations of the real tree, the exceptions that excused something)."""
    left, used = [], set()
    for relative in source_files():
        for violation in check((ROOT / relative).read_text(encoding="utf-8"), relative):
            key = excused_by(violation)
            if key is None:
                left.append(violation)
            else:
                used.add(key)
    return left, used


def test_every_import_in_the_package_pages_and_app_follows_the_one_way_flow():
    violations, _ = scan()
    assert not violations, "imports against the layers:\n" + "\n".join(map(str, violations))


def test_every_named_exception_still_excuses_an_import():
    _, used = scan()
    stale = [
        f"{pattern} -> {prefix}" for pattern, prefix in EXCEPTIONS if (pattern, prefix) not in used
    ]
    assert not stale, "exceptions that excuse nothing any more (remove them):\n" + "\n".join(stale)


def test_the_scan_sees_the_pages_the_app_and_every_layer():
    files = source_files()
    assert "app.py" in files and "views/oversikt.py" in files
    layers = {layer_of_file(f) for f in files} - {None}
    assert layers <= set(LAYERS), f"files outside every layer: {layers - set(LAYERS)}"
    assert {"core", "query", "ui", "views"} <= layers


def page_helpers(source: str, relative: str) -> list[str]:
    """``file:line defines name``: every function or class a page defines, at any depth."""
    return [
        f"{relative}:{node.lineno} defines {node.name}"
        for node in ast.walk(ast.parse(source, filename=relative))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def test_pages_define_no_helpers_of_their_own():
    found, used = [], set()
    for relative in (f for f in source_files() if f.startswith("views/")):
        for helper in page_helpers((ROOT / relative).read_text(encoding="utf-8"), relative):
            key = (relative, helper.rsplit(" ", 1)[1])
            if key in PAGE_HELPER_EXCEPTIONS:
                used.add(key)
            else:
                found.append(helper)
    assert not found, "page helpers belong in kompetens.ui:\n" + "\n".join(found)
    stale = set(PAGE_HELPER_EXCEPTIONS) - used
    assert not stale, f"page-helper exceptions that excuse nothing any more: {sorted(stale)}"


def test_a_helper_defined_in_a_page_is_found_with_its_line():
    source = "import streamlit as st\n\n\ndef card(column):\n    st.metric('x', 1)\n"
    assert page_helpers(source, "views/fake.py") == ["views/fake.py:4 defines card"]


# ---- the test of the test: synthetic sources that break each rule -------------------------------

LOCAL_QUERY_IN_INDICATORS = """\
import polars as pl


def compute():
    from kompetens.query import series
    return series
"""


def rules(source: str, relative: str) -> list[str]:
    return [str(v) for v in check(source, relative)]


def test_a_function_local_import_of_the_query_layer_in_indicators_is_found_with_file_and_line():
    found = rules(LOCAL_QUERY_IN_INDICATORS, "kompetens/indicators/fake.py")
    assert found == [
        "kompetens/indicators/fake.py:5 imports kompetens.query: "
        "kompetens.indicators imports neither streamlit nor the query layer",
        "kompetens/indicators/fake.py:5 imports kompetens.query: "
        "upward import: indicators (layer 3) imports query (layer 6)",
    ]


@pytest.mark.parametrize(
    ("relative", "source", "rule"),
    [
        ("views/fake.py", "from kompetens.indicators import registry\n", "a page imports only"),
        ("views/fake.py", "from kompetens.access import auth\n", "a page imports only"),
        ("views/fake.py", "import polars as pl\n", "no Polars logic and no SQL"),
        ("views/fake.py", "import duckdb\n", "no Polars logic and no SQL"),
        ("kompetens/ingest/fake.py", "from ..indicators import registry\n", "does not import"),
        ("kompetens/indicators/fake.py", "import streamlit as st\n", "neither streamlit"),
        ("kompetens/core/fake.py", "import streamlit as st\n", "only kompetens.ui"),
        ("kompetens/access/fake.py", "from kompetens.dialogue import dialogues\n", "upward"),
        ("kompetens/present/fake.py", "from kompetens import query\n", "upward"),
        ("kompetens/query/fake.py", "from kompetens.ui import components\n", "upward"),
        ("kompetens/core/fake.py", "from kompetens.nowhere import thing\n", "has no layer"),
        (
            "kompetens/core/fake.py",
            "import importlib\nimportlib.import_module('kompetens.ui.frame')\n",
            "upward",
        ),
    ],
)
def test_each_rule_catches_a_synthetic_violation(relative, source, rule):
    found = rules(source, relative)
    assert found, f"{relative}: {source!r} passed the scan"
    assert any(rule in f for f in found), found
    line = source.count("\n")  # the violating import is on the source's last line
    assert all(f.startswith(f"{relative}:{line} imports ") for f in found), found


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        (
            "views/fake.py",
            "from kompetens.query import records\nfrom kompetens.ui import components\n",
        ),
        ("views/fake.py", "from kompetens import query\nfrom kompetens.present import charts\n"),
        ("views/fake.py", "import datetime as dt\nimport streamlit as st\n"),
        ("kompetens/ui/fake.py", "import streamlit as st\nfrom kompetens.query import series\n"),
        ("kompetens/query/fake.py", "from kompetens.core.labels import SCHOOL_FORM_LABELS\n"),
        ("kompetens/ingest/fake.py", "from . import writer\nfrom .writer import list_imports\n"),
    ],
)
def test_imports_that_follow_the_flow_pass(relative, source):
    assert rules(source, relative) == []


def test_a_benchmark_is_excused_and_a_page_is_not():
    benchmark = check(
        "import streamlit\nfrom kompetens.ui import frame\n", "kompetens/benchmarks/x.py"
    )
    assert benchmark and all(excused_by(v) == ("kompetens/benchmarks/*", "*") for v in benchmark)
    page = check("from kompetens.access import audit\n", "views/admin.py")
    assert [excused_by(v) for v in page] == [None]
