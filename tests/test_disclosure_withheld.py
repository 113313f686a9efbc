"""A selection holding only withheld sensitive incidents looks exactly like one holding none.

A synthetic Leeds council log (every ward, July to September 2024, noise and youth ASB, domestic
abuse in groups of 6 in two wards) is loaded twice: once as it is, once with two more domestic
abuse incidents in one ward in September and a rape in another in August (groups under 5). On
every dashboard page (AppTest, the workspace opened as ``hotspots dashboard`` opens it) and in
every command, choosing that ward, type and month gives the same words, figures and widgets in
both (the selection holds no sensitive incident, or only withheld ones); a sensitive type seen
once is never offered by name.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from hotspots.core.crs import BNG
from hotspots.data import boundaries

pytestmark = pytest.mark.slow  # six pages twice, and four commands twice: a few minutes

LEEDS = "E08000035"
COLUMNS = {
    "incident_id": "ref",
    "date": "date",
    "time": "time",
    "crime_type": "type",
    "easting": "easting",
    "northing": "northing",
}
PAGES = ("map", "areas", "when", "patrol", "vawg", "cctv")


def _wards() -> gpd.GeoDataFrame:
    return boundaries.district(LEEDS).wards.to_crs(BNG)


def _log(*, withheld: bool) -> pd.DataFrame:
    """The council log: ASB in every ward and month; domestic abuse in groups of 6 (shown) in
    two wards; with ``withheld``, also two in the first ward in September and one rape."""
    wards = _wards()
    rng = np.random.default_rng(14)
    rows: list[dict[str, object]] = []

    def add(ward: int, month: str, kind: str, n: int) -> None:
        inner = wards.geometry.iloc[ward].buffer(-150)
        x0, y0, x1, y1 = inner.bounds
        points: list[tuple[float, float]] = []
        while len(points) < n:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(inner, x, y):
                points.append((x, y))
        for x, y in points:
            day, hour, minute = rng.integers(1, 28), rng.integers(0, 24), rng.integers(0, 60)
            rows.append({
                "ref": f"LCC-{len(rows):05d}",
                "date": f"{day:02d}/{month[5:]}/{month[:4]}",
                "time": f"{hour:02d}:{minute:02d}",
                "type": kind,
                "easting": round(x),
                "northing": round(y),
            })  # fmt: skip

    for month in ("2024-07", "2024-08", "2024-09"):
        for ward in range(len(wards)):
            add(ward, month, "Noise", 4)
            add(ward, month, "Youth ASB", 3)
        add(1, month, "Domestic abuse", 6)
        add(2, month, "Domestic abuse", 6)
    if withheld:
        add(0, "2024-09", "Domestic abuse", 2)
        add(3, "2024-08", "Rape", 1)
    return pd.DataFrame(rows)


def _workspace(root: Path, *, withheld: bool) -> Path:
    from hotspots.data.workspace import add, init

    init(root, area=LEEDS, title="Leeds CSP")
    path = root.parent / f"{root.name}-log.csv"
    _log(withheld=withheld).to_csv(path, index=False)
    add(root, [path], source="Council ASB log", columns=COLUMNS, crs=BNG, dayfirst=True)
    return root


@pytest.fixture(scope="module")
def leeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workspace(tmp_path_factory.mktemp("withheld") / "leeds", withheld=True)


@pytest.fixture(scope="module")
def leeds_without(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workspace(tmp_path_factory.mktemp("none") / "leeds", withheld=False)


def _page(name: str) -> None:
    import importlib

    importlib.import_module(f"hotspots.views.dashboard.page_{name}").render()


def _shown(at: AppTest) -> list[str]:
    """What a user sees of a page, in order: every element's kind and its words, numbers,
    choices and tables (a map as its kind only: its element ids are drawn at random)."""
    seen: list[str] = []

    def walk(node: object) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            seen.append(f"[{getattr(node, 'type', '')}]")
            for key in sorted(children):
                walk(children[key])
            return
        kind = str(getattr(node, "type", type(node).__name__))
        parts = [kind]
        for field in ("label", "value", "options", "help", "placeholder", "body"):
            try:
                value = getattr(node, field)
            except Exception:  # a field the element does not have (or a map's)
                continue
            if isinstance(value, pd.DataFrame):
                value = value.astype(str).to_string()
            elif hasattr(value, "data"):  # a Styler
                value = value.data.astype(str).to_string()
            parts.append(f"{field}={value!r}")
        seen.append(" ".join(parts) if "component" not in kind.lower() else kind)

    walk(at.sidebar)
    walk(at.main)
    return seen


def _run(name: str, root: Path, query: dict[str, object], monkeypatch) -> AppTest:
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    at = AppTest.from_function(_page, args=(name,), default_timeout=300)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("kind", "ward", "months"),
    [
        ("Domestic abuse", 0, "Sep 2024..Sep 2024"),
        ("Rape", 3, "Aug 2024..Aug 2024"),
        # with incidents that are shown: the same figures, tables and captions
        (["Domestic abuse", "Youth ASB", "Noise"], 0, "Jul 2024..Sep 2024"),
    ],
)
def test_a_ward_month_of_withheld_offences_shows_as_one_of_none(
    page, kind, ward, months, leeds, leeds_without, db, monkeypatch
):
    code, name = _wards()[["area_code", "area_name"]].iloc[ward]
    query = {"types": kind, "wards": name, "months": months}
    withheld = _run(page, leeds, query, monkeypatch)
    none = _run(page, leeds_without, query, monkeypatch)
    # the filters were taken (a type not offered is dropped from a link, as any unknown value)
    assert withheld.sidebar.multiselect(key="f_wards").value == [code]
    assert withheld.sidebar.select_slider(key="f_months").value == tuple(months.split(".."))
    kinds = [kind] if isinstance(kind, str) else kind
    offered = withheld.sidebar.multiselect(key="f_types").options
    assert withheld.sidebar.multiselect(key="f_types").value == [k for k in kinds if k in offered]
    shown, nothing = _shown(withheld), _shown(none)
    different = [(a, b) for a, b in zip(shown, nothing, strict=False) if a != b]
    assert len(shown) == len(nothing) and not different, different[:3]


def test_a_sensitive_type_seen_once_is_not_offered_by_name(leeds, db, monkeypatch):
    at = _run("map", leeds, {}, monkeypatch)
    offered = at.sidebar.multiselect(key="f_types").options
    assert "Domestic abuse" in offered and "Youth ASB" in offered
    assert "Rape" not in offered


def _cli(args: list[str], root: Path, out: Path, capsys) -> str:
    from hotspots.views.cli import main

    assert main(args) == 0
    said = capsys.readouterr().out
    return re.sub(re.escape(str(out)) + r"|" + re.escape(str(root)), "<dir>", said)


@pytest.mark.parametrize("command", ["wards", "changes", "patrol-plan", "pack"])
def test_the_commands_say_the_same_with_withheld_abuse_as_without(
    command, leeds, leeds_without, tmp_path, capsys
):
    said, files = [], []
    for root in (leeds, leeds_without):
        out = tmp_path / root.parent.name
        args = [command, str(root)]
        if command in ("wards", "changes"):
            args += ["--month", "2024-09", "--csv", str(out / "table.csv")]
        elif command == "patrol-plan":
            args += ["--from", "2024-09", "--to", "2024-09", "--no-pdf", "--out", str(out)]
        else:
            args += ["--month", "2024-09", "--out", str(out)]
        said.append(_cli(args, root, out, capsys))
        files.append(
            {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix in (".csv", ".json")}
        )
    assert said[0] == said[1]
    assert files[0] == files[1]


def test_the_headline_notes_do_not_say_whether_a_small_group_exists() -> None:
    # "totals leave out sensitive offences ..." was said only when some were left out: a
    # selection of one ward and month then told 1-4 domestic abuse incidents from none
    from hotspots.data.schema import incidents_from_xy
    from hotspots.products.measures import headline_measures

    xy = np.array([[430_000.0 + 10 * i, 433_000.0] for i in range(12)])
    types = ["Youth ASB"] * 10 + ["Domestic abuse"] * 2
    months = [
        incidents_from_xy(xy[:10], types[:10], source="council", month="2024-08-01"),
        incidents_from_xy(xy, types, source="council", month="2024-09-01"),
    ]
    inc = pd.concat(months, ignore_index=True)
    inc.attrs = dict(months[0].attrs)
    inc["ward_code"] = "E05001414"
    notes = [
        headline_measures(chosen, current=("2024-09", "2024-09")).attrs["notes"]
        for chosen in (inc, inc[~inc["sensitive"]])
    ]
    assert notes[0] == notes[1] and notes[0]
