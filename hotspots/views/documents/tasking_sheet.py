"""The CCTV tasking sheet as a printable page and a PDF: per camera, its hotspots and windows.

The sheet's data come from :func:`hotspots.products.cctv.tasking_sheet`; this module only lays
them out on the document stack's page (:mod:`hotspots.views.documents.html`), so every text
(title, camera names and locations, places, notes) is escaped: typed text such as
``<img src=x onerror=alert(1)>`` or ``{{7*7}}`` prints as itself and never runs.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hotspots.core.io import Dest
from hotspots.products.cctv.tasking import TaskingSheet
from hotspots.views.documents.html import esc, page_html, table_html
from hotspots.views.documents.pdf import A4_PORTRAIT, pdf_bytes, table_pages


def _windows_table(sheet: TaskingSheet, rows: pd.DataFrame) -> pd.DataFrame:
    """The windows of ``rows`` as the sheet prints them."""
    id_column = sheet.params.get("hotspot_id", "hotspot")
    ids = rows[id_column].astype(str)
    named = rows["place"] if "place" in rows.columns else pd.Series("", index=rows.index)
    places = named.astype("string").fillna("")
    return pd.DataFrame(
        {
            "Place": places.where(places != "", "unnamed place (cell " + ids + ")"),
            "Incidents in view": rows["incidents_in_view"].astype(str),
            "Rank": rows["rank"].astype(str),
            "Window": rows["window"].astype(str),
            "Share": rows["share"].map("{:.0%}".format),
            "Incidents": rows["incidents"].map("{:.1f}".format),
        }
    )


def _meta(windows: pd.DataFrame) -> str:
    resolution = "hour-of-week windows" if "weekday" in windows.columns else "busiest months"
    return (
        f"{len(windows)} windows ({resolution}) for {windows['camera_id'].nunique()} cameras; "
        f"generated {datetime.now():%Y-%m-%d %H:%M}"
    )


def sheet_html(sheet: TaskingSheet, *, title: str = "CCTV tasking sheet") -> str:
    """A printable HTML page of the sheet (A4): one section per camera, its hotspots and windows.

    Examples
    --------
    >>> page = sheet_html(tasking_sheet(log, cameras, cells), title="Week 47")  # doctest: +SKIP
    """
    windows = sheet.windows
    sections = []
    for camera_id, rows in windows.groupby("camera_id", sort=True):
        first = rows.iloc[0]
        heading = f"{first['camera_name'] or camera_id} ({camera_id})"
        where = f"<p>{esc(first['camera_location'])}</p>" if first["camera_location"] else ""
        table = table_html(_windows_table(sheet, rows))
        sections.append(f"<section><h2>{esc(heading)}</h2>{where}{table}</section>")
    meta = _meta(windows)
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="meta">{esc(meta)}</p>']
    if sheet.note:
        parts.append(f'<p class="warning">{esc(sheet.note)}</p>')
    parts.extend(sections or ["<p>No camera sees enough of a hotspot's incidents for windows.</p>"])
    return page_html(title, parts, size="A4")


def sheet_pdf(
    sheet: TaskingSheet, dest: Dest = None, *, title: str = "CCTV tasking sheet"
) -> bytes:
    """The sheet as a PDF (A4): every window with its camera, continued over pages as needed.

    Returns the file's bytes, also written to ``dest`` when given.
    """
    windows = sheet.windows
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "Camera": windows["camera_name"].astype(str)
                    + " ("
                    + windows["camera_id"].astype(str)
                    + ")",
                    "Location": windows["camera_location"].astype(str),
                }
            ),
            _windows_table(sheet, windows),
        ],
        axis=1,
    )
    note = "\n".join(text for text in (_meta(windows), sheet.note) if text)
    return pdf_bytes(table_pages(title, table, note=note, size=A4_PORTRAIT), title=title, dest=dest)
