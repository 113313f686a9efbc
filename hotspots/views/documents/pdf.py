"""PDF documents drawn by matplotlib's PDF backend (no browser, no system libraries).

:func:`pdf_bytes` writes figures as the pages of one PDF; :func:`table_pages` lays a table out
over as many A4 pages as it needs. Tables are laid out by arithmetic (columns sized by their
longest text, rows by their wrapped lines) rather than ``Axes.table``, which measures every
cell and is several times slower. All data text is drawn with ``parse_math=False``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from hotspots.core.io import Dest, deliver
from hotspots.views.documents.tables import display

A4_PORTRAIT = (8.27, 11.69)
"""A4 page, inches (width, height)."""
A4_LANDSCAPE = (11.69, 8.27)

_LINE_IN = 0.153  # inches per line of 8 pt text
_PAD_IN = 0.05
_CHARS_PER_IN = 13.95  # of 8 pt text, on average


def pdf_bytes(pages: Iterable[Figure], *, title: str, dest: Dest = None) -> bytes:
    """The figures as the pages of one PDF (document title and creator set).

    Parameters
    ----------
    pages
        Figures, one per page, in order (a generator is drawn one page at a time).
    title
        The PDF's title (shown by viewers).
    dest
        Also write the file here.

    Returns
    -------
    bytes
        The PDF file.
    """
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "hotspots"}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    return deliver(buffer.getvalue(), dest)


def table_pages(
    heading: str,
    table: pd.DataFrame,
    *,
    note: str = "",
    size: tuple[float, float] = A4_LANDSCAPE,
) -> Iterator[Figure]:
    """Pages with a heading, a note and the table (continued on more pages as needed).

    Parameters
    ----------
    heading
        Title of the first page ("(continued)" is added on the next ones).
    table
        Shown as display text (:func:`~hotspots.views.documents.tables.display`); an empty
        table with columns prints "None.", one without columns prints the note only.
    note
        Text under the heading on the first page (its own lines kept, long lines wrapped).
    size
        Page size, inches (:data:`A4_LANDSCAPE` or :data:`A4_PORTRAIT`).
    """
    width_in, height_in = size
    line, pad = _LINE_IN / height_in, _PAD_IN / height_in
    chars_per_line = int(_CHARS_PER_IN * 0.92 * width_in)
    header, rows, widths = _wrapped_cells(display(table), chars_per_line)
    remaining = list(rows)
    page = 0
    while page == 0 or remaining:
        fig = Figure(figsize=size)
        suffix = " (continued)" if page else ""
        fig.text(
            0.04, 0.95, heading + suffix, fontsize=15, fontweight="bold", va="top",
            parse_math=False,
        )  # fmt: skip
        top = 0.95 - 0.41 / height_in
        if note and page == 0:
            wrapped = "\n".join(textwrap.fill(text, chars_per_line) for text in note.splitlines())
            fig.text(0.04, top, wrapped, fontsize=9, color="#444", va="top", parse_math=False)
            top -= line * 1.15 * (wrapped.count("\n") + 1) + 0.015
        if remaining:
            remaining = _draw_rows(fig, header, remaining, widths, top=top, line=line, pad=pad)
        elif len(table.columns):
            fig.text(0.04, top, "None.", fontsize=10, va="top")
        yield fig
        page += 1


def _wrapped_cells(
    table: pd.DataFrame, chars_per_line: int
) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Header and rows with text wrapped to their column, and column widths (fractions)."""
    text = table.astype(str)
    if not len(text.columns):
        return [], [], np.empty(0)
    longest = np.array(
        [max([len(str(c)), *text[c].str.len().tolist()]) for c in text.columns], dtype=float
    )
    shortest = np.array([max(map(len, str(c).split()), default=0) + 2 for c in text.columns])
    chars = np.clip(longest, np.maximum(shortest, 6), 60)
    if chars.sum() > chars_per_line:
        chars = np.maximum(shortest, np.floor(chars * chars_per_line / chars.sum()))
    widths = 0.92 * chars / chars.sum()
    header = [textwrap.fill(str(c), int(w)) for c, w in zip(text.columns, chars, strict=True)]
    rows = [
        [textwrap.fill(v, int(w)) for v, w in zip(row, chars, strict=True)]
        for row in text.itertuples(index=False)
    ]
    return header, rows, widths


def _draw_rows(
    fig: Figure,
    header: list[str],
    rows: list[list[str]],
    widths: np.ndarray,
    *,
    top: float,
    line: float,
    pad: float,
    bottom: float = 0.05,
) -> list[list[str]]:
    """Draw the header and as many rows as fit between ``top`` and ``bottom``; return the rest."""
    lefts = 0.04 + np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    y = top
    for i, row in enumerate([header, *rows]):
        height = line * max(cell.count("\n") + 1 for cell in row) + 2 * pad
        if i > 0 and y - height < bottom:
            return rows[i - 1 :]
        if i == 0:
            fig.add_artist(
                Rectangle((0.04, y - height), 0.92, height, color="#f1f1ee", lw=0, zorder=0)
            )
        for left, cell in zip(lefts, row, strict=True):
            fig.text(
                left + 0.006 * 11.69 / fig.get_figwidth(),
                y - pad,
                cell,
                fontsize=8,
                va="top",
                fontweight="bold" if i == 0 else None,
                parse_math=False,
            )
        y -= height
        fig.add_artist(Line2D([0.04, 0.96], [y, y], color="#bbbbbb", lw=0.6))
    return []
