"""Arrow's allocator (hotspots.core.memory): the system's unless the user names another, set
whether pyarrow was imported before hotspots or after. Each case is a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hotspots.core.memory import POOL_ENV


def _backend(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != POOL_ENV}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@pytest.mark.parametrize(
    "code",
    [
        "import hotspots, pyarrow as pa; print(pa.default_memory_pool().backend_name)",
        "import pyarrow as pa, hotspots; print(pa.default_memory_pool().backend_name)",
    ],
    ids=["hotspots first", "pyarrow first"],
)
def test_arrow_allocates_with_the_system_allocator(code: str) -> None:
    assert _backend(code) == "system"


def test_a_users_own_choice_is_kept() -> None:
    code = "import hotspots, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    assert _backend(code, **{POOL_ENV: "jemalloc"}) == "jemalloc"


def test_the_choice_is_in_the_environment_child_processes_inherit() -> None:
    code = "import hotspots, os; print(os.environ['ARROW_DEFAULT_MEMORY_POOL'])"
    assert _backend(code) == "system"
