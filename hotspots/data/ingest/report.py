"""What a load returns: the incidents, the quarantined rows and a :class:`LoadReport`."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd

from hotspots.core import disclosure

QUARANTINE_REASONS: Mapping[str, str] = {
    "undecodable_text": "a NUL, control character or byte that is not text in the file's "
    "encoding (a damaged or binary cell; the byte, line and column are in the detail)",
    "malformed_row": "wrong number of fields (a truncated final row, a stray delimiter), or a "
    "line with a quote left open (set aside alone: reading resumes at the next line)",
    "no_location": "coordinates (or geometry) blank",
    "invalid_coordinates": "coordinates not numbers, outside the valid range of their CRS, "
    "or the 0,0 placeholder",
    "not_a_point": "a vector feature that is not a point (incidents are points)",
    "unparseable_date": "date, time or month blank or not a date (in the date order read)",
    "implausible_date": "a date after today, or before 1990 (a placeholder such as 01/01/1900, "
    "or a typing error): it would become the latest or the first month of the data",
    "end_before_start": "the end of the time window is earlier than its start",
    "outside_study_area": "the point lies outside the study area",
    "duplicate_id": "the same incident id was already loaded for the same month (police.uk: "
    "with the same crime type and place too; same id with another type or place is kept)",
}
"""Quarantine reason codes and what each means. A row gets the first reason that applies,
checked in this order (so a duplicate is only a duplicate of a row that was kept)."""

WITHHELD_TYPES = (
    f"types from exact locations seen fewer than {disclosure.MIN_COUNT} times each (names withheld)"
)
"""How the report lists the unmapped crime types whose names it does not show."""

QUARANTINE_COLUMNS: list[str] = ["file", "line", "reason", "detail"]
"""Leading columns of every quarantine frame; the row's original values (as text) follow."""


def empty_quarantine() -> pd.DataFrame:
    """A quarantine frame with no rows."""
    return pd.DataFrame(
        {
            "file": pd.Series(dtype="str"),
            "line": pd.Series(dtype="int64"),
            "reason": pd.Series(dtype="str"),
            "detail": pd.Series(dtype="str"),
        }
    )


@dataclass
class LoadReport:
    """What a load did, for the analyst and for the audit trail.

    Invariant: ``rows_read == rows_kept + sum(quarantined.values())``.

    Attributes
    ----------
    files_read
        Files (``archive.zip!member`` for zip members) whose rows were read.
    files_skipped
        File → why it was not read (e.g. a police.uk outcomes file).
    rows_read, rows_kept
        Data rows found (header and blank lines excluded) and rows returned as incidents.
    quarantined
        Reason code → number of rows quarantined (see ``QUARANTINE_REASONS``).
    encodings
        File → text encoding decided (``utf-8``, ``utf-8-sig (Excel CSV UTF-8)``, ``cp1252``,
        ``latin-1``, ``utf-16``). The evidence (byte-order mark, UTF-8 validity, cp1252 vs
        Latin-1 bytes, stray bytes set aside) is in ``notes`` for every file that is not
        plain UTF-8 or had bytes set aside.
    crs
        File → source CRS and how it was decided, e.g.
        ``"EPSG:27700 (British National Grid by value range)"``.
    swapped_lat_lon
        Rows whose latitude and longitude were swapped; they were swapped back and kept.
    unmapped_crime_types
        Crime type (as given) → rows; these fall into category ``"Other"``.
    unmapped_withheld
        Rows of unmapped crime types treated as sensitive (unknown types from exact-location
        sources, names that look sensitive): category ``"Other"`` too, but their names are not
        listed (free text may hold an address) and the count is shown as
        :func:`~hotspots.core.disclosure.suppress_small` shows it (``"<5"``).
    months
        ``"YYYY-MM"`` months covered by the kept rows, sorted.
    time_precision
        ``"month"``/``"day"``/``"hour"``/``"minute"`` → kept rows.
    working_crs
        The metric CRS of the incidents' ``x``/``y`` (``attrs["working_crs"]``).
    study_area
        What the rows were clipped to, or ``None``.
    parameters
        Everything chosen automatically (delimiter, date format, guessed columns, ...).
    notes
        Anything else worth knowing (blank lines skipped, ...).

    Examples
    --------
    >>> report = LoadReport(rows_read=3, rows_kept=2, quarantined={"no_location": 1})
    >>> report.to_dict()["rows_kept"]
    2
    """

    files_read: list[str] = field(default_factory=list)
    files_skipped: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    crs: dict[str, str] = field(default_factory=dict)
    swapped_lat_lon: int = 0
    unmapped_crime_types: dict[str, int] = field(default_factory=dict)
    unmapped_withheld: int = 0
    months: list[str] = field(default_factory=list)
    time_precision: dict[str, int] = field(default_factory=dict)
    working_crs: str | None = None
    study_area: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        """Total quarantined rows."""
        return sum(self.quarantined.values())

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready Python objects."""
        out = dataclasses.asdict(self)
        out["rows_quarantined"] = self.rows_quarantined
        out["unmapped_withheld"] = self._withheld_shown()
        return out

    def _withheld_shown(self) -> str:
        """:attr:`unmapped_withheld` as it may be shown: ``"<5"`` for a few rows."""
        return str(disclosure.suppress_small(pd.Series([self.unmapped_withheld])).iloc[0])

    def summary(self) -> str:
        """A readable table of the report."""
        rows: list[tuple[str, str]] = [
            ("files read", _files_text(self.files_read)),
            ("files skipped", str(len(self.files_skipped))),
        ]
        rows += [(f"  {name}", why) for name, why in self.files_skipped.items()]
        rows += [
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows quarantined", f"{self.rows_quarantined:,}"),
        ]
        rows += [
            (f"  {reason}", f"{count:,}  ({QUARANTINE_REASONS.get(reason, '')})")
            for reason, count in sorted(self.quarantined.items(), key=lambda kv: -kv[1])
        ]
        rows += [
            ("source CRS", _grouped(self.crs)),
            ("working CRS", str(self.working_crs)),
            ("swapped lat/lon", f"{self.swapped_lat_lon:,} rows (swapped back and kept)"),
            ("encoding", _grouped(self.encodings)),
            ("months", _months_text(self.months)),
            (
                "time precision",
                ", ".join(f"{k} {v:,}" for k, v in self.time_precision.items()) or "-",
            ),
            ("unmapped crime types", self._unmapped_text()),
            ("study area", self.study_area or "none (no clipping)"),
        ]
        rows += [("chosen", f"{k}: {v}") for k, v in self.parameters.items()]
        rows += [("note", note) for note in self.notes]
        width = max(len(label) for label, _ in rows)
        return "Load report\n" + "\n".join(f"  {label:<{width}}  {text}" for label, text in rows)

    def __str__(self) -> str:
        return self.summary()

    def _unmapped_text(self) -> str:
        shown = [f"{k!r} {v:,}" for k, v in self.unmapped_crime_types.items()]
        if self.unmapped_withheld:
            shown.append(f"{WITHHELD_TYPES} {self._withheld_shown()}")
        return ", ".join(shown) or "none"


def _files_text(files: list[str]) -> str:
    if len(files) <= 3:
        return f"{len(files)}  " + ", ".join(files)
    return f"{len(files)}  {files[0]} … {files[-1]}"


def _grouped(per_file: dict[str, str]) -> str:
    counts = Counter(per_file.values())
    return "; ".join(f"{value} ({n} file{'s' * (n != 1)})" for value, n in counts.items()) or "-"


def _months_text(months: list[str]) -> str:
    if not months:
        return "-"
    return f"{months[0]} … {months[-1]} ({len(months)} month{'s' * (len(months) != 1)})"


class LoadResult(NamedTuple):
    """The three things every reader returns.

    Attributes
    ----------
    incidents
        Canonical incidents (``hotspots.data.schema.COLUMNS``, EPSG:4326,
        ``attrs["working_crs"]`` set, ``x``/``y`` in metres in that CRS).
    quarantine
        Rows set aside: ``file``, ``line`` (1-based physical line, header = line 1; the
        feature number for vector files), ``reason`` (a ``QUARANTINE_REASONS`` code),
        ``detail``, then the row's original values as text.
    report
        The :class:`LoadReport`.
    """

    incidents: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    report: LoadReport


def merge_reports(reports: Iterable[LoadReport]) -> LoadReport:
    """Combine the reports of several loads (counts add up, per-file entries are united)."""
    out = LoadReport()
    quarantined: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    precision: Counter[str] = Counter()
    months: set[str] = set()
    areas: list[str] = []
    for rep in reports:
        out.files_read += rep.files_read
        out.files_skipped.update(rep.files_skipped)
        out.rows_read += rep.rows_read
        out.rows_kept += rep.rows_kept
        quarantined.update(rep.quarantined)
        out.encodings.update(rep.encodings)
        out.crs.update(rep.crs)
        out.swapped_lat_lon += rep.swapped_lat_lon
        unmapped.update(rep.unmapped_crime_types)
        out.unmapped_withheld += rep.unmapped_withheld
        months.update(rep.months)
        precision.update(rep.time_precision)
        if rep.study_area and rep.study_area not in areas:
            areas.append(rep.study_area)
        out.parameters.update(rep.parameters)
        out.notes += rep.notes
    out.quarantined = dict(quarantined)
    out.unmapped_crime_types = dict(unmapped)
    out.time_precision = dict(precision)
    out.months = sorted(months)
    out.study_area = "; ".join(areas) or None
    return out


def quarantine_by_reason(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside per reason code: ``reason`` and ``rows``, in the order of the codes.

    Examples
    --------
    >>> quarantine_by_reason(result.quarantine)  # doctest: +SKIP
    """
    return quarantine.groupby("reason").size().rename("rows").reset_index()
