"""Accept a crime taxonomy as a table, a CSV path or ``None`` (the bundled one)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from hotspots.data import schema

Taxonomy: TypeAlias = pd.DataFrame | str | Path | None
"""A taxonomy table (``schema.load_taxonomy``), a CSV path, or ``None`` for the bundled one."""


def as_taxonomy(taxonomy: Taxonomy) -> pd.DataFrame:
    """The taxonomy table for ``taxonomy`` (loading a path, or the bundled table for ``None``).

    Examples
    --------
    >>> as_taxonomy(None).loc["shoplifting", "category"]
    'Acquisitive'
    """
    if taxonomy is None:
        return _bundled()
    if isinstance(taxonomy, str | Path):
        return schema.load_taxonomy(taxonomy)
    return taxonomy


@lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    """The bundled taxonomy, read once (readers only look it up, never change it)."""
    return schema.load_taxonomy()
