"""UK local time, the one clock of hotspots: every time is naive Europe/London wall-clock time.

A time given with a zone or an offset from UTC (``2024-07-15T22:30:00Z``, ``…+01:00``, an aware
Timestamp) is converted to it (23:30 BST for that summer evening); a naive time is local already.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

LOCAL_TZ = ZoneInfo("Europe/London")
"""The zone of every time hotspots keeps (GMT in winter, BST in summer)."""


def utc_to_local(values: np.ndarray) -> np.ndarray:
    """Naive UTC times (``datetime64``) as naive UK local times, same unit; NaT stays NaT.

    Examples
    --------
    >>> utc_to_local(np.array(["2024-07-31T23:30", "2024-01-15T22:30"], dtype="datetime64[us]"))
    array(['2024-08-01T00:30:00.000000', '2024-01-15T22:30:00.000000'],
          dtype='datetime64[us]')
    """
    index = pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(LOCAL_TZ)
    return index.tz_localize(None).to_numpy().astype(values.dtype)


def to_local(times: pd.Series) -> pd.Series:
    """Aware times as naive UK local times; naive times as they are (local already)."""
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return times.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return times
