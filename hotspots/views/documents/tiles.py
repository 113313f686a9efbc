"""Street basemap tiles for the static maps: fetched from an XYZ server through a disk cache.

The server is the one the web maps use (:func:`hotspots.views.maps.basemap_source`:
OpenStreetMap, or ``HOTSPOTS_TILES``, e.g. a council's own). Every tile goes through a local
cache (:class:`TileCache`), keyed by the server's URL template and the tile's z/x/y, so a
meeting pack drawn twice fetches nothing the second time and a map drawn once with internet
prints again without it. Requests are short (:data:`TIMEOUT_S` each, :data:`BUDGET_S` in all)
and stop at the first unreachable server, so a council network without internet costs a
moment, not minutes.

The tiles are Web Mercator (EPSG:3857); :func:`basemap_image` warps them onto the map's own
metric CRS (EPSG:27700 in Great Britain), so the scale bar stays true.

Examples
--------
>>> cache = TileCache(Path("/tmp/tiles"))  # doctest: +SKIP
>>> image, report = basemap_image((525_000, 180_000, 530_000, 184_000), "EPSG:27700",
...                               (1000, 800), template=OSM_TILES, cache=cache)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hotspots.core.crs import to_lonlat

TILE_CACHE_ENV = "HOTSPOTS_TILE_CACHE"
"""Environment variable: the folder of the tile cache (default: the user's cache folder)."""

TILE_PX = 256
"""Side of an XYZ tile, pixels."""

TIMEOUT_S = 3.0
"""Seconds to wait for one tile (connection and reading)."""

BUDGET_S = 12.0
"""Seconds spent fetching the tiles of one map, at most; tiles not in by then are left out."""

MAX_TILES = 120
"""Most tiles one map asks for (the zoom level is lowered until it fits)."""

MAX_ZOOM = 19
"""Deepest zoom level of the usual XYZ servers (OpenStreetMap serves 0–19)."""

MAX_CACHE_BYTES = 256 * 2**20
"""Default bound of the cache's size on disk (256 MiB); the least recently used go first."""

USER_AGENT = "hotspots/0.2 (community safety partnership maps; static map export)"
"""Sent with every request (OpenStreetMap's tile policy asks for a clear one)."""

_WORKERS = 4
_EARTH_M = 2 * np.pi * 6_378_137.0  # Web Mercator's equator, metres


def cache_folder() -> Path:
    """``$HOTSPOTS_TILE_CACHE``, else ``$XDG_CACHE_HOME/hotspots/tiles`` (``~/.cache/…``)."""
    env = os.environ.get(TILE_CACHE_ENV, "").strip()
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "hotspots" / "tiles"


@dataclass
class TileCache:
    """Tiles on disk, one file per server and z/x/y, written atomically, bounded in size.

    Parameters
    ----------
    folder
        Where the tiles are kept (created when needed).
    max_bytes
        Bound of the files' total size; after writing, the least recently used tiles are
        deleted until the cache holds at most 90 % of it.
    """

    folder: Path = field(default_factory=cache_folder)
    max_bytes: int = MAX_CACHE_BYTES

    def path(self, template: str, z: int, x: int, y: int) -> Path:
        """The file of one tile: a folder per server (hash of its URL template), then z/x/y."""
        server = hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]
        return self.folder / server / str(z) / str(x) / f"{y}.tile"

    def get(self, template: str, z: int, x: int, y: int) -> bytes | None:
        """The cached tile's bytes (marking it recently used), or ``None``."""
        path = self.path(template, z, x, y)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return data

    def put(self, template: str, z: int, x: int, y: int, data: bytes) -> None:
        """Write a tile atomically (a temporary file renamed in place: no half tile is read)."""
        path = self.path(template, z, x, y)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def size_bytes(self) -> int:
        """Total size of the cached tiles, bytes."""
        return sum(p.stat().st_size for p in self.folder.rglob("*.tile"))

    def prune(self) -> int:
        """Delete the least recently used tiles while the cache exceeds ``max_bytes``.

        Returns the number of tiles deleted.
        """
        files = []
        for p in self.folder.rglob("*.tile"):
            try:
                stat = p.stat()
            except OSError:
                continue
            files.append((stat.st_mtime, stat.st_size, p))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return 0
        deleted = 0
        for _, size, p in sorted(files, key=lambda f: f[0]):
            if total <= 0.9 * self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
            deleted += 1
        return deleted


@dataclass
class TileReport:
    """What drawing a basemap took: tiles needed, found in the cache, fetched, missing."""

    zoom: int
    needed: int
    cached: int = 0
    fetched: int = 0
    requests: int = 0
    missing: int = 0
    error: str | None = None

    @property
    def drawn(self) -> int:
        """Tiles drawn (from the cache or the server)."""
        return self.cached + self.fetched


def zoom_for(bounds: tuple[float, float, float, float], crs: str, width_px: int) -> int:
    """The zoom level whose tiles have about the map's own ground resolution.

    Parameters
    ----------
    bounds
        (west, south, east, north) of the map, metres of ``crs``.
    crs
        The map's projected CRS.
    width_px
        Width of the map on the page, pixels.

    Examples
    --------
    >>> zoom_for((500_000.0, 200_000.0, 502_000.0, 201_500.0), "EPSG:27700", 1000)
    16
    """
    west, south, east, north = bounds
    metres_per_px = max(east - west, 1.0) / max(width_px, 1)
    _, lat = to_lonlat([(west + east) / 2], [(south + north) / 2], crs)
    tile_m_per_px = _EARTH_M * np.cos(np.radians(lat[0])) / TILE_PX  # at zoom 0
    return int(np.clip(np.round(np.log2(tile_m_per_px / metres_per_px)), 0, MAX_ZOOM))


def _tile_xy(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional XYZ tile coordinates of lon/lat (degrees) at zoom ``z``."""
    n = 2.0**z
    lat_r = np.radians(np.clip(lat, -85.05112878, 85.05112878))
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - np.arcsinh(np.tan(lat_r)) / np.pi) / 2.0 * n
    return x, y


def _grid_lonlat(
    bounds: tuple[float, float, float, float], crs: str, size_px: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of every pixel centre of the map (rows top to bottom), transformed on a coarse
    grid and interpolated (the projection is smooth over a town: well under a pixel)."""
    west, south, east, north = bounds
    width, height = size_px
    step = 16
    cols = np.unique(np.r_[np.arange(0, width, step), width - 1]).astype(float)
    rows = np.unique(np.r_[np.arange(0, height, step), height - 1]).astype(float)
    gx = west + (cols + 0.5) / width * (east - west)
    gy = north - (rows + 0.5) / height * (north - south)
    mx, my = np.meshgrid(gx, gy)
    lon, lat = to_lonlat(mx.ravel(), my.ravel(), crs)
    lon, lat = lon.reshape(mx.shape), lat.reshape(mx.shape)
    ci, cw = _linear(cols, width)
    ri, rw = _linear(rows, height)

    def fill(coarse: np.ndarray) -> np.ndarray:
        coarse = np.pad(coarse, ((0, 1), (0, 1)), mode="edge")  # a one-knot axis interpolates
        across = coarse[:, ci] * (1 - cw) + coarse[:, ci + 1] * cw
        return across[ri] * (1 - rw)[:, None] + across[ri + 1] * rw[:, None]

    return fill(lon), fill(lat)


def _linear(knots: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For pixels 0..n-1: the knot at or left of each and the weight of the next knot."""
    at = np.arange(n, dtype=float)
    left = np.clip(np.searchsorted(knots, at, side="right") - 1, 0, max(len(knots) - 2, 0))
    if len(knots) < 2:
        return np.zeros(n, dtype=int), np.zeros(n)
    weight = (at - knots[left]) / (knots[left + 1] - knots[left])
    return left, weight


def basemap_image(
    bounds: tuple[float, float, float, float],
    crs: str,
    size_px: tuple[int, int],
    *,
    template: str,
    cache: TileCache | None = None,
    zoom: int | None = None,
) -> tuple[np.ndarray | None, TileReport]:
    """The street basemap of a map, warped onto its CRS, as an RGBA image.

    Parameters
    ----------
    bounds
        (west, south, east, north) of the map, metres of ``crs``.
    crs
        The map's projected CRS.
    size_px
        (width, height) of the map on the page, pixels: the image's size.
    template
        XYZ URL with ``{z}``, ``{x}`` and ``{y}``.
    cache
        The tile cache (default: :func:`cache_folder`).
    zoom
        Zoom level (default: :func:`zoom_for` the map's resolution, lowered until at most
        :data:`MAX_TILES` tiles are needed).

    Returns
    -------
    (image, report)
        ``(height, width, 4)`` uint8 image (transparent where a tile is missing), or ``None``
        when no tile could be had; and a :class:`TileReport`.
    """
    width, height = (max(int(v), 1) for v in size_px)
    cache = cache or TileCache()
    lon, lat = _grid_lonlat(bounds, crs, (width, height))
    z = zoom_for(bounds, crs, width) if zoom is None else int(zoom)
    while True:
        fx, fy = _tile_xy(lon, lat, z)
        n = 2**z
        x0, x1 = int(np.floor(fx.min())), int(np.floor(fx.max()))
        y0, y1 = int(np.floor(fy.min())), int(np.floor(fy.max()))
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, n - 1), min(y1, n - 1)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES or z == 0:
            break
        z -= 1
    wanted = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    report = TileReport(zoom=z, needed=len(wanted))
    tiles = _get_tiles(template, z, wanted, cache, report)
    if not tiles:
        return None, report
    mosaic = np.zeros(((y1 - y0 + 1) * TILE_PX, (x1 - x0 + 1) * TILE_PX, 4), dtype=np.uint8)
    for (x, y), rgba in tiles.items():
        top, left = (y - y0) * TILE_PX, (x - x0) * TILE_PX
        mosaic[top : top + TILE_PX, left : left + TILE_PX] = rgba
    px = np.clip(((fx - x0) * TILE_PX).astype(int), 0, mosaic.shape[1] - 1)
    py = np.clip(((fy - y0) * TILE_PX).astype(int), 0, mosaic.shape[0] - 1)
    return mosaic[py, px], report


def _get_tiles(
    template: str, z: int, wanted: list[tuple[int, int]], cache: TileCache, report: TileReport
) -> dict[tuple[int, int], np.ndarray]:
    """Decoded tiles, from the cache or the server (which is given up at its first failure)."""
    out: dict[tuple[int, int], np.ndarray] = {}
    to_fetch = []
    for x, y in wanted:
        data = cache.get(template, z, x, y)
        rgba = _decode(data) if data is not None else None
        if rgba is None:
            to_fetch.append((x, y))
        else:
            out[(x, y)] = rgba
            report.cached += 1
    if to_fetch:
        deadline = time.monotonic() + BUDGET_S
        state: dict[str, str | None] = {"error": None}

        def fetch(xy: tuple[int, int]) -> tuple[tuple[int, int], bytes | None, bool]:
            """The tile's bytes (``None`` when not had) and whether it was asked for."""
            if state["error"] is not None or time.monotonic() > deadline:
                return xy, None, False
            try:
                url = template.format(z=z, x=xy[0], y=xy[1], s="a")
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    return xy, response.read(), True
            except urllib.error.HTTPError as err:  # the server answered: only this tile lacks
                state.setdefault("http", f"HTTP {err.code}")
                return xy, None, True
            except (OSError, ValueError, KeyError, IndexError) as err:  # unreachable: stop
                state["error"] = f"{type(err).__name__}: {err}"
                return xy, None, True

        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            results = list(pool.map(fetch, to_fetch))
        report.requests = sum(asked for _, _, asked in results)
        wrote = False
        for (x, y), data, _ in results:
            rgba = _decode(data) if data is not None else None
            if rgba is None:
                continue
            out[(x, y)] = rgba
            report.fetched += 1
            try:
                cache.put(template, z, x, y, data)  # type: ignore[arg-type]
                wrote = True
            except OSError:
                pass  # a read-only cache still draws the map
        if wrote:
            cache.prune()
        report.error = state["error"] or state.get("http")
    report.missing = report.needed - report.drawn
    return out


def _decode(data: bytes) -> np.ndarray | None:
    """A tile's pixels as ``(256, 256, 4)`` uint8, or ``None`` when it is not an image."""
    from PIL import Image, UnidentifiedImageError  # lazy: only static maps with tiles need it

    try:
        with Image.open(io.BytesIO(data)) as image:
            rgba = image.convert("RGBA")
            if rgba.size != (TILE_PX, TILE_PX):
                rgba = rgba.resize((TILE_PX, TILE_PX))
            return np.asarray(rgba, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
