"""The Data page: demo report by default, header detection, the column-map form (AppTest)."""

from streamlit.testing.v1 import AppTest

from hotspots.data import datasets
from hotspots.data.ingest.columns import csv_header
from hotspots.views.dashboard.uploads import is_policeuk


def _data_page() -> None:
    from hotspots.views.dashboard.page_data import render

    render()


def _form_page() -> None:
    import streamlit as st

    from hotspots.data import datasets
    from hotspots.data.ingest.columns import csv_header
    from hotspots.views.dashboard.page_data import _column_map_form

    chosen = _column_map_form(csv_header(datasets.demo_path("incident_log")), key="t")
    st.session_state["chosen"] = chosen


def test_header_detection(tmp_path):
    council = tmp_path / "c.csv"
    council.write_bytes("Réf,Date,Easting,Northing\n".encode("latin-1"))
    empty = tmp_path / "e.csv"
    empty.write_text("")
    assert not is_policeuk(csv_header(council))
    assert csv_header(council) == ["Réf", "Date", "Easting", "Northing"]
    assert csv_header(empty) == []


def test_policeuk_files_need_no_column_map():
    import zipfile

    with zipfile.ZipFile(datasets.demo_path("policeuk")) as zf:
        first = sorted(n for n in zf.namelist() if n.endswith(".csv"))[0]
        header = zf.read(first).decode("utf-8-sig").splitlines()[0].split(",")
    assert is_policeuk(header)


def test_data_page_shows_the_demo_load_and_its_quarantine():
    at = AppTest.from_function(_data_page, default_timeout=180).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # police.uk demo 13,184 rows + council log 7,171 rows; 4 deliberate bad rows in the log
    assert metrics == {"Rows read": "20,355", "Incidents kept": "20,351", "Rows set aside": "4"}
    reasons = at.dataframe[0].value
    assert sorted(reasons["Reason"]) == [  # labels, never the codes
        "Duplicate incident",
        "Invalid coordinates",
        "No readable date",
        "Outside the study area",
    ]
    report = next(c.value for c in at.code if "Load report" in c.value)
    assert "Outside the study area" in report and "outside_study_area" not in report
    assert reasons["Rows"].sum() == 4


def test_column_map_form_prefills_the_guess_and_the_user_can_change_it():
    at = AppTest.from_function(_form_page, default_timeout=60).run()
    chosen = at.session_state["chosen"]
    assert (chosen.easting, chosen.northing) == ("easting", "northing")
    assert chosen.lat is None
    at.selectbox(key="t:location").set_value("ward").run()
    assert at.session_state["chosen"].location == "ward"


def test_an_upload_from_another_district_takes_that_districts_wards(leeds_file):
    # police.uk records of Leeds: clipped to the demo's Dacorum wards nothing is left, which
    # the page says (the demo stays); with Leeds chosen, Leeds's wards and residents
    from conftest import LEEDS

    from hotspots.data import boundaries

    at = AppTest.from_function(_data_page, default_timeout=180).run()
    upload = ("leeds-street.csv", leeds_file.read_bytes(), "text/csv")
    at.file_uploader(key="upload_files").set_value(upload).run()
    at.button[-1].click().run()  # Load, into the current (Dacorum) wards
    assert not at.exception and "choose the district your data cover" in at.error[0].value
    assert at.metric[1].value == "20,351"  # still the demo
    at.selectbox(key="upload_district").set_value("Leeds (E08000035)").run()
    at.button[-1].click().run()
    assert not at.exception and not at.error
    assert int(at.metric[1].value.replace(",", "")) > 3_000
    ds = at.session_state["hotspots_dataset"]
    assert set(ds.wards["area_code"]) == set(boundaries.district(LEEDS).wards["area_code"])
    assert ds.ward_population["residents"].sum() > 700_000


def test_an_upload_nothing_of_which_is_kept_says_why(tmp_path):
    # every date in the future: the reason is the dates, not the district
    log = tmp_path / "log.csv"
    log.write_text("ref,date,type,easting,northing\n" + "".join(
        f"r{i},01/01/2099,Noise,505500,207000\n" for i in range(20)
    ))  # fmt: skip
    at = AppTest.from_function(_data_page, default_timeout=180).run()
    at.file_uploader(key="upload_files").set_value(("log.csv", log.read_bytes(), "text/csv"))
    at.run()
    at.selectbox(key="colmap:incident_id").set_value("ref")
    at.selectbox(key="colmap:date").set_value("date")
    at.selectbox(key="colmap:crime_type").set_value("type").run()
    at.button[-1].click().run()
    assert not at.exception
    said = at.error[0].value
    assert "None of the 20 rows could be kept" in said and "in the future" in said
    assert "choose the district" not in said


def test_council_files_added_one_after_another_are_one_source(tmp_path, monkeypatch):
    # each file became a source of its own (asb_2025_h1, asb_2025_h2), the column map asked
    # for again; as `hotspots add --source`, the page asks which source: the one there is
    from hotspots.data.workspace import init, open_workspace, own_sources, read_workspace
    from hotspots.demo.load import DEMO_LOG_COLUMNS

    lines = datasets.demo_path("incident_log").read_text().splitlines(keepends=True)
    half = len(lines) // 2
    files = {
        "asb_2025_h1.csv": "".join(lines[:half]),
        "asb_2025_h2.csv": "".join([lines[0], *lines[half:]]),
    }
    root = tmp_path / "ws"
    init(root, area="Dacorum")
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))

    at = AppTest.from_function(_data_page, default_timeout=180).run()
    first = ("asb_2025_h1.csv", files["asb_2025_h1.csv"].encode(), "text/csv")
    at.file_uploader(key="upload_files").set_value(first).run()
    assert at.selectbox(key="upload_source").value == "A new source…"  # none yet
    assert at.text_input(key="upload_source_name").value == "asb_2025_h1"
    at.text_input(key="upload_source_name").set_value("Council ASB log")
    for field, column in DEMO_LOG_COLUMNS.items():
        at.selectbox(key=f"colmap:{field}").set_value(column)
    at.button(key="upload_add").click().run()
    assert not at.exception and not at.error
    assert read_workspace(root).source("Council ASB log")["columns"] == DEMO_LOG_COLUMNS

    again = AppTest.from_function(_data_page, default_timeout=180).run()
    second = ("asb_2025_h2.csv", files["asb_2025_h2.csv"].encode(), "text/csv")
    again.file_uploader(key="upload_files").set_value(second).run()
    assert again.selectbox(key="upload_source").value == "Council ASB log"  # the one there is
    assert not [s for s in again.selectbox if s.key.startswith("colmap:")]  # map reused
    again.button(key="upload_add").click().run()
    assert not again.exception and not again.error
    assert list(own_sources(root)) == ["Council ASB log"]
    data = open_workspace(root)
    assert set(data.coverage.sources) == {"Council ASB log"}
    assert len(data.coverage.months()) >= 12  # both halves' months, one source


def test_a_council_sources_date_order_is_saved_and_used_for_its_next_upload(tmp_path, monkeypatch):
    # January's log was added as "2 January (US)"; February's upload asked again, "1 February
    # (UK)" chosen unless changed: 02/03/2024 was read as 2 March, with no word of it
    from hotspots.data.workspace import init, open_workspace, read_workspace

    def log(name: str, dates: list[str]) -> tuple[str, bytes, str]:
        rows = "".join(f"{name}-{i},{d},Noise,505500,207000\n" for i, d in enumerate(dates))
        return f"{name}.csv", f"ref,date,type,easting,northing\n{rows}".encode(), "text/csv"

    root = tmp_path / "ws"
    init(root, area="Dacorum")
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    at = AppTest.from_function(_data_page, default_timeout=180).run()
    at.file_uploader(key="upload_files").set_value(log("asb_jan", ["01/05/2024", "01/20/2024"]))
    at.run()
    at.text_input(key="upload_source_name").set_value("Council ASB log")
    for field, column in {"incident_id": "ref", "date": "date", "crime_type": "type"}.items():
        at.selectbox(key=f"colmap:{field}").set_value(column)
    at.radio[0].set_value("2 January (US)")  # the one question of the date order
    at.button(key="upload_add").click().run()
    assert not at.exception and not at.error
    first = "\n".join(c.value for c in at.code)

    again = AppTest.from_function(_data_page, default_timeout=180).run()
    again.file_uploader(key="upload_files").set_value(log("asb_feb", ["02/03/2024", "02/11/2024"]))
    again.run()
    assert again.selectbox(key="upload_source").value == "Council ASB log"
    again.button(key="upload_add").click().run()
    assert not again.exception and not again.error
    days = sorted(f"{t:%Y-%m-%d}" for t in open_workspace(root).incidents["occurred_from"])
    assert days == ["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-11"]
    assert read_workspace(root).source("Council ASB log")["date_order"] == "month first"
    us = "month first (US: 01/02/2024 is 2 January)"
    assert f"Council ASB log: read {us}, saved for its next files" in first
    assert any(f"read {us}, as saved for this source" in c.value for c in again.code)
    assert not again.radio  # the order is said, not asked
    said = f"Dates are read {us}, as saved for Council ASB log at its first add"
    assert any(said in c.value for c in again.caption)


def test_a_month_far_smaller_than_the_workspaces_others_is_warned_of(tmp_path, monkeypatch):
    """A police.uk month cut short (a stray quote, a download stopped) added on the page beside
    whole ones: a warning, not only a line in the report."""
    import pandas as pd

    from hotspots.data import boundaries
    from hotspots.data.ingest.policeuk import STREET_COLUMNS
    from hotspots.data.workspace import add, init

    wards = boundaries.district("E08000035").wards.representative_point()

    def street(month: str, n: int) -> str:
        rows = [
            {"Crime ID": f"{month}-{i}", "Month": month, "Longitude": f"{p.x:.6f}",
             "Latitude": f"{p.y:.6f}", "Crime type": "Burglary"}
            for i, p in enumerate(wards.iloc[:n])
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(index=False)

    root = tmp_path / "ws"
    init(root, area="E08000035")
    for month in ("2018-01", "2018-02", "2018-03"):
        path = tmp_path / f"{month}-west-yorkshire-street.csv"
        path.write_text(street(month, 30))
        add(root, [path])
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    at = AppTest.from_function(_data_page, default_timeout=180).run()
    upload = ("2018-04-west-yorkshire-street.csv", street("2018-04", 5).encode(), "text/csv")
    at.file_uploader(key="upload_files").set_value(upload).run()
    at.button(key="upload_add").click().run()
    assert not at.exception and not at.error
    warned = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes
    assert "police.uk 2018-04 (West Yorkshire) holds 5 incidents, under 25% of the 30" in warned
