"""Map inputs built from the bundled, real Dacorum data, shared by the map tests and the test app.

Incidents come from the real police.uk clip of Dacorum (``data/demo``), read here with pandas
(rows without a location are counted, not mapped); cells from :mod:`hotspots.space.grid`; Gi* from
esda (binary weights, the ArcGIS convention) as an independent reference implementation.
"""

from __future__ import annotations

import zipfile
from functools import cache

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from hotspots.data import datasets
from hotspots.space import grid

XSS = "<img src=x onerror=alert(1)>"
"""Text a user might type; every map must show it as text, never run it."""


@cache
def dacorum_incidents() -> gpd.GeoDataFrame:
    """Located police.uk rows of the Dacorum demo (13 months), EPSG:4326."""
    frames = []
    with zipfile.ZipFile(datasets.demo_path("policeuk")) as archive:
        for member in sorted(n for n in archive.namelist() if n.endswith("-street.csv")):
            with archive.open(member) as fh:
                frames.append(pd.read_csv(fh, usecols=["Longitude", "Latitude", "Crime type"]))
    rows = pd.concat(frames, ignore_index=True)
    located = rows.dropna(subset=["Longitude", "Latitude"])
    points = gpd.points_from_xy(located["Longitude"], located["Latitude"])
    return gpd.GeoDataFrame(
        {"crime_type": located["Crime type"].to_numpy()}, geometry=points, crs=4326
    )


@cache
def dacorum_wards() -> gpd.GeoDataFrame:
    """Dacorum's 25 wards (2013), EPSG:4326, with ``WD13CD`` and ``WD13NM``."""
    return gpd.read_file(datasets.wards_path())


def dacorum_cells(res: int = 9) -> gpd.GeoDataFrame:
    """Incident counts on every H3 cell of Dacorum's wards (zeros included)."""
    return grid.grid_counts(dacorum_incidents(), res, study_area=dacorum_wards())


def dacorum_gistar(res: int = 9) -> gpd.GeoDataFrame:
    """Cells with esda's Gi* (binary k=1 weights): ``gi_z``, ``gi_p`` and ArcGIS ``gi_bin``."""
    import libpysal  # slow imports (~3 s): only where Gi* is needed
    from esda.getisord import G_Local

    cells = dacorum_cells(res)
    ids = cells["cell"].tolist()
    present = set(ids)
    neighbours = {c: [n for n in h3.grid_ring(c, 1) if n in present] for c in ids}
    w = libpysal.weights.W(neighbours, id_order=ids, silence_warnings=True)
    g = G_Local(cells["count"].to_numpy(float), w, transform="B", star=True, permutations=0)
    z = np.asarray(g.Zs, dtype=float)
    p = np.asarray(g.p_norm, dtype=float) * 2  # esda's p_norm is one-sided
    level = (p < 0.10).astype(int) + (p < 0.05) + (p < 0.01)
    out = cells.assign(gi_z=z, gi_p=p, gi_bin=np.sign(z).astype(int) * level)
    return out
