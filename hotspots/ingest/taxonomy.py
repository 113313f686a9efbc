"""Accept a crime taxonomy as a table, a CSV path or ``None`` (the bundled one)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotspots import schema

Taxonomy = pd.DataFrame | str | Path | None
"""A taxonomy table (``schema.load_taxonomy``), a CSV path, or ``None`` for the bundled one."""


def as_taxonomy(taxonomy: Taxonomy) -> pd.DataFrame:
    """The taxonomy table for ``taxonomy`` (loading a path, or the bundled table for ``None``).

    Examples
    --------
    >>> as_taxonomy(None).loc["shoplifting", "category"]
    'Acquisitive'
    """
    if taxonomy is None or isinstance(taxonomy, str | Path):
        return schema.load_taxonomy(taxonomy)
    return taxonomy
