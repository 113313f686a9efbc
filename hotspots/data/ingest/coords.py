"""Coordinates: parse, decide the CRS from the values, fix swapped lat/lon, reproject.

All functions work on whole columns at once (numpy, one pyproj ``Transformer`` call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS

from hotspots.core.crs import (
    BNG,
    BNG_EXTENT,
    WGS84,
    detect_crs,
    in_bng_extent,
    outside_degrees,
    swapped_lonlat,
    transform,
    transform_later,
)

# Old names, re-exported: the rules live in hotspots.core.crs.
from hotspots.core.crs import GB_BOUNDS as GB_BOUNDS
from hotspots.core.crs import in_gb as in_gb
from hotspots.core.crs import looks_like_bng as looks_like_bng
from hotspots.core.crs import looks_like_degrees as looks_like_degrees
from hotspots.data import schema
from hotspots.data.ingest.errors import IngestError

BNG_RANGE = BNG_EXTENT
"""Old name of :data:`hotspots.core.crs.BNG_EXTENT`."""

CoordKind = Literal["lonlat", "en", "xy"]
"""Which columns a source gives: lon/lat, easting/northing, or generic x/y."""


@dataclass(frozen=True)
class Located:
    """Coordinates of every row, with what went wrong where.

    Attributes
    ----------
    lon, lat
        WGS84 degrees; NaN where ``reason`` is set.
    x, y
        The source coordinates (after any swap fix), in ``crs``.
    crs
        The source CRS (``"EPSG:nnnn"``).
    how
        How the CRS was decided, for the report.
    reason, detail
        Quarantine reason code (``""`` when fine) and human text, per row.
    swapped
        Rows whose latitude and longitude were swapped back.
    """

    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    crs: str
    how: str
    reason: np.ndarray
    detail: np.ndarray
    swapped: int


@dataclass(frozen=True)
class ParsedCoordinates:
    """Two coordinate columns read as numbers, what can be worked out row by row before their
    CRS is decided: the values, and which rows are blank or not numbers
    (:func:`locate_parsed` then decides the CRS, swaps back swapped lat/lon and flags
    out-of-range rows, which look at every row at once: a table read in parts is parsed part
    by part, then located whole).

    Attributes
    ----------
    x, y
        The values (NaN where blank or not a number).
    reason, detail
        Quarantine reason code (``""`` when fine) and human text, per row.
    fine
        Rows with two numbers.
    """

    x: np.ndarray
    y: np.ndarray
    reason: np.ndarray
    detail: np.ndarray
    fine: np.ndarray


def concat_parsed(parts: Sequence[ParsedCoordinates]) -> ParsedCoordinates:
    """Several parts' :class:`ParsedCoordinates` as one, their rows in turn."""

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return ParsedCoordinates(
        joined("x"), joined("y"), joined("reason"), joined("detail"), joined("fine")
    )


class Reprojection:
    """Points reprojected on a projection thread, for a caller with other work meanwhile.

    :func:`hotspots.core.crs.transform_later` (PROJ, which releases the GIL, so the other
    core does it) starts at once; :meth:`result` waits for it and gives its values unchanged.

    Parameters
    ----------
    source, crs
        From and to (``"EPSG:nnnn"``).
    x, y
        The points, in ``source``.
    rows
        A boolean mask: the rows of a longer table that ``x`` and ``y`` hold (``None``: all).

    Examples
    --------
    >>> started = Reprojection("EPSG:4326", "EPSG:27700", np.array([-0.45]), np.array([51.75]))
    >>> [round(float(v[0])) for v in started.of(np.array([True]))]
    [507097, 206837]
    """

    def __init__(
        self,
        source: str,
        crs: str,
        x: np.ndarray,
        y: np.ndarray,
        *,
        rows: np.ndarray | None = None,
    ) -> None:
        self.crs = crs
        self.rows = rows
        self._future = transform_later(source, crs, x, y)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The points reprojected (waits for them; a failure is raised here)."""
        return self._future.result()

    def of(self, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The reprojected points of the ``kept`` rows (a boolean mask over the table; each
        kept row must be among ``rows``)."""
        x, y = self.result()
        within = kept if self.rows is None else kept[self.rows]
        if within.all():
            return x, y
        return x[within], y[within]


def parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats and a blank mask; non-numbers become NaN (blank ones are also ``blank``)."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(float, na_value=np.nan)
        return numbers, np.isnan(numbers)
    if schema.is_arrow_text(values):
        parsed = _parse_arrow_numbers(pa.array(values.array))
        if parsed is not None:
            return parsed
    text = values.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(bool)
    strings = pa.array(text.where(~blank), type=pa.large_string(), from_pandas=True)
    try:
        numbers = pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:  # some value is not a number: parse value by value, NaN for those
        numbers = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(
            float, na_value=np.nan
        )
    return np.asarray(numbers, dtype=float), blank


def _parse_arrow_numbers(
    strings: pa.Array | pa.ChunkedArray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`parse_numbers` of Arrow text by pyarrow alone (trim, blanks to null, cast);
    ``None`` when some value is not a number (the caller parses value by value)."""
    trimmed = pc.utf8_trim_whitespace(strings)
    blank = pc.fill_null(pc.equal(pc.binary_length(trimmed), 0), True)
    try:
        numbers = pc.cast(pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed), pa.float64())
    except pa.ArrowInvalid:
        return None
    return (
        np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float),
        np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool),
    )


def locate(
    first: pd.Series,
    second: pd.Series,
    *,
    kind: CoordKind,
    crs: str | None = None,
    names: tuple[str, str] = ("x", "y"),
    source: str = "",
) -> Located:
    """Parse two coordinate columns, decide their CRS and convert them to lon/lat.

    Parameters
    ----------
    first, second
        Text (or numeric) columns: longitude and latitude (``kind="lonlat"``), easting and northing
        (``"en"``) or x and y (``"xy"``, CRS decided from the values).
    kind
        Which pair the columns are.
    crs
        The declared CRS (anything pyproj accepts); ``None`` decides from the values:
        lon/lat within ±180/±90 or British National Grid metres.
    names
        The source column names, for messages.
    source
        The file, for messages.

    Returns
    -------
    Located
        Rows with blank coordinates get reason ``no_location``; non-numbers, values outside
        the CRS's valid range and the 0,0 placeholder get ``invalid_coordinates``. Swapped
        lat/lon (a "latitude" of -0.45 next to a "longitude" of 51.75 in Great Britain, or a
        latitude beyond ±90 whose longitude would be a valid latitude) is swapped back.

    Examples
    --------
    >>> loc = locate(pd.Series(["-0.45"]), pd.Series(["51.75"]), kind="lonlat")
    >>> loc.crs, round(float(loc.lat[0]), 2)
    ('EPSG:4326', 51.75)
    """
    parsed = parse_coordinates(first, second, names=names)
    return locate_parsed(parsed, kind=kind, crs=crs, names=names, source=source)


def parse_coordinates(
    first: pd.Series, second: pd.Series, *, names: tuple[str, str] = ("x", "y")
) -> ParsedCoordinates:
    """The row-by-row half of :func:`locate`: both columns read as numbers, blank rows and
    non-numbers given their reason (``names``: the columns', for messages)."""
    x, x_blank = parse_numbers(first)
    y, y_blank = parse_numbers(second)
    n = x.size
    reason = np.full(n, "", dtype=object)
    detail = np.full(n, "", dtype=object)
    fine = np.ones(n, dtype=bool)  # reason == "" (every reason set here is a word)
    both_blank = x_blank & y_blank
    reason[both_blank] = "no_location"
    detail[both_blank] = f"{names[0]} and {names[1]} are blank"
    fine &= ~both_blank
    for blank, name in ((x_blank, names[0]), (y_blank, names[1])):
        one = blank & ~both_blank & fine
        reason[one] = "invalid_coordinates"
        detail[one] = f"{name} is blank but the other coordinate is not"
        fine &= ~one
    for values, blank, column, name in (
        (x, x_blank, first, names[0]),
        (y, y_blank, second, names[1]),
    ):
        bad = ~blank & ~np.isfinite(values) & fine
        if bad.any():
            quoted = "'" + column[bad].astype("str").str.strip() + "'"
            reason[bad] = "invalid_coordinates"
            detail[bad] = (f"{name} " + quoted + " is not a number").to_numpy(object)
            fine &= ~bad
    return ParsedCoordinates(x, y, reason, detail, fine)


def locate_parsed(
    parsed: ParsedCoordinates,
    *,
    kind: CoordKind,
    crs: str | None = None,
    names: tuple[str, str] = ("x", "y"),
    source: str = "",
) -> Located:
    """The rest of :func:`locate`, on every row at once (the CRS is decided, and swapped
    lat/lon recognised, from all of them): the same arguments."""
    x, y, fine = parsed.x, parsed.y, parsed.fine.copy()
    reason, detail = parsed.reason.copy(), parsed.detail.copy()
    n = x.size
    usable = fine.copy()
    src, how = _decide_crs(x[usable], y[usable], kind=kind, crs=crs, names=names, source=source)
    swapped = np.zeros(n, dtype=bool)
    if src == WGS84 or CRS.from_user_input(src).is_geographic:
        x, y, swapped = _fix_swapped(x, y, usable)
    _flag_range(x, y, src, reason, detail, fine)
    ok = fine
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if src == WGS84:
        lon[ok], lat[ok] = x[ok], y[ok]
    else:
        lon[ok], lat[ok] = transform(src, WGS84, x[ok], y[ok])
        outside = ok & ~(np.isfinite(lon) & np.isfinite(lat))
        reason[outside] = "invalid_coordinates"
        detail[outside] = f"cannot be transformed from {src} to lon/lat"
    return Located(lon, lat, x, y, src, how, reason, detail, int(swapped.sum()))


def _decide_crs(
    x: np.ndarray,
    y: np.ndarray,
    *,
    kind: CoordKind,
    crs: str | None,
    names: tuple[str, str],
    source: str,
) -> tuple[str, str]:
    if crs is not None:
        try:
            parsed = CRS.from_user_input(crs)
        except Exception as exc:  # pyproj raises CRSError with a terse message
            raise IngestError(
                f"{source}: crs={crs!r} is not a CRS pyproj knows ({exc}); pass e.g. "
                "'EPSG:27700' (British National Grid) or 'EPSG:4326' (lon/lat)"
            ) from exc
        code = parsed.to_epsg()
        return (f"EPSG:{code}" if code else parsed.to_string()), f"declared {crs}"
    if x.size == 0:
        return (BNG if kind == "en" else WGS84), "no usable coordinates to decide from"
    detected = detect_crs(x, y)
    if detected == WGS84:
        note = {"lonlat": "lat/lon columns", "en": "lat/lon by value range (in easting/northing "
                "columns)", "xy": "lat/lon by value range"}[kind]  # fmt: skip
        return WGS84, note
    if detected == BNG:
        note = {"lonlat": "British National Grid by value range (in lat/lon columns)",
                "en": "British National Grid (easting/northing columns)",
                "xy": "British National Grid by value range"}[kind]  # fmt: skip
        return BNG, note
    raise IngestError(
        f"{source}: cannot tell the CRS of columns {names[0]!r}/{names[1]!r} from their values "
        f"(medians {np.nanmedian(x):.6g}, {np.nanmedian(y):.6g}): they are neither lon/lat "
        "degrees nor British National Grid metres; give the CRS the data was exported in "
        "(--crs EPSG:… on the command line; in Python, pass crs='EPSG:…'), e.g. EPSG:3857 for "
        "web-map metres"
    )


def _fix_swapped(
    lon: np.ndarray, lat: np.ndarray, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Swap back rows whose lat/lon are exchanged; return the new arrays and the mask."""
    swapped = swapped_lonlat(lon, lat, usable)
    return np.where(swapped, lat, lon), np.where(swapped, lon, lat), swapped


def _flag_range(
    x: np.ndarray,
    y: np.ndarray,
    crs: str,
    reason: np.ndarray,
    detail: np.ndarray,
    fine: np.ndarray,
) -> None:
    """Mark rows outside the CRS's valid range, and the 0,0 placeholder, among the ``fine``
    rows (updated)."""
    todo = fine.copy()
    zero = todo & (x == 0) & (y == 0)
    reason[zero] = "invalid_coordinates"
    detail[zero] = "0,0 is a placeholder for a missing location, not a place"
    todo &= ~zero
    if crs == WGS84:
        bad = todo & outside_degrees(x, y)
        why = "longitude beyond ±180 or latitude beyond ±90"
    elif crs == BNG:
        bad = todo & ~in_bng_extent(x, y)
        why = "outside the British National Grid (0–700,000 E, 0–1,300,000 N)"
    else:
        bad = todo & _outside_area_of_use(x, y, crs)
        why = f"outside the area where {crs} is valid"
    reason[bad] = "invalid_coordinates"
    detail[bad] = why
    fine &= ~(zero | bad)


def _outside_area_of_use(x: np.ndarray, y: np.ndarray, crs: str) -> np.ndarray:
    area = CRS.from_user_input(crs).area_of_use
    if area is None:
        return np.zeros(x.size, dtype=bool)
    finite = np.isfinite(x) & np.isfinite(y)
    lon = np.full(x.size, np.nan)
    lat = np.full(x.size, np.nan)
    lon[finite], lat[finite] = transform(crs, WGS84, x[finite], y[finite])
    margin = 1.0  # degrees: areas of use are drawn tight around the territory
    return finite & ~(
        (lon >= area.west - margin)
        & (lon <= area.east + margin)
        & (lat >= area.south - margin)
        & (lat <= area.north + margin)
    )
