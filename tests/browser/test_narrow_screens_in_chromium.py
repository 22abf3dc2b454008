"""A tablet or a laptop split screen (800 px wide): nothing cut off, the sidebar out of the way.

Streamlit cuts a metric's value, label and change, and a button's label, with an ellipsis
(``75…``, ``Skap…``) when the column is too narrow, and leaves the sidebar open down to
phone width. Kompetens lets them wrap between words, puts the cards two to a row and starts
with the sidebar collapsed below ``frame.NARROW_WIDTH``.

Screenshots: ``narrow_<page>_800.png`` in test-output/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.browser.harness import no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

#: Text cut off in a metric card or a button: wider than its box while its overflow is hidden,
#: or an ellipsis in effect; and labels broken inside a word (a word wider than its line).
CUT_OFF = """() => {
  const boxes = document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMetricValue"] *, '
    + '[data-testid="stMain"] [data-testid="stMetricLabel"] *, '
    + '[data-testid="stMain"] [data-testid="stMetricDelta"] *, '
    + '[data-testid="stMain"] button p, [data-testid="stMain"] button div');
  const found = [];
  for (const box of boxes) {
    const text = box.textContent.trim();
    if (!text || box.offsetParent === null) continue;
    const style = getComputedStyle(box);
    const wider = box.scrollWidth > box.clientWidth + 1;
    const clipped = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (wider && clipped) found.push('cut: ' + text);
    if (style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere')
      found.push('breaks inside words: ' + text);
  }
  return found;
}"""

SIDEBAR_COLLAPSED = """() => document.querySelector('[data-testid="stSidebar"]')
  ?.getAttribute('data-collapsed')"""

PAGES = {
    "oversikt": "Översikt",
    "behorighet": "Behörighet",
    "stodbehov": "Stödbehov",
    "aruba": "ARUBA",
    "dialog": "Verksamhetsdialog",
    "datakvalitet": "Datakvalitet",
}


def narrow_page(browser, width: int = 800):
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="sv-SE")
    context.set_default_timeout(90_000)
    return context, context.new_page()


def test_the_sidebar_starts_collapsed_at_800_px_and_open_on_a_wide_screen(app_url, browser):
    context, page = narrow_page(browser)
    try:
        page.goto(f"{app_url}/oversikt")
        wait_for_app(page)
        page.wait_for_function(f"() => ({SIDEBAR_COLLAPSED})() === 'true'", timeout=10_000)
        # Opened by hand, it stays open on the next page (collapsed once per tab, not every run).
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function(f"() => ({SIDEBAR_COLLAPSED})() === 'false'")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Behörighet").click()
        wait_for_app(page)
        assert page.evaluate(SIDEBAR_COLLAPSED) == "false"
    finally:
        context.close()
    context, page = narrow_page(browser, width=1400)
    try:
        page.goto(f"{app_url}/oversikt")
        wait_for_app(page)
        page.wait_for_timeout(500)
        assert page.evaluate(SIDEBAR_COLLAPSED) == "false"
    finally:
        context.close()


#: (top, left, width, height) of every card of the Verksamhetsdialog, rounded to pixels.
DIALOGUE_CARDS = """() => [...document.querySelectorAll('[class*="st-key-dialog_card_"]')]
  .map(c => c.getBoundingClientRect())
  .map(r => [Math.round(r.top), Math.round(r.left), Math.round(r.width), Math.round(r.height)])"""


def test_no_card_value_label_or_button_is_cut_off_at_800_px(app_url, browser):
    context, page = narrow_page(browser)
    problems: dict[str, list[str]] = {}
    try:
        for slug, title in PAGES.items():
            page.goto(f"{app_url}/{slug}")
            wait_for_app(page)
            page.get_by_role("heading", name=title, exact=True).first.wait_for(state="visible")
            wait_for_app(page)
            no_exception(page)
            if found := page.evaluate(CUT_OFF):
                problems[slug] = found
            if slug == "oversikt":
                # Four cards to a row leave no room for "75,0 %" at 800 px: two to a row.
                lefts = page.evaluate(
                    """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')]
                      .slice(0, 4).map(m => Math.round(m.getBoundingClientRect().left))"""
                )
                if len(set(lefts)) != 2:
                    problems.setdefault(slug, []).append(f"cards not two to a row: {lefts}")
            if slug == "dialog":
                # The dialogue's cards wrap evenly: two to a row, of one width, and the cards
                # of a row as high as each other.
                boxes = page.evaluate(DIALOGUE_CARDS)
                rows: dict[int, list[tuple[int, int]]] = {}
                for top, _left, width, card_height in boxes:
                    rows.setdefault(top, []).append((width, card_height))
                widths = {w for row in rows.values() for w, _ in row}
                if len(boxes) < 4 or max(len(r) for r in rows.values()) != 2 or len(widths) != 1:
                    problems.setdefault(slug, []).append(f"cards not two even to a row: {boxes}")
                if any(len({h for _, h in row}) != 1 for row in rows.values()):
                    problems.setdefault(slug, []).append(
                        f"cards of a row differ in height: {boxes}"
                    )
            height = page.evaluate(
                "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
            )
            page.set_viewport_size({"width": 800, "height": min(height + 100, 8000)})
            page.wait_for_timeout(300)
            screenshot(page, f"narrow_{slug}_800")
            page.set_viewport_size({"width": 800, "height": 1000})
    finally:
        context.close()
    assert problems == {}
