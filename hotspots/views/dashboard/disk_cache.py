"""A cache on disk for the dashboard's first view: the demo as loaded and its default analysis.

A fresh server would otherwise read and join the demo and analyse it (3–6 s on two cores)
before the first map. Each entry is a pickle named by a key that covers everything the value
depends on: the bytes of the input files, the bytes of every file of the ``hotspots`` package
(code and bundled tables), the versions of Python and of the libraries the pickle holds, and
the call's parameters. Change any of them and the key changes: a stale entry is never read,
only left for :func:`_prune` to remove. Entries are written atomically (a temporary file in
the same folder renamed into place), so a reader never sees half a file.

The folder is ``$HOTSPOTS_CACHE`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME`` or
``~/.cache``, then ``hotspots/dashboard``. Only the dashboard's own pickles are read from it
(a pickle can run code when read): the folder is made readable by its user alone (0700), and
a folder or entry that another user owns or that group or others can write is neither read
nor written (the server says so in its log, once, and works without the cache).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

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

    libs = (
        "numpy", "pandas", "geopandas", "shapely", "pyproj", "folium", "branca", "jinja2", "h3",
        "scipy", "scikit-learn",
    )  # fmt: skip
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
    if folder is None or not _private(folder, make=True):
        return build()
    key = hashlib.sha1(repr((kind, code_key(), *parts)).encode()).hexdigest()[:20]
    path = folder / f"{kind}-{key}.pickle"
    try:
        if not _private(path):
            return build()
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


def _private(path: Path, *, make: bool = False) -> bool:
    """Whether ``path`` (the folder, made 0700 when missing and ``make``, or an entry) is this
    user's and not writable by group or others: only then is a pickle read from it. A missing
    entry is private (nothing to read). Says why in the log, once per path, when not."""
    try:
        if make and not path.exists():
            path.mkdir(parents=True, mode=0o700)
        info = path.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return True
    _warn_once(str(path))
    return False


@functools.cache
def _warn_once(path: str) -> None:
    log.warning(
        "disk cache %s not used: it must belong to this user and be writable by no one else "
        "(chmod go-w, or set %s to another folder, or 'off')",
        path,
        ENV,
    )


def _prune(folder: Path, kind: str) -> None:
    """Delete all but the :data:`KEEP` most recently used entries of ``kind``."""
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
