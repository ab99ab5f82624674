"""Render a subset of the project's corpus as a small regional news site.

    python corpus/demo/build_site.py            # writes corpus/demo/site/

The site has two page layouts (one with JSON-LD and meta tags, one with only
visible markup), realistic boilerplate (navigation, cookie banner, "Meistgelesen",
"Zum Thema", newsletter teaser, photo credits, repeated captions) and an RSS feed
listing every article, so that ``newsmine run`` exercises the same
fetch -> extract path that real sites need. The articles are fictional.
"""

from __future__ import annotations

import html
import json
import shutil
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "articles" / "corpus.jsonl"
SITE = HERE / "site"
BASE = "https://rheinruhr-bote.example"
N_ARTICLES = 15
BERLIN = ZoneInfo("Europe/Berlin")

NAV = """<nav class="main-nav"><ul><li><a href="/">Start</a></li><li><a href="/duisburg/">Duisburg</a></li>
<li><a href="/essen/">Essen</a></li><li><a href="/duesseldorf/">Düsseldorf</a></li><li><a href="/koeln/">Köln</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/kultur/">Kultur</a></li></ul></nav>"""
COOKIE = """<div id="cookie-consent" class="consent-banner"><p>Wir verwenden Cookies, um Ihnen ein optimales
Nutzungserlebnis zu bieten. Mit „Akzeptieren“ stimmen Sie der Verarbeitung zu.</p><button>Akzeptieren</button></div>"""
NEWSLETTER = """<div class="newsletter-box"><h3>Newsletter</h3><p>Jetzt abonnieren: Die wichtigsten Nachrichten
aus Ihrer Stadt jeden Morgen kostenlos in Ihr Postfach.</p></div>"""
FOOTER = """<footer class="site-footer"><p>© 2026 Rhein-Ruhr-Bote (Demo-Seite von newsmine, alle Artikel sind fiktiv)</p>
<a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a></footer>"""

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]


def slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    out = "".join(c if c.isalnum() else "-" for c in text.translate(table).lower())
    return "-".join(p for p in out.split("-") if p)[:70]


def paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))


def sidebar(others: list[dict]) -> str:
    most = "".join(f'<li><a href="/{o["path"]}">{html.escape(o["title"])}</a></li>' for o in others[:4])
    return f'<aside class="sidebar"><section class="most-read"><h2>Meistgelesen</h2><ol>{most}</ol></section></aside>'


def related(others: list[dict]) -> str:
    items = "".join(f'<li><a href="/{o["path"]}">{html.escape(o["title"])}</a></li>' for o in others[4:7])
    return f'<section class="related"><h2>Zum Thema</h2><ul>{items}</ul></section>'


def layout_jsonld(art: dict, others: list[dict]) -> str:
    """Layout A: JSON-LD NewsArticle, meta tags, <article> with a figure."""
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": art["title"],
        "datePublished": art["iso"], "dateModified": art["iso"],
        "author": [{"@type": "Person", "name": art["author"]}],
        "publisher": {"@type": "Organization", "name": "Rhein-Ruhr-Bote"},
        "articleSection": art["town"], "inLanguage": "de-DE", "url": art["url"],
        "mainEntityOfPage": art["url"], "articleBody": art["text"],
    }
    caption = f"Blick auf {art['town']} (Archivbild)."
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>{html.escape(art['title'])} | Rhein-Ruhr-Bote</title>
<link rel="canonical" href="{art['url']}">
<meta property="og:title" content="{html.escape(art['title'])}">
<meta property="og:url" content="{art['url']}">
<meta property="article:published_time" content="{art['iso']}">
<meta name="author" content="{html.escape(art['author'])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
{COOKIE}
<header class="site-header"><a class="logo" href="/">Rhein-Ruhr-Bote</a>{NAV}</header>
<main><article class="article">
<div class="breadcrumb"><a href="/">Start</a> › {html.escape(art['town'])}</div>
<h1 class="article__title">{html.escape(art['title'])}</h1>
<p class="byline">Von {html.escape(art['author'])} · <time datetime="{art['iso']}">{art['german_date']}</time></p>
<figure><img src="/img/{art['id']}.jpg" alt=""><figcaption>{html.escape(caption)} <span class="credit">Foto: Rhein-Ruhr-Bote / Archiv</span></figcaption></figure>
<div class="article__body">
{paragraphs(art['text'])}
</div>
{NEWSLETTER}
{related(others)}
</article>
{sidebar(others)}
</main>
{FOOTER}
</body></html>
"""


def layout_plain(art: dict, others: list[dict]) -> str:
    """Layout B: no JSON-LD, no meta dates; visible German date and byline only."""
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(art['title'])} - Lokalnachrichten</title></head>
<body><div id="page">
<div class="topbar">{NAV}</div>
<div id="content" class="content">
<div class="story">
<h1>{html.escape(art['title'])}</h1>
<div class="meta"><span class="author">{html.escape(art['author'])}</span> | {art['german_datetime']}</div>
<div class="story-text">
{paragraphs(art['text'])}
<p class="credit">Foto: privat</p>
</div>
<div class="teaser-list"><h3>Neueste Artikel</h3><ul>
{''.join(f'<li><a href="/{o["path"]}">{html.escape(o["title"])}</a></li>' for o in others[:5])}
</ul></div>
</div></div>
{FOOTER}
</div></body></html>
"""


AUTHORS = ["Anna Schmitz", "Jörg Brandt", "Selin Aydın", "Markus Hoffmann", "Claudia Wenders",
           "Tobias Klein"]


def build(n: int = N_ARTICLES) -> list[dict]:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    # a spread over towns: every k-th article
    step = max(1, len(records) // n)
    chosen = records[::step][:n]
    arts = []
    for i, rec in enumerate(chosen):
        day = datetime.fromisoformat(rec["published"]).replace(hour=7 + i % 10, minute=(i * 7) % 60, tzinfo=BERLIN)
        path = f"articles/{slug(rec['town'])}/{slug(rec['title'])}-{rec['id']}.html"
        arts.append({**rec, "path": path, "url": f"{BASE}/{path}", "iso": day.isoformat(),
                     "rfc822": format_datetime(day),
                     "german_date": f"{day.day}. {MONTHS[day.month - 1]} {day.year}",
                     "german_datetime": day.strftime("%d.%m.%Y, %H:%M Uhr"),
                     "author": AUTHORS[i % len(AUTHORS)]})
    if SITE.exists():
        shutil.rmtree(SITE)
    for i, art in enumerate(arts):
        others = [a for a in arts if a is not art]
        page = layout_jsonld(art, others) if i % 3 != 2 else layout_plain(art, others)
        out = SITE / art["path"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    items = "\n".join(f"""  <item>
    <title>{html.escape(a['title'])}</title>
    <link>{{base}}/{a['path']}</link>
    <guid isPermaLink="false">{a['id']}</guid>
    <pubDate>{a['rfc822']}</pubDate>
    <category>{html.escape(a['town'])}</category>
  </item>""" for a in arts)
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Rhein-Ruhr-Bote (Demo)</title>
  <link>{BASE}/</link>
  <description>Fiktive Lokalnachrichten aus NRW, geschrieben für newsmine</description>
  <language>de-de</language>
{items}
</channel></rss>
"""
    # Links are relative to wherever the site is served: the runner serves SITE on
    # 127.0.0.1, so the feed uses root-relative links resolved against the feed URL.
    (SITE / "feed.xml").write_text(feed.replace("{base}/", "/"), encoding="utf-8")
    (SITE / "robots.txt").write_text("User-agent: *\nDisallow: /intern/\n", encoding="utf-8")
    return arts


if __name__ == "__main__":
    arts = build()
    print(f"wrote {len(arts)} articles and feed.xml to {SITE}")
