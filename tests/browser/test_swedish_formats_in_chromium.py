"""Swedish number formats on every page, in every role that sees it, in an English-language browser.

Streamlit's own number formats (``format="percent"``, ``"localized"``) and Plotly's
percent ticks follow the browser or write ``82.04%``; Kompetens must write ``82,0 %``
whatever the browser's language. The browser runs with ``en-US``, so a number left to
Streamlit or Plotly shows up here. Each page's visible text is scanned: the main area's
text, the text of the charts' SVG (axis ticks, value labels) and the tables' cells
(``st.dataframe`` draws on a canvas; its cells are read from the grid's accessible table).

Screenshots (1400 px and 800 px wide) land in test-output/screenshots/ as
``formats_<role>_<page>[_800].png``; the page heights (px) are written to
``formats_heights.txt`` beside them.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import SCREENSHOT_DIR, no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

#: A number with an English decimal point: ``82.04``, ``0.75``; not a version string
#: (``1.67.0``), a date (``2026-10-15``) or the ``..`` of a hidden value.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
#: A percent sign straight after a digit (``80%``), where Swedish writes ``80 %``.
TIGHT_PERCENT = re.compile(r"\d%")

ROLES = {
    "hr": (
        "HR",
        ["oversikt", "behorighet", "aruba", "stodbehov", "dialog", "datakvalitet", "indikatorer"],
    ),
    "area_manager": (
        "Verksamhetschef (område)",
        ["dialog", "oversikt", "behorighet", "aruba", "stodbehov"],
    ),
    "leadership": ("Ledning", ["oversikt", "behorighet", "aruba", "stodbehov"]),
}
TITLES = {
    "oversikt": "Översikt",
    "behorighet": "Behörighet",
    "aruba": "ARUBA",
    "stodbehov": "Stödbehov",
    "dialog": "Verksamhetsdialog",
    "datakvalitet": "Datakvalitet",
    "indikatorer": "Indikatorer",
}

VISIBLE_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const parts = [main.innerText];
  main.querySelectorAll('.js-plotly-plot svg text').forEach(t => parts.push(t.textContent));
  main.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"], '
    + '[data-testid="stDataFrame"] td, [data-testid="stDataFrame"] th')
    .forEach(c => parts.push(c.textContent));
  return parts.join('\\n');
}"""

MAIN_HEIGHT = """() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]')
    || document.querySelector('[data-testid="stMain"]');
  return Math.round(block.scrollHeight);
}"""


def offending(text: str) -> list[str]:
    """The snippets of ``text`` with an English decimal point or a percent sign without a space."""
    found = []
    for pattern in (ENGLISH_DECIMAL, TIGHT_PERCENT):
        for match in pattern.finditer(text):
            found.append(text[max(0, match.start() - 25) : match.end() + 10].replace("\n", " | "))
    return found


def test_the_scan_finds_english_numbers_and_passes_swedish_ones():
    assert offending("Andel 82.04% och 18.15") != []
    assert offending("80%") != []
    assert offending("82,0\u00a0% · 1\u00a0234,5 · 2026-10-15 · Streamlit 1.67.0 · ..") == []


def open_sidebar(page) -> None:
    """Open the sidebar if the app started with it collapsed (``initial_sidebar_state="auto"``)."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
        page.wait_for_timeout(500)


def choose_role(page, label: str) -> None:
    open_sidebar(page)
    box = page.get_by_role("combobox", name="Visa appen som")
    if box.input_value() == label:
        return
    box.click()
    page.get_by_role("option", name=label).click()
    wait_for_app(page)


def go_to(page, slug: str) -> None:
    """Follow the sidebar's menu (a new URL would start a new session and forget the role)."""
    open_sidebar(page)
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]')
    if link.count() == 0:
        link = page.locator('[data-testid="stSidebarNav"] a', has_text=TITLES[slug])
    link.first.click()
    wait_for_app(page)
    page.get_by_role("heading", name=TITLES[slug], exact=True).first.wait_for(state="visible")
    wait_for_app(page)
    # Charts draw after the script run: let Plotly finish its SVG.
    if page.locator(".js-plotly-plot").count():
        page.locator(".js-plotly-plot").first.wait_for(state="visible")
        page.wait_for_timeout(800)


def test_every_page_writes_numbers_the_swedish_way_in_an_english_browser(app_url, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.set_default_timeout(90_000)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    heights: list[str] = []
    try:
        page.goto(f"{app_url}/oversikt?ar=2024")
        wait_for_app(page)
        for role, (label, slugs) in ROLES.items():
            choose_role(page, label)
            for slug in slugs:
                go_to(page, slug)
                no_exception(page)
                text = page.evaluate(VISIBLE_TEXT)
                if found := offending(text):
                    problems[f"{role}/{slug}"] = found
                heights.append(f"{role}/{slug}: {page.evaluate(MAIN_HEIGHT)} px at 1400x900")
                screenshot(page, f"formats_{role}_{slug}")
                if role == "hr" and slug in ("behorighet", "aruba", "oversikt"):
                    page.set_viewport_size({"width": 800, "height": 900})
                    page.wait_for_timeout(800)
                    screenshot(page, f"formats_{role}_{slug}_800")
                    page.set_viewport_size({"width": 1400, "height": 900})
                    page.wait_for_timeout(500)
    finally:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "formats_heights.txt").write_text("\n".join(heights) + "\n")
        context.close()
    assert problems == {}, "\n".join(f"{k}: {v[:5]}" for k, v in problems.items())


# ---- click-through: a unit's row opens the unit ------------------------------------------


def click_first_row(page, table_key: str, row: int = 0) -> None:
    """Tick a data row's selection box of a ``st.dataframe`` (drawn on a canvas); 0 = the first."""
    grid = page.locator(f".st-key-{table_key} [data-testid='stDataFrame']").first
    grid.wait_for(state="visible")
    box = grid.bounding_box()
    # The header row is ~35 px high, data rows ~35 px; the selection column is at the left edge.
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * row + 17)
    wait_for_app(page)


def test_hr_clicks_a_unit_row_on_behorighet_and_its_detail_opens(app_url, page):
    page.goto(f"{app_url}/behorighet?ar=2024")
    wait_for_app(page)
    page.get_by_role("heading", name="Behörighet", exact=True).first.wait_for()
    wait_for_app(page)
    assert "Välj en enhet för att se" in page.locator('[data-testid="stMain"]').inner_text()
    # The schools' 2024 shares are hidden by the whole-table suppression mask (S1 rests on 4
    # teachers in January 2024; E1, Norr and the organisation are hidden with it), so the
    # preschool's visible figures are what the detail can compare.
    page.get_by_role("radio", name="Förskollärare (förskolor)").click()
    wait_for_app(page)
    click_first_row(page, "unit_table")  # Lärkans förskola, the only preschool
    page.get_by_text("Legitimation och behörighet").first.wait_for()
    text = page.locator('[data-testid="stMain"]').inner_text()
    # L1 is Norr's and the organisation's only preschool: 1.8 / 5.55 = 32,4 % all three
    assert "Norr: 32,4\u00a0% · organisationen: 32,4\u00a0%" in text
    no_exception(page)
    screenshot(page, "click_hr_behorighet_row")


def test_an_area_manager_clicks_a_unit_row_and_the_dialogue_opens_on_it(app_url, page):
    page.goto(f"{app_url}/behorighet?ar=2024")
    wait_for_app(page)
    choose_role(page, "Verksamhetschef (område)")
    go_to(page, "behorighet")
    # The preschool L1 (area Norr): not the unit the dialogue opens on by itself (E1, the
    # greatest support need), so the dialogue showing it proves the click chose it.
    page.get_by_role("radio", name="Förskollärare (förskolor)").click()
    wait_for_app(page)
    click_first_row(page, "unit_table")
    page.get_by_role("heading", name="Verksamhetsdialog", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert "(L1)" in page.get_by_role("combobox", name="Enhet").input_value()
    assert "ar=2024" in page.url  # the sidebar's year came along
    screenshot(page, "click_area_manager_to_dialog")


def test_hr_clicks_a_unit_in_the_support_ranking_and_the_dialogue_opens_on_it(app_url, page):
    page.goto(f"{app_url}/stodbehov?ar=2024")
    wait_for_app(page)
    page.get_by_role("heading", name="Stödbehov", exact=True).first.wait_for()
    wait_for_app(page)
    # Reference month 2024-12, under the whole-table mask: ranked L1 50, E1 37,5 (S1 is
    # flagged; see tests/test_page_stodbehov.py). The second row is Ekskolan, not the unit the
    # dialogue would open on by itself (L1, the greatest support need).
    click_first_row(page, "ranking", row=1)
    page.get_by_role("heading", name="Verksamhetsdialog", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert "(E1)" in page.get_by_role("combobox", name="Enhet").input_value()
    screenshot(page, "click_hr_support_to_dialog")


def test_hr_clicks_a_unit_bar_in_the_ranking_and_its_detail_opens(app_url, page):
    page.goto(f"{app_url}/behorighet?ar=2024")
    wait_for_app(page)
    page.get_by_role("heading", name="Behörighet", exact=True).first.wait_for()
    wait_for_app(page)
    # The schools' 2024 shares are hidden by the whole-table mask (no bars to click): the
    # preschools' chart has one bar, Lärkans förskola 32,4 %.
    page.get_by_role("radio", name="Förskollärare (förskolor)").click()
    wait_for_app(page)
    chart = page.locator(".st-key-ranked .js-plotly-plot").first
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    # Plotly's drag layer sits over the bars: click at the bar's place with the mouse.
    bar = chart.locator(".bars .point path").last.bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    wait_for_app(page)
    page.get_by_text("Legitimation och behörighet").first.wait_for()
    text = page.locator('[data-testid="stMain"]').inner_text()
    # L1 is Norr's and the organisation's only preschool: 1.8 / 5.55 = 32,4 % all three
    assert "Norr: 32,4\u00a0% · organisationen: 32,4\u00a0%" in text
    no_exception(page)
