"""The main text: candidate containers scored by paragraph text and link density, their
paragraph-level units, the filter that drops boilerplate units, the lead, and the split of a
JSON-LD ``articleBody`` into paragraphs."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

from .cleaning import MORE_LINE_RE, POSITIVE_RE, is_boilerplate_paragraph, is_box_heading
from .record import MIN_TEXT_CHARS
from .text import (
    BR_MARK,
    DOUBLE_BR_RE,
    HEADING_TAGS,
    El,
    any_word,
    class_hit,
    classid,
    direct_text_len,
    drop,
    in_link,
    is_element,
    iter_ancestors,
    link_text_len,
    marked_records,
    matching,
    norm,
    norm_key,
    raw_text,
    subtree_sums,
    text_of,
)

_NEGATIVE_RE = any_word(
    "comment", "meta", "footer", "sidebar", "teaser", "promo", "widget", "caption", "byline", "author",
    "navigation", "menu", "tags", "sponsor", "banner", "related", "shop", "contact",
)
_LEAD_RE = re.compile(r"(?:^|[\s_-])(lead|intro|standfirst|teaser-?text|teaser__text|summary|abstract|vorspann"
                      r"|subtitle|article__lead|article-lead)(?:$|[\s_-])")

_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th",
    "ul", "center", "summary", "caption", "body", "html",
))
_UNIT_TAGS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dt", "dd", "td", "th",
                        "caption", "address", "blockquote", "div", "section", "article", "header", "summary"))

# Ancestors that mark a teaser card or teaser list (not the article's own "teaser text" lead).
_TEASER_BOX_RE = re.compile(r"(?:^|\s)teaser(?:$|\s|--|_(?!_?text|_?lead))|teaser-?list|teaser-?box")


def lead_elements(root: El) -> list[El]:
    """Elements marked up as lead/teaser/standfirst (class or itemprop), in document order."""
    found: list[El] = []
    records = marked_records(root)
    lead_cids = matching(_LEAD_RE, {cid for _, _, cid, _ in records})
    for el, tag, cid, itemprop in records:
        if tag in ("html", "body", "article", "main", "meta"):
            continue
        if (cid in lead_cids and cid.strip()) or itemprop in ("description", "abstract"):
            if any(el in set(iter_ancestors(f, 50)) or f in set(iter_ancestors(el, 50)) for f in found):
                continue
            if in_link(el) or any(class_hit(_TEASER_BOX_RE, classid(a)) for a in iter_ancestors(el, 8)
                                   if a.get("class")):
                continue  # the text of a teaser card, not the article's lead
            text = text_of(el)
            if 30 <= len(text) <= 1200 and link_text_len(el) < 0.3 * len(text):
                found.append(el)
                if len(found) >= 10:
                    break
    return found


def _in_region(el: El, containers: list[El]) -> bool:
    """Whether ``el`` lies in the article around the main containers (up to 3 levels up)."""
    ancestors = set(iter_ancestors(el))
    for container in containers:
        if container in ancestors:
            return True
        node = container.getparent()
        for _ in range(3):
            if node is None or node.tag in ("body", "html"):
                break
            if node in ancestors:
                return True
            if node.tag in ("article", "main"):
                break
            node = node.getparent()
    return False


def _after_containers(body: El, el: El, containers: list[El]) -> bool:
    """Whether ``el`` follows the first main container in document order without lying inside one
    (a lead comes before the text; a "teaser text" after it belongs to a sidebar or teaser list)."""
    if not containers:
        return False
    ancestors = set(iter_ancestors(el))
    if any(c is el or c in ancestors for c in containers):
        return False
    first = containers[0]
    for node in body.iter():
        if node is el:
            return False
        if node is first:
            return True
    return False


def pick_lead(body: El, candidates: list[El], containers: list[El]) -> El | None:
    """The first lead candidate that lies in the article around the main containers, ahead of them."""
    return next((el for el in candidates
                 if _in_region(el, containers) and not _after_containers(body, el, containers)), None)


def _sibling_key(el: El) -> tuple[str, str]:
    """Tag and class with digits removed: entries of one list ("entry entry--3") share it."""
    return el.tag, re.sub(r"\d+", "", el.get("class") or "").strip()


def _paragraph_weights(body: El) -> list[tuple[El, float]]:
    """Paragraphs (``<p>``, ``<pre>``) of 25 characters or more outside links (a whole block wrapped
    in a link is a teaser card), each with its characters outside links; read once, used by the block
    scores and by the widening of the best block."""
    weights: list[tuple[El, float]] = []
    for p in body.iter("p", "pre"):
        n = len(text_of(p))
        if n < 25 or in_link(p):
            continue
        w = n * max(0.0, 1.0 - link_text_len(p) / n)
        if w > 0:
            weights.append((p, w))
    return weights


def _score_candidates(body: El, paragraphs: list[tuple[El, float]]) -> dict[El, float]:
    scores: dict[El, float] = {}
    # paragraph weight inside the 3 ancestors above each paragraph (for sibling aggregation)
    deep: dict[El, float] = {}

    def add(el: El | None, w: float) -> None:
        if el is not None and is_element(el):
            scores[el] = scores.get(el, 0.0) + w

    for p, w in paragraphs:
        parent = p.getparent()
        add(parent, w)
        if parent is not None:
            add(parent.getparent(), w / 2)
        node = parent
        for _ in range(3):
            if node is None or node.tag in ("body", "html"):
                break
            deep[node] = deep.get(node, 0.0) + w
            node = node.getparent()
    # A parent of several similar sibling blocks that each hold text (live-blog entries,
    # "text-block" divs) gets their combined weight, so that it beats any single block.
    groups: dict[tuple[El, tuple[str, str]], list[float]] = {}
    for el, w in deep.items():
        parent = el.getparent()
        if parent is None or el.tag in ("p", "pre"):
            continue
        groups.setdefault((parent, _sibling_key(el)), []).append(w)
    for (parent, _key), weights in groups.items():
        if len(weights) >= 3:
            total = sum(weights)
            if max(weights) <= 0.6 * total:
                add(parent, total)
    for el in body.iter("div", "section", "td", "article", "main", "body"):
        direct = direct_text_len(el, 100)
        if direct >= 100:
            add(el, direct)
            add(el.getparent(), direct / 2)
    return scores


def _multiplier(el: El) -> float:
    m = 1.0
    if (el.get("itemprop") or "").lower() in ("articlebody", "text"):
        m *= 1.6
    cid = classid(el)
    if cid.strip():
        if class_hit(POSITIVE_RE, cid):
            m *= 1.25
        if class_hit(_NEGATIVE_RE, cid):
            m *= 0.6
    if el.tag == "article":
        m *= 1.15
    elif el.tag == "main":
        m *= 1.05
    return m


TEXT_SHARE = 0.7
"""The main container holds at least this share of the page's paragraph text (after cleaning);
a best-scoring block that holds less is widened to the ancestor that does. Chosen on the real
pages of ``bench/extraction/real.py`` (0.6: F1 -0.002, 0.9: precision -0.02)."""


WIDEN_MAX_LINK_SHARE = 0.4
WIDEN_GUARD_SHARE = 0.4
"""A container that holds :data:`WIDEN_GUARD_SHARE` of the paragraph text is not widened to a parent
whose added text is more than :data:`WIDEN_MAX_LINK_SHARE` link text. Real pages
(bench/extraction/real.py): ScrapingHub F1 0.966 -> 0.970, evaluation pages 0.917 -> 0.916 (without
the share condition 0.915; link shares 0.2-0.6 and guard shares 0.3-0.5 measured)."""


def _widen(top: El, paragraphs: list[tuple[El, float]]) -> El:
    """The nearest ancestor-or-self of ``top`` that holds :data:`TEXT_SHARE` of the paragraph text
    (:func:`_paragraph_weights`; text written straight into blocks is left out: on pages with
    paragraphs it is teasers and footers, ScrapingHub F1 -0.011). Real articles split their text
    over several blocks (intro, body parts, boxes between them) that the block scores see one at a
    time. A block marked up as the article body stays as it is."""
    if (top.get("itemprop") or "").lower() in ("articlebody", "text"):
        return top
    inside = subtree_sums(paragraphs)
    total = sum(w for _, w in paragraphs)
    node = top
    chars, links = len(text_of(node)), link_text_len(node)
    while total and inside.get(node, 0.0) < TEXT_SHARE * total and node.tag not in ("body", "html"):
        parent = node.getparent()
        if parent is None:
            break
        parent_chars, parent_links = len(text_of(parent)), link_text_len(parent)
        added = parent_chars - chars
        if (added > 0 and parent_links - links > WIDEN_MAX_LINK_SHARE * added
                and inside.get(node, 0.0) >= WIDEN_GUARD_SHARE * total):
            break  # what the parent adds is mostly links (teaser cards, "more stories", menus) to a block
            # that already holds a good part of the text; a block holding little goes on widening
        chars, links = parent_chars, parent_links
        node = parent
    return node


def main_containers(body: El) -> list[El]:
    """The element(s) holding the main text: the best-scoring block (paragraph text, link density,
    class hints), widened to hold most of the page's text, plus text-rich siblings."""
    paragraphs = _paragraph_weights(body)
    scores = _score_candidates(body, paragraphs)
    if not scores:
        return []
    weighted = {el: s * _multiplier(el) for el, s in scores.items()}
    top = max(weighted, key=lambda e: weighted[e])
    wide = _widen(top, paragraphs)
    if wide is not top:
        return [wide]
    parent = top.getparent()
    if parent is None or top.tag in ("body", "html"):
        return [top]
    threshold = max(150.0, weighted[top] * 0.25)
    chosen: list[El] = []
    for sib in parent:
        if not is_element(sib):
            continue
        if sib is top:
            chosen.append(sib)
            continue
        if weighted.get(sib, 0.0) >= threshold:
            text = text_of(sib)
            if text and link_text_len(sib) < 0.3 * len(text):
                chosen.append(sib)
            continue
        if sib.tag == "p":
            text = text_of(sib)
            if len(text) >= 80 and link_text_len(sib) < 0.25 * len(text):
                chosen.append(sib)
    return chosen


_INGREDIENTS_RE = re.compile(r"ingredients(?:$|[\s_-])|ingredients?-?(?:list|table|group|container)|zutaten")


def ingredient_blocks(body: El, containers: list[El]) -> list[El]:
    """A recipe's ingredient lists (marked up with a class such as ``recipe-ingredients`` or the
    ``recipeIngredient`` itemprop), outermost ones, in document order: inside the main containers or
    set apart from the instructions in a column of their own. A block names quantities (a digit)."""
    found: list[El] = []
    for el, tag, cid, itemprop in marked_records(body):
        if not (("ingredient" in cid or "zutaten" in cid) and class_hit(_INGREDIENTS_RE, cid)
                or itemprop in ("recipeingredient", "ingredients")):
            continue
        if tag in ("html", "body", "article", "main", "meta", "script"):
            continue
        if tag in ("li", "tr", "dt", "dd") and el.getparent() is not None:
            el = el.getparent()  # one ingredient marked up: its list
        if found and (el in found or any(a in found for a in iter_ancestors(el))):
            continue  # inside a block already found
        if any(el in set(iter_ancestors(c)) for c in containers):
            continue  # holds the main text itself
        text = text_of(el)
        if 10 <= len(text) <= 5000 and any(ch.isdigit() for ch in text):
            found.append(el)
    return found


def with_ingredients(body: El, containers: list[El], blocks: list[El]) -> list[El]:
    """``containers`` and those ingredient ``blocks`` that lie outside them, in document order."""
    outside = [b for b in blocks if not any(c in containers for c in iter_ancestors(b))]
    if not outside:
        return containers
    wanted = set(containers) | set(outside)
    return [el for el in body.iter() if el in wanted]


LINK_BLOCK_RATIO = 0.5
"""Inside the main container, a list, table or block under 2,000 characters whose text is more
than this share link text is navigation (menus, tag clouds, "more articles" lists)."""


def prune_link_blocks(containers: list[El], keep: list[El] | None = None) -> None:
    """Remove link-dense blocks from the main containers (in place), except those in or around ``keep``
    (ingredient lists, whose entries link to products)."""
    kept = set(keep or ())
    wrappers = {a for el in kept for a in iter_ancestors(el, 2)}
    for container in containers:
        doomed = []
        for el in container.iterdescendants("div", "ul", "ol", "section", "table", "dl", "header"):
            if kept and (el in kept or el in wrappers or any(a in kept for a in iter_ancestors(el))):
                continue
            text = text_of(el)
            if text and len(text) < 2000 and link_text_len(el) > LINK_BLOCK_RATIO * len(text):
                doomed.append(el)
        for el in doomed:
            if el.getparent() is not None:
                drop(el)


@dataclass
class _Unit:
    kind: str  # "p", "h", "h1", "li", "row" (a table row)
    text: str
    link_ratio: float = 0.0


def _has_block_descendant(el: El) -> bool:
    for d in el.iterdescendants():
        if isinstance(d.tag, str) and d.tag in _BLOCK_TAGS:
            return True
    return False


def _is_simple_row(tr: El) -> bool:
    """A table row whose cells hold only inline content (not a layout table)."""
    for d in tr.iterdescendants():
        if isinstance(d.tag, str) and d.tag in _BLOCK_TAGS and d.tag not in ("td", "th"):
            return False
    return True


def _unit_texts(el: El) -> list[str]:
    raw = raw_text(el)
    return [t for t in (norm(piece.replace(BR_MARK, " ")) for piece in DOUBLE_BR_RE.split(raw)) if t]


_FlushMarker = object()  # pushed on the walk stack: end of a block element


def collect_units(containers: list[El], link_tolerant: list[El] | None = None) -> list[_Unit]:
    """Paragraph-level text units of the containers, in document order (iterative walk). Units in
    ``link_tolerant`` elements (ingredient lists) get no link ratio."""
    units: list[_Unit] = []
    tolerant = set(link_tolerant or ())

    def ratio_of(el: El, chars: int) -> float:
        if tolerant and (el in tolerant or any(a in tolerant for a in iter_ancestors(el))):
            return 0.0
        return link_text_len(el) / max(1, chars)

    buf: list[str] = []

    def flush() -> None:
        if buf:
            raw = "".join(buf)
            buf.clear()
            for piece in DOUBLE_BR_RE.split(raw):
                text = norm(piece.replace(BR_MARK, " "))
                if text:
                    units.append(_Unit("p", text))

    for container in containers:
        stack: list[tuple[Any, bool]] = [(container, False)]
        while stack:
            el, is_tail = stack.pop()
            if el is _FlushMarker:
                flush()
                continue
            if is_tail:
                if el.tail:
                    buf.append(el.tail)
                continue
            if el is not container:
                stack.append((el, True))
            if not isinstance(el.tag, str):
                continue
            tag = el.tag
            if tag == "br":
                continue  # its tail already starts with BR_MARK
            if tag not in _BLOCK_TAGS:
                if not _has_block_descendant(el):
                    buf.append(raw_text(el))
                    continue
                if tag == "a" and el.get("href") is not None and len(raw_text(el)) < 2000:
                    flush()
                    continue  # a teaser card (headline, text) wrapped in one link
                # inline element wrapping blocks: walk into it like a block
            is_block = tag in _BLOCK_TAGS
            if tag == "tr" and el is not container and _is_simple_row(el):
                flush()
                cells = [norm(raw_text(c).replace(BR_MARK, " ")) for c in el if isinstance(c.tag, str)]
                row = " | ".join(c for c in cells if c)
                if row:
                    units.append(_Unit("row", row, ratio_of(el, len(row))))
                continue
            if el is not container and tag in _UNIT_TAGS and not _has_block_descendant(el):
                flush()
                texts = _unit_texts(el)
                if texts:
                    full = " ".join(texts)
                    ratio = ratio_of(el, len(full))
                    kind = "h" if tag in HEADING_TAGS else ("li" if tag in ("li", "dt", "dd") else "p")
                    if kind == "h" and _is_prose(full):
                        kind = "p"  # a paragraph set as a heading (a bold intro, a blog's first lines)
                    elif tag == "h1":
                        kind = "h1"
                    for t in texts:
                        units.append(_Unit(kind, t, ratio))
                continue
            if is_block:
                flush()
            if el.text:
                buf.append(el.text)
            children = [c for c in el]
            if is_block:
                stack.append((_FlushMarker, False))
            for child in reversed(children):
                stack.append((child, False))
        flush()
    return units


PROSE_HEADING_CHARS = 120
"""A heading of this many characters that ends like a sentence is a paragraph, not a heading."""


def _is_prose(text: str) -> bool:
    return len(text) >= PROSE_HEADING_CHARS and text.endswith((".", "!", "?", "…", "“", '"', "»", "«", ")"))


def filter_units(units: list[_Unit], captions: list[str], title: str | None) -> list[_Unit]:
    caption_keys = {norm_key(c) for c in captions}
    title_key = norm_key(title or "")
    out: list[_Unit] = []
    seen: set[str] = set()
    for u in units:
        text = u.text
        key = norm_key(text)
        if len(key) < 2 or key in seen:
            continue
        if u.kind == "h1" and (key == title_key or not title_key):
            continue
        if u.link_ratio > 0.6 or (u.kind == "li" and u.link_ratio > 0.5):
            continue
        if len(text) <= 150 and (
                (u.link_ratio >= 0.15 and (MORE_LINE_RE.match(text) or is_box_heading(text)))
                or (len(text) <= 40 and not text.endswith((".", "!", "?", "“", '"')) and is_box_heading(text))):
            continue  # "Mehr aus dem Ressort Lokales", "Mehr zum Thema: <link>"
        if is_boilerplate_paragraph(text, key, caption_keys, figures=u.kind == "row"):
            continue
        seen.add(key)
        out.append(u)
    # headings that are not followed by a paragraph are boilerplate leftovers
    result: list[_Unit] = []
    for i, u in enumerate(out):
        if u.kind in ("h", "h1"):
            nxt = out[i + 1] if i + 1 < len(out) else None
            if nxt is None or nxt.kind in ("h", "h1"):
                continue
        result.append(u)
    while result and _is_dangling_label(result[-1].text):
        result.pop()
    return result


DANGLING_LABEL_MAX_WORDS = 4
"""Longest label dropped at the end of a text. Measured on the 862 evaluation pages (bench/extraction/real.py):
any length or up to 6 words F1 +0.0002 (held-back half -0.0001: it also drops lead-in sentences
whose quote follows in the reference), up to 4 words +0.0006 (held-back half +0.0007)."""


def _is_dangling_label(text: str) -> bool:
    """A label of a few words with a colon ("Kontakt:", "Mehr Themen:", "Seguir leyendo:") that ends the
    text: what it introduced (contact data, links, a list of sources) was removed as boilerplate. A
    sentence that leads into something ("Twitter seemed a bit confused by the campaign:") has more words."""
    return len(text) <= 80 and text.endswith(":") and len(text.split()) <= DANGLING_LABEL_MAX_WORDS


def _find_words(text: str, part: str, start: int) -> int:
    """``text.find(part, start)``, but only where ``part`` starts and ends at word boundaries."""
    i = text.find(part, start)
    tries = 0
    while i >= 0 and tries < 20:
        end = i + len(part)
        if (i == 0 or text[i - 1] == " ") and (end == len(text) or text[end] == " "):
            return i
        i = text.find(part, i + 1)
        tries += 1
    return -1


_MARKUP_RE = re.compile(r"</?(?:p|br|div|h[1-6]|li|ul|ol|b|i|em|strong|span|a|blockquote|figure|img|iframe)\b[^>]{0,500}>",
                        re.I)


def _split_body(body: str, html_paragraphs: list[str]) -> list[str]:
    """Split a JSON-LD articleBody into paragraphs, along its own line breaks and the HTML paragraphs."""
    text = body
    if "&lt;" in text:
        text = html_lib.unescape(text)  # markup escaped twice ("&lt;p&gt;...")
    if "<" in text and _MARKUP_RE.search(text):
        text = re.sub(r"(?i)<\s*(br|/p|/div|/h[1-6]|/li)\s*/?>", "\n\n", text)
        text = re.sub(r"(?i)</?(?:a|b|i|em|strong|span|u|sup|sub|small|mark)\b[^>]{0,500}>", "", text)  # inline
        text = re.sub(r"<[^>]{0,500}>", " ", text)
    if "&" in text:
        text = html_lib.unescape(text)
    blocks = [norm(b) for b in re.split(r"\n", text)]
    blocks = [b for b in blocks if b]
    paragraphs = [p for p in html_paragraphs if len(p) >= 2]
    out: list[str] = []
    j = 0  # next HTML paragraph to look for; both texts run in the same order
    for block in blocks:
        pos = 0
        while j < len(paragraphs):
            for k in range(j, min(j + 30, len(paragraphs))):  # bounded look-ahead
                i = _find_words(block, paragraphs[k], pos)
                if i >= 0:
                    gap = block[pos:i].strip()
                    if gap:
                        out.append(gap)
                    out.append(paragraphs[k])
                    pos = i + len(paragraphs[k])
                    j = k + 1
                    break
            else:
                break
        rest = block[pos:].strip()
        if rest:
            out.append(rest)
    return out


JSONLD_MIN_GAIN = 0.8
"""The JSON-LD ``articleBody`` replaces the heuristic text only where that holds less than this share of
the body's length (the heuristic missed text). Where both hold the text, the page's paragraphs are
better: feed bodies glue headings to sentences, carry (escaped) markup, or are truncated. Real pages
(bench/extraction/real.py): F1 0.930 -> 0.933 on the evaluation pages (0.6 and 0.8 alike, 0.95:
0.932, 1.1: 0.931), ScrapingHub 0.969 -> 0.969."""


def article_body_paragraphs(article_body: str, html_paragraphs: list[str], captions: list[str],
                            title: str | None) -> list[str] | None:
    """The paragraphs of a JSON-LD ``articleBody`` (split along ``html_paragraphs``, the filtered
    heuristic text, and filtered the same way); None where it is not substantial, where the heuristic
    text holds it already (:data:`JSONLD_MIN_GAIN`), or is a teaser-length body ("...") while the page
    has the full text."""
    heuristic_len = sum(len(p) for p in html_paragraphs)
    body_paragraphs = _split_body(article_body, html_paragraphs)
    body_units = filter_units([_Unit("p", p) for p in body_paragraphs], captions, title)
    body_len = sum(len(u.text) for u in body_units)
    substantial = body_len >= 200 or (heuristic_len == 0 and body_len >= MIN_TEXT_CHARS)
    if substantial and heuristic_len >= JSONLD_MIN_GAIN * body_len:
        return None  # the page's own paragraphs hold the text, structured and free of feed artefacts
    if substantial and heuristic_len > 1.3 * body_len and body_units:
        # a teaser-length articleBody ("...") while the page has the full text
        ellipsis = body_units[-1].text.endswith(("…", "...", "[…]", "[...]"))
        prefix = (body_len < 600 and heuristic_len >= 2 * body_len
                  and body_units[0].text[:80] in "\n\n".join(html_paragraphs))
        substantial = not (ellipsis or prefix)
    return [u.text for u in body_units] if substantial else None


HEADER_MAX_CHARS = 1500
"""The article header between the headline and the main container (subtitle, standfirst, intro
paragraph) is read only when it holds at most this much text: more is a sidebar or teaser list that
happens to stand between them."""
HEADER_MIN_CHARS = 40
"""A header unit shorter than this is a kicker, byline, date or label, not a subtitle or standfirst."""

# Header lines that are metadata, not text: a clock time or a date ("Updated 1:39 am EST, Nov 20, 2019",
# "Veröffentlicht am 28.10.2023 | 3 Kommentare"), a "|"/"•" separated info line, a byline, or an image
# caption with its credit ("... Foto: dpa", "... © Stadt Essen", "... | Getty Images").
_HEADER_META_RE = re.compile(
    r"(?<![\d.,])\d{1,2}:[0-5]\d(?!\d)|(?<![\d.])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d.])"
    r"|\b(?:19|20)\d\d-\d\d-\d\d\b| [|•·] |^\s*[|•]"
    r"|\b(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|march|märz|april|may|mai|june?|juni|july?|juli|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?)\.?\s+\d{1,2},?\s+(?:19|20)\d\d\b"
    r"|\b\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,10}\.?\s+(?:de\s+)?(?:19|20)\d\d\b"
    r"|©|\((?:c|foto|photo|bild)\b|\b(?:foto|fotos|photo|bild|quelle|credit|source)\s*:|getty images|/\s*(?:dpa|afp|reuters|imago)\b",
    re.I,
)
_BYLINE_START_RE = re.compile(r"^(?:by|von|por|par|di|door|av|af|posted|written|published|veröffentlicht)\s", re.I)


def _is_header_meta(text: str) -> bool:
    if len(text) <= 80 and _BYLINE_START_RE.match(text):
        return True
    return len(text) <= 200 and bool(_HEADER_META_RE.search(text))


def _path_up_to(el: El, stop: El) -> list[El]:
    """``el`` and its ancestors below ``stop``, from ``el`` upwards."""
    path = [el]
    node = el.getparent()
    while node is not None and node is not stop:
        path.append(node)
        node = node.getparent()
    return path


def header_units(headline: El | None, containers: list[El]) -> list[_Unit]:
    """Paragraph units of the article header: the blocks after the headline and before the first main
    container (a subtitle, a standfirst or an intro paragraph that is marked up apart from the body,
    often as a sibling of the headline in a ``<header>``). Only substantial, link-poor units count."""
    if headline is None or not containers or headline.getparent() is None:
        return []
    first = containers[0]
    head_ancestors = set(iter_ancestors(headline))
    if first in head_ancestors:
        return []  # the headline is inside the main text
    lca = next((a for a in iter_ancestors(first) if a in head_ancestors), None)
    if lca is None:
        return []
    path_h = _path_up_to(headline, lca)
    path_f = _path_up_to(first, lca)
    top_h, top_f = path_h[-1], path_f[-1]
    children = list(lca)
    try:
        i_h, i_f = children.index(top_h), children.index(top_f)
    except ValueError:
        return []
    if i_h >= i_f:
        return []  # the container comes first: what follows the headline is elsewhere
    region: list[El] = []
    for node in path_h[:-1]:
        region.extend(node.itersiblings())
    region.extend(children[i_h + 1:i_f])
    for node in reversed(path_f[:-1]):
        region.extend(reversed(list(node.itersiblings(preceding=True))))
    texts = [(el, len(text_of(el))) for el in region if is_element(el)]
    if not texts or sum(n for _, n in texts) > HEADER_MAX_CHARS:
        return []
    # link lists (tags, "more from", author links) are no header text
    region = [el for el, n in texts if n and link_text_len(el) <= 0.3 * n]
    units = [u for u in collect_units(region) if u.kind in ("p", "h", "li")]
    return [u for u in units if len(u.text) >= HEADER_MIN_CHARS and u.link_ratio < 0.2
            and not u.text.endswith(":") and not _is_header_meta(u.text)]
