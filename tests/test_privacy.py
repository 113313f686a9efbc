"""Suppression rules for sensitive incidents."""

import pandas as pd

from hotspots.core.disclosure import mappable, suppress_small


def test_mappable_leaves_out_sensitive_rows_and_counts_them(dacorum_load):
    inc = dacorum_load.incidents.copy()
    inc.loc[inc.index[:7], "sensitive"] = True
    out = mappable(inc)
    assert len(out) == len(inc) - 7
    assert not out["sensitive"].any()
    assert out.attrs["sensitive_left_out"] == 7
    assert out.attrs["working_crs"] == inc.attrs["working_crs"]


def test_unknown_sensitivity_is_treated_as_sensitive(dacorum_load):
    inc = dacorum_load.incidents.head(3).copy()
    inc["sensitive"] = pd.array([None, False, True], dtype="boolean")
    assert list(mappable(inc)["incident_id"]) == [inc["incident_id"].iloc[1]]


def test_small_counts_are_suppressed_but_zero_and_large_are_shown():
    assert suppress_small(pd.Series([0, 1, 4, 5, 12])).tolist() == ["0", "<5", "<5", "5", "12"]
    assert suppress_small(pd.Series([2, 9]), min_count=10).tolist() == ["<10", "<10"]


def test_shown_counts_and_the_left_out_count_go_through_the_gate() -> None:
    from hotspots.core.disclosure import WITHHELD, shown_counts
    from hotspots.data.schema import incidents_from_xy

    assert shown_counts(pd.Series([0, 3, 7, 7]), [True, True, True, False]).tolist() == [
        "0", "<5", WITHHELD, "7"
    ]  # fmt: skip
    xy = [[505_000.0, 207_000.0]] * 7
    few = incidents_from_xy(xy, ["Rape"] * 3 + ["Stalking"] * 4)
    many = incidents_from_xy(xy, ["Rape"] * 7)
    assert mappable(few).attrs["sensitive_left_out_shown"] == WITHHELD  # 7, in groups of 3 and 4
    assert mappable(many).attrs["sensitive_left_out_shown"] == "7"
