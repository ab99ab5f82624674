"""Markup repair: the page re-serialised by an HTML5 parser before ``lxml`` reads it.

libxml2's HTML parser (behind ``lxml``) predates HTML5's tree-building rules: after an unclosed
``<div>`` or an unknown element it can ignore an end tag and nest the rest of the page inside a
sidebar, a share bar or a comment block, which the cleaning step then removes with the article in
it. Browsers build the tree by the WHATWG rules; ``selectolax`` (lexbor, C, MIT licence) does the
same in about a millisecond per page, and its serialisation is well nested, so ``lxml`` then sees
the tree a browser sees. Measured on the real pages of ``bench/extraction/real.py``: F1 +0.003 on
trafilatura's evaluation pages on its own, and part of what lets the boilerplate rules keep a
mis-nested article.
"""

from __future__ import annotations

MAX_REPAIR_CHARS = 5_000_000
"""Longer pages are parsed as they are (the repair is linear, but doubles the memory of a huge page)."""


def html5_normalise(text: str, warnings: list[str]) -> str:
    """``text`` re-serialised by lexbor's HTML5 parser; ``text`` itself (with a warning) when the
    parser is not installed or fails, or when the page is longer than :data:`MAX_REPAIR_CHARS`."""
    if len(text) > MAX_REPAIR_CHARS:
        return text
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:  # pragma: no cover - a dependency; the cascade still works without it
        return text
    try:
        repaired = LexborHTMLParser(text).html
    except Exception as err:  # noqa: BLE001 - lexbor errors are not a reason to lose the page
        warnings.append(f"HTML5 markup repair failed ({type(err).__name__}); page parsed as is")
        return text
    return repaired or text
