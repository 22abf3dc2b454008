"""The app frame's building blocks: first-start demo, download lifetime, shared sidebar filters, style.

The filters are bound to URL query parameters (``?ar=2025&omrade=…&skolform=…``)
with Streamlit's ``bind="query-params"``, so a copied link opens the same view.
Options come from the query layer, so a filter can never offer an area
outside the caller's scope; a tampered parameter that is not among the
options is ignored by Streamlit and removed from the URL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import streamlit as st

from kompetens import query
from kompetens.core.labels import SCHOOL_FORM_LABELS
from kompetens.ui.context import Filters, shared_connection

#: The browser tab's icon, served by Streamlit itself (no request leaves the municipality's network).
FAVICON = Path(__file__).parent / "static" / "favicon.png"

ALL_AREAS = "Alla områden"
ALL_FORMS = "Alla skolformer"


@contextlib.contextmanager
def _startup_progress(what: str, default: str) -> Iterator[Callable[[float, str], None]]:
    """A progress bar for work done once at start-up, removed when the work is done."""
    holder = st.empty()
    with holder.container():
        bar = st.progress(0.0, text=f"{what}: {default} …")

        def progress(fraction: float, message: str = "") -> None:
            step = (message or default).rstrip(" …")  # messages may end in their own "…"
            bar.progress(max(0.0, min(1.0, fraction)), text=f"{what}: {step} …")

        yield progress
    holder.empty()


@st.cache_resource(show_spinner=False)
def _demo_checked(db_path: str) -> bool:
    """Build the demo database on first start if there is none (once per server process).

    A published database (docs/operations.md) is never replaced; an unpublished one is
    checked under the writer lock, so the check never meets a running import.
    """
    from kompetens.core import locking, snapshot
    from kompetens.demo import ensure_demo_database

    if snapshot.read_pointer(db_path) is not None:
        return False
    with (
        locking.writer_lock(db_path, "demodata"),
        _startup_progress("Första start", "bygger demodata") as progress,
    ):
        return ensure_demo_database(db_path, progress=progress)


@st.cache_resource(show_spinner=False)
def _figures_checked(db_path: str) -> bool:
    """Publish current key figures if the published ones are stale (once per process).

    Stale: computed by an older version of Kompetens, or from older data (a
    recompute that never finished). See ``kompetens.ops.database``.
    """
    from kompetens.ops.database import ensure_published, needs_publication

    if not needs_publication(db_path):
        return False
    with _startup_progress("Nyckeltalen uppdateras", "nyckeltalen räknas om") as progress:
        return ensure_published(db_path, progress=progress)


def ensure_database(db_path: str) -> None:
    """Demo data on first start; key figures recomputed if older code computed them.

    Then the warm start (``kompetens.ui.warmup``): the background cache warmer
    runs, and this script run's cached queries check the data version once.
    """
    from kompetens.ui import warmup

    _demo_checked(db_path)
    _figures_checked(db_path)
    warmup.start(db_path)


DOWNLOAD_LIFETIME_ENV = "KOMPETENS_DOWNLOAD_LIFETIME_SECONDS"
DEFAULT_DOWNLOAD_LIFETIME = 30.0
_LOG = logging.getLogger(__name__)


def download_lifetime(env: Mapping[str, str] | None = None) -> float:
    """Seconds a downloaded file stays at its ``/media/…`` address at most (default 30).

    Raises ``ValueError`` (in Swedish) for a value that is not a number of
    seconds between 2 and 3 600.
    """
    raw = (os.environ if env is None else env).get(DOWNLOAD_LIFETIME_ENV, "").strip()
    if not raw:
        return DEFAULT_DOWNLOAD_LIFETIME
    try:
        seconds = float(raw.replace(",", "."))
    except ValueError:
        seconds = float("nan")
    if not 2 <= seconds <= 3600:  # also false for nan
        raise ValueError(
            f"{DOWNLOAD_LIFETIME_ENV}={raw!r} ska vara ett antal sekunder mellan 2 och 3600"
        )
    return seconds


def expire_downloads() -> None:
    """One sweep of Streamlit's media store: a file no session shows is marked, a marked one deleted.

    A download made on click (``st.download_button`` with a callable) is
    stored unreferenced, so two sweeps remove it; a file still drawn by a
    session (an image, a button given bytes) stays.
    """
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().media_file_mgr.remove_orphaned_files()


_SWEEPER_NAME = "kompetens-download-expiry"
_sweeper_lock = threading.Lock()


def _start_sweeper(lifetime: float) -> None:
    """Start the sweeping thread unless one runs already (also across module reloads).

    Exactly one: two sweepers could mark and delete a file in the same moment,
    before the browser that asked for it has fetched it.
    """

    def sweep_forever() -> None:
        while True:
            time.sleep(lifetime / 2)
            try:
                expire_downloads()
            except Exception:  # never let the sweeper die: downloads would then stay for good
                _LOG.exception("could not expire downloaded files")

    with _sweeper_lock:
        if any(t.name == _SWEEPER_NAME and t.is_alive() for t in threading.enumerate()):
            return
        threading.Thread(target=sweep_forever, name=_SWEEPER_NAME, daemon=True).start()


def keep_downloads_short() -> None:
    """Start (once per server process) the sweeper that removes downloaded files after their lifetime.

    Streamlit serves a downloaded file at ``/media/<hash>`` to anyone with the
    address and, left alone, keeps it until two later script runs anywhere in
    the server. Sweeping every half lifetime removes a file made on click
    between half a lifetime and a lifetime after it was made, also on an idle
    server and after the session closed (see docs/sign-in.md, *Downloads*).
    """
    try:
        lifetime = download_lifetime()
    except ValueError as problem:
        st.error(f"Nedladdningarnas livslängd är fel inställd: {problem}.", icon=":material/block:")
        st.stop()
    _start_sweeper(lifetime)


def sidebar_filters(db_path: str, scope: query.Scope) -> Filters:
    """Draw the shared filters in the sidebar and return what they say."""
    conn = shared_connection(db_path)
    years = query.available_periods(conn.cursor(), scope, "year")["period"].to_list()
    area_names = query.areas(conn.cursor(), scope)["area"].to_list()
    forms = sorted(set(query.units(conn.cursor(), scope)["school_form"].drop_nulls().to_list()))
    with st.sidebar:
        st.markdown("## Filter")
        year = None
        if years:
            year = st.selectbox(
                "År",
                options=list(reversed(years)),
                index=0,
                key="ar",
                bind="query-params",
                help="Årsvärden avser referensmånaden (oktober) för personaldata och kalenderåret för flöden.",
            )
        # A scope of one area (an area manager, a principal) starts on that area, so every
        # trend and caption speaks of it; "Alla områden" would mean the organisation's trend.
        own_area_only = scope.level != "org" and len(area_names) == 1
        area = st.selectbox(
            "Område",
            options=area_names if own_area_only else [ALL_AREAS, *area_names],
            index=0,
            key="omrade",
            bind="query-params",
        )
        school_form = st.selectbox(
            "Skolform",
            options=[ALL_FORMS, *forms],
            index=0,
            format_func=lambda code: SCHOOL_FORM_LABELS.get(code, code),
            key="skolform",
            bind="query-params",
        )
        st.caption(
            "Filtren gäller alla sidor och sparas i adressen – kopiera länken för att dela vyn."
        )
    return Filters(
        year=year,
        area=None if area == ALL_AREAS else area,
        school_form=None if school_form == ALL_FORMS else school_form,
    )


#: Breakpoint (px) below which the layout is for a tablet or a split screen: the sidebar starts
#: collapsed and the metric cards go two to a row. Streamlit's own "auto" collapses only below
#: phone width (it left the sidebar open at 800 px).
NARROW_WIDTH = 1024

_STYLE = """
<style>
/* Metric cards: legible on a projector, smaller on a narrow screen; a value, label or change
   wraps between words and never ends in "…" (Streamlit cuts them off with an ellipsis). */
[data-testid="stMetricValue"] { font-size: clamp(1.5rem, 0.9rem + 1.3vw, 2.1rem); }
[data-testid="stMetricLabel"] p { font-size: 1rem; }
[data-testid="stMetricValue"] > div,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  word-break: normal !important; overflow-wrap: normal !important;
}
/* Button labels wrap instead of reading "Skap…". */
.stButton button p, .stDownloadButton button p, .stFormSubmitButton button p,
.stLinkButton a p, .stPageLink a p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  word-break: normal !important; overflow-wrap: normal !important;
}
.stButton button, .stDownloadButton button, .stFormSubmitButton button { height: auto; }
/* Section headings are h2 under the page's h1 (no jump from h1 to h3); they keep a sub-heading's size. */
[data-testid="stMain"] h2 { font-size: 1.75rem; }
[data-testid="stMain"] h3 { font-size: 1.35rem; }
[data-testid="stSidebar"] h2 { font-size: 1.25rem; }
/* Streamlit's sticky header is 3.75rem (60 px) high: the page (the demo banner first) starts below it. */
.block-container { padding-top: 4.5rem; }
@media (max-width: NARROWpx) {
  .block-container { padding: 4.5rem 1.25rem 2rem; }
  /* Cards two to a row: four columns of a split screen are too narrow for a headline number. */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-wrap: wrap;
  }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 1rem) !important; min-width: calc(50% - 1rem) !important;
  }
}
/* Streamlit's file uploader speaks English ("Upload", "200MB per file • CSV, …") and has no
   setting for it: the texts are replaced here; the file dialog itself is the browser's. */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Välj fil"; font-size: 1rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "eller dra och släpp filen här"; font-size: 0.875rem;
}
/* An empty date field shows its format in Swedish (åååå-mm-dd), not "yyyy - mm - dd": the
   field's placeholder segments follow an English locale whatever the browser's is. */
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"] { font-size: 0; }
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"]::after {
  font-size: 0.875rem;
}
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"][data-type="year"]::after {
  content: "åååå";
}
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"][data-type="month"]::after {
  content: "mm";
}
[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"][data-type="day"]::after {
  content: "dd";
}
[data-testid="stDateInput"] [role="group"] [data-type="literal"] { padding: 0; }
/* Verksamhetsdialog's cards: one row that wraps, cards of one width (three to a row, two on a
   narrow screen, one on a phone) and every row as high as its tallest card. */
.st-key-dialog_cards { flex-wrap: wrap !important; align-items: stretch !important; }
.st-key-dialog_cards > div { flex: 0 0 calc((100% - 2rem) / 3) !important; min-width: 0; }
@media (max-width: NARROWpx) {
  .st-key-dialog_cards > div { flex-basis: calc((100% - 1rem) / 2) !important; }
}
@media (max-width: 560px) {
  .st-key-dialog_cards > div { flex-basis: 100% !important; }
}
.st-key-dialog_cards [class*="st-key-dialog_card_"] { height: 100%; }
/* The element holding the script below takes no room. */
[data-testid="stElementContainer"]:has(> .stHtml > #kompetens-browser-setup) { display: none; }
</style>
""".replace("NARROW", str(NARROW_WIDTH))

#: Runs once in the browser: the page is Swedish (``lang="sv"``: screen readers, hyphenation,
#: spelling), copied text loses the word joiners of ``md_text``, and on a narrow screen the
#: sidebar starts collapsed, once per tab, so that a user who opens it again keeps it open.
_BROWSER_SETUP = """
<span id="kompetens-browser-setup"></span>
<script>
(() => {
  const doc = window.document;
  doc.documentElement.lang = "sv";
  // Copied text without the invisible word joiners md_text puts into names (after ":", "@").
  if (!window.kompetensCopyClean) {
    window.kompetensCopyClean = true;
    doc.addEventListener("copy", (event) => {
      const text = String(window.getSelection() || "");
      if (!text.includes("\u2060") || !event.clipboardData) return;
      event.clipboardData.setData("text/plain", text.replaceAll("\u2060", ""));
      event.preventDefault();
    });
  }
  const flag = "kompetens-sidebar-checked";
  if (window.sessionStorage.getItem(flag)) return;
  window.sessionStorage.setItem(flag, "1");
  if (!window.matchMedia("(max-width: NARROWpx)").matches) return;
  let tries = 0;
  const collapse = () => {
    const sidebar = doc.querySelector('[data-testid="stSidebar"]');
    const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (sidebar && button && sidebar.getAttribute("data-collapsed") !== "true") {
      button.click();
    } else if (!sidebar && tries++ < 50) {
      window.setTimeout(collapse, 100);
    }
  };
  collapse();
})();
</script>
""".replace("NARROW", str(NARROW_WIDTH))


def apply_style() -> None:
    """The app's CSS (metrics, buttons and headings that fit a narrow screen) and browser set-up.

    ``st.html`` with a lone ``<style>`` takes no room; the set-up script
    (``lang="sv"``, the sidebar on a narrow screen) sits in an element hidden by that style.

    Streamlit's own texts that stay English (it has no setting for them): the app menu
    ("Settings", "Print", the theme choice), a table's toolbar tooltips ("Download as CSV",
    "Search", "Fullscreen"), the chart toolbar's tooltips ("Download plot as a PNG", "Zoom"),
    the "Running…" indicator and the file input's hidden ``aria-label``. The footer
    ("Made with Streamlit") is not shown by Streamlit 1.67, and ``toolbarMode = "minimal"``
    hides the developer entries.
    """
    st.html(_STYLE)
    st.html(_BROWSER_SETUP, unsafe_allow_javascript=True)
