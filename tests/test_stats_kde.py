"""Kernel density on real Dacorum police.uk points, against scikit-learn and brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import KernelDensity

from hotspots.analysis.stats import kde_surface
from hotspots.space.grid import cell_polygons, study_area_cells


@pytest.fixture(scope="module")
def dacorum(dacorum_load) -> gpd.GeoDataFrame:
    """Dacorum's police.uk incidents (canonical: x, y in British National Grid)."""
    incidents = dacorum_load.incidents
    assert incidents.attrs["working_crs"] == "EPSG:27700"
    return incidents


@pytest.fixture(scope="module")
def cells8(dacorum_wards) -> np.ndarray:
    return study_area_cells(dacorum_wards, 8)


def _sklearn_density_per_km2(points: gpd.GeoDataFrame, targets: np.ndarray, h: float):
    kd = KernelDensity(kernel="gaussian", bandwidth=h).fit(points[["x", "y"]].to_numpy())
    return np.exp(kd.score_samples(targets)) * len(points) * 1e6


def _centres(cells: np.ndarray) -> np.ndarray:
    centroids = cell_polygons(cells).to_crs(27700).centroid
    return np.column_stack([centroids.x, centroids.y])


@pytest.mark.parametrize("bandwidth_m", [250.0, None])
def test_gaussian_equals_sklearn_on_h3_cells(dacorum, cells8, bandwidth_m):
    ours, params = kde_surface(dacorum, cells8, bandwidth_m=bandwidth_m, kernel="gaussian")
    ref = _sklearn_density_per_km2(dacorum, _centres(cells8), params["bandwidth_m"])
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-7 * ref.max())
    assert ours.max() > 1_000  # town centres: thousands of incidents per km² over 13 months
    assert params["targets"] == "H3 cell centres (hexagon centroids)"
    assert params["n_incidents"] == len(dacorum) > params["n_locations"]


def test_rule_of_thumb_bandwidth_is_reported_and_follows_the_formula(dacorum, cells8):
    xy = dacorum[["x", "y"]].to_numpy()
    spread = np.minimum(xy.std(axis=0, ddof=1), stats.iqr(xy, axis=0) / 1.349)
    sigma = np.sqrt(np.mean(spread**2))
    gaussian_h = sigma * len(xy) ** (-1 / 6)
    _, gauss = kde_surface(dacorum, cells8, kernel="gaussian")
    _, quartic = kde_surface(dacorum, cells8)
    assert gauss["sigma_m"] == pytest.approx(sigma, rel=1e-12)
    assert gauss["bandwidth_m"] == pytest.approx(gaussian_h, rel=1e-12)
    assert quartic["bandwidth_m"] == pytest.approx(np.sqrt(8) * gaussian_h, rel=1e-12)
    assert 100 < gauss["bandwidth_m"] < 2_000
    assert "Silverman" in quartic["bandwidth_rule"] and quartic["kernel"] == "quartic"


def test_quartic_equals_brute_force_and_conserves_mass(dacorum):
    sub = dacorum.iloc[::7]
    xy = sub[["x", "y"]].to_numpy()
    h = 400.0
    west, south = xy.min(axis=0) - h
    east, north = xy.max(axis=0) + h
    step = 25.0
    gx, gy = np.meshgrid(np.arange(west, east, step), np.arange(south, north, step))
    raster = np.column_stack([gx.ravel(), gy.ravel()])
    ours, params = kde_surface(sub, raster, bandwidth_m=h)
    assert params["bandwidth_rule"] == "fixed (given)"
    # the surface integrates to the number of incidents (per km² x cell area in km²)
    assert ours.sum() * step * step / 1e6 == pytest.approx(len(sub), rel=2e-3)
    # brute force on a sample of raster points: every incident, every distance
    pick = raster[:: max(1, len(raster) // 400)]
    d2 = ((pick[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2) / h**2
    brute = (3 / (np.pi * h**2) * np.clip(1 - d2, 0, None) ** 2).sum(axis=1) * 1e6
    np.testing.assert_allclose(ours[:: max(1, len(raster) // 400)], brute, rtol=1e-9, atol=1e-9)


def test_targets_as_ids_polygons_or_xy_agree(dacorum, cells8):
    by_id, _ = kde_surface(dacorum, cells8, bandwidth_m=300)
    by_polygon, p_poly = kde_surface(dacorum, cell_polygons(cells8), bandwidth_m=300)
    by_xy, p_xy = kde_surface(dacorum, _centres(cells8), bandwidth_m=300)
    np.testing.assert_allclose(by_polygon, by_id, rtol=1e-12)
    np.testing.assert_allclose(by_xy, by_id, rtol=1e-12)
    assert p_poly["targets"] == "geometry centroids" and "EPSG:27700" in p_xy["targets"]


def test_bad_input_errors_name_the_fix(dacorum, cells8):
    with pytest.raises(ValueError, match="kernel must be one of"):
        kde_surface(dacorum, cells8, kernel="epanechnikov")
    with pytest.raises(ValueError, match="positive number of metres"):
        kde_surface(dacorum, cells8, bandwidth_m=-5)
    no_crs = dacorum.copy()
    no_crs.attrs = {}
    with pytest.raises(ValueError, match="working_crs"):
        kde_surface(no_crs, cells8)
    with pytest.raises(ValueError, match="1 incident\\(s\\) have no x/y"):
        kde_surface(dacorum.assign(x=np.r_[np.nan, dacorum["x"].to_numpy()[1:]]), cells8)
    with pytest.raises(TypeError, match="cells_or_points must be"):
        kde_surface(dacorum, 42)
    with pytest.raises(ValueError, match="one location"):
        kde_surface(dacorum.iloc[[0, 0, 0]], cells8)
