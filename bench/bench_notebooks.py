"""Time each analyst notebook top to bottom (issue 6's bar: each under a minute).

Run: ``.venv/bin/python bench/bench_notebooks.py``. One notebook at a time, kernel start
included; prints wall and the kernel's CPU time (from /proc of the kernel process).
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def main() -> None:
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        cpu = 0.0
        with client.setup_kernel():
            pid = client.km.provisioner.pid
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            times = psutil.Process(pid).cpu_times()
            cpu = times.user + times.system
        print(f"{path.name}: {time.perf_counter() - start:5.1f} s wall, kernel CPU {cpu:5.1f} s")


if __name__ == "__main__":
    main()
