"""The steps every reader shares: mark rows for quarantine, clip, de-duplicate, build the
canonical incidents GeoDataFrame, the quarantine frame and the report."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from shapely.geometry.base import BaseGeometry

from hotspots.core import disclosure
from hotspots.core.points import inside, shared_points
from hotspots.data import schema
from hotspots.data.ingest import coords, ids
from hotspots.data.ingest.report import (
    QUARANTINE_COLUMNS,
    LoadReport,
    LoadResult,
    empty_quarantine,
)
from hotspots.data.schema import COLUMNS, WGS84, WORKING_CRS

_DERIVED = ("category", "sensitive", "vawg")  # from the crime type, via the taxonomy


class Ledger:
    """Per-row quarantine reasons: the first reason flagged for a row is the one it keeps.

    Examples
    --------
    >>> ledger = Ledger(3)
    >>> ledger.flag(np.array([True, False, True]), "no_location", "blank")
    >>> ledger.flag(np.array([True, True, False]), "unparseable_date", "bad")
    >>> ledger.reason.tolist()
    ['no_location', 'unparseable_date', 'no_location']
    """

    def __init__(self, size: int) -> None:
        self.reason = np.full(size, "", dtype=object)
        self.detail = np.full(size, "", dtype=object)
        self._ok = np.ones(size, dtype=bool)  # reason == "", kept as rows are flagged

    @property
    def ok(self) -> np.ndarray:
        """Rows not quarantined so far (a new array)."""
        return self._ok.copy()

    def flag(self, mask: np.ndarray, reason: str, detail: str | np.ndarray) -> None:
        """Quarantine ``mask`` rows not yet quarantined, with ``reason`` and ``detail``."""
        todo = mask & self._ok
        self.reason[todo] = reason
        self.detail[todo] = detail[todo] if isinstance(detail, np.ndarray) else detail
        if reason:
            self._ok &= ~todo

    def take(self, reason: np.ndarray, detail: np.ndarray) -> None:
        """Adopt per-row reasons computed elsewhere (``""`` = fine)."""
        todo = (reason != "") & self._ok
        self.reason[todo] = reason[todo]
        self.detail[todo] = detail[todo]
        self._ok &= ~todo


@dataclass
class Staged:
    """Rows of one or more files on their way to becoming incidents.

    ``raw`` holds the original values (text); every other per-row array has the same
    length. ``fields`` maps canonical columns (``incident_id``, ``crime_type``, ``month``,
    ``occurred_from``, ...) to per-row values; missing ones become empty. ``same_record``
    names more per-row values that must also agree for a repeated id (in the same month) to
    be a repeat of one record (police.uk: crime type and place); rows that share an id but
    differ in them are different records, kept and counted in the report's notes.
    """

    raw: pd.DataFrame
    file: np.ndarray
    line: np.ndarray
    ledger: Ledger
    located: coords.Located
    fields: dict[str, np.ndarray | pd.Series | str | None]
    report: LoadReport
    prequarantined: list[pd.DataFrame] = field(default_factory=list)
    same_record: dict[str, np.ndarray | pd.Series] = field(default_factory=dict)
    id_keys: np.ndarray | None = None
    """:func:`ids.text_keys` of ``fields["incident_id"]`` when the reader worked them out
    (police.uk: each file's on its reading thread); ``None``: worked out when needed."""


def finish(
    staged: Staged,
    *,
    study_area: BaseGeometry | None,
    study_area_label: str | None,
    taxonomy: pd.DataFrame | None,
) -> LoadResult:
    """Clip, de-duplicate, and build the incidents, the quarantine and the report.

    The reprojection to the working CRS starts on a background thread before the
    de-duplication (:class:`~hotspots.data.ingest.coords.Reprojection`), for the rows kept so
    far; :func:`_incidents` takes the kept rows' values from it when the working CRS of the
    rows finally kept is the same (duplicates rarely move the median), else reprojects again.
    """
    ledger, loc = staged.ledger, staged.located
    _flag_implausible_dates(staged)
    if study_area is not None:
        within = ledger.ok & inside(study_area, loc.lon, loc.lat)
        ledger.flag(~within, "outside_study_area", f"outside the study area ({study_area_label})")
        staged.report.study_area = study_area_label
    early = _reproject_early(loc, ledger.ok)
    _flag_duplicates(staged)
    kept = ledger.ok
    incidents = _incidents(staged, kept, taxonomy, early)
    quarantine = _quarantine(staged, ~kept, taxonomy)
    report = staged.report
    report.rows_read = int(kept.size) + sum(len(q) for q in staged.prequarantined)
    report.rows_kept = int(kept.sum())
    report.quarantined = quarantine["reason"].value_counts().to_dict()
    report.swapped_lat_lon += loc.swapped
    report.working_crs = incidents.attrs[WORKING_CRS]
    report.months = sorted(pd.Series(incidents["month"].dropna().unique()).dt.strftime("%Y-%m"))
    report.time_precision = incidents["time_precision"].value_counts().to_dict()
    if report.rows_read != report.rows_kept + report.rows_quarantined:
        raise RuntimeError("ingest lost rows: read != kept + quarantined (a bug; please report)")
    return LoadResult(incidents, quarantine, report)


EARLIEST_MONTH = np.datetime64("1990-01", "M")
"""The first month a record may fall in: earlier dates are placeholders (01/01/1900, Excel's
day 0) or typing errors, not crime a partnership maps."""


def _today() -> dt.date:
    """This machine's date (the day after which a record is in the future)."""
    return dt.date.today()


def _flag_implausible_dates(staged: Staged) -> None:
    """Quarantine ``implausible_date`` the rows dated after :func:`_today` (a month, start or
    end more than a day ahead: time zones) or before
    :data:`EARLIEST_MONTH`: kept, one such row would become the data's latest (or first)
    month, and every default period and gap would follow it."""
    month = staged.fields.get("month")
    if month is None or isinstance(month, str):
        return
    day = np.datetime64(_today(), "D")
    months = np.asarray(month, dtype="datetime64[M]")
    late = months > (day + 1).astype("datetime64[M]")  # a day's slack: time zones
    latest = months
    for name in ("occurred_from", "occurred_to"):
        when = staged.fields.get(name)
        if when is not None and not isinstance(when, str):
            late |= np.asarray(when, dtype="datetime64[D]") > day + 1
            latest = np.fmax(latest, np.asarray(when, dtype="datetime64[M]"))
    early = months < EARLIEST_MONTH
    if not (late.any() or early.any()):
        return
    detail = np.full(months.size, "", dtype=object)
    detail[late] = [f"dated {m}: after today ({day}), in the future" for m in
                    _month_names(latest[late])]  # fmt: skip
    first = _month_names(np.array([EARLIEST_MONTH]))[0]
    detail[early] = [f"dated {m}: before {first}" for m in _month_names(months[early])]
    staged.ledger.flag(late | early, "implausible_date", detail)


def _month_names(months: np.ndarray) -> list[str]:
    """``"Jan 2606"`` for each ``datetime64[M]`` month: any year, even one Python's dates
    cannot hold (year 0)."""
    return [
        f"{calendar.month_abbr[int(text[-2:])]} {text[:-3]}"
        for text in np.datetime_as_string(months, unit="M")
    ]


def _reproject_early(loc: coords.Located, ok: np.ndarray) -> coords.Reprojection | None:
    """Start reprojecting the ``ok`` rows to their working CRS (None: nothing to do)."""
    lon, lat = loc.lon[ok], loc.lat[ok]
    working = schema.working_crs_for(lon, lat)
    if working == loc.crs or lon.size == 0:
        return None
    return coords.Reprojection(WGS84, working, lon, lat, rows=ok)


def _flag_duplicates(staged: Staged) -> None:
    """An id seen before in the same month (among rows still kept), with the same
    ``same_record`` values, is a duplicate.

    Only rows whose id occurs more than once among the kept rows can repeat one another: the
    month and ``same_record`` keys are built for those alone (a few rows in police.uk data).
    """
    ok = staged.ledger.ok
    if not ok.any():
        return
    rows = np.flatnonzero(ok)
    incident_id = pd.Series(staged.fields["incident_id"])
    rows = rows[_repeated(incident_id, rows, staged.id_keys)]
    if not rows.size:
        return
    columns = {"id": incident_id, "month": staged.fields["month"], **staged.same_record}
    # each column's kept rows that share an id, factorized (equal codes where values are equal)
    codes = pd.DataFrame({c: _equal_codes(_take(v, rows)) for c, v in columns.items()})
    dup, first = ids.first_occurrence(codes)
    if staged.same_record:
        shared, _ = ids.first_occurrence(codes[["id", "month"]])
        different = int((shared & ~dup).sum())
        if different:
            staged.report.notes.append(
                f"{different:,} row(s) share a Crime ID (and month) with an earlier row but "
                f"differ in {' or '.join(staged.same_record)}: different records, all kept "
                "(only exact repeats are quarantined as duplicate_id)"
            )
    if not dup.any():
        return
    where = rows[first[dup]]
    detail = np.full(ok.size, "", dtype=object)
    detail[rows[dup]] = (
        "incident id "
        + incident_id.iloc[rows[dup]].astype("str").reset_index(drop=True)
        + " already loaded for this month"
        + (" (same " + ", ".join(staged.same_record) + ")" if staged.same_record else "")
        + " from "
        + pd.Series(staged.file[where], dtype="str")
        + " line "
        + pd.Series(staged.line[where]).astype("str")
    ).to_numpy(object)
    mask = np.zeros(ok.size, dtype=bool)
    mask[rows[dup]] = True
    staged.ledger.flag(mask, "duplicate_id", detail)


def _repeated(values: pd.Series, rows: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
    """Which of ``rows`` hold a value that another of ``rows`` holds too (exactly).

    Arrow text: rows whose :func:`ids.text_keys` key (``keys``, when given) is unique among
    ``rows`` hold a unique value; the others (the repeats, and the rare different values
    whose keys collide) are compared exactly. Other dtypes: compared exactly.
    """
    if schema.is_arrow_text(values):
        if keys is None:
            keys = ids.text_keys(pa.array(values.array))
        keys = keys[rows]
        maybe = np.flatnonzero(pd.Series(keys).duplicated(keep=False).to_numpy(bool))
    else:
        maybe = np.arange(rows.size)
    out = np.zeros(rows.size, dtype=bool)
    if maybe.size:
        codes = _equal_codes(_take(values, rows[maybe]))
        out[maybe[np.bincount(codes)[codes] > 1]] = True
    return out


def _take(values: np.ndarray | pd.Series, rows: np.ndarray) -> pd.Series:
    """``pd.Series(values)`` at positions ``rows``, which must be strictly increasing (a mask
    keeps no other order); Arrow text by :func:`kept_rows` (a filter: several times faster
    than pandas' take from a stack of files' chunks)."""
    if rows.size > 1 and not (np.diff(rows) > 0).all():
        raise ValueError("_take needs strictly increasing rows")
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if schema.is_arrow_text(series):
        kept = np.zeros(len(series), dtype=bool)
        kept[rows] = True
        return kept_rows(series, kept)
    return series.iloc[rows].reset_index(drop=True)


def kept_rows(values: pd.Series, kept: np.ndarray, *, combine: bool = False) -> pd.Series:
    """``values[kept].reset_index(drop=True)`` (``kept`` a boolean mask): Arrow strings by
    pyarrow's filter, several times faster than pandas' take of the chunked array a stack of
    files gives, and chunked as that take chunks it (one chunk per file: the same Parquet
    bytes when written), or in one chunk when ``combine``; other dtypes by pandas."""
    if not schema.is_arrow_text(values) or kept.all():  # all kept: pandas copies, chunks and all
        return values[kept].reset_index(drop=True)
    array = pa.array(values.array)
    chunked = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    taken = chunked.filter(pa.array(kept))
    chunks = [taken.combine_chunks()] if combine else [c for c in taken.chunks if len(c)]
    taken = pa.chunked_array(chunks, taken.type)  # pandas' take drops the empty chunks
    return pd.Series(type(values.array)(taken, dtype=values.dtype), name=values.name)


def kept_frame(frame: pd.DataFrame, kept: np.ndarray) -> pd.DataFrame:
    """``frame[kept].reset_index(drop=True)`` (``kept`` a boolean mask), each column by
    :func:`kept_rows`: Arrow text in the one chunk pandas' take gives.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": ["x", "y", "z"], "n": [1, 2, 3]}, dtype="str")
    >>> kept_frame(frame, np.array([True, False, True]))["a"].tolist()
    ['x', 'z']
    """
    if kept.all() or not kept.any():  # pandas keeps the chunks of all rows: so here too
        return frame[kept].reset_index(drop=True)
    columns = {
        j: kept_rows(values, kept, combine=True) for j, (_, values) in enumerate(frame.items())
    }
    out = pd.DataFrame(columns, index=pd.RangeIndex(int(kept.sum())), copy=False)
    out.columns = frame.columns
    return out


def stripped(values: pd.Series) -> pd.Series:
    """``values.str.strip()``; Arrow text whose every value starts and ends in a printable
    ASCII character (which cannot be white space) is returned as it is, no stripped copy.

    Examples
    --------
    >>> stripped(pd.Series(["A1", " B2 "], dtype="str")).tolist()
    ['A1', 'B2']
    """
    arrow = schema.is_arrow_text(values)
    if arrow and not _edges_may_be_space(pa.array(values.array)):
        return values
    return values.str.strip()


def _edges_may_be_space(strings: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some string's first or last byte is a space, a control character or not ASCII
    (then perhaps the start or end of a Unicode space), read in place from the Arrow buffers."""
    if isinstance(strings, pa.ChunkedArray):
        return any(_edges_may_be_space(chunk) for chunk in strings.chunks)
    offsets, data = schema.text_buffers(strings)
    start, end = offsets[:-1], offsets[1:]
    filled = end > start
    if not filled.any():
        return False
    edges = np.concatenate([data[start[filled]], data[end[filled] - 1]])
    return bool(((edges <= 0x20) | (edges >= 0x7F)).any())


def blank_text(values: pd.Series) -> np.ndarray | pd.Series:
    """Where ``values.str.strip() == ""`` (nulls are not blank): Arrow text tested in place
    (empty, or only whitespace: the very characters the strip removes; no stripped copy of
    every value); other dtypes by pandas."""
    if schema.is_arrow_text(values):
        array = pa.array(values.array)
        blank = pc.or_(pc.equal(pc.binary_length(array), 0), pc.utf8_is_space(array))
        return np.asarray(pc.fill_null(blank, False), dtype=bool)
    return values.str.strip() == ""


def _equal_codes(values: pd.Series) -> np.ndarray:
    """Integer codes, equal exactly where the values are (missing values one value):
    ``pd.factorize(values, use_na_sentinel=False)[0]``, Arrow strings encoded by pyarrow
    (several times faster than pandas for the ids)."""
    if schema.is_arrow_text(values):
        array = pa.array(values)
        if isinstance(array, pa.ChunkedArray):  # one dictionary for all rows
            array = array.combine_chunks()
        encoded = pc.dictionary_encode(array, null_encoding="encode")
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.factorize(values, use_na_sentinel=False)[0]


_TEXT = ("crime_type", "location", "lsoa_code", "ward_code", "incident_id")  # blank = missing


def _incidents(
    staged: Staged,
    kept: np.ndarray,
    taxonomy: pd.DataFrame | None,
    early: coords.Reprojection | None = None,
) -> gpd.GeoDataFrame:
    """The kept rows as canonical incidents; ``early``: a reprojection of a superset of them
    started by :func:`finish`, used when its CRS is the working CRS of the kept rows."""
    loc = staged.located
    lon, lat = loc.lon[kept], loc.lat[kept]
    if early is not None and early.rows is not None and np.array_equal(early.rows, kept):
        working = early.crs  # chosen for these very rows
    else:
        working = schema.working_crs_for(lon, lat)
    reprojection = None
    if working != loc.crs:
        if early is not None and early.crs == working:
            reprojection = early
        else:
            reprojection = coords.Reprojection(WGS84, working, lon, lat)
    dtypes = _dtypes()
    n = int(kept.sum())
    columns: dict[str, pd.Series] = {}
    for name in COLUMNS[:-3]:  # all but x, y and the geometry
        value = staged.fields.get(name)
        if name in _DERIVED:
            continue
        if value is None or np.isscalar(value):
            column = _constant(value, n, dtypes[name])
        elif isinstance(value, pd.Series):
            column = kept_rows(value, kept).astype(dtypes[name])
        else:
            column = pd.Series(np.asarray(value)[kept], dtype=dtypes[name])
        if name in _TEXT:
            blank = blank_text(column)
            if blank.any():  # else unchanged: no copy of a column of text
                column = column.mask(blank)
        columns[name] = column
    derived, unmapped, withheld = _classified(columns["crime_type"], columns["source"], taxonomy)
    staged.report.unmapped_crime_types = unmapped
    staged.report.unmapped_withheld = withheld
    points = shared_points(lon, lat)  # one object per map point, shared by its incidents
    if reprojection is None:
        x, y = loc.x[kept], loc.y[kept]
    elif reprojection is early:
        x, y = reprojection.of(kept)
    else:
        x, y = reprojection.result()
    columns |= derived
    columns["x"] = pd.Series(np.asarray(x, dtype=float))
    columns["y"] = pd.Series(np.asarray(y, dtype=float))
    frame = pd.DataFrame({c: columns[c] for c in COLUMNS[:-1]})
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs=WGS84, copy=False)
    gdf.attrs[WORKING_CRS] = working
    return gdf


def _constant(value: object, n: int, dtype: object) -> pd.Series:
    """``pd.Series(value, index=range(n), dtype=dtype)``; Arrow text by pyarrow (one value
    repeated: no Python object per row)."""
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        array = pa.repeat(pa.scalar(value, type=pa.large_string()), n)
        return pd.Series(type(pd.array([], dtype=dtype))(pa.chunked_array([array]), dtype=dtype))
    return pd.Series(value, index=range(n), dtype=dtype)


def unmapped_counts(
    crime_type: pd.Series, source: pd.Series, taxonomy: pd.DataFrame | None
) -> tuple[dict[str, int], int]:
    """The load report's unmapped crime types with their rows, and the rows of those not named
    (:func:`_classified`): for incidents stored already (a workspace's months)."""
    _, unmapped, withheld = _classified(crime_type, source, taxonomy)
    return unmapped, withheld


def _classified(
    crime_type: pd.Series, source: pd.Series, taxonomy: pd.DataFrame | None
) -> tuple[dict[str, pd.Series], dict[str, int], int]:
    """``category``, ``sensitive`` and ``vawg`` of each row (:func:`schema.classify`, once per
    distinct crime type and source kind), the report's unmapped crime types with their counts,
    and the rows of unmapped types treated as sensitive with fewer than
    :data:`~hotspots.core.disclosure.MIN_COUNT` rows each, whose names are not reported (free
    text from an exact-location source may hold an address: disclosure rule 5)."""
    types, type_names = pd.factorize(crime_type, use_na_sentinel=False)
    sources, source_names = pd.factorize(source, use_na_sentinel=False)
    exact = disclosure.is_exact_source(np.asarray(source_names, dtype=object))[sources]
    codes, pairs = pd.factorize(types * 2 + exact)  # each distinct (type, exact) pair once
    distinct = pd.Series(type_names, dtype="str").iloc[pairs // 2].reset_index(drop=True)
    flags = schema.classify(distinct, taxonomy, exact_coordinates=pairs % 2 == 1)
    category = pa.array(
        flags["category"].to_numpy(object), type=pa.large_string(), from_pandas=True
    )
    derived = {
        "category": pd.Series(
            pd.array(category.take(pa.array(codes)), dtype=_dtypes()["category"])
        ),
        "sensitive": pd.Series(flags["sensitive"].to_numpy(bool)[codes]),
        "vawg": pd.Series(flags["vawg"].to_numpy(bool)[codes]),
    }
    unmapped = schema.unmapped_types(pd.Series(type_names, dtype="string"), taxonomy)
    counted: dict[str, int] = {}
    withheld = 0
    missing = crime_type.isna().any()
    if unmapped or missing:
        counts = crime_type.fillna("(blank)").value_counts()
        sensitive = set(distinct[flags["sensitive"].to_numpy(bool)])
        # a type of fewer than MIN_COUNT rows may be one case's free text: named only when
        # it is a category (the user needs its name to map it under [categories])
        few = {t for t in unmapped if t in sensitive and counts.get(t, 0) < disclosure.MIN_COUNT}
        counted = {t: int(counts.get(t, 0)) for t in unmapped if t not in few}
        withheld = sum(int(counts.get(t, 0)) for t in few)
        if missing:
            counted["(blank)"] = int(counts.get("(blank)", 0))
    return derived, counted, withheld


@lru_cache(maxsize=1)
def _dtypes() -> dict[str, object]:
    """The canonical column dtypes, from ``schema.empty_incidents``."""
    return schema.empty_incidents().dtypes.to_dict()


def _quarantine(staged: Staged, flagged: np.ndarray, taxonomy: pd.DataFrame | None) -> pd.DataFrame:
    raw = kept_frame(staged.raw, flagged)
    raw.columns = _clear_of_leading(list(raw.columns))
    head = pd.DataFrame(
        {
            "file": pd.Series(staged.file[flagged], dtype="str"),
            "line": pd.Series(staged.line[flagged], dtype="int64"),
            "reason": pd.Series(staged.ledger.reason[flagged], dtype="str"),
            "detail": pd.Series(staged.ledger.detail[flagged], dtype="str"),
        }
    )
    parts = [_withhold_sensitive(pd.concat([head, raw], axis=1), staged, flagged, taxonomy)]
    for extra in staged.prequarantined:
        extra = extra.copy()
        extra.columns = QUARANTINE_COLUMNS + _clear_of_leading(list(extra.columns[4:]))
        # A row too broken to read has no known crime type: unknown, so sensitive unless the
        # source's points are already anonymised (police.uk).
        source = staged.fields.get("source")
        first = "" if source is None else np.ravel(np.asarray(source, object))[:1]
        unknown = disclosure.is_exact_source(np.resize(first, len(extra)))
        parts.append(disclosure.blank_sensitive_coordinates(extra, unknown))
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_quarantine()
    out = pd.concat(parts, ignore_index=True)
    return _cut_long(out.sort_values(["file", "line"], kind="stable", ignore_index=True))


QUARANTINE_FIELD_CHARS = 1_000
"""Most characters of a value the quarantine keeps (a field, or a detail quoting one): a
300 MB line is kept as its file, line and first characters, not written back whole."""


def _cut_long(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with each text value over :data:`QUARANTINE_FIELD_CHARS` characters cut to
    that many, followed by how long it was (``"… (300,000,000 characters, cut)"``)."""
    for column in rows.columns.drop("line"):
        text = rows[column].astype("str")
        length = text.str.len()
        long = (length > QUARANTINE_FIELD_CHARS).fillna(False).to_numpy(bool)
        if long.any():
            cut = text[long].str.slice(0, QUARANTINE_FIELD_CHARS) + (
                "… (" + length[long].map("{:,}".format) + " characters, cut)"
            )
            rows[column] = rows[column].astype(object).where(~long, cut)
    return rows


def _withhold_sensitive(
    rows: pd.DataFrame, staged: Staged, flagged: np.ndarray, taxonomy: pd.DataFrame | None
) -> pd.DataFrame:
    """Blank every source value (coordinates, address, detail) of quarantined sensitive rows."""
    if not len(rows):
        return rows
    n = flagged.size
    types = staged.fields.get("crime_type")
    source = staged.fields.get("source")
    if isinstance(types, pd.Series):  # only the flagged rows' text as Python strings
        picked = pd.Series(np.asarray(kept_rows(types, flagged), object))
    else:
        every = np.broadcast_to(np.asarray(types if types is not None else "", object), n)
        picked = pd.Series(every[flagged])
    source = np.broadcast_to(np.asarray(source if source is not None else "", object), n)
    flags = schema.classify(
        picked,
        taxonomy,
        exact_coordinates=disclosure.is_exact_source(source[flagged]),
    )
    return disclosure.blank_sensitive_coordinates(rows, flags["sensitive"].to_numpy(bool))


def _clear_of_leading(names: list[str]) -> list[str]:
    """Rename source columns that clash with the quarantine's own leading columns."""
    return [f"{n} (source)" if n in QUARANTINE_COLUMNS else n for n in names]
