"""The support-need index: which units need support most, and why.

Grain of the result: one row per unit (schools and preschools; central units
are left out) for one reference month.

Method — transparent on purpose, so that an area manager can explain it:

1. **Components.** Each component is one indicator (for the certification
   component: ``certified_teacher_share`` in schools,
   ``licensed_preschool_teacher_share`` in preschools). A unit's component
   value is its latest *visible* (not suppressed) value within the last
   ``recent_months`` months before the reference month.
2. **Normalise.** Within each school form, the values are turned into a
   percentile 0–100 oriented so that **higher = more need**: the registry's
   direction decides (``higher_is_better`` → lower value = more need).
   Percentile = 100 × (average rank − 1) / (n − 1); a lone unit gets 50.
3. **Weigh.** Weights (``DEFAULT_WEIGHTS``, editable) are normalised to sum
   to 1 over the components that apply to the unit's school form (a component
   applies when at least one unit of that form has a value).
   ``contribution = normalised weight × percentile``; ``score`` = the sum of
   the contributions (0–100). A stacked bar of the contributions shows what
   drives a score.
4. **Flag, don't rank, the unknown.** A unit that lacks a recent value for an
   applicable component (stale, missing or suppressed data) is flagged:
   ``has_recent_data = False``, ``missing_components`` names what is missing,
   ``score`` and ``rank`` are null. Such units are listed separately ("de som
   inte ber om stöd"): silence in the data is not evidence of no need.
   Exception: a component marked ``required=False`` (the unfilled-vacancy
   share) is missing when nothing happened — no post was advertised — so the
   unit counts as neutral (percentile 50) on it and is not flagged.
5. **Rank** the complete units by score, 1 = greatest need.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

PRESCHOOL_FORMS = frozenset({"forskola"})
EXCLUDED_FORMS = frozenset({"central"})


@dataclass(frozen=True)
class Component:
    """One ingredient of the index: an indicator per school form (``'*'`` = any other form)."""

    id: str
    label_sv: str
    indicators: tuple[tuple[str, str], ...]
    #: False when a missing value means "nothing happened" rather than "no data":
    #: a unit that advertised no post has no unfilled-vacancy share. Such a unit is
    #: scored as neutral (percentile 50) on the component instead of being flagged.
    required: bool = True

    def indicator_for(self, school_form: str | None) -> str | None:
        table = dict(self.indicators)
        return table.get(school_form or "", table.get("*"))


COMPONENTS: tuple[Component, ...] = (
    Component(
        "certified_share",
        "Andel behöriga/legitimerade",
        (("forskola", "licensed_preschool_teacher_share"), ("*", "certified_teacher_share")),
    ),
    Component(
        "certification_gap",
        "Behörighetsgap per heltidstjänst",
        # certification_gap_fte divided by the share's denominator (teacher FTE); see query.support_need.
        (("forskola", "certification_gap_fte"), ("*", "certification_gap_fte")),
    ),
    Component("turnover_rate", "Personalomsättning", (("*", "turnover_rate"),)),
    Component("sick_leave_rate", "Sjukfrånvaro", (("*", "sick_leave_rate"),)),
    Component("hme_index", "Hållbart medarbetarengagemang (HME)", (("*", "hme_index"),)),
    Component(
        "employer_recommendation",
        "Rekommenderar arbetsgivaren",
        (("*", "employer_recommendation"),),
    ),
    Component(
        "temporary_teacher_share",
        "Andel visstidsanställda lärare",
        (("*", "temporary_teacher_share"),),
    ),
    Component(
        "unfilled_vacancy_share",
        "Andel ej tillsatta rekryteringar",
        (("*", "unfilled_vacancy_share"),),
        required=False,
    ),
)

COMPONENT_IDS: tuple[str, ...] = tuple(c.id for c in COMPONENTS)

#: Default weights, declared once. The page's sliders start here; they need not sum to 1.
DEFAULT_WEIGHTS: dict[str, float] = {
    "certified_share": 0.25,
    "certification_gap": 0.10,
    "turnover_rate": 0.15,
    "sick_leave_rate": 0.15,
    "hme_index": 0.10,
    "employer_recommendation": 0.05,
    "temporary_teacher_share": 0.10,
    "unfilled_vacancy_share": 0.10,
}


def label_sv(component_id: str) -> str:
    for c in COMPONENTS:
        if c.id == component_id:
            return c.label_sv
    raise KeyError(component_id)


def validate_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Full weight dict (missing components get their default); rejects unknown or negative weights."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = set(weights) - set(COMPONENT_IDS)
    if unknown:
        raise ValueError(f"okända komponenter i stödbehovsindexet: {', '.join(sorted(unknown))}")
    merged = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in weights.items()}}
    if any(v < 0 for v in merged.values()):
        raise ValueError("vikterna får inte vara negativa")
    if sum(merged.values()) <= 0:
        raise ValueError("minst en vikt måste vara större än noll")
    return merged


def percentile_within(values: pl.DataFrame) -> pl.DataFrame:
    """Add ``percentile`` (0–100, higher = more need) within (component, school_form).

    ``values``: ``unit_id, school_form, component, value, need_sign`` where
    ``need_sign`` is +1 if a higher value means more need, −1 if less.
    """
    need = pl.col("value") * pl.col("need_sign")
    group = ["component", "school_form"]
    return values.with_columns(
        pl.when(pl.len().over(group) > 1)
        .then(100.0 * (need.rank("average").over(group) - 1) / (pl.len().over(group) - 1))
        .otherwise(50.0)
        .alias("percentile")
    )


def support_need_index(
    component_values: pl.DataFrame, units: pl.DataFrame, weights: dict[str, float] | None = None
) -> pl.DataFrame:
    """The index for every unit (see module docstring).

    ``component_values``: one row per unit and component with a recent visible
    value — ``unit_id, component, value, need_sign``. ``units``: ``unit_id,
    unit_name, area, school_form``. Returns one row per unit: ``unit_id,
    unit_name, area, school_form, score, rank, has_recent_data,
    missing_components`` (list of component ids) and, per component,
    ``contribution__<id>`` and ``percentile__<id>``.
    """
    w = validate_weights(weights)
    active = [c for c in COMPONENT_IDS if w[c] > 0]
    units = units.filter(~pl.col("school_form").is_in(list(EXCLUDED_FORMS))).select(
        "unit_id", "unit_name", "area", "school_form"
    )
    values = (
        component_values.filter(pl.col("value").is_not_null() & pl.col("component").is_in(active))
        .join(units.select("unit_id", "school_form"), on="unit_id", how="inner")
        .pipe(percentile_within)
    )
    # A component applies to a school form when at least one unit of that form has a value.
    applicable = values.select("school_form", "component").unique()
    optional = [c.id for c in COMPONENTS if not c.required]
    neutral = (
        units.select("unit_id", "school_form")
        .join(applicable.filter(pl.col("component").is_in(optional)), on="school_form")
        .join(values.select("unit_id", "component"), on=["unit_id", "component"], how="anti")
        .with_columns(pl.lit(50.0).alias("percentile"))
    )
    values = pl.concat([values, neutral], how="diagonal_relaxed")
    weight_frame = pl.DataFrame({"component": active, "weight": [w[c] for c in active]})
    norm = applicable.join(weight_frame, on="component").with_columns(
        (pl.col("weight") / pl.col("weight").sum().over("school_form")).alias("norm_weight")
    )
    contributions = values.join(norm, on=["school_form", "component"]).with_columns(
        (pl.col("norm_weight") * pl.col("percentile")).alias("contribution")
    )
    expected = units.join(applicable, on="school_form", how="inner")
    missing = (
        expected.join(
            values.select("unit_id", "component"), on=["unit_id", "component"], how="anti"
        )
        .group_by("unit_id")
        .agg(pl.col("component").sort().alias("missing_components"))
    )
    wide_c = contributions.pivot(on="component", index="unit_id", values="contribution")
    wide_p = contributions.pivot(on="component", index="unit_id", values="percentile")
    # Summed in one fixed order (by component) and rounded far below what is shown, so that
    # units with equal contributions tie exactly and keep one order from run to run.
    totals = (
        contributions.sort("unit_id", "component")
        .group_by("unit_id", maintain_order=True)
        .agg(pl.col("contribution").sum().round(9).alias("_sum"))
    )

    # A unit with nothing applicable (its school form has no data at all) lacks every component.
    has_any = pl.col("unit_id").is_in(expected["unit_id"].unique().to_list())
    out = (
        units.join(missing, on="unit_id", how="left")
        .with_columns(
            pl.when(has_any)
            .then(pl.col("missing_components").fill_null(pl.lit([], dtype=pl.List(pl.String))))
            .otherwise(pl.lit(sorted(active), dtype=pl.List(pl.String)))
            .alias("missing_components")
        )
        .join(totals, on="unit_id", how="left")
    )
    out = out.with_columns(
        ((pl.col("missing_components").list.len() == 0) & has_any).alias("has_recent_data")
    ).with_columns(
        pl.when(pl.col("has_recent_data")).then(pl.col("_sum")).otherwise(None).alias("score")
    )
    out = out.with_columns(
        pl.col("score").rank("min", descending=True).cast(pl.Int64).alias("rank")
    ).drop("_sum")
    for col_id in active:
        c_col = (
            wide_c.select("unit_id", pl.col(col_id).alias(f"contribution__{col_id}"))
            if col_id in wide_c.columns
            else None
        )
        p_col = (
            wide_p.select("unit_id", pl.col(col_id).alias(f"percentile__{col_id}"))
            if col_id in wide_p.columns
            else None
        )
        if c_col is not None:
            out = out.join(c_col, on="unit_id", how="left").join(p_col, on="unit_id", how="left")
        else:
            out = out.with_columns(
                pl.lit(None, dtype=pl.Float64).alias(f"contribution__{col_id}"),
                pl.lit(None, dtype=pl.Float64).alias(f"percentile__{col_id}"),
            )
    return out.sort(["rank", "unit_id"], nulls_last=True)


def contributions_long(index: pl.DataFrame) -> pl.DataFrame:
    """One row per unit and component (``unit_id, component, label_sv, contribution``) for a stacked bar."""
    cols = [c for c in index.columns if c.startswith("contribution__")]
    if not cols:
        return pl.DataFrame(
            schema={
                "unit_id": pl.String,
                "component": pl.String,
                "label_sv": pl.String,
                "contribution": pl.Float64,
            }
        )
    long = index.select("unit_id", *cols).unpivot(
        index="unit_id", variable_name="component", value_name="contribution"
    )
    long = long.with_columns(pl.col("component").str.strip_prefix("contribution__"))
    return long.with_columns(
        pl.col("component")
        .replace_strict({c.id: c.label_sv for c in COMPONENTS}, default=None)
        .alias("label_sv")
    ).select("unit_id", "component", "label_sv", "contribution")
