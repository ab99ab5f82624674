"""Author names: splitting and checking name strings, and bylines on the page (byline markup,
"Von Anna Schmidt" lines)."""

from __future__ import annotations

import re

from .text import (
    El,
    any_word,
    class_hit,
    classid,
    dedupe,
    is_element,
    iter_ancestors,
    marked_records,
    matching,
    norm,
    text_of,
    unescape,
)

_BYLINE_RE = any_word("author", "byline", "autor", "verfasser")  # ("credits-author" holds "author")

_NAME_PARTICLES = {"von", "van", "de", "der", "den", "del", "da", "di", "du", "la", "le", "zu", "zur", "vom",
                   "ter", "ten", "al", "el", "bin", "ibn", "y", "und"}
AGENCY_CODES = frozenset({
    "dpa", "afp", "ap", "epd", "kna", "sid", "reuters", "dts", "ddp", "apa", "sda", "ats", "efe", "ansa", "pap",
    "dapd", "idea", "kap", "upi", "bloomberg", "dpa-afx", "afx", "rtr",
    # dpa's regional services: lnw (NRW), lno (Nord), lby, lsw, lhe, lrs, lsn, lth, lbn, lmv, lsa, lni
    "lnw", "lno", "lby", "lsw", "lhe", "lrs", "lsn", "lth", "lbn", "lmv", "lsa", "lni",
})
"""News agencies and their service codes as bylines write them (``dpa/lno``, ``AFP``): sources, not
authors."""
_NO_ONE = frozenset({"admin", "administrator", "gast", "guest"})
_AGENCIES = AGENCY_CODES | {"red", "redaktion"}
_NOT_NAME_WORDS = {"uhr", "stand", "aktualisiert", "foto", "bild", "quelle", "mehr", "artikel", "teilen",
                   "kommentar", "kommentare", "minuten", "lesezeit", "update", "von", "am", "um", "heute",
                   "gestern", "autor", "autorin", "folgen", "profil", "e-mail", "mail", "redakteur", "redakteurin",
                   "newsletter", "anzeige", "startseite", "anfang", "ende", "mitte", "seit", "bis",
                   "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
                   "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
                   "oktober", "november", "dezember"}
_BYLINE_PREFIX_RE = re.compile(r"^(?:ein\s+(?:bericht|beitrag|kommentar)\s+)?(?:von|vom|text|autor|autorin|autoren"
                               r"|(?:verfasst|geschrieben|veröffentlicht|erstellt|eingestellt|posted|written|published)"
                               r" (?:von|by)|by|por|par)\s*[:]?\s+", re.I)
_AUTHOR_LINK_RE = re.compile(
    r"^(?:(?:view|see|show|read)\s+(?:all\s+|more\s+)?(?:posts|articles|stories|entries)\s+(?:by|from)"
    r"|(?:zeige\s+)?alle\s+(?:beiträge|artikel|einträge)\s+(?:von|vom)"
    r"|(?:mehr|weitere)\s+(?:beiträge|artikel)\s+(?:von|vom)"
    r"|(?:posts|articles)\s+by)\s+", re.I)
"""The label of a link to an author's page ("View all posts by Daniel Lemire", "Zeige alle Beiträge von
Petra Ruland"), which blog themes put in the byline: the name after it is the author."""
_TAG_RE = re.compile(r"<[^<>]*>")
_UI_LABEL_RE = re.compile(
    r"(?:view|see|show)\s+(?:my|the|full|complete|\s)*profile|(?:zeige\s+)?alle\s+(?:beiträge|artikel|einträge)"
    r"|weitere\s+(?:beiträge|artikel)|mehr\s+(?:beiträge|artikel)|weiter(?:lesen)?|mehr|more|read\s+more"
    r"|gesponserte\s+inhalte|sponsored(?:\s+content)?|(?:all\s+)?(?:posts|articles)|archiv(?:\s+anzeigen)?", re.I)
"""Link and button labels of author boxes that name no one ("View my complete profile", "Alle
Beiträge", "Weitere Artikel", "weiter"): not an author, even where the markup says author."""
_BYLINE_TAIL_RE = re.compile(r"\s[·|•]\s|\s[–—]\s|\s\|\s?|\||,?\s(?:illustrationen|illustration|fotos|foto|bilder|grafiken"
                             r"|grafik|photos|photo|illustrations)\s*(?:von|by|:)\s", re.I)
"""Where a byline's names end ("Anna Schmidt · 24.11.2026", "Anna Schmidt | Duisburg", "Anna Schmidt, Fotos:
Jan Berg")."""
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\bund\b|\band\b|/|\|)\s*")


def _key(name: str) -> str:
    return re.sub(r"[^\w]+", "", name.casefold())


_ORG_FORM_RE = re.compile(r"(?:^|\s)(?:e\.\s?v\.|gmbh|mbh|ag|kg|ug|se|gbr|ltd\.?|inc\.?|llc|plc|s\.a\.|s\.l\.)(?:$|[\s,])"
                          r"|(?:^|\s)(?:www\.|https?://)|\.(?:de|com|net|org|at|ch|eu|info)(?:$|[\s/)])", re.I)
"""A legal form (``e.V.``, ``GmbH``, ``AG``) or a web address in an author string: an organisation."""


def _site_keys(site_name: str | None, host: str | None) -> set[str]:
    """The keys (:func:`_key`) under which a page names its own site: ``og:site_name``, the host, the
    host without ``www.`` and its main label."""
    domain = (host or "").removeprefix("www.")
    return {_key(site_name or ""), _key(host or ""), _key(domain), _key(domain.split(".")[0])} - {""}


def is_weak_author(name: str, site_name: str | None, host: str | None) -> bool:
    """Whether a metadata author names the site or an organisation (the site's own name, ``Bund der
    Energieverbraucher e.V.``, ``Web Commerce GmbH www.w-commerce.de``) rather than a person: such an
    author is kept only where no byline on the page names one."""
    return _key(name) in _site_keys(site_name, host) or bool(_ORG_FORM_RE.search(name))


def split_agencies(names: list[str], site_name: str | None, host: str | None) -> tuple[list[str], list[str]]:
    """``(authors, agencies)`` of the names found: agency codes go to the second list; the site's own
    name (``og:site_name``, the host's main label) unless it is a person's name, and placeholders
    (``admin``, ``guest``) name no author and are left out of both; ``Redaktion`` (the newsroom signing)
    stays an author."""
    site_keys = _site_keys(site_name, host)
    authors: list[str] = []
    agencies: list[str] = []
    for name in names:
        key = name.casefold().strip(" .")
        if key in AGENCY_CODES:
            agencies.append(name)
        elif key in _NO_ONE:
            continue
        elif _key(name) in site_keys and (" " not in name.strip() or not _looks_like_name(name)):
            continue  # the site's name; a personal blog named after its author keeps the author
        else:
            authors.append(name)
    return dedupe(authors), dedupe(agencies)


def _looks_like_name(s: str, strict: bool = True) -> bool:
    """Plausible person name ("Anna Schmidt", "Selin Aydın", "Hans-Peter von der Heide")."""
    if not s or len(s) > 60 or any(ch.isdigit() for ch in s) or "@" in s or "http" in s.lower():
        return False
    tokens = s.split()
    if len(tokens) == 1:
        return s.casefold() in _AGENCIES if strict else (s[0].isupper() or s.casefold() in _AGENCIES)
    if len(tokens) > 5:
        return False
    if any(t.casefold().strip(".") in _NOT_NAME_WORDS and t.casefold() not in _NAME_PARTICLES for t in tokens):
        return False
    for t in tokens:
        if t.casefold() in _NAME_PARTICLES:
            continue
        if not t[0].isupper():
            return False
        if not all(ch.isalpha() or ch in "-.'’" for ch in t):
            return False
    return tokens[-1].casefold() not in _NAME_PARTICLES


def _clean_author(raw: str) -> str:
    s = unescape(raw)
    if "<" in s:  # markup in a metadata field: <a href="/autoren/anna">Anna Schmidt</a>
        s = norm(_TAG_RE.sub(" ", s))
    s = _AUTHOR_LINK_RE.sub("", s)
    s = _BYLINE_PREFIX_RE.sub("", s).strip(" ,;|·–-→»›>")
    return "" if _UI_LABEL_RE.fullmatch(s) else s


def split_names(raw: str, strict: bool) -> list[str]:
    """Split an author string into names; structured sources (strict=False) may keep odd names."""
    s = _clean_author(raw)
    if not s:
        return []
    parts = [p.strip(" .,;|·–-") for p in _NAME_SPLIT_RE.split(s)]
    parts = [p for p in parts if p]
    if parts and all(_looks_like_name(p, strict=True) for p in parts):
        return parts
    # "Anna Schmidt, Redakteurin" or "Anna Schmidt, Duisburg": keep the names.
    names = [p for p in parts if _looks_like_name(p, strict=True)]
    if names or strict:
        return names
    if len(s) <= 100 and not s.lower().startswith("http"):
        return [s]  # structured data: an organisation name like "Rhein-Ruhr-Bote"
    return []


_NAME_CLASS_RE = re.compile(r"(?:^|\s)(?:fn|author-?name|author__name)(?:\s|$)")
_COMMENT_RE = any_word("comment", "kommentar", "reply", "replies", "antwort", "discussion", "forum")


def _in_comments(el: El) -> bool:
    """Whether ``el`` sits in a reader-comment section (whose authors are not the article's)."""
    return any(class_hit(_COMMENT_RE, classid(a)) for a in iter_ancestors(el, 30))


MAX_BYLINE_NAMES = 6
"""Byline markup that gives more names than this is a list of teasers (each card with its author),
not the article's byline: no author is read from it."""


def byline_authors(root: El, skip_comments: bool = False) -> tuple[list[str], list[El]]:
    """Authors from byline markup; also the byline elements found (removed from the text later).
    ``skip_comments`` leaves out bylines in comment sections (for a page not yet cleaned)."""
    names: list[str] = []
    elements: list[El] = []
    records = marked_records(root)
    byline_cids = matching(_BYLINE_RE, {cid for _, _, cid, _ in records})
    for el, tag, cid, itemprop in records:
        if tag in ("html", "body", "article", "main"):
            continue
        rel = (el.get("rel") or "").lower()
        if not (itemprop == "author" or rel == "author" or (cid in byline_cids and cid.strip())):
            continue
        text = text_of(el)
        if not text or len(text) > 200 or (skip_comments and _in_comments(el)):
            continue
        elements.append(el)
        # the name inside: schema.org microdata (itemprop=name) or an hCard's formatted name (class "fn")
        inner = [d for d in el.iter() if is_element(d) and (
            (d.get("itemprop") or "").lower() == "name" or "fn" in (d.get("class") or "").split())]
        source = [text_of(d) for d in inner] if inner else [text]
        # markup that says "this is the author's name" (rel=author, itemprop, hCard's fn) also vouches
        # for a one-word name or nickname ("Tobi", "oradmin"); a class like "author-box" does not
        explicit = itemprop == "author" or rel == "author" or bool(inner) or class_hit(_NAME_CLASS_RE, cid)
        for s in source:
            s = _BYLINE_TAIL_RE.split(s)[0]
            names.extend(split_names(s, strict=not (explicit and len(s) <= 40)))
    names = dedupe(names)
    # more names than an article has authors: the bylines of a teaser list, not the article's
    return ([] if len(names) > MAX_BYLINE_NAMES else names), elements


_LABEL_RE = re.compile(r"(?:von|text|autor(?:in|en)?|auteur|autore|author)\s*:?", re.I)
"""A byline label on its own, the name in the next element."""
_VON_PHRASES = ("ein artikel von", "ein beitrag von", "ein text von", "artikel von", "beitrag von", "text von",
                "geschrieben von", "verfasst von", "von", "text", "autorin", "autor")
"""How a byline line begins, the longer phrase first ("Von Anna Schmidt", "Ein Beitrag von Anna Schmidt",
"Verfasst von: ..."); the names after it must read as names (strict), so "Ein Artikel von gestern hat ..."
names no one."""
_VON_RE = re.compile(r"^(?:" + "|".join(p.replace(" ", r"\s+") for p in _VON_PHRASES) + r")\s*:?\s+(.{3,120})$", re.I)
_VON_STARTS = (*_VON_PHRASES, "auteur", "author")
"""The starts of the elements worth reading: the phrases, and the labels "Auteur :" and "Author" (:data:`_LABEL_RE`)
before a name in the next element."""


def von_bylines(root: El) -> tuple[list[str], list[El]]:
    """"Von Anna Schmidt" lines in short elements: the names of the first three, and those elements; no
    names where the lines name more than :data:`MAX_BYLINE_NAMES` people (a teaser list)."""
    names: list[str] = []
    elements: list[El] = []
    seen: list[str] = []  # the names of every line read, to tell a teaser list
    lines = 0
    for el in root.iter("p", "span", "div", "address", "small", "strong", "em", "b", "i", "li", "dt", "th", "h4", "h5",
                        "h6"):
        first = (el.text or "").strip()
        if not first or not first[:16].lower().startswith(_VON_STARTS):
            continue
        text = text_of(el)
        if len(text) > 150:
            continue
        m = _VON_RE.match(text)
        line = [el]
        if m:
            rest = m.group(1)
        elif _LABEL_RE.fullmatch(text):  # <h4>Autor</h4><p><a href="/profil/...">Nikolai Huke</a></p>
            nxt = el.getnext()
            rest = text_of(nxt) if is_element(nxt) else ""
            if not rest or len(rest) > 80:
                continue
            line.append(nxt)
        else:
            continue
        rest = _BYLINE_TAIL_RE.split(rest)[0]
        found = split_names(rest, strict=True)
        if not found:
            continue
        lines += 1
        seen.extend(found)
        if lines <= 3:
            names.extend(found)
            elements.extend(line)
        if len(dedupe(seen)) > MAX_BYLINE_NAMES:
            return [], elements
        if lines > MAX_BYLINE_NAMES:
            break
    return dedupe(names), elements
