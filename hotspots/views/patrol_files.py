"""Write every output of a patrol plan into one folder (what ``hotspots patrol-plan`` does)."""

from __future__ import annotations

from pathlib import Path

from hotspots.core.io import deliver
from hotspots.products.patrol.export import to_csv, to_geojson, to_kml, to_notes
from hotspots.products.patrol.plan import PatrolPlan
from hotspots.views.documents.briefing import briefing_html, write_briefing_pdf


def write_plan_files(plan: PatrolPlan, folder: str | Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write plan.geojson, plan.csv (with its companion plan.json: method and backtest),
    plan.kml, briefing.html (and briefing.pdf) into ``folder``.

    Parameters
    ----------
    plan
        From :func:`hotspots.products.patrol.patrol_plan`.
    folder
        Output folder, created when missing.
    pdf
        Also write the PDF briefing.

    Returns
    -------
    The written paths by kind: ``geojson``, ``csv``, ``json``, ``kml``, ``html`` (and ``pdf``).

    Examples
    --------
    >>> write_plan_files(plan, "out/")  # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "geojson": folder / "plan.geojson",
        "csv": folder / "plan.csv",
        "json": folder / "plan.json",
        "kml": folder / "plan.kml",
        "html": folder / "briefing.html",
    }
    to_geojson(plan, written["geojson"])
    to_csv(plan, written["csv"])
    to_notes(plan, written["json"])
    to_kml(plan, written["kml"])
    deliver(briefing_html(plan), written["html"])
    if pdf:
        written["pdf"] = folder / "briefing.pdf"
        write_briefing_pdf(plan, written["pdf"])
    return written
