"""Following support up on the pages: need against support, before and after, load, report-backs.

Sections drawn the same way on every page that shows them (one home): "De som inte ber om
stöd" on Stödbehov (full) and Översikt (compact), "Före och efter stöd" on Stödbehov, the
unit's own support on Verksamhetsdialog, and each support function's load and the open
report-backs. The data come from the query layer (scope and suppression enforced there);
the pure table functions here turn them into Swedish text, and free text (descriptions,
recipients, feedback notes) is only ever put in table cells, never in markdown.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kompetens.core.labels import SCHOOL_FORM_LABELS
from kompetens.indicators import registry
from kompetens.present import charts
from kompetens.present.formatting import (
    fmt_count,
    fmt_date,
    fmt_delta,
    fmt_number,
    fmt_value,
    value_texts,
)
from kompetens.query import support_effect, support_register
from kompetens.ui import components, figures, support_register_view, support_view
from kompetens.ui.competence_views import filter_units

# ---- "De som inte ber om stöd" ------------------------------------------------------------

#: Units of the named quadrant the compact section lists by name (the download has all).
COMPACT_ROWS = 5


def need_versus_support_section(
    cur,
    scope,
    *,
    reference: str,
    weights: dict[str, float] | None = None,
    area: str | None = None,
    school_form: str | None = None,
    compact: bool = False,
    key: str = "need_support",
) -> pl.DataFrame:
    """Draw "De som inte ber om stöd" (heading, sentence, the quadrant's units, download).

    ``compact`` (Översikt): the count per quadrant as one small chart and at most
    ``COMPACT_ROWS`` units of the quadrant "högt behov, inget stöd" by name; else every unit
    of it. The download is the whole need-against-support table for the leadership group.
    Returns the query's frame (one row per unit, ``need_versus_support``).
    """
    frame = filter_units(
        support_register.need_versus_support(cur, scope, period=reference, weights=weights),
        area,
        school_form,
    )
    st.header("De som inte ber om stöd – högt behov, inget stöd begärt eller givet")
    st.markdown(support_view.not_asking_sentence(frame))
    st.caption(
        "Stödbehovet är indexet på sidan Stödbehov (högt = rang i översta fjärdedelen av de "
        "rangordnade enheterna); ärenden och insatser är stödregistrets under de tolv "
        f"månaderna fram till {reference}."
    )
    shown = support_view.need_table(frame)
    named = support_view.not_asking_rows(shown)
    if compact:
        counts = quadrant_count_frame(frame)
        chart = charts.ranked_bars(
            counts,
            label="quadrant",
            value="units",
            unit="count",
            highlight=support_register.QUADRANT_LABELS[support_register.HIGH_NO_SUPPORT],
        )
        chart.update_layout(height=230, margin={"t": 10, "b": 30})
        figures.show(chart, config={"displaylogo": False}, key=f"{key}_chart")
        listed = named.head(COMPACT_ROWS)
    else:
        listed = named
    if named.height:
        # The score as Swedish text (``77,1``): Streamlit's number formats write a decimal point.
        screen = listed.select(
            "unit_name",
            "area",
            "school_form",
            pl.Series("score", value_texts(listed["score"].to_list(), "decimal1")),
            "rank",
        )
        st.dataframe(
            screen,
            hide_index=True,
            column_config={c: support_view.NEED_LABELS[c] for c in screen.columns}
            | {
                "score": st.column_config.TextColumn(
                    support_view.NEED_LABELS["score"], alignment="right"
                )
            },
            key=f"{key}_not_asking" if compact else "not_asking",
        )
        if listed.height < named.height:
            st.caption(
                f"De {fmt_number(listed.height)} med störst behov av {fmt_number(named.height)}; "
                "alla finns i nedladdningen."
            )
    components.download_buttons(
        shown, "Stödbehov och stöd", labels=support_view.NEED_LABELS, key=key
    )
    return frame


def quadrant_count_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Units per quadrant for the small chart: ``quadrant`` (Swedish), ``units``, ``suppressed``.

    Every quadrant is named (zero included), in ``QUADRANT_LABELS`` order. Counts of units
    are not figures on people, so none is hidden.
    """
    counts = support_view.quadrant_counts(frame)
    return pl.DataFrame(
        {
            "quadrant": [support_register.QUADRANT_LABELS[k] for k in counts],
            "units": [float(v) for v in counts.values()],
            "suppressed": [False] * len(counts),
        }
    )


# ---- Before and after ------------------------------------------------------------------------

BEFORE_AFTER_LABELS: dict[str, str] = {
    "unit_name": "Enhet",
    "topic": "Ämne",
    "support_start": "Stöd från",
    "indicator": "Nyckeltal",
    "before": "Året före",
    "after": "Året efter",
    "change": "Förändring",
    "comparison_before": "Jämförelse, året före",
    "comparison_after": "Jämförelse, året efter",
    "comparison_change": "Jämförelse, förändring",
    "comparison_units": "Jämförbara enheter utan stöd",
    "need_band": "Behovsgrupp (1 = högst)",
    "area": "Område",
    "school_form": "Skolform",
}
#: The columns on screen (the download has them all).
BEFORE_AFTER_SCREEN: tuple[str, ...] = (
    "unit_name",
    "topic",
    "support_start",
    "indicator",
    "before",
    "after",
    "change",
    "comparison_change",
    "comparison_units",
)

BEFORE_AFTER_CAPTION = (
    "Det här är ingen jämförelse av orsak och verkan. Tabellen visar vad som följer efter "
    "stödet: enhetens nyckeltal året före och året efter att stödet började, bredvid "
    "genomsnittet för enheter med samma skolform och behovsgrupp som inte fick något stöd. "
    "Enheterna valde själva att be om stöd och skiljer sig på fler sätt än så. "
    "`..` = dolt (färre än fem personer); – = för få månader med värden eller för få "
    f"jämförbara enheter (minst {support_effect.MIN_COMPARISON_UNITS})."
)


def before_after_table(frame: pl.DataFrame) -> pl.DataFrame:
    """``support_effect.before_after`` as Swedish text, columns as ``BEFORE_AFTER_LABELS``.

    A hidden window reads ``..`` and so does a change computed from it; a window with too
    few months or a comparison group with too few units reads ``–``.
    """
    rows = []
    for r in frame.iter_rows(named=True):
        ind = registry.get(r["indicator_id"])
        hidden = r["before_suppressed"] or r["after_suppressed"]
        rows.append(
            {
                "unit_name": r["unit_name"],
                "area": r["area"],
                "school_form": SCHOOL_FORM_LABELS.get(r["school_form"], r["school_form"]),
                "topic": r["topic"],
                "support_start": fmt_date(r["support_start"]),
                "need_band": "–" if r["need_band"] is None else str(r["need_band"]),
                "indicator": ind.name_sv,
                "before": fmt_value(r["before"], ind, r["before_suppressed"]),
                "after": fmt_value(r["after"], ind, r["after_suppressed"]),
                "change": fmt_delta(r["change"], ind, hidden),
                "comparison_units": str(r["comparison_units"]),
                "comparison_before": fmt_value(r["comparison_before"], ind),
                "comparison_after": fmt_value(r["comparison_after"], ind),
                "comparison_change": fmt_delta(r["comparison_change"], ind),
            }
        )
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(BEFORE_AFTER_LABELS, pl.String))
    return pl.DataFrame(rows, schema=dict.fromkeys(BEFORE_AFTER_LABELS, pl.String))


def before_after_sentence(frame: pl.DataFrame) -> str:
    """How many supported units the table covers and how many rows have both years."""
    units = frame["unit_id"].n_unique()
    if units == 0:
        return (
            "Inga enheter har fått stöd på ett ämne med relaterade nyckeltal "
            "(Attrahera, Rekrytera, Utveckla, Behålla, Avveckla, Rekrytering, "
            "Kompetensutveckling eller Arbetsmiljö)."
        )
    both = frame.filter(pl.col("change").is_not_null()).height
    return (
        f"{fmt_count(units, 'enhet', 'enheter')} har fått stöd på ett ämne med relaterade "
        f"nyckeltal. {fmt_count(both, 'nyckeltal', 'nyckeltal')} har värden både året före "
        "och året efter; för övriga har året efter inte gått än, eller så är värdena dolda."
    )


def with_change(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``before_after`` with a visible value in both windows (a change to show)."""
    return frame.filter(pl.col("change").is_not_null())


def before_after_section(
    cur,
    scope,
    *,
    unit_id: str | None = None,
    area: str | None = None,
    school_form: str | None = None,
    weights: dict[str, float] | None = None,
    key: str = "before_after",
) -> None:
    """Draw "Före och efter stöd": the sentence, the causal caveat, the table, the download."""
    frame = filter_units(
        support_effect.before_after(cur, scope, unit_id=unit_id, weights=weights),
        area,
        school_form,
    )
    st.header("Före och efter stöd – vad följer efter stödet?")
    st.markdown(before_after_sentence(frame))
    st.caption(BEFORE_AFTER_CAPTION)
    if frame.height == 0:
        return
    everything = st.toggle(
        "Visa även nyckeltal utan värde (eller med dolt värde) året före eller året efter",
        value=False,
        key=f"{key}_all",
    )
    listed = frame if everything else with_change(frame)
    columns = [c for c in BEFORE_AFTER_SCREEN if not (unit_id and c == "unit_name")]
    if listed.height:
        st.dataframe(
            before_after_table(listed).select(columns),
            hide_index=True,
            column_config={c: BEFORE_AFTER_LABELS[c] for c in columns},
            key=key,
        )
    shown = before_after_table(frame)
    components.download_buttons(
        shown, "Före och efter stöd", labels=BEFORE_AFTER_LABELS, key=f"{key}_download"
    )


# ---- The unit's own support (Verksamhetsdialog) ------------------------------------------------


def dates_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A register table for the screen: dates as ISO text (``2026-01-05``; a table would add
    ``00:00:00``), the feedback score as text, and an empty cell as ``–`` (not ``None``)."""
    out = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    if "efforts" in out.columns:  # a request without efforts has had no hours
        out = out.with_columns(pl.col("hours").fill_null(0.0))
    if "feedback_score" in out.columns:
        out = out.with_columns(pl.col("feedback_score").cast(pl.String))
    return out.with_columns(pl.col(pl.String).fill_null("–"))


def unit_support_section(cur, scope, unit_id: str, unit_name: str) -> None:
    """Draw the support the unit asked for (requests, status) and received (efforts, feedback).

    The page is for the unit's principal and area manager (leadership has no dialogue page),
    so the requests' free text is shown, as text in table cells.
    """
    asked = support_register.requests(cur, scope, unit_id=unit_id)
    given = support_register.efforts(cur, scope, unit_id=unit_id)
    st.header("Stöd som enheten bett om och fått")
    if asked.height == 0 and given.height == 0:
        st.info(
            "Enheten har inga stödärenden eller stödinsatser i stödregistret.",
            icon=":material/info:",
        )
        return
    st.caption(
        f"{fmt_count(asked.height, 'ärende', 'ärenden')} och "
        f"{fmt_count(given.height, 'insats', 'insatser')} i stödregistret, det senaste först."
    )
    if asked.height:
        requests_shown = dates_as_text(
            support_register_view.request_table(asked).drop("unit_name", "area")
        )
        st.markdown("**Begärt stöd**")
        st.dataframe(
            requests_shown,
            hide_index=True,
            column_config={
                c: support_register_view.REQUEST_LABELS[c] for c in requests_shown.columns
            },
            key="dialog_support_requests",
        )
    if given.height:
        efforts_shown = dates_as_text(support_register_view.effort_table(given).drop("unit_name"))
        st.markdown("**Givet stöd**")
        st.dataframe(
            efforts_shown,
            hide_index=True,
            column_config={
                c: support_register_view.EFFORT_LABELS[c] for c in efforts_shown.columns
            },
            key="dialog_support_efforts",
        )
    components.download_buttons(
        support_register_view.request_table(asked),
        f"Stödärenden {unit_name}",
        labels=support_register_view.REQUEST_LABELS,
        key="dialog_support_download",
    )


# ---- Each support function's load, and the open report-backs -------------------------------

LOAD_LABELS: dict[str, str] = {
    "support_function": "Stödfunktion",
    "month": "Månad",
    "requests": "Ärenden",
    "efforts": "Insatser som startade",
    "hours": "Timmar",
}
REPORT_BACK_LABELS: dict[str, str] = {
    "request_id": "Ärende",
    "request_date": "Datum",
    "unit_name": "Enhet",
    "area": "Område",
    "support_function": "Stödfunktion",
    "topic": "Ämne",
    "status": "Status",
    "report_to": "Återrapportering till",
    "with_feedback": "Insatser med återkoppling",
}


def report_back_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Open report-backs per support function (the leadership sees counts, not the requests)."""
    return (
        frame.group_by("support_function")
        .agg(pl.len().cast(pl.Int64).alias("open"))
        .sort("support_function")
    )


def load_and_report_backs_section(cur, scope, viewer, *, area: str | None = None) -> None:
    """Draw each support function's load per month (chart) and the open report-backs."""
    load = support_register.load(cur, scope, area=area)
    owed = support_register.open_report_backs(cur, scope, area=area)
    with st.expander(
        f"Stödfunktionernas belastning och öppna återrapporteringar ({owed.height})",
        icon=":material/monitoring:",
    ):
        if load.height == 0:
            st.caption("Stödregistret har inga ärenden eller insatser ännu.")
        else:
            st.markdown("**Timmar per stödfunktion och månad** (insatsernas timmar, startmånad)")
            figures.show(
                charts.stacked_bars(
                    load.sort("month", "support_function").with_columns(
                        pl.lit(False).alias("suppressed")
                    ),
                    x="month",
                    stack="support_function",
                    value="hours",
                    unit="count",
                    height=280,
                ),
                config={"displaylogo": False},
                key="function_load",
            )
            components.download_buttons(
                load, "Stödfunktionernas belastning", labels=LOAD_LABELS, key="function_load"
            )
        st.markdown("**Vem återrapporterar vi till?** Ärenden med en mottagare för återrapporten")
        st.caption(
            "Återrapporten räknas som öppen tills ärendet är avböjt, eller klart med "
            "överenskommen återkoppling på minst en insats."
        )
        if owed.height == 0:
            st.caption("Inga öppna återrapporteringar.")
        elif support_register_view.details_visible(viewer):
            shown = dates_as_text(support_register_view.request_table(owed)).with_columns(
                owed["with_feedback"]
            )
            shown = shown.select([c for c in REPORT_BACK_LABELS if c in shown.columns])
            st.dataframe(
                shown,
                hide_index=True,
                column_config={c: REPORT_BACK_LABELS[c] for c in shown.columns},
                key="report_backs",
            )
        else:
            st.dataframe(
                report_back_summary(owed),
                hide_index=True,
                column_config={"support_function": "Stödfunktion", "open": "Öppna"},
                key="report_backs",
            )
