"""Text from data and users inside Streamlit's Markdown (captions, warnings, lists), escaped.

One home for the rule: a ward name, crime type, source or comment shows as typed, and never
becomes a link, an image, maths, formatting, a colour, an icon or an emoji.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")

_AUTOLINKED = re.compile(r"(?<=:)(?=//)|(?<=@)|(?<=\bwww)(?=\\\.)", re.IGNORECASE)
"""Where a bare URL (``https://``, ``www.``) or an e-mail address would become a
link (GitHub's autolinks, found after Markdown's escapes are read): a zero-width space there
keeps it text."""

_DIRECTIVE = re.compile(r":(?=[^\W\d]|[+\-]|[\w\-]+:)(?!\d\d\b)")
"""Where a colon opens one of Streamlit's Markdown directives: a colour or badge
(``:red[…]``, ``:blue-background[…]``, ``:small[…]``), an icon (``:material/home:``) or an
emoji shortcode (``:smile:``, ``:+1:``, ``:100:``); not a time's colon (``22:00``,
``22:00:00``: no shortcode is two digits). A
backslash does not stop the emoji and icons (they are read from the text after Markdown's
escapes): a zero-width space after the colon does."""

_ZERO_WIDTH_SPACE = "\u200b"


def markdown_text(text: object) -> str:
    """``text`` with Markdown's special characters escaped, so that it shows as typed.

    Examples
    --------
    >>> markdown_text("<img src=x> *bold*")
    '\\\\<img src=x\\\\> \\\\*bold\\\\*'
    >>> markdown_text("[sign in](https://evil.example)")
    '\\\\[sign in\\\\]\\\\(https:\\u200b//evil\\\\.example\\\\)'
    >>> markdown_text(":red[x] :smile:")
    ':\\u200bred\\\\[x\\\\] :\\u200bsmile:'
    """
    plain = _DIRECTIVE.sub(":" + _ZERO_WIDTH_SPACE, str(text))
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", plain)
    return _AUTOLINKED.sub(_ZERO_WIDTH_SPACE, escaped)
