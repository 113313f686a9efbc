"""The demo dataset with rapes added at one address in one ward and month, built as every data
load builds it (``state.build_dataset``), for the dashboard tests (AppTest scripts import it)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.data.ingest import LoadResult
from hotspots.views.dashboard.state import build_dataset, current_dataset, use_dataset


def use_demo_with_rapes(n: int) -> None:
    """Show the demo with ``n`` rapes (ids ``R1``…) at the first council incident's point, in
    its ward and month, on every page of this session (once: later runs keep it)."""
    if st.session_state.get("demo_with_rapes") == n:
        return
    st.session_state["demo_with_rapes"] = n
    ds = current_dataset()
    rows = ds.incidents[ds.incidents["source"] != "police.uk"].head(1)
    rows = rows.loc[rows.index.repeat(n)].copy()
    rows["crime_type"], rows["category"] = "Rape", "Violence and sexual offences"
    rows["sensitive"] = rows["vawg"] = True
    rows["incident_id"] = [f"R{i + 1}" for i in range(n)]
    incidents = gpd.GeoDataFrame(pd.concat([ds.incidents, rows], ignore_index=True))
    incidents.attrs = dict(ds.incidents.attrs)
    result = LoadResult(incidents, ds.quarantine, ds.report)
    wards, population = ds.wards, ds.ward_population
    built = build_dataset(
        result, label=ds.label, wards=wards, ward_pop=population, joined=True, coverage=ds.coverage
    )
    use_dataset(built)
