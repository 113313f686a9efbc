"""The disclosure gate: what of sensitive incidents (domestic abuse, sexual offences, stalking,
...) may leave the product, and how. One home for the rule; every table, chart, map layer, peak
window, nearby count, download and the quarantine file goes through it.

1. **No points.** Layers built from incident locations (hexagons, clusters, camera coverage,
   patrol localities) are built from :func:`mappable` incidents, which leaves sensitive rows
   out. Anything still drawn from sensitive data respects the floors
   (:data:`MAX_SENSITIVE_RES`, :data:`MIN_SENSITIVE_RADIUS_M`, :func:`check_floors`).
2. **No small counts, not even by differencing.** Sensitive incidents are counted in *groups*:
   one group is the sensitive incidents of one source, crime type, ward and calendar month
   inside one output cell (:data:`GROUP_KEYS`). The filters that select whole groups (crime
   groups and types, wards, whole months, sources) make the difference between any two outputs
   a sum of whole groups. A cell is shown only when each group in it holds 0 or at least
   :data:`MIN_COUNT` incidents (:func:`gate`); otherwise it is withheld, whatever non-sensitive
   incidents share it (adding a non-sensitive type to the filter cannot switch this off).
   A total holds every group of its parts, so a total is withheld whenever a part is: "total
   minus the shown parts" never recovers a withheld cell (this is the complementary
   suppression, built in). Charts by month count sensitive incidents only from groups that
   pass (:func:`countable`). The dashboard's data and the commands' input go through
   :func:`disclosable` as they are loaded: a group under :data:`MIN_COUNT` is then in no
   selection, list or message, so no output tells a selection holding none of its type, ward
   and month from one holding only such a group (:data:`SMALL_GROUPS_NOTE`, said always).
3. **Nothing sensitive where time cuts a group.** Anything that cuts a group — a time-of-day
   or day-of-week filter, an hour × weekday chart, a peak window of hours, a period of days that
   is not whole months — counts **no** sensitive incident (:func:`time_split`,
   :func:`cuts_groups`, :func:`whole_months`), and says so (:data:`TIME_FILTER_NOTE`). Such an
   output is a function of non-sensitive incidents only, which every user may see anyway (filter
   on non-sensitive types): set beside any other output it adds nothing about a victim. Every
   other output counts sensitive incidents only in whole groups of 0 or :data:`MIN_COUNT` and
   more, so the difference of any two shown figures holds whole groups only: 0 or at least
   :data:`MIN_COUNT` sensitive incidents (``tests/test_differencing.py`` checks every pair of
   filter states).
4. **Display.** Withheld counts under :data:`MIN_COUNT` show as :data:`SUPPRESSED`
   (``"<5"``), larger withheld counts as :data:`WITHHELD` (:func:`shown_counts`).
5. **Quarantine.** Rows set aside at ingest keep file, line and reason, but a row whose crime
   type is sensitive or unknown (from an exact-coordinate source) loses its source values:
   coordinates, address, everything (:func:`blank_sensitive_coordinates`).

What is sensitive is decided in :mod:`hotspots.data.schema` (taxonomy, the maintained list
``data/resources/sensitive_labels.csv`` and :data:`SENSITIVE_PATTERN`; unknown types and
violence — every type of the group "Violence and sexual offences", "Assault" as much as
"Rape" — from exact-coordinate sources count as sensitive: an exact point of violence may be
a victim's home).

Counts of sensitive incidents near a point (feedback near incidents) are counts in the point's
own hexagon at :data:`MAX_SENSITIVE_RES`, not circles: hexagons never overlap, so two points
show the same figure or figures of disjoint areas, and none can be subtracted from another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

MIN_COUNT = 5
"""Smallest count of sensitive incidents shown; smaller counts are suppressed."""

SUPPRESSED = f"<{MIN_COUNT}"
"""How a withheld count under :data:`MIN_COUNT` is shown."""

WITHHELD = "withheld"
"""How a withheld count of :data:`MIN_COUNT` or more is shown (it holds a small group)."""

MAX_SENSITIVE_RES = 8
"""Finest H3 resolution (≈ 0.7 km² hexagons) of any layer drawn from sensitive incidents."""

MIN_SENSITIVE_RADIUS_M = 300.0
"""Smallest radius, metres, of any count of sensitive incidents around a point."""

GROUP_KEYS: tuple[str, ...] = ("source", "crime_type", "ward_code", "month")
"""Columns that define one group of sensitive incidents (within one output cell)."""

SNAPPED_SOURCES: frozenset[str] = frozenset({"police.uk"})
"""Sources whose points are already anonymised (snapped to a street point); every other
source has exact coordinates."""

SENSITIVE_PATTERN = re.compile(
    r"\bsex|rape|rasso|domestic|\bdv\b|\bda\b|\bdom\b|\bdom\.|stalk|indecen|grooming|voyeur"
    r"|upskirt|coercive|controlling|honou?r|\bfgm\b|genital|forced marriage|revenge porn"
    r"|intimate image|child abuse|\bcsa\b|\bcse\b|exploitation|slavery|trafficking"
    r"|\bvawg\b|\bincest|paedophil|pedophil|intimate partner|\bipv\b|\bex.?partner",
    re.IGNORECASE,
)
"""A crime type nobody mapped is still sensitive when its name matches: failing open would put
a victim's location on a map."""


TIME_FILTER_NOTE = (
    "Sensitive offences (domestic abuse, sexual offences, stalking) are not shown when hours or "
    "days are filtered, nor in hour-of-day or day-of-week charts: a few of them at one time "
    "could point to a victim."
)
"""What a view says when an output leaves sensitive incidents out because time cuts a group."""

SMALL_GROUPS_NOTE = (
    f"Sensitive offences (domestic abuse, sexual offences, stalking) in groups of fewer than "
    f"{MIN_COUNT} of one source, type, ward and month are left out of every figure, list and "
    "message."
)
"""What a product says, always (whatever the data hold), when its data load leaves out the
sensitive incidents of small groups (:func:`countable`): a page or file that told a selection
of none from one of only withheld incidents would say that a victim's offence is there."""

PERIOD_NOTE = (
    "Sensitive offences (domestic abuse, sexual offences, stalking) are left out of periods of "
    "days that are not whole months: choose whole months to count them."
)
"""What a view says when a period of days leaves sensitive incidents out."""


def cuts_groups(*, hours: tuple[int, int] | None = None, days: Sequence[int] = ()) -> bool:
    """Whether a time-of-day (``hours``) or day-of-week (``days``) filter is on: it cuts the
    groups of :data:`GROUP_KEYS`, so the output may count no sensitive incident
    (:func:`time_split`)."""
    return hours is not None or bool(days)


def whole_months(first: pd.Period, last: pd.Period) -> bool:
    """Whether the period ``first`` … ``last`` (both inclusive, months or days) is whole
    calendar months, so it selects whole groups.

    Examples
    --------
    >>> whole_months(pd.Period("2022-01-01", "D"), pd.Period("2022-02-28", "D"))
    True
    >>> whole_months(pd.Period("2022-01-04", "D"), pd.Period("2022-01-31", "D"))
    False
    """
    start, stop = first.start_time, (last + 1).start_time
    return bool(start == start.to_period("M").start_time and stop == stop.to_period("M").start_time)


def time_split(incidents: pd.DataFrame) -> pd.DataFrame:
    """The incidents an output cut by time may count: every sensitive one left out.

    For outputs filtered or split by time of day or day of week, or over a period of days that
    is not whole months (see the module docstring, rule 3). ``attrs`` are kept;
    ``attrs["sensitive_left_out"]`` says how many were left out (a view says that some were,
    with :data:`TIME_FILTER_NOTE`, never the number).
    """
    sensitive = time_split_rows(incidents)
    out = incidents.loc[~sensitive].copy()
    out.attrs = {**incidents.attrs, "sensitive_left_out": int(sensitive.sum())}
    return out


def time_split_rows(incidents: pd.DataFrame) -> np.ndarray:
    """Per incident: True when an output cut by time, or by an area drawn at will, may not
    count it (it is sensitive; a frame without the ``sensitive`` column holds none)."""
    if "sensitive" not in incidents.columns:
        return np.zeros(len(incidents), dtype=bool)
    return _sensitive(incidents)


def is_exact_source(source: pd.Series | np.ndarray | Sequence[str]) -> np.ndarray:
    """Per row: True when the source has exact coordinates (not police.uk's snapped points)."""
    values = pd.Series(np.asarray(source, dtype=object)).astype("string").str.strip()
    return (~values.str.lower().isin(SNAPPED_SOURCES)).fillna(True).to_numpy(bool)


def exact_source_name(name: str) -> str:
    """The source name of rows whose coordinates are exact (a council log, CAD data, anything
    read through a column map): ``name``, unless it is the name of a source whose points are
    anonymised (:data:`SNAPPED_SOURCES`), which would switch their protection off; then
    ``name`` and " (own data)" (a council log saved as ``police.uk.csv``).

    Examples
    --------
    >>> exact_source_name("council_log"), exact_source_name("Police.UK ")
    ('council_log', 'Police.UK (own data)')
    """
    return name if is_exact_source([name])[0] else f"{name.strip()} (own data)"


def mappable(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The incidents whose locations may feed a map layer: sensitive rows left out.

    ``attrs`` are kept; ``attrs["sensitive_left_out"]`` says how many were left out and
    ``attrs["sensitive_left_out_shown"]`` how a view may say it (through :func:`gate`: ``"<5"``
    or ``"withheld"`` when the number holds a small group).
    """
    sensitive = _sensitive(incidents)
    out = incidents.loc[~sensitive]  # a mask makes a new frame: its changes stay in it
    n = int(sensitive.sum())
    hide = bool(gate(incidents.loc[sensitive], np.zeros(n, dtype=int)).any()) if n else False
    # none left out: "0", as shown_counts shows a zero (without its pandas work per call)
    shown = shown_counts(pd.Series([n]), [hide]).iloc[0] if n else "0"
    out.attrs = {**incidents.attrs, "sensitive_left_out": n, "sensitive_left_out_shown": shown}
    return out


def check_floors(
    incidents: pd.DataFrame, *, res: int | None = None, radius_m: float | None = None
) -> None:
    """Raise ``ValueError`` when a layer of ``incidents`` holding sensitive rows is too fine.

    Parameters
    ----------
    incidents
        The incidents the layer is drawn from.
    res
        H3 resolution of the layer; above :data:`MAX_SENSITIVE_RES` is refused.
    radius_m
        Radius of a count around a point, metres; under :data:`MIN_SENSITIVE_RADIUS_M` refused.
    """
    if "sensitive" not in incidents.columns or not _sensitive(incidents).any():
        return
    if res is not None and res > MAX_SENSITIVE_RES:
        raise ValueError(
            f"H3 resolution {res} is finer than {MAX_SENSITIVE_RES}, the floor for layers "
            "drawn from sensitive incidents; leave them out (disclosure.mappable) or use a "
            "coarser resolution"
        )
    if radius_m is not None and radius_m < MIN_SENSITIVE_RADIUS_M:
        raise ValueError(
            f"a radius of {radius_m:g} m is under {MIN_SENSITIVE_RADIUS_M:g} m, the floor for "
            "counts of sensitive incidents"
        )


def small_groups(
    incidents: pd.DataFrame,
    cells: pd.Series | np.ndarray | None = None,
    *,
    min_count: int = MIN_COUNT,
) -> np.ndarray:
    """Per incident: True when it is sensitive and its group holds 1..``min_count - 1``.

    A group is the sensitive incidents sharing :data:`GROUP_KEYS` (and ``cells``, the output
    cell of each incident, when given). Missing key columns count as one value.
    """
    sensitive = _sensitive(incidents)
    out = np.zeros(len(incidents), dtype=bool)
    if not sensitive.any():
        return out
    keys = [_key(incidents, c)[sensitive] for c in GROUP_KEYS]
    if cells is not None:
        keys.append(pd.Series(np.asarray(cells, dtype=object)).astype("string")[sensitive])
    frame = pd.DataFrame({f"k{i}": k.fillna("\x00").to_numpy() for i, k in enumerate(keys)})
    size = frame.groupby(list(frame.columns), sort=False)["k0"].transform("size").to_numpy()
    out[sensitive] = size < min_count
    return out


def gate(
    incidents: pd.DataFrame,
    cells: pd.Series | np.ndarray | Sequence[Hashable],
    *,
    min_count: int = MIN_COUNT,
) -> pd.Series:
    """The disclosure gate: which output cells must be withheld.

    Parameters
    ----------
    incidents
        The incidents counted (with ``sensitive`` and the :data:`GROUP_KEYS` columns).
    cells
        Per incident, the output cell it is counted in (a ward code, a measure, a group key,
        a period …); missing (NA) = counted in no cell.
    min_count
        Smallest group of sensitive incidents that may be shown.

    Returns
    -------
    Series of bool indexed by cell: True = withhold the cell's count and everything computed
    from it. A cell is withheld when it holds a group of 1..``min_count - 1`` sensitive
    incidents (see the module docstring); cells of non-sensitive incidents only never are.

    Examples
    --------
    >>> inc = pd.DataFrame({"sensitive": [True, False, False], "crime_type": ["Rape", "Theft",
    ...                     "Theft"], "ward_code": ["A", "A", "B"], "month": "2022-01",
    ...                     "source": "council"})
    >>> gate(inc, inc["ward_code"]).to_dict()
    {'A': True, 'B': False}
    """
    cell = pd.Series(np.asarray(cells, dtype=object), copy=False)
    present = cell.notna().to_numpy(bool)
    small = small_groups(incidents.loc[present], cell[present].to_numpy(), min_count=min_count)
    labels = cell[present].reset_index(drop=True)
    return pd.Series(small).groupby(labels.to_numpy(), sort=False).any().astype(bool)


def countable(incidents: pd.DataFrame, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
    """The incidents a chart of time may count: sensitive ones only from groups that pass.

    Non-sensitive incidents are all kept; ``attrs["sensitive_left_out"]`` says how many
    sensitive ones were not (the view says so without the number when it is under
    ``min_count``).
    """
    small = small_groups(incidents, min_count=min_count)
    out = incidents.loc[~small].copy()
    out.attrs = {**incidents.attrs, "sensitive_left_out": int(small.sum())}
    return out


def disclosable(incidents: pd.DataFrame) -> pd.DataFrame:
    """The incidents of a data load that every output may count: :func:`countable`, whose
    ``attrs`` do not say how many it left out (a product says :data:`SMALL_GROUPS_NOTE`,
    always).

    Examples
    --------
    >>> inc = pd.DataFrame({"sensitive": [True, False, False], "crime_type": ["Rape", "Theft",
    ...                     "Theft"], "ward_code": ["A", "A", "B"], "month": "2022-01",
    ...                     "source": "council"})
    >>> kept = disclosable(inc)
    >>> kept["crime_type"].tolist(), "sensitive_left_out" in kept.attrs
    (['Theft', 'Theft'], False)
    >>> disclosable(kept) is kept  # nothing to leave out: no copy
    True
    """
    if not small_groups(incidents).any():  # (police.uk's: none sensitive) the frame itself
        return incidents
    out = countable(incidents)
    out.attrs = dict(incidents.attrs)
    return out


def shown_counts(
    counts: pd.Series, withheld: pd.Series | np.ndarray | None = None, *, min_count: int = MIN_COUNT
) -> pd.Series:
    """Counts as display strings: withheld ones as ``"<5"`` (under ``min_count``) or
    :data:`WITHHELD`; ``withheld=None`` withholds counts 1..``min_count - 1`` (a selection of
    sensitive incidents only). Zero stays ``"0"``; NaN shows as ``"n/a"``.

    Examples
    --------
    >>> shown_counts(pd.Series([0, 3, 12, 40]), [False, True, False, True]).tolist()
    ['0', '<5', '12', 'withheld']
    """
    values = pd.to_numeric(counts, errors="raise").round().astype("Int64")
    if withheld is None:
        withheld = ((values > 0) & (values < min_count)).fillna(False).to_numpy(bool)
    hide = np.asarray(withheld, dtype=bool)
    out = values.astype("string").fillna("n/a")
    out[hide & ((values > 0) & (values < min_count)).fillna(False).to_numpy(bool)] = f"<{min_count}"
    out[hide & (values >= min_count).fillna(False).to_numpy(bool)] = WITHHELD
    return out


def suppress_small(counts: pd.Series, *, min_count: int = MIN_COUNT) -> pd.Series:
    """Counts of sensitive incidents only, as display strings, 1..``min_count - 1`` as ``"<5"``.

    Zero stays ``"0"`` (no incident is disclosed by a zero).

    Examples
    --------
    >>> suppress_small(pd.Series([0, 3, 12])).tolist()
    ['0', '<5', '12']
    """
    return shown_counts(counts, min_count=min_count).astype("string")


QUOTED_RECORD = "; record text: "
"""What a quarantine detail puts before the text of a line it quotes (a line too broken to read,
a byte that is not text): a withheld row's detail is cut there."""

DETAIL_WITHOUT_VALUES: tuple[str, ...] = (
    "outside_study_area",
    "implausible_date",
    "end_before_start",
    "duplicate_id",
)
"""Quarantine reasons whose detail is the loader's own words (a month, the study area, an
incident id and the line it repeats), never a value of the row: kept for withheld rows."""

_WITHHELD_DETAIL = "sensitive or unknown crime type: values withheld"

_DATE_LIKE = re.compile(
    # 12/25/2024, 31.02.24, 2024-13-01, 2024-13 (never two numbers alone: 53.87)
    r"\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}(?:[/.-]\d{1,2})?)"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[apAP][mM])?)?\s*"  # and a time of day
)
"""A quoted value a withheld row's detail may keep: a date (and time) of day, month and year
in numbers only ("12/25/2024 12:00", "2024-13-01"), never a coordinate ("53.877050 -1.614",
"53,789541"), a word or a place."""


def _quotes_only_dates(details: pd.Series, reasons: pd.Series) -> np.ndarray:
    """Per detail of an unreadable date: every value it quotes ('…') reads as a date or time,
    nothing else."""
    quoted = details.str.findall(r"'([^']*)'")
    dated = (reasons == "unparseable_date").to_numpy(bool)
    return np.array(
        [
            # one quoted value, whole: a cell's own quote marks could hide text between two
            d and len(q) == 1 and text.count("'") == 2 and bool(_DATE_LIKE.fullmatch(q[0]))
            for d, q, text in zip(dated, quoted, details, strict=True)
        ],
        dtype=bool,
    )


UK_POSTCODE = r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b"
"""A full UK postcode ("M16 8XY", "AL11AA"), case-insensitive: it names a few houses."""

_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|close|drive|way|crescent|court|place|grove|gardens|"
    "terrace|walk|hill|row|square|mews|rise|view|green|park|parade|vale|gate|path"
)
_PERSONAL = re.compile(
    rf"(?i:{UK_POSTCODE})"
    # a house number before a capitalised street name: "12 Acacia Avenue", "3a Mill Rd"
    rf"|\b\d{{1,4}}[a-zA-Z]?,?\s*(?:[A-Z][\w'’-]*\s+){{0,3}}(?i:{_STREET_WORDS})\b"
)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
"""Zero-width and soft-hyphen characters: dropped before reading text for addresses."""


def personal_details(text: str) -> list[str]:
    """What in free text reads as someone's postcode or house address (``"M5 4WT"``, ``"12
    Acacia Avenue"``): text a partnership keeps about a place must not say who lives where.

    Examples
    --------
    >>> personal_details("Jane was followed from 12 Acacia Avenue, M5 4WT")
    ['12 Acacia Avenue', 'M5 4WT']
    >>> personal_details("2 lads on Station Road most nights")
    []
    """
    if not isinstance(text, str):  # a blank cell
        return []
    # read as shown: full-width and look-alike digits as digits, no invisible characters
    plain = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return [m.group(0).strip() for m in _PERSONAL.finditer(plain)]


def blank_sensitive_coordinates(
    rows: pd.DataFrame,
    sensitive: np.ndarray,
    *,
    keep: Sequence[str] = ("file", "line", "reason", "detail"),
    detail_kept: Sequence[str] = DETAIL_WITHOUT_VALUES,
) -> pd.DataFrame:
    """``rows`` (e.g. the quarantine) with every value of the ``sensitive`` rows blanked but
    the ``keep`` columns: no coordinate or address of a sensitive row leaves, its line and
    reason do. Its ``detail`` loses the text of the line it quotes (after
    :data:`QUOTED_RECORD`: what is wrong and where is kept), and is replaced unless its
    ``reason`` is one whose detail never quotes the row's values (``detail_kept``) or what it
    quotes reads as a date or time only (an unreadable date's cell: "12/25/2024 12:00").
    """
    hide = np.asarray(sensitive, dtype=bool)
    if not hide.any():
        return rows
    out = rows.copy()
    blank = [c for c in out.columns if c not in keep]
    out[blank] = out[blank].astype(object)
    out.loc[hide, blank] = None
    if "detail" in out.columns and "reason" in out.columns:
        detail = out["detail"].astype("str")
        cut = hide & detail.str.contains(QUOTED_RECORD, regex=False).to_numpy(bool)
        out.loc[cut, "detail"] = [
            f"{text.partition(QUOTED_RECORD)[0]} ({_WITHHELD_DETAIL})" for text in detail[cut]
        ]
        kept = out["reason"].isin(detail_kept).to_numpy(bool) | _quotes_only_dates(
            detail, out["reason"]
        )
        out.loc[hide & ~cut & ~kept, "detail"] = _WITHHELD_DETAIL
    return out


def withheld_rows_quoting_nothing(quarantine: pd.DataFrame) -> pd.DataFrame:
    """A quarantine saved before :func:`blank_sensitive_coordinates` withheld every detail that
    may quote a row's values: the rows whose values were all withheld (a sensitive or unknown
    type from exact locations) lose such a detail too, as they would be set aside now."""
    values = quarantine.iloc[:, 4:]
    if "detail" not in quarantine.columns or values.shape[1] == 0 or quarantine.empty:
        return quarantine
    withheld = values.isna().all(axis=1).to_numpy(bool)
    return blank_sensitive_coordinates(quarantine, withheld)


def _sensitive(incidents: pd.DataFrame) -> np.ndarray:
    return incidents["sensitive"].astype("boolean").fillna(True).to_numpy(bool)


def _key(incidents: pd.DataFrame, column: str) -> pd.Series:
    if column not in incidents.columns:
        return pd.Series("", index=range(len(incidents)), dtype="string")
    return incidents[column].reset_index(drop=True).astype("string")
