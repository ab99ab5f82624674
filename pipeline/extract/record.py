"""The result of an extraction (:class:`Extracted`) and the limits that bound it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .fallback import versions as _fallback_versions

EXTRACTOR_VERSION = "extract-2.15" + "".join(f"+{name}-{v}" for name, v in _fallback_versions().items())
"""Bump the first part when the own cascade's output changes; the versions of the fallback
libraries are part of it (``extract-2.15+trafilatura-2.3.1``), so a stored article
says exactly what produced it and a new library version is a new extractor."""

MAX_INPUT_CHARS = 20_000_000
"""Longer inputs are truncated (with a warning) before parsing."""

MIN_TEXT_CHARS = 25
"""A main text shorter than this counts as "no main text found"."""

MAX_TEXT_CHARS = 100_000
"""Longer main texts are cut at a paragraph boundary (with a warning). A news article is far
shorter (a long read has ~40,000 characters); the cap keeps NLP time and memory of one page
bounded (about 1.5 s and 110 MB for 100,000 characters; spaCy refuses texts over
``nlp.max_length``, 1,000,000 characters, which would end the run)."""

MAX_TITLE_CHARS = 1_000
"""Longer titles are cut (with a warning)."""


@dataclass
class Extracted:
    """The result of :func:`extract`.

    ``text`` holds the main text with paragraphs separated by ``"\\n\\n"``; ``authors`` are people (and
    organisations that sign as authors), ``agencies`` the news agencies credited (``dpa``, ``lnw``);
    ``method`` names the strategy that produced it (``"json-ld"``, ``"heuristic"``, ``"trafilatura"``,
    or ``"none"`` when no main text was found); ``warnings`` lists anything odd
    (charset fallback, truncated or unparsable input, no main text).
    """

    url: str | None = None
    title: str | None = None
    text: str = ""
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    section: str | None = None
    lead: str | None = None
    captions: list[str] = field(default_factory=list)
    language: str | None = None
    method: str = "none"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)


#: Warnings that explain why a page gave no main text (as opposed to remarks such as a charset fallback).
_FAILURE_WARNINGS = ("input looks like binary", "parser resource limit", "unparsable HTML", "empty input",
                     "extraction failed", "unsupported input type", "input truncated", "page error")


def failure_reason(result: Extracted) -> str:
    """Why ``result`` has no main text, in a few words: ``"no main text"``, plus the cause when known
    (binary data, a parser limit hit by excessive nesting or a huge text node, unparsable HTML ...)."""
    causes = [w for w in result.warnings if w.startswith(_FAILURE_WARNINGS)]
    return "no main text" + (f" ({'; '.join(causes)})" if causes else "")
