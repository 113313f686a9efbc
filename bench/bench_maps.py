"""Benchmark the map layers: payload bytes and build time for the Dacorum demo at H3 res 8, 9, 10.

Run: ``.venv/bin/python bench/bench_maps.py``. Uses the real Dacorum police.uk clip (13 months)
and the 25 Dacorum wards, with the same inputs as the map tests (tests/browser/frames.py: cells
from hotspots.space.grid, Gi* from esda). For each resolution it prints

- the hex layer alone: our compact GeoJSON vs folium.GeoJson with a style_function (the usual
  way), bytes and build + render seconds;
- the demo map (wards + hex counts + Gi* + layer control): payload bytes (what the browser gets
  besides Leaflet), standalone HTML bytes (Leaflet inlined), build seconds, and the server-side
  seconds of ``offline.st_map`` (st_folium's rendering; Streamlit in bare mode, no browser).

Times are wall-clock, best of 3. Measured here (2 cores, 2026-11):

    res  cells  shown   sig |  hex KB     s folium KB     s |  map KB html KB build s st_map s
      8    389    185    41 |      54  0.03       105  0.14 |     106     273    0.08     0.10
      9   2448    556   241 |     153  0.10       305  0.53 |     268     434    0.13     0.26
     10  16263   1310   951 |     352  0.19       715  0.71 |     685     852    0.11     0.52

(cells: whole grid of the wards; shown: cells with incidents, the only ones sent; sig: Gi*
cells at 90 % or more. KB = 1,000 bytes.)
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import folium
import streamlit.logger

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import frames  # test inputs, shared on purpose

from hotspots.views import maps
from hotspots.views.dashboard import offline


def _best(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _folium_style_function_html(cells, wards) -> str:
    m = folium.Map(tiles=None)
    shown = cells[cells["count"] > 0]
    breaks = maps.class_breaks(shown["count"])
    colours = maps._palette("YlOrRd", len(breaks))

    def style(feature: dict) -> dict:
        k = maps._classify([feature["properties"]["count"]], breaks)[0]
        return {"fillColor": colours[k], "color": "#ffffff", "weight": 0.5, "fillOpacity": 0.75}

    folium.GeoJson(
        shown[["cell", "count", "geometry"]],
        style_function=style,
        tooltip=folium.GeoJsonTooltip(["count"]),
    ).add_to(m)
    return m.get_root().render()


def _hex_only(cells, wards) -> int:
    m = maps.base_map(wards)
    maps.hex_layer(cells).add_to(m)
    return maps.map_payload_bytes(m)


def _demo_map(cells, gistar, wards) -> folium.Map:
    m = maps.base_map(wards, attribution=maps.OGL_ATTRIBUTION)
    maps.ward_layer(wards).add_to(m)
    maps.hex_layer(cells, legend_title="Crimes and ASB").add_to(m)
    maps.gistar_layer(gistar, show=False).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def main() -> None:
    streamlit.logger.set_log_level("error")  # bare mode warns on every st_folium call
    wards = frames.dacorum_wards()
    print(f"Dacorum demo: {len(frames.dacorum_incidents()):,} located incidents, 25 wards")
    print(
        f"{'res':>3} {'cells':>6} {'shown':>6} {'sig':>5} | {'hex KB':>7} {'s':>5} "
        f"{'folium KB':>9} {'s':>5} | {'map KB':>7} {'html KB':>7} {'build s':>7} {'st_map s':>8}"
    )
    for res in (8, 9, 10):
        cells = frames.dacorum_cells(res)
        gistar = frames.dacorum_gistar(res)
        hex_s, hex_bytes = _best(lambda c=cells: _hex_only(c, wards))
        fol_s, fol_html = _best(lambda c=cells: _folium_style_function_html(c, wards))
        build_s, m = _best(lambda c=cells, g=gistar: _demo_map(c, g, wards))
        payload = maps.map_payload_bytes(m)
        standalone = len(maps.map_html(m).encode())
        st_s, _ = _best(lambda m=m: offline.st_map(m, key="map", returned_objects=[]))
        print(
            f"{res:>3} {len(cells):>6} {int((cells['count'] > 0).sum()):>6} "
            f"{int((gistar['gi_bin'] != 0).sum()):>5} | {hex_bytes / 1e3:>7.0f} {hex_s:>5.2f} "
            f"{len(fol_html.encode()) / 1e3:>9.0f} {fol_s:>5.2f} | {payload / 1e3:>7.0f} "
            f"{standalone / 1e3:>7.0f} {build_s:>7.2f} {st_s:>8.2f}"
        )


if __name__ == "__main__":
    main()
