"""The ``hotspots`` command. Each subcommand is one ``_add_<name>`` function that registers
its arguments and the function that runs it.

Examples
--------
::

    hotspots ingest data/policeuk/hertfordshire-2021-01_2022-01.zip \\
        --study-area E07000096 --out dacorum.parquet
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotspots.core import forked
from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import DBSCAN_MAX_EPS_M, GI_K, H3_RES, HOT_MIN_BIN
from hotspots.core.io import write_csv
from hotspots.core.points import reading_once
from hotspots.data.ingest import IngestError, load

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from hotspots.data.coverage import Coverage
    from hotspots.space.extent import DefaultArea


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 unusable input, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # the reader stopped early (``hotspots wards DIR | head``): fine
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (no flush error at exit)
        return 0
    except (IngestError, ValueError, OSError, LookupError) as exc:
        print(f"hotspots {args.command}: error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Crime and ASB hotspot analysis for Community Safety Partnerships.",
    )
    parser.add_argument("--version", action="version", version=f"hotspots {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_init(commands)
    _add_add(commands)
    _add_remove(commands)
    _add_dashboard(commands)
    _add_ingest(commands)
    _add_analyse(commands)
    _add_backtest(commands)
    _add_forecast(commands)
    _add_patrol_plan(commands)
    _add_national(commands)
    _add_user(commands)
    _add_cameras(commands)
    _add_wards(commands)
    _add_changes(commands)
    _add_pack(commands)
    return parser


def _add_ingest(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "ingest",
        help="load incident files into one GeoParquet file, with the rows set aside",
        description=(
            "Load police.uk street-level files (CSV, folder or zip), council ASB logs / CAD "
            "exports (CSV) and vector files (GeoJSON, GeoPackage, Shapefile, GeoParquet) into "
            "canonical incidents. Writes OUT (GeoParquet), OUT's .quarantine.csv (rows set "
            "aside, with the reason) and .report.json, and prints the load report."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder or zip")
    parser.add_argument(
        "--study-area",
        metavar="PATH|DISTRICT",
        help="keep only incidents inside this boundary file or district of England and Wales "
        "(code or name, e.g. E08000035 or Leeds)",
    )
    parser.add_argument(
        "--columns",
        type=Path,
        metavar="MAP.json",
        help='JSON {field: column} for non-police.uk files, e.g. {"lat": "Latitude", ...}',
    )
    parser.add_argument("--crs", help="CRS of the coordinates in generic CSVs (e.g. EPSG:27700)")
    parser.add_argument(
        "--month-first",
        action="store_true",
        help="read 01/02/2021 as 2 January (US) instead of 1 February (UK); a file whose "
        "dates read the other way round is refused",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.parquet")
    parser.set_defaults(run=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from hotspots.views.tables import report_text

    columns = _read_column_map(args.columns) if args.columns else None
    result = load(
        args.sources,
        columns=columns,
        study_area=args.study_area,
        crs=args.crs,
        dayfirst=not args.month_first,
        progress=True,
    )
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    result.incidents.to_parquet(out)
    stem = out.with_suffix("")
    quarantine_path = stem.with_name(stem.name + ".quarantine.csv")
    report_path = stem.with_name(stem.name + ".report.json")
    write_csv(result.quarantine, quarantine_path)
    report_path.write_text(json.dumps(result.report.to_dict(), indent=2, default=str))
    print(report_text(result.report.summary()))
    print(f"wrote {out} ({len(result.incidents):,} incidents)")
    print(f"wrote {quarantine_path} ({len(result.quarantine):,} rows set aside)")
    print(f"wrote {report_path}")
    return 0


def _add_sources(parser: argparse.ArgumentParser, *, study_area_required: bool) -> None:
    """The incidents to read and the study area: shared by the analysis commands."""
    parser.add_argument(
        "incidents",
        nargs="+",
        metavar="INCIDENTS",
        help="GeoParquet from 'hotspots ingest', or any file, folder or zip 'ingest' reads",
    )
    parser.add_argument(
        "--study-area",
        required=study_area_required,
        metavar="PATH|DISTRICT",
        help="boundary file, or district of England and Wales by code or name (e.g. E08000035 "
        "or Leeds); incidents outside are set aside",
    )


def _add_analyse(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "analyse",
        help="hot spots (next month's forecast), clusters and peak times, written to a folder",
        description=(
            "Analyse incidents (a GeoParquet from 'hotspots ingest', or any source 'ingest' "
            "reads) and write cells with Gi* (GeoJSON, GeoParquet), clusters with profiles, "
            "temporal tables (CSV), a standalone HTML map and params.json (every parameter "
            "used and chosen) into OUT."
        ),
    )
    _add_sources(parser, study_area_required=False)
    parser.add_argument(
        "--areas",
        metavar="WARDS",
        help="your own ward boundary file (the study area unless --study-area is given); "
        "overrides the bundled 2013 wards",
    )
    parser.add_argument(
        "--population",
        metavar="CSV",
        type=Path,
        help="residents per ward of --areas (columns area_code, residents); default: 2011 "
        "Census LSOA residents shared among the wards by area",
    )
    parser.add_argument("--res", type=int, default=H3_RES, help=f"H3 resolution, 7-11 ({H3_RES})")
    parser.add_argument("--k", type=int, default=GI_K, help=f"Gi* k-ring neighbourhood ({GI_K})")
    parser.add_argument("--permutations", type=int, default=0, help="Gi* permutations (0)")
    parser.add_argument("--method", choices=["dbscan", "hdbscan"], default="dbscan")
    parser.add_argument(
        "--eps",
        type=float,
        help="cluster search distance in metres (DBSCAN eps; default: chosen from the data, at "
        f"most {DBSCAN_MAX_EPS_M:.0f} m)",
    )
    parser.add_argument(
        "--min-samples",
        type=int,
        help="fewest incidents that make a cluster (DBSCAN min_samples; default: automatic)",
    )
    _add_months(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.set_defaults(run=_run_analyse)


def _run_analyse(args: argparse.Namespace) -> int:
    import pandas as pd

    from hotspots.analysis.analyse import begin, finish
    from hotspots.products.captions import cell_area_text, forecast_summary
    from hotspots.space.areas import read_boundaries
    from hotspots.space.places import NO_WARD_NOTE
    from hotspots.views.outputs import write_analysis

    # a child process on the second core imports the forecast's and the map's modules while
    # this one reads the data, then works out the forecast while this one reads the districts'
    # wards and does the rest of the analysis, then draws the map while this one writes the
    # other files
    with forked.allowed(shared=_BOTH_ANALYSE, prepare=_BESIDE_ANALYSE), reading_once():
        wards = read_boundaries(args.areas) if args.areas else None
        population = _read_population(args.population) if args.population else None
        # own wards are the study area unless one is given: incidents outside them set aside
        data = read_input(args.incidents, study_area=args.study_area or args.areas)
        end = args.end or _whole_months_end(data, args.start)
        study_area = args.study_area or (wards if wards is not None else data.study_area)
        own_area = wards is not None or args.study_area is not None
        if not own_area and data.workspace is None:  # the districts the incidents fall in
            data = _default_area(data, res=args.res, grid=not (args.start or end))
        incidents = _in_months(data, args.start, end)
        every_month = len(incidents) == len(data.incidents)  # the default area was chosen for these
        begun = begin(
            incidents,
            study_area=study_area,
            default_area=data.default_area if every_month else None,
            res=args.res,
        )
        if not own_area:  # a workspace's wards, or the default districts' (beside the forecast)
            if data.workspace is None:
                data = _default_wards(data, res=args.res)
            wards, population = (
                data.wards,
                population if population is not None else data.population,
            )
        result = finish(
            begun,
            wards=wards,
            population=population,
            k=args.k,
            permutations=args.permutations,
            cluster_method=args.method,
            eps_m=args.eps,
            min_samples=args.min_samples,
            coverage=data.coverage,
        )
        written = write_analysis(result, args.out, wards=wards, coverage=data.coverage)
    p = result.params
    c = p["clusters"]
    how = (
        f"incidents within {c['eps_m']:.0f} m of each other, at least {c['min_samples']} "
        "to a cluster"
        if c.get("eps_m") is not None
        else f"at least {c.get('min_cluster_size')} incidents to a cluster"
    )
    found = (
        f"no clusters of nearby incidents ({c['skipped']})"
        if c.get("skipped")
        else f"{c['n_clusters']:,} clusters of nearby incidents ({how})"
    )
    print(
        f"{p['incidents']:,} incidents; {p['grid']['n_cells']:,} hexagons of about "
        f"{cell_area_text(args.res)}, {int((result.cells['gi_bin'] >= HOT_MIN_BIN).sum()):,} "
        "of them in statistically significant clusters of high counts "
        f"({GI_CONFIDENCE[HOT_MIN_BIN]} confidence or more); {found}; how each was chosen: "
        "params.json"
    )
    print(f"study area: {p['study_area']}")
    inside = pd.Series(incidents["month"].unique()).dt.to_period("M")  # the months analysed
    gaps = data.coverage.missing((inside.min(), inside.max()))
    if gaps:  # a month without data is not a month without crime
        print(
            f"note: no data for {', '.join(f'{m:%b %Y}' for m in gaps)}: the counts are of the "
            f"{inside.nunique()} months with data; monthly.csv leaves it empty"
        )
    partial = {
        m: s for m, s in data.coverage.partial().items() if inside.min() <= m <= inside.max()
    }
    for month, absent in partial.items():  # a month one source has not published is not whole
        print(f"note: {month:%b %Y} holds no {' or '.join(absent)} data: its counts are the "
              "other sources' only (monthly.csv: sources)")  # fmt: skip
    if result.ward_rates is None:  # said once, not a blank ward in every place name
        print(f"note: {NO_WARD_NOTE} (give --areas or --study-area DISTRICT for ward names)")
    else:
        rated = int(result.ward_rates["rate"].notna().sum())
        print(
            f"ward rates per 1,000 residents: {rated} of {len(result.ward_rates)} wards "
            f"(boundaries: {result.ward_rates.attrs.get('vintage')})"
        )
    if result.forecast is not None:
        print(forecast_summary(result.forecast))
    elif p["forecast"].get("skipped"):
        print(f"Hot spots: no forecast ({p['forecast']['skipped']})")
    for name in sorted(written):
        print(f"wrote {written[name]}")
    return 0


_BOTH_ANALYSE = ("scipy.sparse", "scipy.spatial", "scipy.special", "threadpoolctl")
"""What ``analyse`` and its child both import (Gi*, the eps search and the forecast): imported
before the fork, once for both."""
_BESIDE_ANALYSE = (
    "hotspots.analysis.forecast",
    "scipy.optimize",
    "hotspots.core.crs:prepare_national_grid",  # the forecast's reprojections
    "hotspots.views.analysis_map",
    "matplotlib",
)
"""What the child of ``analyse`` imports (and sets up) before its steps (the forecast, then the
map)."""


def _whole_months_end(data: Input, start: str | None) -> str | None:
    """The last month to analyse when none is given: the latest one every publishing source
    covers (:meth:`Coverage.latest_complete`), said when later months are left out (a month
    police.uk has not published holds the council log's incidents only: its forecast would
    read as a fall of all police crime); ``None``: every month."""
    import pandas as pd

    if len(data.coverage.months()) == 0:  # nothing read: _in_months says why
        return None
    latest, complete = data.coverage.months().max(), data.coverage.latest_complete()
    if complete >= latest or (start and complete < pd.Period(start, "M")):
        return None
    left = data.coverage.partial()
    words = "; ".join(f"{m:%b %Y} holds no {' or '.join(s)} data" for m, s in left.items()
                      if m > complete)  # fmt: skip
    print(f"note: up to {complete:%b %Y}, the latest month every source covers ({words}); "
          f"--to (or --through) {latest} to include the later months")  # fmt: skip
    return str(complete)


def _read_population(path: Path) -> pd.DataFrame:
    """A user's residents per ward (``--population``): CSV with ``area_code`` and
    ``residents``."""
    from hotspots.data.workspace import read_residents

    return read_residents(
        path, setting="--population", vintage=f"wards and residents: your own ({path.name})"
    )


def _add_backtest(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "backtest",
        help="which hotspot method predicts next month best (PAI, hit rate by coverage)",
        description=(
            "Rolling monthly backtest: each method scores the study area's H3 cells from the "
            "previous months and is measured on the next month at fixed area coverage."
        ),
    )
    _add_sources(parser, study_area_required=False)
    parser.add_argument("--res", type=int, default=H3_RES, help=f"H3 resolution, 7-11 ({H3_RES})")
    parser.add_argument("--train-months", type=int, default=6, help="months per training window")
    parser.add_argument("--methods", nargs="+", metavar="METHOD", help="default: all methods")
    parser.add_argument(
        "--cell-set",
        choices=["centre", "overlap"],
        default="centre",
        help="cells scored: centre in the study area (+ edge cells holding an incident inside "
        "it; default) or every cell overlapping it",
    )
    parser.add_argument(
        "--window",
        choices=["expanding", "rolling"],
        default="expanding",
        help="train on every earlier month (default; all_history = all of it) or only the last "
        "--train-months",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    parser.set_defaults(run=_run_backtest)


def _run_backtest(args: argparse.Namespace) -> int:
    from hotspots.analysis.evaluate import backtest
    from hotspots.data.ingest import resolve_study_area

    data = read_input(args.incidents, study_area=args.study_area)  # a workspace, or files
    area = data.study_area
    if area is None:  # files without one: the districts they fall in, as analyse takes
        chosen = _default_area(data, res=args.res).default_area
        assert chosen is not None  # files without wards or a study area get one
        area = chosen.geometry
        print(f"study area: {chosen.how}")
    table = backtest(
        data.incidents,
        study_area=resolve_study_area(area),
        res=args.res,
        methods=args.methods,
        train_months=args.train_months,
        cell_set=args.cell_set,
        expanding=args.window == "expanding",
    )
    a = table.attrs
    print(
        f"cell set: {a['cell_set']} ({a['n_cells']:,} cells at res {a['res']}); coverage = share "
        f"of these cells; training window {a['window']}; {a['n_used']:,} incidents used, "
        f"{a['n_outside_area']:,} outside the cells, {a['n_unlocated']:,} without a location"
    )
    for month, why in a["skipped_months"].items():
        print(f"skipped test month {month}: {why}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(
        "note: these are the classic methods, each on the same training windows; the hot spots "
        "of analyse, forecast and pack are the next-month forecast's, whose method (by "
        "default recency_density) is chosen by its own backtest over the latest months "
        "(its figures: hot_spots.json, or the .json of hotspots forecast)"
    )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        write_csv(table, args.csv)
        print(f"wrote {args.csv}")
    return 0


def _add_forecast(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "forecast",
        help="the cells most likely to hold next month's crime, with their backtested accuracy",
        description=(
            "Score every H3 cell of the study area for the month after --through from the "
            "incidents before it; the method is chosen by a rolling-origin backtest on the same "
            "history. Writes the selected cells (cell, rank, place, score) to OUT and the "
            "method and its backtest figures (hit rate, PAI, PEI) to OUT's .json."
        ),
    )
    _add_sources(parser, study_area_required=False)
    parser.add_argument(
        "--res", type=int, default=H3_RES, help=f"H3 resolution, 7-11 ({H3_RES}, as 'analyse')"
    )
    parser.add_argument(
        "--through", metavar="YYYY-MM", help="last month of history (default: last)"
    )
    parser.add_argument("--coverage", type=float, default=0.05, help="share of the area (0.05)")
    parser.add_argument("--method", default="auto", help="auto (default) or a method name")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    parser.set_defaults(run=_run_forecast)


def _run_forecast(args: argparse.Namespace) -> int:
    from hotspots.analysis.forecast import forecast
    from hotspots.core.disclosure import mappable
    from hotspots.products.captions import forecast_summary
    from hotspots.space.places import NO_WARD_NOTE, cell_place_names

    data = _default_wards(read_input(args.incidents, study_area=args.study_area), res=args.res)
    if args.through:  # the last month of history must hold data (else: why not), as for pack
        _in_months(data, args.through, args.through)
    through = args.through or _whole_months_end(data, None)
    result = forecast(
        data.incidents,
        study_area=data.study_area,
        res=args.res,
        through=through,
        coverage=args.coverage,
        method=args.method,
    )
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    selected = result.selected
    selected["place"] = cell_place_names(
        mappable(data.incidents), selected["cell"].to_numpy(), args.res, data.wards
    )
    selected["score"] = [float(f"{v:.4g}") for v in selected["score"].astype(float)]
    write_csv(selected[["cell", "rank", "place", "score"]], out)
    companion = out.with_suffix(".json")
    backtest = result.backtest.to_dict(orient="records")
    companion.write_text(
        json.dumps(
            {
                "month": str(result.month),
                "method": result.method,
                "summary": forecast_summary(result),
                "figures": result.figures,
                "backtest": backtest,
            },
            indent=2,
            default=str,
        )
    )
    print(forecast_summary(result))
    if data.wards is None:
        print(f"note: {NO_WARD_NOTE} (give a workspace or --study-area DISTRICT for ward names)")
    print(f"wrote {out} ({len(selected):,} cells)")
    print(f"wrote {companion}")
    return 0


def _add_patrol_plan(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "patrol-plan",
        help="ranked patrol localities with dosage and limits: GeoJSON, CSV, KML and briefing",
        description=(
            "Rank patrol localities (hot spots cut into spaced units of about 200 m) for a period "
            "and area, with names, trends, peak windows and how often to visit (10-16 minute "
            "visits, which deter longest). Writes "
            "plan.geojson, plan.csv, plan.json (method and backtest), plan.kml, briefing.html "
            "and briefing.pdf into OUT."
        ),
    )
    _add_sources(parser, study_area_required=False)
    parser.add_argument("--from", dest="start", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month")
    parser.add_argument("--top", type=int, default=10, help="localities in the plan (10)")
    parser.add_argument("--by", choices=["count", "harm"], default="count", help="rank by")
    parser.add_argument(
        "--method",
        choices=["forecast", "gistar", "dbscan"],
        default="forecast",
        help="hot spots from the next-month forecast (default), Gi* hot cells or DBSCAN",
    )
    parser.add_argument("--max-across", type=float, default=200.0, metavar="METRES")
    parser.add_argument("--min-spacing", type=float, metavar="METRES", help="default: max-across")
    parser.add_argument("--harm-weights", type=Path, metavar="CSV", help="crime_type,weight")
    parser.add_argument("--no-pdf", action="store_true", help="skip briefing.pdf")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.set_defaults(run=_run_patrol_plan)


def _run_patrol_plan(args: argparse.Namespace) -> int:
    from hotspots.products.patrol import patrol_plan
    from hotspots.views.patrol_files import write_plan_files

    if (args.start is None) != (args.end is None):
        print(
            "hotspots patrol-plan: error: give both --from and --to (or neither)", file=sys.stderr
        )
        return 2
    data = read_input(args.incidents, study_area=args.study_area)
    if data.study_area is None:
        print("hotspots patrol-plan: error: give --study-area (or a workspace)", file=sys.stderr)
        return 2
    plan = patrol_plan(
        data.incidents,
        study_area=data.study_area,
        coverage=data.coverage,
        period=(args.start, args.end) if args.start else None,
        top=args.top,
        by=args.by,
        method=args.method,
        max_across_m=args.max_across,
        min_spacing_m=args.min_spacing,
        harm_weights=args.harm_weights,
        wards=data.wards,
    )
    written = write_plan_files(plan, args.out, pdf=not args.no_pdf)
    s = plan.metadata["summary"]
    print(
        f"{len(plan.localities)} localities, {plan.metadata['period']}: {s['in_localities']:,} of "
        f"{s['incidents']:,} incidents ({100 * s['share_in_localities']:.1f} %)"
    )
    for name in sorted(written):
        print(f"wrote {written[name]}")
    return 0


def _read_column_map(path: Path) -> dict[str, str]:
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{path}: not valid JSON ({exc}); expected an object like "
            '{"lat": "Latitude", "lon": "Longitude", "datetime": "Date"}'
        ) from exc
    if not isinstance(mapping, dict):
        raise IngestError(f"{path}: expected a JSON object {{field: column}}, got {mapping!r}")
    return mapping


def _add_national(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "national",
        help="every force and month on Dask: cell counts, Gi* per month, emerging hot spots",
        description=(
            "Read police.uk street-level files of many forces and months in partitions on a "
            "Dask cluster (a local one unless --scheduler is given), count incidents per H3 "
            "cell and month, and run Gi* per month and emerging hot spots over the whole "
            "period with the same functions as a single-machine run, and each district's "
            "next-month forecast. Writes partitioned GeoParquet (gistar/, emerging/), "
            "forces.csv, districts.csv, district_top_cells.csv (each district's forecast top "
            "cells), quarantine/ and params.json into OUT."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder or zip")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--res", type=int, default=H3_RES, help=f"H3 resolution ({H3_RES})")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="tcp://host:8786 of a cluster")
    parser.add_argument("--workers", type=int, default=2, help="local workers (2)")
    parser.add_argument("--memory-limit", default="3GiB", help="per local worker (3GiB)")
    parser.set_defaults(run=_run_national)


def _run_national(args: argparse.Namespace) -> int:
    from hotspots.national import run_national

    result = run_national(
        args.sources,
        out=args.out,
        res=args.res,
        scheduler=args.scheduler,
        n_workers=args.workers,
        memory_limit=args.memory_limit,
        progress=True,
    )
    params = result.params
    print(
        f"{int(result.forces['rows_kept'].sum()):,} incidents of "
        f"{len(result.forces)} forces, {len(params['months'])} months, "
        f"{params['n_cells']:,} cells; wrote {args.out}"
    )
    return 0


def _add_user(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "user",
        help="manage the dashboard's users (in the config file HOTSPOTS_CONFIG names)",
        description=(
            "Add a user to the config file, or change their role and password. The password "
            "is asked for (twice) at a terminal, or read from the first line of stdin when "
            "piped; only its salted scrypt hash is written, never the password."
        ),
    )
    actions = parser.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user or reset their role and password")
    add.add_argument("config", type=Path, metavar="CONFIG", help="TOML file (created if absent)")
    add.add_argument("name", metavar="NAME", help="user name (letters, digits, _ . @ + -)")
    add.add_argument(
        "--role", required=True, choices=("viewer", "analyst", "admin"), help="what they may do"
    )
    add.set_defaults(run=_run_user_add)


def _add_cameras(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "cameras",
        help="import a camera list (CSV or GeoJSON) into the store, or remove cameras",
        description=(
            "Import a camera list into the operational store (a workspace's own, "
            "WORKSPACE/data/hotspots.sqlite, unless HOTSPOTS_DB_URL or HOTSPOTS_DB names "
            "another): camera_id, lon and lat (or easting and northing), and where known name, "
            "location, type, range_m, bearing_deg, fov_deg, status. A camera without a "
            "camera_id is known by its position (to about a metre), type and name (else "
            "location): imported again, it is the camera already stored, not a second one. "
            "Nothing is stored unless every row is good; every problem is listed at once, each "
            "with the lines it is on. Cameras outside the workspace's "
            "area are named with how far out they lie; a list with cameras far outside it "
            "(coordinates swapped or in another system, or another area's list) is refused "
            "unless --allow-outside is given. Or remove cameras from the store."
        ),
    )
    actions = parser.add_subparsers(dest="cameras_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="import a camera list")
    imp.add_argument("file", type=Path, metavar="FILE", help="camera list (CSV or GeoJSON)")
    imp.add_argument("workspace", **_CAMERAS_WORKSPACE)
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace cameras already stored with the same id (default: keep them)",
    )
    imp.add_argument(
        "--allow-outside",
        action="store_true",
        help="import cameras far outside the workspace's area all the same (they are this "
        "partnership's)",
    )
    imp.set_defaults(run=_run_cameras_import)
    remove = actions.add_parser(
        "remove",
        help="remove cameras from the store, all or none",
        description=(
            "Remove cameras from the store, all or none, by their camera_id; the removal is in "
            "the audit log (as the command line's). Removing is an admin's task, as every "
            "deletion: on the dashboard only admins remove cameras, and this command is for "
            "whoever runs the server and may write its store. A camera with taskings in the log "
            "is kept (the log keeps its history): set its status to decommissioned and import "
            "the list again with --replace. Asks for confirmation at a terminal; --yes confirms "
            "in a script."
        ),
    )
    remove.add_argument("camera_ids", nargs="+", metavar="CAMERA_ID", help="camera_id to remove")
    remove.add_argument("--workspace", type=Path, help=_CAMERAS_WORKSPACE["help"])
    remove.add_argument("--yes", action="store_true", help="remove them without asking")
    remove.set_defaults(run=_run_cameras_remove)


_CAMERAS_WORKSPACE: dict = {
    "type": Path,
    "nargs": "?",
    "metavar": "WORKSPACE",
    "help": "the workspace whose store it is (default: $HOTSPOTS_WORKSPACE, else the demo's)",
}


def _cameras_workspace(workspace: Path | None, *, nothing: str) -> Path:
    """The workspace of a ``cameras`` command: ``workspace``, else ``$HOTSPOTS_WORKSPACE``,
    else the bundled demo's; ``ValueError`` (saying ``nothing`` was done) for a folder that is
    not a workspace."""
    from hotspots.core.defaults import WORKSPACE_ENV
    from hotspots.data import datasets
    from hotspots.data.workspace import CONFIG

    if workspace is not None and not (workspace / CONFIG).is_file():
        raise ValueError(
            f"{workspace}: not a workspace (no {CONFIG}): {nothing}; give the folder "
            "'hotspots init' made"
        )
    chosen = workspace or os.environ.get(WORKSPACE_ENV, "").strip()
    return Path(chosen) if chosen else datasets.data_dir() / "demo" / "workspace"


def _run_cameras_import(args: argparse.Namespace) -> int:
    from hotspots import store
    from hotspots.data.workspace import read_workspace

    root = _cameras_workspace(args.workspace, nothing="nothing imported")
    ws = read_workspace(root)
    area = store.StudyArea(ws.area_name, ws.outline)
    engine = store.open_store(store.database_url(workspace=args.workspace))
    try:  # audited as the command line's (hotspots.store.audit.SYSTEM)
        report = store.import_records(
            engine, args.file, "cameras", if_exists="replace" if args.replace else "skip",
            area=area, allow_outside=args.allow_outside,
        )  # fmt: skip
    except store.OutsideAreaError as err:
        raise ValueError(
            "\n  ".join([*err.problems, "To import them all the same, add --allow-outside."])
        ) from None
    except store.ValidationError as err:  # every problem of the file, one a line
        raise ValueError("\n  ".join(err.problems)) from None
    finally:
        engine.dispose()
    print(f"{args.file.name}: {report.inserted} new camera(s), {report.updated} replaced, "
          f"{report.skipped} already stored left as they were")  # fmt: skip
    for name, value in report.defaults_applied.items():
        print(f"  filled in {name}: {value}")
    for note in report.notes:
        print(f"  note: {note}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    return 0


def _run_cameras_remove(args: argparse.Namespace) -> int:
    from hotspots import store

    _cameras_workspace(args.workspace, nothing="nothing removed")
    engine = store.open_store(store.database_url(workspace=args.workspace))
    try:
        stored = store.list_cameras(engine)
        labels = {row["camera_id"]: store.camera_label(row) for row in stored.to_dict("records")}
        chosen = list(dict.fromkeys(args.camera_ids))
        unknown = [camera for camera in chosen if camera not in labels]
        if unknown:
            raise ValueError(
                f"no camera with camera_id {', '.join(unknown)} in the store: nothing removed "
                f"({len(labels)} camera(s) stored)"
            )
        print(f"{len(chosen)} camera(s) to remove: " + "; ".join(labels[c] for c in chosen))
        if not args.yes and not _confirmed(f"Remove these {len(chosen)} camera(s)? [y/N] "):
            print("nothing removed (confirm at a terminal, or give --yes)")
            return 1
        try:  # audited as the command line's (hotspots.store.audit.SYSTEM)
            removed = store.delete_records(engine, "cameras", chosen)
        except store.ValidationError as err:
            raise ValueError("; ".join(["nothing removed", *err.problems])) from None
    finally:
        engine.dispose()
    print(f"removed {removed} camera(s); {len(labels) - removed} left in the store")
    return 0


def _confirmed(question: str) -> bool:
    """Whether the user at the terminal answers yes (never, when stdin is not a terminal)."""
    if not sys.stdin.isatty():
        return False
    return input(question).strip().lower() in ("y", "yes")


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise ValueError("the two passwords differ; nothing was changed")
    return first


def _run_user_add(args: argparse.Namespace) -> int:
    from hotspots.core.access import set_user

    set_user(args.config, args.name, args.role, _read_password())
    print(f"{args.name} ({args.role}) saved in {args.config}")
    return 0


# --------------------------------------------------------------------------- workspace


def _version() -> str:
    """The installed version (package metadata; the package root is not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hotspots")
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def _add_months(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", metavar="YYYY-MM", help="first month (default: all)"
    )
    parser.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month (default: all)")


def _in_months(data: Input, start: str | None, end: str | None) -> pd.DataFrame:
    """The incidents from ``start`` to ``end`` (months, inclusive; either may be open)."""
    import pandas as pd

    if not start and not end and len(data.incidents):  # every month: as read, not a copy
        return data.incidents
    month = data.incidents["month"].dt.to_period("M")
    keep = pd.Series(True, index=data.incidents.index)
    if start:
        keep &= month >= pd.Period(start, freq="M")
    if end:
        keep &= month <= pd.Period(end, freq="M")
    out = data.incidents[keep.to_numpy()]
    if len(out) == 0:
        asked = (
            [m for m in pd.period_range(start, end, freq="M") if not data.coverage.covered(m)]
            if start and end and pd.Period(start, "M") <= pd.Period(end, "M")
            else [m for m in data.coverage.gaps() if (not start or m >= pd.Period(start, "M"))
                  and (not end or m <= pd.Period(end, "M"))]
        )  # fmt: skip
        words = ", ".join(f"{m:%b %Y}" for m in asked)
        raise ValueError(
            (f"no data for {words}" if asked else
             f"no incidents from {start or 'the start'} to {end or 'the end'}")
            + f"; the data cover {data.coverage.describe()}"
        )  # fmt: skip
    return out


def _add_init(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "init",
        help="create a workspace: hotspots.toml (area, title, sources) and a data folder",
        description=(
            "Create a workspace folder for one district of England and Wales (or a council "
            "formed since from several): a readable "
            "hotspots.toml (area, title, sources, category overrides, population, map tiles) "
            "and data/. Add data with 'hotspots add'."
        ),
    )
    parser.add_argument("dir", type=Path, metavar="DIR")
    parser.add_argument(
        "--area",
        required=True,
        metavar="CODE|NAME",
        help="a district, or a council formed since from several (its former districts' "
        'wards): e.g. E08000035, Leeds, "North Northamptonshire"',
    )
    parser.add_argument("--title", help='e.g. "Leeds CSP" (default: "<district> CSP")')
    parser.set_defaults(run=_run_init)


def _run_init(args: argparse.Namespace) -> int:
    from hotspots.data.workspace import CONFIG, init

    ws = init(args.dir, area=args.area, title=args.title)
    print(f"workspace {ws.root} for {ws.area_name} ({ws.area}); wrote {ws.root / CONFIG}")
    print(f"next: hotspots add {ws.root} FILES...")
    return 0


def _add_add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "add",
        help="add data files to a workspace (same month twice changes nothing)",
        description=(
            "Add police.uk street-level files (CSV, zip, folder, API JSON) or a council log "
            "(CSV, with --columns the first time) to a workspace, kept per source and month. "
            "A council log's column map, CRS and date order (--month-first or --day-first) "
            "are saved with its source in hotspots.toml at its first add and used for its "
            "next files: give them the first time only. Giving the other date order for a "
            "source whose order is saved is refused (if the council now writes its dates the "
            "other way, change the source's date_order in hotspots.toml); so is a file whose "
            "dates read the other way round (12/25/2024 for a day-first source), while a few "
            "such dates among the right ones are set aside, saying so. Adding a month again "
            "changes nothing. A file replaces a month stored already only as its re-export "
            "(holding 90% or more of its incidents, by incident id; for a log without ids, "
            "the month being the own month of both files) or as a police.uk force's newer "
            "file (refused when it holds under half the month's incidents: --replace-smaller); "
            "otherwise its incidents of that month (a council log's recorded late) are "
            "added to it, any stored already set aside as duplicates. The report says which."
        ),
    )
    parser.add_argument("dir", type=Path, metavar="DIR")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--source", help="source name (default police.uk, or the file name)")
    parser.add_argument("--columns", type=Path, metavar="MAP.json", help="council log column map")
    parser.add_argument("--crs", help="CRS of a council log's coordinates (e.g. EPSG:27700)")
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--month-first",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="a council log's dates are month first (US): 01/02/2024 is 2 January; saved "
        "with its source",
    )
    order.add_argument(
        "--day-first",
        dest="dayfirst",
        action="store_const",
        const=True,
        help="a council log's dates are day first (UK): 01/02/2024 is 1 February; saved with "
        "its source (without either: the order saved with the source, or day first)",
    )
    parser.add_argument(
        "--replace-smaller",
        action="store_true",
        help="let a police.uk force's newer file replace its month though it holds under half "
        "the incidents stored (refused without this: a download cut short)",
    )
    parser.set_defaults(run=_run_add)


def _run_add(args: argparse.Namespace) -> int:
    from hotspots.data.workspace import add, stored_coverage

    report = add(
        args.dir,
        args.files,
        source=args.source,
        columns=_read_column_map(args.columns) if args.columns else None,
        crs=args.crs,
        dayfirst=args.dayfirst,
        replace_smaller=args.replace_smaller,
    )
    print(report.summary())
    print(f"the workspace now holds {stored_coverage(args.dir).describe() or 'no data'}")
    kept_none = report.load is not None and report.load.report.rows_read > 0 and report.nothing
    return 1 if kept_none else 0  # rows read, none kept: a script should not go on


def _add_remove(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "remove",
        help="take a source's months out of a workspace (a wrong file added)",
        description=(
            "Take months of one source out of a workspace: every police force's part of each "
            "month and the rows set aside when they were added. For a wrong file added, or a "
            "month to add again from scratch; the source's settings in hotspots.toml stay. "
            "Give the months (--month, repeated) or --all-months."
        ),
    )
    parser.add_argument("dir", type=Path, metavar="DIR")
    parser.add_argument("source", help="the source's name, e.g. police.uk or the log's name")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--month", action="append", metavar="YYYY-MM", help="a month to remove (repeat for more)"
    )
    which.add_argument("--all-months", action="store_true", help="every month of the source")
    parser.set_defaults(run=_run_remove)


def _run_remove(args: argparse.Namespace) -> int:
    from hotspots.data.workspace import remove, stored_coverage

    report = remove(args.dir, args.source, None if args.all_months else args.month)
    print(report.summary())
    print(f"the workspace now holds {stored_coverage(args.dir).describe() or 'no data'}")
    return 0


def _add_dashboard(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "dashboard",
        help="open the dashboard on a workspace (http://127.0.0.1:PORT)",
        description="Run the Streamlit dashboard on a workspace, bound to 127.0.0.1.",
    )
    parser.add_argument("dir", type=Path, metavar="DIR")
    parser.add_argument("--port", type=int, default=8501, help="port (8501)")
    parser.set_defaults(run=_run_dashboard)


def _run_dashboard(args: argparse.Namespace) -> int:
    import os

    from hotspots.core.defaults import WORKSPACE_ENV
    from hotspots.data.workspace import read_workspace

    ws = read_workspace(args.dir)
    app = Path(__file__).resolve().parents[2] / "app.py"
    env = {**os.environ, WORKSPACE_ENV: str(ws.root.resolve())}
    # The safe settings of .streamlit/config.toml, given again so that they hold whatever
    # folder the command is run from and whichever Streamlit reads (or not) that file: no
    # "Download as CSV" in the tables' toolbars (files leave through the audited buttons), no
    # tracebacks or server paths to visitors, no developer menu items, no watching of the
    # source files. Started as `make dashboard` starts it (hotspots.views.dashboard.serve: the
    # Map page's first view prepared while the browser loads).
    command = [sys.executable, "-m", "hotspots.views.dashboard.serve", "run", str(app),
               "--server.headless", "true", "--server.fileWatcherType", "none",
               "--server.address", "127.0.0.1", "--server.port", str(args.port),
               "--client.disableDataExport", "true", "--client.showErrorDetails", "none",
               "--client.toolbarMode", "minimal"]  # fmt: skip
    print(f"opening {ws.title} on http://127.0.0.1:{args.port}", flush=True)
    # the server takes this process's place: stopping the command (Ctrl-C, kill, a service
    # manager) stops the server, which a child process would have outlived
    os.execve(sys.executable, command, env)


# --------------------------------------------------------------------------- monthly job


@dataclass
class Input:
    """What the monthly-job commands read: a workspace, or files with a study area."""

    incidents: gpd.GeoDataFrame
    coverage: Coverage
    study_area: object
    wards: gpd.GeoDataFrame | None
    population: pd.DataFrame | None
    title: str
    workspace: object | None = None
    default_area: DefaultArea | None = None
    """Files without a study area: the one chosen for all their mappable incidents."""


def read_input(paths: Sequence[str], *, study_area: str | None) -> Input:
    """A workspace folder (one path holding hotspots.toml) or files clipped to ``study_area``.

    With files and a district study area (code or name; a council formed since from several:
    its former districts), the district's wards and 2011 residents come from the national
    boundary pack. The incidents are those every output may count
    (:func:`hotspots.core.disclosure.disclosable`: no sensitive group under 5 of one source,
    type, ward and month), as on the dashboard.
    """
    from hotspots.core.disclosure import disclosable
    from hotspots.data.coverage import Coverage
    from hotspots.data.workspace import CONFIG, open_workspace
    from hotspots.space.areas import area_wards, assign_areas, workspace_areas

    if len(paths) == 1 and (Path(paths[0]) / CONFIG).is_file():
        data = open_workspace(paths[0])
        incidents, wards, population = workspace_areas(data)
        area = study_area or data.workspace.study_area
        return Input(disclosable(incidents), data.coverage, area, wards, population,
                     data.workspace.title, data.workspace)  # fmt: skip
    result = load(paths, study_area=study_area)
    incidents = result.incidents
    if len(incidents) == 0 and result.report.quarantined:  # every row set aside: say why
        why = ", ".join(
            f"{n:,} {r.replace('_', ' ')}" for r, n in result.report.quarantined.items()
        )
        raise ValueError(
            f"every row was set aside ({why})"
            + ("; is the study area the district your data cover?" if "outside" in why else "")
        )
    wards = population = None
    title = "hotspots"
    if isinstance(study_area, str) and not Path(study_area).exists():
        wards, population = area_wards(study_area)
        incidents = assign_areas(incidents, wards)
        incidents.attrs.update(result.incidents.attrs)
        title = population.attrs.get("district", study_area)
    incidents = disclosable(incidents)
    return Input(incidents, Coverage.of(incidents), study_area, wards, population, title)


def _default_area(data: Input, *, res: int, grid: bool = False) -> Input:
    """Files given without a study area: ``data`` with the default study area of its mappable
    incidents (:func:`hotspots.space.extent.default_study_area`: the districts holding them, or
    their trimmed core); unchanged when ``data`` has wards, a study area or its default area.
    ``grid``: the caller grids the default area soon, so its hexagons are begun now, on a
    thread (:func:`hotspots.space.grid.prepare_area`)."""
    if data.wards is not None or data.study_area is not None or data.default_area is not None:
        return data
    from hotspots.core.disclosure import mappable
    from hotspots.space.extent import default_study_area
    from hotspots.space.grid import prepare_area

    chosen = default_study_area(mappable(data.incidents), res=res)
    if grid:
        prepare_area(chosen.geometry, res)
    return dataclasses.replace(data, default_area=chosen)


def _default_wards(data: Input, *, res: int) -> Input:
    """Files given without a study area: ``data`` with the 2013 wards (and 2011 residents) of
    the districts its default study area takes (:func:`_default_area`), so that places carry
    their ward; unchanged when ``data`` has wards or a study area, or the default is the
    points' trimmed core."""
    data = _default_area(data, res=res)
    chosen = data.default_area
    if data.wards is not None or chosen is None or not chosen.districts:
        return data
    from hotspots.data import boundaries
    from hotspots.space.areas import districts_wards

    wards, population = districts_wards(chosen.districts)
    names = [boundaries.find_district(code)[1] for code in chosen.districts[:2]]  # those said
    more = len(chosen.districts) - 1
    title = " and ".join(names) if more <= 1 else f"{names[0]} and {more} more"
    return dataclasses.replace(data, wards=wards, population=population, title=title)


def _with_ward_codes(data: Input) -> Input:
    """``data`` with each incident's ward (``ward_code``) from its wards, when it has them;
    the incidents every output may count by ward (:func:`read_input`)."""
    if data.wards is None:
        return data
    from hotspots.core.disclosure import disclosable
    from hotspots.space.areas import assign_areas

    incidents = disclosable(assign_areas(data.incidents, data.wards))
    return dataclasses.replace(data, incidents=incidents)


def _add_month(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", metavar="YYYY-MM", help="the month (default: latest covered)")


def _month(data: Input, month: str | None) -> str:
    return month or str(data.coverage.latest_complete())


def _add_wards(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "wards",
        help="ward table: counts, rates per 1,000, change vs previous covered period and last year",
        description=(
            "One row per ward of the district: incidents in the month, residents and rate per "
            "1,000 (2011 Census, national boundary pack, vintage stated), change against the "
            "previous covered period and the same period last year with exact Poisson tests "
            "and Benjamini-Hochberg q-values. A month with no data is never counted as zero."
        ),
    )
    _add_sources(parser, study_area_required=False)
    _add_month(parser)
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    parser.set_defaults(run=_run_wards)


def _run_wards(args: argparse.Namespace) -> int:
    from hotspots.products.measures import ward_table

    data = read_input(args.incidents, study_area=args.study_area)
    if data.workspace is None and data.wards is None:  # the districts' wards, as pack takes
        data = _with_ward_codes(_default_wards(data, res=H3_RES))
    if data.wards is None:
        raise ValueError(
            "the ward table needs wards: a workspace, --study-area DISTRICT (code or name), or "
            "files without a study area (the wards of the districts they fall in); a boundary "
            "file is an outline, not wards with residents"
        )
    month = _month(data, args.month)
    table = ward_table(
        data.incidents, data.wards, data.population, current=(month, month), coverage=data.coverage
    )
    a = table.attrs
    made = a["compared"]  # made, even when every ward's earlier count is withheld
    compared = [a[f"{c}_period"] for c in ("previous", "last_year") if made[c]]
    print(
        f"{data.title}: {a['current_period']}; compared with {' and '.join(compared) or 'nothing'}"
    )
    for note in a["notes"]:
        print(f"note: {note}")
    print(f"rates per {a['per']:,} residents; boundaries: {a['vintage']}")
    print(_ward_words(table, made).to_string(index=False))
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        out = table.copy()
        out.insert(0, "month", a["current_period"])
        out["compared_with_previous"] = a["previous_period"] if made["previous"] else ""
        out["compared_with_last_year"] = a["last_year_period"] if made["last_year"] else ""
        out["boundaries"] = a["vintage"]
        write_csv(out, args.csv)
        print(f"wrote {args.csv}")
    return 0


def _ward_words(table: pd.DataFrame, made: dict[str, bool]) -> pd.DataFrame:
    """The ward table as a JAG reads it: headers in words, each change with its significance
    in words (never a blank column); a comparison not made is left out (a note says why)."""
    import pandas as pd

    from hotspots.products.captions import change_text

    a = table.attrs
    out = pd.DataFrame({
        "Ward": table["area_name"],
        f"Incidents {a['current_period']}": _whole(table["count"]),
        f"Per {a['per']:,} residents": table["rate_per_1000"].map(
            lambda v: "withheld" if pd.isna(v) else f"{v:.1f}"
        ),
    })  # fmt: skip
    for name in ("previous", "last_year"):
        if not made[name]:
            continue
        period = a[f"{name}_period"]
        change, pct = table[f"change_vs_{name}"], table[f"pct_vs_{name}"]
        marker = table[f"vs_{name}"]
        words = [
            "withheld" if pd.isna(c) else "no change" if c == 0
            else change_text(c, p)
            + {"▲": " ▲ significant rise", "▼": " ▼ significant fall"}.get(m, ", not significant")
            for c, p, m in zip(change, pct, marker, strict=True)
        ]  # fmt: skip
        out[f"Incidents {period}"] = _whole(table[name])
        out[f"Change vs {period}"] = words
    return out


def _whole(values: pd.Series) -> pd.Series:
    """Counts as whole numbers with thousands separators; "withheld" where the gate hid one."""
    import pandas as pd

    return values.map(lambda v: "withheld" if pd.isna(v) else f"{v:,.0f}")


def _add_changes(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "changes",
        help="what changed since last JAG, in words (text and CSV)",
        description=(
            "The biggest changes by crime group and ward in the month against the previous "
            "covered period and the same period last year, significant ones first. When a "
            "month has no data the previous-period comparison moves to the nearest earlier covered "
            "one and says so; last year is the same month a year earlier or no comparison."
        ),
    )
    _add_sources(parser, study_area_required=False)
    _add_month(parser)
    parser.add_argument("--top", type=int, default=5, help="rows per comparison (5)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the rows as CSV")
    parser.set_defaults(run=_run_changes)


def _run_changes(args: argparse.Namespace) -> int:
    from hotspots.products.measures import comparison_periods, what_changed

    data = read_input(args.incidents, study_area=args.study_area)
    if data.workspace is None and data.wards is None:  # by ward, as pack does
        data = _with_ward_codes(_default_wards(data, res=H3_RES))
    month = _month(data, args.month)
    by = ("category", "ward_code") if data.wards is not None else ("category",)
    table = what_changed(  # a month without data is refused in words, as by pack and wards
        data.incidents,
        by=by,
        periods=comparison_periods((month, month), reason="chosen month"),
        wards=data.wards,
        top=args.top,
        coverage=data.coverage,
    )
    print(f"{data.title}: what changed in {table.attrs['current_period']}")
    for note in table.attrs["notes"]:
        print(f"note: {note}")
    for text in table["text"]:
        print(f"- {text}")
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        write_csv(table, args.csv)
        print(f"wrote {args.csv}")
    return 0


def _add_pack(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "pack",
        help="the JAG meeting pack (HTML and PDF) for a month",
        description=(
            "Hot spots, peak times, what changed and the headline measures of one month, as a "
            "self-contained HTML page and an A4 PDF (pack.html, pack.pdf in OUT)."
        ),
    )
    _add_sources(parser, study_area_required=False)
    _add_month(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.set_defaults(run=_run_pack)


def _run_pack(args: argparse.Namespace) -> int:
    from hotspots.analysis.analyse import analyse
    from hotspots.products.captions import month_text
    from hotspots.products.measures import comparison_periods, headline_measures, what_changed
    from hotspots.views.documents.meeting_pack import (
        data_lines,
        meeting_pack_html,
        meeting_pack_pdf,
    )

    data = read_input(args.incidents, study_area=args.study_area)
    if data.workspace is None and data.wards is None:  # name places "Street, Ward" as analyse
        data = _with_ward_codes(_default_wards(data, res=H3_RES))
    month = _month(data, args.month)
    _in_months(data, month, month)  # the chosen month must hold data (else: why not)
    # The month is what changed; the hot spots, clusters and peaks come from every month up to
    # it, and the forecast is for the month after it.
    history = _in_months(data, None, month)
    every_month = len(history) == len(data.incidents)  # the default area was chosen for these
    result = analyse(  # the study area as analyse chooses it: the same grid, said the same way
        history,
        study_area=data.study_area,
        default_area=data.default_area if every_month else None,
        wards=data.wards,
        population=data.population,
    )
    changes = measures = None
    notes: list[str] = []
    try:
        periods = comparison_periods((month, month), reason="chosen month")
        by = ("category", "ward_code") if data.wards is not None else ("category",)
        changes = what_changed(
            data.incidents, by=by, periods=periods, wards=data.wards, coverage=data.coverage
        )
        measures = headline_measures(data.incidents, current=(month, month), coverage=data.coverage)
        notes = list(measures.attrs["notes"])
    except ValueError as err:
        notes = [f"no comparison: {err}"]
    period = changes.attrs["current_period"] if changes is not None else month
    months = history["month"].dt.to_period("M")
    used = f"{month_text(months.min())} to {month_text(months.max())}"
    filters = {
        "Hot spots, clusters and peak times": f"from the incidents of {used} (every month up "
        "to the chosen one)"
        + (
            f"; the hot spots forecast {month_text(result.forecast.month)}"
            if result.forecast is not None
            else ""
        ),
        **data_lines(data.coverage, notes),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    title = f"{data.title}: JAG meeting pack"
    html_path, pdf_path = args.out / "pack.html", args.out / "pack.pdf"
    page = meeting_pack_html(result, data.wards, title=title, period=period, filters=filters,
                             changes=changes, measures=measures)  # fmt: skip
    html_path.write_text(page, encoding="utf-8")
    meeting_pack_pdf(result, data.wards, title=title, period=period, filters=filters,
                     changes=changes, measures=measures, dest=pdf_path)  # fmt: skip
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {html_path}")
    print(f"wrote {pdf_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
