"""Bad input everywhere: property-based tests (hypothesis) of every parser that reads outside data.

Each target gets generated input -- random text and bytes, and structured input that is almost right
(HTML with scripts, entities, unclosed and deeply nested tags; RSS/Atom and sitemaps with broken links
and dates; euro amounts with absurd digit strings; JSON Lines with NaN, huge integers and unpaired
surrogates; TOML sources configs with wrong types and hostile patterns; robots.txt with huge numbers;
Content-Encoding with random bytes) -- and must answer with a result or the project's own error
(``DiscoveryError``, ``SourceConfigError``, an error line, a recorded reason), never another exception.
``max_examples`` is kept small so the file runs in well under 30 s; the hypothesis database replays
any failure found before. ``test_atheris_harness`` runs tests/fuzz_atheris.py (coverage-guided, a
bounded number of runs) when atheris is installed.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import zlib
from datetime import datetime
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import fetch as fetch_mod
from pipeline.annotate import annotate_lines, parse_line
from pipeline.extract import MAX_TEXT_CHARS, Extracted, decode_html, extract, failure_reason
from pipeline.fetch import FetchSettings
from pipeline.nlp import money as _money  # noqa: F401  (registers newsmine_money)
from pipeline.nlp.money_parser import find_money, parse_money
from pipeline.sources import DiscoveryError, SourceConfigError, directory_files, load_sources, parse_feed, parse_sitemap
from pipeline.urls import canonicalize, is_http_url, is_private_host

ROOT = Path(__file__).resolve().parent.parent
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = "https://www.example-zeitung.de/nrw/feed.xml"

# --------------------------------------------------------------------------- building blocks

ODD_TEXT = st.sampled_from([
    "Sören Link", "2,5 Mio. Euro", "&amp;", "&#0;", "&#x1b;[2J", "&#xD800;", "&#99999999;", "&nbsp;", "]]>", "<!--",
    "<![CDATA[x", "\x00", "Ã¤Ã¶", "\ufffd", "\u202e", "€", "Straße", "&lt;script&gt;", "\r\n", " " * 50,
])
TEXT = st.one_of(st.text(max_size=40), ODD_TEXT)
TAGS = ["p", "div", "article", "main", "section", "h1", "h2", "span", "a", "br", "script", "style", "nav", "footer",
        "header", "table", "tr", "td", "ul", "li", "figure", "figcaption", "time", "meta", "title", "head", "body",
        "html", "iframe", "noscript", "svg", "template", "b", "aside", "form"]
ATTR_NAMES = ["class", "id", "itemprop", "datetime", "content", "href", "property", "name", "type", "lang", "rel"]
ATTRS = st.lists(st.tuples(st.sampled_from(ATTR_NAMES), TEXT), max_size=3).map(
    lambda pairs: "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in pairs))


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda tag, attrs, kids, close: f"<{tag}{attrs}>{''.join(kids)}" + (f"</{tag}>" if close else ""),
                     st.sampled_from(TAGS), ATTRS, st.lists(children, max_size=4), st.booleans())


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                               st.sampled_from(["@type", "@graph", "headline", "author", "name", "datePublished",
                                                "articleBody", "url", "@id", "mainEntityOfPage", "x"]), kids,
                               max_size=4), max_leaves=12)
JSON_LD = st.one_of(JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True)), TEXT).map(
    lambda body: f'<script type="application/ld+json">{body}</script>')
HTML = st.builds(lambda head, body, ld: f"<html><head>{ld}{head}</head><body>{body}</body></html>",
                 st.recursive(TEXT, _element, max_leaves=20), st.recursive(TEXT, _element, max_leaves=40),
                 st.one_of(st.just(""), JSON_LD))
CHARSETS = st.sampled_from([None, "utf-8", "UTF-8", "iso-8859-1", "windows-1252", "x-bogus", "utf-16", "utf-32",
                            "", "latin1 ", "utf-8; q=1", "\x00", "cp65001", "ascii"])
LINKS = st.one_of(st.sampled_from([
    "http://x.de/a", "/relativ/b.html", "javascript:alert(1)", "http://[", "http://[::1", "http://x.de:99999/",
    "", "   ", "data:,x", "https://ä.de/ü", "//host/x", "http://x.de/%zz", "file:///etc/passwd", "ftp://x.de/",
    "https://x.de/a?utm_source=rss", "mailto:a@b.de", "http://127.0.0.1/admin", "https://x.de/" + "a" * 3000,
]), st.text(max_size=30))
DATES = st.one_of(st.sampled_from([
    "Mon, 01 May 2025 08:00:00 +0200", "bald", "", "Mon, 99 Foo 99999 99:99:99", "2025-13-45", "2025-05-01",
    "2025-05-01T08:00:00Z", "0000-00-00", "9999-12-31T23:59:59+14:00", "-1", "1e999",
]), st.text(max_size=25))


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _rss(items: list[tuple[str, str, str]], junk: str) -> str:
    body = "".join(f"<item><title>{_xml_escape(t)}</title><link>{_xml_escape(link)}</link><pubDate>{d}</pubDate>"
                   f"<guid>{_xml_escape(link)}</guid></item>" for link, t, d in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{body}{junk}</channel></rss>'


def _atom(items: list[tuple[str, str, str]], junk: str) -> str:
    body = "".join(f'<entry><title>{_xml_escape(t)}</title><link href="{_xml_escape(link)}"/><updated>{d}</updated>'
                   "</entry>" for link, t, d in items)
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{body}{junk}</feed>'


ITEMS = st.lists(st.tuples(LINKS, TEXT, DATES), max_size=5)
FEEDS = st.one_of(
    st.builds(_rss, ITEMS, TEXT).map(str.encode), st.builds(_atom, ITEMS, TEXT).map(str.encode),
    st.binary(max_size=500), st.builds(_rss, ITEMS, TEXT).map(lambda s: gzip.compress(s.encode())),
    st.builds(lambda s, cut: s.encode()[:cut], st.builds(_rss, ITEMS, TEXT), st.integers(0, 400)),
)


def _urlset(urls: list[tuple[str, str, str]], junk: str) -> str:
    body = "".join(f"<url><loc>{_xml_escape(loc)}</loc><lastmod>{d}</lastmod><news:news><news:title>{_xml_escape(t)}"
                   f"</news:title><news:publication_date>{d}</news:publication_date></news:news></url>"
                   for loc, t, d in urls)
    return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}{junk}</urlset>')


def _index(urls: list[tuple[str, str, str]], junk: str) -> str:
    body = "".join(f"<sitemap><loc>{_xml_escape(loc)}</loc></sitemap>" for loc, _, _ in urls)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}{junk}</sitemapindex>'


SITEMAPS = st.one_of(
    st.builds(_urlset, ITEMS, TEXT).map(str.encode), st.builds(_index, ITEMS, TEXT).map(str.encode),
    st.binary(max_size=500), st.lists(LINKS, max_size=5).map(lambda ls: "\n".join(ls).encode()),
    st.builds(_urlset, ITEMS, TEXT).map(lambda s: gzip.compress(s.encode())),
    st.builds(lambda s, cut: s.encode()[:cut], st.builds(_urlset, ITEMS, TEXT), st.integers(0, 400)),
)


def _check_entries(entries: list) -> None:
    for e in entries:
        assert is_http_url(e.url), e.url
        if e.published is not None:
            datetime.fromisoformat(e.published)


# --------------------------------------------------------------------------- extractor


def assert_not_caught(ex: Extracted, url: str | None = None) -> None:
    """The cascade did not raise: the catch-all of ``extract`` (an empty result with an "extraction failed"
    warning) did not fire. Without this check an extractor that always raises would pass these tests."""
    assert not [w for w in ex.warnings if w.startswith("extraction failed")], ex.warnings


@FAST
@given(html=st.one_of(HTML, st.text(max_size=300)), url=st.one_of(st.none(), LINKS))
def test_extractor_never_raises_on_html(html, url):
    for page in (html, html.encode("utf-8", errors="surrogatepass")):
        ex = extract(page, url)
        assert isinstance(ex, Extracted) and isinstance(ex.text, str)
        assert len(ex.text) <= MAX_TEXT_CHARS
        json.dumps(ex.to_dict(), ensure_ascii=False).encode("utf-8")  # storable: no unpaired surrogates
        assert_not_caught(ex, url)
        if not ex.text:
            assert ex.warnings and failure_reason(ex).startswith("no main text")


@FAST
@given(data=st.binary(max_size=3000), charset=CHARSETS)
def test_decoding_and_extracting_bytes_never_raises(data, charset):
    text, used = decode_html(data, charset)
    assert isinstance(text, str) and isinstance(used, str)
    ex = extract(data, "https://example.de/a")
    assert isinstance(ex.text, str)
    assert_not_caught(ex)
    if not ex.text:
        assert failure_reason(ex).startswith("no main text")


# --------------------------------------------------------------------------- feeds and sitemaps


@FAST
@given(data=FEEDS, base=st.one_of(st.just(BASE), LINKS))
def test_feed_parser_gives_entries_or_a_discovery_error(data, base):
    try:
        entries = parse_feed(data, base)
    except DiscoveryError as err:
        assert "\n" not in str(err) and str(err)
    else:
        _check_entries(entries)


@FAST
@given(data=SITEMAPS, base=st.one_of(st.just(BASE), LINKS))
def test_sitemap_parser_gives_entries_or_a_discovery_error(data, base):
    try:
        entries, children = parse_sitemap(data, base)
    except DiscoveryError as err:
        assert "\n" not in str(err) and str(err)
    else:
        _check_entries(entries)
        assert all(is_http_url(c) for c in children)


# --------------------------------------------------------------------------- money


MONEY_TOKENS = st.one_of(
    st.sampled_from(["Euro", "€", "EUR", "T€", "TEUR", "Mio.", "Millionen", "Million", "Mrd.", "Milliarden", "Tsd.",
                     "Billionen", "bis", "und", "zwischen", "rund", "knapp", "bis zu", "mehr als", "-", "–", ",", ".",
                     " ", "\u00a0", "\u202f", "eine", "halbe", "anderthalb", "zweihundertfünfzigtausend", "ein paar",
                     "500,-", "2026", ",--", "einundzwanzig", "Eine"]),
    st.from_regex(r"\d{1,45}([.,]\d{1,6})?", fullmatch=True),
    st.from_regex(r"\d{1,3}(\.\d{3}){1,12}(,\d{1,3})?", fullmatch=True),
)
MONEY_TEXT = st.lists(MONEY_TOKENS, max_size=12).map(" ".join) | st.text(max_size=80)


@settings(max_examples=150, deadline=None)
@given(text=MONEY_TEXT)
def test_money_parser_never_raises_and_spans_match_the_text(text):
    for m in find_money(text):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
        assert math.isfinite(m.value) and m.value >= 0
        assert m.high is None or (math.isfinite(m.high) and m.high >= m.value)
        parse_money(m.text)
    parse_money(text)


# --------------------------------------------------------------------------- annotate (JSON Lines)


def _surrogate(s: str) -> str:
    return s + "\\ud800"


JSON_LINES = st.one_of(
    st.builds(lambda i, t: json.dumps({"id": i, "text": t}, ensure_ascii=False),
              st.one_of(st.integers(), st.text(max_size=5), st.none(), st.floats(allow_nan=False)), MONEY_TEXT),
    st.builds(lambda i, t: f'{{"id": {i}, "text": "{t}"}}', st.sampled_from(
        ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "[1, {\"a\": 2}]", '"\\udc80"', "null"]),
        st.sampled_from(["ok", "\\ud800", "2,5 Mio. Euro", ""])),
    st.text(max_size=40), st.just("[" * 5000 + "]" * 5000), st.just('{"text": 42}'), st.just("null"),
    st.text(max_size=20).map(_surrogate).map(lambda t: json.dumps({"id": 1, "text": t})),
)


@pytest.fixture(scope="module")
def blank_nlp():
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("newsmine_money")
    return nlp


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(JSON_LINES, JSON_LINES.map(lambda s: s.encode("utf-8", "surrogatepass")),
                                st.binary(max_size=30)), max_size=8))
def test_annotate_answers_every_line_with_a_result_or_an_error(blank_nlp, lines):
    for n, line in enumerate(lines, 1):
        id_, text, err = parse_line(line, n)
        assert (text is None) == (err is not None)
        assert err is None or err.startswith(f"line {n}: ")
    errors: list[str] = []
    out = list(annotate_lines(blank_nlp, lines, batch_size=3, on_error=errors.append))
    assert len(out) == len(lines)  # one output line per input line, a blank line included
    for obj in out:
        # what `newsmine annotate` writes: one JSON object, UTF-8, strict JSON (no NaN/Infinity)
        line = json.dumps(obj, ensure_ascii=False, allow_nan=False)
        line.encode("utf-8")
        assert ("error" in obj) != ("entities" in obj and "money" in obj)
    assert len(errors) == sum(1 for obj in out if "error" in obj)


# --------------------------------------------------------------------------- sources config


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(v)


CONFIG_VALUES = st.one_of(
    st.text(max_size=20), LINKS, st.integers(-10, 10**12), st.floats(), st.booleans(),
    st.lists(st.one_of(LINKS, st.integers()), max_size=3),
    st.sampled_from(["feed", "sitemap", "urls", "directory", "news", "*.html", "**/*.html", "../*", "/etc/*", "C:/x",
                     "[", "", ".", "sub"]),
)
CONFIG_KEYS = st.sampled_from(["name", "kind", "url", "urls", "path", "pattern", "region", "allow_private",
                               "min_delay", "timeout", "retries", "backoff", "max_bytes", "unbekannt"])
TABLES = st.lists(st.dictionaries(CONFIG_KEYS, CONFIG_VALUES, max_size=7), max_size=3)
CONFIGS = st.one_of(
    TABLES.map(lambda ts: "\n".join("[[source]]\n" + "\n".join(f"{k} = {_toml_value(v)}" for k, v in t.items())
                                    for t in ts)),
    st.text(max_size=200), st.just("a = " + "[" * 3000 + "]" * 3000), st.just("a = " + "1" * 5000),
)


@FAST
@given(text=CONFIGS)
def test_sources_config_loads_or_fails_with_one_clear_line(text):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sub").mkdir()
        (Path(tmp) / "sub" / "a.html").write_text("<p>x</p>", encoding="utf-8")
        cfg = Path(tmp) / "sources.toml"
        cfg.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            sources = load_sources(cfg)
        except SourceConfigError as err:
            msg = str(err)
            assert msg.startswith(str(cfg)) and "\n" not in msg
            return
        for src in sources:
            if src.kind in ("feed", "sitemap"):
                assert is_http_url(src.url)
            for url in src.urls:
                assert is_http_url(url)
            if src.kind == "directory":
                files = directory_files(src, cfg.parent)
                assert all(Path(tmp) in f.resolve().parents for f in files)  # never outside the config's folder
            dataclasses.replace(FetchSettings(), **src.fetch_overrides())


# --------------------------------------------------------------------------- URLs, headers, robots.txt, bodies


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=60), LINKS))
def test_url_helpers_never_raise(text):
    assert isinstance(canonicalize(text), str)
    assert isinstance(is_http_url(text), bool)
    assert isinstance(is_private_host(text), bool)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=60), st.sampled_from(["text/html; charset=", "; charset=\"\"", "1e999", "nan",
                                                              "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "9" * 5000])))
def test_header_parsers_never_raise(value):
    media, charset = fetch_mod._parse_content_type(value)
    assert media is None or isinstance(media, str)
    seconds = fetch_mod._parse_retry_after(value)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@settings(max_examples=100, deadline=None)
@given(text=st.lists(st.one_of(st.text(max_size=30), st.sampled_from([
    "User-agent: *", "Disallow: /", "Allow: /a", "Crawl-delay: 9999999999999999999999", "Crawl-delay: 1e999",
    "Crawl-delay: -3", "Crawl-delay: 0.4", "Crawl-delay: nan", "Request-rate: 1/99999999999999999999999",
    "Request-rate: 0/0", "Sitemap: http://[", "Crawl-delay: " + "9" * 5000, "User-agent: newsmine"])), max_size=8))
def test_robots_txt_lines_always_parse(text):
    parser = RobotFileParser("http://x.de/robots.txt")
    parser.parse(fetch_mod._robots_lines("\n".join(["User-agent: *", *text])))
    parser.can_fetch("newsmine/0.1", "http://x.de/a")
    delay = parser.crawl_delay("newsmine/0.1")
    assert delay is None or float(delay) <= fetch_mod.MAX_CRAWL_DELAY
    parser.request_rate("newsmine/0.1")


GZIPPED = st.builds(lambda data, cut: gzip.compress(data)[:cut], st.binary(max_size=2000), st.integers(0, 3000))
DEFLATED = st.builds(lambda data, raw: zlib.compress(data) if not raw else zlib.compress(data)[2:-4],
                     st.binary(max_size=2000), st.booleans())


@settings(max_examples=100, deadline=None)
@given(coding=st.one_of(st.sampled_from(["gzip", "x-gzip", "deflate", "identity", "", "br", "gzip, gzip", "zstd",
                                         " GZIP ", "identity, gzip"]), st.text(max_size=12)),
       body=st.one_of(GZIPPED, DEFLATED, st.binary(max_size=500)), cut=st.integers(1, 64))
def test_body_decoder_gives_bytes_or_a_clear_reason(coding, body, cut):
    try:
        decoder = fetch_mod._Decoder(coding)
        out = b""
        for i in range(0, len(body), cut):  # as the network delivers it: in pieces
            for piece in decoder.feed(body[i:i + cut]):
                assert len(piece) <= fetch_mod.INFLATE_STEP
                out += piece
        decoder.finish()
    except fetch_mod._BadBody as bad:
        assert str(bad).startswith(("unsupported content-encoding", "invalid ", "truncated "))
    fetch_mod._binary_kind(body, "text/html", None)


# --------------------------------------------------------------------------- atheris (coverage-guided)


def write_seeds(folder: Path) -> int:
    """A seed corpus for tests/fuzz_atheris.py: real inputs, each behind the byte that picks its target."""
    site = ROOT / "corpus" / "demo" / "site"
    pages = sorted((site / "articles").rglob("*.html"))[:6]
    seeds = [bytes([t]) + p.read_bytes() for p in pages for t in (0, 1)]
    seeds += [b"\x02" + (site / "feed.xml").read_bytes(),
              b"\x03" + _urlset([("https://x.de/a", "Titel", "2025-05-01T08:00:00+02:00")], "").encode(),
              b"\x04" + "Die Stadt gibt rund 2,5 Millionen Euro und zwischen 3 und 4 Mio. Euro aus; 500,- €.".encode(),
              b"\x05" + '{"id": 1, "text": "Sören Link gab 2,5 Mio. Euro frei."}'.encode(),
              b"\x06" + (ROOT / "pipeline" / "data" / "sources.example.toml").read_bytes(),
              b"\x07\x00" + gzip.compress(pages[0].read_bytes()),
              b"\x08" + (site / "robots.txt").read_bytes(),
              b"\x09" + b"HTTPS://WWW.Example.DE:443/a?utm_source=x&b=2#f"]
    folder.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds):
        (folder / f"seed-{i:02d}").write_bytes(seed)
    return len(seeds)


def test_atheris_harness(tmp_path):
    """Coverage-guided fuzzing of the same targets, from real seeds, for a bounded number of runs.

    Skipped where atheris is not installed (it is not a dependency: ``pip install atheris``).
    NEWSMINE_ATHERIS_RUNS sets the number of runs.
    """
    pytest.importorskip("atheris")
    runs = int(os.environ.get("NEWSMINE_ATHERIS_RUNS", "1000"))
    corpus = tmp_path / "corpus"
    n_seeds = write_seeds(corpus)
    # libFuzzer's memory limit (2 GB by default) is checked against the process's peak RSS, and Linux
    # gives a new process the peak of the one that started it (this pytest worker, which may have
    # trained a model): the limit is 2 GB above that, so it still catches an input that blows up memory
    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz_atheris.py"), f"-runs={runs}",
                           "-max_len=32768", "-len_control=0", "-seed=1", f"-artifact_prefix={tmp_path}/",
                           f"-rss_limit_mb={inherited_mb + 2048}", "-print_final_stats=1", str(corpus)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"stat::number_of_executed_units: {runs}" in proc.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
    assert len(list(corpus.iterdir())) >= n_seeds
