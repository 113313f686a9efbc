"""Uploaded files as the readers want them: temporary copies that are gone once read.

Streamlit keeps an upload in memory; the incident and boundary readers take paths (they choose
a reader by suffix and open zips and GeoPackages). :func:`uploaded_copies` writes the copies
into a private temporary folder and removes it, whatever happens, once the block is done, so
the server keeps no copy of anyone's upload. Messages that name a copy are given back with the
file's own name (:func:`public_message`, :func:`public_result`), so no server path reaches a
visitor.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from hotspots.data.ingest import LoadResult
from hotspots.data.ingest.columns import csv_header
from hotspots.data.ingest.policeuk import STREET_COLUMNS


class Upload(Protocol):
    """What an uploaded file offers (``streamlit.runtime.uploaded_file_manager.UploadedFile``)."""

    name: str

    def getvalue(self) -> bytes: ...


@contextmanager
def uploaded_copies(files: Sequence[Upload]) -> Iterator[list[Path]]:
    """Paths of temporary copies of ``files`` (their own names, no folders), removed on exit.

    Examples
    --------
    >>> with uploaded_copies(files) as paths:  # doctest: +SKIP
    ...     result = load(paths)
    """
    with tempfile.TemporaryDirectory(prefix="hotspots-upload-") as folder:
        paths = []
        for file in files:
            path = Path(folder) / (Path(file.name).name or "upload")
            path.write_bytes(file.getvalue())
            paths.append(path)
        yield paths


def public_message(err: BaseException, paths: Sequence[Path], root: Path | None = None) -> str:
    """``str(err)`` as a visitor may read it: each temporary copy's path replaced by the
    file's own name, the open workspace's folder (``root``) by its name (as the page names
    it), and any other server folder left out (:func:`without_folders`).

    Examples
    --------
    >>> err = OSError("File exists: '/srv/csp/leeds/data/police-uk/2018-05'")
    >>> public_message(err, [], Path("/srv/csp/leeds"))
    "File exists: 'leeds/data/police-uk/2018-05'"
    """
    text = str(err)
    for path in sorted(paths, key=lambda p: len(str(p)), reverse=True):
        text = text.replace(str(path), path.name).replace(str(path.parent), "(upload)")
    if root is not None:
        for folder in sorted({str(root), str(root.resolve())}, key=len, reverse=True):
            text = text.replace(folder, root.name)
    return without_folders(text)


_SERVER_PATH = re.compile(
    r"""(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[^\s\\/:*?"'<>|!]+[\\/])+(?=[^\s\\/])"""
)
"""A folder path on the server (POSIX or Windows), up to the file name that follows it."""


def without_folders(text: str) -> str:
    """``text`` with every server folder left out, each file named alone (for the screen).

    Examples
    --------
    >>> without_folders("14  a.zip!2021-01/x.csv … /srv/app/data/demo/log.csv: 992 rows")
    '14  a.zip!2021-01/x.csv … log.csv: 992 rows'
    >>> without_folders("date '31/02/2021' is not a date (/tmp/upload/log.csv)")
    "date '31/02/2021' is not a date (log.csv)"
    """
    return _SERVER_PATH.sub("", text)


def quarantine_shown(quarantine: pd.DataFrame, rows: int = 200) -> pd.DataFrame:
    """The first ``rows`` of the quarantine with no server folder in its text columns."""
    shown = quarantine.head(rows).copy()
    for column in ("file", "detail"):
        if column in shown:
            shown[column] = shown[column].astype("string").map(without_folders, na_action="ignore")
    return shown


def _named(value: Any, folder: str) -> Any:
    if isinstance(value, str):
        return value.replace(folder, "")
    if isinstance(value, list):
        return [_named(v, folder) for v in value]
    if isinstance(value, dict):
        return {_named(k, folder): _named(v, folder) for k, v in value.items()}
    return value


def public_result(result: LoadResult, paths: Sequence[Path]) -> LoadResult:
    """``result`` with the temporary folder left out of its report and quarantine (each file
    named as uploaded, ``name.zip!member`` for a zip's members)."""
    if not paths:
        return result
    folder = str(paths[0].parent) + "/"
    report = dataclasses.replace(
        result.report,
        **{
            f.name: _named(getattr(result.report, f.name), folder)
            for f in dataclasses.fields(result.report)
        },
    )
    quarantine = result.quarantine.copy()
    for column in ("file", "detail"):
        if column in quarantine:
            quarantine[column] = (
                quarantine[column].astype("string").str.replace(folder, "", regex=False)
            )
    return result._replace(quarantine=quarantine, report=report)


def header_of(file: Upload) -> list[str]:
    """The column names of an uploaded CSV, read from memory (no copy is written)."""
    return csv_header(io.BytesIO(file.getvalue()))  # type: ignore[arg-type]


def is_policeuk(columns: list[str]) -> bool:
    """Whether a CSV with these columns is a police.uk street-level file."""
    return set(STREET_COLUMNS) <= set(columns)
