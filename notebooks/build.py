"""Build the analyst notebooks from the Python source below, with empty outputs.

The notebooks are generated, so their diffs stay reviewable: edit a cell here, then run
``.venv/bin/python notebooks/build.py`` to rewrite every ``notebooks/NN_*.ipynb``.
``--check`` rewrites nothing and exits with status 1 when a notebook on disk differs from what
this script builds (cell ids are fixed, so an unchanged cell gives an unchanged file).
Code cells are kept formatted by ruff at line length 92 (they sit 8 spaces deep here).

Every notebook uses the public API only and reads data bundled in the repository; the test
suite (tests/test_notebooks.py) executes each one top to bottom.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]
"""A cell: ``("markdown" | "code", source)``."""


def md(text: str) -> Cell:
    """A markdown cell; the text is dedented and stripped of blank first and last lines."""
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    """A code cell; the source is dedented and stripped of blank first and last lines."""
    return ("code", textwrap.dedent(text).strip("\n"))


NB01: list[Cell] = [
    md("# 01 · Load the data and check its quality\n\n"
       "Load the bundled Dacorum police.uk months (real, month-only) and the demo council incident "
       "log (synthetic, with date and time) through the public API, then look at what was kept, "
       "what was set aside and why, and how the records spread over months and wards.\n\n"
       "Everything here reads files inside the repository; it runs offline."),
    code("import matplotlib.pyplot as plt\n"
         "import pandas as pd\n\n"
         "import hotspots as hs\n"
         "from hotspots.data import datasets"),
    md("## Load\n`read_policeuk` takes one street CSV, a folder or the zip data.police.uk "
       "hands out; "
       "`study_area` clips to a district (here Dacorum, by its ward boundaries)."),
    code("police = hs.read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM)\n"
         "print(police.report)"),
    md("The council log is a generic CSV: a column map says which column is which. "
       "`hotspots.demo.load.load_demo_log()` wraps exactly this call."),
    code("from hotspots.demo.load import DEMO_LOG_COLUMNS\n\n"
         "log = hs.read_incident_csv(\n"
         "    datasets.demo_path('incident_log'),\n"
         "    DEMO_LOG_COLUMNS,\n"
         "    source='Dacorum incident log (SYNTHETIC demo)',\n"
         "    study_area=datasets.DACORUM,\n"
         ")\n"
         "print(log.report)"),
    md("## The quarantine\nNothing is dropped silently: every row set aside keeps its file, line, "
       "reason and original values."),
    code("both = hs.concat_results([police, log])\n"
         "assert both.report.rows_read == both.report.rows_kept + len(both.quarantine)\n"
         "both.quarantine.groupby(['file', 'reason']).size().rename('rows').reset_index()"),
    code("log.quarantine[['line', 'reason', 'detail']]"),
    md("## Records per month\npolice.uk gives the month only; the council log has times of day."),
    code("incidents = both.incidents\n"
         "per_month = incidents.groupby([incidents['month'].dt.strftime('%Y-%m'), "
         "'source']).size()\n"
         "table = per_month.unstack(fill_value=0)\n"
         "table.plot(kind='bar', figsize=(10, 3.5), ylabel='records', xlabel='month')\n"
         "plt.tight_layout()\n"
         "table"),
    md("## Records per ward\nJoin the wards, count per ward (zeros included) and divide by the "
       "2011 Census population, aggregated from LSOAs to wards by area weighting."),
    code("wards = hs.read_boundaries(datasets.wards_path())\n"
         "lsoas = hs.read_boundaries(datasets.lsoas_path())\n"
         "incidents = hs.assign_areas(incidents, wards)\n"
         "counts = hs.area_counts(incidents, wards)\n"
         "population = hs.ward_population(wards, lsoas, hs.load_population())\n"
         "rates = hs.area_rates(counts, population)\n"
         "print('population method:', population.attrs['method'])\n"
         "rates.sort_values('rate', ascending=False).head(10)"),
    code("ax = wards.merge(rates[['area_code', 'rate']], on='area_code').plot(\n"
         "    column='rate', cmap='OrRd', legend=True, figsize=(7, 7), edgecolor='grey',\n"
         "    legend_kwds={'label': 'records per 1,000 residents, 13 months'},\n"
         ")\n"
         "ax.set_axis_off()\n"
         "ax.set_title('Dacorum: police.uk + demo log records per 1,000 residents')"),
    md("## On the H3 grid\nThe same records on hexagons (resolution 9, about 0.1 km²), zero cells "
       "of the district included: what Gi* needs. Sensitive incidents (domestic abuse, sexual "
       "offences, stalking) are never mapped: `mappable` leaves them out (the grid refuses them "
       "finer than resolution 8) and says how many."),
    code("from hotspots.core.disclosure import mappable\n\n"
         "spatial = mappable(incidents)\n"
         "print(spatial.attrs['sensitive_left_out_shown'], 'sensitive records not mapped')\n"
         "grid = hs.grid_counts(spatial, 9, study_area=wards)\n"
         "print(grid.attrs['n_cells'], 'cells;', int((grid['count'] == 0).sum()), "
         "'with no record')\n"
         "ax = grid[grid['count'] > 0].plot(column='count', cmap='YlOrRd', scheme=None,\n"
         "                                   legend=True, figsize=(7, 7))\n"
         "wards.boundary.plot(ax=ax, color='grey', linewidth=0.5)\n"
         "ax.set_axis_off()"),
]  # fmt: skip


NB02: list[Cell] = [
    md("""
        # 02 · Tuning the density clusters

        DBSCAN needs two choices: `eps_m`, the neighbourhood radius in metres (British National
        Grid, EPSG:27700), and `min_samples`, the incidents within it that make a core point.
        This notebook shows how to choose them on real data, and how much the clusters depend
        on the choice and on the months:

        1. the k-distance curve and the eps the library suggests at its knee;
        2. a grid of eps × min_samples with the number of clusters and the share left as noise;
        3. stability: cluster the first and the last six months separately and compare;
        4. HDBSCAN, which needs no eps, side by side with DBSCAN.

        Data: Dacorum's police.uk records, 2021-01 to 2022-01 (REAL, snapped by police.uk to a
        fixed set of anonymous map points), and the demo council incident log (SYNTHETIC, exact
        points).
    """),
    code("""
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        from sklearn.metrics import adjusted_rand_score

        import hotspots as hs
        from hotspots.data import datasets
        from hotspots.analysis.clusters import cluster_profiles, dbscan, hdbscan_clusters, suggest_eps
        from hotspots.demo.load import load_demo_log, load_demo_policeuk
        from hotspots.core.disclosure import mappable
    """),
    md("""
        ## Load
        Sensitive incidents (domestic abuse, sexual offences, stalking) never shape a map layer,
        so clustering runs on `mappable(...)`, which leaves them out and says how many.
    """),
    code("""
        police = mappable(load_demo_policeuk().incidents)
        log = mappable(load_demo_log().incidents)
        wards = hs.read_boundaries(datasets.wards_path())
        for name, inc in {"police.uk": police, "demo log": log}.items():
            locations = len(inc[["x", "y"]].drop_duplicates())
            print(
                f"{name}: {len(inc):,} incidents at {locations:,} distinct locations "
                f"({inc.attrs['sensitive_left_out']} sensitive left out); "
                f"working CRS {inc.attrs['working_crs']}"
            )
    """),
    md("""
        ## The k-distance curve
        An incident's k-distance is the smallest radius holding `min_samples` incidents, itself
        included: the smallest eps at which it would be a core point. Sorted, the curve stays
        low inside hot spots and climbs steeply towards isolated incidents; `suggest_eps` takes
        eps at the knee. police.uk snaps many incidents to one map point, so a large share have
        k-distance 0 (core at any eps): they are left out of the knee search but stay on the
        curve.
    """),
    code("""
        MIN_SAMPLES = 20
        curves = {
            "police.uk": suggest_eps(police, min_samples=MIN_SAMPLES),
            "demo log": suggest_eps(log, min_samples=MIN_SAMPLES),
        }
        fig, ax = plt.subplots(figsize=(8, 4))
        for (name, s), colour in zip(curves.items(), ["C0", "C1"], strict=True):
            ax.plot(s.curve_share, s.curve_eps_m, color=colour, label=name)
            ax.scatter(
                s.knee_share,
                s.eps_m,
                color=colour,
                zorder=3,
                label=f"{name} knee: eps {s.eps_m:.0f} m",
            )
        ax.set(
            ylim=(0, 1000),
            xlabel="share of incidents (sorted by k-distance)",
            ylabel=f"distance to {MIN_SAMPLES}th incident (m)",
        )
        ax.legend()
        print(curves["police.uk"].method)
    """),
    md("""
        The suggestion grows with `min_samples` (a denser core needs a wider circle);
        `knee_share` is roughly the share of incidents that would be core points.
    """),
    code("""
        pd.DataFrame(
            [
                {
                    "data": name,
                    "min_samples": k,
                    "eps_m": round(s.eps_m),
                    "knee_share": round(s.knee_share, 3),
                    "locations": s.n_unique_locations,
                }
                for name, inc in {"police.uk": police, "demo log": log}.items()
                for k in (10, 20, 30, 50)
                for s in [suggest_eps(inc, min_samples=k)]
            ]
        )
    """),
    md("""
        ## eps × min_samples
        Every combination on the police.uk data (DBSCAN here is exact: its labels equal
        scikit-learn's), with three read-outs: clusters, the share of incidents left as noise,
        and the share held by the largest cluster. Many clusters with much noise means street
        corners; one cluster holding most incidents means the snap points of a whole town have
        chained together. A briefing wants neither.
    """),
    code("""
        EPS_GRID = [50, 100, 150, 200, 300]
        MIN_SAMPLES_GRID = [10, 20, 30, 50, 100]


        def largest_share(result):
            clustered = result.labels[result.labels >= 0]
            return np.bincount(clustered).max() / len(result.labels) if clustered.size else 0.0


        runs = pd.DataFrame(
            [
                {
                    "eps_m": eps,
                    "min_samples": k,
                    "clusters": r.params.n_clusters,
                    "noise_share": r.params.noise_share,
                    "largest_cluster_share": largest_share(r),
                }
                for eps in EPS_GRID
                for k in MIN_SAMPLES_GRID
                for r in [dbscan(police, eps_m=eps, min_samples=k)]
            ]
        )
        tables = {
            column: runs.pivot(index="min_samples", columns="eps_m", values=column)
            for column in ("clusters", "noise_share", "largest_cluster_share")
        }
        tables["clusters"]
    """),
    code("""
        fig, axes = plt.subplots(1, 3, figsize=(16, 4))
        for ax, (title, table), fmt in zip(
            axes, tables.items(), ["{:.0f}", "{:.0%}", "{:.0%}"], strict=True
        ):
            image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto")
            ax.set(
                xticks=range(table.shape[1]),
                xticklabels=table.columns,
                xlabel="eps (m)",
                yticks=range(table.shape[0]),
                yticklabels=table.index,
                ylabel="min_samples",
                title=title.replace("_", " "),
            )
            for (i, j), value in np.ndenumerate(table.to_numpy()):
                ax.text(j, i, fmt.format(value), ha="center", va="center", color="white")
            fig.colorbar(image, ax=ax)
        fig.tight_layout()
    """),
    md("""
        Between 150 m and 200 m the largest cluster jumps from about a tenth to over half of
        the incidents: beyond that distance police.uk's snap points link up across the town.
        The knee of the k-distance curve falls just past the jump, so here it is a poor choice;
        a tuned setting below the jump keeps clusters to streets and centres.
    """),
    code("""
        knee_eps = curves["police.uk"].eps_m
        TUNED = {"eps_m": 150, "min_samples": 30}
        settings = {
            f"knee: eps {knee_eps:.0f} m, min_samples {MIN_SAMPLES}": {
                "eps_m": knee_eps,
                "min_samples": MIN_SAMPLES,
            },
            "tuned: eps 150 m, min_samples 30": TUNED,
        }
        knee = dbscan(police, **settings[next(iter(settings))])
        tuned = dbscan(police, **TUNED)
        for name, result in zip(settings, [knee, tuned], strict=True):
            print(
                f"{name}: {result.params.n_clusters} clusters, "
                f"{result.params.noise_share:.0%} noise, "
                f"largest cluster {largest_share(result):.0%} of incidents"
            )
    """),
    md("""
        ## Stability across months
        Cluster the first six months (Jan–Jun 2021) and the last six (Aug 2021–Jan 2022)
        separately, `min_samples` scaled to each half's share of the incidents, and compare:

        - `adjusted_rand`: adjusted Rand index (scikit-learn) of the two labellings on the map
          points used in both halves (1 = the same partition; noise counts as one group);
        - `clustered_again`: share of the first half's clustered incidents whose map point is
          clustered again in the second half;
        - `outlines_overlapping`: share of first-half cluster outlines that overlap a
          second-half outline.

        A setting that merges the town into one cluster is trivially "stable"; read the
        figures with the cluster counts beside them.
    """),
    code("""
        halves = {
            "Jan–Jun 2021": police[police["month"] < "2021-07-01"],
            "Aug 2021–Jan 2022": police[police["month"] >= "2021-08-01"],
        }


        def stability(eps_m, min_samples):
            # Cluster each half alone; compare the labellings and the outlines.
            row, labels, outlines = {}, [], []
            for name, part in halves.items():
                k = round(min_samples * len(part) / len(police))
                result = dbscan(part, eps_m=eps_m, min_samples=k)
                labels.append(
                    pd.DataFrame(
                        {
                            "x": part["x"].to_numpy(),
                            "y": part["y"].to_numpy(),
                            "label": result.labels,
                        }
                    )
                )
                outlines.append(cluster_profiles(part, result))
                row[f"clusters {name}"] = result.params.n_clusters
                row[f"largest share {name}"] = round(largest_share(result), 2)
            first, last = labels
            per_point = first.drop_duplicates(["x", "y"]).merge(
                last.drop_duplicates(["x", "y"]), on=["x", "y"], suffixes=("_first", "_last")
            )
            again = first.merge(per_point, on=["x", "y"], how="left")
            clustered = again["label"] >= 0
            row["shared map points"] = len(per_point)
            row["adjusted_rand"] = adjusted_rand_score(
                per_point["label_first"], per_point["label_last"]
            )
            row["clustered_again"] = (again.loc[clustered, "label_last"].fillna(-1) >= 0).mean()
            row["outlines_overlapping"] = outlines[0].intersects(outlines[1].union_all()).mean()
            return row, outlines


        rows, outlines = {}, {}
        for name, options in settings.items():
            rows[name], outlines[name] = stability(**options)
        pd.DataFrame(rows).round(2)
    """),
    code("""
        first, last = outlines["tuned: eps 150 m, min_samples 30"]
        ax = wards.boundary.plot(color="grey", linewidth=0.4, figsize=(8, 8))
        first.plot(ax=ax, color="C0", alpha=0.5)
        last.boundary.plot(ax=ax, color="C3", linewidth=1.2)
        ax.set_title("Tuned clusters: Jan–Jun 2021 (filled) and Aug 2021–Jan 2022 (red line)")
        ax.set_axis_off()
    """),
    md("""
        ## HDBSCAN beside DBSCAN
        HDBSCAN finds clusters of varying density without an eps; its main choice is
        `min_cluster_size`. Two sizes with `min_samples=30`, then the tuned DBSCAN and
        HDBSCAN mapped side by side.
    """),
    code("""
        hdb = {
            size: hdbscan_clusters(police, min_cluster_size=size, min_samples=30)
            for size in (100, 200)
        }
        results = {
            "DBSCAN knee": knee,
            "DBSCAN tuned": tuned,
            **{f"HDBSCAN min_cluster_size {size}": r for size, r in hdb.items()},
        }
        pd.DataFrame(
            [
                {
                    "method": name,
                    "clusters": r.params.n_clusters,
                    "noise_share": round(r.params.noise_share, 3),
                    "largest_cluster_share": round(largest_share(r), 3),
                    "adjusted_rand_vs_tuned_dbscan": round(
                        adjusted_rand_score(tuned.labels, r.labels), 2
                    ),
                }
                for name, r in results.items()
            ]
        )
    """),
    code("""
        chosen = {
            "DBSCAN, eps 150 m, min_samples 30": tuned,
            "HDBSCAN, min_cluster_size 100": hdb[100],
        }
        fig, axes = plt.subplots(1, 2, figsize=(14, 7))
        for ax, (name, result) in zip(axes, chosen.items(), strict=True):
            wards.boundary.plot(ax=ax, color="grey", linewidth=0.4)
            profiles = cluster_profiles(police, result)
            profiles.plot(
                ax=ax,
                column="n_incidents",
                cmap="OrRd",
                legend=True,
                legend_kwds={"label": "incidents in the cluster", "shrink": 0.6},
            )
            ax.set_title(f"{name}: {len(profiles)} clusters, {result.params.noise_share:.0%} noise")
            ax.set_axis_off()
        fig.tight_layout()
    """),
    md("""
        HDBSCAN adapts to density, so beside tight clusters in the town centres it also returns
        wide, sparse ones (the large outlines): for patrol targeting, bound the cluster size or
        prefer the tuned DBSCAN. Its clusters share little with DBSCAN's (adjusted Rand index
        above), so say which method a map comes from.
    """),
    md("""
        Every choice is kept with the result: `result.params` (method, eps and its source,
        min_samples, clusters, noise share, how duplicates were handled) and, when eps is left
        to the library (`eps_m=None`), `result.eps_suggestion` with the curve.
    """),
    code("""
        auto = dbscan(police, eps_m=None, min_samples=MIN_SAMPLES)
        print(auto.eps_suggestion.eps_m == knee_eps)
        auto.params.as_dict()
    """),
]


NB03: list[Cell] = [
    md("""
        # 03 · Gi* hot spots and emerging hot spots

        Getis–Ord Gi* on H3 hexagons at resolution 9 (about 0.1 km², edge about 200 m) over
        Dacorum's police.uk records, 2021-01 to 2022-01 (REAL, month-only): which cells and their
        neighbours hold more incidents than chance would give, with the false discovery rate
        controlled; then the 13 months as a space-time cube, classified into ArcGIS's emerging
        hot spot categories.
    """),
    code("""
        import html

        import pandas as pd
        from IPython.display import HTML
        from matplotlib.patches import Patch

        import hotspots as hs
        from hotspots.data import datasets
        from hotspots.views import maps
        from hotspots.demo.load import load_demo_policeuk
        from hotspots.core.disclosure import mappable
    """),
    md("""
        ## The grid, zero cells included
        Gi* compares each neighbourhood with the mean and spread of the whole study area, so the
        cells with no incident must be in it: `study_area=wards` fills the district's hexagons.
    """),
    code("""
        police = mappable(load_demo_policeuk().incidents)
        wards = hs.read_boundaries(datasets.wards_path())
        grid = hs.grid_counts(police, 9, study_area=wards)
        print(
            f"{grid.attrs['n_cells']:,} cells, {int((grid['count'] == 0).sum()):,} with no "
            f"incident; {int(grid['count'].sum()):,} incidents"
        )
    """),
    md("""
        ## Gi* with FDR
        Binary k-ring weights (k = 1: the cell and its six neighbours), ArcGIS's formula; the
        p-values are adjusted with Benjamini–Hochberg before the 90/95/99 % classes are given.
    """),
    code("""
        hot = hs.hotspots_gistar(grid)
        print(hot.attrs["params"])
        classes = hot.groupby("gi_class", observed=False).agg(
            cells=("cell", "size"), incidents=("count", "sum")
        )
        classes["share_of_incidents"] = (classes["incidents"] / classes["incidents"].sum()).round(3)
        print(f"lowest z: {hot['gi_z'].min():.2f}")
        classes
    """),
    md("""
        No cell is a significant cold spot: counts cannot fall below zero and most cells are
        empty, so an empty neighbourhood is only slightly below the mean.
    """),
    code("""
        COLOURS = {
            "Cold 99%": "#4575b4",
            "Cold 95%": "#91bfdb",
            "Cold 90%": "#e0f3f8",
            "Hot 90%": "#fee090",
            "Hot 95%": "#fc8d59",
            "Hot 99%": "#d73027",
        }


        def class_map(cells, column, colours, title):
            ax = wards.boundary.plot(color="grey", linewidth=0.4, figsize=(8, 8))
            shown = []
            for label, colour in colours.items():
                part = cells[cells[column] == label]
                if len(part):
                    part.plot(ax=ax, color=colour, edgecolor="none")
                    shown.append(Patch(color=colour, label=f"{label} ({len(part)})"))
            ax.legend(handles=shown, loc="lower left")
            ax.set_title(title)
            ax.set_axis_off()


        class_map(hot, "gi_class", COLOURS, "Dacorum, Gi* k = 1, FDR: significant cells")
    """),
    md("""
        ## FDR on or off
        With 2,448 tests at 95 %, about 120 cells would pass by chance alone if there were no
        pattern. Benjamini–Hochberg keeps the expected share of false discoveries among the
        significant cells at the level chosen; without it more cells look significant.
    """),
    code("""
        raw = hs.hotspots_gistar(grid, alpha_fdr=False)
        pd.DataFrame(
            {
                "with FDR": hot["gi_class"].value_counts(sort=False),
                "without FDR": raw["gi_class"].value_counts(sort=False),
            }
        )
    """),
    md("""
        ## A note on k
        `k` sets the neighbourhood: k = 1 is 7 hexagons (about 0.7 km²), k = 2 is 19 (about
        2 km²). A larger k smooths more and finds wider, smoother hot areas; choose it for the
        scale of the response (a patrol beat, a CCTV view, a town centre). Leaving out the zero
        cells (a grid of occupied cells only) raises the baseline and hides hot spots.
    """),
    code("""
        occupied_only = hs.hotspots_gistar(hs.grid_counts(police, 9))
        pd.DataFrame(
            {
                "k = 1": hot["gi_class"].value_counts(sort=False),
                "k = 2": hs.hotspots_gistar(grid, k=2)["gi_class"].value_counts(sort=False),
                "k = 1, occupied cells only": occupied_only["gi_class"].value_counts(sort=False),
            }
        )
    """),
    md("""
        ## Emerging hot spots over the 13 months
        One row per cell and month (zeros included), Gi* per month against the whole cube's mean
        and variance, FDR within each month, then a Mann–Kendall trend on each cell's z-scores.
        ArcGIS asks for at least 10 periods; 13 months is just enough.
    """),
    code("""
        cube = hs.grid_counts(police, 9, study_area=wards, by="month")
        emerging = hs.emerging_hotspots(cube)
        params = emerging.attrs["params"]
        print(
            {
                key: params[key]
                for key in (
                    "k",
                    "time_window",
                    "alpha",
                    "fdr",
                    "n_cells",
                    "n_periods",
                    "baseline",
                    "trend_on",
                )
            }
        )
        counts = emerging["category"].value_counts()
        counts[counts > 0].rename("cells").to_frame()
    """),
    code("""
        EMERGING_COLOURS = {
            "New Hot Spot": "#fee391",
            "Consecutive Hot Spot": "#fec44f",
            "Sporadic Hot Spot": "#fd8d3c",
            "Oscillating Hot Spot": "#c994c7",
            "Intensifying Hot Spot": "#a50f15",
            "Persistent Hot Spot": "#ef3b2c",
            "Diminishing Hot Spot": "#807dba",
            "Historical Hot Spot": "#969696",
        }
        class_map(
            emerging, "category", EMERGING_COLOURS, "Dacorum: emerging hot spots, 2021-01..2022-01"
        )
    """),
    md("""
        With `time_window=1` each month's neighbourhood also holds the previous month, which
        steadies the monthly z-scores: more cells become persistent, fewer sporadic.
    """),
    code("""
        steadier = hs.emerging_hotspots(cube, time_window=1)
        both = pd.DataFrame(
            {"time_window 0": counts, "time_window 1": steadier["category"].value_counts()}
        )
        both[both.sum(axis=1) > 0]
    """),
    md("""
        ## The same hot spots on an interactive map
        `hotspots.views.maps` builds a standalone page with Leaflet inlined, so it draws offline (no
        CDN); here it is shown in an iframe. Click a hexagon for its count and z-score.
    """),
    code("""
        m = maps.base_map(wards, height=500)
        maps.ward_layer(wards, name_col="area_name").add_to(m)
        maps.gistar_layer(hot).add_to(m)
        page = maps.map_html(m)
        HTML(
            f'<div><iframe srcdoc="{html.escape(page)}" '
            'style="width:100%;height:520px;border:0"></iframe></div>'
        )
    """),
]


NB04: list[Cell] = [
    md("""
        # 04 · Backtest: which method finds next month's hot spots?

        A rolling monthly backtest on REAL police.uk months (2021-01 to 2022-01) of two
        Hertfordshire districts, Dacorum and St Albans: each method scores the H3 cells
        (resolution 9) from six months of incidents and is judged on the month that follows,
        for seven test months (2021-07 to 2022-01). At a fixed share of the area (coverage):

        - **hit rate**: share of the next month's incidents inside the selected cells;
        - **PAI** (predictive accuracy index): hit rate ÷ area share; 1 is no better than chance.
    """),
    code("""
        import matplotlib.pyplot as plt
        import pandas as pd

        import hotspots as hs
        from hotspots.data import datasets
        from hotspots.analysis.evaluate import METHODS
    """),
    md("""
        ## Load two districts
        Clipped on load to the district outlines: the rows outside them, and those without a
        location, are quarantined and counted, not dropped.
    """),
    code("""
        districts = hs.read_boundaries(datasets.districts_path())
        area = districts[districts["area_code"].isin([datasets.DACORUM, "E07000240"])]
        loaded = hs.read_policeuk(datasets.herts_policeuk_zip(), study_area=area)
        incidents = loaded.incidents
        print(", ".join(area["area_name"]), f"— {len(incidents):,} incidents kept")
        loaded.quarantine["reason"].value_counts().rename("rows quarantined").to_frame()
    """),
    md("""
        ## The methods
        Each is a scoring function with fixed parameters (`hotspots.analysis.evaluate.METHODS`); pass
        your own mapping to `backtest(methods=...)` to try others.
    """),
    code("""
        pd.DataFrame(
            [
                {
                    "method": name,
                    "scores each cell by": score.__doc__.splitlines()[0],
                    "parameters": params,
                }
                for name, (score, params) in METHODS.items()
            ]
        ).set_index("method")
    """),
    code("""
        COVERAGE = (0.01, 0.02, 0.03, 0.05, 0.075, 0.10, 0.15, 0.20)
        result = hs.backtest(incidents, study_area=area, res=9, train_months=6, coverage=COVERAGE)
        print({key: value for key, value in result.attrs.items() if key != "method_params"})
    """),
    md("""
        ## PAI and hit rate by coverage
        Means over the seven test months (`pai_sd` is the spread of PAI between months).
    """),
    code("""
        pai = result.pivot(index="coverage", columns="method", values="pai")
        hit_rate = result.pivot(index="coverage", columns="method", values="hit_rate")
        pai.round(1)
    """),
    code("""
        hit_rate.round(3)
    """),
    code("""
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
        for name in pai.columns:
            rows = result[result["method"] == name].sort_values("coverage")
            share = rows["coverage"] * 100
            axes[0].plot(share, rows["pai"], marker="o", label=name)
            axes[0].fill_between(
                share, rows["pai"] - rows["pai_sd"], rows["pai"] + rows["pai_sd"], alpha=0.1
            )
            axes[1].plot(share, rows["hit_rate"] * 100, marker="o", label=name)
        axes[0].set(
            xlabel="area selected (%)",
            ylabel="PAI (band: ± 1 sd over months)",
            title="Predictive accuracy index",
        )
        axes[1].set(
            xlabel="area selected (%)",
            ylabel="next month's incidents captured (%)",
            title="Hit rate",
        )
        axes[1].legend()
        fig.tight_layout()
    """),
    md("""
        ## Which method wins at each coverage
        The winner has the highest mean PAI; `margin_in_sd` is its lead over the runner-up in
        units of the runner-up's month-to-month spread. Below 1 the two are not told apart by
        seven months.
    """),
    code("""
        ranked = result.sort_values(["coverage", "rank"])
        top_two = ranked.groupby("coverage").head(2)
        winner, runner_up = top_two.groupby("coverage").nth(0), top_two.groupby("coverage").nth(1)
        pd.DataFrame(
            {
                "coverage": winner["coverage"].to_numpy(),
                "winner": winner["method"].to_numpy(),
                "pai": winner["pai"].round(1).to_numpy(),
                "hit_rate": winner["hit_rate"].round(3).to_numpy(),
                "runner_up": runner_up["method"].to_numpy(),
                "runner_up_pai": runner_up["pai"].round(1).to_numpy(),
                "margin_in_sd": (
                    (winner["pai"].to_numpy() - runner_up["pai"].to_numpy())
                    / runner_up["pai_sd"].to_numpy()
                ).round(2),
            }
        )
    """),
    md("""
        Parameters a method chose itself are kept per test month, e.g. the rule-of-thumb KDE
        bandwidth (metres):
    """),
    code("""
        pd.Series(
            {
                month: round(p["bandwidth_m"])
                for month, p in result.attrs["method_params"]["kde_rule"].items()
            },
            name="kde_rule bandwidth_m",
        )
    """),
    md("""
        ## What this can and cannot say
        - **Location snapping.** police.uk moves every record to the nearest of a fixed set of
          anonymous map points (a street centre, a public place). Next month's incidents land on
          the same points, so methods that rank cells by past counts (`all_history`,
          `last_month`) are flattered: a "hit" means *the same snap point*, not the same
          address. Measured on exact council or CAD locations, smoother methods (KDE, Gi*) may
          rank differently.
        - **Month-only time.** Near-repeat dates each record mid-month, so it cannot use the
          days-to-weeks timescale near-repeat victimisation works on.
        - **Seven folds, two districts, one year.** The spread over months (`pai_sd`) is of
          the same size as many of the gaps between methods; rerun on your own area and months
          before choosing.
    """),
]


NB05: list[Cell] = [
    md("""
        # 05 · Temporal peaks and aoristic analysis

        When do incidents happen? Hour × weekday profiles and peak windows need a time of day:
        police.uk has only the month, but council ASB logs and police command-and-control
        exports have times. Public US extracts stand in for them here (REAL, local wall-clock
        time): Houston offences 2010 (hour precision), New York vehicle thefts 2014–2017 and
        Washington DC burglaries 2016 (each with a from–to window, e.g. "parked at 18:00, gone
        at 07:00"). Aoristic analysis spreads each incident over the hours of its window instead
        of placing it at the start.
    """),
    code("""
        import matplotlib.pyplot as plt
        import pandas as pd

        import hotspots as hs
        from hotspots.data import datasets
        from hotspots.demo.load import load_demo_policeuk


        def heatmap(ax, table, title):
            image = ax.imshow(table.to_numpy(), cmap="magma", aspect="auto")
            ax.set(
                yticks=range(7),
                yticklabels=table.index,
                xticks=range(0, 24, 3),
                xlabel="hour of day",
                title=title,
            )
            plt.colorbar(image, ax=ax, label="incidents")
    """),
    md("""
        ## Houston: hour × weekday and peak windows
        Each data set is read with a column map saying which column is which.
    """),
    code("""
        houston = hs.read_incident_csv(
            datasets.timed_path("houston"),
            hs.ColumnMap(
                datetime="datetime_local",
                crime_type="offense",
                lat="lat",
                lon="lon",
                location="street",
            ),
        ).incidents
        profile = hs.hour_weekday(houston)
        print(f"{profile.n_used:,} incidents with a time of day, {profile.n_without_time} without")
        fig, ax = plt.subplots(figsize=(11, 3.5))
        heatmap(ax, profile.table, "Houston offences, Jan–Aug 2010")
    """),
    md("""
        `peak_windows` finds the busiest blocks of consecutive hours in the week (wrapping round
        midnight and Sunday night); `lift` is the block's share over the share an even spread
        would give.
    """),
    code("""
        hs.peak_windows(houston, top=3, block_hours=3)
    """),
    code("""
        by_type = hs.peak_windows(houston, top=1, block_hours=4, by="crime_type")
        by_type[["crime_type", "label", "incidents", "share", "lift"]].sort_values(
            "lift", ascending=False
        )
    """),
    md("""
        ## New York vehicle thefts: aoristic against start hour
        A theft is usually found hours after it happened: the record holds a window from when
        the car was left to when it was missed. Counting each theft at the start of its window
        puts it in the evening when cars are parked; the aoristic profile spreads it over the
        window's hours. Windows longer than a week say little about the hour: they are left
        out and counted.
    """),
    code("""
        nyc = hs.read_incident_csv(
            datasets.timed_path("nyc"),
            hs.ColumnMap(
                incident_id="uid",
                datetime="date_start",
                datetime_to="date_end",
                lat="latitude",
                lon="longitude",
                location="location_type",
            ),
        ).incidents
        # The file has no crime type, and an untyped record with exact coordinates is treated
        # as sensitive until mapped (hour charts count no sensitive record): map it.
        nyc[["category", "sensitive", "vawg"]] = hs.classify(pd.Series("Vehicle crime",
                                                                       index=nyc.index))
        nyc["crime_type"] = "Vehicle crime"
        hours = (nyc["occurred_to"] - nyc["occurred_from"]).dt.total_seconds() / 3600
        print(
            f"{len(nyc):,} thefts; window: none {(hours == 0).mean():.0%}, "
            f"median {hours.median():.1f} h, over a week {(hours > 168).sum():,}"
        )
        aoristic = hs.hour_weekday(nyc)
        start = hs.hour_weekday(nyc, aoristic=False)
        print(f"used {aoristic.n_used:,}; long windows left out {aoristic.n_long_windows:,}")
    """),
    code("""
        shares = pd.DataFrame(
            {
                "aoristic (spread over the window)": aoristic.by_hour / aoristic.by_hour.sum(),
                "start of the window": start.by_hour / start.by_hour.sum(),
            }
        )
        ax = (shares * 100).plot(figsize=(9, 3.5), marker="o", xticks=range(0, 24, 2))
        ax.set(
            xlabel="hour of day",
            ylabel="share of thefts (%)",
            title="NYC vehicle thefts, 2014–2017",
        )
        shares.idxmax().rename("peak hour").to_frame()
    """),
    md("""
        Including the long windows adds their whole weeks evenly to all 168 hours: it can only
        flatten the profile (here slightly, as they are under a tenth of the thefts).
    """),
    code("""
        with_long = hs.hour_weekday(nyc, include_long_windows=True)
        print(
            f"used {with_long.n_used:,}; busiest hour share "
            f"{with_long.by_hour.max() / with_long.by_hour.sum():.1%} against "
            f"{aoristic.by_hour.max() / aoristic.by_hour.sum():.1%} without them"
        )
    """),
    md("""
        ## Washington DC burglaries
        A burglary is usually discovered, not seen: the record gives the window between the
        occupier leaving and returning. With 1,025 burglaries each of the 168 hour × weekday
        bins holds about six, so read broad bands rather than single cells.
    """),
    code("""
        dc = hs.read_incident_csv(
            datasets.timed_path("dc"),
            hs.ColumnMap(
                datetime="start_datetime", datetime_to="end_datetime", lat="lat", lon="lon"
            ),
        ).incidents
        # untyped, so sensitive until mapped (as for NYC above): these are burglaries
        dc[["category", "sensitive", "vawg"]] = hs.classify(pd.Series("Burglary", index=dc.index))
        dc["crime_type"] = "Burglary"
        dc_aoristic = hs.hour_weekday(dc)
        dc_start = hs.hour_weekday(dc, aoristic=False)
        print(f"{dc_aoristic.n_used:,} used, {dc_aoristic.n_long_windows} long windows left out")
        fig, axes = plt.subplots(1, 2, figsize=(14, 3.5))
        heatmap(axes[0], dc_aoristic.table, "DC burglaries, aoristic")
        heatmap(axes[1], dc_start.table, "DC burglaries, start of window")
        fig.tight_layout()
    """),
    code("""
        hs.peak_windows(dc, top=3, block_hours=4)
    """),
    md("""
        ## Comparing periods
        `compare_periods` counts two periods and tests the change (exact test for two Poisson
        rates; with `by`, q-values control the false discovery rate over the groups). Houston,
        July–August against the two months before:
    """),
    code("""
        hs.compare_periods(
            houston, current=("2010-07", "2010-08"), same_last_year=False, by="crime_type"
        )
    """),
    md("""
        It works on month-only data too. Dacorum police.uk, October–December 2021 against
        July–September:
    """),
    code("""
        police = load_demo_policeuk().incidents
        changes = hs.compare_periods(
            police, current=("2021-10", "2021-12"), same_last_year=False, by="category"
        )
        changes.sort_values("p_value")
    """),
    md("""
        ## police.uk: why there is no hour chart
        police.uk records the month only. Rather than a false peak at midnight, the profile says
        why it is absent, and `peak_windows` falls back to the busiest months.
    """),
    code("""
        police_profile = hs.hour_weekday(police)
        print("available:", police_profile.available)
        print(police_profile.reason)
        months = hs.peak_windows(police, top=3)
        print(months.attrs["reason"] == police_profile.reason)
        months
    """),
    code("""
        ax = hs.monthly_series(police).plot(figsize=(9, 3), legend=False, marker="o")
        ax.set(ylabel="incidents", title="Dacorum police.uk, incidents per month")
        plt.tight_layout()
    """),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_load_and_quality.ipynb": NB01,
    "02_tuning_clusters.ipynb": NB02,
    "03_gistar_and_emerging.ipynb": NB03,
    "04_backtest.ipynb": NB04,
    "05_temporal_and_aoristic.ipynb": NB05,
}
"""File name → cells, in order."""


def notebook(cells: list[Cell]) -> nbf.NotebookNode:
    """A notebook of ``cells`` with empty outputs, the python3 kernel and fixed cell ids."""
    nb = nbf.v4.new_notebook()
    for i, (kind, source) in enumerate(cells):
        cell = (
            nbf.v4.new_markdown_cell(source) if kind == "markdown" else nbf.v4.new_code_cell(source)
        )
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def main(argv: list[str] | None = None) -> int:
    """Write every notebook (or, with ``--check``, report those that differ); exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a notebook is out of date"
    )
    args = parser.parse_args(argv)
    stale = []
    for name, cells in NOTEBOOKS.items():
        text = nbf.writes(notebook(cells)) + "\n"
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(f"{name} differs from notebooks/build.py: run python notebooks/build.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
