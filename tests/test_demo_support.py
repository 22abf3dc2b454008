"""The demo's support register: a year of requests and support, some high-need units that never ask."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from kompetens.core.contract import KINDS
from kompetens.demo import support as demo_support

END = date(2026, 10, 15)


@pytest.fixture(scope="module")
def organisation():
    """60 schools and one central unit; need rises with the unit number (socio-economic z)."""
    n = 61
    ids = [f"E{1000 + i}" for i in range(n)]
    forms = np.array(["grundskola"] * (n - 1) + ["central"])
    sei = np.linspace(-2, 2, n)
    info = {"unit_ids": ids, "form": forms, "sei_z": sei, "cert_logit": 1.0 - 0.7 * sei}
    units = pl.DataFrame({"unit_id": ids, "school_form": forms.tolist()})
    requests, efforts = demo_support.support_frames(units, info, END, seed=42)
    return info, requests, efforts


def test_the_frames_have_the_contract_columns_and_a_year_of_dates_up_to_the_end(organisation):
    _, requests, efforts = organisation
    assert requests.columns == list(KINDS["support_request"].column_names)
    assert efforts.columns == list(KINDS["support_effort"].column_names)
    assert requests.height > 40
    assert requests["request_date"].min() >= date(2025, 10, 16)
    assert requests["request_date"].max() <= END
    assert efforts["start_date"].max() <= END
    assert requests["request_id"].is_unique().all() and efforts["effort_id"].is_unique().all()


def test_efforts_name_existing_requests_or_none_and_feedback_is_only_on_finished_ones(organisation):
    _, requests, efforts = organisation
    linked = efforts["request_id"].drop_nulls()
    assert linked.is_in(requests["request_id"].implode()).all()
    assert efforts["request_id"].null_count() == 20  # proactive support
    with_feedback = efforts.filter(pl.col("feedback_score").is_not_null())
    assert with_feedback.height > 0
    assert set(with_feedback["status"]) == {"done"}
    assert with_feedback["feedback_score"].is_between(1, 5).all()


def test_some_units_with_the_highest_need_never_ask_and_never_get_support(organisation):
    info, requests, efforts = organisation
    schools = [u for u, f in zip(info["unit_ids"], info["form"], strict=True) if f != "central"]
    active = set(requests["unit_id"]) | set(efforts["unit_id"])
    silent = [u for u in schools if u not in active]
    # 60 schools // 15 = 4 silent units, drawn among the max(6 × 3, 61 // 5) = 18 units with the
    # highest need (E1042..E1059: need rises with the unit number here).
    highest = set(schools[-18:])
    chosen = [u for u in silent if u in highest]
    assert len(chosen) >= 4  # the four chosen, and any high-need unit whose habit drew no request
    assert "E1060" not in active  # the central unit never asks
