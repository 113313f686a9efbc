"""Text from data and users inside Streamlit's Markdown (captions, warnings, lists), escaped.

One home for the rule: a ward name, crime type, source or comment shows as typed, and never
becomes a link, an image, maths or formatting.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:@])")
"""Markdown's punctuation, with ``:`` and ``@``: a bare URL or e-mail address would
otherwise become a link (GitHub's autolinks), its escapes shown as backslashes."""


def markdown_text(text: object) -> str:
    """``text`` with Markdown's special characters escaped, so that it shows as typed.

    Examples
    --------
    >>> markdown_text("<img src=x> *bold*")
    '\\\\<img src=x\\\\> \\\\*bold\\\\*'
    >>> markdown_text("[sign in](https://evil.example)")
    '\\\\[sign in\\\\]\\\\(https\\\\://evil\\\\.example\\\\)'
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
