"""Main-content extraction (pipeline.extract) on realistic German news pages."""

import gzip
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import EXTRACTOR_VERSION, Extracted, decode_html, extract, failure_reason, parse_date
from pipeline.extract import charset as extract_charset
from pipeline.extract import dates as extract_dates
from pipeline.extract.metadata import clean_title, title_confirmed_by

# --------------------------------------------------------------------------- pages

# Layout 1: JSON-LD (@graph with WebPage, NewsArticle, BreadcrumbList), relative canonical,
# cookie banner, article header with lead and byline, figure with credit, subheading,
# inline "Lesen Sie auch", credit line, newsletter box, "Zum Thema", "Meistgelesen" sidebar.
_LD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebPage", "@id": "https://www.rhein-kurier.example/duisburg/haushalt-123.html#page",
         "name": "Duisburg: Rat beschließt Haushalt"},
        {
            "@type": "NewsArticle",
            "headline": "Duisburg: Rat beschließt Haushalt mit 48 Millionen Euro Defizit",
            "datePublished": "2026-11-24T14:05:00+01:00",
            "dateModified": "2026-11-24T18:30:00+01:00",
            "author": [{"@type": "Person", "name": "Anna Schmidt"},
                       {"@type": "Organization", "name": "dpa"}],
            "articleSection": "Duisburg",
            "inLanguage": "de-DE",
            "description": "Der Rat der Stadt Duisburg hat den Haushalt für 2027 beschlossen.",
            "articleBody": (
                "Der Rat der Stadt Duisburg hat am Montagabend den Haushalt für das kommende Jahr "
                "beschlossen. Kämmerin Martina Ammann-Hilberath rechnet mit einem Defizit von rund "
                "48 Millionen Euro. Die Grünen stimmten gegen den Entwurf, die SPD und die CDU dafür. "
                "Oberbürgermeister Sören Link sprach von einem „Haushalt der Verantwortung“. Die "
                "Gewerbesteuer bleibt unverändert, die Grundsteuer B steigt dagegen leicht. "
                "Streit um die Schulen Besonders umstritten war das Programm für die Sanierung der "
                "Schulen in Marxloh und Hochfeld. Dafür sind 12,5 Millionen Euro vorgesehen. "
                "Die Bezirksregierung Düsseldorf muss den Haushalt noch genehmigen. Eine Entscheidung "
                "wird im Februar erwartet."
            ),
            "mainEntityOfPage": {"@id": "https://www.rhein-kurier.example/duisburg/haushalt-123.html"},
        },
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Startseite"},
            {"@type": "ListItem", "position": 2, "name": "Duisburg"},
            {"@type": "ListItem", "position": 3, "name": "Rat beschließt Haushalt"}]},
    ],
}

JSONLD_PAGE = f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Duisburg: Rat beschließt Haushalt | Rhein-Kurier</title>
<link rel="canonical" href="/duisburg/haushalt-123.html">
<meta property="og:title" content="Rat beschließt Haushalt | Rhein-Kurier">
<meta name="description" content="Der Rat der Stadt Duisburg hat den Haushalt für 2027 beschlossen.">
<script type="application/ld+json">{json.dumps(_LD, ensure_ascii=False)}</script>
</head><body>
<div id="cmp-consent" class="consent-layer"><p>Wir verwenden Cookies und ähnliche Technologien, um Ihnen
das bestmögliche Nutzungserlebnis zu bieten. Mit „Alle akzeptieren“ stimmen Sie zu.</p>
<button>Alle akzeptieren</button></div>
<header class="site-header"><a href="/">Rhein-Kurier</a><nav><ul><li><a href="/duisburg/">Duisburg</a></li>
<li><a href="/essen/">Essen</a></li><li><a href="/sport/">Sport</a></li></ul></nav></header>
<main>
<nav class="breadcrumb"><a href="/">Startseite</a> › <a href="/duisburg/">Duisburg</a></nav>
<article class="article">
<header class="article__header">
<h1 class="article__title">Duisburg: Rat beschließt Haushalt mit 48 Millionen Euro Defizit</h1>
<p class="article__lead">Der Rat der Stadt Duisburg hat den Haushalt für 2027 beschlossen &ndash; mit
knapper Mehrheit und viel Streit über die Schulen.</p>
<div class="article__byline">Von Anna Schmidt · <time datetime="2026-11-24T14:05:00+01:00">24.11.2026, 14:05 Uhr</time></div>
</header>
<figure class="article__image"><img src="/img/rathaus.jpg" alt="">
<figcaption>Das Duisburger Rathaus am Burgplatz. <span class="credit">Foto: Hans Blossey / Funke Foto Services</span></figcaption>
</figure>
<div class="article__body">
<p>Der Rat der Stadt Duisburg hat am Montagabend den Haushalt für das kommende Jahr beschlossen.
Kämmerin Martina Ammann-Hilberath rechnet mit einem Defizit von rund 48 Millionen Euro.</p>
<p>Die Grünen stimmten gegen den Entwurf, die SPD und die CDU dafür. Oberbürgermeister Sören Link sprach
von einem &bdquo;Haushalt der Verantwortung&ldquo;.</p>
<p><strong>Lesen Sie auch:</strong> <a href="/duisburg/grundsteuer-456.html">Grundsteuer: Was Eigentümer jetzt zahlen</a></p>
<p>Die Gewerbesteuer bleibt unverändert, die Grundsteuer B steigt dagegen leicht.</p>
<h2>Streit um die Schulen</h2>
<p>Besonders umstritten war das Programm für die Sanierung der Schulen in Marxloh und Hochfeld.
Dafür sind 12,5 Millionen Euro vorgesehen.</p>
<p>Foto: dpa</p>
<p>Die Bezirksregierung Düsseldorf muss den Haushalt noch genehmigen. Eine Entscheidung wird im
Februar erwartet.</p>
</div>
<div class="newsletter-teaser"><h3>Newsletter</h3><p>Jetzt abonnieren: Alles Wichtige aus Duisburg jeden
Morgen kostenlos in Ihrem Postfach.</p></div>
<section class="article-related"><h2>Zum Thema</h2><ul>
<li><a href="/duisburg/kita-789.html">Kita-Gebühren in Duisburg steigen 2027</a></li>
<li><a href="/duisburg/bad-790.html">Hallenbad in Homberg bleibt länger geschlossen</a></li></ul></section>
<div class="social-share"><a href="#">Teilen</a><a href="#">Drucken</a></div>
</article>
<aside class="sidebar"><section class="most-read"><h2>Meistgelesen</h2><ol>
<li><a href="/essen/unfall.html">Schwerer Unfall auf der A40 bei Essen-Frohnhausen</a></li>
<li><a href="/duisburg/zoo.html">Zoo Duisburg: Nachwuchs bei den Koalas</a></li></ol></section></aside>
</main>
<footer class="site-footer"><p>© 2026 Rhein-Kurier Mediengruppe. Alle Rechte vorbehalten.</p>
<a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a></footer>
</body></html>
"""

# Layout 2: meta tags only (Open Graph, article:*, author), a body div with a repeated caption,
# a "Bild:" credit, an "Das könnte Sie auch interessieren" box inside the body, a paywall teaser.
META_PAGE = """<!DOCTYPE html>
<html lang="de-DE"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Essen: Neue Straßenbahnlinie 109 fährt ab Dezember - WAZ-Lokal</title>
<meta property="og:title" content="Essen: Neue Straßenbahnlinie 109 fährt ab Dezember | Essener Tageblatt">
<meta property="og:site_name" content="Essener Tageblatt">
<meta property="og:url" content="https://www.essener-tageblatt.example/essen/strassenbahn-109-a7781.html">
<meta property="og:description" content="Die Ruhrbahn verlängert die Linie 109 bis Steele.">
<meta property="article:published_time" content="2026-11-20T06:30:00+01:00">
<meta property="article:modified_time" content="2026-11-21T09:15:00+01:00">
<meta property="article:section" content="Essen">
<meta name="author" content="Jörg Brandt und Selin Aydın">
</head><body>
<div class="page">
<div class="top-navigation"><a href="/">Startseite</a> <a href="/essen/">Essen</a></div>
<div class="article-body">
<h1>Essen: Neue Straßenbahnlinie 109 fährt ab Dezember</h1>
<div class="image-box"><img src="/tram.jpg"><p class="image-caption">Eine Straßenbahn der Ruhrbahn am Hauptbahnhof Essen.</p></div>
<p>Die Ruhrbahn verlängert die Straßenbahnlinie 109 vom Essener Hauptbahnhof bis nach Steele. Ab dem
14. Dezember fahren die Bahnen im Zehn-Minuten-Takt, teilte das Verkehrsunternehmen am Donnerstag mit.</p>
<p>Eine Straßenbahn der Ruhrbahn am Hauptbahnhof Essen.</p>
<p>Die neue Strecke hat rund 23 Millionen Euro gekostet. Bund und Land übernehmen nach Angaben der
Stadt Essen etwa 90 Prozent der Kosten.</p>
<p>Bild: Ruhrbahn GmbH</p>
<div class="inline-box"><h3>Das könnte Sie auch interessieren</h3><ul>
<li><a href="/essen/a40.html">A40: Sperrung am Wochenende zwischen Frohnhausen und Holsterhausen</a></li>
<li><a href="/essen/rüttenscheid.html">Rüttenscheid: Neues Café an der Rü eröffnet</a></li></ul></div>
<p>Verkehrsdezernentin Simone Raskob sagte: „Die Anbindung des Essener Ostens wird damit deutlich besser.“</p>
<div class="paywall-hint"><p>Weiterlesen mit Essener Tageblatt Plus. Sie haben bereits ein Abo? Jetzt anmelden.</p></div>
</div>
</div>
</body></html>
"""

# Layout 3: no JSON-LD, no meta dates: visible byline and German date, boxes without classes.
PLAIN_PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="iso-8859-1">
<title>Moers: Grafschafter Museum zeigt Funde aus der Römerzeit - Niederrhein Nachrichten</title></head>
<body><div id="wrapper">
<div id="cookie-hinweis"><p>Diese Website verwendet Cookies. Durch die Nutzung stimmen Sie der Verwendung zu.</p></div>
<table width="100%"><tr><td class="menu"><a href="/">Home</a> | <a href="/moers/">Moers</a> | <a href="/kamp-lintfort/">Kamp-Lintfort</a></td></tr></table>
<div id="main">
<h1>Moers: Grafschafter Museum zeigt Funde aus der Römerzeit</h1>
<div class="info">Von Klaus Müller | 3. März 2026, 09:45 Uhr</div>
<div class="text">
<p>Das Grafschafter Museum im Moerser Schloss zeigt ab Sonntag rund 300 Fundstücke aus der Römerzeit.
Viele davon wurden bei Ausgrabungen in Asberg entdeckt, wo einst das Kastell Asciburgium stand.</p>
<p>Museumsleiterin Diana Finkele freut sich über die Leihgaben aus Bonn und Xanten. „So etwas hat es in
Moers noch nicht gegeben“, sagte sie bei der Vorbesichtigung.</p>
<p>Die Ausstellung im Überblick:</p>
<ul><li>Öffnungszeiten: dienstags bis sonntags von 11 bis 18 Uhr</li>
<li>Eintritt: 6 Euro, ermäßigt 3 Euro</li></ul>
<p>Die Schau läuft bis zum 30. September. Führungen gibt es jeden ersten Sonntag im Monat.</p>
</div>
<div><h3>Meistgelesen</h3><ol>
<li><a href="/moers/kirmes.html">Kirmes in Moers: Das ist neu in diesem Jahr</a></li>
<li><a href="/moers/unfall.html">Unfall auf der Homberger Straße: Zwei Verletzte</a></li></ol></div>
<div><h3>Neueste Artikel</h3><ul>
<li><a href="/kamp-lintfort/zeche.html">Kamp-Lintfort: Zechenpark wird erweitert</a></li></ul></div>
</div>
<div id="fuss">Niederrhein Nachrichten &middot; <a href="/impressum">Impressum</a></div>
</div></body></html>
"""


# --------------------------------------------------------------------------- layout 1: JSON-LD


@pytest.fixture(scope="module")
def jsonld() -> Extracted:
    return extract(JSONLD_PAGE.encode("utf-8"), "https://www.rhein-kurier.example/duisburg/haushalt-123.html?utm_source=rss")


def test_jsonld_metadata(jsonld: Extracted) -> None:
    # the page's own paragraphs hold the whole articleBody: they are the text (extract-2.1,
    # main_content.JSONLD_MIN_GAIN); tests/test_extract_real_classes.py covers a body the HTML lacks
    assert jsonld.method == "heuristic"
    assert jsonld.title == "Duisburg: Rat beschließt Haushalt mit 48 Millionen Euro Defizit"
    assert jsonld.url == "https://www.rhein-kurier.example/duisburg/haushalt-123.html"
    assert jsonld.published == "2026-11-24T14:05:00+01:00"
    assert jsonld.modified == "2026-11-24T18:30:00+01:00"
    assert jsonld.authors == ["Anna Schmidt"]
    assert jsonld.agencies == ["dpa"]  # an agency is credited, not an author
    assert jsonld.section == "Duisburg"
    assert jsonld.language == "de"
    assert jsonld.captions == ["Das Duisburger Rathaus am Burgplatz."]
    assert jsonld.lead.startswith("Der Rat der Stadt Duisburg hat den Haushalt für 2027 beschlossen – mit")
    assert jsonld.warnings == []


def test_jsonld_body_is_split_along_html_paragraphs(jsonld: Extracted) -> None:
    paragraphs = jsonld.text.split("\n\n")
    assert "Streit um die Schulen" in paragraphs  # the subheading became its own paragraph
    assert paragraphs[1].startswith("Der Rat der Stadt Duisburg hat am Montagabend")
    assert paragraphs[1].endswith("rund 48 Millionen Euro.")
    assert paragraphs[-1] == "Die Bezirksregierung Düsseldorf muss den Haushalt noch genehmigen. Eine Entscheidung wird im Februar erwartet."
    assert "„Haushalt der Verantwortung“" in jsonld.text
    assert paragraphs[0] == jsonld.lead  # the separately marked lead opens the text


def test_jsonld_text_has_no_boilerplate(jsonld: Extracted) -> None:
    for junk in ("Cookies", "akzeptieren", "Lesen Sie auch", "Grundsteuer: Was Eigentümer", "Foto:",
                 "Jetzt abonnieren", "Newsletter", "Zum Thema", "Kita-Gebühren", "Meistgelesen", "A40",
                 "Koalas", "Rathaus am Burgplatz", "Impressum", "Teilen", "©", "Von Anna Schmidt"):
        assert junk not in jsonld.text, junk


def test_heuristic_text_of_jsonld_layout_without_article_body() -> None:
    page = JSONLD_PAGE.replace('"articleBody"', '"articleBodyX"')
    ex = extract(page)
    assert ex.method == "heuristic"
    paragraphs = ex.text.split("\n\n")
    assert paragraphs[0].startswith("Der Rat der Stadt Duisburg hat den Haushalt für 2027 beschlossen")
    assert "Streit um die Schulen" in paragraphs
    assert "Die Gewerbesteuer bleibt unverändert, die Grundsteuer B steigt dagegen leicht." in paragraphs
    assert "„Haushalt der Verantwortung“" in ex.text  # &bdquo;/&ldquo; decoded
    for junk in ("Lesen Sie auch", "Foto:", "Jetzt abonnieren", "Zum Thema", "Kita-Gebühren", "Meistgelesen",
                 "Cookies", "Rathaus am Burgplatz", "Teilen"):
        assert junk not in ex.text, junk


# --------------------------------------------------------------------------- layout 2: meta only


@pytest.fixture(scope="module")
def meta_only() -> Extracted:
    return extract(META_PAGE.encode("utf-8"), "https://www.essener-tageblatt.example/essen/strassenbahn-109-a7781.html?ref=feed")


def test_meta_only_metadata(meta_only: Extracted) -> None:
    assert meta_only.method == "heuristic"
    assert meta_only.title == "Essen: Neue Straßenbahnlinie 109 fährt ab Dezember"  # site name stripped
    assert meta_only.url == "https://www.essener-tageblatt.example/essen/strassenbahn-109-a7781.html"
    assert meta_only.published == "2026-11-20T06:30:00+01:00"
    assert meta_only.modified == "2026-11-21T09:15:00+01:00"
    assert meta_only.authors == ["Jörg Brandt", "Selin Aydın"]
    assert meta_only.section == "Essen"
    assert meta_only.language == "de-DE"
    assert meta_only.lead == "Die Ruhrbahn verlängert die Linie 109 bis Steele."
    assert meta_only.captions == ["Eine Straßenbahn der Ruhrbahn am Hauptbahnhof Essen."]


def test_meta_only_text(meta_only: Extracted) -> None:
    paragraphs = meta_only.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Die Ruhrbahn verlängert die Straßenbahnlinie 109 vom Essener Hauptbahnhof")
    assert "rund 23 Millionen Euro gekostet" in paragraphs[1]
    assert paragraphs[2] == ("Verkehrsdezernentin Simone Raskob sagte: „Die Anbindung des Essener Ostens wird "
                             "damit deutlich besser.“")
    for junk in ("Eine Straßenbahn der Ruhrbahn am Hauptbahnhof", "Bild:", "Das könnte Sie", "A40", "Rüttenscheid",
                 "Weiterlesen", "Abo", "Startseite", "Neue Straßenbahnlinie 109 fährt ab Dezember"):
        assert junk not in meta_only.text, junk


# --------------------------------------------------------------------------- layout 3: plain


@pytest.fixture(scope="module")
def plain() -> Extracted:
    # declared iso-8859-1 and really windows-1252 (a German site of the old school)
    return extract(PLAIN_PAGE.encode("cp1252"), "https://www.niederrhein-nachrichten.example/moers/museum-roemer.html")


def test_plain_metadata(plain: Extracted) -> None:
    assert plain.method == "heuristic"
    assert plain.title == "Moers: Grafschafter Museum zeigt Funde aus der Römerzeit"
    assert plain.url == "https://www.niederrhein-nachrichten.example/moers/museum-roemer.html"
    assert plain.published == "2026-03-03T09:45:00"
    assert plain.modified is None
    assert plain.authors == ["Klaus Müller"]
    assert plain.language == "de"
    assert plain.captions == []
    assert plain.warnings == []


def test_plain_text(plain: Extracted) -> None:
    paragraphs = plain.text.split("\n\n")
    assert paragraphs[0].startswith("Das Grafschafter Museum im Moerser Schloss zeigt ab Sonntag rund 300 Fundstücke")
    assert "„So etwas hat es in Moers noch nicht gegeben“, sagte sie bei der Vorbesichtigung." in plain.text
    assert "Öffnungszeiten: dienstags bis sonntags von 11 bis 18 Uhr" in paragraphs  # list items kept, in order
    assert paragraphs.index("Eintritt: 6 Euro, ermäßigt 3 Euro") == paragraphs.index("Die Ausstellung im Überblick:") + 2
    assert paragraphs[-1] == "Die Schau läuft bis zum 30. September. Führungen gibt es jeden ersten Sonntag im Monat."
    for junk in ("Meistgelesen", "Kirmes", "Homberger Straße", "Neueste Artikel", "Zechenpark", "Cookies",
                 "Klaus Müller", "09:45", "Impressum", "Home"):
        assert junk not in plain.text, junk


# --------------------------------------------------------------------------- more layouts


def test_json_ld_array_string_author_and_body_with_newlines() -> None:
    ld = [{"@context": "https://schema.org", "@type": "Organization", "name": "Kölner Abendblatt"},
          {"@context": "https://schema.org", "@type": ["ReportageNewsArticle"], "headline": "Köln &amp; der Dom",
           "author": "Von Markus Hoffmann", "datePublished": "2026-05-02", "articleSection": ["Köln", "Kultur"],
           "url": "https://koelner-abendblatt.example/koeln/dom.html",
           "articleBody": "Der Kölner Dom bekommt ein neues Dach für 4,2 Millionen Euro.\n\nDie Arbeiten "
                          "beginnen im Juni und dauern zwei Jahre, sagte Dombaumeister Peter Füssenich."}]
    page = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body></body></html>'
    ex = extract(page, "https://koelner-abendblatt.example/koeln/dom.html?amp=1")
    assert ex.method == "json-ld"
    assert ex.title == "Köln & der Dom"
    assert ex.authors == ["Markus Hoffmann"]
    assert ex.section == "Köln"
    assert ex.published == "2026-05-02"
    assert ex.url == "https://koelner-abendblatt.example/koeln/dom.html"
    assert ex.text.split("\n\n") == [
        "Der Kölner Dom bekommt ein neues Dach für 4,2 Millionen Euro.",
        "Die Arbeiten beginnen im Juni und dauern zwei Jahre, sagte Dombaumeister Peter Füssenich.",
    ]


def test_invalid_json_ld_falls_back_to_page_with_warning() -> None:
    page = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
            '<meta name="DC.date" content="2026-02-29"></head><body><article><h1>Wesel baut neue Rheinbrücke</h1>'
            '<p>Stand: 12.01.2026, 17:20 Uhr</p>'
            '<p>Die Stadt Wesel und der Landesbetrieb Straßen.NRW haben den Bau der neuen Rheinbrücke begonnen.</p>'
            '<p>Die Kosten liegen bei rund 100 Millionen Euro, die Brücke soll 2030 fertig sein.</p>'
            '</article></body></html>')
    ex = extract(page)
    assert any("JSON-LD" in w for w in ex.warnings)
    assert ex.title == "Wesel baut neue Rheinbrücke"
    assert ex.published == "2026-01-12T17:20:00"  # 2026-02-29 does not exist: ignored
    assert ex.modified == "2026-01-12T17:20:00"
    assert ex.text.split("\n\n") == [
        "Die Stadt Wesel und der Landesbetrieb Straßen.NRW haben den Bau der neuen Rheinbrücke begonnen.",
        "Die Kosten liegen bei rund 100 Millionen Euro, die Brücke soll 2030 fertig sein.",
    ]


def test_itemprop_article_body_and_br_paragraphs() -> None:
    page = ('<html><body><div class="teaser"><p>Andere Meldung mit langem Teasertext, der nichts mit dem '
            'Artikel zu tun hat, aber lang ist.</p></div>'
            '<div itemprop="articleBody">Erster Absatz des Artikels über das neue Hallenbad in Kleve.<br><br>'
            'Zweiter Absatz: Das Bad kostet 18 Millionen Euro &amp; öffnet im Herbst.<br>Eine Zeile darunter.'
            '</div></body></html>')
    ex = extract(page)
    assert ex.text.split("\n\n") == [
        "Erster Absatz des Artikels über das neue Hallenbad in Kleve.",
        "Zweiter Absatz: Das Bad kostet 18 Millionen Euro & öffnet im Herbst. Eine Zeile darunter.",
    ]


@pytest.mark.parametrize(("head", "expected"), [
    ('<link rel="canonical" href="https://a.example/x.html"><meta property="og:url" content="https://b.example/x.html">'
     '<script type="application/ld+json">{"@type": "NewsArticle", "url": "https://c.example/x.html"}</script>',
     "https://a.example/x.html"),
    ('<meta property="og:url" content="https://b.example/x.html">'
     '<script type="application/ld+json">{"@type": "NewsArticle", "url": "https://c.example/x.html"}</script>',
     "https://b.example/x.html"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "mainEntityOfPage": {"@type": "WebPage", '
     '"@id": "https://c.example/x.html"}}</script>', "https://c.example/x.html"),
    ('<link rel="canonical" href="https://a.example/">', "https://a.example/lokales/x.html?x=1"),  # home page: a CMS bug
    ("", "https://a.example/lokales/x.html?x=1"),
])
def test_canonical_url_precedence(head: str, expected: str) -> None:
    page = f"<html><head>{head}</head><body><p>Ein kurzer Text über den Stadtrat in Duisburg.</p></body></html>"
    assert extract(page, "https://a.example/lokales/x.html?x=1").url == expected


# --------------------------------------------------------------------------- charset


GERMAN = "<html><head><meta charset='{cs}'><title>Grüße</title></head><body><p>Über die Straße in Köln fährt " \
         "ein Bus für 5 €. Die Bürger ärgern sich über Schäden, „sagt“ die Mäßigung.</p></body></html>"
SENTENCE = "Über die Straße in Köln fährt ein Bus für 5 €. Die Bürger ärgern sich über Schäden, „sagt“ die Mäßigung."


def test_windows_1252_bytes_declared_as_utf8() -> None:
    data = GERMAN.format(cs="utf-8").encode("cp1252")
    text, charset = decode_html(data)
    assert charset == "windows-1252"
    assert SENTENCE in text
    ex = extract(data)
    assert ex.text == SENTENCE
    assert "charset fallback windows-1252" in ex.warnings


def test_utf8_bytes_declared_as_latin1_do_not_become_mojibake() -> None:
    data = GERMAN.format(cs="iso-8859-1").encode("utf-8")
    text, charset = decode_html(data)
    assert charset == "utf-8"
    assert "Ã" not in text
    ex = extract(data)
    assert ex.text == SENTENCE
    assert ex.title == "Grüße"


def test_correct_utf8_and_declared_argument() -> None:
    data = GERMAN.format(cs="utf-8").encode("utf-8")
    assert decode_html(data) == (data.decode("utf-8"), "utf-8")
    assert decode_html(data, "utf-8")[1] == "utf-8"
    latin = GERMAN.format(cs="").replace("„", '"').replace("“", '"').encode("iso-8859-15")
    assert decode_html(latin, "ISO-8859-15") == (latin.decode("iso-8859-15"), "iso8859-15")
    assert extract(data).warnings == []


def test_bom_and_str_input_with_mojibake() -> None:
    data = GERMAN.format(cs="iso-8859-1").encode("utf-16")
    assert decode_html(data)[1].startswith("utf-16")
    assert extract(data).text == SENTENCE
    broken = GERMAN.format(cs="utf-8").encode("utf-8").decode("cp1252", errors="replace")
    assert "Ã¼" in broken
    ex = extract(broken)
    assert ex.text == SENTENCE
    assert any("mojibake" in w for w in ex.warnings)


def test_meta_claiming_utf16_is_not_trusted() -> None:
    data = GERMAN.format(cs="utf-16").encode("utf-8")
    assert decode_html(data) == (data.decode("utf-8"), "utf-8")
    assert extract(data).text == SENTENCE


def test_mixed_utf8_with_stray_windows_1252_bytes() -> None:
    data = GERMAN.format(cs="utf-8").encode("utf-8").replace("Schäden".encode(), "Schäden".encode("cp1252"))
    text, _ = decode_html(data)
    assert SENTENCE in text


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("raw", "iso"), [
    ("2026-11-24T14:05:00+01:00", "2026-11-24T14:05:00+01:00"),
    ("2026-11-24T13:05:00Z", "2026-11-24T13:05:00+00:00"),
    ("2026-11-24T14:05:00.123+0100", "2026-11-24T14:05:00+01:00"),
    ("2026-11-24", "2026-11-24"),
    ("24.11.2026, 14:05 Uhr", "2026-11-24T14:05:00"),
    ("Stand: 24.11.2026 14.05 Uhr", "2026-11-24T14:05:00"),
    ("24. November 2026", "2026-11-24"),
    ("3. März 2026 um 9:45 Uhr", "2026-03-03T09:45:00"),
    ("3. Maerz 2026", "2026-03-03"),
    ("1. Dezember 2025", "2025-12-01"),
    ("Tue, 24 Nov 2026 14:05:00 +0100", "2026-11-24T14:05:00+01:00"),
    ("31.02.2026", None),
    ("2026-13-01", None),
    ("24.11.2026, 25:70 Uhr", "2026-11-24"),
    ("gestern", None),
    ("", None),
    (None, None),
])
def test_parse_date(raw: str | None, iso: str | None) -> None:
    assert parse_date(raw) == iso


@pytest.mark.parametrize(("title", "heading", "expected"), [
    # a site name or tagline behind any separator: the <h1> shows where the title ends
    ("Laufen im Winter: Von „bäh!“ zu „yeah!“ › Nordish by Nature", "Laufen im Winter: Von „bäh!“ zu „yeah!“",
     "Laufen im Winter: Von „bäh!“ zu „yeah!“"),
    ("Maulwurfkuchen mit Erdbeeren - Rezept von Backen.de", "Maulwurfkuchen mit Erdbeeren", "Maulwurfkuchen mit Erdbeeren"),
    ("08.11.2021 | Online-Fachtag zum Intersex Day", "Online-Fachtag zum Intersex Day", "Online-Fachtag zum Intersex Day"),
    ("r/Python - What's your opinion on __init__.py?", "What's your opinion on __init__.py?",
     "What's your opinion on __init__.py?"),
    # no separator at the seam: the heading is only the start of the title, which stays whole
    ("Haushalt 2027 beschlossen und Steuern erhöht", "Haushalt 2027 beschlossen", "Haushalt 2027 beschlossen und Steuern erhöht"),
    ("Haushalt 2027-Debatte im Rat", "Haushalt 2027", "Haushalt 2027-Debatte im Rat"),
    ("Rat | Haushalt beschlossen", "Rat", "Rat | Haushalt beschlossen"),  # a heading too short to tell
    ("Haushalt beschlossen | Rhein-Kurier", "Kommentar: Haushalt", "Haushalt beschlossen | Rhein-Kurier"),
])
def test_a_title_is_cut_where_the_heading_ends(title: str, heading: str, expected: str) -> None:
    assert title_confirmed_by(title, heading) == expected


@pytest.mark.parametrize(("title", "site_name", "host", "expected"), [
    ("Brücke gesperrt | Rhein-Ruhr-Bote", "Rhein-Ruhr-Bote", "www.rrb.example", "Brücke gesperrt"),
    ("Rhein-Ruhr-Bote - Brücke gesperrt", "Rhein-Ruhr-Bote", None, "Brücke gesperrt"),
    # a segment naming the host, or holding the host's name in a few words
    ("Brücke gesperrt - rheinruhrbote.de", None, "www.rheinruhrbote.de", "Brücke gesperrt"),
    ("Was ist Freie Software - MyOOS Community Forum", None, "foren.myoos.de", "Was ist Freie Software"),
    ("Topathleten fit für München 2022 - European Championships Munich 2022", None, "munich2022.com",
     "Topathleten fit für München 2022"),
    ("Take C.A.R.E. - comwrap auf der DMEXCO 2018", None, "www.comwrap.com",
     "Take C.A.R.E. - comwrap auf der DMEXCO 2018"),  # a subtitle that names the company: it stays
    # the same in front
    ("BMAS - Änderung der Anforderungen an Impfnachweise", None, "www.bmas.de", "Änderung der Anforderungen an Impfnachweise"),
    ("Gregory Szorc's Digital Home | Mercurial's Journey to Python 3", None, "gregoryszorc.com",
     "Mercurial's Journey to Python 3"),
    ("BMAS - Die Rente", None, "www.bmas.de", "BMAS - Die Rente"),  # too little left to be a title
    # only the separator goes: a closing guillemet or colon of the title stays
    ("«Wir waren fast 40 Tage in Quarantäne» - Rosa-Luxemburg-Stiftung", None, "www.rosalux.de",
     "«Wir waren fast 40 Tage in Quarantäne»"),
    ("Zitat: «Wir bleiben» | Stadtanzeiger", "Stadtanzeiger", None, "Zitat: «Wir bleiben»"),
    ("Brücke gesperrt", "Rhein-Ruhr-Bote", "www.rrb.example", "Brücke gesperrt"),
])
def test_a_site_name_is_cut_from_the_title(title: str, site_name: str | None, host: str | None, expected: str) -> None:
    assert clean_title(title, site_name, host) == expected


@pytest.mark.parametrize(("og_title", "page_title", "title"), [
    # og:title names the section; the <title> and the <h1> agree on the headline
    ("Pressemitteilungen", "Rheinbrücke: Bau der neuen Brücke beginnt - Stadt Wesel", "Rheinbrücke: Bau der neuen Brücke beginnt"),
    ("Escenic", "Rheinbrücke: Bau der neuen Brücke beginnt", "Rheinbrücke: Bau der neuen Brücke beginnt"),
    # the <title> holds the metadata title (dashes and quotes written differently): it stays
    ("Bau beginnt - Januar bis Mai", "Bau beginnt – Januar bis Mai | Stadt Wesel", "Bau beginnt - Januar bis Mai"),
    # the <title> is not the <h1>: the metadata title stays
    ("Mit Hilfe des Chefs sparen", "Rheinbrücke: Bau der neuen Brücke beginnt (Wesel) - Stadt Wesel", "Mit Hilfe des Chefs sparen"),
])
def test_the_title_and_the_headline_outvote_the_metadata(og_title: str, page_title: str, title: str) -> None:
    h1 = "Bau beginnt – Januar bis Mai" if "Januar" in og_title else "Rheinbrücke: Bau der neuen Brücke beginnt"
    page = (f'<html><head><title>{page_title}</title><meta property="og:title" content="{og_title}"></head><body>'
            f'<article><h1>{h1}</h1><p>Die Stadt Wesel und der Landesbetrieb Straßen.NRW haben den Bau der neuen '
            'Rheinbrücke begonnen.</p></article></body></html>')
    assert extract(page).title == title


def test_the_headline_confirms_the_title_of_a_page() -> None:
    page = ('<html><head><meta property="og:title" content="Rheinbrücke: Bau beginnt › Wesel aktuell"></head><body>'
            '<article><h1>Rheinbrücke: Bau beginnt</h1><p>Die Stadt Wesel und der Landesbetrieb Straßen.NRW haben '
            'den Bau der neuen Rheinbrücke begonnen.</p></article></body></html>')
    assert extract(page).title == "Rheinbrücke: Bau beginnt"


@pytest.mark.parametrize(("iso", "local"), [
    ("2022-11-06T23:00:00+00:00", "2022-11-07T00:00:00+01:00"),  # winter: CET
    ("2022-07-14T22:30:00Z", "2022-07-15T00:30:00+02:00"),  # summer: CEST
    ("2022-03-27T00:59:00+00:00", "2022-03-27T01:59:00+01:00"),  # the last minute of CET in March
    ("2022-03-27T01:00:00+00:00", "2022-03-27T03:00:00+02:00"),  # clocks go forward
    ("2022-10-30T00:59:00+00:00", "2022-10-30T02:59:00+02:00"),  # the last minute of CEST
    ("2022-10-30T01:00:00+00:00", "2022-10-30T02:00:00+01:00"),  # clocks go back
    ("2022-05-04T03:37:37-03:00", "2022-05-04T08:37:37+02:00"),
    ("2022-11-07T10:00:00+01:00", "2022-11-07T10:00:00+01:00"),
    ("2022-11-06T23:00:00", "2022-11-06T23:00:00"),  # no offset: left as it is
    ("2022-11-06", "2022-11-06"),
    (None, None),
])
def test_timestamps_in_central_european_time(iso: str | None, local: str | None) -> None:
    assert extract_dates.central_european(iso) == local


def _dated_page(lang: str, stamp: str) -> str:
    ld = json.dumps({"@type": "NewsArticle", "headline": "Ratssitzung", "datePublished": stamp})
    body = "".join(f"<p>Absatz {i}: Der Rat der Stadt Essen hat am Abend lange über den Haushalt beraten "
                   f"und die Entscheidung vertagt.</p>" for i in range(4))
    return (f"<html lang='{lang}'><head><title>Ratssitzung</title><script type='application/ld+json'>{ld}"
            f"</script></head><body><article><h1>Ratssitzung</h1>{body}</article></body></html>")


def test_a_german_page_gets_its_date_in_central_european_time() -> None:
    # a UTC stamp late in the evening: the article appeared on the next day in Essen
    de = extract(_dated_page("de", "2022-11-06T23:30:00Z"), "https://www.essen-bote.example/rat.html")
    assert de.published == "2022-11-07T00:30:00+01:00"
    en = extract(_dated_page("en", "2022-11-06T23:30:00Z"), "https://www.example.com/council.html")
    assert en.published == "2022-11-06T23:30:00+00:00"
    at = extract(_dated_page("", "2022-11-06T23:30:00Z"), "https://www.example.at/rat.html")
    assert at.published == "2022-11-07T00:30:00+01:00"



@pytest.mark.parametrize(("iso", "url", "published"), [
    # a US evening in UTC: the URL gives the publisher's day
    ("2020-02-25T02:25:54+00:00", "https://pagesix.example/2020/02/24/press-secretary/", "2020-02-24"),
    ("2023-11-09T05:30:59Z", "https://news.example.com/2023/11/08/mayor", "2023-11-08"),
    ("2019-12-31T20:00:00+00:00", "https://nz.example/2020/1/1/new-year.html", "2020-01-01"),  # east of UTC
    ("2020-02-25T02:25:54+00:00", "https://pagesix.example/2020/02/25/x/", "2020-02-25T02:25:54+00:00"),
    ("2020-02-19T18:37:32+01:00", "https://elpais.example/2020/02/18/ciencia.html",  # an offset: its own day
     "2020-02-19T18:37:32+01:00"),
    ("2020-02-25T02:25:54+00:00", "https://example.com/2020/02/20/x/", "2020-02-25T02:25:54+00:00"),  # too far
    ("2020-02-25T02:25:54+00:00", "https://example.com/2020/02/31/x/", "2020-02-25T02:25:54+00:00"),  # no such day
    ("2020-02-25T02:25:54+00:00", "https://example.com/x/?d=2020/02/24/", "2020-02-25T02:25:54+00:00"),  # not the path
    ("2020-02-25T02:25:54", "https://example.com/2020/02/24/x/", "2020-02-25T02:25:54"),  # no offset: no instant
    ("2020-02-25", "https://example.com/2020/02/24/x/", "2020-02-25"),
    ("2020-02-25T02:25:54+00:00", None, "2020-02-25T02:25:54+00:00"),
    ("2020-02-25T02:25:54+00:00", "http://[bad/2020/02/24/x/", "2020-02-25T02:25:54+00:00"),  # a malformed host
    (None, "https://example.com/2020/02/24/x/", None),
])
def test_a_utc_timestamp_takes_the_day_of_the_url(iso: str | None, url: str | None, published: str | None) -> None:
    assert extract_dates.publisher_day(iso, url) == published


def test_an_english_page_gets_the_publishers_day_from_its_url() -> None:
    late = extract(_dated_page("en", "2022-11-07T03:30:00Z"), "https://www.example.com/2022/11/06/council/")
    assert late.published == "2022-11-06"
    broken = extract(_dated_page("en", "2022-11-07T03:30:00Z"), "http://[broken/2022/11/06/council/")
    assert_not_caught(broken)  # a malformed URL is no reason to lose the page
    assert broken.published == "2022-11-07T03:30:00+00:00" and broken.text
    # a German page is read in Central European time, where the stamp is already the publisher's day
    de = extract(_dated_page("de", "2022-11-07T03:30:00Z"), "https://www.example.com/2022/11/06/rat/")
    assert de.published == "2022-11-07T04:30:00+01:00"


@pytest.mark.parametrize(("iso", "host", "local"), [
    ("2022-05-04T00:44:52+00:00", "www.gazeta.com.br", "2022-05-03T21:44:52-03:00"),  # a Brazilian evening
    ("2022-05-04T00:44:52Z", "lanacion.com.ar", "2022-05-03T21:44:52-03:00"),
    ("2020-01-07T23:30:16+00:00", "infos.fr", "2020-01-08T00:30:16+01:00"),  # winter in Paris
    ("2020-07-07T23:30:16+00:00", "infos.FR", "2020-07-08T01:30:16+02:00"),  # summer
    ("2020-07-07T23:30:16+00:00", "infos.fr.", "2020-07-08T01:30:16+02:00"),  # a fully qualified name
    ("2020-07-07T23:30:16+00:00", "192.168.0.1", "2020-07-07T23:30:16+00:00"),
    ("2016-02-01T01:00:00+00:00", "folha.com.br", "2016-01-31T23:00:00-02:00"),  # Brazil's summer time then
    ("2022-01-10T20:00:00+00:00", "www.nhk.or.jp", "2022-01-11T05:00:00+09:00"),
    ("2022-05-03T20:36:00-04:00", "campogrande.com.br", "2022-05-03T20:36:00-04:00"),  # an offset: its own day
    ("2022-05-04T00:44:52+00:00", "www.example.com", "2022-05-04T00:44:52+00:00"),  # no country
    ("2022-05-04T00:44:52+00:00", "news.example.us", "2022-05-04T00:44:52+00:00"),  # several time zones
    ("2022-05-04T00:44:52", "www.gazeta.com.br", "2022-05-04T00:44:52"),  # no offset: no instant
    ("2022-05-04", "www.gazeta.com.br", "2022-05-04"),
    ("2022-05-04T00:44:52+00:00", None, "2022-05-04T00:44:52+00:00"),
    ("9999-12-31T23:59:59+00:00", "x.jp", "9999-12-31T23:59:59+00:00"),  # past the last day there is
    ("not a date at all", "x.br", "not a date at all"),
    (None, "x.br", None),
])
def test_a_utc_timestamp_of_a_country_site_in_its_time_zone(iso: str | None, host: str | None, local: str | None) -> None:
    assert extract_dates.country_time(iso, host) == local


def test_a_country_site_gets_its_readers_day() -> None:
    page = _dated_page("pt", "2022-05-04T00:44:52Z")
    assert extract(page, "https://www.gazeta.example.com.br/politica/").published == "2022-05-03T21:44:52-03:00"
    # the day in the URL is the same one
    assert extract(page, "https://www.gazeta.example.com.br/2022/05/03/x/").published == "2022-05-03T21:44:52-03:00"
    assert extract(page, "https://www.example.com/politica/").published == "2022-05-04T00:44:52+00:00"


# --------------------------------------------------------------------------- bad input


def assert_not_caught(ex: Extracted) -> None:
    """The cascade did not raise: ``extract``'s catch-all (which turns any exception into an empty result
    with an "extraction failed" warning) did not fire. An empty result alone proves nothing, as an
    extractor that always raises gives one too."""
    assert not [w for w in ex.warnings if w.startswith("extraction failed")], ex.warnings


_BINARY = "input looks like binary data, not HTML"


@pytest.mark.parametrize(("bad", "cause"), [
    (b"", "empty input"), ("", "empty input"), ("   \n ", "empty input"), (b"\x00" * 100, _BINARY),
    (random.Random(7).randbytes(20_000), _BINARY), ("<html><body><div><span", None), ("<<<>>>&&&;;", None),
    (b"\xff\xfe\x00", _BINARY), ("<html></html>", None), ("<p>Hi</p>", None),
    (None, "unsupported input type NoneType"), (42, "unsupported input type int"),
])
def test_bad_input_returns_empty_text_with_warning(bad: object, cause: str | None) -> None:
    ex = extract(bad)  # type: ignore[arg-type]
    assert isinstance(ex, Extracted)
    assert ex.text == ""
    assert ex.method == "none"
    assert ex.warnings
    json.dumps(ex.to_dict())
    assert_not_caught(ex)
    assert failure_reason(ex) == (f"no main text ({cause})" if cause else "no main text")


_PAGE = ("<html><head><meta charset='{cs}'><title>Grüße</title></head><body><nav><a href='/'>Start</a></nav>"
         "<article><p>Über die Straße in Köln fährt ein Bus für 5 €. Die Bürger ärgern sich über Schäden.</p>"
         "</article></body></html>")
_PAGE_TEXT = "Über die Straße in Köln fährt ein Bus für 5 €. Die Bürger ärgern sich über Schäden."
_UTF8 = _PAGE.format(cs="utf-8").encode()


@pytest.mark.parametrize(("data", "text", "warning"), [
    pytest.param(_UTF8[: _UTF8.index(b"</p>") + 4] + b'<div class="teaser', _PAGE_TEXT, None, id="cut-mid-tag"),
    pytest.param(_UTF8.replace(b"<article>", b"<article><div><span><b>").replace(b"</p>", b"</i></p></td>"),
                 _PAGE_TEXT, None, id="mis-nested"),
    pytest.param(_PAGE.format(cs="utf-8").encode("cp1252"), _PAGE_TEXT, "charset fallback windows-1252",
                 id="cp1252-declared-utf-8"),
    pytest.param(_PAGE.format(cs="x-kaputt").encode("utf-16"), _PAGE_TEXT, None, id="utf-16-bogus-meta"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(5000), "", _BINARY, id="png"),
    pytest.param(gzip.compress(_UTF8), "", _BINARY, id="gzip-body-not-decoded"),
    pytest.param(_UTF8.decode().encode("utf-16-le"), "", _BINARY, id="utf-16-without-bom"),
    pytest.param(b"", "", "empty input", id="empty-bytes"),
    pytest.param(b"<html><body>" + b"\x00" * 5000 + b"</body></html>", "", _BINARY, id="nul-bytes"),
])
def test_real_looking_bad_input_gives_text_or_a_failure_reason(data: bytes, text: str, warning: str | None) -> None:
    ex = extract(data, "https://www.example-zeitung.de/koeln/bus.html")
    assert_not_caught(ex)
    assert ex.text == text
    if warning:
        assert warning in ex.warnings
    if not text:
        assert failure_reason(ex) == f"no main text ({warning})"


def test_deeply_nested_page_does_not_crash() -> None:
    page = ("<html><body><p>Ein Absatz vor der tiefen Verschachtelung, lang genug für den Text.</p>"
            + "<div>" * 100_000 + "<p>Ganz innen.</p>" + "</div>" * 100_000 + "</body></html>")
    ex = extract(page)
    assert isinstance(ex, Extracted)
    assert "Ein Absatz vor der tiefen Verschachtelung" in ex.text
    assert any("nesting" in w for w in ex.warnings)


def test_huge_input_is_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    # bytes input: the limit is read where the bytes are decoded (pipeline.extract.charset)
    monkeypatch.setattr(extract_charset, "MAX_INPUT_CHARS", 2000)
    page = "<html><body><p>" + "Ein langer Satz über Duisburg. " * 500 + "</p></body></html>"
    ex = extract(page.encode())
    assert any("truncated" in w for w in ex.warnings)
    assert 0 < len(ex.text) < 2000


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.binary()))
def test_arbitrary_input_never_raises(data: str | bytes) -> None:
    ex = extract(data, "https://example.org/x")
    assert isinstance(ex.text, str)
    assert ex.url == "https://example.org/x"
    assert ex.text or ex.warnings
    assert_not_caught(ex)


_FRAGMENTS = st.sampled_from([
    "<p>", "</p>", "<div class='article-body'>", "</div>", "<script>", "</script>", "<h1>", "</h1>", "<br>",
    "Über Straße", "Köln &amp; Bonn", "&#x", "<figure><figcaption>Foto: dpa</figcaption></figure>", "<!--", "-->",
    '<script type="application/ld+json">{"@type":"NewsArticle","author":[', "]}", "<time datetime='2026-02-30'>",
    "Von Anna Schmidt", "24.11.2026, 14:05 Uhr", "<meta charset='utf-16'>", "\x00", "Meistgelesen", "<li>", "<a>",
    " Der Rat der Stadt beschließt den Haushalt mit 48 Millionen Euro Defizit. ",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=60))
def test_arbitrary_html_fragments_never_raise(parts: list[str]) -> None:
    page = "".join(parts)
    for ex in (extract(page), extract(page.encode("utf-8", errors="replace"))):
        assert isinstance(ex, Extracted)
        assert "<script" not in ex.text
        assert ex.method in ("json-ld", "heuristic", "trafilatura", "none")
        assert_not_caught(ex)


@pytest.mark.parametrize("url", ["http://[", "https://[::1/a.html"])
def test_a_malformed_base_url_keeps_the_page(url: str) -> None:
    ex = extract(GERMAN.format(cs="utf-8"), url)
    assert_not_caught(ex)
    assert ex.text == SENTENCE


_WORDS = ["Der", "Rat", "der", "Stadt", "Duisburg", "hat", "am", "Montag", "den", "Haushalt", "beschlossen",
          "Bürger", "ärgern", "sich", "über", "Straßen", "in", "Köln", "für", "48", "Millionen", "Euro", "Schulen",
          "Kämmerin", "rechnet", "mit", "einem", "Defizit", "Brücke", "wird", "saniert", "und", "gesperrt"]
_SENTENCES = st.lists(st.sampled_from(_WORDS), min_size=8, max_size=30).map(lambda ws: " ".join(ws) + ".")
_PARAGRAPHS = st.lists(st.lists(_SENTENCES, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=4)
_WRAPPERS = st.lists(st.sampled_from(["article", "main", "section", "div", 'div class="article-body"',
                                      'div itemprop="articleBody"', "td", "form"]), max_size=4)
_ASIDES = st.lists(st.sampled_from([
    "<nav><a href='/'>Start</a> <a href='/nrw'>NRW</a></nav>", "<script>var x = '<p>kein Text</p>';</script>",
    "<!-- <p>auskommentiert</p> -->", "<style>p { color: red }</style>", "<footer>Impressum</footer>",
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rat tagt"}</script>',
    "<header><h1>Rat beschließt Haushalt</h1></header>", "<br>", "&nbsp;", "<div class='cookie'>Cookies</div>",
]), max_size=4)
_ENCODINGS = st.sampled_from(["str", "utf-8", "utf-8-sig", "cp1252", "utf-16"])


@settings(max_examples=40, deadline=None)
@given(paragraphs=_PARAGRAPHS, wrappers=_WRAPPERS, before=_ASIDES, after=_ASIDES, encoding=_ENCODINGS)
def test_visible_paragraphs_give_text(paragraphs: list[str], wrappers: list[str], before: list[str],
                                      after: list[str], encoding: str) -> None:
    """Visible article paragraphs, however wrapped, encoded and surrounded, come out as the text."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    for wrapper in reversed(wrappers):
        body = f"<{wrapper}>{body}</{wrapper.split()[0]}>"
    charset = "utf-8" if encoding in ("str", "utf-8-sig") else encoding
    page = (f"<!DOCTYPE html><html lang='de'><head><meta charset='{charset}'><title>Rat tagt</title></head>"
            f"<body>{''.join(before)}{body}{''.join(after)}</body></html>")
    ex = extract(page if encoding == "str" else page.encode(encoding), "https://www.example-zeitung.de/a.html")
    assert_not_caught(ex)
    for p in paragraphs:
        assert p in ex.text, (p, ex.text, ex.warnings)


def test_to_dict_and_version() -> None:
    d = extract(META_PAGE).to_dict()
    assert set(d) == {"url", "title", "text", "published", "modified", "authors", "agencies", "section", "lead", "captions",
                      "language", "method", "warnings"}
    json.dumps(d, ensure_ascii=False)
    assert EXTRACTOR_VERSION.startswith("extract-")


def test_short_article_with_box_inside_body_and_form_wrapper() -> None:
    page = ('<html><body><form id="aspnetForm" action="/artikel.aspx"><div id="nav"><a href="/">Start</a></div>'
            '<h1>Kleve: Neue Bürgermeisterin vereidigt</h1><div class="text">'
            '<p>Die neue Bürgermeisterin von Kleve, Sonja Northing, ist am Dienstag im Rathaus vereidigt worden.</p>'
            '<p>Sie tritt ihr Amt am 1. November an.</p>'
            '<h3>Mehr zum Thema</h3><ul><li><a href="/a">Kommunalwahl in Kleve: Alle Ergebnisse</a></li></ul>'
            '<table><tr><th>Partei</th><th>Sitze</th></tr><tr><td>CDU</td><td>18 Sitze</td></tr></table>'
            '</div></form></body></html>')
    ex = extract(page)
    assert ex.title == "Kleve: Neue Bürgermeisterin vereidigt"
    assert ex.text.split("\n\n") == [
        "Die neue Bürgermeisterin von Kleve, Sonja Northing, ist am Dienstag im Rathaus vereidigt worden.",
        "Sie tritt ihr Amt am 1. November an.",
        "Partei | Sitze",
        "CDU | 18 Sitze",
    ]


# --------------------------------------------------------------------------- live blogs, teaser columns, footers

_TICKER_POSTS = [
    ("Heute, 16:40 Uhr", "Die Feuerwehr hat den Einsatz am Hauptbahnhof beendet. Die Gleise 4 bis 7 sind wieder frei,"
                         " der Zugverkehr läuft nach Angaben der Bahn langsam wieder an."),
    ("15:55", "Ein Sprecher der Stadt bestätigt, dass niemand verletzt wurde. Die Ursache des Brandes in dem"
              " Stellwerk ist weiter unklar, die Polizei hat die Ermittlungen aufgenommen."),
    ("vor 3 Stunden", "Pendler müssen sich auf Verspätungen einstellen. Die Regionalexpresslinien RE 1 und RE 6"
                      " enden vorerst in Mülheim, Ersatzbusse sind angefordert."),
    ("14:02 Uhr", "Am Essener Hauptbahnhof ist am Mittag ein Feuer in einem Technikraum ausgebrochen. Rauch zog"
                  " über die Bahnsteige, die Bundespolizei räumte den Bahnhof."),
]


def _ticker_page() -> str:
    posts = "".join(
        f'<article class="post post-{i}"><span class="post__stamp">{stamp}</span>'
        f'<div class="post__body"><p>{text}</p></div>'
        f'<ul class="post__tools"><li><a href="#p{i}">Link kopieren</a></li><li><a href="#m{i}">Per Mail</a></li></ul>'
        f'</article>'
        for i, (stamp, text) in enumerate(_TICKER_POSTS))
    return ('<html><head><title>Ticker: Feuer am Hauptbahnhof Essen</title></head><body>'
            '<div id="page"><h1>Ticker: Feuer am Hauptbahnhof Essen</h1>'
            '<p class="ticker-intro">Alle Entwicklungen zum Feuer am Essener Hauptbahnhof lesen Sie hier im Ticker.</p>'
            f'<div class="newsticker">{posts}</div>'
            '<div class="more-box"><a href="/essen/"><p>Nächtliche Ruhestörung: Anwohner in Rüttenscheid beschweren'
            ' sich über Lärm aus der neuen Bar an der Ecke.</p></a></div>'
            '</div></body></html>')


def test_live_blog_returns_every_entry_without_chrome() -> None:
    ex = extract(_ticker_page())
    assert ex.method == "heuristic"
    for _stamp, text in _TICKER_POSTS:
        assert text in ex.text
    # document order, intro first
    positions = [ex.text.index(text) for _stamp, text in _TICKER_POSTS]
    assert positions == sorted(positions)
    assert ex.text.startswith("Alle Entwicklungen zum Feuer")
    for chrome in ("16:40", "15:55", "vor 3 Stunden", "14:02 Uhr", "Link kopieren", "Per Mail", "Ruhestörung"):
        assert chrome not in ex.text


def test_similar_sibling_blocks_outscore_a_single_long_block() -> None:
    long_post = ("Der Stadtrat hat nach einer langen Debatte beschlossen, das Hallenbad an der Kaiserstraße zu"
                 " sanieren. Die Kosten werden auf rund zwölf Millionen Euro geschätzt, das Land übernimmt die Hälfte. ")
    posts = "".join(f'<div class="entry"><div class="entry-text"><p>Eintrag {i}: {long_post if i == 0 else long_post[:120]}'
                    f'</p></div></div>' for i in range(5))
    ex = extract(f"<html><body><h1>Ratssitzung im Ticker</h1><div class='entries'>{posts}</div></body></html>")
    for i in range(5):
        assert f"Eintrag {i}:" in ex.text


def test_teaser_column_next_to_the_article_does_not_leak() -> None:
    body = "".join(
        f'<div class="absatz"><p>{s}</p></div>' for s in (
            "Der Essener Baudezernent hat am Dienstag die Pläne für den Umbau des Rathausplatzes vorgestellt."
            " Bis 2028 sollen dort Bäume, Bänke und ein Wasserspiel entstehen.",
            "Die Kosten beziffert die Stadt auf 6,4 Millionen Euro. Ein großer Teil soll aus Fördermitteln des"
            " Landes kommen, der Rat muss noch zustimmen.",
            "Händler am Platz begrüßen die Pläne grundsätzlich, fürchten aber lange Bauzeiten. Die Stadt will"
            " die Arbeiten deshalb in drei Abschnitte aufteilen.",
        ))
    teasers = "".join(
        f'<article class="teaser"><a href="/essen/{i}.html"><h4 class="teaser__headline">Meldung {i}</h4>'
        f'<p class="teaser__text">{t}</p></a></article>'
        for i, t in enumerate((
            "Ein Brand in einer Werkstatt in Essen-Altendorf hat am Montagabend einen Großeinsatz der Feuerwehr"
            " ausgelöst. Die Rauchwolke war kilometerweit zu sehen.",
            "Die Stadtbibliothek öffnet künftig auch sonntags. Der Rat hat das Pilotprojekt für zunächst ein Jahr"
            " beschlossen, das Personal kommt aus einem Ehrenamtspool.",
        )))
    page = ('<html><body><div class="wrap"><div class="grid">'
            '<div class="grid__main"><div class="beitrag"><div class="beitrag-kopf"><div class="headline">'
            'Rathausplatz in Essen wird grün</div></div>'
            f'<div class="beitrag-text">{body}'
            '<div class="card"><a href="/essen/zoo.html"><p>Im Grugapark ist ein seltenes Trampeltier-Fohlen zur'
            ' Welt gekommen. Besucher können es ab dem Wochenende sehen.</p></a></div></div></div></div>'
            f'<div class="grid__aside"><div class="box"><div class="box-head">Weitere Meldungen</div>{teasers}</div></div>'
            '</div></div></body></html>')
    ex = extract(page)
    assert ex.text.startswith("Der Essener Baudezernent")
    assert ex.text.endswith("in drei Abschnitte aufteilen.")
    for leak in ("Werkstatt in Essen-Altendorf", "Stadtbibliothek", "Trampeltier", "Meldung 0"):
        assert leak not in ex.text
    assert ex.lead is None or "Werkstatt" not in ex.lead


def test_footer_like_link_lines_at_the_end_of_the_article_are_dropped() -> None:
    page = ('<html><body><article><h1>Neue Radwege für Bochum-Wattenscheid</h1>'
            '<p>Die Stadt Bochum baut bis zum Herbst vier Kilometer neue Radwege in Wattenscheid. Los geht es an'
            ' der Hochstraße.</p>'
            '<p>Mehr als 300 Bürgerinnen und Bürger hatten sich an der Planung beteiligt, die meisten Vorschläge'
            ' wurden übernommen.</p>'
            '<p>Zum Thema Parkplätze sagte der Baudezernent, dass keiner der bestehenden Stellplätze wegfallen werde.</p>'
            '<p class="beitrag__fuss">Mehr aus dem Ressort <a href="/bochum/">Bochum</a></p>'
            '<p>Mehr zum Thema: <a href="/bochum/radverkehr/">Radverkehr in Bochum</a></p>'
            '<div class="story-footer"><span>Alle Artikel aus</span> <a href="/bochum/">Bochum</a></div>'
            '</article></body></html>')
    ex = extract(page)
    paragraphs = ex.text.split("\n\n")
    assert paragraphs[0].startswith("Die Stadt Bochum baut")
    assert paragraphs[1].startswith("Mehr als 300 Bürgerinnen")  # "Mehr ..." sentences of the text stay
    assert paragraphs[-1].startswith("Zum Thema Parkplätze sagte")
    assert "Mehr aus dem Ressort" not in ex.text
    assert "Mehr zum Thema" not in ex.text
    assert "Alle Artikel aus" not in ex.text


def test_footer_rules_keep_wrappers_and_short_sentences() -> None:
    page = ('<html><body><div class="page has-sticky-footer"><h1>Kirmes in Kleve</h1><div class="text">'
            '<p>Die Kirmes in Kleve öffnet am Freitag mit 60 Fahrgeschäften.</p>'
            '<p>Mehr Infos gibt es im Rathaus.</p>'
            '<p>Zum Thema Parken: Busse fahren alle zehn Minuten.</p></div>'
            '<div class="article-footer"><a href="/kleve/">Mehr aus Kleve</a></div></div></body></html>')
    ex = extract(page)
    assert ex.text.split("\n\n") == [
        "Die Kirmes in Kleve öffnet am Freitag mit 60 Fahrgeschäften.",
        "Mehr Infos gibt es im Rathaus.",
        "Zum Thema Parken: Busse fahren alle zehn Minuten.",
    ]


@pytest.mark.parametrize(("byline", "site", "authors", "agencies"), [
    ("Von Anna Schmidt, dpa/lnw", "Rhein-Kurier", ["Anna Schmidt"], ["dpa", "lnw"]),
    ("AFP", "Rhein-Kurier", [], ["AFP"]),
    ("Rhein-Kurier", "Rhein-Kurier", [], []),  # the site's own name signs no article
    ("Redaktion", "Rhein-Kurier", ["Redaktion"], []),  # the newsroom does
    ("Anna Schmidt", "Anna Schmidt", ["Anna Schmidt"], []),  # a personal site named after its author
])
def test_agencies_and_site_names_are_not_authors(byline: str, site: str, authors: list[str],
                                                 agencies: list[str]) -> None:
    page = (f'<html><head><meta property="og:site_name" content="{site}"><meta name="author" content="{byline}">'
            '</head><body><article><h1>Rat beschließt Haushalt</h1><p>Der Rat der Stadt Duisburg hat am Montag '
            'den Haushalt für das kommende Jahr beschlossen, mit 48 Millionen Euro Defizit.</p></article></body></html>')
    ex = extract(page, "https://www.rhein-kurier.example/duisburg/haushalt.html")
    assert ex.authors == authors
    assert ex.agencies == agencies
