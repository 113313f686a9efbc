"""How large arrays get their memory: Arrow's from the C library's allocator (``malloc``), not
pyarrow's default mimalloc; numpy's in ordinary pages, not transparent huge pages.

Every column of incidents is Arrow text, so the ingest, each dashboard selection and every
product allocate and free large Arrow buffers. With mimalloc those allocations sometimes cost
ten times as much on a Linux server (the same ``take`` of 28,000 rows of the force-year: 0.012
s, or 0.05-0.25 s when the pages it returned to the system are faulted back in), and a cold
``hotspots analyse`` of the Hertfordshire year spent 0.8-1.2 s of system time and 530-570 MB
against 0.4-0.5 s and 450-480 MB with the system allocator (session 6, three interleaved
runs). The system allocator exists in every pyarrow build.

numpy asks Linux for transparent huge pages (2 MB) for every array of 4 MB or more. On a
kernel that compacts memory to find them at the fault (``defrag`` set to ``madvise``, the
default of many distributions, this machine's too), a cold ``hotspots analyse`` of a million
rows spent 1.3-1.6 s of system time with them and 1.0-1.1 s without, 0.06-0.26 s of wall time
(session 14, interleaved runs); the Hertfordshire year and a dashboard filter change were the
same either way.

A user's own ``ARROW_DEFAULT_MEMORY_POOL`` and ``NUMPY_MADVISE_HUGEPAGE`` are left as set.
"""

from __future__ import annotations

import os
import sys

POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
"""pyarrow's environment variable naming its default allocator (read at its import)."""
POOL = "system"
"""The allocator used unless the user's environment names another."""
HUGE_PAGES_ENV = "NUMPY_MADVISE_HUGEPAGE"
"""numpy's environment variable: ``"0"`` and its arrays are not given huge pages (read at its
import)."""


def use_system_allocator() -> None:
    """Make Arrow allocate with :data:`POOL` unless ``ARROW_DEFAULT_MEMORY_POOL`` is set.

    Before pyarrow is imported this only sets the environment variable (no import; child
    processes such as Dask's workers inherit it); after, it sets pyarrow's default pool (the
    buffers already allocated are freed by the pool that made them)."""
    if os.environ.get(POOL_ENV):
        return
    os.environ[POOL_ENV] = POOL
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def no_huge_pages_for_numpy() -> None:
    """Make numpy arrays use ordinary pages unless ``NUMPY_MADVISE_HUGEPAGE`` is set. Only
    before numpy is imported (it reads the variable then): a notebook that imported numpy
    first keeps numpy's choice."""
    if os.environ.get(HUGE_PAGES_ENV) or "numpy" in sys.modules:
        return
    os.environ[HUGE_PAGES_ENV] = "0"
