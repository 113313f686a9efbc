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
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hotspots.core.classes import GI_CONFIDENCE
from hotspots.core.defaults import GI_K, H3_RES, HOT_MIN_BIN
from hotspots.core.io import write_csv
from hotspots.data.ingest import IngestError, load

if TYPE_CHECKING:
    import pandas as pd


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 unusable input, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (IngestError, ValueError, OSError) as exc:
        print(f"hotspots {args.command}: error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Crime and ASB hotspot analysis for Community Safety Partnerships.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_ingest(commands)
    _add_analyse(commands)
    _add_backtest(commands)
    _add_patrol_plan(commands)
    _add_national(commands)
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
        help="read 01/02/2021 as 2 January (US) instead of 1 February (UK)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.parquet")
    parser.set_defaults(run=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
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
    print(result.report.summary())
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
        help="hot spots (H3 + Gi*), clusters and temporal peaks, written to a folder",
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
    parser.add_argument("--eps", type=float, help="DBSCAN eps in metres (default: k-distance knee)")
    parser.add_argument("--min-samples", type=int, help="DBSCAN min_samples (default: automatic)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.set_defaults(run=_run_analyse)


def _run_analyse(args: argparse.Namespace) -> int:
    from hotspots.analysis.analyse import analyse
    from hotspots.space.areas import read_boundaries
    from hotspots.views.outputs import write_analysis

    wards = read_boundaries(args.areas) if args.areas else None
    population = _read_population(args.population) if args.population else None
    incidents = load(args.incidents, study_area=args.study_area).incidents
    result = analyse(
        incidents,
        study_area=args.study_area if args.study_area else wards,
        wards=wards,
        population=population,
        res=args.res,
        k=args.k,
        permutations=args.permutations,
        cluster_method=args.method,
        eps_m=args.eps,
        min_samples=args.min_samples,
    )
    written = write_analysis(result, args.out, wards=wards)
    p = result.params
    print(
        f"{p['incidents']:,} incidents; {p['grid']['n_cells']:,} H3 cells at res {args.res}, "
        f"{int((result.cells['gi_bin'] >= HOT_MIN_BIN).sum())} hot "
        f"(Gi*, {GI_CONFIDENCE[HOT_MIN_BIN]}+); "
        f"{p['clusters']['n_clusters']} clusters (eps {p['clusters']['eps_m']:.0f} m, "
        f"{p['clusters']['eps_source']})"
    )
    print(f"study area: {p['study_area']}")
    if result.ward_rates is not None:
        rated = int(result.ward_rates["rate"].notna().sum())
        print(
            f"ward rates per 1,000 residents: {rated} of {len(result.ward_rates)} wards "
            f"(boundaries: {result.ward_rates.attrs.get('vintage')})"
        )
    for name in sorted(written):
        print(f"wrote {written[name]}")
    return 0


def _read_population(path: Path) -> pd.DataFrame:
    """A user's residents per ward: CSV with ``area_code`` and ``residents``."""
    import pandas as pd

    table = pd.read_csv(path, dtype={"area_code": "string"})
    missing = [c for c in ("area_code", "residents") if c not in table.columns]
    if missing:
        raise IngestError(
            f"{path}: missing column(s) {missing}; expected a CSV with area_code (ward code "
            f"as in --areas) and residents; columns found: {list(table.columns)}"
        )
    table["residents"] = pd.to_numeric(table["residents"], errors="raise")
    table.attrs["vintage"] = f"wards and residents: your own ({path.name})"
    return table


def _add_backtest(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "backtest",
        help="which hotspot method predicts next month best (PAI, hit rate by coverage)",
        description=(
            "Rolling monthly backtest: each method scores the study area's H3 cells from the "
            "previous months and is measured on the next month at fixed area coverage."
        ),
    )
    _add_sources(parser, study_area_required=True)
    parser.add_argument("--res", type=int, default=H3_RES, help=f"H3 resolution, 7-11 ({H3_RES})")
    parser.add_argument("--train-months", type=int, default=6, help="months per training window")
    parser.add_argument("--methods", nargs="+", metavar="METHOD", help="default: all methods")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    parser.set_defaults(run=_run_backtest)


def _run_backtest(args: argparse.Namespace) -> int:
    from hotspots.analysis.evaluate import backtest
    from hotspots.data.ingest import resolve_study_area

    incidents = load(args.incidents, study_area=args.study_area).incidents
    table = backtest(
        incidents,
        study_area=resolve_study_area(args.study_area),
        res=args.res,
        methods=args.methods,
        train_months=args.train_months,
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        write_csv(table, args.csv)
        print(f"wrote {args.csv}")
    return 0


def _add_patrol_plan(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "patrol-plan",
        help="ranked patrol localities with dosage and limits: GeoJSON, CSV, KML and briefing",
        description=(
            "Rank patrol localities (hot spots cut into spaced units of about 200 m) for a period "
            "and area, with names, trends, peak windows and a Koper-curve dosage. Writes "
            "plan.geojson, plan.csv, plan.kml, briefing.html and briefing.pdf into OUT."
        ),
    )
    _add_sources(parser, study_area_required=True)
    parser.add_argument("--from", dest="start", metavar="YYYY-MM", help="first month")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month")
    parser.add_argument("--top", type=int, default=10, help="localities in the plan (10)")
    parser.add_argument("--by", choices=["count", "harm"], default="count", help="rank by")
    parser.add_argument("--method", choices=["gistar", "dbscan"], default="gistar")
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
    incidents = load(args.incidents, study_area=args.study_area).incidents
    plan = patrol_plan(
        incidents,
        study_area=args.study_area,
        period=(args.start, args.end) if args.start else None,
        top=args.top,
        by=args.by,
        method=args.method,
        max_across_m=args.max_across,
        min_spacing_m=args.min_spacing,
        harm_weights=args.harm_weights,
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
            "period with the same functions as a single-machine run. Writes partitioned "
            "GeoParquet (gistar/, emerging/), forces.csv, quarantine/ and params.json into OUT."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder or zip")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--res", type=int, default=9, help="H3 resolution (9)")
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


if __name__ == "__main__":
    raise SystemExit(main())
