"""The extraction steps that real pages asked for (bench/extraction/real.py): markup repair, a main
container that holds most of the text, the second opinion from trafilatura, the page's own day, bylines,
agencies. Each page here is built so that the step under test decides the outcome."""

from __future__ import annotations

import pytest

from pipeline.extract import extract
from pipeline.extract import markup as markup_module
from pipeline.extract.fallback import FALLBACK_BELOW_CHARS, MAX_FALLBACK_CHARS, versions
from pipeline.extract.main_content import TEXT_SHARE
from pipeline.extract.record import EXTRACTOR_VERSION

P1 = "Der Rat der Stadt Duisburg hat am Montag den Haushalt für das kommende Jahr beschlossen."
P2 = "Die Stadt rechnet mit einem Defizit von 48 Millionen Euro, sagte Kämmerer Martin Murrack."
P3 = "Die Opposition kritisierte, dass die Grundsteuer erneut steigen soll, und stimmte dagegen."


def test_misnested_page_is_read_as_a_browser_builds_it() -> None:
    # an unclosed <div> in the sidebar: libxml2 ignores </aside> and puts the article inside the
    # sidebar (which cleaning removes); the HTML5 parser closes the sidebar where the page says
    page = ('<html><body><aside class="sidebar"><div class="widget"><a href="/x">Meistgelesen</a>'
            f'</aside><article><h1>Haushalt beschlossen</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>'
            '</body></html>')
    ex = extract(page)
    assert ex.method == "heuristic"
    assert ex.text.split("\n\n") == [P1, P2, P3]


def test_without_the_markup_repair_the_misnested_article_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    page = ('<html><body><aside class="sidebar"><div class="widget"><a href="/x">Meistgelesen</a>'
            f'</aside><article><h1>Haushalt beschlossen</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>'
            '</body></html>')
    monkeypatch.setattr(markup_module, "MAX_REPAIR_CHARS", 0)  # repair off: pages are parsed as they are
    assert P2 not in extract(page).text


def test_text_split_over_blocks_is_read_whole() -> None:
    # the article's two halves sit in separate nested blocks: the best-scoring block holds half the
    # text, so the container is widened to the ancestor that holds most of the page's paragraph
    # text; the link box between the halves stays out
    first = " ".join([P1, P2])
    second = " ".join([P3, P2.replace("48", "52")])
    page = ('<html><body><div class="story">'
            f'<div class="a"><div class="x"><p>{first}</p><p>{first}</p></div></div>'
            '<div class="box"><a href="/a">Mehr aus Duisburg</a> <a href="/b">Alle Artikel</a></div>'
            f'<div class="b"><div class="y"><p>{second}</p><p>{second}</p></div></div></div>'
            '<div class="footer-links"><a href="/impressum">Impressum</a></div></body></html>')
    ex = extract(page)
    assert ex.method == "heuristic"
    assert ex.text.split("\n\n") == [first, second]  # repeated paragraphs are read once
    assert "Mehr aus Duisburg" not in ex.text and "Impressum" not in ex.text
    assert 0.5 < TEXT_SHARE < 1


def test_share_bar_class_around_the_article_does_not_remove_it() -> None:
    # "social" is a strong boilerplate class; an element that holds the article text is kept
    paragraphs = "".join(f"<p>{p} {p}</p>" for p in (P1, P2, P3))
    page = (f'<html><body><div class="page has-social-icons">{paragraphs}</div>'
            '<div class="social-share"><a href="/fb">Teilen</a></div></body></html>')
    ex = extract(page)
    assert ex.method == "heuristic"  # the own cascade, not the fallback, read it
    assert P3 in ex.text
    assert "Teilen" not in ex.text


def test_trafilatura_reads_a_page_the_cascade_cannot() -> None:
    # text only in <span>s: no block scores, the own cascade finds nothing; trafilatura does
    body = " ".join([P1, P2, P3])
    page = f"<html><body><span>{body}</span><span>{body}</span></body></html>"
    ex = extract(page)
    assert ex.method == "trafilatura"
    assert P2 in ex.text and len(ex.text) >= FALLBACK_BELOW_CHARS
    assert "trafilatura" in versions() and f"trafilatura-{versions()['trafilatura']}" in EXTRACTOR_VERSION


def test_a_short_article_read_whole_is_not_replaced() -> None:
    page = f"<html><body><article><h1>Kurz notiert</h1><p>{P1}</p></article></body></html>"
    ex = extract(page)
    assert ex.method == "heuristic"
    assert ex.text == P1


def test_date_from_the_url_where_the_page_gives_none_of_its_own() -> None:
    page = f"<html><body><article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p></article></body></html>"
    assert extract(page).published is None
    ex = extract(page, "https://www.rhein-kurier.example/2026/11/24/haushalt-beschlossen.html")
    assert ex.published == "2026-11-24"


def test_byline_in_a_removed_header_is_still_read() -> None:
    # the byline sits in a page header that cleaning removes; authors are read before cleaning
    page = ('<html><body><header><nav><a href="/">Start</a></nav><span class="author">Von Anna Schmidt</span>'
            f'</header><article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p></article>'
            '<div class="comments"><span class="comment-author">Von Peter Leser</span></div></body></html>')
    ex = extract(page)
    assert ex.authors == ["Anna Schmidt"]  # not the commenter


def test_explicit_author_markup_vouches_for_a_one_word_name() -> None:
    page = (f'<html><body><article><h1>Haushalt</h1><p class="meta">Geschrieben von <a rel="author" href="/u/tobi">'
            f'Tobi</a></p><p>{P1}</p><p>{P2}</p></article></body></html>')
    assert extract(page).authors == ["Tobi"]
    loose = f'<html><body><article><h1>Haushalt</h1><p class="author-box">Tobi</p><p>{P1}</p></article></body></html>'
    assert extract(loose).authors == []  # a class like "author-box" alone does not



@pytest.mark.parametrize(("byline", "authors"), [
    # blog themes label the link to the author's page; the name in the label is the author
    ('<a rel="author" href="/author/lemire">View all posts by Daniel Lemire</a>', ["Daniel Lemire"]),
    ('<span class="author vcard"><a href="/author/ruland">Zeige alle Beiträge von Petra Ruland →</a></span>',
     ["Petra Ruland"]),
    ('<span class="byline">vom Support Team</span>', ["Support Team"]),
    # link and button labels of an author box name no one
    ('<span class="author">Bob Fischer</span><a rel="author" href="/a/bob">Weitere Artikel</a>'
     '<a rel="author" href="/a/bob?p=2">weiter</a>', ["Bob Fischer"]),
    ('<a class="profile-name-link" rel="author" href="/profile/1">T. V. Raman</a>'
     '<a class="profile-link" rel="author" href="/profile/1">View my complete profile</a>', ["T. V. Raman"]),
    ('<a rel="author" href="/autoren">Alle Beiträge</a>', []),
    ('<span class="byline">Veröffentlicht von Cem Basman</span>', ["Cem Basman"]),
    ('<span class="author">Posted by Ned Deily</span>', ["Ned Deily"]),
    ('<span class="author">Par Barbara Stiegler</span>', ["Barbara Stiegler"]),
    ('<span class="author">Por Laura Jordán</span>', ["Laura Jordán"]),
])
def test_author_link_labels_are_not_names(byline: str, authors: list[str]) -> None:
    page = f"<html><body><article><h1>Haushalt</h1><p class='meta'>{byline}</p><p>{P1}</p><p>{P2}</p></article></body></html>"
    assert extract(page).authors == authors


def test_ruby_annotations_and_joiners() -> None:
    ja = "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくすための法律ができました。" * 3
    bn = "আজ শনিবার সকাল সাড়ে ৭টার দিকে কুষ্টিয়া-১ আসনের সংসদ সদস্য বক্তব্য দেন। " * 2
    ex = extract(f"<html><body><article><p>{ja}</p><p>{bn}</p></article></body></html>")
    assert "子どもへの虐待をなくすための法律" in ex.text  # the reading aids are not text
    assert bn.strip()[:40] in ex.text  # zero-width joiners of Indic scripts are kept


def test_markup_in_an_author_field_is_read_as_text() -> None:
    ld = ('{"@type": "NewsArticle", "headline": "Haushalt", "author": [{"@type": "Person", "name": '
          '"<a href=\\"/experten/anna-schmidt\\">Anna Schmidt</a>"}, {"@type": "Person", "name": '
          '"&lt;a href=\\"/experten/ben-yilmaz\\"&gt;Ben Yilmaz&lt;/a&gt;"}]}')
    page = (f"<html><head><script type='application/ld+json'>{ld}</script></head><body><article><h1>Haushalt</h1>"
            f"<p>{P1}</p><p>{P2}</p></article></body></html>")
    assert extract(page).authors == ["Anna Schmidt", "Ben Yilmaz"]


@pytest.mark.parametrize(("meta_author", "byline", "authors"), [
    # the site operator or its web agency in <meta name="author">; the byline names the writer
    ("Bund der Energieverbraucher e.V.", "Von Leonora Holling", ["Leonora Holling"]),
    ("Web Commerce GmbH www.w-commerce.de", "Von Alexandra Weber", ["Alexandra Weber"]),
    ("Helmholtz Klima", "Von Christian Mihatsch", ["Christian Mihatsch"]),  # the site's name (og:site_name)
    ("Bund der Energieverbraucher e.V.", "", ["Bund der Energieverbraucher e.V."]),  # no byline: kept
    ("Anna Schmidt", "Von Christian Mihatsch", ["Anna Schmidt"]),  # a person in the metadata comes first
])
def test_an_organisation_as_author_yields_to_the_byline(meta_author: str, byline: str, authors: list[str]) -> None:
    line = f"<p class='byline'>{byline}</p>" if byline else ""
    page = (f"<html><head><meta name='author' content='{meta_author}'><meta property='og:site_name' "
            f"content='Helmholtz Klima'></head><body><article><h1>Haushalt</h1>{line}<p>{P1}</p><p>{P2}</p>"
            "</article></body></html>")
    assert extract(page, "https://www.example.de/haushalt.html").authors == authors


def test_bylines_of_a_teaser_list_name_no_author() -> None:
    cards = "".join(f"<li><a href='/a{i}'>Artikel {i}</a> <span class='author'>Von {n}</span></li>" for i, n in
                    enumerate(["Anna Schmidt", "Ben Yilmaz", "Carla Weber", "Deniz Kaya", "Eva Braun", "Frank Otto",
                               "Gül Demir"]))
    page = f"<html><body><article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p></article><ul>{cards}</ul></body></html>"
    assert extract(page).authors == []
    two = f"<html><body><article><h1>Haushalt</h1><p class='author'>Von Anna Schmidt und Ben Yilmaz</p><p>{P1}</p></article></body></html>"
    assert extract(two).authors == ["Anna Schmidt", "Ben Yilmaz"]


def test_an_hcard_names_its_author() -> None:
    # WordPress themes: <span class="author vcard"><a class="url fn n">Heiko</a></span>; the hCard's
    # formatted name (class "fn") vouches for a one-word name, as itemprop="name" does
    page = (f"<html><body><article><h1>Haushalt</h1><p class='entry-meta'><span class='byline'> von <span "
            f"class='author vcard'><a class='url fn n' href='/author/heiko/'>Heiko</a></span></span></p>"
            f"<p>{P1}</p><p>{P2}</p></article></body></html>")
    assert extract(page).authors == ["Heiko"]


@pytest.mark.parametrize("head", [
    # the "Written by" line an SEO plugin (Yoast) writes for link previews
    '<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Karoline Herr">'
    '<meta name="twitter:label2" content="Geschätzte Lesezeit"><meta name="twitter:data2" content="3 Minuten">',
    '<meta property="og:article:author" content="Karoline Herr">',
])
def test_author_meta_tags_of_link_previews(head: str) -> None:
    page = f"<html><head>{head}</head><body><article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p></article></body></html>"
    assert extract(page).authors == ["Karoline Herr"]


def test_a_link_preview_label_other_than_the_author_names_no_one() -> None:
    head = '<meta name="twitter:label1" content="Geschätzte Lesezeit"><meta name="twitter:data1" content="3 Minuten">'
    page = f"<html><head>{head}</head><body><article><h1>Haushalt</h1><p>{P1}</p></article></body></html>"
    assert extract(page).authors == []


@pytest.mark.parametrize(("byline", "name"), [
    # a label on its own, the name in the next element
    ('<h4 class="news__meta-title">Autor</h4><p class="news__meta-text"><a href="/profil/huke">Nikolai Huke</a></p>',
     "Nikolai Huke"),
    ("<dl><dt>Autorin:</dt><dd>Nikolai Huke</dd></dl>", "Nikolai Huke"),
    ('<div><span class="block__label">Auteur :</span> <a href="/anna-kubista">Anna Kubišta</a></div>', "Anna Kubišta"),
    ('<p><span>Author</span> <a href="/team/anna">Anna Kubišta</a></p>', "Anna Kubišta"),
    # a byline in italics
    ("<p><i>von Daniela Obers</i></p>", "Daniela Obers"),
    # the names end where the credits for pictures begin
    ("<p><em>Text von Christian Seiler &nbsp; Illustration von Markus Roost</em></p>", "Christian Seiler"),
    ("<p>Text: Anna Schmidt, Fotos: Jan Berg</p>", "Anna Schmidt"),
    # German byline phrases
    ("<p>Ein Artikel von Pamela Sladky | 27.01.2022 - 12:45</p>", "Pamela Sladky"),
    ("<p>Ein Beitrag von Pamela Sladky</p>", "Pamela Sladky"),
    ("<p>Beitrag von Pamela Sladky</p>", "Pamela Sladky"),
    ("<p>Geschrieben von Pamela Sladky</p>", "Pamela Sladky"),
    ("<p>Verfasst von: Pamela Sladky</p>", "Pamela Sladky"),
])
def test_a_byline_names_the_author_and_is_no_text(byline: str, name: str) -> None:
    page = f"<html><body><article><h1>Haushalt</h1><p>{P1}</p><p>{P2}</p>{byline}</article></body></html>"
    ex = extract(page)
    assert ex.authors == [name]
    assert "Autor" not in ex.text and name.split()[-1] not in ex.text  # the byline is not article text


def test_a_sentence_about_an_article_by_someone_names_no_author() -> None:
    line = "Ein Artikel von gestern hat die Debatte über den Haushalt der Stadt neu entfacht, sagen die Grünen."
    page = f"<html><body><article><h1>Haushalt</h1><p>{line}</p><p>{P1}</p></article></body></html>"
    ex = extract(page)
    assert ex.authors == [] and "Artikel von gestern" in ex.text


_CLUB = "<p>" + "Der Verein bietet Kurse für Kinder und Erwachsene an, jeden Dienstag in der Turnhalle. " * 3 + "</p>"


@pytest.mark.parametrize(("footer", "published"), [
    ("© 2016 Turnverein Moers e.V.", None),  # a copyright year is no publication date
    ("© 2016 Turnverein Moers e.V., Stand: 01.01.2016", "2016-01-01"),  # the page writes that day
])
def test_a_copyright_year_is_not_a_publication_date(footer: str, published: str | None) -> None:
    page = (f"<html><head><title>Über uns</title></head><body><article><h1>Über uns</h1>{_CLUB}</article>"
            f"<footer><p>{footer}</p></footer></body></html>")
    assert extract(page, "https://www.tv-moers.example/ueber-uns").published == published


def test_a_huge_page_without_text_gets_no_second_opinion() -> None:
    # trafilatura would parse and clean the whole page again: past MAX_FALLBACK_CHARS a warning says so
    script = "<script>var data = '" + "x" * MAX_FALLBACK_CHARS + "';</script>"
    ex = extract(f"<html><head>{script}</head><body><p>Kurz.</p></body></html>")
    assert ex.text == ""
    assert any(w.startswith("second opinion skipped: page of") for w in ex.warnings), ex.warnings
