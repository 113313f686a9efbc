"""Text from data inside Streamlit's Markdown shows as typed (views/dashboard/text.py).

The escaped text is read back with a CommonMark parser (markdown-it, the rules Streamlit's
renderer follows) and the text a reader sees is checked: the same characters as typed (zero-
width spaces aside), and no opening of Streamlit's own directives (colours, badges, icons,
emoji), which its renderer reads from that text. Checked in Chromium too (a Streamlit page of
these cases: every one showed as typed, with no coloured span, icon or emoji).
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from hotspots.views.dashboard.text import markdown_text

_DIRECTIVE = re.compile(r":[^\W\d][\w\-]*\[|:[\w+\-/]+:")  # :red[…], :material/…:, :smile:
_TAGS = re.compile(r"<[^>]+>")

CASES = [
    ":red[**SIGNIFICANT RISE**]",
    ":smile: :+1: :-1: :rocket:",
    ":material/home: here",
    ":blue-background[bg] :small[tiny] :orange-badge[badge]",
    "Ward: Armley :red[x]",
    "score :100: :_x: :1234:",
    "[sign in](https://evil.example) www.evil.example a@b.com",
    "<img src=x onerror=alert(1)> *bold* $x$ ~~gone~~",
]


@pytest.mark.parametrize("typed", CASES)
def test_data_text_shows_as_typed_without_streamlit_directives(typed: str) -> None:
    rendered = MarkdownIt("commonmark").render(markdown_text(typed))
    assert rendered.startswith("<p>") and "<img" not in rendered and "<a " not in rendered
    seen = html.unescape(_TAGS.sub("", rendered)).strip()
    assert seen.replace("\u200b", "") == typed
    assert not _DIRECTIVE.search(seen)  # what Streamlit would read as a colour, icon or emoji


def test_a_time_keeps_its_colon_as_typed() -> None:
    for typed in ("hours 22:00–03:59, ratio 3:1", "reported 22:00:00 and 7:05:30"):
        assert markdown_text(typed) == typed  # no zero-width space in a time
