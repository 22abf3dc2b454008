"""View helpers of the page Resursfördelning: the scenario's controls, table, chart and texts.

Everything here turns a ``query.allocation.Scenario`` (one row per visible unit, kronor) into
what the page shows, in Swedish with Swedish number formats; the page only calls these.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from kompetens.analysis.allocation import AllocationParameters
from kompetens.core.labels import school_form_label
from kompetens.present.charts import OKABE_ITO, TEMPLATE_NAME, axis_format
from kompetens.present.formatting import fmt_number, fmt_percent, md_text
from kompetens.query import allocation_scenarios as qas
from kompetens.query import projection_scenarios as qps
from kompetens.query.allocation import Scenario
from kompetens.ui import components
from kompetens.ui.context import audit_user

#: Slider ranges: the floors on the index scale, the smoothing in years, the cap in percent.
FLOOR_RANGE = (0, 200)
SMOOTHING_RANGE = (1, 5)
CAP_RANGE = (0, 50)
#: How many winners and losers the chart and the text name.
NAMED = 3
CHART_UNITS = 12

TABLE_LABELS: dict[str, str] = {
    "unit_name": "Enhet",
    "area": "Område",
    "pupils": "Elever",
    "amount_today": "I dag (kr)",
    "amount_scenario": "Scenario (kr)",
    "difference": "Skillnad (kr)",
    "difference_share": "Skillnad (%)",
    "per_pupil_today": "Per elev i dag (kr)",
    "per_pupil_scenario": "Per elev i scenariot (kr)",
}


def slider_state(params: AllocationParameters, key: str = "alloc") -> dict[str, int]:
    """The sliders' session-state values for a parameter set (floors, years, cap in percent)."""
    return {
        f"{key}_floor": int(round(params.floor)),
        f"{key}_upper_floor": int(round(params.upper_secondary_floor or 0)),
        f"{key}_smoothing": int(params.smoothing_years),
        f"{key}_cap": int(round((params.cap or 0) * 100)),
    }


def controls(today: AllocationParameters, key: str = "alloc") -> AllocationParameters:
    """The four sliders, starting at the model as decided (or a saved scenario once opened);
    returns the scenario's parameters."""
    for state_key, value in slider_state(today, key).items():
        st.session_state.setdefault(state_key, value)
    left, right = st.columns(2)
    floor = left.slider(
        "Golv (index)",
        *FLOOR_RANGE,
        step=5,
        key=f"{key}_floor",
        help="Elever räknas bara för den del av enhetens index som ligger över golvet.",
    )
    upper = left.slider(
        "Golv för gymnasieskolan (index)",
        *FLOOR_RANGE,
        step=5,
        key=f"{key}_upper_floor",
        help="0 betyder inget golv: gymnasieskolans pott fördelas efter hela indexet.",
    )
    smoothing = right.slider(
        "Utjämning (år)",
        *SMOOTHING_RANGE,
        key=f"{key}_smoothing",
        help="Indexet som används är medelvärdet av de senaste åren. 1 = ingen utjämning.",
    )
    cap = right.slider(
        "Tak för årlig förändring (%)",
        *CAP_RANGE,
        key=f"{key}_cap",
        help="Hur mycket en enhets belopp högst får ändras från året före. 0 = inget tak.",
    )
    return AllocationParameters(
        floor=float(floor),
        upper_secondary_floor=float(upper) if upper else None,
        smoothing_years=int(smoothing),
        cap=cap / 100 if cap else None,
    )


SAVED_KEY = "alloc_saved"
_LOADED = "alloc_saved_loaded"
_FLASH = "alloc_saved_flash"


def pick_saved(cur, scope) -> str | None:
    """The saved-scenario select box; opening one puts its parameters in the sliders.

    Call it before :func:`controls`. Returns the picked name (None: the sliders as they are).
    """
    names = qas.list_scenarios(cur, scope)["name"].to_list()
    if not names:
        return None
    picked = st.selectbox(
        "Sparat scenario",
        names,
        index=None,
        placeholder="Välj ett sparat scenario (eller ställ in reglagen nedan)",
        key=SAVED_KEY,
    )
    if picked is None:
        st.session_state.pop(_LOADED, None)
        return None
    params = qas.get_scenario(cur, scope, picked)
    if params is not None and st.session_state.get(_LOADED) != picked:
        st.session_state.update(slider_state(params))
        st.session_state[_LOADED] = picked
    return picked


def save_form(ctx, params: AllocationParameters) -> None:
    """Name and save the sliders' scenario (organisation-wide scopes only)."""
    if flash := st.session_state.pop(_FLASH, None):
        st.success(md_text(flash), icon=":material/check_circle:")
    if ctx.scope.level != "org":
        return
    viewer = getattr(ctx, "viewer", None)
    user = audit_user(viewer)
    role = getattr(viewer, "role", None)
    done = components.name_and_save(
        ctx,
        "alloc_save_scenario",
        lambda wcur, name: qas.save_scenario(wcur, ctx.scope, name, params, user, role=role),
        name_key="alloc_scenario_name",
        label="Spara reglagen som ett namngivet scenario",
        placeholder="t.ex. Golv 90 med treårig utjämning",
        button="Spara",
        what="resursfördelningsscenario",
        max_chars=qps.NAME_MAX,
    )
    if done is not None:
        st.session_state[_FLASH] = f"Scenariot {done} är sparat."
        st.rerun()


def parameters_text(params: AllocationParameters) -> str:
    """One Swedish line naming a parameter set: ``golv 95 · gymnasiet utan golv · …``."""
    upper = (
        "gymnasiet utan golv"
        if not params.upper_secondary_floor
        else f"gymnasiets golv {fmt_number(params.upper_secondary_floor)}"
    )
    smoothing = (
        "ingen utjämning"
        if params.smoothing_years == 1
        else f"utjämning över {params.smoothing_years} år"
    )
    cap = "inget tak" if params.cap is None else f"tak {fmt_percent(params.cap, 0)} per år"
    return f"golv {fmt_number(params.floor)} · {upper} · {smoothing} · {cap}"


def screen_table(comparison: pl.DataFrame) -> pl.DataFrame:
    """The comparison in Swedish formats, the largest loser first (strings, for the screen)."""
    kr = lambda c: pl.col(c).map_elements(fmt_number, return_dtype=pl.String)  # noqa: E731
    return comparison.select(
        pl.col("unit_name").alias(TABLE_LABELS["unit_name"]),
        pl.col("area").alias(TABLE_LABELS["area"]),
        kr("pupils").alias(TABLE_LABELS["pupils"]),
        kr("amount_today").alias(TABLE_LABELS["amount_today"]),
        kr("amount_scenario").alias(TABLE_LABELS["amount_scenario"]),
        pl.col("difference")
        .map_elements(_signed_kr, return_dtype=pl.String)
        .alias(TABLE_LABELS["difference"]),
        pl.col("difference_share")
        .map_elements(lambda s: _signed(fmt_percent(s), s), return_dtype=pl.String)
        .alias(TABLE_LABELS["difference_share"]),
        kr("per_pupil_today").alias(TABLE_LABELS["per_pupil_today"]),
        kr("per_pupil_scenario").alias(TABLE_LABELS["per_pupil_scenario"]),
    ).with_columns(pl.all().fill_null("–"))  # no figure (a change from 0 kr): a dash, not "None"


def _signed(text: str, value: float | None) -> str:
    return f"+{text}" if value is not None and value > 0 else text


def _signed_kr(value: float | None) -> str:
    return _signed(fmt_number(value), value)


def winners_and_losers(comparison: pl.DataFrame, n: int = NAMED) -> tuple[str, str]:
    """Two Swedish sentences naming the ``n`` units that gain and lose most (kronor)."""
    gain = comparison.filter(pl.col("difference") > 0.5).sort("difference", descending=True)
    loss = comparison.filter(pl.col("difference") < -0.5).sort("difference")

    def named(frame: pl.DataFrame) -> str:
        parts = [
            f"{row['unit_name']} ({_signed_kr(row['difference'])} kr)"
            for row in frame.head(n).iter_rows(named=True)
        ]
        more = frame.height - len(parts)
        tail = f" och {fmt_number(more)} till" if more > 0 else ""
        return ", ".join(parts) + tail

    winners = f"Vinner mest: {named(gain)}." if gain.height else "Ingen enhet får mer."
    losers = f"Förlorar mest: {named(loss)}." if loss.height else "Ingen enhet får mindre."
    return winners, losers


def difference_chart(comparison: pl.DataFrame, n: int = CHART_UNITS) -> go.Figure:
    """The ``n`` largest winners and losers: the change in kronor per unit, scenario − today."""
    moved = comparison.filter(pl.col("difference").abs() > 0.5)
    shown = pl.concat([moved.sort("difference").head(n), moved.sort("difference").tail(n)]).unique(
        "unit_id", keep="first"
    )
    shown = shown.sort("difference")
    values = shown["difference"].to_list()
    fig = go.Figure(
        go.Bar(
            x=values,
            y=shown["unit_name"].to_list(),
            orientation="h",
            marker_color=[OKABE_ITO[2] if v > 0 else OKABE_ITO[3] for v in values],
            text=[f"{_signed_kr(v)} kr" for v in values],
            textposition="auto",
            customdata=shown["unit_id"].to_list(),
            hovertemplate="%{y}: %{text}<extra></extra>",
        ),
        layout={
            "template": TEMPLATE_NAME,
            "title": "Förändring per enhet, scenario mot i dag (kr)",
            "height": max(300, 24 * shown.height + 100),
        },
    )
    fig.update_xaxes(separatethousands=True, tickformat=",.0f")
    fig.update_yaxes(type="category", automargin=True)
    return fig


def variation_metrics(s: Scenario) -> list[tuple[str, str, str]]:
    """(label, value, help) for the yearly variation without smoothing, as decided and in the
    scenario: the standard deviation of the units' yearly change in kronor per pupil."""
    helptext = (
        "Standardavvikelsen för enheternas förändring från ett år till nästa, i kronor per "
        "elev, över alla enheter och år. Lägre betyder jämnare belopp att planera efter."
    )

    def kr(value: float | None) -> str:
        return "–" if value is None else f"{fmt_number(value)} kr per elev"

    return [
        ("Årlig variation utan utjämning", kr(s.variation_unsmoothed), helptext),
        ("Årlig variation i dag", kr(s.variation_today), helptext),
        ("Årlig variation i scenariot", kr(s.variation_scenario), helptext),
    ]


def download_frame(s: Scenario) -> pl.DataFrame:
    """The scenario for download: numbers as numbers, one row per unit, the parameters beside."""
    return s.comparison.select(
        "unit_id",
        "unit_name",
        "area",
        "pupils",
        "amount_today",
        "amount_scenario",
        "difference",
        "difference_share",
        "per_pupil_today",
        "per_pupil_scenario",
    ).with_columns(
        pl.lit(s.year).alias("year"),
        pl.lit(parameters_text(s.scenario)).alias("scenario"),
    )


DOWNLOAD_LABELS: dict[str, str] = {
    "unit_id": "Enhets-id",
    "year": "År",
    "scenario": "Scenario",
    **TABLE_LABELS,
}


def show(s: Scenario) -> None:
    """The scenario against today: the sentences, the chart, the table and the download."""
    st.caption(
        f"{s.year}: i dag {parameters_text(s.today)}. Scenario: {parameters_text(s.scenario)}. "
        f"Potten {fmt_number(s.pot)} kr fördelas lika stor i båda."
    )
    if s.undistributed > 0.5:
        st.warning(
            f"{fmt_number(s.undistributed)} kr fördelas inte i scenariot: i minst en skolform "
            "ligger ingen enhet över golvet.",
            icon=":material/warning:",
        )
    winners, losers = winners_and_losers(s.comparison)
    st.markdown(f"- {md_text(winners)}\n- {md_text(losers)}")
    for column, (label, value, helptext) in zip(st.columns(3), variation_metrics(s), strict=True):
        column.metric(label, value, help=helptext)
    if s.comparison.filter(pl.col("difference").abs() > 0.5).height:
        st.plotly_chart(difference_chart(s.comparison), key="alloc_chart")
    st.dataframe(screen_table(s.comparison), hide_index=True)
    components.download_buttons(
        download_frame(s),
        f"Resursfördelning {s.year}",
        labels=DOWNLOAD_LABELS,
        key="alloc_download",
    )


def _index(value: float | None) -> str:
    """An index value: whole numbers without decimals (``100``), else one (``117,5``)."""
    whole = value is not None and float(value).is_integer()
    return fmt_number(value, 0 if whole else 1)


def explanation_lines(rows: pl.DataFrame, unit_name: str) -> list[str]:
    """How a unit's amount was calculated, factor by factor, in plain Swedish.

    ``rows``: ``query.allocation.unit_explanation`` (one row per school form of the unit).
    """
    lines: list[str] = []
    for row in rows.iter_rows(named=True):
        form = school_form_label(row["school_form"]) or row["school_form"]
        above = max(0.0, (row["index_used"] or 0.0) - row["floor"])
        index_text = _index(row["index"])
        if row["index_used"] is not None and abs(row["index_used"] - (row["index"] or 0)) > 1e-9:
            index_text += f" (medel över åren som används: {_index(row['index_used'])})"
        lines += [
            f"{form} {row['year']}: {unit_name} har {fmt_number(row['pupils'])} elever och "
            f"socioekonomiskt index {index_text}.",
            f"Golvet är {_index(row['floor'])}. Indexet över golvet är "
            f"{_index(above)}"
            + (
                " (indexet ligger under golvet, så enheten får inget ur potten)."
                if above == 0
                else "."
            ),
            f"Vikt = elever × index över golvet = {fmt_number(row['pupils'])} × "
            f"{_index(above)} = {fmt_number(row['weight'])}.",
        ]
        total = row["total_weight"] or 0.0
        if total > 0:
            share = row["weight"] / total
            lines.append(
                f"Alla enheters vikter i {form.lower()} är tillsammans {fmt_number(total)}, så "
                f"enhetens andel är {fmt_number(row['weight'])} / {fmt_number(total)} = "
                f"{fmt_percent(share, 2)}. Potten {fmt_number(row['pot'])} kr × "
                f"{fmt_percent(share, 2)} = {fmt_number(row['uncapped_amount'])} kr."
            )
        if row["capped"]:
            lines.append(
                f"Taket för årlig förändring höll beloppet till {fmt_number(row['amount'])} kr "
                f"(året före {fmt_number(row['previous_amount'])} kr)."
            )
        per_pupil = row["amount_per_pupil"]
        closing = f"Belopp: {fmt_number(row['amount'])} kr, {fmt_number(per_pupil)} kr per elev."
        if row["change"] is not None:
            closing += f" Förändring från året före: {_signed_kr(row['change'])} kr"
            closing += (
                f" ({_signed(fmt_percent(row['change_share']), row['change_share'])})."
                if row["change_share"] is not None
                else "."
            )
        lines.append(closing)
    if rows.height:
        first = rows.row(0, named=True)
        parts = [
            (label, first.get(column))
            for label, column in (
                ("föräldrar med eftergymnasial utbildning", "parents_post_secondary_pct"),
                ("utländsk bakgrund", "migration_background_pct"),
                ("låg ekonomisk standard", "low_income_pct"),
            )
            if first.get(column) is not None
        ]
        if parts:
            listed = ", ".join(f"{label} {fmt_percent(v / 100)}" for label, v in parts)
            lines.append(f"Indexet bygger bland annat på enhetens elever: {listed}.")
    return lines


def show_explanation(rows: pl.DataFrame, unit_name: str) -> None:
    """The explanation as a list, each line as text (names never read as markdown)."""
    if rows.height == 0:
        st.caption("Enheten har ingen resursfördelning det senaste året.")
        return
    st.markdown("\n".join(f"- {md_text(line)}" for line in explanation_lines(rows, unit_name)))


def unit_names(s: Scenario) -> dict[str, str]:
    """``{unit id: unit name}`` of the scenario's (visible) units, by name."""
    ordered = s.comparison.sort("unit_name", "unit_id")
    return dict(zip(ordered["unit_id"].to_list(), ordered["unit_name"].to_list(), strict=True))


def link_chart(link: pl.DataFrame) -> go.Figure:
    """Amount per pupil (kronor) against the certified teacher share, one point per unit."""
    shown = link.filter(pl.col("certified_share").is_not_null())
    fig = go.Figure(
        go.Scatter(
            x=shown["amount_per_pupil"].to_list(),
            y=shown["certified_share"].to_list(),
            mode="markers",
            marker={"color": OKABE_ITO[0], "size": 10, "opacity": 0.8},
            text=shown["unit_name"].to_list(),
            customdata=[
                [fmt_number(a), fmt_percent(c), fmt_number(s, 1)]
                for a, c, s in zip(
                    shown["amount_per_pupil"], shown["certified_share"], shown["score"], strict=True
                )
            ],
            hovertemplate=(
                "%{text}<br>%{customdata[0]} kr per elev<br>Behöriga lärare %{customdata[1]}"
                "<br>Stödbehov %{customdata[2]}<extra></extra>"
            ),
        ),
        layout={
            "template": TEMPLATE_NAME,
            "title": "Kompensatoriska medel per elev och andel behöriga lärare",
            "height": 420,
        },
    )
    fig.update_xaxes(title="Kompensatoriska medel per elev (kr)", tickformat=",.0f")
    fig.update_yaxes(
        title="Andel behöriga lärare", **axis_format("share", shown["certified_share"].to_list())
    )
    return fig


def link_table(link: pl.DataFrame) -> pl.DataFrame:
    """The units' money against competence, in Swedish formats (strings)."""
    return link.select(
        pl.col("unit_name").alias("Enhet"),
        pl.col("area").alias("Område"),
        pl.col("index").map_elements(_index, return_dtype=pl.String).alias("Index"),
        pl.col("amount_per_pupil")
        .map_elements(fmt_number, return_dtype=pl.String)
        .alias("Per elev (kr)"),
        pl.col("certified_share")
        .map_elements(fmt_percent, return_dtype=pl.String)
        .alias("Andel behöriga lärare"),
        pl.col("score")
        .map_elements(lambda v: fmt_number(v, 1), return_dtype=pl.String)
        .alias("Stödbehov (0–100)"),
    )


def segregation_table(by_year: pl.DataFrame) -> pl.DataFrame:
    """Year by year: the certified share where the compensatory money goes and elsewhere."""
    pp = lambda v: _signed(fmt_number(None if v is None else v * 100, 1), v)  # noqa: E731
    return by_year.select(
        pl.col("year").cast(pl.String).alias("År"),
        pl.col("units_above").alias("Enheter som får medel"),
        pl.col("share_above")
        .map_elements(fmt_percent, return_dtype=pl.String)
        .alias("Andel behöriga där"),
        pl.col("units_below").alias("Övriga enheter"),
        pl.col("share_below")
        .map_elements(fmt_percent, return_dtype=pl.String)
        .alias("Andel behöriga i övriga"),
        pl.col("gap").map_elements(pp, return_dtype=pl.String).alias("Skillnad (procentenheter)"),
    )


def show_competence_link(link: pl.DataFrame, by_year: pl.DataFrame) -> None:
    """The section 'Pengarna och behörigheten': the scatter, the units and the years."""
    st.header("Pengarna och behörigheten")
    if link.height == 0 or link["certified_share"].null_count() == link.height:
        st.caption("Det finns ingen synlig andel behöriga lärare att jämföra med.")
        return
    st.caption(
        f"Andel behöriga lärare {link['period'][0]} (dolda andelar, färre än 5 personer, visas "
        "inte) mot de kompensatoriska medlen per elev i dag. Får enheterna med högst index, som "
        "får mest, också färre behöriga lärare?"
    )
    st.plotly_chart(link_chart(link), key="alloc_link_chart")
    if by_year.height:
        st.dataframe(segregation_table(by_year), hide_index=True)
        st.caption(
            "Skillnad: andelen behöriga i övriga enheter minus i enheterna som får medel. "
            "Positiv betyder att pengarna går till enheter med färre behöriga lärare."
        )
    with st.expander("Enheterna"):
        st.dataframe(link_table(link), hide_index=True)
