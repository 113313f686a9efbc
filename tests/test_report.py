"""The meeting pack (hotspots.views.documents.meeting_pack) on the real Dacorum data: static
map PNG, meeting pack HTML and PDF.

References are independent of the code under test: the PNG is decoded by Pillow, the HTML
parsed back by the standard library's parser, the PDF read by pypdf; cluster ranks, peak months
and counts are recomputed here with pandas from the incidents.
"""

from __future__ import annotations

import base64
import html
import io
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pypdf
import pytest
from PIL import Image

from hotspots.analysis.analyse import Analysis, analyse
from hotspots.data import datasets
from hotspots.data.ingest import concat_results
from hotspots.data.select import Selection
from hotspots.demo.load import load_demo_log
from hotspots.products import measures
from hotspots.products.captions import month_text
from hotspots.space.areas import assign_areas, read_boundaries
from hotspots.views.documents.meeting_pack import (
    describe_selection,
    meeting_pack_html,
    meeting_pack_pdf,
    peak_summary,
    static_map_png,
    top_hotspots,
)
from hotspots.views.maps import GI_COLOURS, HOT_SPOT_COLOUR, HOT_SPOT_DARK

XSS = "<img src=x onerror=alert(1)>"
"""Text a user might type (here: a location); it must reach every pack as text."""


@pytest.fixture(scope="module")
def wards():
    return read_boundaries(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="module")
def month_only(dacorum_load) -> Analysis:
    """Real police.uk Dacorum records (month precision only)."""
    return analyse(dacorum_load.incidents, study_area=datasets.DACORUM)


@pytest.fixture(scope="module")
def mixed_incidents(dacorum_load, wards):
    """police.uk (month only) and the timed council log, wards joined; one street renamed to
    :data:`XSS` so typed text flows through the real pipeline into the packs."""
    incidents = concat_results([dacorum_load, load_demo_log()]).incidents
    incidents = assign_areas(incidents, wards)
    renamed = incidents["location"] == "On or near Parking Area"
    assert renamed.sum() > 100
    incidents.loc[renamed, "location"] = XSS
    return incidents


@pytest.fixture(scope="module")
def mixed(mixed_incidents, wards) -> Analysis:
    return analyse(mixed_incidents, study_area=wards)


@pytest.fixture(scope="module")
def tables(mixed_incidents, wards):
    periods = measures.default_periods(mixed_incidents)
    changes = measures.what_changed(mixed_incidents, wards=wards, periods=periods, top=5)
    headline = measures.headline_measures(
        mixed_incidents, current=periods.current, previous=periods.previous
    )
    return changes, headline


@pytest.fixture(scope="module")
def pack(mixed, wards, tables) -> str:
    changes, headline = tables
    return meeting_pack_html(
        mixed,
        wards,
        title=f"JAG {XSS}",
        period="Jan 2021 – Jan 2022",
        filters={"Crime groups": "all", "Wards": XSS},
        changes=changes,
        measures=headline,
    )


class _Page(HTMLParser):
    """Tables (rows of cell text), images and links of an HTML page, text unescaped."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(values.get("src") or "")
        for name in ("src", "href"):
            if values.get(name):
                self.links.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _by_size(profiles: pd.DataFrame) -> pd.DataFrame:
    """Profiles ranked by the rule the pack states: most incidents first, ties by cluster id."""
    sizes, ids = profiles["n_incidents"].tolist(), profiles["cluster"].tolist()
    order = sorted(range(len(profiles)), key=lambda i: (-sizes[i], ids[i]))
    return profiles.iloc[order]


# --------------------------------------------------------------------------- tables


def test_top_hotspots_are_the_profiles_ranked_by_size(mixed) -> None:
    top = top_hotspots(mixed, top_n=8)
    expected = _by_size(mixed.profiles).head(8)
    assert top["rank"].tolist() == list(range(1, 9))
    assert top["cluster"].tolist() == expected["cluster"].tolist()
    assert top["n_incidents"].tolist() == expected["n_incidents"].tolist()
    assert top["places"].tolist() == expected["top_locations"].tolist()
    assert np.all(np.diff(top["n_incidents"]) <= 0)
    # Timed council records give a weekday and hour; the text names them.
    first = expected.iloc[0]
    assert top["peak"].iloc[0].startswith(f"{first['peak_weekday']}, around")
    assert f"{int(first['peak_hour']):02d}:00" in top["peak"].iloc[0]


def test_month_only_data_peaks_are_the_busiest_months_with_the_reason(
    month_only, dacorum_load
) -> None:
    table, note = peak_summary(month_only)
    assert set(table["resolution"]) == {"month"}
    assert "month" in note and month_only.peaks.attrs["reason"] in note
    assert "monthly_series" not in note and "_" not in note  # plain words, no code names
    inc = dacorum_load.incidents
    counts = inc.groupby(["category", inc["month"].dt.strftime("%Y-%m")]).size()
    for group, text in zip(table["group"], table["peaks"], strict=True):
        by_month = counts[group].sort_index()
        busiest = by_month.sort_values(ascending=False, kind="stable").head(3)
        # months in words ("May 2021 (18 %)"), never "2021-05 (18%)"
        assert not re.search(r"\d{4}-\d{2}", text)
        listed = re.findall(r"([A-Z][a-z]{2} \d{4}) \((\d+) %\)", text)
        assert [m for m, _ in listed] == [month_text(m) for m in busiest.index]
        shares = [round(100 * n / by_month.sum()) for n in busiest]
        assert [int(s) for _, s in listed] == shares
    # Busiest group first, as in the incidents.
    assert table["group"].iloc[0] == inc["category"].value_counts().index[0]


def test_hour_windows_say_how_many_incidents_had_no_time(mixed, mixed_incidents) -> None:
    table, note = peak_summary(mixed, block_hours=3)
    assert set(table["resolution"]) == {"hour"}
    n_month_only = int((mixed_incidents["time_precision"] == "month").sum())
    assert f"{n_month_only:,} without one" in note
    assert all(re.match(r"\w{3} \d{2}:00–\w{3} ?\d{2}:00|\w{3} \d{2}:00–\d{2}:00", t)
               for t in table["peaks"])  # fmt: skip
    with pytest.raises(ValueError, match="block_hours must be one of"):
        peak_summary(mixed, block_hours=7)


def test_describe_selection_words_and_ward_names() -> None:
    sel = Selection(
        start=pd.Timestamp("2021-03-01"),
        end=pd.Timestamp("2021-05-01"),
        categories=("Drugs", "Public order"),
        wards=("E05004693",),
        hours=(22, 3),
    )
    words = describe_selection(sel, ward_names={"E05004693": "Adeyfield East"})
    assert words["Period"] == "Mar 2021 – May 2021"
    assert words["Crime groups"] == "Drugs, Public order"
    assert words["Wards"] == "Adeyfield East"
    assert words["Time of day"] == "22:00–03:59"
    assert words["Crime types"] == "all"


# --------------------------------------------------------------------------- PNG


def test_static_map_png_draws_the_forecast_hot_spots_by_default(month_only, wards) -> None:
    png = static_map_png(month_only, wards, title="Dacorum", size_px=(1200, 900))
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    colours = {tuple(p) for p in pixels.astype(int)[::3]}
    for fill in (HOT_SPOT_COLOUR, HOT_SPOT_DARK):  # the rest and the best-ranked fifth
        assert tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5)) in colours
    assert month_only.forecast is not None and month_only.cells["hot_spot"].sum() > 5


def test_static_map_png_draws_significant_clusters(month_only, wards) -> None:
    png = static_map_png(month_only, wards, title="Dacorum", size_px=(1200, 900), layer="gistar")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1200, 900)
    pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.std() > 20  # not blank
    colours = {tuple(p) for p in pixels.reshape(-1, 3).astype(int)[::7]}
    hot = tuple(int(GI_COLOURS[3][i : i + 2], 16) for i in (1, 3, 5))
    assert (month_only.cells["gi_bin"] == 3).any()
    assert hot in colours  # the 99 % hot spots are filled with ArcGIS's red


def test_static_map_png_counts_layer_differs_and_bad_options_say_why(month_only, wards) -> None:
    counts = static_map_png(month_only, wards, title="x", layer="counts", size_px=(600, 450))
    gistar = static_map_png(month_only, wards, title="x", layer="gistar", size_px=(600, 450))
    a = np.asarray(Image.open(io.BytesIO(counts)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(gistar)).convert("RGB"), dtype=float)
    assert a.shape == b.shape == (450, 600, 3)
    assert np.abs(a - b).mean() > 1  # many more cells are shaded by count than by Gi*
    with pytest.raises(ValueError, match="layer must be 'forecast', 'gistar' or 'counts'"):
        static_map_png(month_only, wards, title="x", layer="kde")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 200"):
        static_map_png(month_only, wards, title="x", size_px=(50, 50))


def test_typed_dollars_are_text_and_no_clusters_still_give_a_map(dacorum_load, wards) -> None:
    # min_samples above any neighbourhood's size: DBSCAN finds no cluster at all.
    none = analyse(dacorum_load.incidents, study_area=wards, eps_m=50, min_samples=100_000)
    assert len(none.profiles) == 0
    assert len(top_hotspots(none)) == 0
    png = static_map_png(none, wards, title="Costs $5 to $10 {x}", size_px=(400, 300))
    assert Image.open(io.BytesIO(png)).size == (400, 300)
    page = meeting_pack_html(none, wards, title="JAG", period="x", map_png=png)
    hotspots = page.split("<h2>Largest clusters of incidents</h2>")[1].split("<h2>")[0]
    assert "None." in hotspots and "<table" not in hotspots
    pdf = meeting_pack_pdf(none, None, title="Costs $5 to $10", period="Jan 2022")
    assert "Costs $5 to $10" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


# --------------------------------------------------------------------------- HTML pack


def test_pack_lists_the_ranked_hotspots_and_embeds_the_map(pack, mixed) -> None:
    page = _Page(pack)
    hotspots = page.tables[0]
    header, rows = hotspots[0], hotspots[1:]
    expected = _by_size(mixed.profiles).head(10)
    assert header[:4] == ["Rank", "Hot spot", "Places", "Incidents"]
    assert [r[0] for r in rows] == [str(i) for i in range(1, 11)]
    assert [r[1] for r in rows] == expected["place"].tolist()  # "Street, Ward"
    assert [r[2] for r in rows] == expected["top_locations"].tolist()
    assert [r[3] for r in rows] == [f"{n:,}" for n in expected["n_incidents"]]
    assert any(XSS in r[2] for r in rows)  # the renamed street is a top place, shown as text
    (src,) = page.images
    assert src.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    assert image.format == "PNG" and image.size == (1600, 1200)


def test_pack_says_what_the_hot_spots_are_and_how_well_they_were_tested(pack, mixed) -> None:
    """The dashboard's words, from the analysis' forecast (never a fixed figure)."""
    text = " ".join(_Page(pack).text)
    f = mixed.forecast.figures
    assert "Hot spots: the 5 % of the area where next month's crime is most likely" in text
    assert (
        f"Tested on the last {f['folds']} months: the 5 % of the area marked here held "
        f"{100 * f['hit_rate']:.0f} % of the next month's crime." in text
    )
    assert f"PAI {f['pai']:.1f}" in text and f"PEI {f['pei']:.2f}" in text  # the method
    assert "Statistically significant clusters of high counts (not the hot spots)" in text


def test_pack_escapes_typed_text_and_needs_no_internet(pack) -> None:
    assert XSS not in pack
    assert html.escape(XSS) in pack
    assert f"<title>JAG {html.escape(XSS)}</title>" in pack
    assert "<script" not in pack.lower() and "<link" not in pack.lower()
    page = _Page(pack)
    assert all(link.startswith("data:") for link in page.links)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", pack, flags=re.I)
    assert "Open Government Licence v3.0" in pack


def test_pack_shows_changes_measures_and_every_parameter(pack, tables, mixed) -> None:
    changes, headline = tables
    page = _Page(pack)
    change_rows = next(t for t in page.tables if t[0] == ["Change", "Compared with"])[1:]
    assert [r[0] for r in change_rows] == changes["text"].tolist()
    assert {r[1] for r in change_rows} <= {
        f"{p} ({c})" for p, c in zip(changes["period"], changes["compared_with"], strict=True)
    }
    measure_table = next(t for t in page.tables if t[0][0] == "Measure")
    assert [r[0] for r in measure_table[1:]] == headline.index.tolist()
    assert [r[1] for r in measure_table[1:]] == headline["current_shown"].tolist()
    text = " ".join(page.text)
    clusters = mixed.params["clusters"]
    assert f"eps {clusters['eps_m']:.0f} m ({clusters['eps_source']})" in text
    assert f"min_samples {clusters['min_samples']}" in text
    assert f"H3 resolution {mixed.params['grid']['res']}" in text
    left = mixed.params["sensitive_left_out_shown"]  # through the disclosure gate
    how_many = "Some" if left in ("withheld", "<5") else left  # a withheld count is not shown
    assert left != "0" and f"{how_many} (domestic abuse" in text


def test_pack_says_what_each_significance_allows_for(pack, tables) -> None:
    # "What changed" (crime group x ward) and the headline measures (four measures) test
    # different sets: each says which, so "not significant" beside a ▲ is no contradiction
    changes, _ = tables
    text = " ".join(" ".join(_Page(pack).text).split())
    groups = changes.attrs["groups"]
    assert (
        f"allowing for all {groups:,} groups compared here (each crime group in each ward)" in text
    )
    assert "allowing for the four headline measures tested together" in text


def test_pack_method_is_plain_words_first_then_the_technical_detail(pack, mixed) -> None:
    text = " ".join(" ".join(_Page(pack).text).split())
    method = text.split("How the hot spots were found", 1)[1]
    plain, technical = method.split("How this was worked out (technical detail)", 1)
    assert "Hot spots: Hot spots" not in pack and "Hot spots: Hot spots" not in text
    for jargon in ("H3", "Gi*", "DBSCAN", "min_samples", "CRS", "recency_density", "PAI"):
        assert jargon not in plain, jargon
    assert f"H3 resolution {mixed.params['grid']['res']}" in technical
    assert "Getis-Ord Gi*" in technical and "EPSG:" in technical
    assert f"{mixed.params['grid']['n_cells']:,} hexagons of about" in plain


def test_pack_without_measures_says_so_and_rejects_other_tables(mixed, wards) -> None:
    png = static_map_png(mixed, wards, title="x", size_px=(400, 300))
    page = meeting_pack_html(mixed, wards, title="JAG", period="Jan 2022", map_png=png)
    assert page.count("Not computed for this pack.") == 2
    with pytest.raises(ValueError, match="what_changed"):
        meeting_pack_html(
            mixed, wards, title="JAG", period="x", map_png=png, changes=pd.DataFrame({"a": [1]})
        )


# --------------------------------------------------------------------------- PDF


def test_pdf_pack_reads_back_with_pypdf(mixed, wards, tables) -> None:
    changes, headline = tables
    pdf = meeting_pack_pdf(
        mixed,
        wards,
        title="JAG March",
        period="Jan 2021 – Jan 2022",
        filters={"Wards": XSS},
        changes=changes,
        measures=headline,
    )
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 5  # map, hotspots, peaks, changes, measures, method
    texts = [p.extract_text() for p in reader.pages]
    assert "JAG March" in texts[0] and XSS in texts[0]  # PDF text is not markup: shown as is
    top = _by_size(mixed.profiles).iloc[0]
    first_place = top["top_locations"].split(";")[0].split(" (")[0]
    assert "Largest clusters of incidents" in texts[1] and first_place in texts[1]
    said = f"held {100 * mixed.forecast.figures['hit_rate']:.0f} % of the next month"
    assert said in " ".join(texts[0].split())  # the hot spots' backtest over the map
    method = " ".join(texts[-1].split())
    assert f"PEI {mixed.forecast.figures['pei']:.2f}" in method
    assert f"{top['n_incidents']:,}" in texts[1]
    assert any("What changed" in t and "Compared with" in t for t in texts)
    assert reader.metadata.title == "JAG March"


def test_pack_says_how_sensitive_incidents_are_counted_without_a_withheld_count(mixed) -> None:
    # "withheld (domestic abuse …) are counted in the figures" was false twice: it began with
    # "withheld", and the figures count them only in groups of 5 or more
    import copy

    from hotspots.views.documents.meeting_pack import _method_items

    def said(shown: object) -> str:
        analysis = copy.copy(mixed)
        analysis.params = {**mixed.params, "sensitive_left_out_of_map_layers": 3,
                           "sensitive_left_out_shown": shown}  # fmt: skip
        return dict(_method_items(analysis)[0])["Sensitive incidents"]

    withheld = said("withheld")
    assert withheld.startswith("Some (domestic abuse") and "withheld" not in withheld
    assert "only where a ward holds 5 or more of one type in a month" in withheld
    assert said(12).startswith("12 (domestic abuse")
    assert "lie in these places" in dict(_method_items(mixed)[0])["Clusters"]


def test_every_source_picked_in_another_order_is_no_filter() -> None:
    # sources removed in the sidebar and added back come back in another order
    from hotspots.data.select import Selection
    from hotspots.views.documents.selection_words import selection_line

    every = Selection(sources=("Council ASB log", "police.uk"))
    assert selection_line(Selection(sources=("police.uk", "Council ASB log")), every) == ""
    assert selection_line(Selection(sources=("police.uk",)), every).startswith("Showing only")
