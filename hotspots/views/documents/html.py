"""The HTML page shell of every printable document: escaped text, tables, inline images, CSS.

A page is built from pieces that escape every text they are given (:func:`esc`), so a ward,
street or camera name such as ``<script>…`` or ``{{7*7}}`` prints as itself; no template engine
is involved (the page is joined with plain string operations). Images are inlined as base64
PNG, and there are no external scripts, styles or fonts: the page opens and prints offline.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd

from hotspots.views.documents.tables import display

PageSize = Literal["A4", "A4 landscape"]

BASE_CSS = """
body { font: 10.5pt/1.4 Arial, Helvetica, system-ui, sans-serif; color: #111;
       max-width: 1100px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } h2 { font-size: 1.2em; margin-top: 1.3em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { border: 1px solid #aaa; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f1f1ee; }
img { max-width: 100%; height: auto; display: block; margin: 6px auto; }
.note, .attribution, .meta { color: #555; font-size: 0.9em; }
.warning { border-left: 4px solid #c60; padding: 0.4em 0.8em; background: #fff6ec; }
@media print { body { max-width: none; margin: 0; padding: 0; } h2 { break-after: avoid; }
               table, img, section { break-inside: avoid; }
               a { color: inherit; text-decoration: none; } }
"""
"""Styles shared by every printable page (screen and print)."""


def esc(value: Any) -> str:
    """Any value as HTML text (``<``, ``>``, ``&`` and quotes escaped)."""
    return html.escape(str(value))


def page_html(title: str, body: Iterable[str], *, size: PageSize = "A4", css: str = "") -> str:
    """A complete, self-contained HTML page.

    Parameters
    ----------
    title
        Text of the ``<title>`` (escaped here).
    body
        HTML pieces built with this module (already escaped), joined by newlines.
    size
        Paper of the printed page (12 mm margins).
    css
        Styles of the document, after :data:`BASE_CSS`.
    """
    style = f"{BASE_CSS}{css}\n@page {{ size: {size}; margin: 12mm; }}\n"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{style}</style></head>"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def table_html(table: pd.DataFrame, *, css_class: str = "", empty: str = "None.") -> str:
    """A table with every cell as escaped display text (:func:`display`); ``empty`` if no rows."""
    if len(table) == 0:
        return f'<p class="note">{esc(empty)}</p>'
    shown = display(table)
    head = "".join(f"<th>{esc(c)}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in values) + "</tr>"
        for values in shown.itertuples(index=False)
    )
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def fields_html(fields: Mapping[str, Any], *, css_class: str = "details") -> str:
    """Label → value pairs as a two-column table (labels as row headings)."""
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in fields.items())
    return f'<table class="{esc(css_class)}">{rows}</table>'


def image_html(png: bytes, *, alt: str, css_class: str = "") -> str:
    """An ``<img>`` with the PNG inlined as base64 (no file or network needed)."""
    data = base64.b64encode(png).decode("ascii")
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f'<img{cls} alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def list_html(items: Iterable[Any]) -> str:
    """A bulleted list of escaped items."""
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"
