"""A cache on disk for the dashboard's first view: the demo as loaded and its default analysis.

A fresh server would otherwise read and join the demo and analyse it (3–6 s on two cores)
before the first map. Each entry is a pickle named by a key that covers everything the value
depends on: the bytes of the input files, the bytes of every file of the ``hotspots`` package
(code and bundled tables), the versions of Python and of the libraries the pickle holds, and
the call's parameters. Change any of them and the key changes: a stale entry is never read,
only left for :func:`_prune` to remove. Entries are written atomically (a temporary file in
the same folder renamed into place), so a reader never sees half a file.

The folder is ``$HOTSPOTS_CACHE`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME`` or
``~/.cache``, then ``hotspots/dashboard``. Only the dashboard's own pickles are read from it:
it must be a folder only the dashboard's user can write (as a home cache is).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ENV = "HOTSPOTS_CACHE"
KEEP = 8
"""Entries kept per kind (the newest used); older ones are deleted when one is written."""


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when ``$HOTSPOTS_CACHE`` is ``off``."""
    env = os.environ.get(ENV, "").strip()
    if env.lower() == "off":
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "hotspots" / "dashboard"


def files_key(paths: Iterable[Path]) -> str:
    """A key of the files' names and bytes (each folder: every file under it, sorted)."""
    digest = hashlib.sha1()
    for path in sorted(Path(p) for p in paths):
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(path.parent)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


PACKAGE = Path(__file__).resolve().parents[2]
"""The ``hotspots`` package folder: its code and bundled tables."""


@functools.cache
def code_key(package: Path = PACKAGE) -> str:
    """A key of the code: every file of ``package`` and the versions of Python and of the
    libraries whose objects the entries hold."""
    from importlib.metadata import version

    libs = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "folium", "h3")
    versions = [sys.version, *(f"{lib}={version(lib)}" for lib in libs)]
    return hashlib.sha1(("\n".join(versions) + files_key([package])).encode()).hexdigest()


def cached_on_disk(kind: str, parts: Iterable[object], build: Callable[[], T]) -> T:
    """The value ``build()`` returns, read from the cache when an entry of the same key exists.

    Parameters
    ----------
    kind
        Which value (a file-name prefix, e.g. ``"demo-dataset"``).
    parts
        Everything the value depends on besides the code (``repr`` of each is hashed): the
        input files' :func:`files_key`, the parameters.
    build
        Computes the value when there is no entry (or it cannot be read); the value is then
        written for the next server.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    key = hashlib.sha1(repr((kind, code_key(), *parts)).encode()).hexdigest()[:20]
    path = folder / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
        os.utime(path)  # most recently used: kept by _prune
        return value
    except FileNotFoundError:
        pass
    except Exception:  # a truncated or foreign file: rebuilt and replaced
        path.unlink(missing_ok=True)
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            try:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        _prune(folder, kind)
    except OSError:  # a read-only or full disk: the value is still returned
        pass
    return value


def _prune(folder: Path, kind: str) -> None:
    """Delete all but the :data:`KEEP` most recently used entries of ``kind``."""
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
