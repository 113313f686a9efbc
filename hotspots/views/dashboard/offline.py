"""Serve the map's JavaScript and CSS from the Streamlit app itself, never from a CDN.

Council and police networks block CDNs, and the test machines have no internet. ``st_folium``
(streamlit-folium) draws a folium map inside its component iframe by loading each
``default_js`` / ``default_css`` URL of the map's elements with ``<script>`` / ``<link>`` tags.
:func:`st_map` points those URLs at Leaflet's files installed by ``scripts/setup.sh`` (found by
:func:`hotspots.views.maps.map_assets_dir`), which the Streamlit server serves through a static
component route, ``/component/hotspots.views.dashboard.offline.map_assets/...``. The URLs are
relative to the component iframe, so the app also works under ``server.baseUrlPath``. No
Streamlit configuration is needed.

Examples
--------
>>> from hotspots.views import maps
>>> from hotspots.views.dashboard import offline
>>> m = maps.base_map(wards)  # doctest: +SKIP
>>> maps.hex_layer(cells).add_to(m)  # doctest: +SKIP
>>> offline.st_map(m, key="map", returned_objects=[])  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import branca.colormap
import folium
import streamlit.components.v1 as components
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from streamlit_folium import st_folium

from hotspots.views import maps

ROUTE_NAME = "map_assets"
"""Name of the static route; served at ``/component/<this module>.map_assets/``."""

_EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


@cache
def serve_map_assets() -> str:
    """Let the Streamlit server serve the map assets; return their URL from the map's iframe.

    Idempotent. Raises ``FileNotFoundError`` telling the user to run ``scripts/setup.sh``
    when the assets are not installed.

    Examples
    --------
    >>> serve_map_assets()  # doctest: +SKIP
    '../hotspots.views.dashboard.offline.map_assets/'
    """
    components.declare_component(ROUTE_NAME, path=str(maps.map_assets_dir()))
    return f"../{__name__}.{ROUTE_NAME}/"


def external_assets(m: folium.Map) -> list[str]:
    """The scripts and stylesheets ``m`` would fetch from another host (a CDN).

    Looks at every element's ``default_js`` / ``default_css`` (folium plugins bring their own)
    and at branca colormaps, for which ``st_folium`` adds d3 from a CDN. Tiles are not
    counted: the map draws without them.

    Examples
    --------
    >>> external_assets(folium.Map(tiles=None))[0]
    'https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js'
    """
    urls: list[str] = []
    for element in _walk(m):
        if isinstance(element, branca.colormap.ColorMap):
            urls.append(f"d3.js for the branca colormap {element.get_name()}")
        if isinstance(element, JSCSSMixin):
            links = [*element.default_js, *element.default_css]
            urls.extend(url for _, url in links if _EXTERNAL.match(url))
    return list(dict.fromkeys(urls))


def st_map(m: folium.Map, **st_folium_kwargs: Any) -> Any:
    """Draw ``m`` with ``streamlit_folium.st_folium``, its Leaflet served by this app.

    Parameters
    ----------
    m
        A map from :func:`hotspots.views.maps.base_map` (or any folium map: its Leaflet links are
        re-pointed too), with its layers.
    **st_folium_kwargs
        Passed to ``st_folium``: set ``key`` so the map keeps its place across reruns and
        ``returned_objects=[]`` (or a short list) so panning does not rerun the app.

    Returns
    -------
    What ``st_folium`` returns (the map state the browser sends back).

    Raises
    ------
    ValueError
        When the map needs other scripts from the internet (a folium plugin or a branca
        colormap), which would leave the map blank on a council network.
    FileNotFoundError
        When the assets are not installed (run ``scripts/setup.sh``).
    """
    maps.use_assets(m, serve_map_assets())
    layers = st_folium_kwargs.get("feature_group_to_add")
    if layers is not None:
        layers = [layers] if isinstance(layers, folium.FeatureGroup) else layers
        st_folium_kwargs["feature_group_to_add"] = [fresh_copy(layer) for layer in layers]
    external = external_assets(m)
    if external:
        raise ValueError(
            f"the map would load {external} from the internet, which council networks block; "
            "use hotspots.views.maps layers and legends (no CDN) instead of that plugin or colormap"
        )
    return st_folium(m, **st_folium_kwargs)


def fresh_copy(layer: folium.FeatureGroup) -> folium.FeatureGroup:
    """A copy of ``layer`` for one drawing, leaving the (cached) original untouched.

    ``st_folium`` renumbers every element of a ``feature_group_to_add`` in place (``_id``
    becomes ``feature_group_<place>_<child>``) and parents it to the map of the run. A cached
    layer drawn a second time, in another place or beside another renumbered layer, then
    produced a script that adds a layer before declaring it (``feature_group_feature_group_1
    .addTo`` inside group 0): the browser stops at the error and the Patrol map showed ward
    outlines only from the second visit on. A copy per drawing keeps the cache pristine, for
    every session at once. Cheap: the layers hold their features as JSON text.
    """
    parent = layer._parent
    layer._parent = None
    try:
        return copy.deepcopy(layer)
    finally:
        layer._parent = parent


def _walk(element: Any) -> Any:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def fill_screen(m: folium.Map, *, min_height_px: int) -> folium.Map:
    """Make ``m``, drawn by :func:`st_map`, fill the browser window from its top down (meeting
    mode: on a projector the whole map, legends included, shows without scrolling).

    The map's frame is resized in the browser to the window's height less what stands above
    the map (at least ``min_height_px``), again when the window or the page's width changes.
    Returns ``m``, changed in place.
    """
    _FillScreen(int(min_height_px)).add_to(m)
    return m


class _FillScreen(MacroElement):
    """The script behind :func:`fill_screen` (the map's own iframe resizes its frame)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var frame = window.frameElement, least = {{ this.least }}, map = {{ this.map_name() }};
    if (!frame) { return; }
    var outer = frame.ownerDocument.defaultView;
    function fit() {
        var scrolled = outer.scrollY || 0;
        for (var el = frame.parentElement; el; el = el.parentElement) {
            scrolled += el.scrollTop || 0;
        }
        var top = frame.getBoundingClientRect().top + scrolled;
        var height = Math.max(least, Math.floor(outer.innerHeight - top - 12));
        frame.style.setProperty("height", height + "px", "important");
        var inner = document.getElementById("map_div");
        if (inner) { inner.style.height = height + "px"; }
        map.invalidateSize();
    }
    outer.addEventListener("resize", fit);
    var main = frame.closest('[data-testid="stMainBlockContainer"]');
    if (main && outer.ResizeObserver) { new outer.ResizeObserver(fit).observe(main); }
    [0, 300, 1200].forEach(function (ms) { setTimeout(fit, ms); });
})();
{% endmacro %}
"""
    )

    def __init__(self, least: int) -> None:
        super().__init__()
        self._name = "FillScreen"
        self.least = least

    def map_name(self) -> str:
        return maps.map_name(self)
