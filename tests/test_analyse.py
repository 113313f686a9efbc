"""The analysis pipeline on real Dacorum data: products consistent, parameters reported."""

import json

import numpy as np
import pytest

from hotspots.analysis.analyse import analyse
from hotspots.core.disclosure import mappable


@pytest.fixture(scope="module")
def dacorum_analysis(dacorum_load):
    return analyse(dacorum_load.incidents, study_area="E07000096", res=9)


def test_cells_cover_study_area_with_zeros_and_count_every_mapped_incident(
    dacorum_load, dacorum_analysis
):
    cells = dacorum_analysis.cells
    assert (cells["count"] == 0).sum() > len(cells) / 2  # zero cells present for Gi*
    assert cells["count"].sum() == len(mappable(dacorum_load.incidents))
    assert cells["cell"].is_unique
    assert {"gi_z", "gi_p_fdr", "gi_bin", "gi_class"} <= set(cells.columns)
    assert (cells["gi_bin"] == 3).any()  # Hemel Hempstead town centre is hot at 99 %


def test_clusters_and_profiles_agree(dacorum_analysis):
    labels = dacorum_analysis.clusters.labels
    profiles = dacorum_analysis.profiles
    clustered = int((labels >= 0).sum())
    assert len(profiles) == len(np.unique(labels[labels >= 0]))
    assert profiles["n_incidents"].sum() == clustered


def test_every_chosen_parameter_is_reported_and_serialisable(dacorum_load, dacorum_analysis):
    params = json.loads(json.dumps(dacorum_analysis.params))
    n = len(dacorum_load.incidents)
    assert params["clusters"]["min_samples"] == max(10, round(n / 1000))
    assert params["clusters"]["min_samples_source"].startswith("auto")
    clusters = params["clusters"]
    assert clusters["eps_source"].startswith("k-distance knee")
    assert clusters["eps_m"] == pytest.approx(min(clusters["eps_knee_m"], 150.0))
    assert 0 < clusters["largest_cluster_share"] < 1
    assert params["gistar"]["k"] == 1 and params["grid"]["res"] == 9
    assert params["study_area"] == "given: E07000096"


def test_the_automatic_eps_is_capped_and_the_cap_reported(dacorum_load):
    capped = analyse(dacorum_load.incidents, study_area="E07000096", max_eps_m=60.0)
    clusters = capped.params["clusters"]
    assert clusters["eps_knee_m"] > 60.0
    assert clusters["eps_m"] == 60.0
    assert "capped at 60 m" in clusters["eps_source"]
    labels = capped.clusters.labels
    assert clusters["largest_cluster_share"] == pytest.approx(
        np.bincount(labels[labels >= 0]).max() / len(labels)
    )


def test_month_only_data_says_why_there_is_no_hour_profile(dacorum_analysis):
    hw = dacorum_analysis.hour_weekday
    assert not hw.available
    assert "month" in hw.reason


def test_sensitive_incidents_never_shape_cells_or_clusters(dacorum_load):
    inc = dacorum_load.incidents.copy()
    # A burst of sensitive incidents at one address: it must not show up anywhere on the map.
    victim = inc.index[:60]
    inc.loc[victim, "sensitive"] = True
    inc.loc[victim, ["x", "y"]] = [470000.0, 210000.0]
    result = analyse(inc, study_area="E07000096", min_samples=30, eps_m=100)
    # 60 left out, in groups (type, ward, month) under 5: the number is withheld by the gate
    assert result.params["sensitive_left_out_of_map_layers"] == "withheld"
    assert result.cells["count"].sum() == len(inc) - 60
    assert len(result.clusters.labels) == len(inc) - 60


def test_empty_selection_gets_a_clear_error(dacorum_load):
    with pytest.raises(ValueError, match="widen the selection"):
        analyse(dacorum_load.incidents.iloc[:0], study_area="E07000096")
