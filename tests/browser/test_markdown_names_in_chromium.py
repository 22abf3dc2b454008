"""In the real app, an area named as a Markdown link is text: no link, no LaTeX, no colour.

The database is the small fixture with area Norr renamed ``[logga in](http://evil.example)``
and Ekskolan renamed ``**Fet** _skola_ :red[x] $x$ www.x.se`` (``tests/test_markdown_names.py``).
Chromium renders what Streamlit's own Markdown renderer makes of every page's text, so
this is the check that its extras (autolinks, ``:red[…]``, ``$…$``) stay inert too.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest

from tests.browser.harness import no_exception, open_page, running_app, screenshot
from tests.test_markdown_names import BOLD_UNIT, EVIL_AREA, build_named_db

AREA = quote(EVIL_AREA)


@pytest.fixture(scope="module")
def named_url(tmp_path_factory):
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    db = build_named_db(tmp_path_factory.mktemp("names_browser") / "named.duckdb")
    with running_app(db) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "heading", "names"),
    [
        (f"oversikt?ar=2025&omrade={AREA}", "Översikt", [EVIL_AREA]),
        (f"behorighet?ar=2025&omrade={AREA}", "Behörighet", [EVIL_AREA]),
        (f"aruba?ar=2025&omrade={AREA}", "ARUBA", [EVIL_AREA]),
        ("dialog?ar=2025&enhet=E1", "Verksamhetsdialog", [EVIL_AREA, BOLD_UNIT]),
        ("behorighet?ar=2025", "Behörighet", []),  # every unit's bar, Söderskolan's too
    ],
    ids=["oversikt", "behorighet", "aruba", "dialog", "behorighet_all"],
)
def test_no_page_turns_a_name_into_a_link_latex_or_colour_and_the_name_reads_as_typed(
    named_url, page, path, heading, names
):
    open_page(page, f"{named_url}/{path}", heading)
    screenshot(page, f"markdown_names_{path.split('?')[0]}")
    no_exception(page)
    # HTML links and SVG links (Plotly draws <a xlink:href> in chart texts).
    links = 'a[href*="evil.example"], a[*|href*="evil.example"], a[href*="x.se"]'
    assert page.locator(links).count() == 0
    main = page.locator('[data-testid="stMain"]')
    assert main.locator(".katex").count() == 0
    # The names read as typed in what a person copies: md_text's invisible word joiners
    # (after ":" and "@") stay out of the clipboard.
    copied = copy_main_text(page)
    assert "\u2060" not in copied
    for name in names:
        assert name in copied


def copy_main_text(page) -> str:
    """Select the main area's text, copy it (Ctrl+C) and read the clipboard."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate(
        """() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('[data-testid="stMain"]'));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }"""
    )
    page.keyboard.press("Control+C")
    return page.evaluate("navigator.clipboard.readText()")
