"""Which source column holds which incident field: :class:`ColumnMap`, checked and guessed."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotspots.data.ingest.coords import CoordKind
from hotspots.data.ingest.errors import IngestError

_PAIRS: dict[CoordKind, tuple[str, str]] = {
    "lonlat": ("lon", "lat"),
    "en": ("easting", "northing"),
    "xy": ("x", "y"),
}
_GUESSES: dict[str, tuple[str, ...]] = {
    "incident_id": ("incident_id", "incident_number", "incident_no", "id", "uid", "crime_id",
                    "crime_reference", "reference", "ref", "case_number", "log_number",
                    "cad_number"),
    "datetime": ("datetime", "date_time", "datetime_local", "when", "occurred", "occurred_at",
                 "date_single", "timestamp", "reported_datetime", "start_datetime"),
    "date": ("date", "incident_date", "occurred_date", "date_occurred", "report_date"),
    "time": ("time", "incident_time", "occurred_time", "time_occurred", "report_time"),
    "datetime_to": ("datetime_to", "date_end", "end_datetime", "occurred_to", "to_datetime"),
    "date_to": ("date_to", "end_date"),
    "time_to": ("time_to", "end_time"),
    "lat": ("latitude", "lat", "y_lat"),
    "lon": ("longitude", "lon", "lng", "long", "x_lon"),
    "easting": ("easting", "eastings", "x_coordinate", "grid_easting", "os_easting"),
    "northing": ("northing", "northings", "y_coordinate", "grid_northing", "os_northing"),
    "x": ("x",),
    "y": ("y",),
    "crime_type": ("crime_type", "offence", "offense", "offence_type", "incident_type",
                   "asb_type", "type", "category"),
    "location": ("location", "address", "street", "location_description"),
    "lsoa_code": ("lsoa_code", "lsoa11cd", "lsoa"),
}  # fmt: skip


@dataclass(frozen=True)
class ColumnMap:
    """Names of the source columns that hold each incident field (``None`` = not given).

    A location pair is required: ``lat`` + ``lon``, ``easting`` + ``northing`` (British
    National Grid unless ``crs=`` says otherwise) or ``x`` + ``y`` (CRS decided from the
    values). Times: ``datetime`` (one column) or ``date`` + optional ``time``; a window end
    likewise (``datetime_to`` or ``date_to`` + ``time_to``). With both ``datetime`` and
    ``date`` set, ``datetime`` is when it happened (e.g. a "committed from" column) and
    ``date`` + ``time`` (e.g. when it was reported) stand in on rows where it is blank.
    ``incident_id`` is generated when not given.

    Examples
    --------
    >>> ColumnMap(datetime="datetime_local", crime_type="offense", lat="lat", lon="lon").kind
    'lonlat'
    """

    incident_id: str | None = None
    datetime: str | None = None
    date: str | None = None
    time: str | None = None
    datetime_to: str | None = None
    date_to: str | None = None
    time_to: str | None = None
    lat: str | None = None
    lon: str | None = None
    easting: str | None = None
    northing: str | None = None
    x: str | None = None
    y: str | None = None
    crime_type: str | None = None
    location: str | None = None
    lsoa_code: str | None = None

    @property
    def kind(self) -> CoordKind | None:
        """Which location pair is set (``None`` when none is complete)."""
        for kind, (a, b) in _PAIRS.items():
            if getattr(self, a) and getattr(self, b):
                return kind
        return None

    @property
    def pair(self) -> tuple[str, str]:
        """The source columns of the location pair (x-like first)."""
        if self.kind is None:
            raise ValueError("no location pair set")
        a, b = _PAIRS[self.kind]
        return getattr(self, a), getattr(self, b)

    def used(self) -> dict[str, str]:
        """Field → source column, for the fields that are set."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v}

    @classmethod
    def guess(cls, columns: Sequence[str]) -> ColumnMap:
        """Guess a map from common column names (case, spaces and punctuation ignored).

        Examples
        --------
        >>> ColumnMap.guess(["Incident Date", "Latitude", "Longitude", "Type"]).used()
        {'date': 'Incident Date', 'lat': 'Latitude', 'lon': 'Longitude', 'crime_type': 'Type'}
        """
        by_key = {_key(c): c for c in reversed(columns)}
        found: dict[str, str] = {}
        taken: set[str] = set()
        for field, names in _GUESSES.items():
            for name in names:
                column = by_key.get(name)
                if column is not None and column not in taken:
                    found[field] = column
                    taken.add(column)
                    break
        if "datetime" in found:
            found.pop("date", None)
            found.pop("time", None)
        return cls(**found)


def as_column_map(columns: ColumnMap | Mapping[str, str] | None) -> ColumnMap | None:
    """Accept a ColumnMap or a ``{field: column}`` mapping; name unknown fields."""
    if columns is None or isinstance(columns, ColumnMap):
        return columns
    fields = {f.name for f in dataclasses.fields(ColumnMap)}
    unknown = sorted(set(columns) - fields)
    if unknown:
        raise IngestError(
            f"column map: unknown field(s) {unknown}; the fields are {sorted(fields)} "
            "(each maps to a column name in your file)"
        )
    return ColumnMap(**{k: (str(v) if v else None) for k, v in columns.items()})


def check_columns(
    cmap: ColumnMap, found: Sequence[str], *, source: str, need_location: bool = True
) -> None:
    """Raise :class:`IngestError` naming what is missing from the map or the file."""
    if need_location and cmap.kind is None:
        raise IngestError(
            f"{source}: no coordinate columns: the file has columns {list(found)}; set a "
            "location pair in the ColumnMap: lat + lon, easting + northing, or x + y "
            "(e.g. columns={'lat': 'Latitude', 'lon': 'Longitude'})"
        )
    missing = {k: v for k, v in cmap.used().items() if v not in found}
    if missing:
        raise IngestError(
            f"{source}: column(s) named in the ColumnMap are not in the file: "
            + ", ".join(f"{k}={v!r}" for k, v in missing.items())
            + f"; the file has columns {list(found)}"
        )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def csv_header(path: str | Path) -> list[str]:
    """Column names of a CSV, for a column-map form (UTF-8 with or without BOM, else Latin-1);
    ``[]`` for an empty or unreadable file.

    Examples
    --------
    >>> ColumnMap.guess(csv_header("asb_log.csv"))  # doctest: +SKIP
    """
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return list(pd.read_csv(path, nrows=0, encoding=encoding).columns)
        except UnicodeDecodeError:
            continue
        except (pd.errors.EmptyDataError, pd.errors.ParserError):
            return []
    return []
