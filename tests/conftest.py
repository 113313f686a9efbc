"""Session-wide fixtures: the bundled real data, loaded once per test session (per worker).

Every fixture goes through the public ingest API, from files inside the repository.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.core.crs import BNG, from_lonlat, to_lonlat
from hotspots.data import boundaries, datasets
from hotspots.data.ingest import ColumnMap, LoadResult, read_incident_csv, read_policeuk
from hotspots.data.ingest.policeuk import STREET_COLUMNS

HOUSTON_COLUMNS = ColumnMap(
    datetime="datetime_local", crime_type="offense", lat="lat", lon="lon", location="street"
)
NYC_COLUMNS = ColumnMap(
    incident_id="uid",
    datetime="date_start",
    datetime_to="date_end",
    lat="latitude",
    lon="longitude",
    location="location_type",
)
DC_COLUMNS = ColumnMap(datetime="start_datetime", datetime_to="end_datetime", lat="lat", lon="lon")
LEEDS = "E08000035"
LEEDS_MONTHS = ("2021-09", "2021-10", "2021-11", "2021-12")


def street_csv(
    path: Path,
    month: str,
    xy: np.ndarray,
    *,
    force: str = "West Yorkshire Police",
    location: str | list[str] = "On or near Test Street",
    crime_type: str | np.ndarray = "Burglary",
) -> str:
    """Write a police.uk street CSV of ``month`` at ``path``: one record at each lon/lat row
    of ``xy``, numbered "<month>-<i>", reported by ``force``."""
    rows = pd.DataFrame({c: "" for c in STREET_COLUMNS}, index=range(len(xy)))
    rows["Crime ID"] = [f"{month}-{i}" for i in range(len(xy))]
    rows["Month"] = month
    rows["Reported by"] = rows["Falls within"] = force
    rows["Longitude"], rows["Latitude"] = xy[:, 0].round(6), xy[:, 1].round(6)
    rows["Location"] = location
    rows["Crime type"] = crime_type
    rows.to_csv(path, index=False)
    return str(path)


def leeds_street_csv(folder: Path, month: str, n: int, seed: int) -> str:
    """``n`` burglaries at random points of Leeds in a police.uk street CSV for ``month``."""
    outline = shapely.union_all(boundaries.district(LEEDS).wards.geometry.to_numpy())
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = outline.bounds
    xy = rng.uniform((minx, miny), (maxx, maxy), size=(8 * n, 2))
    xy = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])][:n]
    return street_csv(folder / f"{month}-west-yorkshire-street.csv", month, xy)


@pytest.fixture(scope="session", autouse=True)
def _dashboard_cache(tmp_path_factory) -> Iterator[None]:
    """For the whole session (module fixtures too): the dashboard's disk cache is the session's
    own, empty at its start (none of a previous run is read, none written to the user's), and
    no selection is analysed ahead in the background (nothing racing the tests)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOTSPOTS_CACHE", str(tmp_path_factory.mktemp("dashboard-cache")))
        patch.setenv("HOTSPOTS_WARM", "off")
        yield


@pytest.fixture(autouse=True)
def _no_street_tiles(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """No street basemap from the internet in tests (``HOTSPOTS_TILES=off``) and no tile cache
    outside the test's folders: a test that wants tiles serves them itself."""
    monkeypatch.setenv("HOTSPOTS_TILES", "off")
    monkeypatch.setenv("HOTSPOTS_TILE_CACHE", str(tmp_path_factory.mktemp("tile-cache")))


@pytest.fixture(scope="session")
def herts_load() -> LoadResult:
    """police.uk, Hertfordshire, 2021-01..2022-01 (13 months, 108,465 rows), unclipped."""
    return read_policeuk(datasets.herts_policeuk_zip())


@pytest.fixture(scope="session")
def dacorum_wards() -> gpd.GeoDataFrame:
    """The 25 Dacorum wards (2013; ``WD13CD``, ``WD13NM``), EPSG:4326."""
    return gpd.read_file(datasets.wards_path())


@pytest.fixture(scope="session")
def dacorum_load() -> LoadResult:
    """The Hertfordshire zip clipped to Dacorum (``study_area="E07000096"``)."""
    return read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM)


@pytest.fixture(scope="session")
def houston_load() -> LoadResult:
    """Houston offences 2010-01..08, hour precision (``datetime_local``)."""
    return read_incident_csv(datasets.timed_path("houston"), HOUSTON_COLUMNS)


@pytest.fixture(scope="session")
def nyc_load() -> LoadResult:
    """NYC vehicle thefts 2014-17, minute precision, window ``date_start``..``date_end``."""
    return read_incident_csv(datasets.timed_path("nyc"), NYC_COLUMNS)


@pytest.fixture(scope="session")
def dc_load() -> LoadResult:
    """DC burglaries 2016 H1, window ``start_datetime``..``end_datetime``."""
    return read_incident_csv(datasets.timed_path("dc"), DC_COLUMNS)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh SQLite store for one module's dashboard pages ($HOTSPOTS_DB), seeded by the app;
    no PostgreSQL URL, seed switch or config file of the user's environment applies."""
    from hotspots import store
    from hotspots.views.dashboard.store import SEED_ENV

    path = tmp_path_factory.mktemp("store") / "store.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(store.DB_PATH_ENV, str(path))
        patch.delenv(store.DB_URL_ENV, raising=False)
        patch.delenv(SEED_ENV, raising=False)
        patch.delenv("HOTSPOTS_CONFIG", raising=False)
        yield path


@pytest.fixture(scope="session")
def leeds_file(tmp_path_factory) -> Path:
    """Four months of Dacorum's police.uk records moved onto the middle of Leeds."""
    frames = []
    with zipfile.ZipFile(datasets.demo_path("policeuk")) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("-street.csv") and name.split("/")[-1][:7] in LEEDS_MONTHS:
                frames.append(pd.read_csv(io.BytesIO(archive.read(name)), dtype=str))
    rows = pd.concat(frames, ignore_index=True)
    lon = pd.to_numeric(rows["Longitude"], errors="coerce").to_numpy()
    lat = pd.to_numeric(rows["Latitude"], errors="coerce").to_numpy()
    x, y = from_lonlat(lon, lat, BNG)
    leeds = boundaries.district(LEEDS).wards.to_crs(BNG)
    target = shapely.centroid(leeds.union_all())
    dx, dy = target.x - np.nanmedian(x), target.y - np.nanmedian(y)
    new_lon, new_lat = to_lonlat(x + dx, y + dy, BNG)
    rows["Longitude"] = np.round(new_lon, 6)
    rows["Latitude"] = np.round(new_lat, 6)
    rows["Reported by"] = rows["Falls within"] = "West Yorkshire Police"
    rows["LSOA code"] = rows["LSOA name"] = ""
    folder = tmp_path_factory.mktemp("leeds")
    path = folder / "leeds-moved-street.csv"
    rows.to_csv(path, index=False)
    return path
