"""Words for a JAG: areas with units, the Map caption in plain words and in detail."""

import h3
import pytest

from hotspots.products.captions import (
    area_text,
    cell_area_text,
    hot_spot_caption,
    hot_spot_figures,
    map_caption,
    method_words,
)


@pytest.mark.parametrize(
    ("m2", "text"),
    [(3362275.8857, "3.4 km²"), (105332.5, "11 ha"), (52000, "5.2 ha"), (1e6, "1.0 km²")],
)
def test_area_text_rounds_with_units(m2, text):
    assert area_text(m2) == text


def test_cell_area_is_h3s_average():
    assert cell_area_text(9) == f"{h3.average_hexagon_area(9, unit='km^2') * 100:.0f} ha"


def test_map_caption_plain_first_technical_apart():
    params = {
        "grid": {"res": 9},
        "gistar": {"k": 1, "fdr": True},
        "clusters": {
            "n_clusters": 78,
            "eps_m": 151.2,
            "eps_source": "k-distance knee",
            "min_samples": 12,
            "min_samples_source": "auto",
            "method": "dbscan",
        },
    }
    plain, technical = map_caption(params, n_hot_cells=181, clustered_share=0.9176)
    assert "181 hexagons of about 11 ha" in plain and "92%" in plain
    for jargon in ("H3", "Gi*", "DBSCAN", "eps", "k-ring", "FDR"):
        assert jargon not in plain
    assert "H3 resolution 9" in technical and "DBSCAN" in technical and "151 m" in technical


def _forecast(**figures):
    import pandas as pd

    from hotspots.analysis.forecast import Forecast

    return Forecast(
        cells=pd.DataFrame(),
        month=pd.Period("2022-02", "M"),
        method="all_history+kde",
        coverage=0.05,
        backtest=pd.DataFrame(),
        figures={"res": 9, "n_cells": 2246, "zero_history": "demote", **figures},
    )


def test_hot_spot_caption_says_the_forecasts_own_backtest():
    fc = _forecast(
        folds=12,
        first_test_month="2021-02",
        last_test_month="2022-01",
        hit_rate=0.4123,
        pai=8.25,
        pei=0.914,
        selection="rolling origin",
    )
    plain, technical = hot_spot_caption(fc)
    assert plain == (
        "Hot spots: the 5 % of the area where next month's crime is most likely (forecast for "
        "Feb 2022). Tested on the last 12 months: the 5 % of the area marked here held 41 % of "
        "the next month's crime."
    )
    for jargon in ("PAI", "PEI", "H3", "kde"):
        assert jargon not in plain
    assert "PAI 8.2" in technical and "PEI 0.91" in technical and "hit rate 41.2 %" in technical
    assert "all past incidents, ties broken by the density of nearby incidents" in technical
    assert "ranked below every cell with one" in technical
    figures = hot_spot_figures(fc)
    assert figures["hit_rate"] == 0.4123 and figures["backtest"] in plain


def test_an_untested_forecast_says_so():
    plain, technical = hot_spot_caption(_forecast(folds=0))
    assert "Not yet tested" in plain and "%" in plain and "PAI" not in technical


@pytest.mark.parametrize(
    ("method", "words"),
    [
        ("recent_h6", "past incidents, recent months weighted more (half-life 6 months)"),
        ("kde_gauss_174m", "density of nearby incidents (gauss kernel, 174 m)"),
        ("combination+kde", "a weighted mix of every measure, fitted on earlier months, ties"),
        ("recency_density_all", "all past incidents, plus the density of nearby incidents"),
        ("recency_density_h3", "past incidents, recent months weighted more (half-life 3 months),"),
        ("something_new", "something_new"),
    ],
)
def test_method_words(method, words):
    assert method_words(method).startswith(words)


def test_map_caption_says_one_group_not_one_groups():
    params = {
        "grid": {"res": 9},
        "gistar": {"k": 1, "fdr": True},
        "clusters": {"n_clusters": 1, "eps_m": 150.0, "eps_source": "auto", "min_samples": 12,
                     "min_samples_source": "auto", "method": "dbscan"},
    }  # fmt: skip
    plain, _ = map_caption(params, n_hot_cells=3, clustered_share=0.5)
    assert "Clusters: 1 group of nearby incidents" in plain
    params["clusters"]["n_clusters"] = 2
    assert "Clusters: 2 groups of" in map_caption(params, n_hot_cells=3, clustered_share=0.5)[0]


def _compared(folds: int, hit: float, base: float):
    """A recency-density forecast tested on ``folds`` months beside counting past crime."""
    import pandas as pd

    fc = _forecast(folds=folds, first_test_month="2021-03", last_test_month="2021-03",
                   hit_rate=hit, pai=10.0, pei=0.8)  # fmt: skip
    fc.method = "recency_density"
    fc.backtest = pd.DataFrame(
        {"method": ["all_history", "recency_density"], "coverage": [0.05, 0.05],
         "folds": [folds, folds], "hit_rate": [base, hit]}
    )  # fmt: skip
    return fc


def test_one_test_month_reads_month_and_claims_nothing_better():
    # Leeds, one month tested: "Tested on the last 1 months … better than simply counting past
    # crime: 67 % vs 66 %"
    from hotspots.products.captions import hot_spot_backtest, hot_spot_metric

    said = hot_spot_backtest(_compared(1, 0.67, 0.66))
    assert said.startswith("Tested on the last month: ") and "1 months" not in said
    assert "better than" not in said and "worse than" not in said
    assert "Simply counting past crime held 66 %: too few test months (1 month)" in said
    assert "tested on the last month." in hot_spot_metric(_compared(1, 0.67, 0.66))[1]
    technical = hot_spot_caption(_compared(1, 0.67, 0.66))[1]
    assert "(1 test month)" in technical


@pytest.mark.parametrize(
    ("hit", "base", "verdict"),
    [(0.67, 0.66, "about the same as"), (0.66, 0.67, "about the same as"),
     (0.68, 0.64, "better than"), (0.60, 0.64, "worse than")],
)  # fmt: skip
def test_better_only_beyond_the_noise_of_the_backtest(hit, base, verdict):
    from hotspots.products.captions import BEYOND_NOISE, hot_spot_backtest

    said = hot_spot_backtest(_compared(12, hit, base))
    assert (
        f"That is {verdict} simply counting past crime: {hit:.0%} vs {base:.0%}".replace("%", " %")
        in said
    )
    if verdict == "about the same as":
        assert f"a difference under {BEYOND_NOISE} points is within the noise" in said


def test_no_change_in_per_cent_reads_no_change_not_under_1():
    # the pack: 586 → 586 read "under 1 %"
    from hotspots.products.captions import percent_change_text

    assert percent_change_text(0.0) == "no change"
    assert percent_change_text(0.3) == "under 1 %" and percent_change_text(-0.3) == "under 1 %"
