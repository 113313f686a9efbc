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


def _victim_log(folder, name: str):
    """A council log (exact points) with a rape and two violence records at one address, saved
    as ``name``; its column map."""
    log = folder / name
    log.write_text(
        "ref,date,incident_type,easting,northing,location\n"
        "V0,01/12/2021,Assault by penetration,496000,213000,7 Victim Road\n"
        "V1,02/12/2021,Violence and sexual offences,496000,213000,7 Victim Road\n"
        "V2,03/12/2021,Assault by penetration,496000,213000,7 Victim Road\n"
        "N1,03/12/2021,Noise,505000,207000,Marlowes\n"
    )
    columns = {
        "incident_id": "ref", "date": "date", "crime_type": "incident_type",
        "easting": "easting", "northing": "northing", "location": "location",
    }  # fmt: skip
    return log, columns


def test_a_council_log_named_police_uk_keeps_its_protection(tmp_path):
    # the name decides nothing: rows read through a column map have exact points, so a
    # council log saved as police.uk.csv is not read as police.uk's anonymised points
    from hotspots.data.ingest import load

    for name in ("council_log.csv", "police.uk.csv", "POLICE.UK.csv"):
        log, columns = _victim_log(tmp_path, name)
        result = load(log, columns=columns)
        rows = result.incidents.set_index("incident_id")
        assert rows.loc[["V0", "V1", "V2"], "sensitive"].all(), name
        assert not rows.loc["N1", "sensitive"]
        assert (rows["source"] != "police.uk").all() and not mappable(rows).index.isin(["V0"]).any()
    assert set(rows["source"]) == {"POLICE.UK (own data)"}
    assert any("own data" in note for note in result.report.notes)


def test_a_workspace_never_files_exact_points_as_police_uk(tmp_path):
    import pytest

    from hotspots.data.workspace import add, init, open_workspace

    log, columns = _victim_log(tmp_path, "police.uk.csv")
    root = tmp_path / "ws"
    init(root, area="Dacorum")
    add(root, [log], columns=columns)  # its own source, not police.uk's months
    data = open_workspace(root)
    assert set(data.coverage.sources) == {"police.uk (own data)"}
    assert data.incidents.set_index("incident_id").loc["V0", "sensitive"]
    with pytest.raises(ValueError, match="exact coordinates"):
        add(root, [log], columns=columns, source="police.uk")
    assert set(open_workspace(root).coverage.sources) == {"police.uk (own data)"}  # unchanged


def test_no_source_name_files_a_council_log_with_police_uk_or_another_source(tmp_path):
    # a workspace files each source in a folder named after it: "police-uk.csv", "Police UK"
    # or "council-asb" beside "Council ASB" would replace the other's months
    import pytest

    from hotspots.data import datasets
    from hotspots.data.workspace import add, init, open_workspace

    root = tmp_path / "ws"
    init(root, area="Dacorum")
    add(root, [datasets.demo_path("policeuk")])
    months = set(open_workspace(root).coverage.months("police.uk"))
    log, columns = _victim_log(tmp_path, "police-uk.csv")
    add(root, [log], columns=columns)  # named after the file, in a folder of its own
    for name in ("Police UK", "POLICE/UK"):
        with pytest.raises(ValueError, match="exact coordinates"):
            add(root, [log], columns=columns, source=name)
    add(root, [log], columns=columns, source="Council ASB")
    with pytest.raises(ValueError, match="would be filed with the source 'Council ASB'"):
        add(root, [log], columns=columns, source="council-asb")
    data = open_workspace(root)
    assert set(data.coverage.months("police.uk")) == months  # untouched
    assert set(data.coverage.sources) == {"police.uk", "police-uk (own data)", "Council ASB"}


def test_a_source_listed_in_the_workspace_file_keeps_its_protection(tmp_path):
    # [[sources]] files = [...] in hotspots.toml: a council log listed as "Police.UK" is not
    # read as police.uk's anonymised points (whose location text names places)
    from hotspots.data.workspace import init, open_workspace, read_workspace, write_config

    root = tmp_path / "ws"
    init(root, area="Dacorum")
    log, columns = _victim_log(root, "log.csv")
    config = dict(read_workspace(root).config)
    config["sources"] = [{"name": "Police.UK", "files": [log.name], "columns": columns}]
    write_config(root, config)
    data = open_workspace(root)
    assert set(data.incidents["source"]) == {"Police.UK (own data)"}
    assert data.incidents.set_index("incident_id").loc["V0", "sensitive"]


def test_a_council_logs_house_address_never_lists_a_clusters_places(tmp_path):
    # 96 nuisance reports at one house: a cluster, but "12 Complainant Close" is one home's
    # address (text from exact points names a place only when seen at several points)
    from hotspots.analysis.clusters import cluster_profiles, dbscan
    from hotspots.data.ingest import load

    log = tmp_path / "log.csv"
    rows = ["ref,date,incident_type,easting,northing,location"]
    rows += [f"H{i},0{1 + i % 9}/12/2021,Nuisance ASB,505000,207000,12 Complainant Close"
             for i in range(96)]  # fmt: skip
    street = [(505000 + 10 * (i % 4), 207030 + 10 * (i // 4)) for i in range(16)]
    rows += [f"S{i},0{1 + i % 9}/12/2021,Nuisance ASB,{x},{y},Marlowes"
             for i, (x, y) in enumerate(street)]  # fmt: skip
    log.write_text("\n".join(rows) + "\n")
    columns = {
        "incident_id": "ref", "date": "date", "crime_type": "incident_type",
        "easting": "easting", "northing": "northing", "location": "location",
    }  # fmt: skip
    incidents = mappable(load(log, columns=columns).incidents)
    profiles = cluster_profiles(incidents, dbscan(incidents, eps_m=100, min_samples=10))
    places = "; ".join(profiles["top_locations"].fillna(""))
    assert len(profiles) and "Complainant" not in places and "Marlowes (16)" in places
