"""Write every output of a patrol plan into one folder (what ``hotspots patrol-plan`` does)."""

from __future__ import annotations

from pathlib import Path

from hotspots.products.patrol.briefing import briefing_html, write_briefing_pdf
from hotspots.products.patrol.export import to_csv, to_geojson, to_kml
from hotspots.products.patrol.plan import PatrolPlan


def write_plan_files(plan: PatrolPlan, folder: str | Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write plan.geojson, plan.csv, plan.kml, briefing.html (and briefing.pdf) into ``folder``.

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
    The written paths by kind: ``geojson``, ``csv``, ``kml``, ``html`` (and ``pdf``).

    Examples
    --------
    >>> write_plan_files(plan, "out/")  # doctest: +SKIP
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "geojson": to_geojson(plan, folder / "plan.geojson"),
        "csv": to_csv(plan, folder / "plan.csv"),
        "kml": to_kml(plan, folder / "plan.kml"),
    }
    html_path = folder / "briefing.html"
    html_path.write_text(briefing_html(plan), encoding="utf-8")
    written["html"] = html_path
    if pdf:
        written["pdf"] = write_briefing_pdf(plan, folder / "briefing.pdf")
    return written
