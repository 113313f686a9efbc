"""The defaults every entry point shares: one named value per decision.

The Python API, the command line, the dashboard and the documents read these, so the same
question gets the same answer wherever it is asked. Every function keeps a keyword option to
override its default.
"""

from __future__ import annotations

H3_RES = 9
"""H3 resolution of hot spot grids: hexagons of ≈ 0.1 km² (edge ≈ 174 m), a street block;
fine enough for a patrol and coarse enough that a district's counts are not mostly zero."""

GI_K = 1
"""Gi* neighbourhood: the H3 k-ring around each cell (the cell itself included)."""

DEFAULT_AREA_MIN_SHARE = 0.005
"""Without a study area, the analysis covers the districts each holding at least this share
(0.5 %) of the incidents (:mod:`hotspots.space.extent`): a county's own districts, not the
scattering of records its force logged elsewhere …"""

DEFAULT_AREA_MIN_COVER = 0.5
"""… when together they hold at least this share of the incidents; otherwise (data beyond
England and Wales) the trimmed core of the points."""

GRID_MAX_CELLS_PER_OCCUPIED = 50
"""A study area may hold at most this many H3 cells per occupied cell …"""

GRID_CELLS_ALWAYS_ALLOWED = 100_000
"""… or this many cells, whichever is more (a district at resolution 9 has up to ~50,000):
beyond both, most of the grid is empty and the run slow and large, so it is refused with the
fix (:func:`hotspots.space.grid.check_grid_size`)."""

HOT_MIN_BIN = 1
"""Smallest Gi* bin (:mod:`hotspots.core.classes`) that counts as hot: 1, hot at 90 %
confidence or more after the false-discovery-rate correction, i.e. every cell the map paints
as a hot spot. Patrol localities, CCTV coverage and tasking and VAWG feedback gaps all start
from these cells; pass 2 or 3 to keep only the 95 % / 99 % ones."""

DBSCAN_MAX_EPS_M = 100.0
"""Cap on the automatic DBSCAN eps (metres). The eps is the knee of the k-distance curve; on
police.uk data, snapped to shared map points, the knee often falls where a town centre chains
into one cluster holding most incidents. Measured on the 10 Hertfordshire districts (police.uk
2021-01..2022-01): with a 150 m cap and min_samples at 0.1 % of the incidents, 92 % of
Dacorum's incidents fell in clusters and one Stevenage cluster held 22 % of the district's
incidents over 9 % of its area; at 100 m and 0.3 % the clustered share is 37 % (Dacorum) and no
district's largest cluster holds more than 16 % of its incidents or covers more than 2 % of
its area: places, not districts."""

DBSCAN_MIN_SAMPLES_SHARE = 0.003
"""Automatic DBSCAN ``min_samples``: this share of the mapped incidents (0.3 %) …"""

DBSCAN_MIN_SAMPLES_FLOOR = 10
"""… and at least this many: a handful of clusters a meeting can read, whatever the area's
size."""

HDBSCAN_MIN_CLUSTER_SIZE = 20
"""HDBSCAN's smallest cluster (incidents)."""

DEFAULT_COVERAGE: tuple[float, ...] = (0.01, 0.03, 0.05, 0.10)
"""Shares of the study area (0..1) at which hit rate and PAI are reported: the top 1 %, 3 %,
5 % and 10 % of cells. 1–5 % is the range a patrol plan or CCTV tasking can cover; 10 %
shows how quickly the gain flattens."""


def dbscan_min_samples(n_mapped: int) -> int:
    """The automatic DBSCAN ``min_samples`` for ``n_mapped`` incidents.

    Examples
    --------
    >>> dbscan_min_samples(3_000), dbscan_min_samples(48_000)
    (10, 144)
    """
    return max(DBSCAN_MIN_SAMPLES_FLOOR, round(n_mapped * DBSCAN_MIN_SAMPLES_SHARE))


def dbscan_eps_m(knee_m: float, *, max_eps_m: float = DBSCAN_MAX_EPS_M) -> float:
    """The automatic DBSCAN eps (metres): the k-distance knee ``knee_m``, at most ``max_eps_m``."""
    return min(float(knee_m), float(max_eps_m))


WORKSPACE_ENV = "HOTSPOTS_WORKSPACE"
"""Environment variable naming the workspace the dashboard opens (its data, settings and
store: :mod:`hotspots.data.workspace`, :func:`hotspots.store.db.default_db_path`)."""
