"""Dashboard pages only draw: no pandas, numpy or geopandas computation in a page module (AST).

A page may read widgets, call library functions and draw; it may shape a table for display
(choose, rename, round, sort or drop columns, build a ``pd.DataFrame`` of display columns,
reshape a table into a chart's long form) and format scalars (``pd.Timestamp``, ``pd.Period``,
``pd.notna``). It may not compute: the rule below flags

- any use of numpy, and of geopandas or pandas functions other than the display ones (outside
  type annotations);
- a call of a computing method (aggregate, join, filter by value, reduce, project, hash...);
- a boolean mask as an index (``frame[frame["x"] > 0]``);
- arithmetic on a column (``100 * table["share"]``, ``"id " + table["order"].astype(str)``).

The modules checked are every module of the dashboard that draws: the pages, the sidebar, the
map overlays and the export buttons. ``cached``, ``state``, ``store`` and ``offline`` are the
dashboard's plumbing (caches, session, store engine, offline assets) and draw nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[1] / "hotspots" / "views" / "dashboard"
DRAWING = sorted(
    [
        *DASHBOARD.glob("page_*.py"),
        *(DASHBOARD / f"{n}.py" for n in ("sidebar", "overlays", "exports")),
    ]
)

COMPUTING_METHODS = frozenset(
    {
        # aggregate, join, reshape by value
        *("groupby", "merge", "sjoin", "sjoin_nearest", "overlay", "dissolve", "clip"),
        *("pivot", "pivot_table", "crosstab", "value_counts", "agg", "aggregate", "transform"),
        *("resample", "rolling", "expanding", "ewm", "cumsum", "cumcount", "cumprod"),
        *("cut", "qcut", "map", "to_period", "hash_pandas_object"),
        # reduce
        *("sum", "mean", "median", "std", "var", "min", "max", "count", "nunique", "unique"),
        *("mode", "quantile", "describe", "any", "all", "idxmax", "idxmin", "nlargest"),
        *("nsmallest", "rank", "diff", "pct_change", "shift", "corr", "cov"),
        # filter by value
        *("isin", "between", "where", "mask", "drop_duplicates", "duplicated"),
        # geometry
        *("to_crs", "simplify", "buffer", "intersects", "within", "contains", "distance"),
        "union_all",
    }
)
"""Methods that compute rather than shape a table for display, flagged when called
(``apply`` is allowed only on a ``Styler``, ``x.style.apply``, which colours rows)."""

COMPUTING_PROPERTIES = frozenset({"total_bounds", "centroid", "unary_union"})
"""Geometry properties that compute, flagged wherever read."""

PANDAS_DISPLAY = frozenset({"DataFrame", "Timestamp", "Period", "notna", "isna", "errors"})
"""The pandas names a page may use outside annotations: display tables and scalar formatting."""

ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside a type annotation (free to name pandas/geopandas types)."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            roots.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            roots.append(node.returns)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def _is_column(node: ast.AST) -> bool:
    """``x["name"]`` (a column), possibly followed by method calls or attributes."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    )


def _is_mask(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"isin", "notna", "isna", "to_numpy", "between"}
    return False


def violations(source: str) -> list[str]:
    """What in ``source`` computes, as ``"line: what"``."""
    tree = ast.parse(source)
    in_annotation = _annotation_nodes(tree)
    modules: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in {"numpy", "pandas", "geopandas"}:
            found.append((node.lineno, f"from {node.module} import ..."))
    for node in ast.walk(tree):
        if id(node) in in_annotation:
            continue
        if isinstance(node, ast.Name) and modules.get(node.id, "").split(".")[0] in {
            "numpy",
            "geopandas",
        }:
            found.append((node.lineno, f"uses {modules[node.id]}"))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and modules.get(node.value.id) == "pandas"
            and node.attr not in PANDAS_DISPLAY
        ):
            found.append((node.lineno, f"pandas.{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in COMPUTING_METHODS
        ):
            found.append((node.lineno, f".{node.func.attr}"))
        elif isinstance(node, ast.Attribute) and node.attr in COMPUTING_PROPERTIES:
            found.append((node.lineno, f".{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "apply"
            and not (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "style")
        ):
            found.append((node.lineno, ".apply (not on a Styler)"))
        elif isinstance(node, ast.Subscript) and _is_mask(node.slice):
            found.append((node.lineno, "boolean mask as an index"))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ARITHMETIC)
            and (_is_column(node.left) or _is_column(node.right))
        ):
            found.append((node.lineno, "arithmetic on a column"))
    return [f"{line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("path", DRAWING, ids=lambda p: p.name)
def test_page_module_only_draws(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []


def test_the_drawing_modules_are_found() -> None:
    names = {p.name for p in DRAWING}
    assert {"page_patrol.py", "page_cctv.py", "page_when.py", "page_vawg.py"} <= names
    assert all(p.is_file() for p in DRAWING)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy as np\nx = np.log(2)\n", ["2: uses numpy"]),
        ("import pandas as pd\nt = pd.concat([a, b])\n", ["2: pandas.concat"]),
        ("n = table.groupby('reason').size()\n", ["1: .groupby"]),
        ("hot = cells[cells['gi_bin'] > 0]\n", ["1: boolean mask as an index"]),
        ("share = 100 * loc['share'].astype(float)\n", ["1: arithmetic on a column"]),
        ("x = left.merge(right, on='id')\n", ["1: .merge"]),
        ("out = wards.to_crs(27700).simplify(20)\n", ["1: .simplify", "1: .to_crs"]),
        ("west, south, east, north = plan.localities.total_bounds\n", ["1: .total_bounds"]),
        ("k = int(pairs['on_sheet'].sum())\n", ["1: .sum"]),
        ("s = frame.apply(f, axis=1)\n", ["1: .apply (not on a Styler)"]),
        ("from numpy import log\n", ["1: from numpy import ..."]),
    ],
)
def test_the_rule_flags_computation(source: str, expected: list[str]) -> None:
    assert violations(source) == expected


def test_the_rule_allows_display_and_annotations() -> None:
    source = """
from __future__ import annotations
import geopandas as gpd
import pandas as pd

def show(table: gpd.GeoDataFrame, n: int) -> pd.DataFrame:
    shown = pd.DataFrame(table.drop(columns="geometry")).round(2)
    shown = shown.rename(columns={"a": "A"}).sort_values("A", ascending=False)
    styled = shown.style.apply(colour, axis=1)
    label = f"{pd.Timestamp(start):%b %Y}" + " — " + ", ".join(names)
    first = rows.at[key, "reason"]
    lines = [f"{row.rank}. {row.text}" for row in changes.itertuples()]
    return shown[["A", "b"]] if pd.notna(n) else shown.head(n % 3 + 1)
"""
    assert violations(source) == []
