"""Work done beside the main line: one home for the command line's use of the second core.

A cold ``hotspots analyse`` is one long chain of steps, most of them holding Python's GIL
(many small numpy calls), so threads do not run them at the same time. Some steps need only
what is known early and give a small answer: the next-month forecast and its backtest (given
the mappable incidents and the study area; it returns a few thousand cells' scores), the
standalone map (given the finished analysis; it writes one file). Within :func:`allowed`, a
child process is forked at once (while this one has only imported its modules); it imports
the modules the caller names (``prepare``: the forecast's scipy, the map's folium) while the
parent reads the data, then takes each step :func:`start` gives it (its inputs pickled to it
through a pipe) and sends the answer back (:meth:`Pending.result`), so the two cores work at
once. Forking before the data are read keeps the pages both processes share few: with a
child forked late, beside a heap of hundreds of MB, the parent copies every page of it that
it reuses while the child lives (a million rows: 747k page faults in the parent against
601k in one process; forked early, 626k).

Outside :func:`allowed` (the dashboard, a long-lived server with threads of its own, never
enters it) :meth:`Pending.result` simply calls the function, at that point, in this
process. The answer is the same either way, and whatever goes wrong with the child (no
``os.fork`` on this platform, the fork refused, the child busy, failing, killed or stalled,
inputs or an answer that do not pickle) ends in that same call in the parent: the fallback
is the plain path.

The child is forked before the data are read, so before pyarrow's thread pools have work;
the process does have a few idle threads then (the interpreter's and the allocator's, four
on Linux: Python 3.12 and later warn of forking a multi-threaded process). A child that
nevertheless stops making progress, e.g. on a lock a vanished thread held (no CPU time used
for :data:`STALL_S` seconds while the parent waits), is killed and the step run in the
parent.
Cyclic garbage collection is frozen in both processes while the child lives, so that no
collection writes to (and so copies) every page they share.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

T = TypeVar("T")

STALL_S = 10.0
"""Seconds without CPU progress after which a waited-for child counts as stuck."""

_HEADER = struct.Struct("<Q")
"""Every message on a pipe: its length in bytes, then its pickle."""


_worker: ContextVar[_Child | None] = ContextVar("hotspots_forked_worker", default=None)
_in_child = False
"""Whether this process is a forked child taking steps (set once it is)."""


def in_child() -> bool:
    """Whether this process is a forked child taking steps: whatever it keeps for later calls
    (a cache) ends with it, unread."""
    return _in_child


@contextmanager
def allowed(
    *, shared: Sequence[str] = (), prepare: Sequence[str] = (), enabled: bool = True
) -> Iterator[None]:
    """Within the block (in the thread that entered it), :func:`start` gives its steps to a
    child process, forked now, one step at a time.

    Parameters
    ----------
    shared
        Modules both processes will need: imported here before the fork, so that the child
        shares this process's copy instead of importing its own (scipy alone: ~0.3 s of CPU).
    prepare
        Modules the child imports before its first step; ``"module:function"`` also calls
        ``function()`` of the module, once imported (set-up its steps will need, done while
        it would wait for them).
    enabled
        ``False`` keeps every step in this process (for comparisons and tests).
    """
    child = None
    # only where a stalled child can be told (its CPU time read from /proc): elsewhere (macOS,
    # whose system libraries are not fork-safe) a deadlocked child would be waited for forever
    if enabled and hasattr(os, "fork") and _cpu_ticks(os.getpid()) is not None:
        for name in shared:
            importlib.import_module(name)
        child = _Child.fork(tuple(prepare))
    token = _worker.set(child)
    try:
        yield
    finally:
        _worker.reset(token)
        if child is not None:
            child.close()


def start(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Pending[T]:
    """``fn(*args, **kwargs)``, given to the child when :func:`allowed` and the child is
    free; its value is :meth:`Pending.result` (computed there and then when no child runs it).
    ``fn`` must be importable by name (a module-level function), its inputs and answer must
    pickle, and it must not change anything the parent reads (the child's changes are lost)."""
    pending = Pending(fn, args, kwargs)
    child = _worker.get()
    if child is not None and not child.busy and child.alive and child.send((fn, args, kwargs)):
        pending._child = child
    return pending


class Pending(Generic[T]):
    """A step begun by :func:`start`. Use as a context manager, so that a child whose answer
    is not taken (the parent failed first) is stopped."""

    def __init__(self, fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._child: _Child | None = None

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:  # the answer not taken: the child is of no more use
            self._child.close()
            self._child = None

    @property
    def forked(self) -> bool:
        """Whether a child is working on the step."""
        return self._child is not None

    def result(self) -> T:
        """The step's value: the child's answer, or ``fn`` called here when there is no
        child or no answer from it."""
        child, self._child = self._child, None
        answer = child.answer() if child is not None else None
        if answer is not None:
            return answer[0]
        if child is not None:
            child.close()
        return self._fn(*self._args, **self._kwargs)


class _Child:
    """The forked child: a pipe to send it steps, a pipe for its answers."""

    def __init__(self, pid: int, tasks: int, answers: int) -> None:
        self.pid, self.tasks, self.answers = pid, tasks, answers
        self.busy = False
        self.alive = True
        self.froze = False
        self._sender: threading.Thread | None = None

    @classmethod
    def fork(cls, prepare: tuple[str, ...]) -> _Child | None:
        """A child importing ``prepare``, then waiting for steps; ``None`` when none can be
        forked."""
        try:
            task_r, task_w = os.pipe()
            answer_r, answer_w = os.pipe()
        except OSError:
            return None
        # no collection touches (so copies) the pages both processes share; a heap the
        # program froze itself is left frozen when the child ends
        froze = gc.get_freeze_count() == 0
        if froze:
            gc.freeze()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            if froze:
                gc.unfreeze()
            for fd in (task_r, task_w, answer_r, answer_w):
                os.close(fd)
            return None
        if pid == 0:  # the child never returns: it serves, then leaves without exit handlers
            status = 1
            try:
                os.close(task_w)
                os.close(answer_r)
                _die_with(parent)
                _serve(task_r, answer_w, prepare)
                status = 0
            finally:
                os._exit(status)
        os.close(task_r)
        os.close(answer_w)
        child = cls(pid, task_w, answer_r)
        child.froze = froze
        return child

    def send(self, task: tuple) -> bool:
        """Give the child ``task`` (written from a thread: the child may still be importing
        and the parent goes on); ``False`` when it does not pickle."""
        try:
            payload = pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
        except Exception:
            return False
        if self._sender is not None:
            self._sender.join()
        self._sender = threading.Thread(
            target=_write, args=(self.tasks, payload), name="hotspots-forked-send", daemon=True
        )
        self._sender.start()
        self.busy = True
        return True

    def answer(self) -> tuple[Any] | None:
        """The child's answer to its step (a 1-tuple), or ``None`` when it fails, dies or
        stalls."""
        try:
            header = self._read(_HEADER.size)
            body = self._read(_HEADER.unpack(header)[0]) if header is not None else None
            answer = pickle.loads(body) if body is not None else None
        except Exception:
            answer = None
        self.busy = False
        return answer if isinstance(answer, tuple) and len(answer) == 1 else None

    def _read(self, n: int) -> bytes | None:
        """``n`` bytes from the child, ``None`` at its end or when it stalls."""
        chunks: list[bytes] = []
        seen, since = _cpu_ticks(self.pid), time.monotonic()
        while n:
            if select.select([self.answers], [], [], 1.0)[0]:
                chunk = os.read(self.answers, min(n, 1 << 20))
                if not chunk:
                    return None
                chunks.append(chunk)
                n -= len(chunk)
                continue
            ticks = _cpu_ticks(self.pid)
            if ticks is None or ticks != seen:
                seen, since = ticks, time.monotonic()
            elif time.monotonic() - since > STALL_S:
                return None
        return b"".join(chunks)

    def close(self) -> None:
        """Kill the child, close its pipes and reap it."""
        if not self.alive:
            return
        self.alive = False
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with suppress(OSError):
            os.close(self.tasks)
        if self._sender is not None:
            self._sender.join()
        with suppress(OSError):
            os.close(self.answers)
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        if self.froze:
            gc.unfreeze()


def _die_with(parent: int) -> None:
    """In the child: be killed when the parent ends, however it ends (SIGTERM, SIGKILL, the
    OOM killer), so that no orphan goes on working or writing (Linux ``prctl``). Where that
    cannot be set, or the parent has already ended, the child leaves at once: its steps are
    then done by the parent."""
    import ctypes

    try:
        set_up = ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # PR_SET_PDEATHSIG above; no prctl: not Linux
        set_up = False
    if not set_up or os.getppid() != parent:
        os._exit(1)


def _serve(tasks: int, answers: int, prepare: tuple[str, ...]) -> None:
    """The child's life: import ``prepare`` (and call its functions, :func:`allowed`), then
    answer each step read from ``tasks`` until the parent closes it."""
    global _in_child
    _in_child = True
    for name in prepare:
        module, _, function = name.partition(":")
        with suppress(Exception):
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
    while True:
        header = _read_all(tasks, _HEADER.size)
        body = _read_all(tasks, _HEADER.unpack(header)[0]) if header else None
        if body is None:
            return
        fn, args, kwargs = pickle.loads(body)
        _write(answers, pickle.dumps((fn(*args, **kwargs),), pickle.HIGHEST_PROTOCOL))


def _write(fd: int, payload: bytes) -> None:
    """``payload`` with its length, whole, to the pipe ``fd``."""
    with suppress(OSError):
        for part in (_HEADER.pack(len(payload)), payload):  # (no joined copy of the payload)
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]


def _read_all(fd: int, n: int) -> bytes | None:
    """``n`` bytes from the pipe ``fd``; ``None`` when it ends first."""
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _cpu_ticks(pid: int) -> int | None:
    """User + system CPU ticks the process ``pid`` has used (Linux ``/proc``), else ``None``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None
