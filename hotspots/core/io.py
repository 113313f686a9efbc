"""One way to write a product, and the one CSV writer.

**Writers.** Every function that produces a file (CSV, GeoJSON, KML, PNG, PDF) is called
``name(obj, dest=None, *, options) -> bytes``: it returns the file's bytes and, when ``dest``
is a path, also writes them there (:func:`deliver`). A dashboard download takes the bytes; the
command line and :func:`~hotspots.views.patrol_files.write_plan_files` give a path. HTML pages
are built as text by ``*_html`` functions (they are also embedded in other pages).

**CSV.** Every CSV the product writes goes through :func:`write_csv`, which neutralises
spreadsheet formulas (OWASP "CSV injection"): a text cell that starts with ``= + - @``, a tab
or a carriage return gets a leading ``'``, so Excel and LibreOffice show it as text instead of
running it. Numbers are never touched: ``-0.47`` in a numeric column stays the number -0.47.
Exports a person opens first pass through :func:`export_ready` (numbers rounded to sensible
places, months ``YYYY-MM``).

Examples
--------
>>> write_csv(pd.DataFrame({"ward": ["=HYPERLINK(1)"], "lon": [-0.47]}))
b"ward,lon\\r\\n'=HYPERLINK(1),-0.47\\r\\n"
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

Dest = str | os.PathLike[str] | None
"""Where a writer also puts its bytes: a path, or ``None`` for the bytes only."""

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP)."""

LINE_END = "\r\n"
"""Line ending of every CSV written (RFC 4180)."""


def deliver(data: bytes | str, dest: Dest = None) -> bytes:
    """A product's bytes (text encoded as UTF-8), also written to ``dest`` when given.

    Examples
    --------
    >>> deliver("<kml/>")
    b'<kml/>'
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if dest is not None:
        Path(dest).write_bytes(raw)
    return raw


DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Unicode direction overrides and isolates: a cell holding one shows its text reversed
(a name disguised as another), so they are dropped."""


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as the text it holds: ``=SUM(A1)`` → ``'=SUM(A1)``, direction
    controls dropped; other text unchanged.

    Examples
    --------
    >>> spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("Hemel"), spreadsheet_safe("ab\u202ec")
    ("'@SUM(A1)", 'Hemel', 'abc')
    """
    text = DIRECTION_CONTROLS.sub("", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(
    table: pd.DataFrame | Iterable[Sequence[Any]],
    dest: Dest = None,
    *,
    columns: Sequence[str] | None = None,
    index: bool = False,
    float_format: str | None = None,
    bom: bool = False,
    safe: bool = True,
) -> bytes:
    """The one CSV writer: a table as UTF-8 CSV bytes (also written to ``dest`` when given).

    Parameters
    ----------
    table
        A DataFrame, or rows of Python values (then ``columns`` names them).
    dest
        Also write the bytes to this path.
    columns
        Header of ``rows`` (ignored for a DataFrame, whose columns are written).
    index
        DataFrame only: write the index (named by its name) as the first column(s).
    float_format
        DataFrame only: format of floating-point numbers, e.g. ``"%.4g"`` (default: exact).
    bom
        Start with a UTF-8 byte-order mark (Excel then reads accented names right).
    safe
        Neutralise formulas in text cells (:func:`spreadsheet_safe`). Only a store backup meant
        to be imported again verbatim (:func:`hotspots.store.export_records`) turns it off.

    Returns
    -------
    bytes
        The CSV file (RFC 4180: comma, double quotes when needed, CRLF line ends).
        Numbers, booleans and dates are written as values; ``None`` and NaN as empty cells.
    """
    if isinstance(table, pd.DataFrame):
        text = _frame_csv(table, index=index, float_format=float_format, safe=safe)
    else:
        text = _rows_csv(table, columns, safe=safe)
    return deliver(("\ufeff" if bom else "") + text, dest)


def _frame_csv(frame: pd.DataFrame, *, index: bool, float_format: str | None, safe: bool) -> str:
    """Text columns neutralised (vectorised), then pandas' writer."""
    out = frame.reset_index() if index else frame.copy(deep=False)
    if safe:
        out.columns = [spreadsheet_safe(c) if isinstance(c, str) else c for c in out.columns]
        for position in range(out.shape[1]):
            values = out.iloc[:, position]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            if values.dtype == object:  # any Python objects: only str cells are text
                risky = np.fromiter(
                    (isinstance(v, str) and spreadsheet_safe(v) != v for v in values),
                    dtype=bool,
                    count=len(values),
                )
            elif pd.api.types.is_string_dtype(values.dtype):  # pandas/Arrow strings: vectorised
                risky = (
                    values.str.startswith(FORMULA_START, na=False)
                    | values.str.contains(DIRECTION_CONTROLS.pattern, regex=True, na=False)
                ).to_numpy(bool)
            else:
                continue
            if risky.any():
                values = values.astype(object).copy()
                values[risky] = [spreadsheet_safe(str(v)) for v in values[risky]]
                out.isetitem(position, values)
    return out.to_csv(index=False, lineterminator=LINE_END, float_format=float_format)


def _rows_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str] | None, *, safe: bool) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=LINE_END)
    if columns is not None:
        writer.writerow([_cell(c, safe) for c in columns])
    writer.writerows([_cell(v, safe) for v in row] for row in rows)
    return buffer.getvalue()


def _cell(value: Any, safe: bool) -> str:
    """A value as CSV text: text neutralised, numbers exact (``repr``), dates ISO, missing blank."""
    if isinstance(value, str):
        return spreadsheet_safe(value) if safe else value
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_decimals(column: str) -> int:
    """Decimals a CSV export keeps for ``column``: 6 for degrees (about 0.1 m), 4 for shares
    (0–1) and p-values, 0 for square metres and residents (people are whole; apportioned
    populations are estimates), 1 for metres, else 3 (rates per 1,000 included).

    Examples
    --------
    >>> export_decimals("centre_lon"), export_decimals("share"), export_decimals("area_m2")
    (6, 4, 0)
    >>> export_decimals("residents")
    0
    """
    if column in ("lon", "lat") or column.endswith(("_lon", "_lat")):
        return 6
    if column == "share" or column.startswith("share_") or column.endswith(("_share", "_p")):
        return 4
    if column in ("p_value", "q_value", "p", "q") or column.startswith(("p_", "q_")):
        return 4
    if column.endswith("_m2") or column == "residents" or column.endswith("_residents"):
        return 0
    if column.endswith(("_m", "_km2")):
        return 1
    return 3


def export_ready(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as a CSV export writes it: floats rounded (:func:`export_decimals`; whole
    numbers as integers), months as ``YYYY-MM`` (never ``2021-01-01``), dates without a
    midnight time. Headings stay the column names (files are read by programs too).

    Examples
    --------
    >>> t = pd.DataFrame({"first_month": pd.to_datetime(["2021-01-01"]), "share": [0.263714],
    ...                   "n": [12.0]})
    >>> export_ready(t).to_dict("records")
    [{'first_month': '2021-01', 'share': 0.2637, 'n': 12}]
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if getattr(values.dtype, "name", "") == "geometry":
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            known = values.dropna()
            midnight = (known == known.dt.normalize()).all()
            months = midnight and (known.dt.day == 1).all() and "month" in str(column)
            if months:
                out[column] = values.dt.strftime("%Y-%m")
            elif midnight:
                out[column] = values.dt.strftime("%Y-%m-%d")
        elif isinstance(values.dtype, pd.PeriodDtype):
            out[column] = values.astype(str)
        elif pd.api.types.is_float_dtype(values):
            decimals = export_decimals(str(column))
            finite = values[np.isfinite(values)]
            whole = decimals == 0 or (len(finite) and (finite == finite.round()).all())
            if whole and len(finite) == values.notna().sum():  # no infinity
                out[column] = values.round().astype("Int64")
            else:
                out[column] = values.round(decimals)
    return out
