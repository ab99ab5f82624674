"""Structured metadata: JSON-LD, meta tags, microdata, canonical URL, language, section and
breadcrumbs, and the title (cleaned of the site name, or the page's ``<h1>``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from .authors import split_names
from .dates import parse_date
from .text import El, dedupe, iter_ancestors, marked_records, norm, text_of, unescape

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "report", "techarticle", "satiricalarticle", "socialmediaposting", "posting",
}

_HOME_WORDS = {"start", "startseite", "home", "homepage", "übersicht", "nachrichten", "news"}
_TITLE_SEP = r"(?:\||–|—|-|::|·|»)"
"""What separates a title from the site's name (with whitespace around it)."""
_TITLE_SEP_RE = re.compile(rf"\s+{_TITLE_SEP}\s+")
_TITLE_SEP_END_RE = re.compile(rf"\s+{_TITLE_SEP}\s*$")
_TITLE_SEP_START_RE = re.compile(rf"^\s*{_TITLE_SEP}\s+")
_SITE_NAME_WORDS = 4
"""The most words of a title segment read as the site's name where it only contains the host's name."""


def _ld_string(value: Any, *keys: str) -> str | None:
    """A JSON-LD value as one string: the first of ``keys`` that is set in an object, the first
    string of a list, the string itself; None otherwise."""
    if isinstance(value, dict):
        value = next((value[k] for k in keys if value.get(k)), None)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) else None


def _normalize_language(value: Any) -> str | None:
    value = _ld_string(value, "alternateName", "name")
    if value is None:
        return None
    s = value.strip().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", s):
        return None
    parts = s.split("-")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.upper() if len(p) == 2 else p)
    return "-".join(out)


def _absolute_url(value: Any, base: str | None) -> str | None:
    value = _ld_string(value, "@id", "url")
    if value is None:
        return None
    href = value.strip()
    if not href or len(href) > 2000 or any(ch.isspace() for ch in href):
        return None
    try:
        if base:
            href = urljoin(base, href)
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return href


# --------------------------------------------------------------------------- JSON-LD


def _parse_json_ld(raw: str) -> Any:
    s = raw.strip()
    for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        s = s.replace(junk, "")
    s = s.strip().rstrip(";")
    if not s:
        return None
    try:
        return json.loads(s, strict=False)
    except (ValueError, RecursionError):
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", s)
    try:
        return json.loads(repaired, strict=False)
    except (ValueError, RecursionError):
        return None


def _json_nodes(data: Any, limit: int = 5000) -> list[dict[str, Any]]:
    """All dicts in a JSON-LD document (iteratively, depth- and size-limited)."""
    out: list[dict[str, Any]] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack and len(out) < limit:
        node, depth = stack.pop()
        if depth > 40:
            continue
        if isinstance(node, dict):
            out.append(node)
            for value in node.values():
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            for value in reversed(node):
                if isinstance(value, dict | list):
                    stack.append((value, depth + 1))
    return out


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    out = set()
    for v in values:
        if isinstance(v, str):
            out.add(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return out


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str) and v.strip():
                return v
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            if isinstance(value.get(key), str):
                return value[key]
    return None


@dataclass
class _JsonLd:
    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    description: str | None = None
    body: str | None = None
    url: Any = None  # "url" or "mainEntityOfPage" as given: a string or an object; _absolute_url reads either
    language: str | None = None
    breadcrumb_section: str | None = None


def _json_ld_authors(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:50]:
        if isinstance(item, dict) and set(item) <= {"@id", "@type"} and isinstance(item.get("@id"), str):
            item = index.get(item["@id"], item)
        if isinstance(item, str):
            names.extend(split_names(item, strict=False))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                for n in name:
                    if isinstance(n, str):
                        names.extend(split_names(n, strict=False))
            elif isinstance(name, str):
                names.extend(split_names(name, strict=False))
            else:
                given, family = item.get("givenName"), item.get("familyName")
                if isinstance(given, str) and isinstance(family, str):
                    names.append(norm(f"{given} {family}"))
    return names


def _read_json_ld(root: El, warnings: list[str]) -> _JsonLd:
    result = _JsonLd()
    nodes: list[dict[str, Any]] = []
    bad = 0
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _parse_json_ld(script.text or "")
        if data is None:
            bad += 1
            continue
        nodes.extend(_json_nodes(data))
    if bad:
        warnings.append(f"invalid JSON-LD ignored ({bad} block{'s' if bad > 1 else ''})")
    if not nodes:
        return result
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 2}
    articles = [n for n in nodes if _types(n) & _ARTICLE_TYPES
                or any(t.endswith("newsarticle") for t in _types(n))]
    webpages = [n for n in nodes if _types(n) & {"webpage", "itempage", "collectionpage"}]
    for n in nodes:
        if "breadcrumblist" in _types(n) and result.breadcrumb_section is None:
            result.breadcrumb_section = _breadcrumb_from_json(n)
        if result.language is None and n.get("inLanguage") is not None:
            result.language = _normalize_language(n.get("inLanguage"))
    if not articles:
        if webpages:
            page = webpages[0]
            result.published = parse_date(_first_str(page.get("datePublished")))
            result.modified = parse_date(_first_str(page.get("dateModified")))
        return result

    def rank(n: dict[str, Any]) -> tuple[int, int]:
        body = n.get("articleBody")
        return (len(body) if isinstance(body, str) else 0, 1 if n.get("headline") else 0)

    art = max(articles, key=rank)
    result.headline = unescape(_first_str(art.get("headline")) or _first_str(art.get("name"))) or None
    result.published = parse_date(_first_str(art.get("datePublished")) or _first_str(art.get("dateCreated")))
    result.modified = parse_date(_first_str(art.get("dateModified")))
    authors = _json_ld_authors(art.get("author"), index) or _json_ld_authors(art.get("creator"), index)
    result.authors = dedupe(a for a in authors if a)
    result.section = unescape(_first_str(art.get("articleSection"))) or None
    result.description = unescape(_first_str(art.get("description"))) or None
    body = art.get("articleBody") or art.get("text")
    if isinstance(body, str) and body.strip():
        result.body = body
    result.url = art.get("url") or art.get("mainEntityOfPage")  # resolved by the caller
    if art.get("inLanguage") is not None:
        result.language = _normalize_language(art.get("inLanguage")) or result.language
    return result


def _breadcrumb_from_json(node: dict[str, Any]) -> str | None:
    items = node.get("itemListElement")
    if not isinstance(items, list):
        return None
    named: list[tuple[int, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not isinstance(name, str) and isinstance(item.get("item"), dict):
            name = item["item"].get("name")
        pos = item.get("position")
        if isinstance(name, str) and name.strip():
            named.append((pos if isinstance(pos, int) else i, unescape(name)))
    named.sort(key=lambda t: t[0])
    names = [n for _, n in named if n.casefold() not in _HOME_WORDS]
    if len(names) >= 2:
        return names[-2]  # the last item is usually the article itself
    return None


# --------------------------------------------------------------------------- meta tags


def _read_meta_tags(root: El) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _meta_first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            text = unescape(value)
            if text:
                return text
    return None


_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "og:published_time",
    "published_time", "article.published", "pubdate", "publishdate", "publish-date", "publication_date",
    "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "og:pubdate", "datecreated",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time", "modified_time",
    "article.updated", "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "revised",
)


# --------------------------------------------------------------------------- microdata, canonical URL, breadcrumbs


def _read_microdata(root: El) -> dict[str, str]:
    """The first ``datePublished``, ``dateModified``, ``headline`` and ``articleSection`` itemprop values."""
    microdata: dict[str, str] = {}
    for el, _tag, _cid, itemprop in marked_records(root):
        prop = itemprop.strip()
        if prop in ("datepublished", "datemodified", "headline", "articlesection") and prop not in microdata:
            value = el.get("content") or el.get("datetime") or text_of(el)
            if value:
                microdata[prop] = value
    return microdata


def _canonical_url(root: El, meta: dict[str, list[str]], ld: _JsonLd, url: str | None) -> str | None:
    """``<link rel="canonical">``, else ``og:url``, else the JSON-LD url; absolute, None if unusable."""
    canonical: str | None = None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel:
            canonical = _absolute_url(link.get("href"), url)
            if canonical:
                break
    canonical = canonical or _absolute_url(_meta_first(meta, "og:url"), url) or _absolute_url(ld.url, url)
    if canonical and url:
        # a canonical pointing at the home page of an article URL is a CMS bug
        if _url_path(canonical) in ("", "/") and len(_url_path(url)) > 1:
            canonical = None
    return canonical


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:  # "http://[": a malformed host; the base URL of a page is not checked before
        return ""


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


_WRITTEN_BY_LABELS = frozenset(("written by", "geschrieben von", "verfasst von", "von", "autor", "autorin",
                                "author", "escrito por", "écrit par", "scritto da"))
"""The labels of the "Written by" line that SEO plugins (Yoast) put in ``twitter:label1`` for link
previews, with the author's name in ``twitter:data1``."""


def _meta_authors(meta: dict[str, list[str]]) -> list[str]:
    """Author names from the first author meta tag that gives any (profile URLs and handles skipped); the
    "Written by" line of a link preview (``twitter:label1``/``twitter:data1``) last."""
    authors: list[str] = []
    written_by = [f"twitter:data{i}" for i in range(1, 5)
                  if (_meta_first(meta, f"twitter:label{i}") or "").strip().casefold() in _WRITTEN_BY_LABELS]
    for key in ("author", "article:author", "og:article:author", "dc.creator", "dcterms.creator", "parsely-author",
                "sailthru.author", "twitter:creator:name", *written_by):
        for value in meta.get(key, ()):
            if value.strip().lower().startswith(("http://", "https://", "@")):
                continue
            authors.extend(split_names(value, strict=False))
        if authors:
            break
    return authors


def _html_breadcrumb(root: El, url: str | None, title: str | None) -> str | None:
    """The last item of the first breadcrumb element (home links and the article title left out)."""
    for el, _tag, cid, _itemprop in marked_records(root):
        if "breadcrumb" in cid:
            crumbs = [text_of(a) for a in el.iter("a") if _absolute_url(a.get("href"), url) != url]
            crumbs = crumbs or re.split(r"\s*[›>»/|]\s*", text_of(el))
            crumbs = [c for c in crumbs if c and c.casefold() not in _HOME_WORDS and len(c) < 60]
            crumbs = [c for c in crumbs if not title or c.casefold() != title.casefold()]
            if crumbs:
                return crumbs[-1]
            break
    return None


# --------------------------------------------------------------------------- title


def choose_h1(root: El, page_title: str) -> El | None:
    """The ``<h1>`` most likely to be the headline (inside <article>/<main>, in the page title, long)."""
    best: tuple[int, int] | None = None
    chosen = None
    for i, h1 in enumerate(root.iter("h1")):
        text = text_of(h1)
        if not text:
            continue
        score = 0
        if any(a.tag in ("article", "main") for a in iter_ancestors(h1)):
            score += 2
        if page_title and text.casefold() in page_title.casefold():
            score += 1
        if len(text) > 20:
            score += 1
        key = (score, -i)
        if best is None or key > best:
            best, chosen = key, h1
        if i > 20:
            break
    return chosen


def clean_title(title: str, site_name: str | None, host: str | None = None) -> str:
    """Strip a trailing (or leading) site name: "Titel | Rhein-Ruhr-Bote" -> "Titel"."""
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        key = site_name.casefold()
        if parts[-1].casefold() == key or key in parts[-1].casefold():
            return _TITLE_SEP_END_RE.sub("", title[: title.rfind(parts[-1])])
        if parts[0].casefold() == key:
            return _TITLE_SEP_START_RE.sub("", title[len(parts[0]):])
    # without a known site name: drop a segment naming the host (last, then first), else a short last
    # segment after " | "
    first, last = parts[0], parts[-1]
    cut_last = len(title) - len(last) >= 15
    if cut_last and _names_host(last, host):
        return _TITLE_SEP_END_RE.sub("", title[: title.rfind(last)])
    if len(title) - len(first) >= 15 and _names_host(first, host):
        return _TITLE_SEP_START_RE.sub("", title[len(first):])
    if cut_last and " | " in title and len(last) <= 40:
        return _TITLE_SEP_END_RE.sub("", title[: title.rfind(last)])
    return title


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae"))


def _names_host(segment: str, host: str | None) -> bool:
    """Whether a title segment is the site's name: part of the host ("rheinruhrbote.de"), or a short
    segment (a site's name has a few words; "comwrap auf der DMEXCO 2018" is a subtitle) that holds the
    host's name ("MyOOS Community Forum" on foren.myoos.de)."""
    if not host:
        return False
    squashed = _squash(segment)
    if len(squashed) >= 3 and squashed in _squash(host):
        return True
    labels = host.lower().split(".")
    name = _squash(labels[-2]) if len(labels) >= 2 else ""
    return len(name) >= 5 and name in squashed and len(segment.split()) <= _SITE_NAME_WORDS


_SEPARATOR = rf"(?:{_TITLE_SEP}|›|•|/)"
"""The title separators and more: where the ``<h1>`` confirms the seam, "›", "•" and "/" separate too."""
_LEADING_SEP_RE = re.compile(rf"\s*{_SEPARATOR}\s")
_TRAILING_SEP_RE = re.compile(rf"\s{_SEPARATOR}\s*$")


def title_confirmed_by(title: str, heading: str) -> str:
    """``heading`` (the page's ``<h1>``) where ``title`` is that heading with a site name or tagline
    put after or before it behind a separator ("Laufen im Winter › Nordish by Nature"): the heading
    shows where the title ends. ``title`` otherwise."""
    if len(heading) < 10 or title == heading:
        return title
    if title.startswith(heading) and _LEADING_SEP_RE.match(title, len(heading)):
        return heading
    if title.endswith(heading) and _TRAILING_SEP_RE.search(title[: len(title) - len(heading)]):
        return heading
    return title


_DASHES_QUOTES = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                                "«": '"', "»": '"'})


def _comparable(text: str) -> str:
    return " ".join(text.translate(_DASHES_QUOTES).casefold().split())


def title_agrees(page_title: str, heading: str, title: str) -> bool:
    """Whether the page's ``<title>`` is its ``<h1>`` (alone or with a site name or kicker behind a
    separator) while it does not hold the metadata ``title``: two sources against one, as where
    ``og:title`` names the section ("Pressemitteilungen") or an older headline."""
    if not page_title or len(heading) < 20:
        return False
    page = _comparable(page_title)
    head = _comparable(heading)
    if page != head and title_confirmed_by(page, head) != head:
        return False
    return _comparable(title) not in page


# --------------------------------------------------------------------------- all metadata


@dataclass
class Metadata:
    """What tiers 1 and 2 (JSON-LD, meta tags, microdata) say about a page, with what the later
    steps need from its ``<head>``. The page heuristics fill in ``title``, ``published``,
    ``modified`` and ``authors`` where these are missing."""

    language: str | None
    canonical: str | None
    site_name: str | None
    host: str | None
    page_title: str  # the text of <title>, "" if none
    title: str | None
    published: str | None
    modified: str | None
    authors: list[str]
    section: str | None
    breadcrumb_section: str | None
    description: str | None
    article_body: str | None  # the JSON-LD articleBody


def read_metadata(root: El, url: str | None, warnings: list[str]) -> Metadata:
    """Tiers 1 and 2: JSON-LD, meta tags, ``<link rel="canonical">`` and microdata (the tree is not
    changed). ``url`` is the base for relative links; invalid JSON-LD is reported in ``warnings``."""
    ld = _read_json_ld(root, warnings)
    meta = _read_meta_tags(root)
    language = _normalize_language(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
    language = language or ld.language or _normalize_language(
        _meta_first(meta, "content-language", "language", "dc.language", "og:locale", "inlanguage"))
    canonical = _canonical_url(root, meta, ld, url)
    site_name = _meta_first(meta, "og:site_name", "application-name")
    host = _hostname(canonical or url or "")
    page_title = ""
    title_el = root.find(".//title")
    if title_el is not None:
        page_title = text_of(title_el)
    microdata = _read_microdata(root)

    title = ld.headline
    if not title:
        og = _meta_first(meta, "og:title", "twitter:title", "dc.title")
        title = clean_title(og, site_name, host) if og else None
    title = title or (unescape(microdata.get("headline")) or None)
    published = ld.published or parse_date(_meta_first(meta, *_PUBLISHED_KEYS)) or parse_date(
        microdata.get("datepublished"))
    modified = ld.modified or parse_date(_meta_first(meta, *_MODIFIED_KEYS)) or parse_date(
        microdata.get("datemodified"))
    authors = list(ld.authors) or _meta_authors(meta)
    section = ld.section or _meta_first(meta, "article:section", "og:article:section", "section",
                                        "parsely-section", "cxenseparse:recs:category")
    section = section or (unescape(microdata.get("articlesection")) or None)
    breadcrumb_section = ld.breadcrumb_section
    if not section and not breadcrumb_section:
        breadcrumb_section = _html_breadcrumb(root, url, title)
    description = ld.description or _meta_first(meta, "og:description", "description", "twitter:description")
    return Metadata(
        language=language,
        canonical=canonical,
        site_name=site_name,
        host=host,
        page_title=page_title,
        title=title,
        published=published,
        modified=modified,
        authors=authors,
        section=section,
        breadcrumb_section=breadcrumb_section,
        description=description,
        article_body=ld.body,
    )
