"""Text and tree helpers shared by the extraction steps: whitespace normalisation, the text of an
element, link density, class/id strings, pre-selections of elements, and removal of an element."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import lxml.etree

El = lxml.etree._Element
_STRING = lxml.etree.XPath("string()")  # the text content of an element, computed in C

_INVISIBLE_RE = re.compile("[\u00ad\u200b\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

BR_MARK = "\u2028"
DOUBLE_BR_RE = re.compile(f"{BR_MARK}\\s*{BR_MARK}")


def norm(text: str | None) -> str:
    """Collapse whitespace, drop invisible characters; German characters are untouched."""
    if not text:
        return ""
    if _INVISIBLE_RE.search(text) is None:  # the usual case: a search is cheaper than a substitution
        return " ".join(text.split())
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def unescape(text: str | None) -> str:
    """Normalise a metadata string that may still contain HTML entities."""
    if not text:
        return ""
    if "&" in text:
        text = html_lib.unescape(text)
    return norm(text)


def raw_text(el: El) -> str:
    """The text content of ``el`` (its text and its descendants' texts and tails, as XPath's
    ``string()``), or "". Elements are serialised by libxml2's text output, which gives the same string
    at half the cost of evaluating an XPath (same on the 145,802 block elements of 300 real pages)."""
    try:
        if isinstance(el.tag, str):
            return lxml.etree.tostring(el, method="text", encoding="unicode", with_tail=False)
        value = _STRING(el)
    except (ValueError, TypeError, AttributeError, lxml.etree.LxmlError):
        return ""
    return value if isinstance(value, str) else ""


def text_of(el: El) -> str:
    return norm(raw_text(el))


def link_text_len(el: El) -> int:
    total = 0
    for a in el.iter("a"):
        total += len(norm(raw_text(a)))
    return total


def in_link(el: El, levels: int = 6) -> bool:
    """Whether ``el`` sits inside an ``<a>`` (a teaser card: block content wrapped in a link)."""
    node = el.getparent()
    n = 0
    while node is not None and n < levels:
        if node.tag == "a":
            return True
        node = node.getparent()
        n += 1
    return False


CLASSID_CACHE: ContextVar[dict[El, str] | None] = ContextVar("classid_cache", default=None)
"""Per extraction (set by :func:`pipeline.extract.core.extract`): each element's class/id string is
built once, though six passes look at it."""


def classid(el: El) -> str:
    """``"class id"`` of ``el``, lower-cased."""
    cache = CLASSID_CACHE.get()
    if cache is not None:
        value = cache.get(el)
        if value is None:
            value = cache[el] = _class_and_id(el)
        return value
    return _class_and_id(el)


def _class_and_id(el: El) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def any_word(*words: str, more: str = "") -> re.Pattern[str]:
    """A pattern that finds any of ``words`` (literal strings), and what the regular expression ``more``
    finds. The words are written as a trie (``(?:a(?:d(?:slot|vert)|nzeige)|...``): Python's regex
    engine tries the alternatives of a plain ``adslot|advert|anzeige|...`` one after the other at every
    position of a string, but skips a trie's mismatching branches at their first character (three
    times faster on the class strings of real pages). ``more`` should begin with a literal character
    for the same reason (``ad(?<![^\\s_]ad)s?$`` rather than ``(?:^|[\\s_])ads?$``)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def written(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + written(rest) for char, rest in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else f"(?:{'|'.join(branches)})"
        return body + ("?" if "" in node else "")

    return re.compile("|".join(part for part in (written(tree), more) if part))


_CLASS_HITS: dict[int, tuple[re.Pattern[str], dict[str, bool]]] = {}
"""Per pattern (by ``id``; the pattern is kept with its memo, so the id stays its own): each class/id
string's result. Keyed by id because hashing a compiled pattern hashes its whole program (about
0.7 microseconds for the boilerplate patterns, more than a memo lookup should cost)."""
_MAX_MEMO = 50_000


def _memo(pattern: re.Pattern[str]) -> dict[str, bool]:
    """The memo of ``pattern``'s answers (:data:`_CLASS_HITS`)."""
    entry = _CLASS_HITS.get(id(pattern))
    if entry is None or entry[0] is not pattern:
        entry = _CLASS_HITS[id(pattern)] = (pattern, {})
    return entry[1]


def _search(memo: dict[str, bool], pattern: re.Pattern[str], cid: str) -> bool:
    """Ask ``pattern`` about ``cid`` and remember the answer in ``memo`` (emptied when full)."""
    if len(memo) >= _MAX_MEMO:
        memo.clear()
    hit = memo[cid] = pattern.search(cid) is not None
    return hit


def class_hit(pattern: re.Pattern[str], cid: str) -> bool:
    """``pattern.search(cid)`` as a bool, remembered per pattern and class/id string (pages repeat their
    classes, sites their class names; each memo is bounded)."""
    memo = _memo(pattern)
    hit = memo.get(cid)
    return _search(memo, pattern, cid) if hit is None else hit


def matching(pattern: re.Pattern[str], strings: Iterable[str]) -> set[str]:
    """Those of ``strings`` in which ``pattern`` finds something (remembered as by :func:`class_hit`). A
    pass over a page's marked elements asks once per distinct class/id string, then tests membership:
    a page has a few hundred marked elements and far fewer distinct strings."""
    memo = _memo(pattern)
    found: set[str] = set()
    for cid in strings:
        hit = memo.get(cid)
        if hit is None:
            hit = _search(memo, pattern, cid)
        if hit:
            found.add(cid)
    return found


def is_element(el: Any) -> bool:
    return isinstance(getattr(el, "tag", None), str)


_MARK_ATTRIBUTES = frozenset(("class", "id", "itemprop", "rel", "role", "hidden"))
"""The attributes some pass looks at: an element with one of them is a marked element."""
_MARK_TAGS = frozenset(("header", "form"))
"""Elements marked by their tag alone."""

MARKED_CACHE: ContextVar[dict[str, Any] | None] = ContextVar("marked_cache", default=None)
"""Per extraction (set by :func:`pipeline.extract.core.extract`): the result of :func:`marked_records`
until the tree loses elements (:func:`drop` marks it stale)."""


Marked = tuple[El, str, str, str]
"""A marked element with what the passes read from it: ``(element, tag, classid, itemprop lower-cased)``."""


def marked_records(root: El) -> list[Marked]:
    """The elements of ``root``'s document (the whole document) that carry a class, id, itemprop, rel,
    role or hidden attribute, or are a ``<header>`` or ``<form>``, in document order, with their tag,
    class/id string and itemprop (:data:`Marked`); each pass skips those without the attributes it
    looks at. Within an extraction they are selected and read once: the tree only loses elements (:func:`drop`) and no step
    changes an attribute, so a later call keeps those of the first selection that are still attached to
    the document."""
    cache = MARKED_CACHE.get()
    if cache is None:
        return _read_marked(root)
    top = root.getroottree().getroot()
    if cache.get("top") is not top:
        cache["top"], cache["records"], cache["stale"] = top, _read_marked(root), False
    elif cache["stale"]:
        cache["records"], cache["stale"] = _still_attached(cache["records"], top), False
    return cache["records"]


def _read_marked(root: El) -> list[Marked]:
    """The marked elements of ``root``'s document in document order (elements outside the root element,
    which a broken page can leave beside it, included), each with its class/id string remembered for
    :func:`classid`. A walk that reads each element's attribute names is twice as fast as an XPath
    with the same predicate (libxml2 evaluates ``@class or @id ...`` as node sets)."""
    cache = CLASSID_CACHE.get()
    top = root.getroottree().getroot()
    tops = [*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings()]
    records: list[Marked] = []
    for start in tops:
        for el in start.iter():
            names = el.keys()
            tag = el.tag
            if (not names or _MARK_ATTRIBUTES.isdisjoint(names)) and tag not in _MARK_TAGS:
                continue
            if not isinstance(tag, str):
                continue
            cid = _class_and_id(el) if "class" in names or "id" in names else " "
            if cache is not None:
                cache[el] = cid
            records.append((el, tag, cid, (el.get("itemprop") or "").lower() if "itemprop" in names else ""))
    return records


def _still_attached(records: list[Marked], top: El) -> list[Marked]:
    """Those of ``records`` whose element still lies under ``top`` (each ancestor looked at once)."""
    attached: dict[El, bool] = {top: True}
    out: list[Marked] = []
    for record in records:
        el = record[0]
        chain: list[El] = []
        node: El | None = el
        state = attached.get(el)
        while state is None:
            chain.append(node)
            node = node.getparent()
            state = False if node is None else attached.get(node)
        for n in chain:
            attached[n] = state
        if state:
            out.append(record)
    return out


def release_elements(marked: dict[str, Any] | None, classids: dict[El, str] | None) -> None:
    """Empty an extraction's caches of elements, last element first. Freeing the proxy of an element
    in a subtree that :func:`drop` removed makes lxml scan that subtree for other proxies; freed in
    document order (as a dict frees its entries), each scan runs past all the proxies still to go, so a
    large removed block costs the square of its size. In reverse order each scan ends at the nearest
    ancestor still held: on the 862 evaluation pages freeing took 0.53 s instead of 0.87-1.07 s."""
    if marked:
        marked.clear()  # the records list frees its items last first
    if classids:
        held = list(classids)  # the dict's keys, in the order they came in
        classids.clear()  # the list still holds them: nothing is freed here
        del held  # a list frees its items last first


def subtree_sums(weights: Iterable[tuple[El, float]]) -> dict[El, float]:
    """For each element, the sum of the weights given to it and to its descendants."""
    sums: dict[El, float] = {}
    for el, weight in weights:
        node: El | None = el
        while node is not None:
            sums[node] = sums.get(node, 0) + weight
            node = node.getparent()
    return sums


def direct_text_len(el: El, at_least: int) -> int:
    """Characters of text written straight into ``el`` (its text and its children's tails, whitespace
    collapsed); 0 when even the raw text is shorter than ``at_least``."""
    pieces = [el.text or ""] + [c.tail or "" for c in el]
    if sum(map(len, pieces)) < at_least:
        return 0
    return sum(map(len, map(norm, pieces)))


def iter_ancestors(el: El, limit: int = 400) -> Iterator[El]:
    parent = el.getparent()
    n = 0
    while parent is not None and n < limit:
        yield parent
        parent = parent.getparent()
        n += 1


def mark_tree_changed() -> None:
    """Tell :func:`marked_records` that elements were removed other than by :func:`drop`."""
    cache = MARKED_CACHE.get()
    if cache:
        cache["stale"] = True


def drop(el: El) -> None:
    """Remove an element with its subtree, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    mark_tree_changed()
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    try:
        parent.remove(el)
    except (ValueError, lxml.etree.LxmlError):
        pass


HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def norm_key(text: str) -> str:
    return norm(text).casefold().rstrip(" :.!?…").strip()


def dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out
