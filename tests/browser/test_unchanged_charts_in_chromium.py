"""A rerun that changes nothing sends no chart again: each arrives as a reference.

Streamlit keeps the elements a browser already has and, on a rerun, sends an element
that did not change as a reference to that copy, from ``global.minCachedMessageSize``
(``.streamlit/config.toml``; Streamlit's default is 10 kB, and the Plotly figures on
Översikt are 2–6 kB). The messages on the page's websocket are read as Streamlit's own
``ForwardMsg`` protocol buffers.
"""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser.harness import no_exception, open_page, wait_for_app

pytestmark = pytest.mark.browser


def _sent(frames: list) -> dict[str, int]:
    """Plotly charts sent in full, and references to elements the browser keeps."""
    counts = {"charts_in_full": 0, "references": 0}
    for payload in frames:
        if isinstance(payload, str):
            continue
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            counts["references"] += 1
        elif (
            kind == "delta"
            and msg.delta.WhichOneof("type") == "new_element"
            and msg.delta.new_element.WhichOneof("type") == "plotly_chart"
        ):
            counts["charts_in_full"] += 1
    return counts


def test_a_rerun_sends_the_unchanged_charts_of_oversikt_as_references_not_again(app_url, page):
    frames: list = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: frames.append(p)))
    open_page(page, f"{app_url}/oversikt?ar=2025", "Översikt")
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    wait_for_app(page)
    first = _sent(frames)
    assert first["charts_in_full"] >= 2  # the page's charts, the first time
    frames.clear()
    page.mouse.click(700, 400)  # the page has the focus, not a text field
    page.keyboard.press("r")  # Streamlit's shortcut: run the page again, nothing changed
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception(page)
    again = _sent(frames)
    assert frames, "the rerun sent nothing at all: it did not run"
    assert again["charts_in_full"] == 0
    assert again["references"] >= first["charts_in_full"]
