"""cctv.views.seen_pairs, each distinct point queried once: the same (camera, incident) pairs,
in the same order, as the query over every incident it replaced (kept here as the reference),
on the demo's cameras and Dacorum's police.uk year, and with cameras of long range added."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk
from hotspots.products.cctv.views import (
    AT_CAMERA_M,
    camera_xy,
    check_cameras,
    is_circle,
    seen_pairs,
)


def _reference(table, cam_x, cam_y, x, y):
    """seen_pairs as in session 5: one tree over every incident."""
    if len(table) == 0 or len(x) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    tree = shapely.STRtree(shapely.points(x, y))
    cam, point = tree.query(
        shapely.points(cam_x, cam_y), predicate="dwithin", distance=table["range_m"].to_numpy()
    )
    dx, dy = x[point] - cam_x[cam], y[point] - cam_y[cam]
    azimuth = np.degrees(np.arctan2(dx, dy)) % 360.0
    bearing = table["bearing_deg"].to_numpy(float)[cam]
    off_axis = np.abs((azimuth - bearing + 180.0) % 360.0 - 180.0)
    half = table["fov_deg"].to_numpy(float)[cam] / 2.0
    at_camera = np.hypot(dx, dy) <= AT_CAMERA_M
    keep = is_circle(table)[cam] | (off_axis <= half + 1e-9) | at_camera
    order = np.lexsort((point[keep], cam[keep]))
    return cam[keep][order], point[keep][order]


def test_seen_pairs_by_distinct_point_equal_the_query_over_every_incident() -> None:
    incidents = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    crs = incidents.attrs["working_crs"]
    cameras = check_cameras(pd.read_csv(datasets.demo_path("cameras")))
    wide = cameras.copy()
    wide["range_m"] = wide["range_m"] * 8  # many incidents each, sectors and circles
    wide.loc[::3, "fov_deg"] = 360
    x, y = incidents["x"].to_numpy(float), incidents["y"].to_numpy(float)
    for table in (cameras, wide):
        cam_x, cam_y = camera_xy(table, crs)
        for rows in (slice(None), slice(None, None, 4), slice(0, 0)):
            got = seen_pairs(table, cam_x, cam_y, x[rows], y[rows])
            want = _reference(table, cam_x, cam_y, x[rows], y[rows])
            for g, w in zip(got, want, strict=True):
                assert g.dtype == w.dtype and np.array_equal(g, w)
        assert len(seen_pairs(table, cam_x, cam_y, x, y)[0]) > 100
