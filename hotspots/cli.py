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

from hotspots.ingest import IngestError, load


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 unusable input, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (IngestError, OSError) as exc:
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
        metavar="PATH|LAD_CODE",
        help="keep only incidents inside this boundary file or district (e.g. E07000096)",
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
    result.quarantine.to_csv(quarantine_path, index=False)
    report_path.write_text(json.dumps(result.report.to_dict(), indent=2, default=str))
    print(result.report.summary())
    print(f"wrote {out} ({len(result.incidents):,} incidents)")
    print(f"wrote {quarantine_path} ({len(result.quarantine):,} rows set aside)")
    print(f"wrote {report_path}")
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


if __name__ == "__main__":
    raise SystemExit(main())
