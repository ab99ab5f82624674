"""Guards against pages that make the extraction slow: a linear scan of the page text before any parser
sees it (:func:`guard_page`), and a check before lexbor's HTML5 repair (:func:`repair_risk`).

Measured with bench/extraction/adversarial.py (CPU seconds of one ``extract`` call per page shape):

* **Attributes.** libxml2 (behind ``lxml``) and lexbor (:mod:`~pipeline.extract.markup`) compare each
  attribute of a start tag with the ones before it, so their time grows with the square of the number
  of attributes of one tag: 40,000 attributes on one ``<p>`` (0.4 MB) take 1.6 s in libxml2 and 2.8 s in
  lexbor, 300,000 (2.9 MB) more than four minutes (about 15 by the trend). A tag with more than
  :data:`MAX_TAG_ATTRIBUTES` keeps only its name, so the element and the text inside it survive.
* **Elements.** Parsing is fast (20 MB of tiny tags, 2.5 million elements: 1.3 s), but the cascade
  then spends 13 to 70 microseconds of Python on each element (cleaning, scoring, the date search):
  about 30 s for that page. A page with more than :data:`MAX_ELEMENTS` elements is cut before the
  first element over the limit.
* **The HTML5 repair.** lexbor (run where libxml2 reports mismatched tags) has no depth limit and
  re-opens formatting elements left open in every new block: 4,000 paragraphs that each leave a
  ``<b class=...>`` open (90 kB) become 164 MB of markup in 9 s, 20,000 ``<option>``s take 1.3 s,
  20,000 open ``<b>``s before 20,000 paragraphs 1.2 s. The repair is skipped where libxml2 stopped at
  its depth limit (the repaired page would stop it again) and where :func:`repair_risk` says so.

Linear already, and left alone: long attribute values, tag names, end tags with attributes, a DOCTYPE
or processing instruction full of attributes (5 MB: 0.02 s in either parser), 100,000 nested elements
(libxml2 stops at its depth limit of 256 with a "parser resource limit" warning, which the element
guard respects: it only cuts when libxml2 would read on), a text node over 10 MB (the same limit).

Every part of the scan is a possessive regular expression (no backtracking; each character is read
once; the contents of ``<script>`` and ``<style>`` are skipped as the parsers skip them): about 5 ms
per MB of real pages (4% of the extraction time), 0.04 s per MB of tiny tags. Each guard that cuts or
skips something adds a ``page error`` warning; none of them changes the result of any of the 1,043
real pages or the 48 generated pages of bench/extraction.
"""

from __future__ import annotations

import re

import lxml.etree

MAX_TAG_ATTRIBUTES = 200
"""A start tag with more attributes keeps only its name (``<p a0="x" ... a299999="x">`` becomes
``<p>``). The most in 1,043 real pages (``../shared/data/extraction-real``) is 65; 300 tags of 1,000
attributes each (1.5 MB) cost the two parsers 0.9 s, tags of 200 attributes about 0.1 s per MB."""

MAX_ELEMENTS = 50_000
"""A page with more start tags than this, whose first :data:`MAX_ELEMENTS` libxml2 reads without
stopping at one of its own limits, is cut before the first start tag over the limit. The most in
1,043 real pages is 10,109 (median 692); 50,000 elements cost the cascade 0.6 s (tiny inline tags)
to 4 s (paragraphs of text)."""

MAX_REPAIR_ELEMENTS = 15_000
"""Pages whose libxml2 tree has more elements are not re-parsed after lexbor's HTML5 repair
(:func:`~pipeline.extract.markup.html5_normalise`), which is quadratic in some shapes: ``<option>``s
in one ``<select>`` take it 0.34 s for 10,000 and 1.3 s for 20,000. The most in 1,043 real pages is
10,109 start tags, and lexbor took at most 10 ms on the 336 real pages it repairs."""

MAX_REPAIR_CLONES = 1_000_000
"""The HTML5 repair is skipped where (formatting elements left open) x (elements) exceeds this. An
HTML5 parser re-opens every formatting element still open (``<b>``, ``<font>``, ``<a>`` ...; only
identical ones are capped, at 3) in each new block, so ``<p><b class=c1>x</p><p><b class=c2>x</p>...``
grows with the square of its length: 4,000 such paragraphs (90 kB) become 164 MB of markup in 9 s.
On the 336 real pages that are repaired the product is at most 17,490 (22 open among 795)."""

_ATTRIBUTES = r"""(?:[^>=]++|=\s*+(?:"[^"]*+"?|'[^']*+'?|[^\s>]*+))*+"""
"""The inside of a tag after its name, as far as the HTML tokenizer reads it: runs of anything but ``>``
and ``=`` (whitespace, a stray ``/``, attribute names; a quote inside a name is part of the name:
``<h1 class="a" "x="1">``), and ``=`` with its value (quoted, where the quotes may hold ``>``, or
unquoted). A quote opens a value only after ``=``. Every alternative is possessive, so it matches in
linear time and always succeeds (an unterminated quote runs to the end of the page). The attributes
themselves are counted by :data:`_ATTRIBUTE_RE`, only in long tags; a run per name and per space, as
an earlier form of this pattern read them, cost the tokenizer 18 % more on real pages for the same
extents."""

_TOKEN_RE = re.compile(
    rf"<(?:(?P<raw_name>(?i:script|style))(?=[\s/>]){_ATTRIBUTES}>?(?P<raw_text>(?:[^<]++|<(?!/(?i:(?P=raw_name))))*+)"
    rf"|(?P<name>[A-Za-z][^\s/>]*+){_ATTRIBUTES}>?)")
"""A start tag (to its ``>``), or a ``<script>``/``<style>`` start tag with the raw text after it (up to
its end tag, or the end of the page): matched at each ``<`` followed by a letter, always to the end of
the tag, so the search goes on after it and no character is read twice. The pattern starts with a
literal ``<``, which the regex engine finds at the speed of a string search (a 10 MB text node: 3 ms)."""

_ATTRIBUTE_RE = re.compile(r"""[^\s/>=]++(?:\s*+=\s*+(?:"[^"]*+"?|'[^']*+'?|[^\s>]*+))?+""")
"""One attribute (name and optional value) inside a tag; counted only in tags long enough to hold
more than :data:`MAX_TAG_ATTRIBUTES`."""


def guard_page(text: str, warnings: list[str]) -> str:
    """``text`` with the attributes of each start tag that has more than :data:`MAX_TAG_ATTRIBUTES`
    removed (the tag name kept), then cut before the start tag over :data:`MAX_ELEMENTS`, each with a
    ``page error`` warning; ``text`` itself when no guard applies. Linear in ``len(text)``."""
    pieces: list[str] = []
    last = 0
    removed = 0  # characters the cuts so far removed: positions in the result are that much smaller
    most = 0
    over_at = None  # where the first start tag over MAX_ELEMENTS begins, in the result
    n_tags = 0
    for n_tags, m in enumerate(_TOKEN_RE.finditer(text), 1):
        start = m.start()
        if n_tags == MAX_ELEMENTS + 1:
            over_at = start - removed
        if m.end() - start <= MAX_TAG_ATTRIBUTES:  # an attribute takes at least one character
            continue
        name, tag_end = (m.group("name"), m.end()) if m.group("name") else (m.group("raw_name"), m.start("raw_text"))
        if tag_end - start <= MAX_TAG_ATTRIBUTES:
            continue
        count = len(_ATTRIBUTE_RE.findall(text, start + 1 + len(name), tag_end))
        if count <= MAX_TAG_ATTRIBUTES:
            continue
        replacement = f"<{name}>"
        pieces += (text[last:start], replacement)
        last = tag_end
        removed += tag_end - start - len(replacement)
        most = max(most, count)
    if pieces:
        n_cut = len(pieces) // 2
        warnings.append(f"page error: {n_cut:,} tag{'s' if n_cut > 1 else ''} with an abnormal number of "
                        f"attributes cut (up to {most:,} attributes; limit {MAX_TAG_ATTRIBUTES})")
        pieces.append(text[last:])
        text = "".join(pieces)
    if over_at is not None and not _parser_stops_within(text[:over_at]):
        text = text[:over_at]
        warnings.append(f"page error: page cut after {MAX_ELEMENTS:,} elements ({n_tags:,} start tags in all)")
    return text


def _parser_stops_within(head: str) -> bool:
    """Whether libxml2 stops at one of its resource limits (nesting deeper than 256 elements, a text
    node over 10 MB) within ``head``: then it reads nothing after that point anyway, and ``_parse``
    reports the limit."""
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        lxml.etree.fromstring(head.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return False
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


_FORMATTING_RE = re.compile(
    rf"<(?:(?P<raw_name>(?i:script|style))(?=[\s/>]){_ATTRIBUTES}>?(?:[^<]++|<(?!/(?i:(?P=raw_name))))*+"
    r"|(?P<end>/?)(?P<name>[aA]|[bB](?:[iI][gG])?|[cC][oO][dD][eE]|[eE][mM]|[fF][oO][nN][tT]|[iI]|[nN][oO][bB][rR]"
    r"|[sS](?:[mM][aA][lL][lL]|[tT][rR](?:[iI][kK][eE]|[oO][nN][gG]))?|[tT][tT]|[uU])(?=[\s/>]))")
"""A formatting element's start or end tag (the HTML5 list: a, b, big, code, em, font, i, nobr, s, small,
strike, strong, tt, u; as a trie of letter classes, a quarter faster than ``(?i:a|b|big|...)``), outside
``<script>`` and ``<style>``."""


def repair_risk(text: str, n_elements: int) -> str | None:
    """Why lexbor's HTML5 repair of ``text`` (a page whose libxml2 tree has ``n_elements``) could
    take long (:data:`MAX_REPAIR_ELEMENTS`, :data:`MAX_REPAIR_CLONES`), in a few words; None when it
    is safe. The formatting elements left open are counted per tag name (an end tag closes the last
    open one of its name, as in the HTML5 adoption agency), an upper bound of what a parser keeps."""
    if n_elements > MAX_REPAIR_ELEMENTS:
        return f"{n_elements:,} elements; limit {MAX_REPAIR_ELEMENTS:,}"
    open_tags: dict[str, int] = {}
    for m in _FORMATTING_RE.finditer(text):
        name = m.group("name")
        if name is None:
            continue
        name = name.lower()
        if not m.group("end"):
            open_tags[name] = open_tags.get(name, 0) + 1
        elif open_tags.get(name):
            open_tags[name] -= 1
    unclosed = sum(open_tags.values())
    if unclosed * n_elements > MAX_REPAIR_CLONES:
        return f"{unclosed:,} formatting elements left open among {n_elements:,} elements"
    return None
