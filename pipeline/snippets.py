"""The sentence around a hit in an article's text: what a search shows (the review's article list and
``newsmine query search``), cut to a few words either side where the sentence is long."""

from __future__ import annotations

import re

__all__ = ["SENTENCE_WORDS", "sentence_around", "snippet"]

SENTENCE_WORDS = 20  # words on each side of a hit when its sentence is longer
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»«']?\s+(?=[\"„“»«']?[A-ZÄÖÜ0-9])|\n+")
_ABBREVIATION = re.compile(r"(?:\b(?:Dr|Prof|St|Nr|Mio|Mrd|Tsd|ca|bzw|vgl|z\.B|u\.a|d\.h|Abs|Str|Hr|Fr|Dipl|Ing)"
                           r"|\b[A-ZÄÖÜ]|\b[0-9]{1,2})\.$")


def _sentence_ends(text: str, start: int, stop: int) -> list[re.Match]:
    """Where sentences end in ``text[start:stop]`` (not after Dr., z.B., 3. or a single initial)."""
    return [m for m in _SENTENCE_END.finditer(text, start, stop)
            if m.group().startswith("\n") or not _ABBREVIATION.search(text[max(0, m.start() - 6):m.start()])]


def sentence_around(text: str, start: int, end: int) -> dict:
    """The sentence holding ``text[start:end]``, cut to :data:`SENTENCE_WORDS` words either side:
    ``{"before", "hit", "after"}`` (``…`` where it was cut)."""
    ends = _sentence_ends(text, max(0, start - 2000), start)
    s = ends[-1].end() if ends else max(0, start - 2000)
    stops = _sentence_ends(text, end, min(len(text), end + 2000))
    e = stops[0].start() if stops else min(len(text), end + 2000)
    before, after = text[s:start], text[end:e]
    words = before.split(" ")
    if len(words) > SENTENCE_WORDS:
        before = "…" + " ".join(words[-SENTENCE_WORDS:])
    words = after.split(" ")
    if len(words) > SENTENCE_WORDS:
        after = " ".join(words[:SENTENCE_WORDS]) + "…"
    return {"before": before.lstrip(), "hit": text[start:end], "after": after.rstrip()}


def snippet(text: str, term: str) -> str | None:
    """``…before [hit] after…`` for the first occurrence of ``term`` in ``text`` (any case), or None."""
    at = text.casefold().find(term.casefold()) if term else -1
    if at < 0:
        return None
    s = sentence_around(text, at, at + len(term))
    return f"{s['before']}[{s['hit']}]{s['after']}"
