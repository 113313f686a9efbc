"""Crime harm weights per crime type, so patrol localities can be ranked by harm as well as count.

The bundled table (``hotspots/data/resources/harm_weights.csv``) holds APPROXIMATE severity
weights in days of custody equivalent, in the manner of the ONS Crime Severity Score and the
Cambridge Crime Harm Index; its header says where the numbers come from and why they are rough.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

HARM_SOURCE = (
    "approximate crime harm weights (days of custody equivalent per offence, in the manner of "
    "the ONS Crime Severity Score; rough orders of magnitude, not official figures)"
)
"""How the bundled weights are described in plans and briefings."""

HARM_SCORE = "Harm score (crime severity weighted)"
"""What a locality's harm total is called wherever it shows: the dashboard's plan table, the
CSV (``harm_score``) and its notes, the briefing."""


def harm_score_words(source: str) -> str:
    """The harm score in plain words, with where its weights come from (``source``: the plan's
    ``harm_source``).

    Examples
    --------
    >>> harm_score_words("my weights")
    "Harm score (crime severity weighted): the locality's incidents added up, each counted by the severity weight of its crime type instead of as 1 (my weights)"
    """  # noqa: E501
    return (
        f"{HARM_SCORE}: the locality's incidents added up, each counted by the severity weight "
        f"of its crime type instead of as 1 ({source})"
    )


def load_harm_weights(path: str | Path | None = None) -> pd.Series:
    """Harm weight per crime type.

    Parameters
    ----------
    path
        A CSV with columns ``crime_type`` and ``weight`` (lines starting with ``#`` are comments).
        ``None`` loads the bundled table: police.uk's 14 types and the council / CAD types of
        the crime taxonomy.

    Returns
    -------
    Series of float weights (> 0) indexed by the lower-cased, stripped crime type;
    ``attrs["source"]`` says where the weights come from.

    Raises
    ------
    ValueError
        When a column is missing, or a weight is missing, not a number or not positive.

    Examples
    --------
    >>> weights = load_harm_weights()
    >>> float(weights["robbery"]), float(weights["shoplifting"])
    (800.0, 10.0)
    """
    if path is None:  # the bundled table, read once per process (a copy each time)
        weights = _bundled_weights()
        out = weights.copy()
        out.attrs = dict(weights.attrs)
        return out
    return _read_weights(path)


@functools.cache
def _bundled_weights() -> pd.Series:
    return _read_weights(None)


def _read_weights(path: str | Path | None) -> pd.Series:
    """:func:`load_harm_weights` of ``path`` (``None``: the bundled table), read now."""
    if path is None:
        with resources.files("hotspots.data.resources").joinpath("harm_weights.csv").open() as fh:
            table = pd.read_csv(fh, comment="#")
        source = HARM_SOURCE
    else:
        table = pd.read_csv(path, comment="#")
        source = f"harm weights from {path}"
    missing = {"crime_type", "weight"} - set(table.columns)
    if missing:
        raise ValueError(
            f"harm weights {path}: missing column(s) {sorted(missing)}; expected a CSV with "
            "columns crime_type, weight (one row per crime type)"
        )
    weight = pd.to_numeric(table["weight"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(weight) & (weight > 0))
    if bad.any():
        rows = table.loc[bad, "crime_type"].astype(str).tolist()[:5]
        raise ValueError(
            f"harm weights {path}: {int(bad.sum())} weight(s) missing, not a number or not "
            f"positive (crime types {rows}); every weight must be a number above 0"
        )
    key = table["crime_type"].astype(str).str.strip().str.lower()
    out = pd.Series(weight, index=pd.Index(key, name="crime_type"), name="weight")
    out = out[~out.index.duplicated(keep="last")]
    out.attrs["source"] = source
    return out


def _looked_up(keys: pd.Series, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct key's weight (NaN when the table lacks it) and each row's key code.

    Keys are cleaned (stripped, lower case) once per distinct value, then the cleaned ones
    numbered: the codes and order of numbering the rows' cleaned text (in order of first
    appearance) without cleaning each of a period's thousands of rows."""
    raw, distinct = pd.factorize(keys, use_na_sentinel=False)
    text = pd.Series(distinct, dtype=keys.dtype).astype("string").fillna("").str.strip().str.lower()
    codes, uniques = pd.factorize(text)
    return weights.reindex(pd.Index(uniques)).to_numpy(dtype=float), codes[raw]


def types_by_group(crime_types: pd.Series, weights: pd.Series, groups: pd.Series) -> list[str]:
    """The crime types the table lacks that take their group's weight in :func:`harm_of`, as
    ``"Noise nuisance (Anti-social behaviour)"``."""
    looked_up, codes = _looked_up(crime_types, weights)
    lacking = np.isnan(looked_up)[codes]
    pairs = pd.DataFrame(
        {
            "type": crime_types[lacking].astype(str).to_numpy(),
            "group": groups[lacking].astype(str).to_numpy(),
        }
    ).drop_duplicates()
    return [f"{t} ({g})" for t, g in sorted(zip(pairs["type"], pairs["group"], strict=True))]


def harm_of(
    crime_types: pd.Series, weights: pd.Series, groups: pd.Series | None = None
) -> np.ndarray:
    """The harm weight of each incident, looked up by its crime type (case-insensitive); a type
    the table lacks takes its CSP group's weight (``groups``: the ``category`` column) when the
    table has that group (a council's "Noise nuisance", grouped as anti-social behaviour).

    Parameters
    ----------
    crime_types
        One crime type per incident (the ``crime_type`` column).
    weights
        From :func:`load_harm_weights`.
    groups
        One CSP group per incident, or ``None``: types only.

    Returns
    -------
    float array, one weight per incident.

    Raises
    ------
    ValueError
        Naming the crime types the table lacks (nor their group), and how to add them.

    Examples
    --------
    >>> harm_of(pd.Series(["Robbery", "shoplifting"]), load_harm_weights()).tolist()
    [800.0, 10.0]
    >>> harm_of(pd.Series(["Noise nuisance"]), load_harm_weights(),
    ...         pd.Series(["Anti-social behaviour"])).tolist()
    [1.0]
    """
    looked_up, codes = _looked_up(crime_types, weights)
    unknown = np.isnan(looked_up)
    if unknown.any() and groups is not None:
        by_group, group_codes = _looked_up(groups, weights)
        looked_up = np.where(np.isnan(looked_up[codes]), by_group[group_codes], looked_up[codes])
        codes = np.arange(len(codes))
        unknown = np.isnan(looked_up)
    if unknown.any():
        names = sorted(crime_types.astype("string").fillna("<missing>")[unknown[codes]].unique())
        raise ValueError(
            f"no harm weight for crime type(s) {names[:10]}; add rows (crime_type, weight) to a "
            "copy of the bundled table (hotspots/data/resources/harm_weights.csv) and give it "
            "(--harm-weights CSV on the command line, harm_weights= in Python), or rank by count"
        )
    return looked_up[codes] if codes.size else np.empty(0)
