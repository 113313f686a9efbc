"""A workspace: one CSP's area, settings and data, kept on disk month after month.

Layout of a workspace folder::

    hotspots.toml          area, title, sources, category overrides, population, map tiles
    data/<source>/<YYYY-MM>.parquet   canonical incidents of one source and month (GeoParquet)
    data/<source>/<YYYY-MM>/<force>.parquet   police.uk: one part per police force and month
    data/manifest.json     per partition: rows, forces, content hash, the categories it was
                           classified with, the files it came from (sha256)
    data/quarantine/       rows set aside by each ``add``, with the reason and line
                           (Parquet; rows merely outside the district are only counted)

:func:`init` writes the TOML; :func:`add` loads files into the partitions, idempotently (the
same month twice changes nothing; files of different police forces for one month add up; a
month whose content differs replaces that month of that source and force, or the part holding
the same incidents (a file renamed), and the load report says so); :func:`open_workspace`
reads it all back, with the wards, population and :class:`~hotspots.data.coverage.Coverage`,
the ``[categories]`` of ``hotspots.toml`` applied to every month however long ago it was
added. A ``[[sources]]`` entry may also
list ``files`` read on every open (the bundled demo does this, so it holds no copies).

Examples
--------
>>> ws = init(tmp_path / "leeds", area="Leeds", title="Leeds CSP")  # doctest: +SKIP
>>> add(ws.root, ["west-yorkshire-2021.zip"]).summary()  # doctest: +SKIP
>>> open_workspace(ws.root).coverage.describe()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hotspots.core.disclosure import MIN_COUNT, exact_source_name, is_exact_source
from hotspots.data import boundaries
from hotspots.data.coverage import Coverage
from hotspots.data.ingest import (
    ColumnMap,
    IngestError,
    LoadReport,
    LoadResult,
    concat_results,
    load,
)
from hotspots.data.ingest.files import expand
from hotspots.data.schema import CATEGORIES, WORKING_CRS, classify, load_taxonomy

CONFIG = "hotspots.toml"
"""The workspace's settings file."""

POLICEUK = "police.uk"
"""Source name of police.uk street-level crime."""

DEFAULT_TILES = "CartoDB positron"

QUARANTINE = "quarantine"
"""The folder of ``data/`` holding the rows each ``add`` set aside: no source's folder."""


@dataclass(frozen=True)
class Workspace:
    """A workspace folder and its settings (read from ``hotspots.toml``)."""

    root: Path
    config: dict[str, Any]

    @property
    def title(self) -> str:
        """The title for pages and packs."""
        return str(self.config.get("title") or self.area_name)

    @property
    def area(self) -> str:
        """The district or council code (``"E08000035"``)."""
        return str(self.config["area"]["district"])

    @property
    def area_name(self) -> str:
        """The district or council name."""
        return str(self.config["area"].get("name", self.area))

    @property
    def districts(self) -> list[str]:
        """The boundary pack's districts the area covers: the district itself, or the former
        districts of a council formed since (:data:`hotspots.data.boundaries.SUCCESSORS`)."""
        return [str(code) for code in self.config["area"].get("districts") or [self.area]]

    @property
    def study_area(self) -> str | BaseGeometry:
        """The area as the readers clip to it: the district's code, or the union of the
        former districts' outlines (lon/lat)."""
        codes = self.districts
        return codes[0] if len(codes) == 1 else boundaries.districts_outline(codes)

    @property
    def outline(self) -> BaseGeometry:
        """The area's outline (lon/lat): its districts' outlines in the boundary pack, united."""
        return boundaries.districts_outline(self.districts)

    @property
    def data_dir(self) -> Path:
        """Where the partitions and manifest live."""
        return self.root / "data"

    def source(self, name: str) -> dict[str, Any]:
        """The ``[[sources]]`` entry called ``name`` (empty when none)."""
        return next((s for s in self.config.get("sources", []) if s.get("name") == name), {})


@dataclass
class AddReport:
    """What :func:`add` did, month by month: source, month, the police forces of the part
    (in words; empty for files naming none), and incidents (before and after, if replaced)."""

    added: list[tuple[str, str, str, int]] = field(default_factory=list)
    replaced: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    unchanged: list[tuple[str, str, str, int]] = field(default_factory=list)
    load: LoadResult | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The load report in words, one line per month added, replaced or unchanged."""
        lines = [] if self.load is None else [self.load.report.summary()]
        lines += [f"note: {note}" for note in self.notes]
        for source, month, forces, n in self.added:
            lines.append(f"added {source} {month}{_of(forces)}: {n:,} incidents")
        for source, month, forces, old, new in self.replaced:
            lines.append(
                f"replaced {source} {month}{_of(forces)}: a newer file ({old:,} → {new:,} "
                "incidents)"
            )
        if self.unchanged:
            months = ", ".join(dict.fromkeys(f"{s} {m}" for s, m, _, _ in self.unchanged))
            lines.append(f"unchanged (already in the workspace, same content): {months}")
        return "\n".join(lines)


def _of(forces: str) -> str:
    return f" ({forces})" if forces else ""


@dataclass(frozen=True)
class WorkspaceData:
    """An opened workspace: incidents (clipped to the district; wards are joined a layer up, by
    :func:`hotspots.space.areas.workspace_areas`), coverage, quarantine and the load."""

    workspace: Workspace
    incidents: gpd.GeoDataFrame
    coverage: Coverage
    quarantine: pd.DataFrame
    load: LoadResult


# --------------------------------------------------------------------------- init


def init(
    root: str | Path,
    *,
    area: str,
    title: str | None = None,
    tiles: str = DEFAULT_TILES,
    sources: Sequence[Mapping[str, Any]] = (),
    categories: Mapping[str, str] | None = None,
) -> Workspace:
    """Create a workspace folder with its ``hotspots.toml`` and ``data/`` folder.

    Parameters
    ----------
    root
        The folder (created; must not hold a ``hotspots.toml`` already).
    area
        District code or name of England and Wales (:mod:`hotspots.data.boundaries`), or a
        council formed since from several (:func:`hotspots.data.boundaries.find_area`): its
        former districts' wards.
    title
        Shown on pages and packs (default: "<district> CSP").
    tiles
        Map tiles of the dashboard.
    sources
        ``[[sources]]`` entries (``name``, ``kind``, and for council logs ``columns``, ``crs``).
    categories
        Crime type → CSP group overrides for council logs.

    Raises
    ------
    FileExistsError
        When the folder already is a workspace.
    LookupError
        Unknown district or council.
    """
    root = Path(root)
    if (root / CONFIG).exists():
        raise FileExistsError(f"{root / CONFIG} exists already: this folder is a workspace")
    if Path(area).is_file():
        raise ValueError(
            f"{area} is a file: a workspace's area is a district of the boundary pack, or a "
            "council formed since from several, by code or name (a boundary file is not "
            "supported yet: give it to analyse, wards or pack with --study-area FILE)"
        )
    code, name, districts = boundaries.find_area(area)
    config = {
        "title": title or f"{name} CSP",
        "area": {
            "district": code,
            "name": name,
            **({"districts": districts} if districts != [code] else {}),
        },
        "population": {"source": "pack", "vintage": boundaries.VINTAGE},
        "map": {"tiles": tiles},
        "categories": dict(categories or {}),
        "sources": [dict(s) for s in sources] or [{"name": POLICEUK, "kind": "policeuk"}],
    }
    (root / "data").mkdir(parents=True, exist_ok=True)
    write_config(root, config)
    return Workspace(root, config)


def read_workspace(root: str | Path) -> Workspace:
    """The workspace at ``root`` (reads ``hotspots.toml``).

    Raises
    ------
    FileNotFoundError
        No ``hotspots.toml`` there (the message says how to make one).
    """
    root = Path(root)
    path = root / CONFIG
    if not path.is_file():
        raise FileNotFoundError(
            f"{root} is not a workspace (no {CONFIG}): run 'hotspots init {root} --area CODE'"
        )
    with path.open("rb") as fh:
        try:
            config = tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path}: not valid TOML ({err})") from err
    if "district" not in config.get("area", {}):
        raise ValueError(f'{path}: [area] needs district = "CODE" (e.g. "E08000035")')
    return Workspace(root, config)


def write_config(root: Path, config: Mapping[str, Any]) -> None:
    """Write ``hotspots.toml`` by hand: plain, commented, one setting a line."""
    lines = [
        "# hotspots workspace: edit freely; 'hotspots add' keeps [[sources]] up to date.",
        f"title = {_toml(config['title'])}",
        "",
        "[area]  # district or council of England and Wales (national boundary pack)",
        *(f"{k} = {_toml(v)}" for k, v in config["area"].items()),
        "",
        "[population]  # 'pack' = 2011 Census residents shared among the wards; or a CSV path",
        *(f"{k} = {_toml(v)}" for k, v in config.get("population", {}).items()),
        "",
        "[map]",
        *(f"{k} = {_toml(v)}" for k, v in config.get("map", {}).items()),
        "",
        "[categories]  # council log incident type = CSP group",
        *(f"{_toml(k)} = {_toml(v)}" for k, v in config.get("categories", {}).items()),
    ]
    for source in config.get("sources", []):
        lines += ["", "[[sources]]"]
        tables = {k: v for k, v in source.items() if isinstance(v, Mapping)}
        lines += [f"{k} = {_toml(v)}" for k, v in source.items() if k not in tables]
        for key, table in tables.items():
            lines += [f"[sources.{key}]", *(f"{_toml(k)} = {_toml(v)}" for k, v in table.items())]
    (root / CONFIG).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


# --------------------------------------------------------------------------- add


def add(
    root: str | Path,
    files: Sequence[str | Path],
    *,
    source: str | None = None,
    columns: Mapping[str, str] | ColumnMap | None = None,
    crs: str | None = None,
    dayfirst: bool = True,
) -> AddReport:
    """Add data files to the workspace, one partition per source, month and police force,
    idempotently.

    Parameters
    ----------
    root
        The workspace folder.
    files
        police.uk CSVs, zips or folders, police.uk API JSON, or a council log (CSV).
    source
        Source name (default ``police.uk`` for police.uk files; else the first file's stem).
        A council log's column map and CRS are saved under its ``[[sources]]`` entry and
        reused by the next ``add`` of that source.
    columns, crs, dayfirst
        For council logs, as :func:`hotspots.data.ingest.load`.

    Returns
    -------
    AddReport
        Months added, replaced (content changed: the newer file wins) and unchanged. The
        files of different forces for one month add up (:func:`_by_force`): a newer file
        replaces only its own force's part of the month, and any part holding the same
        incidents (:func:`_copies`: a copy of a stored file, named otherwise).

    Raises
    ------
    ValueError
        A month stored from several forces' files at once (before parts were kept per force)
        and now given for only some of them: add those forces' files together.
    """
    ws = read_workspace(root)
    saved = ws.source(source) if source else {}
    if columns is not None and not isinstance(columns, Mapping):  # a ColumnMap
        columns = {k: v for k, v in asdict(columns).items() if isinstance(v, str)}
    cmap = dict(columns or saved.get("columns") or {}) or None
    crs = crs or saved.get("crs")
    manifest = _read_manifest(ws)
    hashes = {str(f): _sha256(f) for f in _files_in(files)}
    known = _known_files(manifest, hashes, source)
    if known is not None and all(Path(p).exists() for p in files):
        return AddReport(unchanged=known)  # every file already added, byte for byte
    groups = _by_force(files)
    results = [
        load(
            group,
            columns=cmap,
            crs=crs,
            dayfirst=dayfirst,
            study_area=ws.study_area,
            taxonomy=_taxonomy(ws),
        )
        for _, group in groups
    ]
    result = results[0] if len(results) == 1 else concat_results(results)
    name = source or _source_name(result.incidents, files)
    _check_source_name(name, manifest, exact=_any_exact(result.incidents))
    parts = [
        (forces, month, part, {str(f): hashes[str(f)] for f in _files_in(group)})
        for (forces, group), loaded in zip(groups, results, strict=True)
        for month, part in _months(loaded, name)
    ]
    _check_forces(manifest["partitions"], name, parts)
    report = AddReport(load=result, notes=_unmapped_note(ws, result))
    for forces, month, part, used in parts:
        digest = _content_hash(part)
        words = _force_words(forces)
        named = _stored_parts(manifest["partitions"], name, month, forces)
        old = {**named, **_copies(ws, manifest["partitions"], name, month, part)}
        key = f"{_slug(name)}/{month}" + (f"/{_part_name(forces)}" if forces else "")
        if key in manifest["partitions"] and key not in old:  # police.uk of no known force
            key += f"/part-{digest[:12]}"  # beside the month's other parts, not over them
        if len(old) == 1 and next(iter(old.values()))["content_sha256"] == digest:
            report.unchanged.append((name, month, words, len(part)))
            continue
        copied = sorted(
            {Path(f).name for k, e in old.items() if k not in named for f in e.get("files", {})}
        )
        if copied:
            report.notes.append(
                f"{name} {month}{_of(words)}: the same incidents (incident ids) as stored from "
                f"{', '.join(copied)}: a newer copy, it replaces them rather than adding to them"
            )
        for stale in old:
            del manifest["partitions"][stale]
            if stale != key:
                (ws.data_dir / f"{stale}.parquet").unlink(missing_ok=True)
        path = ws.data_dir / f"{key}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        part.to_parquet(path)
        manifest["partitions"][key] = {
            "source": name,
            "month": month,
            "forces": list(forces),
            "rows": len(part),
            "content_sha256": digest,
            "categories": dict(ws.config.get("categories") or {}),
            "files": _files_of_month(used, month),
            "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if not old:
            report.added.append((name, month, words, len(part)))
        else:
            before = sum(int(e["rows"]) for e in old.values())
            report.replaced.append((name, month, words, before, len(part)))
    # Rows set aside for a reason worth reading; rows merely outside the district are counted
    # in the load report only (a force file clipped to one district sets most rows aside).
    bad = result.quarantine[result.quarantine["reason"] != "outside_study_area"]
    if len(bad) and (report.added or report.replaced):
        folder = ws.data_dir / QUARANTINE
        folder.mkdir(exist_ok=True)
        tag = hashlib.sha256("".join(sorted(hashes.values())).encode()).hexdigest()[:12]
        bad.astype("string").to_parquet(folder / f"{_slug(name)}-{tag}.parquet")
    _write_manifest(ws, manifest)
    if not ws.source(name):
        entry: dict[str, Any] = {"name": name, "kind": "policeuk" if name == POLICEUK else "log"}
        if cmap:
            entry["columns"] = cmap
        if crs:
            entry["crs"] = crs
        write_config(ws.root, {**ws.config, "sources": [*ws.config.get("sources", []), entry]})
    elif cmap and not saved.get("columns"):
        sources = [
            {**s, "columns": cmap, **({"crs": crs} if crs else {})} if s.get("name") == name else s
            for s in ws.config.get("sources", [])
        ]
        write_config(ws.root, {**ws.config, "sources": sources})
    return report


def _months(result: LoadResult, name: str) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The rows of one load month by month (``source`` set to ``name``), every month the load
    read included (one whose rows all fell outside the district is an empty month)."""
    incidents = result.incidents.assign(source=name)
    months = incidents["month"].dt.strftime("%Y-%m")
    out = []
    for month in sorted(set(months) | set(result.report.months)):
        part = incidents[(months == month).to_numpy()].reset_index(drop=True)
        part.attrs[WORKING_CRS] = incidents.attrs.get(WORKING_CRS)
        out.append((month, part))
    return out


_FORCE_FILE = re.compile(
    r"^(\d{4}-\d{2})-(.+?)-street"
    r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\(\d+\))?|_\d+)?"  # a browser's or a copy's suffix
    r"\.csv(?:\.gz)?$",
    re.IGNORECASE,
)
"""A police.uk street file's name: its month and its force (``2025-01-lancashire-street.csv``)."""


def _forces_named(names: Iterable[str], month: str | None = None) -> tuple[str, ...]:
    """The police forces that police.uk file names name (of ``month`` only, when given),
    sorted; none for files that name no force (a council log, police.uk API JSON). A force is
    known by its name made path-safe (:func:`_slug`), as its part's file is named: names that
    differ but in case or punctuation (``hertfordshire.``, ``Hertfordshire``) are one force."""
    found = (_FORCE_FILE.match(Path(n).name) for n in names)
    return tuple(sorted({_slug(m[2]) for m in found if m and month in (None, m[1])}))


def _by_force(files: Sequence[str | Path]) -> list[tuple[tuple[str, ...], list[str | Path]]]:
    """The files given, in groups loaded and stored apart: the files of each police force
    (by their names: a folder or zip naming several forces is one group, with any other file
    naming one of them), and one group of the files naming no force."""
    groups: list[tuple[set[str], list[str | Path]]] = []
    for item in files:
        forces = set(_forces_named(f.name for f in expand([item])))
        joined = [g for g in groups if g[0] & forces or not (g[0] or forces)]
        merged = (forces.union(*(g[0] for g in joined)), [f for g in joined for f in g[1]])
        groups = [g for g in groups if g not in joined] + [(merged[0], [*merged[1], item])]
    return [(tuple(sorted(forces)), group) for forces, group in groups]


def _forces_of(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The forces a stored month's part holds: as recorded, or for a month stored before
    parts were kept per force, those its files' names name for that month (each known as
    :func:`_forces_named` knows it)."""
    if "forces" in entry:
        return tuple(sorted({_slug(f) for f in entry["forces"]}))
    return _forces_named(entry.get("files", {}), entry["month"])


def _stored_parts(
    partitions: Mapping[str, Any], name: str, month: str, forces: tuple[str, ...]
) -> dict[str, Any]:
    """The stored parts of source ``name``'s ``month`` that hold any of ``forces`` (or, for a
    council log's files, naming no force, its month): the parts new rows of those forces
    replace. police.uk rows of no known force replace only the parts holding the same
    incidents (:func:`_copies`): another force's month must not go."""
    return {
        key: e
        for key, e in partitions.items()
        if e["source"] == name
        and e["month"] == month
        and (
            set(_forces_of(e)) & set(forces) or (name != POLICEUK and not (_forces_of(e) or forces))
        )
    }


def _copies(
    ws: Workspace, partitions: Mapping[str, Any], name: str, month: str, part: pd.DataFrame
) -> dict[str, Any]:
    """The stored parts of source ``name``'s ``month`` holding any of ``part``'s incidents (by
    ``incident_id``: police.uk's Crime IDs; an id made up for a row without one names its file,
    so a renamed copy's differ): the same data from a file named otherwise (a browser's
    ``...-street (1).csv``, a month stored from a zip), which ``part`` replaces."""
    ids = part["incident_id"].dropna()
    found = {}
    for key, entry in partitions.items():
        if entry["source"] != name or entry["month"] != month:
            continue
        stored = pd.read_parquet(ws.data_dir / f"{key}.parquet", columns=["incident_id"])
        if stored["incident_id"].isin(ids).any():
            found[key] = entry
    return found


def _check_forces(
    partitions: Mapping[str, Any],
    name: str,
    parts: Sequence[tuple[tuple[str, ...], str, pd.DataFrame, Mapping[str, str]]],
) -> None:
    """Refuse, before anything is written, to replace part of a month stored from several
    forces' files in one part (as before parts were kept per force): its other forces' rows
    would be lost."""
    given: dict[str, set[str]] = {}
    for forces, month, _, _ in parts:
        given.setdefault(month, set()).update(forces)
    for forces, month, _, _ in parts:
        for entry in _stored_parts(partitions, name, month, forces).values():
            missing = set(_forces_of(entry)) - given[month]
            if missing:
                raise ValueError(
                    f"{name} {month} is stored from the files of "
                    f"{_force_words(_forces_of(entry))} together; these files hold only "
                    f"{_force_words(tuple(sorted(given[month])))}: add the files of "
                    f"{_force_words(_forces_of(entry))} for {month} together"
                )


def _force_words(forces: Sequence[str]) -> str:
    """Forces as people write them: ``("greater-manchester",)`` → ``"Greater Manchester"``."""
    small = {"and", "of", "the"}
    names = (
        " ".join(w if w in small else w.capitalize() for w in f.replace("-", " ").split())
        for f in forces
    )
    return ", ".join(names)


def _files_of_month(files: Mapping[str, str], month: str) -> dict[str, str]:
    """The files a month came from: those whose name is of that month, and those naming no
    month (a zip, a folder's council log)."""
    return {
        path: digest
        for path, digest in files.items()
        if (m := _FORCE_FILE.match(Path(path).name)) is None or m[1] == month
    }


def _unmapped_note(ws: Workspace, result: LoadResult) -> list[str]:
    """What happens to crime types the taxonomy does not know, and how to map them."""
    unmapped = [t for t in result.report.unmapped_crime_types if t != "(blank)"]
    if not unmapped:
        return []
    sensitive = (
        ", and treated as sensitive until mapped (left off maps; their counts shown only in "
        f"groups of {MIN_COUNT} or more), as their points are exact"
        if _any_exact(result.incidents)
        else ""
    )
    example = f'{json.dumps(unmapped[0], ensure_ascii=False)} = "GROUP"'
    return [
        f"unmapped crime types ({', '.join(map(repr, unmapped))}) are counted as 'Other'"
        f"{sensitive}. To map one, add a line under [categories] in {ws.root / CONFIG}, e.g. "
        f"{example}, GROUP one of {', '.join(CATEGORIES)}; it applies to the months already "
        "added too"
    ]


def _files_in(files: Sequence[str | Path]) -> list[Path]:
    """The files given, with each folder replaced by every file under it (sorted), so a folder
    added is recorded file by file and its rows set aside are kept under a name of its own."""
    out: list[Path] = []
    for item in map(Path, files):
        if item.is_dir():
            out.extend(sorted(f for f in item.rglob("*") if f.is_file()))
        elif item.is_file():
            out.append(item)
    return out


def _known_files(
    manifest: Mapping[str, Any], hashes: Mapping[str, str], source: str | None
) -> list[tuple[str, str, str, int]] | None:
    """The partitions made from these files alone (by sha256) that together list every one of
    them, or ``None`` when any file is new."""
    if not hashes:
        return None
    wanted = set(hashes.values())
    hits = [
        e
        for e in manifest["partitions"].values()
        if e.get("files") and set(e["files"].values()) <= wanted and source in (None, e["source"])
    ]
    if set().union(*(e["files"].values() for e in hits)) != wanted:
        return None
    return sorted(
        (e["source"], e["month"], _force_words(_forces_of(e)), int(e["rows"])) for e in hits
    )


def _any_exact(incidents: pd.DataFrame) -> bool:
    """Whether any row's source has exact points (each distinct source name tested once)."""
    return bool(is_exact_source(incidents["source"].unique()).any())


def _check_source_name(name: str, manifest: Mapping[str, Any], *, exact: bool) -> None:
    """Refuse a source name that would file rows with another source's: one that names
    police.uk's anonymised points for rows with exact ones (a council log), or whose folder
    (:func:`_slug`) is another source's ("Police UK" and "police.uk", "Council ASB" and
    "council-asb"): its months would replace that source's; or the workspace's own
    (:data:`QUARANTINE`): its months would be read as rows set aside."""
    police = exact and (exact_source_name(name) != name or _slug(name) == _slug(POLICEUK))
    if police:
        raise ValueError(
            f"source {name!r} names data.police.uk's street-level files, whose points are "
            "already anonymised; these rows have exact coordinates (a council log, CAD data): "
            "give them a source name of their own (--source), so that their points and "
            "addresses stay protected and police.uk's months are not replaced"
        )
    if _slug(name) == QUARANTINE:
        raise ValueError(
            f"source {name!r} would be filed in data/{QUARANTINE}/, where the workspace keeps "
            "the rows each add set aside, and be read as those: give it a name of its own "
            "(--source)"
        )
    others = {e["source"] for e in manifest["partitions"].values() if e["source"] != name}
    clash = sorted(o for o in others if _slug(o) == _slug(name))
    if clash:
        raise ValueError(
            f"source {name!r} would be filed with the source {clash[0]!r} (the same name but for "
            "case or punctuation) and replace its months: give it a name of its own (--source)"
        )


def _source_name(incidents: pd.DataFrame, files: Sequence[str | Path]) -> str:
    """police.uk when the rows came from police.uk files (every row's points anonymised),
    else the first file's stem (never police.uk's name: :func:`exact_source_name`)."""
    if len(incidents) and not _any_exact(incidents):
        return POLICEUK
    first = expand(files)[0] if files else None
    if first is not None and first.name.lower().endswith("-street.csv"):
        return POLICEUK
    if not files:
        return "data"
    return log_source_name(files[0])


def log_source_name(file: str | Path) -> str:
    """The source name a council log is given when none is: the file's stem, never
    police.uk's name (:func:`exact_source_name`).

    Examples
    --------
    >>> log_source_name("asb_2025_h1.csv")
    'asb_2025_h1'
    """
    name = exact_source_name(Path(file).stem)  # a council log's: never police.uk's folder
    return f"{name} (own data)" if _slug(name) == _slug(POLICEUK) else name


def own_sources(root: str | Path) -> dict[str, dict[str, Any]]:
    """The workspace's sources other than police.uk's street-level files (council logs, own
    point layers), each with its ``[[sources]]`` entry (``columns`` and ``crs`` when saved,
    reused by :func:`add` of that source; empty for a source the manifest alone names).

    Examples
    --------
    >>> own_sources("leeds")  # doctest: +SKIP
    {'Council ASB log': {'name': 'Council ASB log', 'kind': 'log', 'columns': {...}}}
    """
    ws = read_workspace(root)
    found: dict[str, dict[str, Any]] = {
        str(s["name"]): dict(s)
        for s in ws.config.get("sources", [])
        if s.get("name") and s["name"] != POLICEUK and s.get("kind") != "policeuk"
    }
    for entry in _read_manifest(ws)["partitions"].values():
        if entry["source"] != POLICEUK:
            found.setdefault(str(entry["source"]), {})
    return found


def _taxonomy(ws: Workspace) -> pd.DataFrame | None:
    """The bundled taxonomy with the workspace's ``[categories]`` overrides (or ``None``)."""
    overrides = ws.config.get("categories") or {}
    if not overrides:
        return None
    table = load_taxonomy()
    extra = pd.DataFrame(
        {
            "crime_type": list(overrides),
            "category": list(overrides.values()),
            "sensitive": False,
            "vawg": False,
        },
        index=[str(k).strip().lower() for k in overrides],
    )
    merged = pd.concat([table[~table.index.isin(extra.index)], extra])
    return merged


def _classified(frame: gpd.GeoDataFrame, taxonomy: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """A stored month's rows with ``category``, ``sensitive`` and ``vawg`` from the taxonomy
    the workspace has now (:func:`hotspots.data.schema.classify`, as when files are read)."""
    flags = classify(frame["crime_type"], taxonomy, exact_coordinates=_any_exact(frame))
    return frame.assign(
        category=flags["category"].astype(frame["category"].dtype),
        sensitive=flags["sensitive"].to_numpy(bool),
        vawg=flags["vawg"].to_numpy(bool),
    )


# --------------------------------------------------------------------------- open


def stored_coverage(root: str | Path) -> Coverage:
    """The months each source's stored data cover, from the manifest alone (quick: no data is
    read; council files listed in ``[[sources]]`` with ``files`` are not counted).

    Examples
    --------
    >>> stored_coverage("leeds").describe()  # doctest: +SKIP
    'police.uk: Jan 2021–Jun 2022 (17 months; no data for Jun 2021)'
    """
    months: dict[str, set[str]] = {}
    for entry in _read_manifest(read_workspace(root))["partitions"].values():
        months.setdefault(entry["source"], set()).add(entry["month"])
    return Coverage(months)


def open_workspace(root: str | Path) -> WorkspaceData:
    """Read a workspace: every partition, plus files listed in ``[[sources]]``, wards joined.

    Returns
    -------
    WorkspaceData
        ``coverage`` holds the months each source covers (partitions, listed files' months).

    Raises
    ------
    ValueError
        The workspace holds no data yet (the message says to run ``hotspots add``).
    """
    ws = read_workspace(root)
    manifest = _read_manifest(ws)
    parts: list[LoadResult] = []
    declared: dict[str, set[str]] = {}
    categories = dict(ws.config.get("categories") or {})
    for key, entry in sorted(manifest["partitions"].items()):
        frame = gpd.read_parquet(ws.data_dir / f"{key}.parquet")
        if entry.get("categories", {}) != categories:  # [categories] changed since it was added
            frame = _classified(frame, _taxonomy(ws))
        frame.attrs[WORKING_CRS] = _working_crs(frame)
        parts.append(_as_result(frame))
        declared.setdefault(entry["source"], set()).add(entry["month"])
    for source in ws.config.get("sources", []):
        if source.get("files"):
            files = [(ws.root / f).resolve() for f in source["files"]]
            result = load(
                files,
                columns=source.get("columns"),
                crs=source.get("crs"),
                study_area=ws.study_area,
                taxonomy=_taxonomy(ws),
            )
            name = str(source["name"])  # exact points never take police.uk's name
            if _any_exact(result.incidents):
                name = exact_source_name(name)
            result.incidents["source"] = name
            declared.setdefault(name, set()).update(result.report.months)
            parts.append(result)
    if not parts:
        raise ValueError(
            f"workspace {ws.root} holds no data yet: run 'hotspots add {ws.root} FILES...'"
        )
    combined = concat_results(parts)
    coverage = Coverage.of(combined.incidents, declared=declared)
    quarantine = _saved_quarantine(ws, manifest, combined.quarantine)
    combined = combined._replace(report=_report_with(combined.report, quarantine))
    return WorkspaceData(ws, combined.incidents, coverage, quarantine, combined)


def _report_with(report: LoadReport, quarantine: pd.DataFrame) -> LoadReport:
    """``report`` counting the rows set aside that the workspace keeps (its stored months
    are read as kept rows only): rows read are the rows kept plus those set aside, by reason."""
    reasons = quarantine["reason"].astype(str).value_counts() if len(quarantine) else None
    quarantined = {str(k): int(v) for k, v in reasons.items()} if reasons is not None else {}
    return replace(report, rows_read=report.rows_kept + len(quarantine), quarantined=quarantined)


def own_population(ws: Workspace) -> pd.DataFrame | None:
    """The residents per ward CSV named in ``[population] source`` (``None``: the pack's).

    Raises
    ------
    IngestError
        As :func:`read_residents`, naming the setting.
    """
    name = str(ws.config.get("population", {}).get("source", "pack"))
    if name in ("pack", ""):
        return None
    path = ws.root / name
    return read_residents(
        path,
        setting=f"{ws.root / CONFIG} [population] source = {name!r}",
        vintage=f"residents: your own ({path.name})",
    )


def read_residents(path: Path, *, setting: str, vintage: str) -> pd.DataFrame:
    """A user's residents per ward: a CSV with ``area_code`` (ward code) and ``residents``
    (a number of people, 0 or more), ``vintage`` in its ``attrs``.

    Raises
    ------
    IngestError
        The file cannot be read as a CSV, lacks a column, or a ward's residents are not a
        number of people: naming ``setting`` (where the file was given), the file, the wards
        and what was expected.
    """
    expected = "expected a CSV with columns area_code (ward code) and residents"
    try:
        table = pd.read_csv(path, dtype={"area_code": "string"})
    except (OSError, ValueError) as exc:  # pandas' parser errors and bad text are ValueErrors
        raise IngestError(
            f"{setting}: cannot read {path} ({type(exc).__name__}: {str(exc).strip()}); {expected}"
        ) from exc
    if not {"area_code", "residents"} <= set(table.columns):
        raise IngestError(f"{setting}: {path} has columns {list(table.columns)[:5]}; {expected}")
    residents = pd.to_numeric(table["residents"], errors="coerce")
    bad = ~(residents.between(0, float("inf"), inclusive="left"))  # blank, text, < 0 or inf
    if bad.any():
        wards = ", ".join(
            f"{c} ({v})"
            for c, v in zip(table["area_code"][bad][:5], table["residents"][bad][:5], strict=True)
        )
        raise IngestError(
            f"{setting}: {path}: residents not a number of people (0 or more) for {wards}; "
            "expected a number of residents per ward"
        )
    table["residents"] = residents
    table.attrs["vintage"] = vintage
    return table


def _saved_quarantine(
    ws: Workspace, manifest: Mapping[str, Any], extra: pd.DataFrame
) -> pd.DataFrame:
    """The rows set aside by each ``add`` (:data:`QUARANTINE`) and ``extra``: not the months
    of a source filed there before its name was refused (:func:`_check_source_name`)."""
    folder = ws.data_dir / QUARANTINE
    paths = [
        p
        for p in (sorted(folder.glob("*.parquet")) if folder.is_dir() else [])
        if f"{QUARANTINE}/{p.stem}" not in manifest["partitions"]
    ]
    frames = [pd.read_parquet(p) for p in paths] + ([extra] if len(extra) else [])
    return pd.concat(frames, ignore_index=True) if frames else extra


def _as_result(frame: gpd.GeoDataFrame) -> LoadResult:
    from hotspots.data.ingest.report import LoadReport, empty_quarantine

    report = LoadReport(rows_read=len(frame), rows_kept=len(frame))
    report.months = sorted(frame["month"].dt.strftime("%Y-%m").unique().tolist())
    return LoadResult(frame, empty_quarantine(), report)


def _working_crs(frame: gpd.GeoDataFrame) -> str:
    from hotspots.core.crs import working_crs_for

    return working_crs_for(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())


# --------------------------------------------------------------------------- manifest


def _read_manifest(ws: Workspace) -> dict[str, Any]:
    path = ws.data_dir / "manifest.json"
    if not path.is_file():
        return {"partitions": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_manifest(ws: Workspace, manifest: Mapping[str, Any]) -> None:
    ws.data_dir.mkdir(parents=True, exist_ok=True)
    path = ws.data_dir / "manifest.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def _content_hash(part: pd.DataFrame) -> str:
    """Hash of a partition's rows, independent of row order and of the file they came from."""
    columns = ["incident_id", "crime_type", "month", "location", "x", "y"]
    hashed = np.sort(pd.util.hash_pandas_object(part[columns], index=False).to_numpy())
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _part_name(forces: Sequence[str]) -> str:
    """The file name (without suffix) of a month's part of ``forces`` (path-safe already:
    :func:`_forces_named`), shortened with a hash when long (a name may be any text a file's
    name holds)."""
    name = "+".join(forces)
    if len(name) <= _PART_NAME_MAX:
        return name
    digest = hashlib.sha256("+".join(forces).encode()).hexdigest()[:12]
    return f"{name[: _PART_NAME_MAX - 13]}-{digest}"


_PART_NAME_MAX = 100
"""Characters of a part's file name at most (file systems allow 255 bytes)."""


def _slug(name: str) -> str:
    return (
        "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or "data"
    )
