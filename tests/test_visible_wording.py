"""What the screen says about people and missing values: no internal identifiers, no "None"."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from kompetens.access import auth
from kompetens.core import paths
from kompetens.ui import dialogue_view, quality_view


def test_a_demo_role_is_shown_by_its_swedish_name_and_a_person_by_their_address():
    assert auth.author_label("demo:area_manager") == "Verksamhetschef (område) (demoläge)"
    assert auth.author_label("demo:hr") == "HR (demoläge)"
    assert auth.author_label("anna.a@kommun.se") == "anna.a@kommun.se"
    assert auth.author_label(None) == "–"


def test_the_dialogue_history_names_the_demo_role_that_wrote_the_notes():
    history = pl.DataFrame(
        {
            "dialogue_date": [dt.date(2026, 11, 3), dt.date(2026, 5, 4)],
            "notes": ["Rekrytering i fokus", None],
            "created_by": ["demo:area_manager", "chef@kommun.se"],
            "revisions": [2, 1],
            "actions": [1, 0],
            "actions_done": [0, 0],
        }
    )
    table = dialogue_view.history_table(history)
    assert table["created_by"].to_list() == [
        "Verksamhetschef (område) (demoläge)",
        "chef@kommun.se",
    ]
    assert table["notes"].to_list() == ["Rekrytering i fokus", "–"]


def test_hidden_figures_of_the_whole_organisation_show_a_dash_not_none():
    cells = pl.DataFrame(
        {
            "indicator_id": ["turnover", "turnover"],
            "level": ["org", "unit"],
            "scope_id": [None, "E1"],
            "scope_name": [None, "Ekskolan"],
            "period": ["2025", "2025"],
            "breakdown": ["all", "all"],
            "suppression_reason": ["small_n", "small_n"],
        },
        schema_overrides={"scope_id": pl.String, "scope_name": pl.String},
    )
    table = quality_view.suppressed_table(cells)
    assert table["scope_name"].to_list() == ["–", "Ekskolan"]
    assert table["unit_id"].to_list() == ["–", "E1"]  # the id beside a unit's name only


def test_the_import_log_says_who_imported_in_words_and_a_dash_for_the_command_line():
    stamp = dt.datetime(2026, 11, 30, 8, 15)
    log = pl.DataFrame(
        {
            "batch_id": [2, 1],
            "file_name": ["personal.csv", "enheter.csv"],
            "kind": ["staff", "units"],
            "rows_written": [10, 3],
            "rows_replaced": [0, 0],
            "rows_rejected": [0, 0],
            "user_name": ["demo:hr", None],
            "imported_at": [stamp, stamp],
            "undone_at": [None, None],
        },
        schema_overrides={"user_name": pl.String, "undone_at": pl.Datetime},
    )
    table = quality_view.imports_table(log)
    assert table["user_name"].to_list() == ["HR (demoläge)", "–"]
    assert all(v is not None for row in table.iter_rows() for v in row)


#: Words about the software's own history or internals that a reader should never meet.
INTERNAL_WORDING = re.compile(
    # …and a path into the docs inside a one-line string (docstrings may point at the docs)
    r"\bv\d+-data\b|\bvår v\d\b|demo:[a-z_]+\"|\bTODO\b|\"[^\"\n]*\bdocs/[\w-]+\.md[^\"\n]*\"",
    re.IGNORECASE,
)
#: Shown only to whoever starts a misconfigured production server: may point at the docs.
OPERATOR_SOURCES = {"signin.py"}


def test_no_page_or_view_helper_writes_internal_wording_in_its_text():
    sources = sorted((paths.PROJECT_ROOT / "views").glob("*.py")) + sorted(
        (paths.PROJECT_ROOT / "kompetens" / "ui").glob("*.py")
    )
    found = [
        f"{source.name}: {match.group(0)}"
        for source in sources
        for match in INTERNAL_WORDING.finditer(source.read_text(encoding="utf-8"))
        if not ("docs/" in match.group(0) and source.name in OPERATOR_SOURCES)
    ]
    assert found == []


#: Pages only roles with the Import page can open (HR): their advice may name it directly.
IMPORTING_ROLE_SOURCES = {"importera.py", "datakvalitet.py", "import_view.py", "quality_view.py"}


def _advice_is_guarded(node, parents) -> bool:
    """A string naming the Import page sits in ``import_hint(...)``, under ``if importer``, or
    in a ``*_IMPORT_ADVICE`` constant (which goes to ``import_hint``)."""
    import ast

    for parent in parents.get(node, []):
        if (
            isinstance(parent, ast.Call)
            and getattr(parent.func, "attr", getattr(parent.func, "id", "")) == "import_hint"
        ):
            return True
        if isinstance(parent, ast.IfExp) and getattr(parent.test, "id", None) == "importer":
            return True
        if isinstance(parent, ast.Assign) and all(
            getattr(t, "id", "").endswith("IMPORT_ADVICE") for t in parent.targets
        ):  # a constant only handed to import_hint
            return True
    return False


def test_advice_to_import_names_the_import_page_only_for_roles_that_have_it():
    import ast
    from types import SimpleNamespace

    from kompetens.ui import aruba_view, components

    for role in (auth.AREA_MANAGER, auth.PRINCIPAL, auth.LEADERSHIP):
        hint = components.import_hint("på sidan **Import**.", SimpleNamespace(role=role))
        assert "Import" not in hint
        assert hint == components.ASK_HR
    hr = SimpleNamespace(role=auth.HR)
    assert components.import_hint("på sidan **Import**.", hr) == "på sidan **Import**."
    from kompetens.indicators import registry

    _, how = aruba_view.missing_text(registry.get("turnover_rate"), "2025", importer=False)
    assert "Import" not in how and "HR" in how

    # Every text in a page or view helper that names the Import page is guarded by the role.
    sources = sorted((paths.PROJECT_ROOT / "views").glob("*.py")) + sorted(
        (paths.PROJECT_ROOT / "kompetens" / "ui").glob("*.py")
    )
    unguarded = []
    for source in sources:
        if source.name in IMPORTING_ROLE_SOURCES:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        parents: dict = {}
        stack = [(tree, [])]
        while stack:
            node, chain = stack.pop()
            parents[node] = chain
            stack.extend((child, [node, *chain]) for child in ast.iter_child_nodes(node))
        for node in parents:
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.search(r"sidan \**Import", node.value)
                and not _advice_is_guarded(node, parents)
            ):
                unguarded.append(f"{source.name}:{node.lineno}: {node.value[:60]}")
    assert unguarded == []
