"""The one exception the ingest layer raises for unusable input."""

from __future__ import annotations


class IngestError(ValueError):
    """A source file cannot be loaded at all.

    The message names the file (and the line and column where that helps), says what
    was expected and how to fix it. Rows that are merely bad never raise: they go to the
    quarantine with a reason (see :data:`hotspots.data.ingest.QUARANTINE_REASONS`).

    Examples
    --------
    >>> raise IngestError("log.csv: the file is empty; expected a header and rows")
    Traceback (most recent call last):
    ...
    hotspots.data.ingest.errors.IngestError: log.csv: the file is empty; expected a header and rows
    """
