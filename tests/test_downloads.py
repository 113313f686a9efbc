"""Every file a user downloads leaves through ``login.download_button`` (role-checked, audited,
CSV written by ``core.io.write_csv``), never through Streamlit's own table toolbar or a bare
``st.download_button``. The browser side is checked in tests/browser/test_no_table_download.py.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIEWS = REPO / "hotspots" / "views"


def _download_calls(path: Path) -> list[tuple[int, str]]:
    """(line, what is called) of every ``….download_button(…)`` call in ``path``."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr == "download_button":
            calls.append((node.lineno, ast.unparse(func.value)))
    return calls


def test_every_download_button_is_the_audited_one() -> None:
    files = [*sorted(VIEWS.rglob("*.py")), REPO / "app.py"]
    found = {p: _download_calls(p) for p in files}
    login = VIEWS / "dashboard" / "login.py"
    assert len(found.pop(login)) == 1  # the one place that draws Streamlit's button
    bare = [(p.name, line, who) for p, calls in found.items() for line, who in calls
            if who != "login"]  # fmt: skip
    assert bare == []
    assert sum(len(c) for c in found.values()) >= 6  # the pages' downloads, all audited


def test_the_table_toolbar_download_is_switched_off_wherever_the_dashboard_starts() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True  # `make dashboard`, tests/browser
    cli = (VIEWS / "cli.py").read_text(encoding="utf-8")
    assert '"--client.disableDataExport", "true"' in cli  # `hotspots dashboard DIR`
    # and every other safe client setting (no tracebacks, no developer menu) is passed too,
    # so it holds whatever folder `hotspots dashboard` is started from
    for key, value in config["client"].items():
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        assert f'"--client.{key}", "{shown}"' in cli, key
