"""Classes of main text that newsmine lost on real pages (issue #20), each on a small handwritten page.

Found on the first half of trafilatura's evaluation pages (bench/extraction/real.py, ../shared/data/
extraction-real): a standfirst set apart from the body between the headline and the main block, a
paragraph set as a long heading, table rows of figures, a consent dialog that outweighs the article,
a JSON-LD ``articleBody`` that is worse than the page's own paragraphs (escaped markup, glued
headings) or that only the feed holds in full.
"""

import json

from pipeline.extract import extract

BODY = "".join(
    f"<p>Absatz {i}: Die Stadtwerke Bochum erneuern in diesem Jahr die Wasserleitungen in der Innenstadt "
    f"und in Wattenscheid, sagte ein Sprecher am Dienstag im Ausschuss für Umwelt und Verkehr.</p>"
    for i in range(1, 6)
)


def _page(head: str = "", header: str = "", body: str = BODY, extra: str = "") -> str:
    return (f"<html><head><title>Wasserleitungen | Bochumer Bote</title>{head}</head><body>"
            "<nav><a href='/'>Start</a> <a href='/bochum'>Bochum</a></nav>"
            f"<article><header><h1>Stadtwerke erneuern Wasserleitungen</h1>{header}</header>"
            f"<div class='article-body'>{body}</div></article>{extra}"
            "<footer><a href='/impressum'>Impressum</a></footer></body></html>")


STANDFIRST = ("Bis Ende des Jahres tauschen die Stadtwerke zwölf Kilometer Rohre aus. Autofahrer müssen "
              "sich auf Sperrungen einstellen.")


def test_standfirst_between_headline_and_body_is_kept() -> None:
    # a subtitle / standfirst without a lead class, in the article header before the main block
    ex = extract(_page(header=f"<p class='sub'>{STANDFIRST}</p>"))
    paragraphs = ex.text.split("\n\n")
    assert paragraphs[0] == STANDFIRST
    assert paragraphs[1].startswith("Absatz 1:")


def test_header_metadata_lines_are_not_text() -> None:
    header = (f"<h2>{STANDFIRST}</h2>"
              "<p>Veröffentlicht am 12.03.2026, 14:05 Uhr | Lesezeit 3 Minuten</p>"
              "<p>By Anna Schmidt, Redakteurin für Stadtentwicklung</p>"
              "<p>Die Baustelle an der Hauptstraße im Januar. Foto: Stadtwerke Bochum / Max Muster</p>"
              "<p><a href='/tag/a'>Bochum</a> <a href='/tag/b'>Wasser</a> <a href='/tag/c'>Baustellen</a>"
              " <a href='/tag/d'>Stadtwerke und Verkehr</a></p>")
    ex = extract(_page(header=header))
    assert ex.text.startswith(STANDFIRST)
    for junk in ("Veröffentlicht", "Anna Schmidt", "Foto:", "Baustellen"):
        assert junk not in ex.text, junk


def test_no_header_text_from_a_long_region() -> None:
    # between the headline and the body stands more than a header holds: a teaser list, left out
    teasers = "".join(f"<p>Teaser {i:02}: Weitere Meldungen aus der Region, die mit dem Artikel nichts zu tun "
                      f"haben und nur zufällig dazwischen stehen.</p>" for i in range(13))  # over 1,500 characters
    ex = extract(_page(header=teasers, body=BODY * 6))
    assert ex.text.count("Absatz 1:") == 1 and "Absatz 5:" in ex.text
    assert "Teaser" not in ex.text


def test_paragraph_set_as_a_long_heading_is_kept() -> None:
    intro = ("Lange haben die Anwohner der Hauptstraße auf diese Nachricht gewartet, nun ist sie da: "
             "Die Bauarbeiten an der Wasserleitung beginnen im April und dauern bis zum Herbst.")
    ex = extract(_page(body=f"{BODY}<h3>{intro}</h3>"))  # last: once dropped as a heading without text
    assert intro in ex.text.split("\n\n")


def test_table_rows_of_figures_are_kept_but_not_calendars() -> None:
    table = ("<table><tr><th>Abschnitt</th><th>Länge</th><th>Kosten</th></tr>"
             "<tr><td>Hauptstraße</td><td>2,4 km</td><td>1,2 Mio. €</td></tr>"
             "<tr><td>A1</td><td>0,8 km</td><td>0,4 Mio. €</td></tr></table>"
             "<table><tr><td>1</td><td>2</td><td>3</td><td>4</td></tr><tr><td>5</td><td>6</td><td>7</td></tr></table>")
    ex = extract(_page(body=BODY + table))
    assert "A1 | 0,8 km | 0,4 Mio. €" in ex.text  # mostly figures: once dropped as garbage
    assert "1 | 2 | 3" not in ex.text


def test_consent_dialog_longer_than_the_article_is_removed() -> None:
    purposes = "".join(f"<p>Zweck {i}: Dieser Dienst verarbeitet personenbezogene Daten zur Analyse des "
                       f"Nutzerverhaltens und zur Anzeige personalisierter Inhalte auf dieser Website.</p>"
                       for i in range(12))
    dialog = f"<div class='sp-dsgvo-privacy-popup'><div class='sp-dsgvo-category'>{purposes}</div></div>"
    ex = extract(_page(extra=dialog))
    assert ex.text.count("Absatz") == 5
    assert "Zweck" not in ex.text


def _ld(body: str) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Stadtwerke erneuern Wasserleitungen",
          "articleBody": body}
    return f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'


def test_page_paragraphs_beat_a_jsonld_body_with_escaped_markup() -> None:
    html_text = BODY.replace("<p>", "").replace("</p>", " ")
    escaped = "&lt;p class=&quot;texto&quot;&gt;" + html_text + "&lt;/p&gt;"
    ex = extract(_page(head=_ld(escaped)))
    assert ex.method == "heuristic"
    assert "<p" not in ex.text and "&lt;" not in ex.text
    assert ex.text.count("Absatz") == 5


def test_jsonld_body_that_the_page_lacks_is_used_without_its_markup() -> None:
    # the page shows one paragraph (paywall), the feed body has all five, with markup in it
    full = "".join(f"<strong>Absatz {i}:</strong> Die Stadtwerke Bochum erneuern die Leitungen.\n" for i in range(1, 6))
    body = ("<p>Absatz 1: Die Stadtwerke Bochum erneuern die Leitungen, hier nur der Anfang des Textes für "
            "alle Leser.</p>")
    ex = extract(_page(head=_ld(full), body=body))
    assert ex.method == "json-ld"
    assert "<strong>" not in ex.text
    assert "Absatz 5: Die Stadtwerke Bochum erneuern die Leitungen." in ex.text


def test_calls_to_follow_the_site_or_get_its_app_are_removed() -> None:
    # short calls to action in several languages close many articles; a paragraph that mentions a
    # channel or an app as part of the story stays
    ctas = ["Síguenos en Telegram, Instagram, Facebook y Twitter para recibir todas nuestras actualizaciones",
            "Folgen Sie uns auf Twitter und Facebook.",
            "Subscribe now to our e-edition for the full story.",
            "For the latest stories download the Bochumer Bote apps for iOS and Android.",
            "¡Mira lo que tiene nuestro canal de YouTube!"]
    story = ("Der Verein zeigt das Spiel am Samstag live auf seinem YouTube-Kanal, sagte der Vorsitzende, "
             "weil das Stadion wegen der Bauarbeiten an den Wasserleitungen geschlossen bleibt.")
    ex = extract(_page(body=BODY + f"<p>{story}</p>" + "".join(f"<p>{c}</p>" for c in ctas)))
    assert "Absatz 5:" in ex.text and story in ex.text
    for c in ctas:
        assert c not in ex.text


# Classes found on the dev half for extract-2.3: boxes and lines that leaked, ingredient lists that were lost.


def test_author_box_toc_and_read_box_headings_are_removed() -> None:
    extra_body = (BODY + "<h3>Inhaltsverzeichnis</h3><p>Wasser</p>"
                  "<div><h3>Schon gelesen?</h3><p><a href='/x'>Neue Busse für Bochum</a></p></div>"
                  "<div><h4>Über den Autor</h4><p>Max Muster schreibt über Wasser.</p></div>")
    ex = extract(_page(body=extra_body))
    assert "Absatz 5:" in ex.text
    for junk in ("Inhaltsverzeichnis", "Schon gelesen", "Über den Autor", "Neue Busse"):
        assert junk not in ex.text, junk


def test_labels_of_page_controls_are_removed() -> None:
    ex = extract(_page(body=BODY + "<p>Quellen ausblenden</p><p>Rezept drucken</p>"))
    assert "Absatz 5:" in ex.text
    assert "ausblenden" not in ex.text and "drucken" not in ex.text


RECIPE_STEPS = "".join(
    f"<p>Schritt {i}: Den Teig zehn Minuten kräftig kneten, zugedeckt an einem warmen Ort gehen lassen und "
    f"danach auf dem Blech gleichmäßig verteilen, bevor er in den Ofen kommt.</p>" for i in range(1, 6))


def test_ingredient_list_beside_the_instructions_is_kept() -> None:
    page = ("<html><head><title>Butterkuchen</title></head><body><div class='recipe'>"
            "<div class='col-left'><div class='recipe-ingredients'><h3>Zutaten</h3><table>"
            "<tr><td>500 g</td><td>Weizenmehl</td></tr>"
            "<tr><td>1 Pck.</td><td><a href='/produkte/hefe'>Trockenbackhefe Extra</a></td></tr>"
            "<tr><td>200 ml</td><td>Milch</td></tr></table></div></div>"
            f"<div class='col-right'><div class='instructions'>{RECIPE_STEPS}</div></div></div></body></html>")
    ex = extract(page)
    assert "Schritt 5:" in ex.text
    assert "500 g | Weizenmehl" in ex.text
    assert "Trockenbackhefe Extra" in ex.text  # an ingredient that links to a product
    assert ex.text.index("Weizenmehl") < ex.text.index("Schritt 1:")


def test_linked_ingredients_inside_the_main_block_are_kept() -> None:
    items = "".join(f"<li><a href='/p/{i}'>{n} g Zutat Nummer {i}</a></li>" for i, n in enumerate((100, 250, 50)))
    ex = extract(_page(body=f"<ul class='ingredients-list'>{items}</ul>" + BODY))
    assert "250 g Zutat Nummer 1" in ex.text and "Absatz 5:" in ex.text


def _assert_removed(lines: str, *junk: str) -> None:
    """``lines`` after the article body: the body is read whole, and no line holding one of ``junk``."""
    ex = extract(_page(body=BODY + lines))
    assert "Absatz 5:" in ex.text
    for word in junk:
        assert word not in ex.text, word


def test_contact_rights_and_filing_lines_are_removed() -> None:
    lines = ("<p>Pressekontakt: Stadtwerke Bochum, Anna Schmidt, Telefon: 0234 123456</p>"
             "<p>Anna Schmidt E-Mail: presse@stadtwerke-bochum.de</p>"
             "<p>Dieser Artikel ist urheberrechtlich geschützt. Alle Rechte vorbehalten.</p>"
             "<p>Kategorie: Lokales, Bochum</p>")
    _assert_removed(lines, "Telefon", "presse@", "Rechte vorbehalten", "Kategorie")


def test_read_on_line_is_removed() -> None:
    ex = extract(_page(body=BODY + "<p>Zum Weiterlesen: Handbuch der Wasserwirtschaft, Essen 2020</p>"))
    assert "Absatz 5:" in ex.text and "Weiterlesen" not in ex.text


def test_heading_whose_id_slug_reads_like_a_caption_class_is_kept() -> None:
    # "grundlegende" holds "legend", a caption class; a heading is no caption
    heading = ("Schwerpunkt Kommunikation: zwei neue Seminare über grundlegende Techniken der "
               "Öffentlichkeitsarbeit")
    h3 = f"<h3 id='schwerpunkt-kommunikation-zwei-neue-seminare-ueber-grundlegende-techniken'>{heading}</h3>"
    ex = extract(_page(body=h3 + BODY))
    assert heading in ex.text


def test_figure_labels_and_credit_lines_are_removed() -> None:
    lines = ("<p>Abbildung 4: Die neue Leitung unter der Hauptstraße.</p>"
             "<p>Grafik: Verlauf der Leitungen</p><p>(Credit: Max Muster / Stadtwerke)</p>")
    _assert_removed(lines, "Abbildung", "Grafik", "Credit")


def test_appeals_navigation_login_domain_and_rating_lines_are_removed() -> None:
    lines = ("<p>Unterstütze den Bochumer Boten schon mit 2,50 Euro im Monat!</p>"
             "<p>We rely on your support to make local news available to all.</p>"
             "<p>Vorschau auf den nächsten Artikel</p><p>Sie sind aktuell nicht eingeloggt.</p>"
             "<p>BOCHUMER-BOTE.DE</p><p>(Noch keine Bewertungen)</p>")
    _assert_removed(lines, "Unterstütze", "rely on", "nächsten Artikel", "eingeloggt", "BOTE.DE", "Bewertungen")


def test_support_sentence_inside_a_paragraph_is_kept() -> None:
    text = ("Werden Sie ein Teil der Tester-Gemeinschaft und unterstützen Sie uns dabei, unsere Produkte zu "
            "verbessern. Wir zählen auf Ihre Meinung.")
    ex = extract(_page(body=f"<p>Herzlich willkommen! {text}</p>" + BODY))
    assert text in ex.text


# extract-2.4: classes seen on both halves of the evaluation pages and on ScrapingHub's pages: a label left
# at the end, captions that end in a photo credit, embedded posts (kept) in wrappers called "social".


def test_label_left_at_the_end_of_the_text_is_dropped() -> None:
    # "Kontakt:" introduced contact lines that cleaning removed; a lead-in sentence with a colon stays
    tail = ("<p>Kontakt:</p><p>Tel. 0234 960-0</p><p>E-Mail: presse@stadtwerke-bochum.de</p>")
    ex = extract(_page(body=BODY + tail))
    assert ex.text.endswith("Ausschuss für Umwelt und Verkehr.")
    lead_in = "<p>Der Sprecher der Stadtwerke fasste die Pläne am Ende so zusammen:</p>"
    ex = extract(_page(body=BODY + lead_in))
    assert ex.text.endswith("so zusammen:")


def test_caption_ending_in_a_photo_credit_is_not_text() -> None:
    captions = ("<p>Bauarbeiter verlegen neue Rohre an der Hauptstraße. | © Stadtwerke Bochum/Max Muster</p>"
                "<p>Der Sprecher der Stadtwerke im Ausschuss. Foto: Lutz Leitmann/dpa</p>")
    ex = extract(_page(body=BODY[:400] + captions + BODY[400:]))
    assert "Hauptstraße. |" not in ex.text and "Foto:" not in ex.text
    assert "Absatz 5:" in ex.text
    # a credit in the middle of a paragraph of text is no caption tail
    text = ("<p>Das Archiv (Foto: Stadtarchiv) zeigt die Leitungen von 1910, die nun nach mehr als hundert Jahren "
            "ersetzt werden müssen, weil sie an vielen Stellen undicht geworden sind und Wasser verlieren.</p>")
    ex = extract(_page(body=BODY + text))
    assert "nach mehr als hundert Jahren" in ex.text


def test_embedded_post_is_kept_but_not_a_share_bar_or_consent_notice() -> None:
    tweet = ("<div class='social-media-embed'><blockquote class='twitter-tweet'><p>Ab Montag ist die "
             "Hauptstraße zwischen Rathaus und Bahnhof gesperrt, die Busse fahren eine Umleitung.</p>"
             "&mdash; Stadtwerke Bochum (@stadtwerke) <a href='https://twitter.com/x/status/1'>March 12, 2026</a>"
             "</blockquote></div>")
    share = ("<div class='social-share'><a href='https://facebook.com/share'>Facebook</a> "
             "<a href='https://twitter.com/share'>Twitter</a> Teilen Sie diesen Artikel mit Ihren Freunden</div>")
    consent = ("<div class='social-embed'><p>Empfohlener redaktioneller Inhalt: An dieser Stelle finden Sie einen "
               "externen Inhalt von Twitter, der den Artikel ergänzt. Mit einem Klick zeigen Sie ihn an.</p></div>")
    ex = extract(_page(body=BODY[:400] + tweet + BODY[400:] + share + consent))
    assert "die Busse fahren eine Umleitung" in ex.text
    assert "Teilen Sie" not in ex.text and "Empfohlener" not in ex.text
