"""Sources: the TOML config, and discovery of article URLs from feeds, sitemaps and directories.

A config is a list of ``[[source]]`` tables::

    [[source]]
    name = "rp-duisburg"
    kind = "feed"            # feed | sitemap | urls | directory
    url = "https://rp-online.de/nrw/staedte/duisburg/feed.rss"
    region = ["Duisburg", "Niederrhein"]
    allow_private = false    # allow loopback/private addresses on this source's own hosts (tests, demo)
    min_delay = 1.0          # optional per-host politeness override, seconds (0 to 60)
    timeout = 20.0           # optional fetch overrides: connect/read timeout (seconds, 0.05 to 600),
    retries = 3              #   retries of transient failures (0 to 10),
    backoff = 0.5            #   base of the exponential backoff between them (seconds, 0 to 60),
    max_bytes = 10000000     #   cap on a (decompressed) body (1024 to 1073741824)

``allow_private`` covers the hosts of the source's own ``url``/``urls`` only: a redirect or an
article link to another private host is refused.

``kind = "urls"`` takes ``urls = [...]``; ``kind = "directory"`` takes ``path`` (relative to
the config file) and ``pattern`` (a relative glob, default ``*.html``: the files in that folder
only; ``**/*.html`` looks into every subfolder too). A directory where the pattern matches no file
is an error of the source (its message suggests ``**/*.html``), not a run of nothing.
A config may start with a UTF-8 byte-order mark.
"""

from __future__ import annotations

import calendar
import contextlib
import gzip
import io
import math
import os
import re
import tempfile
import time
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from pipeline.bounds import SETTING_RANGES, check_setting
from pipeline.urls import is_http_url

__all__ = [
    "KINDS", "DiscoveryError", "FeedEntry", "Source", "SourceConfigError", "directory_files",
    "dump_sources", "load_sources", "parse_feed", "parse_sitemap",
]

KINDS = ("feed", "sitemap", "urls", "directory")
#: Cap on the decompressed size of a gzip-compressed sitemap or feed (the sitemap protocol's limit).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_KEYS = {"name", "kind", "url", "urls", "path", "pattern", "region", "allow_private", "min_delay", "timeout",
         "retries", "backoff", "max_bytes"}
#: Per-source fetch overrides (besides ``min_delay``): key -> (type, smallest, largest allowed value).
_FETCH_KEYS: dict[str, tuple[type, float, float]] = {
    k: SETTING_RANGES[k] for k in ("timeout", "retries", "backoff", "max_bytes")}


class SourceConfigError(ValueError):
    """A sources config that cannot be used; the message is one line naming file and source."""


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be parsed, or a directory that is missing (a one-line message)."""

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


@dataclass
class Source:
    """One configured source."""

    name: str
    kind: str
    url: str | None = None
    urls: list[str] = field(default_factory=list)
    path: str | None = None
    pattern: str = "*.html"
    region: list[str] = field(default_factory=list)
    allow_private: bool = False
    min_delay: float | None = None
    timeout: float | None = None
    retries: int | None = None
    backoff: float | None = None
    max_bytes: int | None = None

    def fetch_overrides(self) -> dict[str, Any]:
        """The :class:`~pipeline.fetch.FetchSettings` fields this source sets (``min_delay``, ``timeout`` ...)."""
        keys = ("min_delay", *_FETCH_KEYS)
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    def own_hosts(self) -> frozenset[str]:
        """Host names of the URLs configured for this source (``url``, ``urls``): the hosts that
        ``allow_private`` covers (lower case, no trailing dot)."""
        hosts = set()
        for url in (self.url, *self.urls):
            try:
                host = urlsplit(url).hostname if url else None
            except ValueError:
                host = None
            if host:
                hosts.add(host.rstrip("."))
        return frozenset(hosts)


@dataclass
class FeedEntry:
    """An article URL listed by a feed or sitemap."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601 (UTC when a time is given), or None


# --------------------------------------------------------------------------- config


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def load_sources(path: str | os.PathLike[str]) -> list[Source]:
    """Read and validate a sources config; raises :class:`SourceConfigError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SourceConfigError(f"{p}: sources config not found") from None
    except IsADirectoryError:
        raise SourceConfigError(f"{p}: is a directory, not a sources config") from None
    except OSError as err:
        raise SourceConfigError(f"{p}: cannot read sources config: {_one_line(err.strerror or err)}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a byte-order mark (Windows editors) is accepted
    except UnicodeDecodeError as err:
        raise SourceConfigError(f"{p}: not UTF-8 text ({_one_line(err)})") from None
    except tomllib.TOMLDecodeError as err:
        raise SourceConfigError(f"{p}: TOML syntax error: {_one_line(err)}") from None
    except RecursionError:
        raise SourceConfigError(f"{p}: TOML nested too deeply") from None
    except ValueError as err:  # e.g. an integer with thousands of digits
        raise SourceConfigError(f"{p}: TOML value error: {_one_line(err)}") from None

    unknown_top = sorted(set(data) - {"source"})
    if unknown_top:
        raise SourceConfigError(f"{p}: unknown top-level key {unknown_top[0]!r} (expected [[source]] tables)")
    tables = data.get("source")
    if tables is None:
        raise SourceConfigError(f"{p}: no [[source]] tables")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourceConfigError(f"{p}: 'source' must be an array of tables ([[source]])")

    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, table in enumerate(tables, 1):
        src = _parse_source(table, p, i)
        if src.name in seen:
            raise SourceConfigError(f"{p}: source {src.name!r}: duplicate name (also source #{seen[src.name]})")
        seen[src.name] = i
        sources.append(src)
    return sources


def _parse_source(t: dict[str, Any], p: Path, i: int) -> Source:
    name = t.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceConfigError(f"{p}: source #{i}: missing or empty 'name'")
    where = f"{p}: source {name!r}"

    def fail(msg: str) -> SourceConfigError:
        return SourceConfigError(f"{where}: {msg}")

    unknown = sorted(set(t) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})")
    kind = t.get("kind")
    if kind is None:
        raise fail(f"'kind' is missing ({', '.join(KINDS[:-1])} or {KINDS[-1]})")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")

    def url_ok(value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{key!r} must be a non-empty string")
        if not is_http_url(value):
            raise fail(f"{key} {value!r} is not an http(s) URL")
        return value.strip()

    url = t.get("url")
    urls: list[str] = []
    path = t.get("path")
    if kind in ("feed", "sitemap"):
        if url is None:
            raise fail(f"kind {kind!r} needs 'url'")
        url = url_ok(url, "url")
    elif url is not None:
        url = url_ok(url, "url")
    if kind == "urls":
        raw_urls = t.get("urls")
        if not isinstance(raw_urls, list) or not raw_urls:
            raise fail("kind 'urls' needs a non-empty list 'urls'")
        urls = [url_ok(u, "urls entry") for u in raw_urls]
    elif "urls" in t:
        raise fail(f"'urls' is only used with kind 'urls', not {kind!r}")
    if kind == "directory":
        if not isinstance(path, str) or not path.strip():
            raise fail("kind 'directory' needs 'path'")
        full = Path(path) if Path(path).is_absolute() else p.parent / path
        if not full.is_dir():
            raise fail(f"directory {path!r} not found (looked in {full})")
    elif path is not None:
        raise fail(f"'path' is only used with kind 'directory', not {kind!r}")

    pattern = t.get("pattern", "*.html")
    if not isinstance(pattern, str) or not pattern.strip():
        raise fail("'pattern' must be a non-empty string")
    if pattern.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", pattern) or "\0" in pattern \
            or re.match(r"^[A-Za-z]:", pattern):
        raise fail(f"'pattern' {pattern!r} must be a relative glob inside the directory (no '..', no absolute path)")
    region = t.get("region", [])
    if isinstance(region, str):
        region = [region]
    if not isinstance(region, list) or not all(isinstance(r, str) for r in region):
        raise fail("'region' must be a string or a list of strings")
    allow_private = t.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise fail("'allow_private' must be true or false")
    numbers: dict[str, Any] = {}
    for key in ("min_delay", *_FETCH_KEYS):  # bounded: NaN, inf, negative, true/false and 1e9 are refused
        if t.get(key) is not None:
            try:
                numbers[key] = check_setting(key, t[key])
            except ValueError as err:
                raise fail(str(err)) from None
    return Source(name=name, kind=kind, url=url, urls=urls, path=path, pattern=pattern,
                  region=list(region), allow_private=allow_private, **numbers)


def _toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"cannot write {v!r} to TOML")
        return repr(f)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dump_sources(sources: list[Source], path: str | os.PathLike[str]) -> None:
    """Write ``sources`` as a TOML config (atomically; only non-default keys)."""
    p = Path(path)
    lines = ["# newsmine sources config (see pipeline/data/sources.example.toml)", ""]
    for s in sources:
        lines.append("[[source]]")
        lines.append(f"name = {_toml_value(s.name)}")
        lines.append(f"kind = {_toml_value(s.kind)}")
        if s.url is not None:
            lines.append(f"url = {_toml_value(s.url)}")
        if s.urls:
            lines.append("urls = [")
            lines.extend(f"  {_toml_value(u)}," for u in s.urls)
            lines.append("]")
        if s.path is not None:
            lines.append(f"path = {_toml_value(s.path)}")
        if s.pattern != "*.html":
            lines.append(f"pattern = {_toml_value(s.pattern)}")
        if s.region:
            lines.append(f"region = {_toml_value(list(s.region))}")
        if s.allow_private:
            lines.append("allow_private = true")
        if s.min_delay is not None:
            lines.append(f"min_delay = {_toml_value(s.min_delay)}")
        for key in _FETCH_KEYS:
            value = getattr(s, key)
            if value is not None:
                lines.append(f"{key} = {value if isinstance(value, int) else _toml_value(value)}")
        lines.append("")
    text = "\n".join(lines)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- discovery


def _struct_to_iso(t: time.struct_time | None) -> str | None:
    if not t:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(t), UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return None


def _entry_url(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return link
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    guid = entry.get("id")
    if isinstance(guid, str) and is_http_url(guid):
        return guid
    return None


def parse_feed(data: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS or Atom feed; relative links are resolved against ``base_url``.

    Raises :class:`DiscoveryError` for a document that is not a feed, or that is malformed
    (feedparser's *bozo*) without a single entry with a link; a partly broken feed whose
    entries can be read is accepted.
    """
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_BYTES, f"malformed feed {base_url}")
    try:
        parsed = feedparser.parse(data)
    except Exception as err:  # noqa: BLE001 - feedparser is lenient, but bad input must stay one clear error
        raise DiscoveryError(f"malformed feed {base_url}: {type(err).__name__}: {_one_line(err)[:200]}") from None
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("bozo") and not parsed.get("version"):
        raise DiscoveryError(f"not an RSS or Atom feed: {base_url}")
    out: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in entries:
        link = _entry_url(entry)
        if not isinstance(link, str) or not link.strip():
            continue
        url = _join(base_url, link)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = entry.get("title")
        published = _struct_to_iso(entry.get("published_parsed") or entry.get("updated_parsed"))
        out.append(FeedEntry(url=url, title=title.strip() if isinstance(title, str) and title.strip() else None,
                             published=published))
    if not out and parsed.get("bozo"):
        # Broken beyond use: nothing with a link could be read.
        reason = _one_line(parsed.get("bozo_exception") or "parse error")
        m = re.match(r"<unknown>:(\d+):(\d+): (.*)", reason)
        if m:
            reason = f"{m.group(3)} (line {m.group(1)}, column {m.group(2)})"
        raise DiscoveryError(f"malformed feed {base_url}: {reason}")
    return out


def _join(base_url: str, link: str) -> str | None:
    """``link`` resolved against ``base_url`` if that gives an http(s) URL, else None."""
    try:
        url = urljoin(base_url, link.strip())
    except ValueError:  # e.g. "http://[" (a broken IPv6 literal)
        return None
    return url if is_http_url(url) else None


def _gunzip(data: bytes, limit: int, where: str = "") -> bytes:
    """``data`` decompressed, at most ``limit`` bytes (a gzip bomb stops there); ``where`` prefixes errors."""
    prefix = f"{where}: " if where else ""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(limit + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise DiscoveryError(f"{prefix}bad gzip data: {_one_line(err)}") from None
    if len(out) > limit:
        raise DiscoveryError(f"{prefix}gzip data exceeds {limit} bytes decompressed")
    return out


def _w3c_date(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    s = text.strip()
    try:
        if len(s) == 10:
            return date.fromisoformat(s).isoformat()
        dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.isoformat()


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child) == name:
            return (child.text or "").strip() or None
    return None


def _text_sitemap(data: bytes, base_url: str) -> list[FeedEntry]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DiscoveryError(f"malformed sitemap {base_url}: neither XML nor UTF-8 text") from None
    out: list[FeedEntry] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if not is_http_url(line):
            raise DiscoveryError(f"malformed sitemap {base_url}: line {n} is neither XML nor a URL")
        out.append(FeedEntry(url=line))
    return out


def parse_sitemap(data: bytes, base_url: str) -> tuple[list[FeedEntry], list[str]]:
    """Entries of a ``<urlset>`` (with Google News ``publication_date``/``title``) and child
    sitemap URLs of a ``<sitemapindex>``. Gzip-compressed data is decompressed (capped at
    :data:`MAX_SITEMAP_BYTES`); plain-text sitemaps (one URL a line) are accepted too.
    """
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_BYTES, f"malformed sitemap {base_url}")
    head = data.lstrip()[:5]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not data.strip():
        raise DiscoveryError(f"malformed sitemap {base_url}: empty document")
    if not head.startswith(b"<"):
        return _text_sitemap(data, base_url), []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as err:
        raise DiscoveryError(f"malformed sitemap {base_url}: {_one_line(err)}") from None
    if root is None:
        raise DiscoveryError(f"malformed sitemap {base_url}: empty document")
    kind = _local(root)
    entries: list[FeedEntry] = []
    children: list[str] = []
    seen: set[str] = set()
    if kind == "urlset":
        for el in root:
            if _local(el) != "url":
                continue
            loc = _child_text(el, "loc")
            if not loc:
                continue
            url = _join(base_url, loc)
            if url is None or url in seen:
                continue
            seen.add(url)
            title = published = None
            for news in el:
                if _local(news) == "news":
                    title = _child_text(news, "title")
                    published = _w3c_date(_child_text(news, "publication_date"))
            published = published or _w3c_date(_child_text(el, "lastmod"))
            entries.append(FeedEntry(url=url, title=title, published=published))
    elif kind == "sitemapindex":
        for el in root:
            if _local(el) != "sitemap":
                continue
            child_loc = _child_text(el, "loc")
            child = (_join(base_url, child_loc) if child_loc else None) or ""
            if child and child not in seen:
                seen.add(child)
                children.append(child)
    else:
        raise DiscoveryError(f"not a sitemap: {base_url} has root element <{kind}>, "
                             "expected <urlset> or <sitemapindex>")
    return entries, children


def directory_files(source: Source, base_dir: str | os.PathLike[str]) -> list[Path]:
    """Files of a ``directory`` source matching its pattern, sorted; ``path`` is relative to ``base_dir``."""
    if not source.path:
        raise DiscoveryError(f"source {source.name!r}: no path")
    root = Path(source.path)
    if not root.is_absolute():
        root = Path(base_dir) / root
    if not root.is_dir():
        raise DiscoveryError(f"source {source.name!r}: directory not found: {root}")
    try:
        files = sorted(p for p in root.glob(source.pattern) if p.is_file())
    except (ValueError, NotImplementedError) as err:  # a pattern pathlib cannot use ("", "/abs")
        raise DiscoveryError(f"source {source.name!r}: bad pattern {source.pattern!r}: {_one_line(err)}") from None
    if not files:  # an error, not a quiet run of nothing: most often the files are in subfolders
        hint = "" if "**" in source.pattern else \
            f" (files in subfolders: pattern = \"**/{source.pattern}\" looks into every subfolder)"
        raise DiscoveryError(f"source {source.name!r}: no file in {root} matches pattern {source.pattern!r}{hint}")
    return files
