"""Accessibility and privacy of the page itself, in each role, as Chromium sees it.

- The document is Swedish (``lang="sv"``), so a screen reader reads it with a Swedish voice.
- Headings never skip a level in the main area (h1, then h2, then h3: no h1 to h3).
- Every chart has a text alternative (``role="figure"`` with an ``aria-label``).
- No request leaves the server (no font CDN for the favicon, nothing fetched from outside
  the municipality's network), on any page in any role.
- Dark mode: with the browser set to dark the app is dark and the charts' backgrounds
  transparent; screenshots in both schemes (``theme_<role>_<page>_<scheme>.png``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.harness import no_exception, screenshot, wait_for_app
from tests.browser.test_swedish_formats_in_chromium import ROLES, choose_role, go_to

pytestmark = pytest.mark.browser

HEADINGS = """() => [...document.querySelectorAll(
  '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3, '
  + '[data-testid="stMain"] h4, [data-testid="stMain"] h5, [data-testid="stMain"] h6')]
  .filter(h => h.offsetParent !== null && h.textContent.trim())
  .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""

CHARTS = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')]
  .filter(c => c.offsetParent !== null)
  .map(c => { const f = c.matches('[role="figure"][aria-label]') ? c
                 : c.querySelector('[role="figure"][aria-label]');
              return f ? f.getAttribute('aria-label') : ''; })"""


def heading_jumps(headings: list[list]) -> list[str]:
    """Headings that skip a level (h1 then h3), or a page that does not start with its h1."""
    problems = []
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"h{previous} → h{level} {text!r}")
        previous = level
    return problems


def test_heading_jumps_are_found():
    assert heading_jumps([[1, "Sida"], [2, "Del"], [3, "Underdel"], [2, "Del"]]) == []
    assert heading_jumps([[1, "Sida"], [3, "Del"]]) == ["h1 → h3 'Del'"]
    assert heading_jumps([[2, "Del"]]) == ["h0 → h2 'Del'"]


def test_every_page_is_swedish_has_no_heading_jumps_and_a_text_for_every_chart_and_stays_local(
    app_url, browser
):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="sv-SE")
    context.set_default_timeout(90_000)
    page = context.new_page()
    local = urlsplit(app_url).netloc
    outside: set[str] = set()
    page.on(
        "request",
        lambda request: (
            None
            if urlsplit(request.url).scheme in ("data", "blob")
            or urlsplit(request.url).netloc == local
            else outside.add(request.url)
        ),
    )
    problems: dict[str, list[str]] = {}
    charts_seen = 0
    try:
        page.goto(f"{app_url}/")
        wait_for_app(page)
        assert page.evaluate("document.documentElement.lang") == "sv"
        for role, (label, slugs) in ROLES.items():
            choose_role(page, label)
            for slug in slugs:
                go_to(page, slug)
                no_exception(page)
                where = f"{role}/{slug}"
                found = heading_jumps(page.evaluate(HEADINGS))
                alternatives = page.evaluate(CHARTS)
                charts_seen += len(alternatives)
                found += [
                    f"chart {i} has no text alternative"
                    for i, a in enumerate(alternatives)
                    if not a
                ]
                if page.evaluate("document.documentElement.lang") != "sv":
                    found.append("lang is not sv")
                if found:
                    problems[where] = found
    finally:
        context.close()
    assert outside == set()
    assert problems == {}
    assert charts_seen > 0  # the check looked at charts at all


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_app_follows_the_browsers_colour_scheme_and_charts_stay_readable(
    app_url, browser, scheme
):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="sv-SE", color_scheme=scheme
    )
    context.set_default_timeout(90_000)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/")
        wait_for_app(page)
        for role, (label, _pages) in ROLES.items():
            choose_role(page, label)
            go_to(page, "oversikt")
            background = page.evaluate(
                """() => getComputedStyle(document.querySelector('[data-testid="stApp"]'))
                  .backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"""
            )
            dark = sum(background) < 3 * 80
            assert dark == (scheme == "dark"), background
            paper = page.evaluate(
                """() => { const bg = document.querySelector(
                  '[data-testid="stMain"] .js-plotly-plot .main-svg rect.bg, '
                  + '[data-testid="stMain"] .js-plotly-plot .main-svg');
                  return bg ? getComputedStyle(bg).fill + ' ' + bg.style.background : ''; }"""
            )
            if scheme == "dark":
                # A white chart paper would glare on the dark page: transparent instead.
                assert "255, 255, 255" not in paper, paper
            height = page.evaluate(
                "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
            )
            page.set_viewport_size({"width": 1400, "height": min(height + 100, 6000)})
            page.wait_for_timeout(500)
            screenshot(page, f"theme_{role}_oversikt_{scheme}")
            page.set_viewport_size({"width": 1400, "height": 1000})
    finally:
        context.close()
