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

A long-lived server (the dashboard) cannot fork safely beside its threads; within
:func:`worker_process` its steps go to one worker process of its own instead, a fresh
interpreter started once (:meth:`_Child.spawn`) that keeps what it learnt between steps (the
forecast's basis of a data load: ``setup``). A step goes there only when the worker is ready
(its imports done) and free (another page's step not under way): otherwise it runs in the
calling thread, as it would without a worker, so no page ever waits in a queue.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
U = TypeVar("U")

STALL_S = 10.0
"""Seconds without CPU progress after which a waited-for child counts as stuck."""

_HEADER = struct.Struct("<Q")
"""Every message on a pipe: its length in bytes, then its pickle."""


_worker: ContextVar[_Child | None] = ContextVar("hotspots_forked_worker", default=None)
_setup: ContextVar[Setup | None] = ContextVar("hotspots_forked_setup", default=None)

Setup = tuple[Hashable, Callable[..., Any], tuple[Any, ...]]
"""What a worker process runs once before its first step of a kind (:func:`worker_process`):
a key naming it, a module-level function and its arguments."""

_spawned: _Child | None = None
"""The long-lived worker process of this process (:func:`worker_process`)."""
_spawned_lock = threading.Lock()
_failed_starts = 0
"""Worker processes that ended before they were ready (their imports failed)."""
_MAX_FAILED_STARTS = 3
"""After this many, no worker is started again: pages work their steps out themselves."""
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


@contextmanager
def worker_process(*, prepare: Sequence[str] = (), setup: Setup | None = None) -> Iterator[None]:
    """Within the block (in the thread that entered it), :func:`start` gives its steps to this
    process's long-lived worker process (a fresh interpreter, started at the first call,
    importing ``prepare``) when it is ready and free; else they run here, at
    :meth:`Pending.result`. ``setup`` runs in the worker before the first step given it with
    that setup's key (the same key later: not again)."""
    child = _server_worker(tuple(prepare))
    if child is not None and setup is not None:
        child.set_up_soon(setup)
    token, setup_token = _worker.set(child), _setup.set(setup)
    try:
        yield
    finally:
        _worker.reset(token)
        _setup.reset(setup_token)


def serving() -> bool:
    """Whether :func:`start` may give a step to a long-lived worker (:func:`worker_process`):
    its answers come back to a process that keeps them (a cache)."""
    child = _worker.get()
    return child is not None and child.persistent


def _server_worker(prepare: tuple[str, ...]) -> _Child | None:
    """The long-lived worker process, started (again, if it ended) when none lives; ``None``
    where a stalled worker could not be told (no CPU time from ``/proc``: not Linux), whose
    steps then run in the caller."""
    global _spawned, _failed_starts
    if _cpu_ticks(os.getpid()) is None:
        return None
    with _spawned_lock:
        if _spawned is None or not _spawned.alive:
            if _spawned is not None and not _spawned.ready:  # ended before its imports were done
                _failed_starts += 1
                if _failed_starts == _MAX_FAILED_STARTS:
                    print(
                        f"hotspots: the worker process ended before it was ready "
                        f"{_MAX_FAILED_STARTS} times; pages make their forecasts themselves",
                        file=sys.stderr,
                    )
            if _failed_starts >= _MAX_FAILED_STARTS:
                return None
            _spawned = _Child.spawn(prepare)
        return _spawned


def start(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Pending[T]:
    """``fn(*args, **kwargs)``, given to the child when :func:`allowed` (or the worker, within
    :func:`worker_process`) and it is free; its value is :meth:`Pending.result` (computed
    there and then when no child runs it). ``fn`` must be importable by name (a module-level
    function), its inputs and answer must pickle, and it must not change anything the parent
    reads (the child's changes are lost)."""
    pending = Pending(fn, args, kwargs)
    child = _worker.get()
    setup = _setup.get() if child is not None and child.persistent else None
    if setup is not None and child is not None and setup[0] in child.failed_setups:
        return pending  # the worker could not set this up: the step runs here
    if child is None or not child.claim():
        return pending
    task: tuple[Any, tuple, dict[str, Any]] = (fn, args, kwargs)
    if setup is not None and setup[0] not in child.setups:
        task = (_after_setup, (setup[1], setup[2], fn, args, kwargs), {})
        pending._setup_done = setup[0]
    if child.send(task):
        pending._child = child
    else:
        child.unclaim()
    return pending


def given(value: T) -> Pending[T]:
    """A step whose value is known already (a cache's): :meth:`Pending.result` is ``value``."""
    return Pending(_given, (value,), {})


def _given(value: T) -> T:
    return value


def _after_setup(
    setup: Callable[..., Any],
    setup_args: tuple[Any, ...],
    fn: Callable[..., T],
    args: tuple,
    kwargs: dict[str, Any],
) -> object:
    """In the worker: ``setup(*setup_args)``, then the step; a :class:`_SetupFailed` when the
    setup fails (said once on the server's error output)."""
    try:
        setup(*setup_args)
    except Exception as err:
        _say_once(setup, err)
        return _SetupFailed()  # the parent tells it apart
    return fn(*args, **kwargs)


class _SetupFailed:
    """The worker's answer to a step whose setup failed there: the step was not run."""


class Pending(Generic[T]):
    """A step begun by :func:`start`. Use as a context manager, so that a child whose answer
    is not taken (the parent failed first) is stopped."""

    def __init__(self, fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._child: _Child | None = None
        self._setup_done: Hashable | None = None
        self._then: Callable[[Any], Any] | None = None

    def then(self, after: Callable[[T], U]) -> Pending[U]:
        """This step with ``after`` applied to its value (after those given before), wherever
        it was worked out."""
        before = self._then
        self._then = after if before is None else lambda value: after(before(value))
        return cast("Pending[U]", self)

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.persistent:  # the answer not taken: read and dropped, the worker serving on
            threading.Thread(
                target=child.drop,
                args=(self._setup_done,),
                name="hotspots-worker-drop",
                daemon=True,
            ).start()
        else:  # a forked child is of no more use
            child.close()

    @property
    def forked(self) -> bool:
        """Whether a child is working on the step."""
        return self._child is not None

    def waiting(self) -> bool:
        """Whether a child works on the step and has not answered yet (read without waiting)."""
        child = self._child
        return child is not None and not _readable(child.answers, 0)

    def result(self) -> T:
        """The step's value: the child's answer, or ``fn`` called here when there is no
        child or no answer from it."""
        child, self._child = self._child, None
        answer = child.answer() if child is not None else None
        if child is not None:
            child.release(answer, self._setup_done)
        if answer and not isinstance(answer[0], _SetupFailed):
            value = answer[0]
        else:  # no child, or no value from it: worked out here
            value = self._fn(*self._args, **self._kwargs)
        return cast(T, self._then(value)) if self._then is not None else value


class _Child:
    """The forked child: a pipe to send it steps, a pipe for its answers."""

    def __init__(
        self, pid: int, tasks: int, answers: int, process: subprocess.Popen | None = None
    ) -> None:
        self.pid, self.tasks, self.answers = pid, tasks, answers
        self.busy = False
        self.alive = True
        self.froze = False
        self._sender: threading.Thread | None = None
        self.process = process
        """The long-lived worker's process (:meth:`spawn`); ``None`` for a forked child."""
        self.ready = process is None  # a spawned worker: once it says its imports are done
        self.setups: set[Hashable] = set()
        """The setups the worker ran (:func:`worker_process`)."""
        self.failed_setups: set[Hashable] = set()
        """The setups that failed in the worker: their steps run in the caller."""
        # claimed, released and closed under one lock (re-entrant: a claim may close a
        # worker that ended before it was ready)
        self._claim = threading.RLock()
        self._setting_up: set[Hashable] = set()

    def set_up_soon(self, setup: Setup) -> None:
        """Run ``setup`` in the worker as soon as it is ready and free (on a thread: the
        caller goes on), unless it ran or is being given already: the first step that needs
        it then does not wait for it."""
        with self._claim:
            if setup[0] in self.setups | self.failed_setups | self._setting_up:
                return
            self._setting_up.add(setup[0])
        threading.Thread(
            target=self._set_up, args=(setup,), name="hotspots-worker-setup", daemon=True
        ).start()

    def _set_up(self, setup: Setup) -> None:
        try:
            deadline = time.monotonic() + _SET_UP_WAIT_S
            while (
                self.alive
                and setup[0] not in self.setups | self.failed_setups
                and time.monotonic() < deadline
            ):
                if self.claim():
                    task: tuple[Any, tuple, dict[str, Any]] = (
                        _after_setup,
                        (setup[1], setup[2], _given, (None,), {}),
                        {},
                    )
                    pending: Pending[None] = Pending(_given, (None,), {})
                    if self.send(task):
                        pending._child, pending._setup_done = self, setup[0]
                        pending.result()
                    else:
                        self.unclaim()
                    return
                time.sleep(_SET_UP_POLL_S)
        finally:
            with self._claim:
                self._setting_up.discard(setup[0])

    @property
    def persistent(self) -> bool:
        """Whether this is a long-lived worker (:meth:`spawn`), not a forked child."""
        return self.process is not None

    def claim(self) -> bool:
        """Take the child for one step: ``False`` when it is busy, ended or not ready."""
        with self._claim:
            if self.busy or not self.alive or not self._is_ready():
                return False
            self.busy = True
            return True

    def unclaim(self) -> None:
        """Give the child back, no step sent."""
        with self._claim:
            self.busy = False

    def release(self, answer: tuple[Any, ...] | None, setup: Hashable | None) -> None:
        """After its step's answer (:meth:`answer`): a child that died or stalled is closed,
        and so is a forked child whose step failed; the setup the step carried is recorded
        as done or failed; only then is the child free for another step."""
        with self._claim:
            if answer is None or (not answer and not self.persistent):
                self.close()
            elif answer and setup is not None:
                failed = isinstance(answer[0], _SetupFailed)
                (self.failed_setups if failed else self.setups).add(setup)
            self.busy = False

    def drop(self, setup: Hashable | None) -> None:
        """Read the answer of a step whose caller failed first, and release the child."""
        self.release(self.answer(), setup)

    def _is_ready(self) -> bool:
        """Whether a spawned worker said it is ready (read without waiting)."""
        if not self.ready and _readable(self.answers, 0):
            said = _read_all(self.answers, _HEADER.size)
            if said is None or _HEADER.unpack(said)[0] != 0:
                self.close()
                return False
            self.ready = True
        return self.ready

    @classmethod
    def spawn(cls, prepare: tuple[str, ...]) -> _Child | None:
        """A long-lived worker: a fresh interpreter (no fork: safe beside a server's threads)
        importing ``prepare``, then serving steps; ``None`` when it cannot be started. It ends
        when this process closes its pipe (at exit, or ended any way)."""
        try:
            task_r, task_w = os.pipe()
            answer_r, answer_w = os.pipe()
        except OSError:
            return None
        process = None
        try:
            # -I: no folder of the server's (its working directory) on the path before the
            # server's own path is set; that path comes through the environment
            code = (
                "import json, os, sys; "
                f"sys.path[:] = json.loads(os.environ.pop({_PATH_ENV!r})); "
                "from hotspots.core.forked import _serve; "
                "_serve(int(sys.argv[1]), int(sys.argv[2]), tuple(sys.argv[3:]), announce=True)"
            )
            env = {**os.environ, _PATH_ENV: json.dumps([os.fsdecode(p) for p in sys.path])}
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", code, str(task_r), str(answer_w), *prepare],
                pass_fds=(task_r, answer_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # not stopped by a Ctrl+C meant for the server
            )
        except (OSError, TypeError, ValueError):
            process = None
        finally:
            os.close(task_r)
            os.close(answer_w)
            if process is None:
                os.close(task_w)
                os.close(answer_r)
        if process is None:
            return None
        return cls(process.pid, task_w, answer_r, process)

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
        return True

    def answer(self) -> tuple[Any, ...] | None:
        """The child's answer to its step: a 1-tuple, ``()`` when the step failed there,
        ``None`` when the child died or stalled."""
        try:
            header = self._read(_HEADER.size)
            body = self._read(_HEADER.unpack(header)[0]) if header is not None else None
            answer = pickle.loads(body) if body is not None else None
        except Exception:
            answer = None
        return answer if isinstance(answer, tuple) and len(answer) <= 1 else None

    def _read(self, n: int) -> bytes | None:
        """``n`` bytes from the child, ``None`` at its end or when it stalls."""
        chunks: list[bytes] = []
        seen, since = _cpu_ticks(self.pid), time.monotonic()
        while n:
            if _readable(self.answers, 1.0):
                chunk = os.read(self.answers, min(n, 1 << 20))
                if not chunk:
                    return None
                chunks.append(chunk)
                n -= len(chunk)
                continue
            ticks = _cpu_ticks(self.pid)
            if ticks is None:  # the process is gone (reaped)
                return None
            if ticks != seen:
                seen, since = ticks, time.monotonic()
            elif time.monotonic() - since > STALL_S:
                return None
        return b"".join(chunks)

    def close(self) -> None:
        """Kill the child, close its pipes and reap it."""
        with self._claim:
            self._close()

    def _close(self) -> None:
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
        if self.process is not None:
            self.process.wait()
        else:
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


def _serve(tasks: int, answers: int, prepare: tuple[str, ...], *, announce: bool = False) -> None:
    """The child's life: import ``prepare`` (and call its functions, :func:`allowed`;
    ``announce``: then say so, an empty message), then answer each step read from ``tasks``
    until the parent closes it. A step that fails is answered with no value: the parent then
    runs it itself (and sees its error)."""
    global _in_child
    _in_child = True
    for name in prepare:
        module, _, function = name.partition(":")
        with suppress(Exception):
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
    if announce:  # a spawned worker: ends within a moment of its parent, however it ends
        parent = os.getppid()
        threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
        _write(answers, b"")
    while True:
        header = _read_all(tasks, _HEADER.size)
        body = _read_all(tasks, _HEADER.unpack(header)[0]) if header else None
        if body is None:
            return
        fn = None
        try:
            fn, args, kwargs = pickle.loads(body)
            answer: tuple[Any, ...] = (fn(*args, **kwargs),)
            payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as err:
            if announce:  # a spawned worker: the server's log says so, once per step's kind
                _say_once(fn, err)
            payload = pickle.dumps((), pickle.HIGHEST_PROTOCOL)
        _write(answers, payload)


_said: set[str] = set()


def _say_once(fn: object, err: Exception) -> None:
    """In the worker: say on the server's error output, once per function, that ``fn``
    failed (the caller then works it out itself)."""
    name = getattr(fn, "__qualname__", "a step")
    if name not in _said:
        _said.add(name)
        print(
            f"hotspots worker: {name} failed ({type(err).__name__}: {err}); "
            "the page works it out itself",
            file=sys.stderr,
        )


def _readable(fd: int, timeout_s: float) -> bool:
    """Whether the pipe ``fd`` has something to read, or its writer ended, within
    ``timeout_s`` (``poll``: any file descriptor number, unlike ``select``)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(int(timeout_s * 1000)))


def _end_with(parent: int) -> None:
    """In a spawned worker: leave at once when ``parent`` has ended (this process adopted by
    another), even in the middle of a step, so that no orphan goes on working."""
    while os.getppid() == parent:
        time.sleep(_ORPHAN_CHECK_S)
    os._exit(1)


_SET_UP_WAIT_S = 120.0
"""Longest a setup waits for the worker to be ready and free (:meth:`_Child.set_up_soon`)."""
_SET_UP_POLL_S = 0.05
"""Seconds between its looks."""

_PATH_ENV = "HOTSPOTS_WORKER_SYS_PATH"
"""The server's ``sys.path`` (JSON), given to the worker process it starts."""

_ORPHAN_CHECK_S = 0.5
"""Seconds between a spawned worker's looks at whether its parent still lives."""


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
