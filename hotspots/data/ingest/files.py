"""Expand sources (files, folders, zip archives) into the list of files to read, and read
them two at a time."""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

from tqdm import tqdm

from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.textfile import refuse_bomb

_T = TypeVar("_T")

Sources = str | Path | Sequence[str | Path]
"""One path or several: files, folders (searched recursively) or zip archives."""

CSV_SUFFIXES = frozenset({".csv", ".tsv"})
TEXT_SUFFIX = ".txt"
"""Read as CSV only when named explicitly (a folder's README.txt is not data)."""
VECTOR_SUFFIXES = frozenset(
    {".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet", ".fgb", ".gml", ".kml"}
)
SIDECAR_SUFFIXES = frozenset({".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd"})


@dataclass(frozen=True)
class SourceFile:
    """One file to read: on disk, or a member of a zip archive.

    Attributes
    ----------
    label
        How messages and the quarantine name it: the path, or ``archive.zip!member``.
    path
        The file on disk (the archive, for a zip member).
    member
        The member's name inside the archive, or ``None``.
    explicit
        Named by the caller, rather than found by walking a folder or an archive.
    size
        Bytes (uncompressed size for zip members).
    """

    label: str
    path: Path
    member: str | None
    explicit: bool
    size: int

    @property
    def name(self) -> str:
        """The file name without folders."""
        return PurePosixPath(self.member).name if self.member else self.path.name

    @property
    def suffix(self) -> str:
        """The lower-case suffix, ignoring a trailing ``.gz``."""
        parts = [s.lower() for s in PurePosixPath(self.name).suffixes]
        if parts and parts[-1] == ".gz":
            parts = parts[:-1]
        return parts[-1] if parts else ""

    @property
    def stem(self) -> str:
        """The name without its suffixes (``2021-01-hertfordshire-street``)."""
        stem = self.name
        for ext in (".gz", self.suffix):
            if ext and stem.lower().endswith(ext):
                stem = stem[: -len(ext)]
        return stem

    def head(self, size: int = 4096) -> bytes:
        """The first ``size`` bytes (fewer where the data is damaged), decompressed for ``.gz``."""
        try:
            if self.member is None:
                with open(self.path, "rb") as fh:
                    data = fh.read(size)
            else:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as fh:
                    data = fh.read(size)
            if data[:2] != b"\x1f\x8b":
                return data
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, size)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError, ValueError):
            return b""  # the full read names the damage

    def read_bytes(self) -> bytes:
        """The raw bytes (still compressed for ``.gz``).

        Raises
        ------
        IngestError
            The file or zip member cannot be read (damaged, encrypted, unknown compression).
        """
        try:
            if self.member is None:
                return self.path.read_bytes()
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.member)
        except (
            OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError,
            NotImplementedError, ValueError,
        ) as exc:  # fmt: skip
            raise IngestError(
                f"{self.label}: cannot read the file ({type(exc).__name__}: {exc}); expected "
                "an undamaged, unencrypted file — download or extract it again"
            ) from exc


def expand(sources: Sources) -> list[SourceFile]:
    """Every file named by ``sources``: folders recursively (sorted), zip archives by member.

    Raises
    ------
    IngestError
        A source does not exist, or a zip archive is damaged.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> files = expand(datasets.herts_policeuk_zip())
    >>> len(files), files[0].name
    (13, '2021-01-hertfordshire-street.csv')
    """
    items = [sources] if isinstance(sources, str | Path) else list(sources)
    if not items:
        raise IngestError("no sources given; pass a file, a folder or a zip archive")
    out: list[SourceFile] = []
    for item in items:
        path = Path(item)
        if not path.exists():
            raise IngestError(f"{path}: no such file or folder")
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in found.relative_to(path).parts):
                    out += _file(found, explicit=False)
        else:
            out += _file(path, explicit=True)
    return out


def without_copies(files: Sequence[SourceFile]) -> tuple[list[SourceFile], dict[str, str]]:
    """``files`` but those whose bytes are a file's before them (a browser's ``x (1).csv``, a
    zip and its files extracted beside it), and why each was left out (``{label: reason}``):
    a copy read twice counts its incidents twice. The same file named twice (a folder and a
    file in it) is read once without a word. Files are compared only when their sizes are
    equal (uncompressed sizes of zip members), then by SHA-256.

    Raises
    ------
    IngestError
        A file of equal size cannot be read (as its full read would).
    """
    named: dict[tuple[Path, str | None], SourceFile] = {}
    for file in files:
        named.setdefault((file.path.resolve(), file.member), file)  # the first naming of each
    distinct = list(named.values())
    by_size: dict[int, int] = {}
    for file in distinct:
        by_size[file.size] = by_size.get(file.size, 0) + 1
    first_of: dict[bytes, SourceFile] = {}
    kept: list[SourceFile] = []
    copies: dict[str, str] = {}
    for file in distinct:
        if by_size[file.size] > 1:
            digest = hashlib.sha256(file.read_bytes()).digest()
            if digest in first_of:
                copies[file.label] = f"the same bytes as {first_of[digest].label}: read once"
                continue
            first_of[digest] = file
        kept.append(file)
    return kept, copies


def _file(path: Path, *, explicit: bool) -> list[SourceFile]:
    if path.suffix.lower() != ".zip":
        return [SourceFile(str(path), path, None, explicit, path.stat().st_size)]
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc}); download it again") from exc
    members = []
    for info in sorted(infos, key=lambda i: i.filename):
        label = f"{path.name}!{info.filename}"
        _refuse_bomb(label, info)
        members.append(SourceFile(label, path, info.filename, False, info.file_size))
    return members


def _refuse_bomb(label: str, info: zipfile.ZipInfo) -> None:
    """Raise :class:`IngestError` before reading a member that inflates too much
    (:func:`~hotspots.data.ingest.textfile.refuse_bomb`; its declared size: :mod:`zipfile`
    reads no more than that)."""
    refuse_bomb(label, info.file_size, info.compress_size, "refused unread: it inflates to")


def progress_bar(files: Sequence[SourceFile], *, enabled: bool) -> tqdm:
    """A byte-counting progress bar (stderr), shown only when ``enabled`` and the input is
    large: more than three files or more than 50 MB."""
    total = sum(f.size for f in files)
    show = enabled and (len(files) > 3 or total > 50_000_000)
    return tqdm(total=total, unit="B", unit_scale=True, desc="reading", disable=not show)


READERS = 2
"""Files read at once by :func:`read_each` (the machines this runs on have 2 cores or more)."""


def read_each(files: Sequence[SourceFile], read: Callable[[SourceFile], _T]) -> Iterator[_T]:
    """``read(f)`` of each of ``files``, in their order, :data:`READERS` files at once (threads:
    inflating, parsing and scanning a file's bytes run outside Python's lock, so a second file
    is read on the second core). ``read`` must depend on its file only. The first file that
    fails raises, as when read one by one; the files not begun are not read."""
    if len(files) < 2:
        yield from map(read, files)
        return
    pool = ThreadPoolExecutor(READERS, thread_name_prefix="hotspots-read")
    try:
        # the next file is begun before the caller takes this one: both threads stay busy,
        # and at most READERS + 1 files' tables wait for the caller
        ahead = deque(pool.submit(read, f) for f in files[:READERS])
        for f in files[READERS:]:
            done = ahead.popleft()
            ahead.append(pool.submit(read, f))
            yield done.result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
