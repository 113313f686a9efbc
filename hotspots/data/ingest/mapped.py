"""Stage rows whose fields are named by a :class:`ColumnMap` (generic CSVs, vector files)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.core.disclosure import exact_source_name
from hotspots.data.ingest import assemble, coords, dates, ids
from hotspots.data.ingest.columns import ColumnMap
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.report import LoadReport


def stage(
    raw: pd.DataFrame,
    file: np.ndarray,
    line: np.ndarray,
    located: coords.Located,
    cmap: ColumnMap,
    *,
    source: str,
    stem: str,
    dayfirst: bool,
    report: LoadReport,
) -> assemble.Staged:
    """Quarantine bad coordinates and times, generate missing ids, map the fields.

    A row without a window end gets ``occurred_to = occurred_from`` (an instant); a blank
    time keeps the date at ``"day"`` precision.
    """
    label = str(file[0]) if file.size else stem
    if not (cmap.datetime or cmap.date):
        raise IngestError(
            f"{label}: no date column: the column map (--columns MAP.json; a ColumnMap in "
            'Python) must name the "datetime" column (date and time in one) or the "date" '
            f'column (+ "time"); the file has columns {list(raw.columns)}'
        )
    ledger = assemble.Ledger(len(raw))
    ledger.take(located.reason, located.detail)
    start = _start(raw, cmap, dayfirst=dayfirst, report=report, label=label)
    ledger.take(start.reason, start.detail)
    end_values = start.values
    report.parameters[f"{label}: date format"] = start.formats
    # the order an ambiguous date such as 01/02/2024 is read in, as the add report says it
    report.parameters[f"{label}: dates"] = f"read {dates.order_words(dayfirst)}"
    if cmap.datetime_to or cmap.date_to:
        end_values = _window_end(raw, cmap, start, ledger, dayfirst=dayfirst, label=label)
        report.parameters[f"{label}: window"] = "occurred_from/occurred_to from the map"
    report.parameters[f"{label}: columns"] = ", ".join(f"{k}={v}" for k, v in cmap.used().items())
    report.notes += [f"{label}: {note}" for note in start.notes]
    named = exact_source_name(source)  # exact points: never named as anonymised ones
    if named != source:
        report.notes.append(
            f"{label}: source named {named!r}, not {source!r}: that name is data.police.uk's, "
            "whose points are already anonymised; these rows' points are exact, and protected"
        )
    fields: dict[str, np.ndarray | pd.Series | str | None] = {
        "incident_id": _ids(raw, cmap, line, stem),
        "source": named,
        "crime_type": _col(raw, cmap.crime_type),
        "month": dates.month_start(start.values),
        "occurred_from": start.values,
        "occurred_to": end_values,
        "time_precision": dates.precision(start.has_time, start.values),
        "location": _col(raw, cmap.location),
        "lsoa_code": _col(raw, cmap.lsoa_code),
    }
    return assemble.Staged(raw, file, line, ledger, located, fields, report)


def _start(
    raw: pd.DataFrame, cmap: ColumnMap, *, dayfirst: bool, report: LoadReport, label: str
) -> dates.Parsed:
    """When each incident happened (or began): ``datetime``, else ``date`` + ``time``.

    With both set, ``date`` + ``time`` stand in on rows where ``datetime`` is blank.
    """
    by_date = None
    if cmap.date:
        by_date = dates.parse_datetimes(
            date=_col(raw, cmap.date),
            time=_col(raw, cmap.time),
            dayfirst=dayfirst,
            names=tuple(c for c in (cmap.date, cmap.time) if c),
            file=label,
        )
    if not cmap.datetime:
        return by_date  # type: ignore[return-value]  # the caller checked date is set
    column = raw[cmap.datetime]
    given = (column.fillna("").astype("str").str.strip() != "").to_numpy()
    if by_date is None or given.all():
        return dates.parse_datetimes(
            datetime_col=column, dayfirst=dayfirst, names=(cmap.datetime,), file=label
        )
    parsed = dates.parse_datetimes(
        datetime_col=column[given], dayfirst=dayfirst, names=(cmap.datetime,), file=label
    )
    report.parameters[f"{label}: time fallback"] = (
        f"{cmap.datetime} where given ({int(given.sum()):,} rows), else "
        f"{'/'.join(c for c in (cmap.date, cmap.time) if c)} ({int((~given).sum()):,} rows)"
    )
    values, has_time = by_date.values.copy(), by_date.has_time.copy()
    reason, detail = by_date.reason.copy(), by_date.detail.copy()
    values[given], has_time[given] = parsed.values, parsed.has_time
    reason[given], detail[given] = parsed.reason, parsed.detail
    formats = f"{cmap.datetime}: {parsed.formats}; else {by_date.formats}"
    return dates.Parsed(values, has_time, reason, detail, formats, parsed.notes + by_date.notes)


def _col(raw: pd.DataFrame, name: str | None) -> pd.Series | None:
    return None if name is None else raw[name]


def _window_end(
    raw: pd.DataFrame,
    cmap: ColumnMap,
    start: dates.Parsed,
    ledger: assemble.Ledger,
    *,
    dayfirst: bool,
    label: str,
) -> np.ndarray:
    columns = [c for c in (cmap.datetime_to, cmap.date_to, cmap.time_to) if c]
    given = np.zeros(len(raw), dtype=bool)
    for column in columns:
        given |= (raw[column].astype("str").str.strip().fillna("") != "").to_numpy(bool)
    end = dates.parse_datetimes(
        datetime_col=_col(raw, cmap.datetime_to),
        date=_col(raw, cmap.date_to),
        time=_col(raw, cmap.time_to),
        dayfirst=dayfirst,
        names=tuple(columns),
        file=label,
    )
    ledger.flag(given & (end.reason != ""), "unparseable_date", end.detail)
    values = np.where(given, end.values, start.values)
    backwards = given & (values < start.values)
    detail = np.full(len(raw), f"{'/'.join(columns)} is earlier than the start", dtype=object)
    ledger.flag(backwards, "end_before_start", detail)
    return values


def _ids(raw: pd.DataFrame, cmap: ColumnMap, line: np.ndarray, stem: str) -> pd.Series:
    if cmap.incident_id is None:
        given = pd.Series("", index=raw.index, dtype="str")
    else:
        given = raw[cmap.incident_id].astype("str").str.strip().fillna("")
    blank = (given == "").to_numpy(bool)
    if blank.any():
        stems = np.full(int(blank.sum()), stem, dtype=object)
        given = ids.with_generated_ids(given, blank, stems, line[blank], raw[blank])
    return given
