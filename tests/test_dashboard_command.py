"""``hotspots dashboard DIR``: the server is the command's own process, so stopping the command
(Ctrl-C, ``kill``, a service manager) stops the server; it outlived a killed command before
(a child process), still serving the workspace."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hotspots.data.workspace import init
from tests.browser.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def _answers(url: str) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
    ):
        return response.read().decode() == "ok"
    return False


def test_killing_the_command_stops_its_server(tmp_path):
    root = tmp_path / "ws"
    init(root, area="E08000035", title="Leeds CSP")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "hotspots.views.cli", "dashboard", str(root), "--port",
               str(port)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOTSPOTS_DB": str(tmp_path / "s.sqlite")}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _answers(url):
            assert process.poll() is None, "the dashboard command ended"
            assert time.monotonic() < deadline, "no server after 120 s"
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _answers(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _answers(url), "the server outlived the command"
    finally:
        if process.poll() is None:
            process.kill()
