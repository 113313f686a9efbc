"""Arrow's allocator and numpy's pages (hotspots.core.memory): the system's allocator and
ordinary pages unless the user names another; the allocator set
whether pyarrow was imported before hotspots or after. Each case is a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hotspots.core.memory import HUGE_PAGES_ENV, POOL_ENV


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


_HUGE = "import numpy as np; print(np._core.multiarray._get_madvise_hugepage())"


def _huge_pages(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != HUGE_PAGES_ENV}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_numpy_arrays_get_ordinary_pages_when_hotspots_comes_first() -> None:
    assert _huge_pages(_HUGE) == "True"  # numpy's own default on Linux
    assert _huge_pages("import hotspots; " + _HUGE) == "False"
    assert _huge_pages("import hotspots.views.cli; " + _HUGE) == "False"  # the command


def test_numpy_imported_first_or_a_users_own_setting_is_kept() -> None:
    assert _huge_pages(_HUGE.replace("; print", "; import hotspots; print")) == "True"
    assert _huge_pages("import hotspots; " + _HUGE, **{HUGE_PAGES_ENV: "1"}) == "True"
