"""Static chart images for briefs: the app's Plotly look, rendered by one kaleido session.

Starting headless Chromium costs seconds, rendering a chart a fraction of
one, so a run opens **one** :class:`ChartRenderer` and renders every chart of
every brief through it (a whole area too). The app keeps one renderer per
server process (:func:`shared_renderer`) so a click on "PDF" does not wait
for a browser start.

Charts are built with the builders of ``kompetens.present.charts`` (same colours,
separators and target lines as on screen) from frames of the query layer,
already scoped and suppressed: a hidden value is a gap in a line, ``..`` on a bar.
Images are SVG (vector, crisp in print, and faster to render than PNG).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import time
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from kompetens.indicators import registry
from kompetens.present import charts
from kompetens.present.formatting import display_kind

#: Size of one chart image in CSS pixels; the PDF scales it to half the text width.
CHART_WIDTH = 620
CHART_HEIGHT = 360
#: Fonts Chromium finds on a plain Linux server (Arial-compatible first); the PDF uses the same.
STATIC_FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"


#: kaleido reloads its page (and with it the 4 MB plotly.js) after every image, which costs
#: more than drawing the image; a reload every this many images keeps memory bounded.
RELOAD_EVERY = 40


class ChartRenderError(RuntimeError):
    """Chromium could not be started or a chart could not be rendered."""


def _kaleido_class():
    """kaleido's ``Kaleido``, reloading a tab every ``RELOAD_EVERY`` images instead of after each.

    Hooks kaleido's (private) tab hand-back; if a kaleido release renames it,
    the plain class is used and only speed is lost.
    """
    import kaleido

    base = kaleido.Kaleido
    if not hasattr(base, "_return_kaleido_tab"):
        return base

    class ReusingKaleido(base):
        _images_since_reload = 0

        async def _return_kaleido_tab(self, tab) -> None:
            self._images_since_reload += 1
            if self._images_since_reload >= RELOAD_EVERY:
                self._images_since_reload = 0
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return ReusingKaleido


class ChartRenderer:
    """One kaleido (headless Chromium) session that renders many figures, thread-safe.

    Use as a context manager (``with ChartRenderer() as r: r.render(fig)``) or
    call :meth:`start` / :meth:`close`. kaleido's API is asynchronous; the
    session lives in its own thread with its own event loop, so callers stay
    synchronous (Streamlit, the CLI) and several threads may share it
    (renders are serialised by a lock).
    """

    def __init__(self, *, timeout: float = 60.0) -> None:
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._lock = threading.Lock()
        self.renders = 0  # how many images this session drew (the benchmark reports it)
        self.start_seconds: float | None = None  # how long Chromium took to start

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> ChartRenderer:
        with self._lock:
            if self._kaleido is not None:
                return self
            began = time.perf_counter()
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kaleido", daemon=True)
            thread.start()
            # mathjax=False: no formulas in our charts, and no waiting for a CDN on an offline server.
            session = _kaleido_class()(n=1, timeout=self._timeout, mathjax=False)
            try:
                asyncio.run_coroutine_threadsafe(session.__aenter__(), loop).result(self._timeout)
            except Exception as exc:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise ChartRenderError(f"diagrammen kunde inte ritas: {exc}") from exc
            self._loop, self._thread, self._kaleido = loop, thread, session
            self.start_seconds = time.perf_counter() - began
        return self

    def start_in_background(self) -> ChartRenderer:
        """Start Chromium on a thread while the caller gathers figures; ``render`` waits for it.

        A failed start is not raised here: the next ``render`` tries again and
        raises ``ChartRenderError``, which the PDF writers turn into a note.
        """

        def start() -> None:
            with contextlib.suppress(ChartRenderError):
                self.start()

        threading.Thread(target=start, name="kaleido-start", daemon=True).start()
        return self

    def render(
        self,
        fig: go.Figure,
        *,
        width: int = CHART_WIDTH,
        height: int = CHART_HEIGHT,
        fmt: str = "svg",
    ) -> bytes:
        """The figure as an image (``svg`` or ``png``), at ``width`` × ``height`` pixels."""
        if not self.running:
            self.start()
        opts = {"format": fmt, "width": width, "height": height, "scale": 1 if fmt == "svg" else 2}
        with self._lock:
            future = asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(fig, opts=opts), self._loop
            )
            try:
                image = future.result(self._timeout)
            except Exception as exc:
                raise ChartRenderError(f"diagrammet kunde inte ritas: {exc}") from exc
            self.renders += 1
            return image

    def close(self) -> None:
        with self._lock:
            if self._kaleido is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(
                    self._kaleido.__aexit__(None, None, None), self._loop
                ).result(self._timeout)
            except Exception:  # noqa: S110 - closing a dead browser must not hide the real error
                pass
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(5)
                self._loop.close()
                self._loop = self._thread = self._kaleido = None

    def __enter__(self) -> ChartRenderer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


_SHARED: ChartRenderer | None = None
_SHARED_LOCK = threading.Lock()


def shared_renderer() -> ChartRenderer:
    """The process-wide renderer (started on first use, closed at exit) for the app."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ChartRenderer()
            atexit.register(_SHARED.close)
        return _SHARED.start()


_WARMING = threading.Event()


def warm_shared_renderer() -> None:
    """Start the process-wide renderer on a thread, once, so the first PDF click need not wait.

    Called when the dialogue page shows its download buttons; a failed start
    is left for the first real render to report.
    """
    if _WARMING.is_set():
        return
    _WARMING.set()

    def start() -> None:
        with contextlib.suppress(ChartRenderError):
            shared_renderer()

    threading.Thread(target=start, name="kaleido-warm", daemon=True).start()


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class ChartImage:
    """One rendered chart: ``name`` is its file name in the brief's folder."""

    name: str
    title: str
    data: bytes


def _static_layout(
    fig: go.Figure, *, title: str, height: int = CHART_HEIGHT, left: int = 58
) -> go.Figure:
    """Print settings on top of the app's template: fixed size, fixed margins, legend on top.

    Margins are set explicitly: in a static export Plotly's automatic margins
    are not always applied, and tick labels then fall outside the image.
    """
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": 17},
            "x": 0,
            "xanchor": "left",
            "y": 0.985,
            "yanchor": "top",
        },
        font={"family": STATIC_FONT, "size": 14},
        width=CHART_WIDTH,
        height=height,
        margin={"l": left, "r": 24, "t": 74, "b": 40, "autoexpand": False},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 13}},
    )
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    return fig


def axis_unit(indicator_id: str) -> str:
    """The ``kompetens.present.charts`` axis unit of an indicator (shares as percent)."""
    ind = registry.get(indicator_id)
    return "share" if display_kind(ind) == "share" else str(ind.unit)


#: The ``level`` of a brief trend row that is a published comparison (Kolada), not our figure.
EXTERNAL_LEVEL = "external"


def trend_figure(frame: pl.DataFrame, indicator_id: str, title: str) -> go.Figure:
    """A unit's trend beside its area and the organisation (``query.trend_with_context`` rows).

    ``frame``: one row per series × period; columns ``series, period, value,
    suppressed, target`` (target on the unit's rows only). Hidden values are gaps.
    """
    unit = axis_unit(indicator_id)
    shown = frame.with_columns(
        pl.when(pl.col("suppressed").fill_null(False))
        .then(None)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    periods = shown["period"].unique().sort().to_list()
    fig = charts.trend(shown, x="period", y="value", unit=unit, series="series", title=title)
    first = shown["series"].item(0) if shown.height else None
    targets = shown.filter(pl.col("series") == first).select("period", "target")
    if targets["target"].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=targets["period"].to_list(),
                y=targets["target"].to_list(),
                mode="lines",
                name="Mål",
                line={"color": charts.TARGET_COLOUR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    # Published comparisons (Kolada; ``content.with_external_lines`` keeps the kind in
    # ``scope_id``) are styled as on the pages.
    if "level" in shown.columns:
        external = shown.filter(pl.col("level") == EXTERNAL_LEVEL).unique("series")
        kinds = dict(zip(external["series"], external["scope_id"], strict=True))
        for trace in fig.data:
            if trace.name in kinds:
                style = charts.COMPARISON_LINE_STYLES.get(
                    kinds[trace.name], charts.COMPARISON_LINE_DEFAULT
                )
                trace.update(line=style, mode="lines+markers")
    fig.update_xaxes(categoryorder="array", categoryarray=periods)
    if unit == "share":
        # Printed from zero, so the ticks must cover zero too: ticks over the lines' own
        # range alone labelled only the upper part of the axis (30–50 % over a 0–50 % axis).
        drawn = [y for trace in fig.data for y in (trace.y or ())]
        fig.update_yaxes(rangemode="tozero", **charts.axis_format(unit, [0.0, *drawn]))
    fig = _static_layout(fig, title=title)
    if len(fig.data) > 4:  # the legend wraps to a third row: room for it under the title
        fig.update_layout(margin={"t": 104}, title={"y": 0.99})
    return fig


def place_figure(
    frame: pl.DataFrame, indicator_id: str, unit_name: str, title: str, target: float | None
) -> go.Figure:
    """The unit's place among the area's units: ranked bars, the unit highlighted.

    ``frame``: one row per unit (``unit_name, value, suppressed``) from
    ``query.unit_values``; hidden units are listed at the bottom as ``..``.
    """
    unit = axis_unit(indicator_id)
    fig = charts.ranked_bars(
        frame,
        label="unit_name",
        value="value",
        unit=unit,
        target=target,
        title=title,
        suppressed="suppressed",
        highlight=unit_name,
    )
    n = frame.height
    # Up to ~25 units share the chart's height; longer areas get a taller image.
    height = max(CHART_HEIGHT, min(900, 17 * n + 90))
    longest = max((len(str(name)) for name in frame["unit_name"].to_list()), default=8)
    size = 13 if n <= 12 else 11
    fig = _static_layout(
        fig, title=title, height=height, left=min(260, int(longest * size * 0.55) + 16)
    )
    fig.update_yaxes(tickfont={"size": size})
    fig.update_traces(textfont={"size": 12 if n <= 12 else 10}, cliponaxis=False)
    # The scale of the indicator (1–5 for a survey answer), or zero to the top plus room.
    axis_range = charts.bar_range(unit, frame["value"].to_list(), target)
    if axis_range:
        fig.update_xaxes(range=axis_range)
    return fig
