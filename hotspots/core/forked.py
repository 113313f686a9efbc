"""Work done beside the main line: one home for the command line's use of the second core.

A cold ``hotspots analyse`` is one long chain of steps, most of them holding Python's GIL
(many small numpy calls), so threads do not run them at the same time. Some steps need only
what is known early and give a small answer: the next-month forecast and its backtest (given
the mappable incidents and the study area; it returns a few thousand cells' scores), the
standalone map (given the finished analysis; it writes one file). :func:`start` runs such a
step in a forked child process while the parent goes on, and :meth:`Pending.result` takes
its answer back (pickled through a pipe), so the two cores work at once. A child that has
answered stays, imports the modules the caller named (``prepare``: the map's folium, while
the parent is still busy) and takes the next step :func:`start` is given, its inputs pickled
to it (the next steps' inputs are small: an analysis pickles in ~20 ms).

Forking is off unless a caller turns it on with :func:`allowed` (the command line does;
the dashboard, a long-lived server with threads of its own, never does): without it
:meth:`Pending.result` simply calls the function, at that point, in this process. The
answer is the same either way, and whatever goes wrong with a child (no ``os.fork`` on this
platform, the fork refused, the child failing, killed or stalled, an answer that does not
pickle) ends in that same call in the parent: the fallback is the plain path.

Forking a process that has run pyarrow's thread pools and BLAS is safe here: a pool's idle
threads hold no lock (they wait on a condition variable), Arrow and OpenBLAS reset their
pools in the child (``pthread_atfork``), and Arrow's memory comes from the system allocator
(:mod:`hotspots.core.memory`), whose locks glibc resets at fork. A child that nevertheless
stops making progress (no CPU time used for :data:`STALL_S` seconds while the parent waits)
is killed and the step run in the parent. Cyclic garbage collection is frozen in both
processes while a child lives, so that no collection writes to (and so copies) every page
they share.
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
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

STALL_S = 10.0
"""Seconds without CPU progress after which a waited-for child counts as stuck."""

_HEADER = struct.Struct("<Q")
"""Every message on a pipe: its length in bytes, then its pickle."""


@dataclass
class _Pool:
    """The children of one :func:`allowed` block: those waiting for a step, and the modules
    a child imports once it has answered."""

    prepare: tuple[str, ...]
    idle: list[_Child] = field(default_factory=list)
    open: bool = True


_pool: ContextVar[_Pool | None] = ContextVar("hotspots_forked_pool", default=None)


@contextmanager
def allowed(*, prepare: Sequence[str] = (), enabled: bool = True) -> Iterator[None]:
    """Within the block (in the thread that entered it), :func:`start` runs steps in child
    processes when it can.

    Parameters
    ----------
    prepare
        Modules a child imports after its first answer, ready for the next step.
    enabled
        ``False`` keeps every step in this process (for comparisons and tests).
    """
    pool = _Pool(tuple(prepare)) if enabled and hasattr(os, "fork") else None
    token = _pool.set(pool)
    try:
        yield
    finally:
        _pool.reset(token)
        if pool is not None:
            pool.open = False
            for child in pool.idle:  # waiting for a step that will not come (or importing)
                child.close(kill=True)


def start(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Pending[T]:
    """``fn(*args, **kwargs)``, begun in a child when :func:`allowed`; its value is
    :meth:`Pending.result` (computed there and then when no child runs it). ``fn`` must be
    importable by name (a module-level function), its answer must pickle, and it must not
    change anything the parent reads (the child's changes are lost)."""
    pending = Pending(fn, args, kwargs)
    pool = _pool.get()
    if pool is not None:
        while pool.idle and pending._child is None:
            child = pool.idle.pop()
            if child.send((fn, args, kwargs)):
                pending._child = child
        if pending._child is None:
            pending._child = _Child.fork(fn, args, kwargs, pool.prepare)
        pending._pool = pool
    return pending


class Pending(Generic[T]):
    """A step begun by :func:`start`. Use as a context manager, so that a child whose answer
    is not taken (the parent failed first) is stopped."""

    def __init__(self, fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._child: _Child | None = None
        self._pool: _Pool | None = None

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:
            self._child.close(kill=True)
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
        if child is not None and (answer is None or self._pool is None or not self._pool.open):
            child.close(kill=True)
        elif child is not None and self._pool is not None:
            self._pool.idle.append(child)  # ready (once it has imported) for the next step
        if answer is not None:
            return answer[0]
        return self._fn(*self._args, **self._kwargs)


class _Child:
    """A forked child: a pipe to send it steps, a pipe for its answers."""

    def __init__(self, pid: int, tasks: int, answers: int) -> None:
        self.pid, self.tasks, self.answers = pid, tasks, answers
        self._sender: threading.Thread | None = None

    @classmethod
    def fork(
        cls, fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any], prepare: tuple[str, ...]
    ) -> _Child | None:
        """A child already working on ``fn(*args, **kwargs)``; ``None`` when none can be
        forked."""
        try:
            task_r, task_w = os.pipe()
            answer_r, answer_w = os.pipe()
        except OSError:
            return None
        gc.freeze()  # no collection touches (so copies) the pages both processes share
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            for fd in (task_r, task_w, answer_r, answer_w):
                os.close(fd)
            return None
        if pid == 0:  # the child never returns: it answers, then leaves without exit handlers
            status = 1
            try:
                os.close(task_w)
                os.close(answer_r)
                _serve(task_r, answer_w, (fn, args, kwargs), prepare)
                status = 0
            finally:
                os._exit(status)
        os.close(task_r)
        os.close(answer_w)
        return cls(pid, task_w, answer_r)

    def send(self, task: tuple) -> bool:
        """Give the waiting child ``task`` (written from a thread: the child may still be
        importing); ``False`` when it does not pickle."""
        try:
            payload = pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
        except Exception:
            self.close(kill=True)
            return False
        self._sender = threading.Thread(
            target=_write, args=(self.tasks, payload), name="hotspots-forked-send", daemon=True
        )
        self._sender.start()
        return True

    def answer(self) -> tuple[Any] | None:
        """The child's next answer (a 1-tuple), or ``None`` when it fails, dies or stalls."""
        try:
            header = self._read(_HEADER.size)
            body = self._read(_HEADER.unpack(header)[0]) if header is not None else None
            answer = pickle.loads(body) if body is not None else None
        except Exception:
            return None
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

    def close(self, *, kill: bool = False) -> None:
        """End the child (its end of the task pipe closed: it leaves; ``kill``: at once) and
        reap it."""
        if kill:
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
        gc.unfreeze()


def _serve(tasks: int, answers: int, first: tuple, prepare: tuple[str, ...]) -> None:
    """The child's life: answer ``first``, import ``prepare``, then answer each step read
    from ``tasks`` until the parent closes it."""
    task: tuple | None = first
    while task is not None:
        fn, args, kwargs = task
        _write(answers, pickle.dumps((fn(*args, **kwargs),), pickle.HIGHEST_PROTOCOL))
        for name in prepare:
            with suppress(Exception):
                importlib.import_module(name)
        prepare = ()
        header = _read_all(tasks, _HEADER.size)
        body = _read_all(tasks, _HEADER.unpack(header)[0]) if header else None
        task = pickle.loads(body) if body else None


def _write(fd: int, payload: bytes) -> None:
    """``payload`` with its length, whole, to the pipe ``fd``."""
    with suppress(OSError):
        view = memoryview(_HEADER.pack(len(payload)) + payload)
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
