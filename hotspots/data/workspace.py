"""A workspace: one CSP's area, settings and data, kept on disk month after month.

Layout of a workspace folder::

    hotspots.toml          area, title, sources (a council log's column map, CRS and date
                           order: saved at its first add, used for its next files),
                           category overrides, population, map tiles
    data/<source>/<YYYY-MM>.parquet   canonical incidents of one source and month (GeoParquet)
    data/<source>/<YYYY-MM>/<force>.parquet   police.uk: one part per police force and month
    data/<source>/<YYYY-MM>/part-<hash>.parquet   a month's incidents from another file, kept
                           beside the month's first part (a council log's recorded late)
    data/manifest.json     per partition: rows, forces, content hash, the categories it was
                           classified with, the files it came from (sha256)
    data/quarantine/       rows set aside by each ``add``, with the reason and line
                           (Parquet; rows merely outside the district are only counted)

:func:`init` writes the TOML; :func:`add` loads files into the partitions, idempotently (the
same month twice changes nothing; files of different police forces for one month add up; a
police.uk force's newer file replaces that force's month, and any file the part it is a copy
of (a re-export: holding :data:`COPY_SHARE` of its incidents or more, :func:`_copies`);
otherwise a file's incidents of a month stored already, such as a council log's incidents
recorded late, are added beside it, those stored already set aside; the report says which),
all or nothing (:func:`_write_all`: a failed add leaves the workspace as it
was); a force is known by its name folded to ASCII (:func:`_slug`); :func:`open_workspace`
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

import contextlib
import datetime as dt
import difflib
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from hotspots.core.disclosure import (
    MIN_COUNT,
    blank_sensitive_coordinates,
    exact_source_name,
    is_exact_source,
    withheld_rows_quoting_nothing,
)
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
from hotspots.data.ingest.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateOrderError,
    order_name,
    order_words,
)
from hotspots.data.ingest.files import expand
from hotspots.data.ingest.ids import is_generated
from hotspots.data.ingest.load import policeuk_files, policeuk_kind
from hotspots.data.ingest.policeuk import FORCE_FILE, FORCE_NAMES, name_key
from hotspots.data.schema import CATEGORIES, WORKING_CRS, classify, load_taxonomy

CONFIG = "hotspots.toml"
"""The workspace's settings file."""

POLICEUK = "police.uk"
"""Source name of police.uk street-level crime."""

DEFAULT_TILES = "CartoDB positron"

MANIFEST = "manifest.json"
"""The file of ``data/`` listing the partitions (:func:`add` writes it last, all or nothing)."""

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
    (in words; empty for files naming none), and incidents (before and after, if replaced or
    added to)."""

    added: list[tuple[str, str, str, int]] = field(default_factory=list)
    replaced: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    unchanged: list[tuple[str, str, str, int]] = field(default_factory=list)
    added_to: list[tuple[str, str, int, int]] = field(default_factory=list)
    """A council log's months stored already that the files' incidents were added to, not
    replacing them (:func:`_copies`): source, month, incidents before and after."""
    load: LoadResult | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Months added that hold far fewer incidents than their source's others
    (:func:`_small_months`: a file cut short)."""
    date_order: str = ""
    """How the council log's dates were read, in words (empty for police.uk's files)."""
    own_months: list[str] = field(default_factory=list)
    """A council log's own months: those its files cover (:func:`_own_months`); its other
    months' incidents are said to be dated before (recorded late) or after them."""
    files: int = 1
    """How many files were added (for the words of :attr:`own_months`)."""
    nothing: str = ""
    """Why nothing was added, when nothing was (a file holding no incidents)."""

    def summary(self) -> str:
        """The load report in words, how a council log's dates were read, then one line per
        month added, added to, replaced or unchanged (or why nothing was added)."""
        lines = [] if self.load is None else [self.load.report.summary()]
        lines += [self.date_order] if self.date_order else []
        lines += [f"note: {note}" for note in self.notes]
        lines += [f"warning: {warning}" for warning in self.warnings]
        for source, month, forces, n in self.added:
            late, dated = self._dated(month)
            lines.append(f"added {source} {month}{_of(forces)}: {_incidents(n, late)}{dated}")
        for source, month, before, after in self.added_to:
            late, dated = self._dated(month)
            lines.append(
                f"added {_incidents(after - before, late)} to {source} {month} "
                f"({before:,} → {after:,}){dated}"
            )
        for source, month, forces, old, new in self.replaced:
            lines.append(
                f"replaced {source} {month}{_of(forces)}: a newer file ({old:,} → "
                f"{_incidents(new)})"
            )
        if self.unchanged:
            months = ", ".join(dict.fromkeys(f"{s} {m}" for s, m, _, _ in self.unchanged))
            lines.append(f"unchanged (already in the workspace, same content): {months}")
        if self.nothing:
            lines.append(f"nothing added: {self.nothing}")
        return "\n".join(lines)

    def _dated(self, month: str) -> tuple[str, str]:
        """``"late "`` for a month before the files' own months, and the words saying a month
        is outside them (empty for one of them, and for police.uk's files)."""
        own = self.own_months
        if not own or month in own or own[0] < month < own[-1]:
            return "", ""
        whose = "the file's" if self.files == 1 else "the files'"
        span = own[0] if len(own) == 1 else f"{own[0]} to {own[-1]}"
        months = f"{whose} own month{'s' * (len(own) > 1)} ({span})"
        if month < own[0]:
            return "late ", f", dated before {months}"
        return "", f", dated after {months}: check the date"


def _incidents(n: int, late: str = "") -> str:
    """``"1 incident"``, ``"2 late incidents"``."""
    return f"{n:,} {late}incident{'s' * (n != 1)}"


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
    path = root / CONFIG
    tmp = path.with_name(f".{CONFIG}.{secrets.token_hex(4)}.new")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # all or nothing: a reader sees the old settings or the new


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


# --------------------------------------------------------------------------- add


_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextlib.contextmanager
def _one_add_at_a_time(root: Path) -> Iterator[None]:
    """Within the block no other process adds to the workspace at ``root``: each add reads the
    manifest and writes it back, so two at once (two analysts uploading on the Data page) would
    lose one's months. First, an add or remove killed half-way is undone or finished
    (:func:`_recover`). Not POSIX: no lock (one add at a time is the user's to keep)."""
    if not (root / CONFIG).is_file():  # no workspace: the add says so, nothing is made
        yield
        return
    folder = root / "data"
    folder.mkdir(exist_ok=True)
    with _add_lock(folder, wait=True) as held:
        if held:
            _recover(folder)
        yield


@contextlib.contextmanager
def _add_lock(folder: Path, *, wait: bool) -> Iterator[bool]:
    """The workspace's add lock (POSIX ``flock`` on ``.add.lock`` in the data ``folder``,
    released when the process ends however it ends), held within the block when this yields
    ``True``. ``wait=False``: ``False`` at once when another process holds it (or the folder
    cannot be written); ``False`` where there is no ``flock``."""
    try:
        import fcntl
    except ImportError:
        yield False
        return
    try:
        lock = (folder / ".add.lock").open("a")
    except OSError:
        if wait:
            raise
        yield False  # (a workspace this user may only read)
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:  # held by another process (wait=False)
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _one_at_a_time(add_files: Callable[_P, _R]) -> Callable[_P, _R]:
    """``add_files`` (its first argument, or ``root=``, the workspace) with no other add to the
    same workspace under way (:func:`_one_add_at_a_time`)."""

    @functools.wraps(add_files)
    def one(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        root = args[0] if args else kwargs["root"]
        with _one_add_at_a_time(Path(str(root))):
            return add_files(*args, **kwargs)

    return one


@_one_at_a_time
def add(
    root: str | Path,
    files: Sequence[str | Path],
    *,
    source: str | None = None,
    columns: Mapping[str, str] | ColumnMap | None = None,
    crs: str | None = None,
    dayfirst: bool | None = None,
    replace_smaller: bool = False,
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
        A council log's column map, CRS and date order are saved under its ``[[sources]]``
        entry and reused by the next ``add`` of that source (:func:`_save_settings`).
    columns, crs
        For council logs, as :func:`hotspots.data.ingest.load`.
    dayfirst
        Whether a council log's dates such as ``01/02/2024`` are day first (UK: 1 February)
        or month first (US); ``None``: the order saved with the source, or day first for a
        source without one (:func:`source_dayfirst`).
    replace_smaller
        Let a police.uk force's newer file replace its month even when it holds under
        :data:`SHRINK_SHARE` of the incidents stored (refused otherwise: a download cut short).

    Returns
    -------
    AddReport
        Months added, added to, replaced (the newer file wins) and unchanged. One rule,
        :func:`_copies`: a file's incidents of a month replace a stored part of that month
        only when the file is its re-export, holding :data:`COPY_SHARE` (90 %) or more of
        its incidents by the ids their source gave (Crime IDs, a log's reference numbers),
        and naming no other police.uk force; a council log without ids is re-exported by a
        file whose own month it is (:func:`_own_months`: a quarter or more of its fullest
        month's incidents), when it was its own file's own month too. A re-export correcting
        rows replaces them; any other file's incidents of the month are added beside the
        part, those it holds already (the same incident id, or, without one, the same type,
        time, place and point) set aside as duplicates (``duplicate_id``) and counted once.
        So a council log's month exported in March, and April's export holding one incident
        of 30 March recorded late, make 241 + 1 March incidents in either order ("added 1
        late incident to Council ASB log 2023-03 (241 → 242)"), and March exported again
        replaces the 241, keeping the late one. The files of different forces for one month
        add up (:func:`_by_force`): a police.uk force's newer file replaces its own force's
        part of the month, unless it holds under half as many incidents (:data:`SHRINK_SHARE`,
        ``replace_smaller``). A file holding no incidents adds nothing, said so (a month of
        none is not recorded: it stays "no data"). A month added that holds far fewer
        incidents than the source's others is warned of (:func:`_small_months`).

    Raises
    ------
    ValueError
        A police.uk street file or police.uk API JSON given another source name than police.uk's
        (:func:`_refuse_police_files`: it would be filed as a council log). A police.uk force's
        newer file holding under half the incidents of the month it would replace (nothing is
        written), unless ``replace_smaller``. A month stored from several
        forces' files at once (before parts were kept per force) and now given for only some
        of them: add those forces' files together. The date order other than the one saved
        with the source (:func:`source_dayfirst`).
    IngestError
        As :func:`hotspots.data.ingest.load`; a council log whose dates read the other way
        round from the source's order, saying how to add it.
    OSError
        A part could not be written: nothing was (:func:`_write_all`).
    """
    ws = read_workspace(root)
    if source is not None and source != POLICEUK:
        _refuse_police_files(files, source)
    filed_as = source or _files_source_name(files)  # the source whose settings are used
    saved = ws.source(filed_as)
    if columns is not None and not isinstance(columns, Mapping):  # a ColumnMap
        columns = {k: v for k, v in asdict(columns).items() if isinstance(v, str)}
    cmap = dict(columns or saved.get("columns") or {}) or None
    crs = crs or saved.get("crs")
    saved_order = source_dayfirst(ws, saved, given=dayfirst)
    if saved_order is not None or dayfirst is None:  # saved, or day first for a new source
        dayfirst = saved_order is not False
    manifest = _read_manifest(ws)
    hashes = {str(f): _sha256(f) for f in _files_in(files)}
    known = _known_files(manifest, hashes, source)
    if known is not None and all(Path(p).exists() for p in files):
        return AddReport(unchanged=known)  # every file already added, byte for byte
    groups = _by_force(files)
    try:
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
    except DateOrderError as err:
        raise IngestError(_order_refused(ws, filed_as, err, saved=saved_order is not None)) from err
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
    if name != POLICEUK:
        how = "as saved for this source" if saved_order is not None else "saved for its next files"
        report.date_order = f"dates of {name}: read {order_words(dayfirst)}, {how} ({CONFIG})"
    report.notes += _unknown_forces(groups)
    log = name != POLICEUK  # a council log: its months are added to, or replaced by a re-export
    if log:
        report.own_months, report.files = _own_months(result.incidents), len(hashes)
    if not parts:
        report.nothing = _nothing_words(result, len(hashes))
    by_values = log and _any_exact(result.incidents)
    partitions = dict(manifest["partitions"])  # as this add leaves them: written at the end
    writes: dict[str, gpd.GeoDataFrame] = {}  # the parts to write, by key
    repeated: list[pd.DataFrame] = []
    repeats_of: set[str] = set()  # the files of the parts this add's repeated rows repeat
    shrunk: list[str] = []  # police.uk months a much smaller file would replace
    written: list[tuple[str, tuple[str, ...]]] = []  # the months whose size is checked
    for forces, month, part, used in parts:
        words = _force_words(forces)
        named = _stored_parts(partitions, name, month, forces)
        mine = month in report.own_months if log else None  # one of the files' own months
        copies, shared = _copies(
            ws,
            partitions,
            writes,
            name,
            month,
            forces,
            part,
            skip=named,
            by_values=by_values,
            own_month=mine,
        )
        old = {**named, **copies}
        beside = {  # a council log's parts of the month kept: this file's rows are added
            k: e
            for k, e in partitions.items()
            if log and e["source"] == name and e["month"] == month and k not in old
        }
        own = _files_of_month(used, month)
        given = len(part)
        part, aside = _without_repeats(part, shared, partitions, own, by_values=by_values)
        digest = _content_hash(part)
        key = f"{_slug(name)}/{month}" + (f"/{_part_name(forces)}" if forces else "")
        if key in partitions and key not in old:  # police.uk of no known force, a log's
            key += f"/part-{digest[:12]}"  # beside the month's other parts, not over them
        if len(old) == 1 and next(iter(old.values()))["content_sha256"] == digest:
            report.unchanged.append((name, month, words, len(part)))
            continue
        if len(aside):
            repeated.append(aside)
            # the rows repeat these parts' incidents: set aside as long as those are stored
            repeats_of.update(
                sha for k in shared for sha in partitions.get(k, {}).get("files", {}).values()
            )
            report.notes.append(
                _log_repeats_note(name, month, own, aside, shared, partitions, left=len(part))
                if log
                else _repeats_note(name, month, forces, own, aside, shared, partitions)
            )
        if given and not len(part) and not old:  # every incident is stored already
            report.unchanged.append((name, month, words, 0))
            continue
        copied = sorted(
            {Path(f).name for k, e in old.items() if k not in named for f in e.get("files", {})}
        )
        kept = sum(int(e["rows"]) for e in beside.values())
        if log and copied:
            before = sum(int(e["rows"]) for e in old.values())
            ids = not is_generated(part["incident_id"]).all()
            report.notes.append(
                _reexport_note(name, month, copied, beside, before, len(part), ids=ids)
            )
        elif copied:
            report.notes.append(
                f"{name} {month}{_of(words)}: the same incidents as stored from "
                f"{', '.join(copied)}: a newer copy ({COPY_SHARE:.0%} or more of their Crime IDs "
                "are in it), it replaces them rather than adding to them"
            )
        for stale in old:
            del partitions[stale]
            writes.pop(stale, None)
        writes[key] = part
        partitions[key] = {
            "source": name,
            "month": month,
            "forces": list(forces),
            "rows": len(part),
            "content_sha256": digest,
            "categories": dict(ws.config.get("categories") or {}),
            "files": _files_of_month(used, month),
            "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **({"own_month": bool(mine)} if log else {}),
        }
        if not log or mine:  # a log's months it only holds late incidents of are small
            written.append((month, forces))
        if not old and beside:
            report.added_to.append((name, month, kept, kept + len(part)))
        elif not old:
            report.added.append((name, month, words, len(part)))
        else:
            before = sum(int(e["rows"]) for e in old.values())
            report.replaced.append((name, month, words, before, len(part)))
            if not log and not replace_smaller and len(part) < SHRINK_SHARE * before:
                shrunk.append(f"{month}{_of(words)}: {before:,} stored, {len(part):,} in the file")
    if shrunk:
        raise ValueError(
            f"nothing added: the newer {name} file holds under half the incidents stored for "
            f"{'; '.join(shrunk)}. A download cut short? Add the whole file again; if the "
            "smaller file is right, add it with --replace-smaller (hotspots add)"
        )
    report.warnings = _small_months(partitions, name, written)
    writers: dict[Path, Callable[[Path], object]] = {
        ws.data_dir / f"{key}.parquet": frame.to_parquet for key, frame in writes.items()
    }
    # Rows set aside for a reason worth reading. A police.uk row outside the district is
    # counted in the load report only (a force file clipped to one district sets most rows
    # aside); a council log's is kept, as a point geocoded wrong is the analyst's to mend.
    outside = result.quarantine["reason"] == "outside_study_area"
    bad = result.quarantine[~outside] if name == POLICEUK else result.quarantine
    bad = pd.concat([bad, *repeated], ignore_index=True) if repeated else bad
    set_aside = dict(manifest.get("set_aside", {}))  # each add's rows set aside: its files
    if len(bad) and (report.added or report.replaced or report.added_to or repeated):
        tag = hashlib.sha256("".join(sorted(hashes.values())).encode()).hexdigest()[:12]
        stem = f"{_slug(name)}-{tag}"
        writers[ws.data_dir / QUARANTINE / f"{stem}.parquet"] = bad.astype("string").to_parquet
        set_aside[stem] = sorted(set(hashes.values()) | repeats_of)
    outdated = _stale_set_aside(set_aside, partitions)  # their files' months replaced since
    set_aside = {k: v for k, v in set_aside.items() if k not in outdated}
    removed = sorted(set(manifest.get("removed_files", [])) - set(hashes.values()))
    writers[ws.data_dir / MANIFEST] = lambda path: _write_manifest(
        path,
        {**manifest, "partitions": partitions, "set_aside": set_aside, "removed_files": removed},
    )
    gone = [ws.data_dir / f"{k}.parquet" for k in manifest["partitions"] if k not in partitions]
    gone += [ws.data_dir / QUARANTINE / f"{k}.parquet" for k in outdated]
    _write_all(writers, then_remove=gone)
    if parts:  # a source that holds data now (not one whose file gave none)
        order = None if name == POLICEUK else order_name(dayfirst)  # police.uk's: months only
        _save_settings(ws, name, columns=cmap, crs=crs, date_order=order)
    return report


@dataclass
class RemoveReport:
    """What :func:`remove` took out of a workspace: per part, the source, month, police forces
    (in words; empty for files naming none), incidents and the files they came from."""

    removed: list[tuple[str, str, str, int, list[str]]] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    """Files ``hotspots.toml`` lists for the source (read on every open): not removed."""

    def summary(self) -> str:
        """One line per part removed, then a note of the source's listed files."""
        lines = [
            f"removed {source} {month}{_of(forces)}: {_incidents(n)}"
            + (f" (from {', '.join(files)})" if files else "")
            for source, month, forces, n, files in self.removed
        ]
        if self.listed:
            lines.append(
                f"note: {CONFIG} lists {', '.join(self.listed)} for this source, read on every "
                "open: its months stay until you take the files out of that list"
            )
        return "\n".join(lines)


@_one_at_a_time
def remove(root: str | Path, source: str, months: Sequence[str] | None = None) -> RemoveReport:
    """Take a source's months out of the workspace (every police force's part of each, and the
    rows set aside when they were added), all or nothing: a wrong file added, or a month to
    add again from scratch. The source's settings in ``hotspots.toml`` stay.

    Parameters
    ----------
    root
        The workspace folder.
    source
        The source's name as the workspace shows it (``police.uk``, a council log's name;
        case, spaces and accents aside).
    months
        ``YYYY-MM`` months to remove; ``None``: every month of the source.

    Raises
    ------
    ValueError
        No such source in the workspace (naming those it holds), a month not written
        ``YYYY-MM``, or one the source holds no data for (naming the months it holds);
        nothing is removed.
    """
    ws = read_workspace(root)
    manifest = _read_manifest(ws)
    partitions = dict(manifest["partitions"])
    stored = sorted({e["source"] for e in partitions.values()})
    name = next((s for s in stored if _slug(s) == _slug(source)), None)
    listed = [
        Path(str(f)).name
        for entry in ws.config.get("sources") or []
        if _slug(str(entry.get("name", ""))) == _slug(source)
        for f in entry.get("files") or []
    ]
    if name is None:
        names = ", ".join(repr(s) for s in stored) or "no data added"
        also = (
            f" ({source} is read from files {CONFIG} lists: take them out of that list)"
            if listed
            else ""
        )
        raise ValueError(f"{ws.root} holds no source {source!r} added; it holds {names}{also}")
    held = {e["month"] for e in partitions.values() if e["source"] == name}
    wanted = held if months is None else set(_months_given(months))
    missing = sorted(wanted - held)
    if missing:
        raise ValueError(
            f"{ws.root} holds no {name} data for {', '.join(missing)}: nothing removed (it "
            f"holds {Coverage({name: held}).describe()})"
        )
    report = RemoveReport(listed=listed)
    removed = set(manifest.get("removed_files", []))  # read again by their next add
    for key, entry in sorted(partitions.items(), key=lambda ke: ke[1]["month"]):
        if entry["source"] == name and entry["month"] in wanted:
            del partitions[key]
            removed.update(entry.get("files", {}).values())
            files = sorted(Path(f).name for f in entry.get("files", {}))
            words = _force_words(_forces_of(entry))
            report.removed.append((name, entry["month"], words, int(entry["rows"]), files))
    set_aside = dict(manifest.get("set_aside", {}))
    outdated = _stale_set_aside(set_aside, partitions)  # rows set aside by those files' adds
    kept_aside = {k: v for k, v in set_aside.items() if k not in outdated}
    gone = [ws.data_dir / f"{k}.parquet" for k in manifest["partitions"] if k not in partitions]
    gone += [ws.data_dir / QUARANTINE / f"{k}.parquet" for k in outdated]
    _write_all(
        {
            ws.data_dir / MANIFEST: lambda path: _write_manifest(
                path,
                {
                    **manifest,
                    "partitions": partitions,
                    "set_aside": kept_aside,
                    "removed_files": sorted(removed),
                },
            )
        },
        then_remove=gone,
    )
    emptied = {f for path in gone for f in path.parents if ws.data_dir in f.parents}
    for folder in sorted(emptied - {ws.data_dir / QUARANTINE}, key=lambda f: -len(f.parts)):
        with contextlib.suppress(OSError):  # a month's or a source's folder left empty
            if not any(folder.iterdir()):
                folder.rmdir()
    return report


def _months_given(months: Sequence[str]) -> list[str]:
    """``months`` as given, each checked to be a month written ``YYYY-MM``
    (a :class:`ValueError` naming the first that is not)."""
    for month in months:
        text = str(month).strip()
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise ValueError(f"month {month!r} is not a month written YYYY-MM (e.g. 2024-03)")
    return [str(m).strip() for m in months]


def _stale_set_aside(
    set_aside: Mapping[str, Sequence[str]], partitions: Mapping[str, Any]
) -> set[str]:
    """The rows set aside by adds none of whose files any stored month still comes from (each
    month replaced since by a newer file): no longer the workspace's, so neither read nor
    counted (a corrected file's month kept its first file's 5 broken rows: "rows read" 104)."""
    used = {sha for entry in partitions.values() for sha in entry.get("files", {}).values()}
    return {stem for stem, shas in set_aside.items() if not used.intersection(shas)}


def _save_settings(
    ws: Workspace,
    name: str,
    *,
    columns: Mapping[str, str] | None,
    crs: str | None,
    date_order: str | None,
) -> None:
    """Save what source ``name``'s files were read with under its ``[[sources]]`` entry, for
    its next ``add``: all of it for a new source; for one saved before, its column map (with
    its CRS) and its date order when none was saved yet (a source added before its date
    order was saved keeps working: the order of its first add since is saved)."""
    entry = ws.source(name)
    learned: dict[str, Any] = {}
    if not entry or (columns and not entry.get("columns")):
        learned |= {k: v for k, v in (("columns", columns), ("crs", crs)) if v}
    if date_order and not entry.get("date_order"):
        learned["date_order"] = date_order
    if not entry:
        new = {"name": name, "kind": "policeuk" if name == POLICEUK else "log", **learned}
        write_config(ws.root, {**ws.config, "sources": [*ws.config.get("sources", []), new]})
    elif learned:
        sources = [
            {**s, **learned} if s.get("name") == name else s for s in ws.config.get("sources", [])
        ]
        write_config(ws.root, {**ws.config, "sources": sources})


def source_dayfirst(
    ws: Workspace, entry: Mapping[str, Any], *, given: bool | None = None
) -> bool | None:
    """The date order saved with a source (its ``[[sources]]`` entry's ``date_order``: True
    for day first), ``None`` when none is (a new source, police.uk's, or one added before the
    order was saved).

    Raises
    ------
    ValueError
        The order saved is neither ``"day first"`` nor ``"month first"``; or ``given``, the
        order asked for, is the other one: one source's files are all read one way (the
        message names the source, its order and how to change it).
    """
    saved = entry.get("date_order")
    if saved is None:
        return None
    where = f"{ws.root / CONFIG}: [[sources]] {entry.get('name')!r}"
    if saved not in (DAY_FIRST, MONTH_FIRST):
        raise ValueError(
            f'{where} has date_order = {_toml(saved)}: expected "{DAY_FIRST}" '
            f'({order_words(True)}) or "{MONTH_FIRST}" ({order_words(False)})'
        )
    dayfirst = saved == DAY_FIRST
    if given is not None and given != dayfirst:
        raise ValueError(
            f"the source {entry.get('name')!r} reads its dates {order_words(dayfirst)}, as saved "
            f"at its first add ({where}: date_order = {_toml(saved)}); these files were given "
            f"as {order_name(given)}: one source's files are all read one way, so nothing was "
            "added. Add them without giving the order; or, if they are another log's, as a "
            "source of their own (--source); or, if the council now writes this log's dates "
            f'{order_name(given)}, change its date_order to "{order_name(given)}" in '
            f"{CONFIG} (the months added already keep their dates)"
        )
    return dayfirst


def _order_refused(ws: Workspace, name: str, err: DateOrderError, *, saved: bool) -> str:
    """Why a council log whose dates read the other way round was not added, and how to add
    it: with the other order given, or, when the source's order is saved, otherwise."""
    other = order_name(not err.dayfirst)
    if not saved:
        return (
            f"{err}; the order it is added with is saved with the source {name!r} for its "
            "next files"
        )
    return (
        f"{err.problem}. The source {name!r} reads its dates {order_name(err.dayfirst)}, as "
        f"saved in {ws.root / CONFIG}: nothing was added. If the file is another log's, add "
        'it as a source of its own (--source; on the Data page, "A new source…"); if the '
        f'council now writes this log\'s dates {other}, change its date_order to "{other}" in '
        f"{CONFIG} (the months added already keep their dates)"
    )


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


def _forces_named(names: Iterable[str], month: str | None = None) -> tuple[str, ...]:
    """The police forces that police.uk file names name (of ``month`` only, when given),
    sorted; none for files that name no force (a council log, police.uk API JSON). A force is
    known by its name made path-safe (:func:`_slug`), as its part's file is named: names that
    differ but in case, punctuation or accents (``hertfordshire.``, ``Hertfordshire``,
    ``West_Yorkshire``) are one force."""
    found = (FORCE_FILE.match(Path(n).name) for n in names)
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


def _unknown_forces(groups: Iterable[tuple[tuple[str, ...], list[str | Path]]]) -> list[str]:
    """A note for each force a police.uk file's name names that is none of data.police.uk's
    (:data:`~hotspots.data.ingest.policeuk.FORCE_NAMES`): its rows are kept as a force of their
    own; the note says the nearest police.uk name and any letters not a-z (a look-alike)."""
    notes: dict[str, str] = {}
    for _, group in groups:
        for file in expand(group):
            match = FORCE_FILE.match(file.name)
            if match is None or (force := _slug(match[2])) in FORCE_NAMES or force in notes:
                continue
            near = difflib.get_close_matches(force, sorted(FORCE_NAMES), n=1)
            odd = sorted({c for c in match[2] if not c.isascii()})[:3]
            letters = ", ".join(f"{c} ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in odd)
            notes[force] = (
                f"{file.name[:80]}: {match[2][:40]!r} is not the name of a police.uk force"
                + (f" (it holds {letters})" if odd else "")
                + (f"; the nearest is {near[0]}" if near else "")
                + f": its rows are kept as a force of their own, {_force_words((force,))}"
            )
    return list(notes.values())


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
    """The stored parts of source ``name``'s ``month`` that hold any of ``forces``: the parts
    new rows of those police.uk forces replace, whatever they hold. Other files (a council
    log's, police.uk rows of no known force) replace only the parts they are a re-export of
    (:func:`_copies`): another force's month, or a council log's incidents of that month from
    another file (recorded late), must not go."""
    return {
        key: e
        for key, e in partitions.items()
        if e["source"] == name and e["month"] == month and set(_forces_of(e)) & set(forces)
    }


SHRINK_SHARE = 0.5
"""A police.uk force's newer file replaces its stored month only when it holds this share of
the month's stored incidents or more (police.uk's revisions drop a few): a smaller one is
refused as a download cut short, unless the caller says it is right (``replace_smaller``)."""

COPY_SHARE = 0.9
"""A stored part is a copy of a new file's part (a re-export of it), which replaces it, when
the file holds this share of the part's incidents or more, by the ids their source gave (an
id made up for a row without one names its file), and the two files do not name two
different police.uk forces: a re-download, a renamed copy or a council log's month exported
again differs by the few incidents withdrawn or added since (and may correct others: the
newer file wins). A council log's part without ids is re-exported by a file whose own month
it is, when it was its own file's own month too (:data:`COVER_SHARE`). A part sharing fewer
is kept, the new file's incidents added beside it, and those it holds already set aside
(:func:`_without_repeats`)."""

COVER_SHARE = 0.25
"""A council log's file's own months, the months it covers (:func:`_own_months`), are those
holding this share or more of the incidents of its fullest month: a monthly export's month,
each month of a quarter's or a year's; not a month of the few incidents recorded late (dated
in an earlier month), nor of one dated after them. The parts of a log without ids are
re-exported by their own months' files only (:func:`_copies`); :func:`add`'s report calls the
incidents of an earlier month late."""

_VALUES = ["crime_type", "occurred_from", "location", "x", "y"]
"""The values of a council log's row that tell its incident from another's where the log
gives no id (:func:`_identities`): type, time, place and point."""

_BY_VALUES = "values:"
"""How an incident known by its values (:func:`_identities`) begins."""


def _own_months(incidents: pd.DataFrame) -> list[str]:
    """The months a council log's file covers (:data:`COVER_SHARE`), sorted; none for no
    incidents.

    Examples
    --------
    >>> months = pd.Series(pd.to_datetime(["2023-03-01"] + ["2023-04-01"] * 9))
    >>> _own_months(pd.DataFrame({"month": months}))
    ['2023-04']
    """
    counts = incidents["month"].dt.strftime("%Y-%m").value_counts()
    if counts.empty:
        return []
    return sorted(str(m) for m in counts.index[counts >= COVER_SHARE * counts.max()])


def _identities(frame: pd.DataFrame, *, by_values: bool) -> pd.Series:
    """Each row's incident, as the rows of two files are compared (positional index): the id
    its source gave; with ``by_values`` (a council log's exact rows), for a row without one
    (its made-up id names its file: :func:`is_generated`) its values (:data:`_VALUES`:
    type, time, place and point) and which row of those values it is in ``frame`` (two alike
    in one file are two incidents). Else the made-up id: police.uk's rows without a Crime ID
    (snapped points, months only) are alike without being one incident."""
    ids = frame["incident_id"].astype("string").reset_index(drop=True)
    made = is_generated(ids)
    if not by_values or not made.any():
        return ids
    rows = frame.iloc[np.flatnonzero(made)]
    when = rows["occurred_from"].astype("datetime64[us]").astype("int64")
    values = pd.DataFrame(
        {
            "crime_type": rows["crime_type"].astype("string").fillna(""),
            "when": when.to_numpy(),
            "location": rows["location"].astype("string").fillna(""),
            "x": rows["x"].astype("float64").round(1).to_numpy(),
            "y": rows["y"].astype("float64").round(1).to_numpy(),
        }
    )
    digest = pd.Series(pd.util.hash_pandas_object(values, index=False).to_numpy())
    nth = digest.groupby(digest).cumcount()
    ids[made] = [f"{_BY_VALUES}{d:016x}#{k}" for d, k in zip(digest, nth, strict=True)]
    return ids


UNCHANGED_SHARE = 0.5
"""A council log's month without ids is re-exported only by a file of that month holding at
least this share of its stored rows unchanged (the same type, time, place and point): a
correcting re-export changes a few rows, a small file of that month (3 rows dated 30 March)
or an export's late rows are added beside it instead."""


def _copies(
    ws: Workspace,
    partitions: Mapping[str, Any],
    writes: Mapping[str, pd.DataFrame],
    name: str,
    month: str,
    forces: tuple[str, ...],
    part: pd.DataFrame,
    *,
    skip: Iterable[str],
    by_values: bool = False,
    own_month: bool | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The parts of source ``name``'s ``month`` (stored, or written by this add: ``writes``;
    not those in ``skip``, replaced anyway) that ``part`` is a copy of, a re-export
    (:data:`COPY_SHARE`), and the others holding any of its incidents, with those incidents
    (:func:`_identities`; ``by_values`` for a council log's).

    This is the one rule of what a file's month replaces, but for a police.uk force's own
    newer file (:func:`_stored_parts`). A copy is the same data from a file named otherwise
    (a browser's ``...-street (1).csv``, a month stored from a zip, a file renamed, a council
    log's month exported again, correcting some rows), which ``part`` replaces; a part of
    another police.uk force (both files name one of :data:`FORCE_NAMES`) is never a copy,
    whatever it holds. A council log's month holding few of the stored part's incidents (the
    incidents of an earlier month recorded late, in the next month's export) is added beside
    it: a month is replaced by its re-export only, never by a few late rows. A part without
    ids of the source's own (a council log without ids) is re-exported by a file whose own
    month (``own_month``: :func:`_own_months`) it is, when it was its own file's own month
    too (:func:`_was_own_month`) and the file holds :data:`UNCHANGED_SHARE` of its rows
    unchanged; a part with no incidents, by any file of its month.
    """
    ours = _identities(part, by_values=by_values).dropna()
    copies: dict[str, Any] = {}
    shared: dict[str, np.ndarray] = {}
    for key, entry in partitions.items():
        if entry["source"] != name or entry["month"] != month or key in skip:
            continue
        stored = writes[key] if key in writes else _stored_rows(ws, key, entry, by_values)
        found = pd.DataFrame(
            {
                "incident": _identities(stored, by_values=by_values),
                "given": ~is_generated(stored["incident_id"]),  # the ids its source gave
            }
        )
        found = found.dropna(subset=["incident"]).drop_duplicates("incident")
        theirs = found["incident"]
        held = theirs.isin(ours).to_numpy(bool)
        given = found["given"].to_numpy(bool)
        ours_, other = FORCE_NAMES.intersection(forces), FORCE_NAMES.intersection(_forces_of(entry))
        another_force = bool(ours_) and bool(other) and not ours_ & other
        if given.any():  # by the ids its source gave
            copy = held[given].sum() >= COPY_SHARE * given.sum() and not another_force
        elif own_month is None:  # police.uk's rows without a Crime ID: never a copy
            copy = False
        else:  # a council log's without ids: its own month's files re-export it when they
            # hold most of its rows as they were (a 3-row file of its month is no re-export)
            copy = not len(theirs) or (
                bool(own_month)
                and _was_own_month(entry, partitions)
                and held.sum() >= UNCHANGED_SHARE * len(theirs)
            )
        if copy:
            copies[key] = entry
        elif held.any():
            shared[key] = theirs[held].to_numpy()
    return copies, shared


def _was_own_month(entry: Mapping[str, Any], partitions: Mapping[str, Any]) -> bool:
    """Whether a council log's stored part was its files' own month (:func:`_own_months`):
    as its manifest entry says; for one stored before that was recorded, as the months stored
    from the same files say (:data:`COVER_SHARE` of the fullest one's incidents)."""
    if "own_month" in entry:
        return bool(entry["own_month"])
    rows = [
        int(e["rows"])
        for e in partitions.values()
        if e["source"] == entry["source"] and e.get("files") == entry.get("files")
    ]
    return int(entry["rows"]) >= COVER_SHARE * max(rows, default=0)


def _stored_rows(
    ws: Workspace, key: str, entry: Mapping[str, Any], by_values: bool
) -> pd.DataFrame:
    """The incident ids of a stored part (and, ``by_values``, the values
    :func:`_identities` knows a row without one by)."""
    columns = ["incident_id", *(_VALUES if by_values else [])]
    return pd.read_parquet(_part_file(ws, key, entry), columns=columns)


def _without_repeats(
    part: gpd.GeoDataFrame,
    shared: Mapping[str, np.ndarray],
    partitions: Mapping[str, Any],
    files: Mapping[str, str],
    *,
    by_values: bool = False,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """``part`` without its rows whose incidents are those of parts kept beside it
    (``shared``, :func:`_copies`: the same incident id, or, ``by_values``, for a council log's
    row without one the same values, :func:`_identities`), and those rows as rows set aside
    (``duplicate_id``): the incidents are counted once, and the rows are there to read."""
    if not shared:
        return part, pd.DataFrame()
    incidents = _identities(part, by_values=by_values)
    repeat = incidents.isin(np.concatenate(list(shared.values()))).to_numpy(bool)
    kept = part[~repeat].reset_index(drop=True)
    kept.attrs = dict(part.attrs)
    rows = part[repeat]
    stored = _stored_files(shared, partitions)
    alike = incidents[repeat].str.startswith(_BY_VALUES).to_numpy(bool)
    aside = pd.DataFrame(
        {
            "file": ", ".join(files),
            "line": pd.NA,
            "reason": "duplicate_id",
            "detail": np.where(
                alike,
                f"no incident id: the same type, time, place and point is stored already, "
                f"from {stored}",
                f"the same incident id is stored already, from {stored}",
            ),
            "Crime ID": rows["incident_id"],
            "Month": rows["month"].dt.strftime("%Y-%m"),
            "Crime type": rows["crime_type"],
            "Location": rows["location"],
        }
    )
    # a sensitive (or unknown) incident's values never leave in the rows set aside
    hidden = rows["sensitive"].astype("boolean").fillna(True).to_numpy(bool)
    return kept, blank_sensitive_coordinates(aside, hidden).astype("string")


def _repeats_note(
    name: str,
    month: str,
    forces: tuple[str, ...],
    files: Iterable[str],
    aside: pd.DataFrame,
    shared: Mapping[str, np.ndarray],
    partitions: Mapping[str, Any],
) -> str:
    """What :func:`_without_repeats` did, in words, naming both files, and what to do."""
    new = ", ".join(sorted({Path(f).name for f in files})) or "the file"
    stored = _stored_files(shared, partitions)
    rows = sum(int(partitions[k]["rows"]) for k in shared)
    n = len(aside)
    theirs = sorted(FORCE_NAMES.intersection(f for k in shared for f in _forces_of(partitions[k])))
    hint = (
        " A Crime ID is one force's crime: check that each file is the force its name says."
        if FORCE_NAMES.intersection(forces)
        else f" If {new} is {_force_words(theirs)}'s newer file, name it as police.uk does "
        f"({month}-{theirs[0]}-street.csv) to replace that part."
        if len(theirs) == 1
        else ""
    )
    return (
        f"{name} {month}{_of(_force_words(forces))}: {new} holds {n:,} incident(s) whose "
        f"incident ids (Crime IDs) are stored already, from {stored} ({rows:,} incidents). It "
        f"is not a copy of it (a copy holds {COPY_SHARE:.0%} or more of those Crime IDs and "
        "names no other police.uk force), so both are kept and the repeated incident(s) are "
        f"set aside as duplicates (data/{QUARANTINE}), counted once.{hint}"
    )


def _log_repeats_note(
    name: str,
    month: str,
    files: Iterable[str],
    aside: pd.DataFrame,
    shared: Mapping[str, np.ndarray],
    partitions: Mapping[str, Any],
    *,
    left: int,
) -> str:
    """What :func:`_without_repeats` did to a council log's month (``left``: its incidents
    not stored yet), in words."""
    new = ", ".join(sorted({Path(f).name for f in files})) or "the file"
    n = len(aside)
    alike = aside["detail"].str.startswith("no incident id").all()
    how = (
        "no incident id: the same type, time, place and point" if alike else "the same incident id"
    )
    rest = (
        f"{new} is no re-export of the month, so its other {_incidents(left)} "
        f"{'is' if left == 1 else 'are'} added to it"
        if left
        else "nothing else of the month is in it"
    )
    return (
        f"{name} {month}: {_incidents(n)} of {new} {'is' if n == 1 else 'are'} stored already "
        f"({how}), from {_stored_files(shared, partitions)}: set aside as duplicate"
        f"{'s' * (n != 1)} (data/{QUARANTINE}), counted once; {rest}"
    )


def _reexport_note(
    name: str,
    month: str,
    copied: Sequence[str],
    beside: Mapping[str, Any],
    before: int,
    after: int,
    *,
    ids: bool,
) -> str:
    """A council log's month replaced by a re-export (:func:`_copies`; ``ids``: known by its
    incidents' ids, else by its own months), naming the files it re-exports, and the
    incidents of the month from other files it kept (recorded late, in another month's
    file)."""
    why = (
        f"it holds {COPY_SHARE:.0%} or more of them, by incident id"
        if ids
        else "the log has no ids: the month is its file's own, as it was theirs"
    )
    said = (
        f"{name} {month}: a newer export of the incidents stored from {', '.join(copied)} "
        f"({why}), which it replaces"
    )
    if not beside:
        return said
    kept = sum(int(e["rows"]) for e in beside.values())
    return (
        f"{said}; {_incidents(kept)} from {_stored_files(beside, beside)}, which it does not "
        f"re-export, {'is' if kept == 1 else 'are'} kept ({before + kept:,} → "
        f"{_incidents(after + kept)} in all)"
    )


def _nothing_words(result: LoadResult, files: int) -> str:
    """Why a council log's add added nothing: its file(s) hold no incidents (a header only),
    or none kept. A month with none stays "no data": a month is recorded from its incidents."""
    held = "the file holds" if files == 1 else "the files hold"
    if result.report.rows_read == 0:
        return (
            f'{held} no incidents (a month whose file holds none stays "no data": the '
            "workspace knows a month from the incidents it holds)"
        )
    rows = result.report.rows_read
    return f"none of the {rows:,} row{'s' * (rows != 1)} read could be kept (see the load report)"


def _stored_files(shared: Iterable[str], partitions: Mapping[str, Any]) -> str:
    """The names of the files the parts ``shared`` were stored from."""
    names = sorted({Path(f).name for k in shared for f in partitions[k].get("files", {})})
    return ", ".join(names) or "an earlier add"


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
        if (m := FORCE_FILE.match(Path(path).name)) is None or m[1] == month
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
    if wanted & set(manifest.get("removed_files", [])):  # a month of them removed since
        return None
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


def _refuse_police_files(files: Sequence[str | Path], source: str) -> None:
    """Raise :class:`ValueError` when a police.uk street-level file (known by its name or its
    header) or police.uk API JSON (:func:`policeuk_files`: as the loader tells them) is among
    ``files`` given another source name than police.uk's: its rows would be filed as that
    source's (a council log's), its months missing from police.uk's."""
    police = [f.label for f in policeuk_files(expand(files))]
    if police:
        more = f" and {len(police) - 3:,} more" if len(police) > 3 else ""
        shown = ", ".join(police[:3]) + more
        raise ValueError(
            f"{shown}: a police.uk street-level crime file, given the source {source!r}: its "
            "rows would be filed as that source's, like a council log's, and be missing from "
            "police.uk's months. Nothing was added: add the police.uk files without --source "
            "(they are filed as police.uk), and a council log's files with --source in an add "
            "of their own"
        )


SMALL_MONTH_SHARE = 0.25
"""Share of the median of a source's other months (one police force's, for police.uk) under
which a month added is said to be small (:func:`_small_months`)."""


def _small_months(
    partitions: Mapping[str, Any], name: str, written: Iterable[tuple[str, tuple[str, ...]]]
) -> list[str]:
    """A warning for each month added or replaced (``written``: month and police forces) that
    holds under :data:`SMALL_MONTH_SHARE` of the median of source ``name``'s other months of
    the same forces, as ``partitions`` holds them: the sign of a file cut short (a stray
    quote, a download stopped)."""
    totals: dict[tuple[str, ...], dict[str, int]] = {}
    for entry in partitions.values():
        if entry["source"] == name:
            months = totals.setdefault(_forces_of(entry), {})
            months[entry["month"]] = months.get(entry["month"], 0) + int(entry["rows"])
    out = []
    for month, forces in written:
        months = totals.get(tuple(sorted(_slug(f) for f in forces)), {})
        others = [n for m, n in months.items() if m != month]
        n = months.get(month, 0)
        if others and n < SMALL_MONTH_SHARE * (median := float(np.median(others))):
            out.append(
                f"{name} {month}{_of(_force_words(forces))} holds {_incidents(n)}, under "
                f"{SMALL_MONTH_SHARE:.0%} of the {median:,.0f} its other months hold (the "
                "median): a file cut short? Check the load report for rows set aside, and add "
                "the whole file again"
            )
    return out


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
    return _files_source_name(files)


def _files_source_name(files: Sequence[str | Path]) -> str:
    """The source name the files give before they are read: police.uk for a police.uk
    street file first, else the first file's stem (:func:`log_source_name`)."""
    first = expand(files)[0] if files else None
    if first is not None and policeuk_kind(first) == "street":  # by its name, else its header
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
    point layers), each with its ``[[sources]]`` entry (``columns``, ``crs`` and
    ``date_order`` when saved, reused by :func:`add` of that source; empty for a source the
    manifest alone names).

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
            "public_place": False,
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
    FileNotFoundError
        A part the manifest lists is missing, the manifest unchanged meanwhile (an add or
        remove that finished while this read went on: read again, with its manifest).
    """
    ws = read_workspace(root)
    _recover_unless_busy(ws.data_dir)  # an add killed half-way: undone, or finished
    for _ in range(_READS - 1):
        seen = _manifest_text(ws)
        try:
            return _opened(ws)
        except OSError:  # FileNotFoundError among them
            if _manifest_text(ws) == seen:
                raise  # missing or unreadable, not replaced by an add or remove meanwhile
    return _opened(ws)


_READS = 3
"""Times :func:`open_workspace` reads a workspace whose add or remove removed a file it was
reading (each time, the manifest that add wrote)."""


def _manifest_text(ws: Workspace) -> str:
    path = ws.data_dir / MANIFEST
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _opened(ws: Workspace) -> WorkspaceData:
    """:func:`open_workspace`, read once."""
    manifest = _read_manifest(ws)
    parts: list[LoadResult] = []
    declared: dict[str, set[str]] = {}
    categories = dict(ws.config.get("categories") or {})
    own = _taxonomy(ws)
    taxonomy = own if own is not None else load_taxonomy()  # read once for every part
    for key, entry in sorted(manifest["partitions"].items()):
        with _part_file(ws, key, entry).open("rb") as part:  # one file, even if replaced
            frame = gpd.read_parquet(part)
        if entry.get("categories", {}) != categories:  # [categories] changed since it was added
            frame = _classified(frame, taxonomy)
        frame.attrs[WORKING_CRS] = _working_crs(frame)
        parts.append(_as_result(frame, ws, entry, taxonomy))
        declared.setdefault(entry["source"], set()).add(entry["month"])
    for source in ws.config.get("sources", []):
        if source.get("files"):
            files = [(ws.root / f).resolve() for f in source["files"]]
            result = load(
                files,
                columns=source.get("columns"),
                crs=source.get("crs"),
                dayfirst=source_dayfirst(ws, source) is not False,  # saved, or day first
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
    report = _report_with(combined.report, quarantine)
    if any(e["source"] == POLICEUK for e in manifest["partitions"].values()):
        report.notes.append(
            "police.uk rows outside the workspace's area were counted when their files were "
            "added, not kept: rows read here are the rows kept and set aside"
        )
    combined = combined._replace(report=report)
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
    try:  # as written: "n/a" stays "n/a" in a message, not NaN
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:  # pandas' parser errors and bad text are ValueErrors
        raise IngestError(
            f"{setting}: cannot read {path} ({type(exc).__name__}: {str(exc).strip()}); {expected}"
        ) from exc
    if not {"area_code", "residents"} <= set(table.columns):
        raise IngestError(f"{setting}: {path} has columns {list(table.columns)[:5]}; {expected}")
    written = table["residents"].str.strip()
    # "1,600" as a spreadsheet writes it: commas between groups of three digits
    plain = written.str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    residents = pd.to_numeric(plain, errors="coerce")
    bad = ~(residents.between(0, float("inf"), inclusive="left"))  # blank, text, < 0 or inf
    if bad.any():
        lines = np.flatnonzero(bad.to_numpy()) + 2  # the header is line 1
        codes, values = table["area_code"][bad][:5], written[bad][:5]
        wards = ", ".join(
            f"line {n}: {c} ({v!r})" for n, c, v in zip(lines, codes, values, strict=False)
        )
        more = f" and {int(bad.sum()) - 5:,} more" if bad.sum() > 5 else ""
        raise IngestError(
            f"{setting}: {path}: residents not a number of people (0 or more) at {wards}{more}; "
            "expected a number of residents per ward, such as 1600 or 1,600"
        )
    table["area_code"] = table["area_code"].astype("string")
    table["residents"] = residents
    table.attrs["vintage"] = vintage
    return table


def _saved_quarantine(
    ws: Workspace, manifest: Mapping[str, Any], extra: pd.DataFrame
) -> pd.DataFrame:
    """The rows set aside by each ``add`` (:data:`QUARANTINE`) and ``extra``: not the months
    of a source filed there before its name was refused (:func:`_check_source_name`), nor an
    add's whose files no stored month comes from any more (:func:`_stale_set_aside`)."""
    folder = ws.data_dir / QUARANTINE
    stale = _stale_set_aside(manifest.get("set_aside", {}), manifest["partitions"])
    paths = [
        p
        for p in (sorted(folder.glob("*.parquet")) if folder.is_dir() else [])
        if f"{QUARANTINE}/{p.stem}" not in manifest["partitions"] and p.stem not in stale
    ]
    # saved before every quoting detail of a withheld row was withheld: withheld now
    saved = [withheld_rows_quoting_nothing(pd.read_parquet(p)) for p in paths]
    frames = saved + ([extra] if len(extra) else [])
    return pd.concat(frames, ignore_index=True) if frames else extra


def _as_result(
    frame: gpd.GeoDataFrame,
    ws: Workspace,
    entry: Mapping[str, Any],
    taxonomy: pd.DataFrame,
) -> LoadResult:
    """A stored part as a load's result: its report says what is known of it once stored (the
    files it was added from, the workspace's area it was clipped to, its months, the crime
    types its categories do not map), not how its files were read."""
    from hotspots.data.ingest.assemble import unmapped_counts
    from hotspots.data.ingest.report import LoadReport, empty_quarantine

    report = LoadReport(rows_read=len(frame), rows_kept=len(frame))
    report.files_read = [Path(f).name for f in entry.get("files", {})]
    report.encodings = dict.fromkeys(report.files_read, "read when added")
    report.study_area = f"{ws.area} ({ws.area_name}): the workspace's area"
    report.months = sorted(frame["month"].dt.strftime("%Y-%m").unique().tolist())
    report.time_precision = frame["time_precision"].value_counts().to_dict()
    report.unmapped_crime_types, report.unmapped_withheld = unmapped_counts(
        frame["crime_type"], frame["source"], taxonomy
    )
    return LoadResult(frame, empty_quarantine(), report)


def _working_crs(frame: gpd.GeoDataFrame) -> str:
    from hotspots.core.crs import working_crs_for

    return working_crs_for(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())


# --------------------------------------------------------------------------- manifest


def _read_manifest(ws: Workspace) -> dict[str, Any]:
    path = ws.data_dir / MANIFEST
    if not path.is_file():
        return {"partitions": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """The manifest's JSON written to ``path`` (:func:`_write_all` puts it in its place)."""
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")


def _part_file(ws: Workspace, key: str, entry: Mapping[str, Any]) -> Path:
    """The file of the manifest's part ``key``.

    Raises
    ------
    FileNotFoundError
        The file is missing (removed by hand, or by an add of an earlier version that
        failed half-way): naming the file, its part and how to repair the workspace.
    """
    path = ws.data_dir / f"{key}.parquet"
    if not path.is_file():
        forces = _force_words(_forces_of(entry))
        raise FileNotFoundError(
            f"{ws.data_dir / MANIFEST} lists {path.relative_to(ws.root)} ({entry['source']} "
            f"{entry['month']}{_of(forces)}), but that file is missing: restore it from a "
            f'backup, or delete the entry "{key}" from {MANIFEST} and add that month\'s files '
            "again"
        )
    return path


def _write_all(
    files: Mapping[Path, Callable[[Path], object]], *, then_remove: Iterable[Path]
) -> None:
    """Write ``files`` (each by its writer, given the path to write to), all or nothing, then
    remove ``then_remove``. The last of ``files`` is the manifest, in the workspace's data
    folder.

    Each file is written under a temporary name beside its own first; only when all are
    written are they moved into place (``os.replace``: a reader sees the old file or the new,
    never half of one), in order, so the last (the manifest) makes them the workspace's. On
    any failure before that, the files moved in are taken out, those they replaced put back
    and the temporary ones removed: the workspace is as it was, and the error raised. The
    files ``then_remove`` (parts no longer in the manifest) go last. Before the first move a
    journal (:data:`_JOURNAL`) lists the moves, so that a process killed among them is undone,
    or finished once the manifest was moved, by the next add or remove (:func:`_recover`).
    """
    token = secrets.token_hex(4)
    made: list[Path] = []  # folders made for new files, removed again on failure
    staged: list[tuple[Path, Path]] = []
    kept: dict[Path, Path] = {}  # each file replaced → its old content's second name
    placed: list[Path] = []
    then_remove = list(then_remove)
    journal: Path | None = None
    try:
        for path, write in files.items():
            made += [d for d in reversed(path.parents) if not d.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((path, _new_name(path, token)))
            write(staged[-1][1])
        folder = staged[-1][0].parent  # the data folder: the journal names paths below it
        journal = folder / _JOURNAL.format(token=token)
        moves = [[path.relative_to(folder).as_posix(), path.exists()] for path, _ in staged]
        removals = [p.relative_to(folder).as_posix() for p in then_remove]
        journal.write_text(json.dumps({"moves": moves, "remove": removals}))
        for path, new in staged:
            if path.exists():
                kept[path] = _old_name(path, token)
                _second_name(path, kept[path])
            os.replace(new, path)
            placed.append(path)
    except BaseException:
        for path in reversed(placed):
            if path in kept:
                os.replace(kept.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        for path in [*(new for _, new in staged), *kept.values()]:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if journal is not None:
            journal.unlink(missing_ok=True)
        raise
    for path in [*kept.values(), *then_remove]:
        with contextlib.suppress(OSError):  # the add is done: a file left over is never read
            path.unlink(missing_ok=True)
    journal.unlink(missing_ok=True)


_JOURNAL = ".writing-{token}.json"
"""The journal of :func:`_write_all`'s moves, in the data folder while it moves its files."""


def _old_name(path: Path, token: str) -> Path:
    """The second name :func:`_write_all` gives a file's old content while replacing it."""
    return path.with_name(f".{path.name}.{token}.old")


def _recover_unless_busy(data_dir: Path) -> None:
    """:func:`_recover`, for a reader, when a journal or a temporary file is left and no add or
    remove is under way (one under way keeps its own; POSIX only, as the lock is)."""
    if not any(data_dir.glob(_JOURNAL.format(token="*"))) and not any(data_dir.rglob(".*.new")):
        return
    with _add_lock(data_dir, wait=False) as held:
        if held:
            _recover(data_dir)


def _recover(data_dir: Path) -> None:
    """Undo, or finish, what a process killed in the middle of :func:`_write_all` left (called
    with no other add or remove under way: :func:`_one_add_at_a_time`).

    A journal whose manifest's new version was not moved in yet: the files it moved in are
    taken out again and those they replaced put back, so the workspace is as before that add.
    One whose manifest was moved in: the add was made; the old contents and the files it was to
    remove are removed. Then every temporary file left (``.new``: a process killed while
    writing them) is removed. A journal naming a path outside the data folder, or not as
    :func:`_write_all` writes one, is removed and nothing else done (a file is data, never an
    instruction to touch the rest of the disk).
    """
    for journal in sorted(data_dir.glob(_JOURNAL.format(token="*"))):
        token = journal.name.removeprefix(".writing-").removesuffix(".json")
        record = _journal_record(journal, data_dir) if _TOKEN.fullmatch(token) else None
        if record is None:
            journal.unlink(missing_ok=True)
            continue
        moves, removals = record
        made = not _new_name(moves[-1][0], token).exists()  # the manifest's new version: in
        for path, existed in moves:
            old, new = _old_name(path, token), _new_name(path, token)
            if made or (old.exists() and path.exists() and old.samefile(path)):
                old.unlink(missing_ok=True)  # (a rename onto its own other name does nothing)
            elif old.exists():
                os.replace(old, path)  # its old content back
            elif not existed and not new.exists():
                path.unlink(missing_ok=True)  # moved in, where there was no file
            new.unlink(missing_ok=True)
        for path in removals if made else []:
            path.unlink(missing_ok=True)
        journal.unlink()
    for left in [*data_dir.rglob(".*.new"), *data_dir.rglob(".*.copying")]:
        if _TEMPORARY.fullmatch(left.name):
            left.unlink(missing_ok=True)


_TOKEN = re.compile(r"[0-9a-f]{8}")
"""A :func:`_write_all` token (``secrets.token_hex(4)``)."""
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{8}\.(new|old\.copying)")
"""A temporary file :func:`_write_all` writes before moving it into place (or a copy of an
old file's content being made, :func:`_second_name`)."""


def _journal_record(
    journal: Path, data_dir: Path
) -> tuple[list[tuple[Path, bool]], list[Path]] | None:
    """The moves (path, whether a file was there) and removals a journal lists, each path
    below ``data_dir`` and a file :func:`_write_all` writes (a ``.parquet`` part or quarantine
    file, the manifest last); ``None`` for a journal written half, or not by it."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        moves = [(_below(data_dir, p), e) for p, e in record["moves"] if isinstance(e, bool)]
        removals = [_below(data_dir, p) for p in record["remove"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not moves or len(moves) != len(record["moves"]) or None in [p for p, _ in moves]:
        return None
    if None in removals:
        return None
    written = [p for p, _ in moves] + removals
    if moves[-1][0] != data_dir / MANIFEST or not all(
        p == data_dir / MANIFEST or p.suffix == ".parquet" for p in written if p is not None
    ):
        return None  # _write_all writes parts, quarantine files and the manifest, last
    return [(p, e) for p, e in moves if p is not None], [p for p in removals if p is not None]


def _below(data_dir: Path, relative: object) -> Path | None:
    """``data_dir / relative`` when it names a file below ``data_dir`` (no ``..``, no absolute
    path, no link out of it), else ``None``."""
    if not isinstance(relative, str) or not relative or Path(relative).is_absolute():
        return None
    path = data_dir / relative
    root = data_dir.resolve()
    inside = path.parent.resolve()
    return (
        path
        if (inside == root or root in inside.parents) and ".." not in Path(relative).parts
        else None
    )


def _new_name(path: Path, token: str) -> Path:
    """The temporary name :func:`_write_all` writes ``path``'s new content under."""
    return path.with_name(f".{path.name}.{token}.new")


def _second_name(path: Path, other: Path) -> None:
    """Give ``path``'s content a second name, ``other`` (a hard link; where the file system
    has none, a copy, made whole under a temporary name first: an ``other`` that exists is
    always the whole old file, which :func:`_recover` may put back)."""
    try:
        os.link(path, other)
    except OSError:
        copying = other.with_name(other.name + ".copying")
        shutil.copy2(path, copying)
        os.replace(copying, other)


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
    """The file name (without suffix) of a month's part of ``forces`` (each path-safe already:
    :func:`_slug`), shortened as :func:`_slug` shortens a name."""
    return _shortened("+".join(forces))


_NAME_MAX = 100
"""Bytes of a part's or a source folder's name at most (file systems allow 255 a name; the
temporary names :func:`_write_all` gives them are a little longer)."""


def _slug(name: str) -> str:
    """``name`` as a file or folder name, and the key by which forces' and sources' names are
    one (:func:`~hotspots.data.ingest.policeuk.name_key`: ``West_Yorkshire`` is
    ``west-yorkshire``); ``data`` when nothing is left; shortened when long
    (:func:`_shortened`)."""
    return _shortened(name_key(name) or "data")


def _shortened(name: str) -> str:
    """``name`` (ASCII), or when longer than :data:`_NAME_MAX` bytes its start and a hash of
    the whole."""
    if len(name.encode()) <= _NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name.encode()[: _NAME_MAX - 13].decode('ascii', 'ignore')}-{digest}"
