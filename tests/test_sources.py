"""Sources config (TOML) and discovery from feeds, sitemaps and directories."""

from __future__ import annotations

import asyncio
import gzip
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loopback import LoopbackServer, Reply

from pipeline import sources as sources_mod
from pipeline.fetch import Fetcher, FetchSettings
from pipeline.sources import (
    DiscoveryError,
    FeedEntry,
    Source,
    SourceConfigError,
    directory_files,
    dump_sources,
    load_sources,
    parse_feed,
    parse_sitemap,
)

EXAMPLE = Path(sources_mod.__file__).parent / "data" / "sources.example.toml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>RP Online Duisburg</title><link>https://rp-online.de/nrw/staedte/duisburg/</link>
  <item>
    <title>Stadt Duisburg investiert rund 2,5 Mio. Euro in Schulen</title>
    <link>/nrw/staedte/duisburg/schulen_aid-1.html</link>
    <pubDate>Mon, 03 Mar 2025 09:30:00 +0100</pubDate>
  </item>
  <item>
    <title>Hafen: neue Zahlen &amp; Pl\xc3\xa4ne</title>
    <guid isPermaLink="true">https://rp-online.de/nrw/staedte/duisburg/hafen_aid-2.html</guid>
  </item>
  <item><title>Doppelt</title><link>https://rp-online.de/nrw/staedte/duisburg/schulen_aid-1.html</link></item>
  <item><title>Ohne Link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>WDR Ruhrgebiet</title><id>urn:wdr:ruhr</id><updated>2025-03-03T10:00:00Z</updated>
  <entry>
    <title>Essen: Ratssitzung vertagt</title>
    <id>urn:wdr:1</id>
    <link rel="alternate" type="text/html" href="https://www1.wdr.de/nachrichten/ruhrgebiet/essen-rat-100.html"/>
    <link rel="enclosure" href="https://www1.wdr.de/bild.jpg"/>
    <updated>2025-03-03T08:15:00+01:00</updated>
  </entry>
</feed>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://www.waz.de/staedte/essen/stadtrat-id1.html</loc>
    <news:news>
      <news:publication><news:name>WAZ</news:name><news:language>de</news:language></news:publication>
      <news:publication_date>2025-03-03T07:00:00+01:00</news:publication_date>
      <news:title>Essener Stadtrat beschlie\xc3\x9ft Haushalt</news:title>
    </news:news>
  </url>
  <url><loc>/staedte/duisburg/hafen-id2.html</loc><lastmod>2025-03-02</lastmod></url>
  <url><loc>https://www.waz.de/staedte/essen/stadtrat-id1.html</loc></url>
  <url><loc>mailto:leser@waz.de</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.waz.de/sitemaps/news.xml.gz</loc><lastmod>2025-03-03</lastmod></sitemap>
  <sitemap><loc>/sitemaps/archiv-2025-03.xml</loc></sitemap>
</sitemapindex>"""


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- config


def test_example_config_lists_nrw_sources():
    srcs = load_sources(EXAMPLE)
    names = [s.name for s in srcs]
    assert len(names) == len(set(names)) >= 8
    assert {"rp-duisburg", "rp-duesseldorf", "waz-essen", "waz-duisburg", "wdr-ruhrgebiet",
            "stadt-duisburg-presse"} <= set(names)
    assert all(s.kind in ("feed", "sitemap") and s.url.startswith("https://") and s.region for s in srcs)
    assert not any(s.allow_private for s in srcs)


def test_load_all_kinds(tmp_path):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    for rel in ("corpus/b.html", "corpus/a.html", "corpus/notes.txt", "corpus/sub/c.html"):
        (tmp_path / rel).write_text("<p>x</p>")
    cfg = write(tmp_path, """
[[source]]
name = "rp-duisburg"
kind = "feed"
url = "https://rp-online.de/nrw/staedte/duisburg/feed.rss"
region = ["Duisburg", "Niederrhein"]

[[source]]
name = "waz-sitemap"
kind = "sitemap"
url = "https://www.waz.de/sitemaps/news.xml"
region = "Ruhrgebiet"
min_delay = 2

[[source]]
name = "handverlesen"
kind = "urls"
urls = ["https://www.duisburg.de/a.html", "http://127.0.0.1:8000/b.html"]
allow_private = true

[[source]]
name = "archiv"
kind = "directory"
path = "corpus"
""")
    feed, sitemap, urls, directory = load_sources(cfg)
    assert feed == Source(name="rp-duisburg", kind="feed", url="https://rp-online.de/nrw/staedte/duisburg/feed.rss",
                          region=["Duisburg", "Niederrhein"])
    assert sitemap.region == ["Ruhrgebiet"] and sitemap.min_delay == 2.0 and isinstance(sitemap.min_delay, float)
    assert urls.urls == ["https://www.duisburg.de/a.html", "http://127.0.0.1:8000/b.html"] and urls.allow_private
    assert directory.path == "corpus" and directory.pattern == "*.html"
    assert [p.name for p in directory_files(directory, cfg.parent)] == ["a.html", "b.html"]
    directory.pattern = "**/*.html"
    assert [p.name for p in directory_files(directory, cfg.parent)] == ["a.html", "b.html", "c.html"]
    with pytest.raises(DiscoveryError, match="directory not found"):
        directory_files(Source(name="weg", kind="directory", path="nirgends"), tmp_path)


FEED_OK = 'name = "{name}"\nkind = "feed"\nurl = "https://x.de/feed.rss"\n'


@pytest.mark.parametrize("text, expected", [
    ('[[source]]\nname = "rp\nkind = "feed"\n', "TOML syntax error"),
    ('[[source]]\nname = "rp"\nkind = "rss"\nurl = "https://x.de/"\n', "source 'rp': unknown kind 'rss'"),
    ('[[source]]\nname = "rp"\nkind = "feed"\n', "source 'rp': kind 'feed' needs 'url'"),
    ('[[source]]\nname = "sm"\nkind = "sitemap"\nurl = "ftp://x.de/sitemap.xml"\n',
     "source 'sm': url 'ftp://x.de/sitemap.xml' is not an http(s) URL"),
    ('[[source]]\nname = "f"\nkind = "feed"\nurl = "file:///etc/passwd"\n', "is not an http(s) URL"),
    ('[[source]]\nname = "u"\nkind = "urls"\nurls = ["https://x.de/a", "javascript:alert(1)"]\n',
     "source 'u': urls entry 'javascript:alert(1)' is not an http(s) URL"),
    ('[[source]]\nname = "u"\nkind = "urls"\n', "source 'u': kind 'urls' needs a non-empty list 'urls'"),
    ('[[source]]\nname = "d"\nkind = "directory"\n', "source 'd': kind 'directory' needs 'path'"),
    ('[[source]]\nname = "d"\nkind = "directory"\npath = "fehlt"\n', "source 'd': directory 'fehlt' not found"),
    ("[[source]]\n" + FEED_OK.format(name="rp") + "[[source]]\n" + FEED_OK.format(name="rp"),
     "source 'rp': duplicate name"),
    ('[[source]]\nkind = "feed"\nurl = "https://x.de/"\n', "source #1: missing or empty 'name'"),
    ("[[source]]\n" + FEED_OK.format(name="rp") + 'regoin = ["Essen"]\n', "source 'rp': unknown key 'regoin'"),
    ("[[source]]\n" + FEED_OK.format(name="rp") + "min_delay = -1\n", "source 'rp': 'min_delay' must be"),
    ("[[source]]\n" + FEED_OK.format(name="rp") + 'allow_private = "yes"\n', "'allow_private' must be true or false"),
    ("[[source]]\n" + FEED_OK.format(name="rp") + "region = [1, 2]\n", "'region' must be a string or a list"),
    ("", "no [[source]] tables"),
    ('[source]\nname = "x"\n', "'source' must be an array of tables"),
])
def test_config_errors_are_one_clear_line(tmp_path, text, expected):
    cfg = write(tmp_path, text)
    with pytest.raises(SourceConfigError) as info:
        load_sources(cfg)
    msg = str(info.value)
    assert expected in msg
    assert msg.startswith(str(cfg)) and "\n" not in msg
    assert isinstance(info.value, ValueError)


def test_syntax_error_names_the_line(tmp_path):
    cfg = write(tmp_path, '[[source]]\nname = "ok"\nkind = "feed"\nurl = https://x.de\n')
    with pytest.raises(SourceConfigError, match=r"TOML syntax error: .*line 4"):
        load_sources(cfg)


def test_missing_file(tmp_path):
    with pytest.raises(SourceConfigError, match=r"nirgends\.toml: sources config not found"):
        load_sources(tmp_path / "nirgends.toml")


def test_dump_and_load_round_trip(tmp_path):
    (tmp_path / "out" / "html").mkdir(parents=True)
    srcs = [
        Source(name="rp-duisburg", kind="feed", url="https://rp-online.de/feed.rss", region=["Duisburg"]),
        Source(name='Sonder "zeichen" \\ \t ß', kind="urls", urls=["https://x.de/a?b=1&c=2", "https://x.de/ü"],
               allow_private=True, min_delay=0.25),
        Source(name="lokal", kind="directory", path="html", pattern="**/*.htm"),
        Source(name="sitemap", kind="sitemap", url="https://www.duisburg.de/sitemap.xml", min_delay=3.0),
    ]
    cfg = tmp_path / "out" / "sources.toml"
    dump_sources(srcs, cfg)
    assert load_sources(cfg) == srcs
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["html", "sources.toml"]  # no temporary file left


names = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(names, st.lists(st.text(max_size=12), max_size=3),
                                st.one_of(st.none(), st.floats(min_value=0, max_value=60))),
                      min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_dump_load_round_trip_property(tmp_path_factory, items):
    srcs = [Source(name=n, kind="feed", url="https://x.de/feed", region=r, min_delay=d) for n, r, d in items]
    cfg = tmp_path_factory.mktemp("rt") / "s.toml"
    dump_sources(srcs, cfg)
    tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert load_sources(cfg) == srcs


# --------------------------------------------------------------------------- feeds


def test_parse_rss_resolves_links_dates_and_duplicates():
    entries = parse_feed(RSS, "https://rp-online.de/nrw/staedte/duisburg/feed.rss")
    assert entries == [
        FeedEntry(url="https://rp-online.de/nrw/staedte/duisburg/schulen_aid-1.html",
                  title="Stadt Duisburg investiert rund 2,5 Mio. Euro in Schulen",
                  published="2025-03-03T08:30:00+00:00"),
        FeedEntry(url="https://rp-online.de/nrw/staedte/duisburg/hafen_aid-2.html",
                  title="Hafen: neue Zahlen & Pläne", published=None),
    ]


def test_parse_atom_plain_and_gzipped():
    assert parse_feed(gzip.compress(ATOM), "https://www1.wdr.de/feed.atom.gz") == parse_feed(ATOM, "https://x.de/")
    [entry] = parse_feed(ATOM, "https://www1.wdr.de/feed.atom")
    assert entry.url == "https://www1.wdr.de/nachrichten/ruhrgebiet/essen-rat-100.html"
    assert entry.title == "Essen: Ratssitzung vertagt"
    assert entry.published == "2025-03-03T07:15:00+00:00"


def test_partial_feed_with_entries_is_accepted():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>kaputt &nbsp; </title>")
    entries = parse_feed(broken, "https://rp-online.de/feed.rss")
    assert len(entries) >= 2


@pytest.mark.parametrize("data", [
    b"<rss><channel><item><title>abgebrochen</titl",
    b"<html><head><title>Startseite</title></head><body><p>Kein Feed</p></body></html>",
    b"",
    b"\x89PNG\r\n\x1a\n",
])
def test_malformed_or_foreign_documents_raise(data):
    with pytest.raises(DiscoveryError) as info:
        parse_feed(data, "https://x.de/feed.rss")
    assert "https://x.de/feed.rss" in str(info.value) and "\n" not in str(info.value)


def test_valid_empty_feed_has_no_entries():
    assert parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
                      "https://x.de/feed") == []


# --------------------------------------------------------------------------- sitemaps


def test_parse_news_sitemap():
    entries, children = parse_sitemap(URLSET, "https://www.waz.de/sitemaps/news.xml")
    assert children == []
    assert entries == [
        FeedEntry(url="https://www.waz.de/staedte/essen/stadtrat-id1.html",
                  title="Essener Stadtrat beschließt Haushalt", published="2025-03-03T06:00:00+00:00"),
        FeedEntry(url="https://www.waz.de/staedte/duisburg/hafen-id2.html", title=None, published="2025-03-02"),
    ]


def test_parse_sitemap_index():
    entries, children = parse_sitemap(INDEX, "https://www.waz.de/sitemap.xml")
    assert entries == []
    assert children == ["https://www.waz.de/sitemaps/news.xml.gz", "https://www.waz.de/sitemaps/archiv-2025-03.xml"]


def test_gzip_sitemap_and_its_size_cap(monkeypatch):
    entries, _ = parse_sitemap(gzip.compress(URLSET), "https://www.waz.de/sitemaps/news.xml.gz")
    assert len(entries) == 2
    monkeypatch.setattr(sources_mod, "MAX_SITEMAP_BYTES", 1_000_000)
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match="exceeds 1000000 bytes"):
        parse_sitemap(bomb, "https://x.de/bomb.xml.gz")
    with pytest.raises(DiscoveryError, match="bad gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", "https://x.de/broken.xml.gz")


@pytest.mark.parametrize("data, match", [
    (b"<urlset><url><loc>https://x.de/a</loc></url>", "malformed sitemap https://x.de/s.xml"),
    (b"<html><body>Startseite</body></html>", "not a sitemap"),
    (b"   ", "empty document"),
    (b"https://x.de/a\nkein link\n", "line 2 is neither XML nor a URL"),
])
def test_malformed_sitemaps_raise(data, match):
    with pytest.raises(DiscoveryError, match=match):
        parse_sitemap(data, "https://x.de/s.xml")


def test_sitemap_parser_does_not_expand_entities():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://x.de/&xxe;</loc></url>
  <url><loc>https://x.de/&c;</loc></url>
</urlset>"""
    entries, _ = parse_sitemap(xxe, "https://x.de/s.xml")
    assert all("root:" not in e.url and "aaaa" not in e.url for e in entries)


def test_text_sitemap():
    entries, children = parse_sitemap(b"https://x.de/a\n\nhttps://x.de/b\n", "https://x.de/sitemap.txt")
    assert [e.url for e in entries] == ["https://x.de/a", "https://x.de/b"] and children == []


# --------------------------------------------------------------------------- discovery over HTTP


def test_discovery_against_a_live_server():
    """Feed, Atom and a sitemap index with a gzip child, fetched from a real server and parsed."""
    with LoopbackServer() as srv:
        srv.route("/feed.rss", Reply(body=RSS.replace(b"https://rp-online.de", srv.base_url.encode()),
                                     content_type="application/rss+xml; charset=utf-8"))
        srv.route("/atom.xml", Reply(body=ATOM, content_type="application/atom+xml"))
        index = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f'<sitemap><loc>{srv.url("/news.xml.gz")}</loc></sitemap>'
                 f'<sitemap><loc>/pages.xml</loc></sitemap></sitemapindex>').encode()
        srv.route("/sitemap.xml", Reply(body=index, content_type="application/xml"))
        srv.route("/news.xml.gz", Reply(body=gzip.compress(URLSET), content_type="application/x-gzip"))
        srv.route("/pages.xml", Reply(body=b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                           b"<url><loc>/seite.html</loc></url></urlset>", content_type="text/xml"))
        srv.route("/broken.xml", Reply(body=b"<urlset><url>", content_type="application/xml"))
        cfg = FetchSettings(min_delay=0.0, allow_private=True, retries=0)

        async def discover() -> tuple[list[FeedEntry], list[FeedEntry], list[FeedEntry], str]:
            async with Fetcher(cfg) as f:
                feed = await f.fetch(srv.url("/feed.rss"))
                atom = await f.fetch(srv.url("/atom.xml"))
                found: list[FeedEntry] = []
                todo = [srv.url("/sitemap.xml")]
                while todo:
                    res = await f.fetch(todo.pop(0))
                    assert res.error is None, res.error
                    entries, children = parse_sitemap(res.body, res.final_url)
                    found += entries
                    todo += children
                broken = await f.fetch(srv.url("/broken.xml"))
                try:
                    parse_sitemap(broken.body, broken.final_url)
                    message = ""
                except DiscoveryError as err:
                    message = str(err)
                return (parse_feed(feed.body, feed.final_url), parse_feed(atom.body, atom.final_url),
                        found, message)

        rss_entries, atom_entries, sitemap_entries, broken_msg = asyncio.run(discover())
    assert [e.url for e in rss_entries] == [srv.url("/nrw/staedte/duisburg/schulen_aid-1.html"),
                                            srv.url("/nrw/staedte/duisburg/hafen_aid-2.html")]
    assert atom_entries[0].title == "Essen: Ratssitzung vertagt"
    assert [e.url for e in sitemap_entries] == ["https://www.waz.de/staedte/essen/stadtrat-id1.html",
                                                srv.url("/staedte/duisburg/hafen-id2.html"),
                                                srv.url("/seite.html")]
    assert broken_msg.startswith(f"malformed sitemap {srv.url('/broken.xml')}")
