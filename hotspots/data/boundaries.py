"""The national boundary pack: every district of England and Wales, its wards and LSOAs.

The pack ships inside the package (``hotspots/data/resources/boundaries_ew/``, built by
``scripts/build_boundary_pack.py``; licences and vintage in ``data/README.md``):
2013 electoral wards, 2011 LSOAs with their 2011 Census residents, and district outlines (the
union of each district's wards) for the 348 districts of England and Wales, by their
2016-era codes. Districts merged since (Dorset, Buckinghamshire, North Yorkshire, …) appear as
their older parts. Geometry is simplified to about 15 m. Look a district up by code or name::

    >>> leeds = district("Leeds")
    >>> leeds.code, len(leeds.wards), len(leeds.lsoas)
    ('E08000035', 33, 482)

Per-ward population (LSOA residents shared among wards) is computed in
:func:`hotspots.space.areas.ward_population`; its area-weighted shares of every ward of the pack
are stored beside it (``ward_residents.parquet``, :func:`ward_residents`, built by
``scripts/build_ward_residents.py``) so naming the wards of many districts costs no polygon
intersections.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from hotspots.core.crs import from_lonlat, to_crs, to_lonlat
from hotspots.core.points import distinct_points
from hotspots.data.schema import BNG, WGS84

if TYPE_CHECKING:
    import pyarrow as pa

VINTAGE = "wards: 2013 electoral wards; LSOAs: 2011; residents: 2011 Census; district codes: 2016"
"""The boundary and population vintage of the pack, stated wherever its rates are shown."""

_CODE = re.compile(r"^[EW]\d{8}$", re.IGNORECASE)

_ONS_SUFFIX = re.compile(r",\s*(city|county|city and county) of$", re.IGNORECASE)
"""ONS style "Bristol, City of": the name is the part before the comma."""


@dataclass(frozen=True)
class Successor:
    """A council formed (or renamed) after the pack's 2016-era districts: its code, the year
    and the pack districts it covers."""

    name: str
    code: str
    year: int
    parts: tuple[str, ...]


SUCCESSORS: tuple[Successor, ...] = (
    Successor("Bournemouth, Christchurch and Poole", "E06000058", 2019,
              ("E06000028", "E07000048", "E06000029")),
    Successor("Dorset", "E06000059", 2019,
              ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053")),
    Successor("East Suffolk", "E07000244", 2019, ("E07000205", "E07000206")),
    Successor("West Suffolk", "E07000245", 2019, ("E07000201", "E07000204")),
    Successor("Somerset West and Taunton", "E07000246", 2019, ("E07000190", "E07000191")),
    Successor("Buckinghamshire", "E06000060", 2020,
              ("E07000004", "E07000005", "E07000006", "E07000007")),
    Successor("North Northamptonshire", "E06000061", 2021,
              ("E07000150", "E07000152", "E07000153", "E07000156")),
    Successor("West Northamptonshire", "E06000062", 2021, ("E07000151", "E07000154", "E07000155")),
    Successor("Cumberland", "E06000063", 2023, ("E07000026", "E07000028", "E07000029")),
    Successor("Westmorland and Furness", "E06000064", 2023,
              ("E07000027", "E07000030", "E07000031")),
    Successor("North Yorkshire", "E06000065", 2023,
              ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168",
               "E07000169")),
    Successor("Somerset", "E06000066", 2023,
              ("E07000187", "E07000188", "E07000189", "E07000190", "E07000191")),
    Successor("Folkestone and Hythe", "E07000112", 2018, ("E07000112",)),
)  # fmt: skip
"""Councils the pack knows by their former districts (a renamed one by its old name)."""


@dataclass(frozen=True)
class District:
    """One district of the pack.

    Attributes
    ----------
    code, name
        LAD code (``"E08000035"``) and name (``"Leeds"``).
    wards
        2013 wards: ``area_code`` (WD13CD), ``area_name``, geometry (EPSG:4326).
    lsoas
        2011 LSOAs: ``area_code`` (LSOA11CD), ``area_name``, geometry (EPSG:4326); built from
        ``lsoa_rows`` (the pack's rows, geometry as WKB in EPSG:27700) when first used.
    population
        ``lsoa_code``, ``residents``, ``households`` (2011 Census) for every LSOA.
    outline
        The union of the wards, EPSG:4326.
    vintage
        :data:`VINTAGE`.
    """

    code: str
    name: str
    wards: gpd.GeoDataFrame
    lsoa_rows: pd.DataFrame = field(repr=False)
    population: pd.DataFrame
    outline: BaseGeometry
    vintage: str = VINTAGE

    @property
    def label(self) -> str:
        """``"Leeds (E08000035)"``."""
        return f"{self.name} ({self.code})"

    @functools.cached_property
    def lsoas(self) -> gpd.GeoDataFrame:
        """The 2011 LSOAs, built when first asked for (most uses need only ``population``)."""
        rows = self.lsoa_rows
        lsoas = to_crs(
            gpd.GeoDataFrame(
                {"area_code": rows["lsoa_code"], "area_name": rows["lsoa_name"]},
                geometry=gpd.GeoSeries.from_wkb(rows["geometry"], crs=BNG),
            ),
            WGS84,
        )
        lsoas.attrs["report"] = {"source": f"national boundary pack: 2011 LSOAs of {self.code}"}
        return lsoas


def pack_dir() -> Path:
    """The folder holding the pack's GeoParquet files."""
    return Path(__file__).resolve().parent / "resources" / "boundaries_ew"


@functools.cache
def districts() -> pd.DataFrame:
    """Every district in the pack: ``lad_code``, ``lad_name``, ``n_wards``, ``n_lsoas``,
    ``residents`` (2011), without geometry; sorted by code.

    Examples
    --------
    >>> len(districts())
    348
    """
    import pyarrow.parquet as pq  # lazy: imported when a district is first read

    columns = ["lad_code", "lad_name", "n_wards", "n_lsoas", "residents"]
    # one file: ParquetFile reads it as pd.read_parquet does, without pyarrow.dataset (~0.1 s)
    table = pq.ParquetFile(pack_dir() / "districts.parquet").read(columns=columns).to_pandas()
    return table.sort_values("lad_code", ignore_index=True)


@functools.cache
def district_outlines() -> gpd.GeoDataFrame:
    """Every district's outline (``lad_code``, ``lad_name``, ``residents``), EPSG:27700."""
    import pyarrow.parquet as pq  # lazy: imported when a district is first read

    frame = pq.ParquetFile(pack_dir() / "districts.parquet").read().to_pandas()
    return gpd.GeoDataFrame(
        frame[["lad_code", "lad_name", "residents"]],
        geometry=gpd.GeoSeries.from_wkb(frame["geometry"], crs=BNG),
    )


def districts_at(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The LAD code of the district holding each lon/lat point (``None`` outside them all)."""
    outlines = district_outlines()
    x, y = from_lonlat(lon, lat, BNG)
    points = shapely.points(x, y)
    where, which = outlines.sindex.query(points, predicate="within")
    codes = np.full(len(points), None, dtype=object)
    codes[where] = outlines["lad_code"].to_numpy()[which]
    return codes


WELSH_NAMES: dict[str, str] = {
    "Ynys Môn": "W06000001", "Ynys Mon": "W06000001", "Sir Ddinbych": "W06000004",
    "Sir y Fflint": "W06000005", "Wrecsam": "W06000006", "Sir Benfro": "W06000009",
    "Sir Gâr": "W06000010", "Sir Gar": "W06000010", "Sir Gaerfyrddin": "W06000010",
    "Abertawe": "W06000011", "Castell-nedd Port Talbot": "W06000012",
    "Pen-y-bont ar Ogwr": "W06000013", "Bro Morgannwg": "W06000014", "Caerdydd": "W06000015",
    "Caerffili": "W06000018", "Sir Fynwy": "W06000021", "Casnewydd": "W06000022",
    "Merthyr Tudful": "W06000024",
}  # fmt: skip
"""The councils of Wales by their Welsh names, where these differ from the English ones the
pack holds → LAD code."""


@functools.cache
def _names_by_code() -> dict[str, str]:
    """Every district's name by its LAD code (a code is looked up once per district of a
    command: 36 for London's files, no table filtered for each)."""
    table = districts()
    return dict(zip(table["lad_code"].astype(str), table["lad_name"].astype(str), strict=True))


def find_district(code_or_name: str) -> tuple[str, str]:
    """The ``(code, name)`` of a district given by LAD code or name (any case).

    Raises
    ------
    LookupError
        Unknown code or name (the message lists close matches), or a name shared by several
        districts (the message lists them with their codes).

    Examples
    --------
    >>> find_district("leeds")
    ('E08000035', 'Leeds')
    >>> find_district("Abertawe")
    ('W06000011', 'Swansea')
    """
    text = " ".join(str(code_or_name).split())
    table = districts()
    successor = _successor(text)
    if successor is not None and len(successor.parts) == 1:  # renamed: the same district
        return successor.parts[0], str(
            table.set_index("lad_code").at[successor.parts[0], "lad_name"]
        )
    if successor is not None:
        raise LookupError(
            f"{successor.name} ({successor.code}) became one council in {successor.year}; the "
            "boundary pack holds its former districts (2016-era wards and 2011 residents): "
            f"{_listing(table[table['lad_code'].isin(successor.parts)])}. Pass one of their "
            "codes; find_area, --study-area and a workspace (hotspots init DIR --area "
            f"{successor.code}) take the whole council"
        )
    if _CODE.match(text):
        name = _names_by_code().get(text.upper())
        if name is not None:
            return text.upper(), name
        raise LookupError(
            f"district code {text!r} is not in the boundary pack (348 districts of England and "
            "Wales, 2016-era codes; merged districts appear as their older parts, e.g. "
            "Dorset's as Weymouth and Portland E07000053); commands with --study-area also "
            "take a boundary file"
        )
    folded = table["lad_name"].map(_fold)
    wanted = _fold(text)
    welsh = {_fold(name): code for name, code in WELSH_NAMES.items()}
    if wanted in welsh:  # the pack names Welsh councils in English
        return find_district(welsh[wanted])
    hit = table[folded == wanted]
    if len(hit) == 1:
        return str(hit["lad_code"].iloc[0]), str(hit["lad_name"].iloc[0])
    if len(hit) > 1:  # no two districts share a name today; kept for future packs
        raise LookupError(f"district name {text!r} is ambiguous: {_listing(hit)}; pass the code")
    if _ONS_SUFFIX.search(text):  # ONS style "Bristol, City of" → "Bristol"
        return find_district(_ONS_SUFFIX.sub("", text))
    contains = table[folded.str.contains(wanted, regex=False)] if len(wanted) >= 3 else table[:0]
    if len(contains) == 1:
        return str(contains["lad_code"].iloc[0]), str(contains["lad_name"].iloc[0])
    if len(contains) > 1:
        raise LookupError(
            f"district name {text!r} matches several districts: {_listing(contains)}; "
            "pass the full name or the code"
        )
    close = difflib.get_close_matches(wanted, folded.tolist(), n=5, cutoff=0.6)
    suggestions = table.set_index(folded).loc[close].reset_index(drop=True)
    hint = f"; did you mean {_listing(suggestions)}?" if len(suggestions) else ""
    raise LookupError(
        f"no district called {text!r} in the boundary pack of England and Wales{hint} "
        "(or pass a LAD code such as 'E08000035'; commands with --study-area also take a "
        "boundary file)"
    )


def find_area(code_or_name: str) -> tuple[str, str, list[str]]:
    """The ``(code, name, districts)`` of a district, or of a council formed since from several
    (:data:`SUCCESSORS`): its code, name and the pack's former districts it covers.

    Raises
    ------
    LookupError
        As :func:`find_district` for a name or code that is neither.

    Examples
    --------
    >>> find_area("North Northamptonshire")[2]
    ['E07000150', 'E07000152', 'E07000153', 'E07000156']
    >>> find_area("Leeds")
    ('E08000035', 'Leeds', ['E08000035'])
    >>> find_area("Shepway")  # renamed in 2018: by its name now
    ('E07000112', 'Folkestone and Hythe', ['E07000112'])
    """
    council = _successor(" ".join(str(code_or_name).split()))
    if council is not None and len(council.parts) > 1:
        return council.code, council.name, list(council.parts)
    code, name = find_district(code_or_name)
    renamed = next((s for s in SUCCESSORS if s.parts == (code,)), None)
    return code, (renamed.name if renamed else name), [code]  # a renamed council: its name now


def district(code_or_name: str) -> District:
    """Wards, LSOAs, residents and outline of one district, by LAD code or name.

    Reads only that district's row groups of the pack; results are cached per district.

    Raises
    ------
    LookupError
        As :func:`find_district`.
    """
    return districts_data([code_or_name])[0]


def districts_data(codes_or_names: Sequence[str]) -> list[District]:
    """:func:`district` of each of several districts, in the order given, the pack read once.

    The districts not yet cached are read together: one filtered read of each pack file (wards,
    LSOAs, outlines) instead of one per district, then split by district; each is the same
    :class:`District` that :func:`district` gives alone.

    Raises
    ------
    LookupError
        As :func:`find_district`, for the first unknown code or name.
    """
    codes = [find_district(c)[0] for c in codes_or_names]
    found = {code: _LOADED[code] for code in codes if code in _LOADED}
    todo = list(dict.fromkeys(c for c in codes if c not in found))
    if todo:
        rows = {
            name: _read_rows_of(name, todo, geometry=name != "lsoas")
            for name in ("wards", "lsoas", "districts")
        }
        for code in todo:
            found[code] = _LOADED[code] = _build(code, *(rows[name][code] for name in rows))
            while len(_LOADED) > _LOADED_MAX:  # the first read goes first
                _LOADED.pop(next(iter(_LOADED)))
    return [found[code] for code in codes]


_LOADED: dict[str, District] = {}
"""Districts read so far, by LAD code (at most :data:`_LOADED_MAX`, oldest dropped first)."""

_LOADED_MAX = 32


def _build(
    code: str,
    ward_rows: gpd.GeoDataFrame,
    lsoa_rows: pd.DataFrame,
    outline_row: gpd.GeoDataFrame,
) -> District:
    """One district from its rows of the three pack files (wards and outline in EPSG:4326;
    the LSOAs' geometry still WKB, EPSG:27700)."""
    wards = gpd.GeoDataFrame(
        {"area_code": ward_rows["ward_code"], "area_name": ward_rows["ward_name"]},
        geometry=ward_rows.geometry,
    )
    wards.attrs["report"] = _wards_report(code)
    population = pd.DataFrame(lsoa_rows[["lsoa_code", "residents", "households"]])
    population = population.astype({"residents": "int64", "households": "int64"})
    outline = shapely.make_valid(outline_row.geometry.iloc[0])
    return District(
        code=code,
        name=str(outline_row["lad_name"].iloc[0]),
        wards=wards,
        lsoa_rows=lsoa_rows,
        population=population,
        outline=outline,
    )


def stacked_wards(codes: Sequence[str]) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The 2013 wards of the districts ``codes`` (the pack's LAD codes), stacked in the order
    given, each district's in the pack's order: what concatenating each :class:`District`'s
    ``wards`` gives (``area_code``, ``area_name``, geometry in EPSG:4326), from one filtered
    read, without a frame per district; and how many wards each district has.

    Examples
    --------
    >>> wards, sizes = stacked_wards(["E08000035", "E08000032"])  # Leeds, Bradford
    >>> len(wards), sizes.tolist()
    (63, [33, 30])
    """
    frame = _rows_of_districts(pack_dir() / "wards.parquet", codes).to_pandas()
    lad = frame["lad_code"].to_numpy()
    rows = [np.flatnonzero(lad == code) for code in codes]
    picked = frame.iloc[np.concatenate(rows)] if rows else frame.iloc[:0]
    shapes = gpd.GeoSeries.from_wkb(picked["geometry"].to_numpy(), crs=BNG)
    wards = gpd.GeoDataFrame(
        {"area_code": picked["ward_code"].to_numpy(), "area_name": picked["ward_name"].to_numpy()},
        geometry=shapes,
    )
    if len(set(codes)) == 1:  # pd.concat keeps the districts' attrs when all are alike
        wards.attrs["report"] = _wards_report(codes[0])
    return to_crs(wards, WGS84), np.array([r.size for r in rows], dtype=np.int64)


def _wards_report(code: str) -> dict[str, str]:
    """Where a district's wards come from (their ``attrs["report"]``)."""
    return {"source": f"national boundary pack: 2013 wards of {code}"}


def ward_residents(codes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The 2011 residents and households of each ward of the districts ``codes`` (LAD codes)
    as :func:`hotspots.space.areas.ward_population` shares them by area, precomputed for the
    whole pack (``ward_residents.parquet``, ``scripts/build_ward_residents.py``): code ->
    ``ward_code``, ``residents``, ``households`` in the pack's ward order. Districts missing
    from the file (or no file) are missing from the result: compute those."""

    path = pack_dir() / "ward_residents.parquet"
    if not path.exists():
        return {}
    frame = _rows_of_districts(path, codes).to_pandas()
    lad = frame["lad_code"].to_numpy()
    return {
        code: frame.iloc[np.flatnonzero(lad == code)].reset_index(drop=True)
        for code in dict.fromkeys(codes)
        if (lad == code).any()
    }


def district_counts(x: ArrayLike, y: ArrayLike) -> pd.DataFrame:
    """How many points fall in each district of the pack.

    Each distinct location is tested once against the district outlines (simplified to about
    15 m, so a point within metres of a district boundary may count in its neighbour).

    Parameters
    ----------
    x, y
        British National Grid metres (EPSG:27700), 1-D and of equal length.

    Returns
    -------
    DataFrame
        ``lad_code``, ``lad_name``, ``points`` (int) and ``share`` (0..1 of all points), for
        the districts holding any point, most points first. ``attrs["outside"]``: points in no
        district of England and Wales (Scotland, the sea, bad coordinates).

    Examples
    --------
    >>> counts = district_counts([505_000.0, np.nan], [207_000.0, 1.0])  # Hemel Hempstead
    >>> counts[["lad_name", "points", "share"]].values.tolist(), counts.attrs["outside"]
    ([['Dacorum', 1, 0.5]], 1)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    located = np.isfinite(x) & np.isfinite(y)  # a missing coordinate is in no district
    codes, px, py = distinct_points(x[located], y[located])
    weight = np.bincount(codes, minlength=px.size)
    table, tree = _outline_index()
    place, found = tree.query(shapely.points(px, py), predicate="intersects")
    first = np.full(px.size, -1)
    first[place[::-1]] = found[::-1]  # a point on a shared boundary counts once (lowest index)
    inside = first >= 0
    points = np.bincount(first[inside], weights=weight[inside], minlength=len(table))
    held = np.flatnonzero(points)
    out = table.iloc[held][["lad_code", "lad_name"]].reset_index(drop=True)
    out["points"] = points[held].astype(np.int64)
    out["share"] = out["points"] / max(x.size, 1)
    out = out.sort_values(["points", "lad_code"], ascending=[False, True], ignore_index=True)
    out.attrs["outside"] = int(weight[~inside].sum()) + int((~located).sum())
    return out


def districts_outline(codes: list[str] | tuple[str, ...]) -> BaseGeometry:
    """The union of the pack outlines of the districts ``codes`` (LAD codes), EPSG:4326."""
    table, tree = _outline_index()
    known = table["lad_code"].isin(codes).to_numpy()
    missing = sorted(set(codes) - set(table["lad_code"][known]))
    if missing:
        raise LookupError(f"district code(s) {missing} are not in the boundary pack")
    merged = shapely.union_all(tree.geometries.take(np.flatnonzero(known)))
    merged = shapely.transform(
        merged, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1], BNG))
    )
    merged = shapely.make_valid(merged)
    if merged.geom_type == "GeometryCollection":  # slivers of simplified shared edges
        merged = shapely.union_all(
            [g for g in merged.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    return merged


@functools.cache
def _outline_index() -> tuple[pd.DataFrame, shapely.STRtree]:
    """Every district's code and name, and a spatial index of its outline (EPSG:27700)."""
    import pyarrow.parquet as pq  # lazy: imported when a district is first read

    # one file: ParquetFile reads it as read_table does, without pyarrow.dataset (~0.1 s)
    table = pq.ParquetFile(pack_dir() / "districts.parquet").read(
        columns=["lad_code", "lad_name", "geometry"]
    )
    outlines = shapely.from_wkb(table["geometry"].to_numpy(zero_copy_only=False))
    shapely.prepare(outlines)
    return table.drop_columns("geometry").to_pandas(), shapely.STRtree(outlines)


def area_choices() -> dict[str, list[str]]:
    """Every district of the pack as "Name (code)", and every council formed since from
    several of them (:data:`SUCCESSORS`) as "Name (year: its former districts)", sorted by
    name → the pack's LAD codes (what a picker offers).

    Examples
    --------
    >>> area_choices()["Leeds (E08000035)"]
    ['E08000035']
    """
    table = districts()
    name = dict(zip(table["lad_code"], table["lad_name"], strict=True))
    choices = {f"{name[code]} ({code})": [code] for code in table["lad_code"]}
    for council in SUCCESSORS:
        if len(council.parts) > 1:
            parts = ", ".join(name[code] for code in council.parts)
            choices[f"{council.name} ({council.year}: {parts})"] = list(council.parts)
    return dict(sorted(choices.items(), key=lambda item: item[0].casefold()))


def _successor(text: str) -> Successor | None:
    """The council of :data:`SUCCESSORS` that ``text`` names (its name or code), if any."""
    folded = _fold(text)
    return next((s for s in SUCCESSORS if folded in (_fold(s.name), s.code.casefold())), None)


def _fold(name: str) -> str:
    """Case, dots, apostrophes, hyphens and spacing do not matter: "St. Helens" = "st helens"."""
    return " ".join(re.sub(r"[.'’]", "", name).replace("-", " ").casefold().split())


def _read_rows_of(
    name: str, codes: Sequence[str], *, geometry: bool = True
) -> dict[str, pd.DataFrame]:
    """The rows of a pack file of each district in ``codes`` (one filtered read): code -> its
    rows in file order, indexed from 0 as if read alone; a GeoDataFrame in EPSG:4326 (all
    districts reprojected at once: the same coordinates as one by one), or with ``geometry``
    false a DataFrame keeping the geometry as WKB in EPSG:27700."""
    frame = _rows_of_districts(pack_dir() / f"{name}.parquet", codes).to_pandas()
    every = frame
    if geometry:
        shapes = gpd.GeoSeries.from_wkb(frame["geometry"], crs=BNG)
        every = to_crs(gpd.GeoDataFrame(frame, geometry=shapes), WGS84)
    lad = frame["lad_code"].to_numpy()
    out = {}
    for code in codes:
        rows = every.iloc[np.flatnonzero(lad == code)]
        out[code] = rows.reset_index(drop=True)
    return out


def _rows_of_districts(path: Path, codes: Sequence[str]) -> pa.Table:
    """The rows of a pack file whose ``lad_code`` is one of ``codes``, in file order: only
    the row groups whose statistics may hold them are read (the pack writes the wards and
    LSOAs one row group per district; its smaller files are one row group), then filtered
    exactly; what ``pq.read_table(path, filters=[("lad_code",
    "in", codes)])`` gives, without its dataset machinery (~0.1 s to import, more to plan)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq  # lazy: imported when a district is first read

    wanted = sorted(set(codes))
    file = pq.ParquetFile(path)
    column = file.schema_arrow.get_field_index("lad_code")
    groups = []
    for i in range(file.metadata.num_row_groups):
        stats = file.metadata.row_group(i).column(column).statistics
        lo = bisect.bisect_left(wanted, stats.min) if stats and stats.has_min_max else 0
        if not (stats and stats.has_min_max) or (lo < len(wanted) and wanted[lo] <= stats.max):
            groups.append(i)
    table = file.read_row_groups(groups)
    codes_in = pa.array(wanted, table.schema.field("lad_code").type)
    return table.filter(pc.is_in(table["lad_code"], value_set=codes_in))


def _listing(rows: pd.DataFrame) -> str:
    return ", ".join(f"{n} ({c})" for c, n in zip(rows["lad_code"], rows["lad_name"], strict=True))
