"""Streamlit entry point: the page registry only. Pages live in hotspots/dashboard/."""

import streamlit as st

st.set_page_config(page_title="hotspots — JAG dashboard", layout="wide")
st.title("hotspots")
st.write("The JAG dashboard is being built. Load data with the `hotspots ingest` command meanwhile.")
