"""The :func:`extract` entry point: the extraction cascade as a sequence of steps.

Input to text (:func:`_to_text`), one parse (:func:`_parse`), metadata from JSON-LD, meta tags
and microdata (:func:`~pipeline.extract.metadata.read_metadata`), page cleaning (:func:`_clean`),
heuristics on the visible page (:func:`_page_heuristics`), the main text (:func:`_main_text`)
and the output limits (:func:`_apply_limits`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.etree

from .authors import byline_authors, is_weak_author, split_agencies, von_bylines
from .charset import decode_bytes, repair_mojibake
from .cleaning import collect_captions, remove_boilerplate, remove_boxes
from .dates import (
    central_european,
    country_time,
    date_elements_text,
    dates_near_heading,
    find_visible_dates,
    publisher_day,
    time_dates,
    writes_central_european,
)
from .fallback import FALLBACK_BELOW_CHARS, MAX_FALLBACK_CHARS, trafilatura_text
from .limits import guard_page, repair_risk
from .main_content import (
    article_body_paragraphs,
    collect_units,
    filter_units,
    header_units,
    ingredient_blocks,
    lead_elements,
    main_containers,
    pick_lead,
    prune_link_blocks,
    with_ingredients,
)
from .markup import html5_normalise
from .metadata import Metadata, choose_h1, clean_title, read_metadata, title_agrees, title_confirmed_by
from .page_date import page_day
from .record import MAX_INPUT_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, MIN_TEXT_CHARS, Extracted
from .text import BR_MARK, CLASSID_CACHE, MARKED_CACHE, El, drop, is_element, norm_key, release_elements, text_of


def _empty(url: str | None, warnings: list[str]) -> Extracted:
    result = Extracted(url=url, warnings=warnings)
    if "no main text found" not in warnings:
        result.warnings.append("no main text found")
    return result


_BINARY_CHAR_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _is_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    return len(_BINARY_CHAR_RE.findall(sample)) > 0.05 * len(sample)


def extract(html: bytes | str, url: str | None = None) -> Extracted:
    """Extract the main text and metadata of a news page. Never raises.

    ``html`` may be bytes (decoded with :func:`decode_html` rules; warnings recorded)
    or already decoded text. ``url`` is the address the page was fetched from; it is
    the fallback for ``Extracted.url`` and the base for relative canonical links.
    """
    warnings: list[str] = []
    base_url = url if isinstance(url, str) and url.strip() else None
    token = CLASSID_CACHE.set({})
    marked_token = MARKED_CACHE.set({})
    try:
        return _extract(html, base_url, warnings)
    except RecursionError:
        warnings.append("extraction failed: nesting too deep")
    except MemoryError:
        warnings.append("extraction failed: out of memory")
    except Exception as err:  # noqa: BLE001 - the extractor promises not to raise
        warnings.append(f"extraction failed: {type(err).__name__}: {str(err)[:200]}")
    finally:
        release_elements(MARKED_CACHE.get(), CLASSID_CACHE.get())
        MARKED_CACHE.reset(marked_token)
        CLASSID_CACHE.reset(token)
    return _empty(base_url, warnings)


def _extract(html: Any, url: str | None, warnings: list[str]) -> Extracted:
    """The cascade behind :func:`extract` (which catches what this raises)."""
    page = _to_text(html, warnings)
    if page is None:
        return _empty(url, warnings)
    text, raw = page
    root = _parse(text, raw, warnings)
    if root is None:
        return _empty(url, warnings)
    meta = read_metadata(root, url, warnings)  # tiers 1 and 2, before the page is cleaned
    # authors that name the site or an organisation yield to a byline on the page
    weak_authors = meta.authors if all(is_weak_author(a, meta.site_name, meta.host) for a in meta.authors) else []
    if weak_authors:
        meta.authors = []
    # bylines in blocks that cleaning removes (page headers, meta bars): read where no metadata names one
    uncleaned_bylines = [] if meta.authors else byline_authors(root, skip_comments=True)[0]
    # tier 4 of the dates, read now (footers and meta bars show the day, and cleaning removes them) and
    # taken where the page heuristics find none either
    page_date = None if meta.published or meta.modified else page_day(root, text, url, _month_first(meta.language))
    captions, body = _clean(root)
    found = _page_heuristics(body, meta)  # tier 3
    main_text, method, lead = _main_text(body, meta, found, captions)
    if not meta.published and not meta.modified:
        meta.published = page_date
    if len(main_text) < FALLBACK_BELOW_CHARS:
        if len(text) > MAX_FALLBACK_CHARS:
            warnings.append(f"second opinion skipped: page of {len(text):,} characters (limit {MAX_FALLBACK_CHARS:,})")
        else:
            other = trafilatura_text(text, url, warnings)
            if len(other) >= max(FALLBACK_BELOW_CHARS, 2 * len(main_text)):
                main_text, method = other, "trafilatura"
    if not meta.authors:
        meta.authors = uncleaned_bylines or weak_authors
    main_text, method, title = _apply_limits(main_text, method, meta.title, warnings)
    authors, agencies = split_agencies([a for a in meta.authors if a], meta.site_name, meta.host)
    local_time = writes_central_european(meta.language, meta.host)
    return Extracted(
        url=meta.canonical or url,
        title=title or None,
        text=main_text,
        published=central_european(meta.published) if local_time
        else publisher_day(country_time(meta.published, meta.host), meta.canonical or url),
        modified=central_european(meta.modified) if local_time else country_time(meta.modified, meta.host),
        authors=authors,
        agencies=agencies,
        section=meta.section or meta.breadcrumb_section,
        lead=lead or None,
        captions=captions,
        language=meta.language,
        method=method,
        warnings=warnings,
    )


_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters lxml refuses in a tree it edits (form feed, also refused, becomes a space)."""


_CONTROL_BYTES = bytes((*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)))
"""The control characters of :data:`_NOT_XML_RE` (in UTF-8 these bytes stand only for themselves)."""


def _drop_not_xml(text: str) -> tuple[str, bytes | None]:
    """``text`` without the characters of :data:`_NOT_XML_RE`, with its UTF-8 encoding where that was
    made on the way (None if not). Most pages have none, which a check in C on the encoding tells faster
    than a regular-expression scan of the page (surrogates make the encoding fail)."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return _NOT_XML_RE.sub("", text), None
    if len(raw.translate(None, _CONTROL_BYTES)) == len(raw) and "\ufffe" not in text and "\uffff" not in text:
        return text, raw
    return _NOT_XML_RE.sub("", text), None


def _to_text(html: Any, warnings: list[str]) -> tuple[str, bytes] | None:
    """Input to HTML text: decode bytes, cap the length, repair mojibake, drop control characters
    and an XML declaration; cut tags with an abnormal number of attributes and pages with an abnormal
    number of elements (``page error`` warnings, :func:`~pipeline.extract.limits.guard_page`). Returns
    the text and its UTF-8 encoding (what the parsers read; encoded once), or None (with a warning)
    for unsupported, empty or binary input."""
    if isinstance(html, bytearray | memoryview):
        html = bytes(html)
    if isinstance(html, bytes):
        text, _charset, decode_warnings = decode_bytes(html, None)
        warnings.extend(decode_warnings)
    elif isinstance(html, str):
        text = html
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS]
            warnings.append(f"input truncated to {MAX_INPUT_CHARS} characters")
    else:
        warnings.append(f"unsupported input type {type(html).__name__}")
        return None
    if not text.strip():
        warnings.append("empty input")
        return None
    if _is_binary(text):
        warnings.append("input looks like binary data, not HTML")
        return None
    text, repaired = repair_mojibake(text)
    if repaired:
        warnings.append(f"mojibake repaired ({repaired} sequence{'s' if repaired > 1 else ''})")
    checked, raw = _drop_not_xml(text)
    text = checked.replace("\x0c", " ")
    # character references to the characters dropped above: libxml2 decodes them into text that lxml then
    # refuses to set again ("All strings must be XML compatible") when the cleaning steps edit the tree
    text = re.sub(r"&#(?:0*(?:[1-8]|1[124-9]|2[0-9]|3[01]|6553[45])(?![0-9])"
                  r"|[xX]0*(?:[1-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?", "", text)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    text = guard_page(text, warnings)  # before any parser sees the page
    if raw is None or text is not checked:  # each step returns its input itself when it changes nothing
        raw = text.encode("utf-8", errors="replace")
    return text, raw


_MISNESTING_ERRORS = frozenset(("ERR_TAG_NAME_MISMATCH", "HTML_STRUCURE_ERROR"))
"""libxml2's reports of end tags it could not match: where they occur, its tree may differ from a
browser's, and the page is parsed again after :func:`~pipeline.extract.markup.html5_normalise`."""


def _month_first(language: str | None) -> bool:
    """Whether the page writes numeric days month first (``04/26/2022``): US English."""
    return (language or "").lower() == "en-us"


def _html_parser() -> lxml.etree.HTMLParser:
    """A fresh parser (each keeps the error log of its last page): UTF-8, comments and processing
    instructions removed, no table of id attributes (``collect_ids=False``; nothing here looks one up)."""
    return lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)


def _parse(text: str, raw: bytes, warnings: list[str]) -> El | None:
    """Parse the page (``text``, read from its UTF-8 encoding ``raw``; ``lxml``, comments and processing
    instructions removed; again after an HTML5 repair of the markup where libxml2 reports mismatched
    tags) and mark each ``<br>`` in the text that follows it. None (with a warning) when nothing usable
    is parsed."""
    parser = _html_parser()
    try:
        root = lxml.etree.fromstring(raw, parser=parser)
        errors = {e.type_name for e in parser.error_log}
        # the repair is skipped where libxml2 stopped at its depth limit (lexbor's tree is as deep, its
        # scans of a deep stack are quadratic, and libxml2 stops again on the repaired page)
        if root is not None and errors & _MISNESTING_ERRORS and "ERR_RESOURCE_LIMIT" not in errors:
            risk = repair_risk(text, int(root.xpath("count(//*)")))
            if risk:
                warnings.append(f"page error: HTML5 markup repair skipped ({risk})")
            repaired = text if risk else html5_normalise(text, warnings)
            if repaired is not text:
                parser = _html_parser()
                root = lxml.etree.fromstring(repaired.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError) as err:
        warnings.append(f"unparsable HTML: {str(err)[:120] or type(err).__name__}")
        return None
    if root is None:
        warnings.append("unparsable HTML: no elements")
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        warnings.append("parser resource limit hit (excessive nesting or huge text node); page truncated")
    if not is_element(root):
        warnings.append("unparsable HTML")
        return None

    for br in root.iter("br"):
        tail = br.tail or ""
        try:
            br.tail = BR_MARK + tail
        except ValueError:  # a character reference (&#1;) gave a character lxml reads but does not take back
            br.tail = BR_MARK + _NOT_XML_RE.sub("", tail).replace("\x0c", "")
    return root


def _clean(root: El) -> tuple[list[str], El]:
    """Collect the image captions, then remove captions, figures and boilerplate from the tree;
    return ``(captions, the <body> element, or the root if there is none)``."""
    captions = collect_captions(root)
    remove_boilerplate(root)
    remove_boxes(root)
    body_el = root.find("body")
    body = body_el if body_el is not None else root
    return captions, body


@dataclass
class _Findings:
    """Elements the page heuristics found that the main-text step needs."""

    lead_candidates: list[El]  # elements marked up as the lead, in document order
    headline: El | None  # the <h1> taken as the headline
    byline_elements: list[El]  # removed before the main text is read


def _page_heuristics(body: El, meta: Metadata) -> _Findings:
    """Tier 3, on the cleaned page: fill in the title (``<h1>``, ``<title>``), authors (bylines)
    and dates (``<time>``, visible dates) that ``meta`` lacks, in place; find bylines and leads."""
    h1 = choose_h1(body, meta.page_title)
    h1_text = text_of(h1) if h1 is not None else ""
    if not meta.title:
        meta.title = h1_text or (clean_title(meta.page_title, meta.site_name, meta.host) if meta.page_title else None)
    elif h1_text:
        meta.title = title_confirmed_by(meta.title, h1_text)
        if meta.title != h1_text and title_agrees(meta.page_title, h1_text, meta.title):
            meta.title = h1_text  # the <title> agrees with the <h1>, not with the metadata ("Pressemitteilungen")
    byline_names, byline_elements = byline_authors(body)
    von_names, von_elements = von_bylines(body)
    if not meta.authors:
        meta.authors = byline_names or von_names
    _page_dates(body, h1, meta)
    return _Findings(lead_candidates=lead_elements(body), headline=h1,
                     byline_elements=byline_elements + von_elements)


def _page_dates(body: El, h1: El | None, meta: Metadata) -> None:
    """Fill in the dates ``meta`` lacks from ``<time>`` elements, date/byline elements, and the
    lines next to the headline; a page that only gives a modified date gets it as published too."""
    if not meta.published or not meta.modified:
        t_pub, t_mod = time_dates(body)
        meta.published = meta.published or t_pub
        meta.modified = meta.modified or t_mod
    if not meta.published or not meta.modified:
        for chunk in date_elements_text(body):
            v_pub, v_mod = find_visible_dates(chunk)
            meta.published = meta.published or v_pub
            meta.modified = meta.modified or v_mod
            if meta.published and meta.modified:
                break
    if not meta.published and not meta.modified and h1 is not None:
        n_pub, n_mod = dates_near_heading(h1)
        meta.published = meta.published or n_pub
        meta.modified = meta.modified or n_mod
    if not meta.published and meta.modified:
        meta.published = meta.modified  # "Stand: ..." is all the page says


def _main_text(body: El, meta: Metadata, found: _Findings, captions: list[str]) -> tuple[str, str, str | None]:
    """Return ``(main text, method, lead)``: the heuristic text of the main containers, or the
    JSON-LD ``articleBody`` when it is substantial; the marked-up lead (else the description)
    is put first when the text does not already hold it. Removes the bylines from the tree."""
    for el in found.byline_elements:
        drop(el)
    containers = main_containers(body)
    lead_el = pick_lead(body, found.lead_candidates, containers)
    lead = text_of(lead_el) if lead_el is not None else None
    if not lead and meta.description:
        lead = meta.description
    ingredients = ingredient_blocks(body, containers) if containers else []
    prune_link_blocks(containers, keep=ingredients)
    units = collect_units(with_ingredients(body, containers, ingredients), link_tolerant=ingredients) if containers else []
    paragraphs = [u.text for u in filter_units(units, captions, meta.title)]
    header = [u.text for u in filter_units(header_units(found.headline, containers), captions, meta.title)]
    method = "heuristic"
    if meta.article_body:
        body_paragraphs = article_body_paragraphs(meta.article_body, paragraphs, captions, meta.title)
        if body_paragraphs is not None:
            paragraphs = body_paragraphs
            method = "json-ld"
    if header and paragraphs:
        # the subtitle / standfirst set apart from the body, unless the text already holds it
        joined = norm_key(" ".join(paragraphs))
        paragraphs[:0] = [h for h in header if norm_key(h) not in joined]
    if lead_el is not None and lead and paragraphs:
        lead_key = norm_key(lead)
        if not any(norm_key(p) == lead_key for p in paragraphs) and lead_key not in norm_key(paragraphs[0]):
            paragraphs.insert(0, lead)
    return "\n\n".join(paragraphs), method, lead


def _apply_limits(main_text: str, method: str, title: str | None,
                  warnings: list[str]) -> tuple[str, str, str | None]:
    """Cut an overlong main text (at a paragraph boundary) and title; a main text that is too short
    counts as none. Return ``(main text, method, title)``."""
    if len(main_text) > MAX_TEXT_CHARS:
        cut = main_text.rfind("\n\n", 0, MAX_TEXT_CHARS + 1)
        main_text = main_text[: cut if cut >= MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS].rstrip()
        warnings.append(f"main text truncated to {len(main_text)} characters (limit {MAX_TEXT_CHARS})")
    if title and len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS].rstrip()
        warnings.append(f"title truncated to {MAX_TITLE_CHARS} characters")

    if len(main_text) < MIN_TEXT_CHARS:
        main_text, method = "", "none"
        warnings.append("no main text found")
    return main_text, method, title
