"""View logic of the Översikt, Behörighet and Stödbehov pages (pure functions of frames, no Streamlit).

The pages read widgets, call ``kompetens.query`` and hand the frames to these
helpers for the last step before rendering: choosing period types, narrowing
to the sidebar filters, and naming columns in Swedish. Values stay numbers
(fractions for shares) so tables can sort; suppression flags travel along as
``<column>_suppressed`` (the ``kompetens.present.exports`` convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kompetens.analysis import support
from kompetens.core import labels
from kompetens.core.labels import (
    PHASE_LABELS,
    SCHOOL_FORM_LABELS,
    STAFF_CATEGORY_LABELS,
    TARGET_STATUS_LABELS,
    TARGET_STATUS_SYMBOLS,
)
from kompetens.indicators import registry
from kompetens.present.charts import OKABE_ITO, PHASE_COLOURS
from kompetens.present.formatting import (
    FIGURE_SPACE,
    MISSING,
    delta_style,
    fmt_delta,
    fmt_value,
    md_text,
    value_texts,
)
from kompetens.query import Scope, previous_period

#: Headline cards on Översikt: the current state of certification ...
CURRENT_STATE_INDICATORS: tuple[str, ...] = (
    "certified_teacher_share",
    "licensed_preschool_teacher_share",
)
#: ... and one lead indicator per ARUBA phase (phase id -> indicator id).
PHASE_LEAD_INDICATORS: dict[str, str] = {
    "attrahera": "employer_recommendation",
    "rekrytera": "unfilled_vacancy_share",
    "utveckla": "onboarding_completion",
    "behalla": "turnover_rate",
    "avveckla": "retirement_forecast_5y",
}
#: The heading over each headline card: (phase id for the colour dot, Swedish words).
HEADLINE_HEADINGS: dict[str, tuple[str, str]] = {
    "certified_teacher_share": ("current_state", "Skolor"),
    "licensed_preschool_teacher_share": ("current_state", "Förskolor"),
} | {ind: (phase, PHASE_LABELS[phase]) for phase, ind in PHASE_LEAD_INDICATORS.items()}
HEADLINE_INDICATORS: tuple[str, ...] = (
    *CURRENT_STATE_INDICATORS,
    *PHASE_LEAD_INDICATORS.values(),
)

RESOLUTIONS: dict[str, str] = {"year": "Årsvärden", "month": "Månadsvärden"}


def heading_dot_colour(phase: str) -> str:
    """The CSS colour of a card heading's dot: the phase's colour, or the theme's text colour
    (``currentColor``) for the current state's black, which would vanish in the dark theme."""
    colour = PHASE_COLOURS[phase]
    return "currentColor" if colour.upper() == "#000000" else colour


#: The posts Behörighet measures (``query.CERTIFICATION_SHARES``), named with where they work.
CERTIFICATION_CATEGORY_LABELS: dict[str, str] = {
    "teacher": f"{STAFF_CATEGORY_LABELS['teacher']} (skolor)",
    "preschool_teacher": f"{STAFF_CATEGORY_LABELS['preschool_teacher']} (förskolor)",
}


def default_certification_category(units: pl.DataFrame) -> str:
    """The category Behörighet opens on for a scope's units (``query.units``): preschool
    teachers when every unit with a school form is a preschool (a preschool principal),
    else teachers."""
    forms = set(units["school_form"].drop_nulls().to_list()) - {"central"}
    return "preschool_teacher" if forms == {"forskola"} else "teacher"


def trend_period_type(indicator_id: str, resolution: str) -> str:
    """The period type to draw for a resolution: yearly, or the finest monthly kind the indicator has.

    Stocks have ``month`` values; flows have rolling 12-month windows ending
    each month (``rolling_12m``); survey-based figures only have years.
    """
    types = registry.get(indicator_id).period_types
    if resolution == "month":
        for candidate in ("month", "rolling_12m"):
            if candidate in types:
                return candidate
    return "year"


@dataclass(frozen=True)
class TrendView:
    """What Översikt needs to draw one indicator's trend: names, unit, colour and period type."""

    name: str
    unit: str
    colour: str
    period_type: str
    note: str | None  # a caption on what the monthly values are, or that there are none


def trend_view(indicator_id: str, resolution: str) -> TrendView:
    """The trend of ``indicator_id`` at a resolution (``year`` or ``month``), in the indicator's phase colour."""
    indicator = registry.get(indicator_id)
    period_type = trend_period_type(indicator_id, resolution)
    note = None
    if resolution == "month" and period_type == "year":
        note = f"{indicator.name_sv} finns bara som årsvärde."
    elif period_type == "rolling_12m":
        note = "Månadsvärdena är rullande tolv månader (flöden räknas över ett helt år)."
    return TrendView(
        name=indicator.name_sv,
        unit=indicator.unit,
        colour=PHASE_COLOURS.get(indicator.phase, OKABE_ITO[0]),
        period_type=period_type,
        note=note,
    )


def school_form_label(code: str | None) -> str | None:
    """The Swedish name of a school form code (the sidebar filter's value)."""
    return labels.school_form_label(code)


def until_year(frame: pl.DataFrame, year: str | None, column: str = "period") -> pl.DataFrame:
    """Rows whose period (``YYYY`` or ``YYYY-MM``) lies in ``year`` or earlier; all rows if no year."""
    if year is None or frame.height == 0:
        return frame
    return frame.filter(pl.col(column).str.slice(0, 4) <= year)


def reference_month(year: str | None, latest: str | None) -> str | None:
    """The support-need reference month: the newest month, or December of an earlier chosen year."""
    if latest is None:
        return None
    if year is None or latest[:4] <= year:
        return latest
    return f"{year}-12"


def filter_units(
    frame: pl.DataFrame, area: str | None = None, school_form: str | None = None
) -> pl.DataFrame:
    """Rows of one area and/or school form (columns ``area``, ``school_form``); all rows for None."""
    if area is not None:
        frame = frame.filter(pl.col("area") == area)
    if school_form is not None:
        frame = frame.filter(pl.col("school_form") == school_form)
    return frame


# ---- Stödbehov -------------------------------------------------------------------------


def missing_text(components: list[str] | None) -> str:
    """Component ids as a Swedish list: ``['hme_index']`` -> ``'Hållbart medarbetarengagemang (HME)'``."""
    if not components:
        return ""
    return ", ".join(support.label_sv(c) for c in components)


def ranked_units(index: pl.DataFrame) -> pl.DataFrame:
    """The units with a score, best rank first: ``rank, unit_name, area, school_form, score, drivers``.

    ``drivers`` names the (up to) two components that contribute most to the score.
    """
    ranked = index.filter(pl.col("has_recent_data")).sort("rank", "unit_id")
    long = support.contributions_long(ranked).filter(pl.col("contribution") > 0)
    drivers = (
        long.sort(["contribution", "label_sv"], descending=[True, False])
        .group_by("unit_id", maintain_order=True)
        .agg(pl.col("label_sv").head(2).str.join(", ").alias("drivers"))
    )
    return (
        ranked.join(drivers, on="unit_id", how="left", maintain_order="left")
        .select("rank", "unit_id", "unit_name", "area", "school_form", "score", "drivers")
        .with_columns(pl.col("drivers").fill_null(""))
    )


def units_without_recent_data(index: pl.DataFrame) -> pl.DataFrame:
    """The flagged units ("de som inte ber om stöd"): ``unit_id, unit_name, area, school_form, missing``."""
    flagged = index.filter(~pl.col("has_recent_data")).sort("area", "unit_name", "unit_id")
    return flagged.select(
        "unit_id",
        "unit_name",
        "area",
        "school_form",
        pl.col("missing_components")
        .map_elements(lambda v: missing_text(list(v)), return_dtype=pl.String)
        .alias("missing"),
    )


def contributions_for_chart(index: pl.DataFrame, top: int) -> pl.DataFrame:
    """Contributions of the ``top`` ranked units, long: ``unit_name, label_sv, contribution``.

    Components with no contribution for any of these units are left out, so the legend stays short.
    """
    ranked = index.filter(pl.col("has_recent_data")).sort("rank", "unit_id").head(top)
    long = support.contributions_long(ranked).join(
        ranked.select("unit_id", "unit_name"), on="unit_id", how="left"
    )
    used = long.group_by("component").agg(pl.col("contribution").fill_null(0).sum().alias("_s"))
    keep = used.filter(pl.col("_s") > 0)["component"].to_list()
    order = {c: i for i, c in enumerate(support.COMPONENT_IDS)}
    return (
        long.filter(pl.col("component").is_in(keep))
        .with_columns(
            pl.col("contribution").fill_null(0.0),
            pl.col("component").replace_strict(order, return_dtype=pl.Int64).alias("_o"),
        )
        .sort("_o", "unit_id")
        .select(
            # Names can repeat across areas; the id keeps bars apart.
            (pl.col("unit_name") + " (" + pl.col("unit_id") + ")").alias("unit_name"),
            "label_sv",
            "contribution",
        )
    )


#: Stödbehov's weight sliders: component id -> widget key (also the URL parameter, so a shared
#: link keeps the weights).
WEIGHT_KEYS: dict[str, str] = {
    component: f"vikt_{component}" for component in support.COMPONENT_IDS
}
#: The index's components in the model's order: (component id, Swedish name).
SUPPORT_COMPONENTS: tuple[tuple[str, str], ...] = tuple(
    (component.id, component.label_sv) for component in support.COMPONENTS
)


def default_weight_percent(component: str) -> int:
    """A component's default weight in whole percent (sliders: no decimal separator, short URLs)."""
    return round(support.DEFAULT_WEIGHTS[component] * 100)


def default_weight_state() -> dict[str, int]:
    """Slider key -> default percent, for the reset button."""
    return {key: default_weight_percent(component) for component, key in WEIGHT_KEYS.items()}


def support_download(index: pl.DataFrame) -> pl.DataFrame:
    """The ranked units of ``query.support_need`` for the download, best rank first, with
    each component's percentile and contribution (school forms in Swedish)."""
    return with_school_form_labels(
        index.filter(pl.col("has_recent_data"))
        .drop("missing_components", "has_recent_data")
        .sort("rank")
    )


def support_download_labels(table_labels: dict[str, str]) -> dict[str, str]:
    """Swedish headings of ``support_download``: the ranking table's plus one per component."""
    return (
        table_labels
        | {f"contribution__{c}": f"Bidrag: {label}" for c, label in SUPPORT_COMPONENTS}
        | {f"percentile__{c}": f"Percentil: {label}" for c, label in SUPPORT_COMPONENTS}
    )


def weights_changed(weights: dict[str, float]) -> bool:
    """True when the weights differ from the defaults (the page then says so)."""
    return any(abs(weights.get(k, v) - v) > 1e-9 for k, v in support.DEFAULT_WEIGHTS.items())


# ---- Behörighet -----------------------------------------------------------------------


def category_table(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Several breakdowns of one unit side by side: one row per category, one value column per frame.

    ``frames``: column name -> a ``query.breakdown`` frame (``category, value, suppressed``).
    Returns ``category`` plus ``<name>`` and ``<name>_suppressed`` per frame.
    """
    out: pl.DataFrame | None = None
    for name, frame in frames.items():
        part = frame.select(
            "category",
            pl.col("value").alias(name),
            pl.col("suppressed").alias(f"{name}_suppressed"),
        )
        out = part if out is None else out.join(part, on="category", how="full", coalesce=True)
    if out is None:
        return pl.DataFrame(schema={"category": pl.String})
    return out.with_columns(pl.col(f"{n}_suppressed").fill_null(False) for n in frames).sort(
        "category"
    )


def visible_points(points: pl.DataFrame) -> pl.DataFrame:
    """Schools that can be drawn in the segregation scatter: not suppressed, with an index and teacher FTE."""
    return points.filter(
        ~pl.col("suppressed")
        & pl.col("value").is_not_null()
        & pl.col("socioeconomic_index").is_not_null()
        & (pl.col("denominator") > 0)
    )


def fitted_line(points: pl.DataFrame) -> tuple[float, float] | None:
    """Teacher-FTE-weighted least-squares line ``share = intercept + slope × index``: (slope, intercept).

    The same weights as the correlation in ``kompetens.analysis.segregation``;
    None with fewer than three schools or no spread in the index.
    """
    usable = visible_points(points)
    if usable.height < 3:
        return None
    w = usable["denominator"]
    x = usable["socioeconomic_index"]
    y = usable["value"]
    mx = float((w * x).sum() / w.sum())
    my = float((w * y).sum() / w.sum())
    var = float((w * (x - mx) ** 2).sum())
    if var <= 1e-15:
        return None
    slope = float((w * (x - mx) * (y - my)).sum()) / var
    return slope, my - slope * mx


def headline_rows(cards: pl.DataFrame) -> tuple[str | None, dict[str, dict]]:
    """Card rows by indicator for one scope: ``(scope_id, {indicator_id: row})``.

    ``query.headline`` gives one row per indicator and top-level scope; a
    viewer with several areas (or units) gets several. The cards show the
    first scope (in scope-id order), never a mix; the page names it.
    """
    if cards.height == 0:
        return None, {}
    first = sorted(cards["scope_id"].unique().to_list())[0]
    rows = cards.filter(pl.col("scope_id") == first)
    return first, {row["indicator_id"]: row for row in rows.iter_rows(named=True)}


def status_counts(table: pl.DataFrame) -> dict[str, int]:
    """How many units reach their target, fall short, have no target, or are hidden (``..``).

    ``table``: ``query.certification_units`` (``status``, ``share_suppressed``).
    """
    hidden = table.filter(pl.col("share_suppressed"))
    shown = table.filter(~pl.col("share_suppressed"))
    return {
        "reached": shown.filter(pl.col("status") == "green").height,
        "below": shown.filter(pl.col("status").is_in(["yellow", "red"])).height,
        "no_target": shown.filter(pl.col("status").is_null()).height,
        "hidden": hidden.height,
    }


#: Traffic-light words in the unit table: a sign, not colour alone (and no emoji, which not
#: every browser has a font for).
STATUS_WORDS: dict[str | None, str] = {
    status: f"{sign} {TARGET_STATUS_LABELS[status]}"
    for status, sign in TARGET_STATUS_SYMBOLS.items()
}


def category_label(category: str) -> str:
    """The Swedish name of a staff category code (``teacher`` -> ``Lärare``)."""
    return STAFF_CATEGORY_LABELS.get(category, category)


def with_school_form_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its ``school_form`` codes replaced by their Swedish names (for tables and downloads)."""
    return frame.with_columns(pl.col("school_form").replace(SCHOOL_FORM_LABELS))


def certification_table(table: pl.DataFrame) -> pl.DataFrame:
    """``query.certification_units`` for the screen: Swedish school forms, status in words."""
    return with_school_form_labels(table).with_columns(
        pl.col("status").replace_strict(
            STATUS_WORDS, default=STATUS_WORDS[None], return_dtype=pl.String
        )
    )


def with_category_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its ``category`` (staff category codes) in Swedish."""
    return frame.with_columns(pl.col("category").replace(STAFF_CATEGORY_LABELS))


def unit_cards(compared: pl.DataFrame, period: str) -> list[dict]:
    """Behörighet's metric cards for one unit (``query.compare`` rows), as Swedish strings.

    Each card: ``name, value, delta, delta_colour, delta_arrow, help, caption``; the
    caption compares with the unit's area, the organisation and the target, gives the
    unit's place in the area and says what the change compares with.
    """
    cards = []
    for row in compared.iter_rows(named=True):
        indicator = registry.get(row["indicator_id"])
        suppressed = bool(row["unit_suppressed"])
        delta = None
        if row["change"] is not None and not suppressed:
            delta = fmt_delta(row["change"], indicator)  # short: a narrow card cuts text off
        colour, arrow = delta_style(row["change"] if delta else None, indicator.direction, delta)
        area_value = fmt_value(
            row["area_value"], indicator, suppressed=bool(row["area_suppressed"])
        )
        parts = [
            f"{md_text(row['area'])}: {area_value}",  # a caption reads Markdown
            "organisationen: "
            + fmt_value(row["org_value"], indicator, suppressed=bool(row.get("org_suppressed"))),
        ]
        if row["target"] is not None:
            parts.append(f"mål {fmt_value(row['target'], indicator)}")
        if row["rank_in_area"] is not None:
            parts.append(f"plats {row['rank_in_area']} av {row['units_in_area']} i området")
        if delta:
            parts.append(f"ändring mot {previous_period(period)}")
        cards.append(
            {
                "name": indicator.name_sv,
                "value": fmt_value(row["unit_value"], indicator, suppressed=suppressed),
                "delta": delta,
                "delta_colour": colour,
                "delta_arrow": arrow,
                "help": indicator.description,
                "caption": " · ".join(parts),
            }
        )
    return cards


def hidden_points(trend: pl.DataFrame, series: str = "series") -> str | None:
    """``"Norr 2025, Organisationen 2025"``: the series and periods of a trend shown as ``..``; None if none."""
    hidden = trend.filter(pl.col("suppressed"))
    if hidden.height == 0:
        return None
    return ", ".join(f"{s} {p}" for s, p in zip(hidden[series], hidden["period"], strict=True))


def hidden_periods(trend: pl.DataFrame) -> list[str]:
    """The periods of a trend with a hidden (``..``) value, oldest first, each once."""
    return trend.filter(pl.col("suppressed"))["period"].unique().sort().to_list()


def unit_names(units: pl.DataFrame) -> dict[str, str]:
    """Unit id -> name, from a frame with ``unit_id, unit_name``."""
    return dict(zip(units["unit_id"].to_list(), units["unit_name"].to_list(), strict=True))


def unit_choices(units: pl.DataFrame) -> dict[str, str]:
    """Unit id -> ``"Ekskolan (Norr)"`` (name and area), the unit choice on Behörighet."""
    return {
        unit_id: f"{name} ({area})"
        for unit_id, name, area in zip(
            units["unit_id"].to_list(),
            units["unit_name"].to_list(),
            units["area"].to_list(),
            strict=True,
        )
    }


# ---- Behörighet's unit table: sort, search, path counts, Swedish texts ------------------

#: The unit table's orders (key -> Swedish words); the first is the default: the largest gap first.
CERTIFICATION_SORTS: dict[str, str] = {
    "gap": "Flest saknade behöriga heltidstjänster",
    "share": "Lägst andel först",
    "name": "Enhet (A–Ö)",
    "area": "Område",
}
#: The registry's name of the gap, the one name used for it on screen and in downloads.
GAP_NAME = registry.get("certification_gap_fte").name_sv
#: How many units on each side the ranking chart shows when there are more than twice as many.
RANKING_EACH_SIDE = 10


def with_path_counts(table: pl.DataFrame, path_values: pl.DataFrame) -> pl.DataFrame:
    """``table`` with ``path_count``: the people on a path to certification in each unit.

    ``path_values``: ``query.unit_values`` of ``on_certification_path_share`` for the
    table's category (its ``numerator`` is a headcount). The count is hidden
    (``path_count_suppressed``) where the share is, and where it is 1–4 people.
    """
    counts = path_values.select(
        "unit_id", pl.col("numerator").alias("path_count"), pl.col("suppressed").alias("_h")
    )
    out = table.join(counts, on="unit_id", how="left")
    hidden = (
        pl.col("_h").fill_null(False)
        | pl.col("path_share_suppressed")
        | ((pl.col("path_count") > 0) & (pl.col("path_count") < 5))
    )
    return out.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col("path_count")).alias("path_count"),
        hidden.alias("path_count_suppressed"),
    ).drop("_h")


def sorted_units(table: pl.DataFrame, sort: str = "gap", search: str | None = None) -> pl.DataFrame:
    """The unit table as it is shown and downloaded: narrowed by ``search``, in the ``sort`` order.

    ``search`` matches part of the unit's name or area, in any case. Orders: ``gap``
    (most missing certified FTE first; hidden gaps last), ``share`` (lowest first),
    ``name``, ``area`` (then name). Ties keep the unit id order.
    """
    if search and search.strip():
        needle = search.strip().lower()
        table = table.filter(
            pl.col("unit_name").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("area").str.to_lowercase().str.contains(needle, literal=True)
        )
    if sort == "share":
        return table.sort("share", "unit_id", nulls_last=True)
    if sort == "name":
        return table.sort("unit_name", "unit_id")
    if sort == "area":
        return table.sort("area", "unit_name", "unit_id")
    return table.sort(["gap_fte", "unit_id"], descending=[True, False], nulls_last=True)


def certification_screen(table: pl.DataFrame) -> pl.DataFrame:
    """``sorted_units`` as Swedish texts for ``st.dataframe`` (same rows, same order).

    Numbers become text padded with figure spaces (``formatting.value_texts``), so they
    show a decimal comma in any browser and a click on a heading still sorts by value;
    hidden values are ``..``. Keeps ``unit_id`` for click-through.
    """
    shown = certification_table(table)

    def texts(column: str, unit: str) -> pl.Series:
        hidden_column = f"{column}_suppressed"
        hidden = (
            shown[hidden_column].fill_null(False).to_list()
            if hidden_column in shown.columns
            else None
        )
        return pl.Series(column, value_texts(shown[column].to_list(), unit, hidden))

    out = shown.select("unit_id", "unit_name", "area", "school_form", "status").with_columns(
        texts("share", "share"),
        texts("target", "share"),
        texts("gap_fte", "fte"),
        texts("path_count", "count"),
        texts("path_share", "share"),
        texts("temporary_share", "share"),
        texts("teacher_fte", "fte"),
    )
    return out.with_columns(path_text(out["path_count"], out["path_share"]))


def path_text(counts: pl.Series, shares: pl.Series) -> pl.Series:
    """People on a certification path and their share of the uncertified, in one narrow
    column: ``'6 (35,3 %)'``; ``'..'`` when either is hidden, ``'–'`` when both are missing.
    Inputs are ``certification_screen``'s padded texts; output is named ``path``."""
    out = []
    for count, share in zip(counts.to_list(), shares.to_list(), strict=True):
        count, share = count.strip(FIGURE_SPACE), share.strip(FIGURE_SPACE)
        if ".." in (count, share):
            out.append("..")
        elif count == MISSING and share == MISSING:
            out.append(MISSING)
        else:
            out.append(f"{count} ({share})")
    return pl.Series("path", out, dtype=pl.String)


def name_width(names: list[str]) -> int:
    """Pixels for a column of unit names so that none is cut off (bounded to keep the table readable)."""
    longest = max((len(n) for n in names), default=10)
    return max(120, min(240, 7 * longest + 24))


def ranking_units(
    table: pl.DataFrame, each_side: int = RANKING_EACH_SIDE
) -> tuple[pl.DataFrame, bool]:
    """Units for the ranking chart: ``(frame, cut)``.

    Up to ``2 × each_side`` units: all. More: the ``each_side`` lowest and highest
    shares (hidden ones left out); the rest are in the searchable table.
    """
    if table.height <= 2 * each_side:
        return table, False
    visible = table.filter(~pl.col("share_suppressed") & pl.col("share").is_not_null()).sort(
        "share", "unit_id"
    )
    return pl.concat([visible.head(each_side), visible.tail(each_side)]).unique(
        "unit_id", maintain_order=True
    ), True


def unit_of_selection(selection, unit_ids: list[str]) -> str | None:
    """The unit a click chose: a ``st.dataframe`` selection (``rows``: positions in ``unit_ids``)
    or a ``st.plotly_chart`` one (``points`` carrying the unit id as ``customdata``)."""
    if selection is None:
        return None
    rows = selection.get("rows") if hasattr(selection, "get") else None
    if rows:
        index = rows[0]
        return unit_ids[index] if 0 <= index < len(unit_ids) else None
    points = selection.get("points") if hasattr(selection, "get") else None
    if points:
        chosen = points[0].get("customdata")
        if isinstance(chosen, list):
            chosen = chosen[0] if chosen else None
        return chosen if chosen in unit_ids else None
    return None


def licence_screen(licence: pl.DataFrame) -> pl.DataFrame:
    """``query.licence_status`` for the screen: FTE and share as Swedish texts, ``..`` where hidden."""
    hidden = licence["suppressed"].fill_null(False).to_list()
    return licence.select("status", "label").with_columns(
        pl.Series("fte", value_texts(licence["fte"].to_list(), "fte", hidden)),
        pl.Series("share", value_texts(licence["share"].to_list(), "share", hidden)),
    )


def share_texts(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``frame`` with share ``columns`` as Swedish texts (``..`` where ``<column>_suppressed``)."""
    return frame.with_columns(
        pl.Series(
            column,
            value_texts(
                frame[column].to_list(),
                "share",
                frame[f"{column}_suppressed"].fill_null(False).to_list()
                if f"{column}_suppressed" in frame.columns
                else None,
            ),
        )
        for column in columns
    )


def trend_scope(scope: Scope, area: str | None) -> tuple[str, str]:
    """Which scope Översikt's trend follows: the chosen area, a principal's own unit, or the org.

    A principal (one unit in scope) sees the unit's own line beside its area and the
    organisation; without this the chart said "din enhet" over the organisation's line.
    """
    if area:
        return "area", area
    if scope.level == "unit" and len(scope.units) == 1:
        return "unit", next(iter(scope.units))
    return "org", "org"
