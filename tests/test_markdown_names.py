"""Names are data: an area or unit named like Markdown is shown as typed on every page.

The fixture is the small one (``tests/fixtures/small``) with area Norr renamed to a
Markdown link and Ekskolan (E1) to bold, italics, a colour directive, LaTeX and a web address. Every
element that Streamlit renders as Markdown (titles, headings, text, captions, boxes,
metric, expander and tab labels) is parsed with a CommonMark parser: no link may come
out, and the names must appear escaped by ``md_text``.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from markdown_it import MarkdownIt

from kompetens.core import store
from kompetens.present.formatting import md_text
from tests.app_support import run_page
from tests.fixtures.small import HERE, KINDS_IN_ORDER

EVIL_AREA = "[logga in](http://evil.example)"
#: Also a bare web address, which GitHub Markdown would make a link of.
BOLD_UNIT = "**Fet** _skola_ :red[x] $x$ www.x.se"
#: Söderskolan (S1), named in HTML: Plotly would draw it as a link in a chart.
HTML_UNIT = '<a href="http://evil.example">Söder</a>skolan'
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
#: Streamlit's own syntax, unescaped: a colour directive or a LaTeX span from the names.
STREAMLIT_SYNTAX = re.compile(r"(?<!\\):red\[|(?<!\\)\$x(?<!\\)\$")


def build_named_db(target) -> object:
    source = target.parent / "csv"
    shutil.copytree(HERE, source, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    units = (source / "units.csv").read_text(encoding="utf-8")
    units = units.replace(",Norr,", f',"{EVIL_AREA}",').replace("Ekskolan", BOLD_UNIT)
    quoted = '"' + HTML_UNIT.replace('"', '""') + '"'  # a CSV field with quotes
    units = units.replace("Söderskolan", quoted)
    (source / "units.csv").write_text(units, encoding="utf-8")
    from kompetens.ingest import import_file

    conn = store.connect(target)
    try:
        for kind in KINDS_IN_ORDER:
            import_file(conn, source / f"{kind}.csv", kind=kind, user="test")
    finally:
        conn.close()
    return target


@pytest.fixture(scope="module")
def named_db(tmp_path_factory):
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    return build_named_db(tmp_path_factory.mktemp("names") / "named.duckdb")


def markdown_bodies(at) -> list[str]:
    """The body of every element of the run that Streamlit renders as Markdown."""
    bodies: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        bodies += [str(e.value) for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success"):
        bodies += [str(e.value) for e in getattr(at, kind)]
    bodies += [str(m.label) for m in at.metric]
    bodies += [str(e.label) for e in at.expander]
    bodies += [str(t.label) for t in at.tabs]
    return bodies


def assert_shown_as_text(at, *names: str) -> None:
    assert not at.exception, at.exception
    bodies = markdown_bodies(at)
    for body in bodies:
        tokens = PARSER.parseInline(body) if "\n" not in body else PARSER.parse(body)
        kinds = {c.type for t in tokens for c in ([t, *(t.children or [])])}
        assert "link_open" not in kinds, body  # the app's own <style>/<h2> are allowed
        assert not any(name in body for name in (EVIL_AREA, BOLD_UNIT, HTML_UNIT)), body
        assert not STREAMLIT_SYNTAX.search(body), body
    joined = "\n".join(bodies)
    for name in names:
        assert md_text(name) in joined, f"{name!r} not shown escaped"


@pytest.mark.parametrize(
    ("page", "params", "names"),
    [
        ("views/oversikt.py", {"ar": "2025", "omrade": EVIL_AREA}, [EVIL_AREA]),
        (
            "views/behorighet.py",
            {"ar": "2025", "omrade": EVIL_AREA},
            [EVIL_AREA, BOLD_UNIT],
        ),
        ("views/aruba.py", {"ar": "2025", "omrade": EVIL_AREA}, [EVIL_AREA]),
        ("views/dialog.py", {"ar": "2025", "enhet": "E1"}, [EVIL_AREA, BOLD_UNIT]),
        ("views/stodbehov.py", {"ar": "2025", "omrade": EVIL_AREA}, []),
        ("views/datakvalitet.py", {"ar": "2025"}, []),
    ],
    ids=["oversikt", "behorighet", "aruba", "dialog", "stodbehov", "datakvalitet"],
)
def test_an_area_named_as_a_link_and_a_unit_named_in_markup_are_shown_as_typed_text(
    named_db, page, params, names
):
    at = run_page(named_db, page, query_params=params)
    if page == "views/behorighet.py":  # the unit in detail: Ekskolan, renamed
        at.selectbox(key="enhet").set_value("E1").run()
    assert_shown_as_text(at, *names)


def test_the_brief_pdf_prints_the_names_as_typed_with_no_link_and_no_typst_markup(named_db):
    # Typst gets every text as a JSON string (brief.typ shows strings, never evaluates them):
    # "$x$" would otherwise be maths, "*Fet*" bold and "[…]" content.
    import datetime as dt

    from kompetens import query
    from kompetens.dialogue.briefs.charts import shared_renderer
    from kompetens.dialogue.briefs.content import build_brief
    from kompetens.dialogue.briefs.pdf import render_pdf
    from tests.test_briefs import pdf_text

    conn = store.connect(named_db, read_only=True)
    try:
        everything = query.Scope.everything()
        brief = build_brief(
            conn, everything, "E1", period="2024", dialogue_date=dt.date(2026, 3, 10)
        )
        data = render_pdf(brief, shared_renderer())
    finally:
        conn.close()
    text = pdf_text(data)
    assert BOLD_UNIT in text
    assert EVIL_AREA in text
    # Every place a name is printed, it is printed whole: no "Fet skola" in bold without its stars.
    assert "Fet" not in text.replace(BOLD_UNIT, "")
    assert "logga in" not in text.replace(EVIL_AREA, "")
    assert b"/URI" not in data  # no link annotation anywhere in the file
