"""Which allocator Arrow memory comes from: the C library's (``malloc``), not pyarrow's
default mimalloc.

Every column of incidents is Arrow text, so the ingest, each dashboard selection and every
product allocate and free large Arrow buffers. With mimalloc those allocations sometimes cost
ten times as much on a Linux server (the same ``take`` of 28,000 rows of the force-year: 0.012
s, or 0.05-0.25 s when the pages it returned to the system are faulted back in), and a cold
``hotspots analyse`` of the Hertfordshire year spent 0.8-1.2 s of system time and 530-570 MB
against 0.4-0.5 s and 450-480 MB with the system allocator (session 6, three interleaved
runs). The system allocator exists in every pyarrow build.

A user's own ``ARROW_DEFAULT_MEMORY_POOL`` is left as set.
"""

from __future__ import annotations

import os
import sys

POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
"""pyarrow's environment variable naming its default allocator (read at its import)."""
POOL = "system"
"""The allocator used unless the user's environment names another."""


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
