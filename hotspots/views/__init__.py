"""Views: folium maps, documents (static maps, HTML, PDF), the Streamlit dashboard and the CLI."""
