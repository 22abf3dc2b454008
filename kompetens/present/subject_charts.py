"""The subject view's heat map: share of teaching hours with a qualified teacher, unit x subject.

Input grain: one row per unit x subject (``query.subject_units``); a hidden share (``..``) is a
grey cell with the text ``..``, a subject the unit does not teach is empty. A cell shows its share
(``72 %``) when the map has at most ``CELL_TEXT_SUBJECTS`` subjects (narrower cells only ``..``);
the hover shows share and hours.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from kompetens.present.charts import TEMPLATE_NAME
from kompetens.present.formatting import fmt_number, fmt_percent

#: Up to this many subject columns the cells print their share; more make the cells too narrow.
CELL_TEXT_SUBJECTS = 12


def subject_heatmap(frame: pl.DataFrame) -> go.Figure:
    """Units (rows, in the frame's order) x subjects (columns); colour = share qualified 0..1."""
    units = frame["unit_name"].unique(maintain_order=True).to_list()
    subjects = sorted(frame["subject"].unique().to_list())
    cells = {(r["unit_name"], r["subject"]): r for r in frame.iter_rows(named=True)}
    z, text, short = [], [], []
    printed = len(subjects) <= CELL_TEXT_SUBJECTS
    for unit in units:
        z_row, t_row, s_row = [], [], []
        for subject in subjects:
            r = cells.get((unit, subject))
            if r is None:
                z_row.append(None)
                t_row.append("")
                s_row.append("")
            elif r["share_suppressed"]:
                z_row.append(None)
                t_row.append("..")
                s_row.append("..")
            else:
                z_row.append(r["share"])
                hours = (
                    ".."
                    if r["uncertified_hours_suppressed"]
                    else fmt_number(r["uncertified_hours"], 1)
                )
                t_row.append(f"{fmt_percent(r['share'], 0)} · {hours} h obehörig")
                s_row.append(fmt_percent(r["share"], 0) if printed else "")
        z.append(z_row)
        text.append(t_row)
        short.append(s_row)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=subjects,
            y=units,
            zmin=0,
            zmax=1,
            colorscale=[[0, "#D55E00"], [0.5, "#F0E442"], [1, "#009E73"]],
            # A heat map's texttemplate knows x, y, z and text only: the cells print ``text``
            # (short), the hover the full text from ``customdata``.
            text=short,
            customdata=text,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>",
            colorbar={
                "title": "Andel behöriga timmar",
                "tickmode": "array",
                "tickvals": [0, 0.5, 1],
                "ticktext": ["0 %", "50 %", "100 %"],
            },
        ),
        layout={"template": TEMPLATE_NAME, "height": max(320, 26 * len(units) + 140)},
    )
    fig.update_yaxes(type="category", automargin=True, autorange="reversed")
    fig.update_xaxes(type="category", side="top")
    return fig
