"""A generated regional news site for tests on loopback (tests/loopback.py), and a structural check of a
database file: shared by the crash, fault and concurrency suites instead of importing from each other.

``make_site`` writes ``n`` articles of people, places, organisations and euro amounts (seeded), with
JSON-LD on some, ETags on half, a 404 and a syndicated copy; ``rss`` lists them; ``_page_route`` serves
one with its ETag and delay; ``health`` runs SQLite's integrity, foreign-key and FTS checks.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import os
import random
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from loopback import Recorded, Reply

#: The seed of the generated site (the crash suite's NEWSMINE_RESUME_SEED overrides it there).
SEED = int(os.environ.get("NEWSMINE_RESUME_SEED", "20250611"))

PEOPLE = ["Sören Link", "Thomas Kufen", "Henriette Reker", "Stephan Keller", "Petra Oberhaus", "Ulrich Demir",
          "Markus Schäfer", "Claudia Weber", "Jens Hoffmann", "Aylin Yilmaz", "Michael Becker", "Sabine Krüger",
          "Frank Dudda", "Karin Welge", "Daniel Schranz", "Marc Buchholz", "Ina Scharrenbach", "Hendrik Wüst"]
PLACES = ["Duisburg", "Essen", "Düsseldorf", "Köln", "Bochum", "Dortmund", "Gelsenkirchen", "Oberhausen",
          "Mülheim an der Ruhr", "Wesel", "Moers", "Hagen", "Marxloh", "Rheinhausen", "Herne", "Bottrop"]
ORGS = ["Stadtwerke Duisburg", "Ruhrverband", "Bezirksregierung Düsseldorf", "Deutsche Bahn", "Evonik",
        "Thyssenkrupp", "Universität Duisburg-Essen", "Sparkasse Essen", "Landschaftsverband Rheinland",
        "Emschergenossenschaft", "Ruhrbahn", "Verkehrsverbund Rhein-Ruhr", "IHK Niederrhein", "Caritas"]
AMOUNTS = ["2,5 Millionen Euro", "rund 800.000 Euro", "14 Mio. Euro", "knapp 120.000 Euro", "1,2 Milliarden Euro",
           "45.000 Euro", "zwischen 3 und 4 Millionen Euro", "etwa 650.000 Euro", "18,7 Millionen Euro",
           "mehr als 300.000 Euro", "9,5 Mio. Euro", "250.000 €"]
TOPICS = ["Brücke wird deutlich teurer", "Gesamtschule wird saniert", "Neues Hallenbad geplant",
          "Streit um den Radweg am Kanal", "Klinik bekommt Förderung", "Straßenbahnlinie wird verlängert",
          "Hafen investiert in neue Kräne", "Stadt kauft Zechengelände", "Feuerwache zieht um",
          "Kita-Ausbau verzögert sich"]
SENTENCES = [
    "{per}, Sprecher der {org}, kündigte am Montag in {loc} an, dass für das Vorhaben {amt} bereitstehen.",
    "Nach Angaben der {org} kostet der erste Bauabschnitt in {loc} {amt}.",
    "„Wir haben lange darauf gewartet“, sagte {per} bei einem Termin im Rathaus von {loc}.",
    "Die {org} rechnet inzwischen mit Kosten von {amt}, ursprünglich war deutlich weniger veranschlagt.",
    "Kritik kommt von {per}: Die Verwaltung in {loc} habe die Risiken zu spät offengelegt.",
    "Das Land stellt über die {org} Fördermittel in Höhe von {amt} zur Verfügung.",
    "Anwohner in {loc} hatten sich bereits im Frühjahr mit einem Brief an {per} gewandt.",
    "Der Rat der Stadt {loc} soll im Juni über die Vorlage entscheiden, teilte {per} mit.",
    "Bis zum Baubeginn müsse die {org} noch mehrere Gutachten vorlegen, erklärte {per}.",
    "Für die Planung allein hat die Stadt {loc} bereits {amt} ausgegeben.",
]
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})


@dataclasses.dataclass
class Page:
    path: str
    title: str
    body: str
    etag: str | None        # answers 304 to a matching If-None-Match
    delay: float            # seconds before every answer
    status: int = 200


def _article_html(base: str, path: str, title: str, paras: list[str], author: str, day: int, jsonld: bool) -> str:
    ld = ""
    if jsonld:
        ld = ('<script type="application/ld+json">' + json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": f"2025-05-{day:02d}T08:00:00+02:00",
            "author": {"@type": "Person", "name": author},
            "publisher": {"@type": "Organization", "name": "Rhein-Ruhr-Testbote"},
            "mainEntityOfPage": base + path}, ensure_ascii=False) + "</script>")
    ps = "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paras)
    t = html_lib.escape(title, quote=False)
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{t} - Rhein-Ruhr-Testbote</title>{ld}</head>
<body><nav><ul><li><a href="/">Start</a></li><li><a href="/duisburg/">Duisburg</a></li>
<li><a href="/essen/">Essen</a></li><li><a href="/sport/">Sport</a></li></ul></nav>
<main><article><h1>{t}</h1>
<div class="meta"><span class="author">{html_lib.escape(author)}</span> | {day:02d}.05.2025, 08:00 Uhr</div>
<div class="story-text">
{ps}
</div></article></main>
<footer><p>© 2025 Rhein-Ruhr-Testbote (Testseite, alle Artikel sind fiktiv)</p>
<a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a></footer></body></html>
"""


def make_site(base: str, n: int, seed: int) -> list[Page]:
    """``n`` article pages (unique texts), then a deleted page (404), a video page without main text and a
    syndicated copy of the first article under another URL."""
    rng = random.Random(seed)
    pages: list[Page] = []
    for i in range(n):
        loc = rng.choice(PLACES)
        title = f"{loc}: {rng.choice(TOPICS)}"
        paras = []
        for _ in range(rng.randint(3, 5)):
            paras.append(" ".join(
                rng.choice(SENTENCES).format(per=rng.choice(PEOPLE), org=rng.choice(ORGS), loc=rng.choice(PLACES),
                                             amt=rng.choice(AMOUNTS))
                for _ in range(rng.randint(2, 3))))
        paras.append(f"Die Vorlage mit der Nummer {1000 + i}/2025 über insgesamt {rng.choice(AMOUNTS)} ist im "
                     f"Ratsinformationssystem der Stadt {loc} einsehbar.")
        path = f"/{loc.split()[0].lower().translate(ASCII)}/artikel-{i:03d}.html"
        body = _article_html(base, path, title, paras, rng.choice(PEOPLE), 1 + i % 28, jsonld=i % 3 == 0)
        pages.append(Page(path, title, body, etag=f'"a{i}"' if i % 2 == 0 else None, delay=rng.uniform(0.02, 0.04)))
    pages.append(Page("/wesel/geloescht-999.html", "Gelöschter Artikel", "nicht gefunden", etag=None,
                      delay=rng.uniform(0.02, 0.04), status=404))
    video = ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Video: Hochwasser in Wesel</title>'
             '</head><body><nav><ul><li><a href="/">Start</a></li></ul></nav><main><article>'
             '<h1>Video: Hochwasser in Wesel</h1><div class="player" data-src="/v/1.mp4"></div></article></main>'
             '<footer><p>© 2025 Rhein-Ruhr-Testbote</p></footer></body></html>')
    pages.append(Page("/video/hochwasser-wesel.html", "Video: Hochwasser in Wesel", video, etag='"v1"',
                      delay=rng.uniform(0.02, 0.04)))
    pages.append(syndicated_copy(pages[0]))
    return pages


COPY_PATH = "/nrw/agenturmeldung-kopie.html"


def syndicated_copy(page: Page) -> Page:
    """The same agency article in another section: same text, another URL (its JSON-LD URL too)."""
    return dataclasses.replace(page, path=COPY_PATH, etag=None, body=page.body.replace(page.path, COPY_PATH))


def rss(base: str, pages: list[Page]) -> str:
    items = "".join(
        f"<item><title>{xml_escape(p.title)}</title><link>{base}{p.path}</link><guid>{base}{p.path}</guid>"
        f"<pubDate>Mon, {1 + i % 28:02d} May 2025 08:00:00 +0200</pubDate></item>\n" for i, p in enumerate(pages))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Rhein-Ruhr-Testbote</title>'
            f"<link>{base}/</link><description>Testseite</description><language>de-de</language>\n{items}"
            "</channel></rss>\n")


def _page_route(page: Page):
    def route(req: Recorded) -> Reply:
        if page.status != 200:
            return Reply(status=page.status, body=page.body, content_type="text/plain; charset=utf-8",
                         delay=page.delay)
        headers = {"ETag": page.etag} if page.etag else {}
        if page.etag and page.etag in (req.header("if-none-match") or ""):
            return Reply(status=304, headers=headers, content_type=None, delay=page.delay)
        return Reply(body=page.body, headers=headers, delay=page.delay)
    return route


def health(path: Path) -> list[str]:
    """Structural checks on a database file nobody is writing to."""
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        problems = []
        result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles_fts" in tables:
            try:
                con.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as err:
                problems.append(f"FTS integrity-check: {err}")
            n_fts = con.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
            n_art = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            if n_fts != n_art:
                problems.append(f"articles_fts has {n_fts} rows, articles {n_art}")
        if "articles" in tables:
            dups = con.execute("SELECT url, count(*) FROM articles GROUP BY url HAVING count(*) > 1").fetchall()
            if dups:
                problems.append(f"duplicate article urls: {dups[:5]}")
        return problems
    finally:
        con.close()


def copy_database(src: Path, dst: Path) -> Path:
    """A consistent copy of an SQLite database (the backup API: WAL content included)."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst
