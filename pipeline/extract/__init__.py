"""Main-content extraction from German news HTML pages.

One call of :func:`extract` parses the page once (``lxml``) and works through a
cheap-first chain:

1. **JSON-LD** (``<script type="application/ld+json">``, also ``@graph`` lists and arrays):
   headline, dates, authors, section, description, ``articleBody``, canonical URL.
2. **Meta tags and microdata** (``og:*``, ``article:*``, ``author``, ``DC.date``,
   ``itemprop`` attributes, ``<link rel="canonical">``).
3. **Page heuristics**: ``<h1>``, ``<time datetime>``, visible German dates
   ("24.11.2026, 14:05 Uhr", "24. November 2026", "Stand: ..."), bylines ("Von Anna
   Schmidt", elements whose class contains ``author``/``byline``) and a main-content
   scorer (paragraph text, low link density, ``<article>``/``articleBody``/class hints)
   after boilerplate (navigation, cookie banners, "Meistgelesen", "Zum Thema",
   newsletter and paywall teasers, photo credits, captions) has been removed.

The main text is the JSON-LD ``articleBody`` when it is substantial (split into
paragraphs along the HTML paragraphs it contains), otherwise the heuristic text.
Paragraphs are separated by ``"\\n\\n"``. Captions are returned separately.

:func:`extract` never raises: bad input gives an :class:`Extracted` with empty text
and a warning. :func:`decode_html` turns fetched bytes into text, validating the
declared charset (UTF-8 pages that are really windows-1252, and the reverse).
"""

from .charset import decode_html
from .core import extract
from .dates import parse_date
from .record import EXTRACTOR_VERSION, MAX_INPUT_CHARS, MAX_TEXT_CHARS, Extracted, failure_reason

__all__ = ["EXTRACTOR_VERSION", "MAX_INPUT_CHARS", "MAX_TEXT_CHARS", "Extracted", "decode_html", "extract",
           "failure_reason", "parse_date"]
