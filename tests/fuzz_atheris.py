"""Coverage-guided fuzzing (atheris / libFuzzer) of newsmine's readers of outside data.

The first input byte picks a target: the HTML extractor (bytes and text), the feed and sitemap
parsers, the money parser, a JSON Lines line of ``newsmine annotate``, a sources config, the
gzip/deflate body decoder of the fetcher, robots.txt lines, the URL helpers. A target may return
a result or raise the project's own error (``DiscoveryError``, ``SourceConfigError``, the decoder's
``_BadBody``); any other exception is a crash that libFuzzer reports (and saves the input).

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz_atheris.py -runs=3000 -max_len=2048        # what tests/test_fuzz.py runs
    .venv/bin/python tests/fuzz_atheris.py -max_total_time=600 corpus_dir/  # a longer session
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.robotparser import RobotFileParser

import atheris

with atheris.instrument_imports(include=["pipeline"]):
    from pipeline import fetch as fetch_mod
    from pipeline.annotate import parse_line
    from pipeline.extract import MAX_TEXT_CHARS, extract
    from pipeline.nlp.money_parser import find_money, parse_money
    from pipeline.sources import DiscoveryError, SourceConfigError, load_sources, parse_feed, parse_sitemap
    from pipeline.urls import canonicalize, is_http_url, is_private_host

CONFIG = Path(tempfile.mkdtemp(prefix="newsmine-fuzz-")) / "sources.toml"
BASE = "https://www.example-zeitung.de/nrw/feed.xml"


def _extract_bytes(data: bytes) -> None:
    ex = extract(data, BASE)
    assert len(ex.text) <= MAX_TEXT_CHARS and (ex.text or ex.warnings)


def _extract_text(data: bytes) -> None:
    ex = extract(data.decode("utf-8", errors="surrogateescape"), BASE)
    ex.text.encode("utf-8")  # storable


def _feed(data: bytes) -> None:
    try:
        for entry in parse_feed(data, BASE):
            assert is_http_url(entry.url)
    except DiscoveryError:
        pass


def _sitemap(data: bytes) -> None:
    try:
        entries, children = parse_sitemap(data, BASE)
        assert all(is_http_url(e.url) for e in entries) and all(is_http_url(c) for c in children)
    except DiscoveryError:
        pass


def _money(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    for m in find_money(text):
        assert text[m.start:m.end] == m.text
        parse_money(m.text)


def _annotate_line(data: bytes) -> None:
    id_, text, err = parse_line(data, 1)
    assert (text is None) == (err is not None)


def _config(data: bytes) -> None:
    CONFIG.write_bytes(data)
    try:
        load_sources(CONFIG)
    except SourceConfigError as err:
        assert "\n" not in str(err)


def _decoder(data: bytes) -> None:
    coding = ("gzip", "deflate", "x-gzip", "identity")[data[0] % 4] if data else "gzip"
    try:
        decoder = fetch_mod._Decoder(coding)
        for i in range(1, len(data), 97):
            for _piece in decoder.feed(data[i:i + 97]):
                pass
        decoder.finish()
    except fetch_mod._BadBody:
        pass


def _robots(data: bytes) -> None:
    parser = RobotFileParser("http://x.de/robots.txt")
    parser.parse(fetch_mod._robots_lines(data.decode("utf-8", errors="replace")))
    parser.can_fetch("newsmine", "http://x.de/a")
    parser.crawl_delay("newsmine")


def _urls(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    canonicalize(text)
    is_private_host(text)
    fetch_mod._parse_content_type(text)
    fetch_mod._parse_retry_after(text)


TARGETS = [_extract_bytes, _extract_text, _feed, _sitemap, _money, _annotate_line, _config, _decoder, _robots, _urls]


def one_input(data: bytes) -> None:
    if data:
        TARGETS[data[0] % len(TARGETS)](data[1:])


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
