"""Page cleaning: image captions (collected, then removed), boilerplate elements (navigation,
cookie banners, newsletter and paywall boxes, "Meistgelesen"/"Zum Thema" boxes), and the
recognisers for boilerplate paragraphs (credits, "Lesen Sie auch", teasers, date lines)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree

from .dates import is_date_line
from .text import (
    HEADING_TAGS,
    El,
    any_word,
    class_hit,
    classid,
    dedupe,
    direct_text_len,
    drop,
    is_element,
    iter_ancestors,
    link_text_len,
    mark_tree_changed,
    marked_records,
    matching,
    norm,
    norm_key,
    raw_text,
    subtree_sums,
    text_of,
)

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "footer", "aside", "iframe", "frame",
    "frameset", "button", "select", "input", "textarea", "object", "embed", "video", "audio", "canvas",
    "svg", "map", "dialog", "menu", "link", "meta", "head", "picture", "source", "img", "rt", "rp",
)
_STRIPPED_TAGS = tuple(t for t in _DROP_TAGS if t != "img")
_DROP_ROLES = {"navigation", "contentinfo", "search", "complementary", "dialog", "alertdialog", "menu",
               "menubar", "toolbar"}
# Always removed.
_STRONG_BOILER_WORDS = (
    "cookie", "consent", "gdpr", "dsgvo", "newsletter", "kommentare", "disqus", "advert", "adslot", "ad_slot",
    "anzeige", "outbrain", "taboola", "breadcrumb", "social", "share", "sharing", "sr-only", "visually-hidden",
    "screen-reader", "skiplink", "skip-link", "print-only", "banner-ad",
)
_STRONG_BOILER_MORE = r"comments?(?:$|[\s_-])|ad(?<![^\s_]ad)(?:s?(?:$|[\s_-])|-)|-ad(?:$|[\s_])"
""""comment(s)" ending a token; "ad(s)" as a token or starting one ("ad-slot"); "-ad" ending one."""
_STRONG_BOILER_RE = any_word(*_STRONG_BOILER_WORDS, more=_STRONG_BOILER_MORE)
_EXEMPT_BOILER_RE = any_word("cookie", "consent", "gdpr", "dsgvo", "newsletter", "comment", "kommentar", "disqus")
# Removed unless the element holds most of the page's paragraph text.
_WEAK_BOILER_WORDS = (
    "paywall", "teaserlist", "teaser-list", "related", "recommend", "meistgelesen", "mostread", "most-read",
    "mostviewed", "popular", "promo", "sidebar", "widget", "trending", "toplist", "topnews", "top-news",
    "morearticles", "more-articles", "weitere", "empfehlung", "readmore", "read-more", "subscribe", "abobox",
    "abo-box", "aboteaser", "abo-teaser", "abohint", "abo-hint", "plusteaser", "plus-teaser", "login", "signup",
    "overlay", "modal",
)
_WEAK_BOILER_RE = any_word(*_WEAK_BOILER_WORDS)
# Footer-like blocks ("article-footer", "story__footer"): removed unless they wrap much of the text.
_FOOTER_CLASS_RE = re.compile(r"footer")
_ANY_BOILER_RE = any_word(*_STRONG_BOILER_WORDS, *_WEAK_BOILER_WORDS, "footer", more=_STRONG_BOILER_MORE)
"""What one of the three patterns above finds: most class strings of a page hold none of them, and one
search tells so."""
POSITIVE_RE = any_word("artikel", "story", "content", "text", "entry", "main", "body", "copy")
"""(``article-body``, ``article__text``, ``post-body`` ... are found through ``body`` and ``text``.)"""

_CAPTION_CLASS_RE = any_word("caption", "bildunterschrift", "bu-text", "imagetext", "image-text", "imgtext",
                             "img-text", "legend")
_CREDIT_CLASS_RE = any_word("credit", "copyright", "source", "photographer", "fotograf", "quelle", "foto",
                            "photoby", "photo-by")
AUTHOR_BOX_HEADINGS = (
    "über den autor", "über die autorin", "über die autoren", "zum autor", "zur autorin", "about the author",
    "about the authors", "à propos de l'auteur", "sobre el autor", "o autorze",
)
"""Headings of a box on the author (a short biography), closing or opening an article."""
_BOX_HEADINGS = (
    "meistgelesen", "meistgelesene artikel", "meistgelesene nachrichten", "meist gelesen", "neueste artikel",
    "neueste nachrichten", "zum thema", "aus dem ressort", "mehr zum thema", "auch interessant",
    "das könnte sie auch interessieren", "das könnte dich auch interessieren", "lesen sie auch",
    "weitere artikel", "weitere nachrichten", "mehr aus dem ressort", "mehr nachrichten", "top-themen",
    "topthemen", "empfehlungen", "unsere empfehlungen", "beliebte artikel", "verwandte artikel",
    "ähnliche artikel", "newsletter", "kommentare", "artikel teilen", "teilen",
    # a teaser box, a table of contents (its entries repeat the headings below), the author's box
    "schon gelesen", "inhaltsverzeichnis", "table of contents", *AUTHOR_BOX_HEADINGS,
)
_BOX_HEADINGS_SET = set(_BOX_HEADINGS)
_BOX_HEADING_PREFIX_RE = re.compile(
    "(?:" + "|".join(re.escape(h) for h in _BOX_HEADINGS if h != "teilen") + r") .{1,35}$"
)

_CREDIT_LINE_RE = re.compile(
    r"^(?:\(?\s*(?:foto|fotos|bild|bilder|grafik|illustration|video|quelle|copyright|titelbild|titelfoto"
    r"|symbolbild|symbolfoto|archivbild|archivfoto|fotomontage|montage|karte|bildquelle|bildrechte|photo"
    r"|credit|credits|photo credit|image credit|bildnachweis|crédit photo|crédits?)"
    r"\s*(?:[:©/]|\(c\))|©|\(c\)\s|copyright\s)",
    re.I,
)
_CREDIT_TAIL_KEY = r"(?:fotos?|bild|quelle|grafik|archivbild|archivfoto|symbolbild|symbolfoto|photo)\s*(?::|©)|©|\(c\)\s"
_CREDIT_TAIL_RE = re.compile(rf"\s*[(\[|/–-]?\s*(?:{_CREDIT_TAIL_KEY}).*$", re.I)
_CREDIT_TAIL_KEY_RE = re.compile(_CREDIT_TAIL_KEY, re.I)
_CREDIT_TAIL_LEAD = frozenset("([|/–-")
_SHORT_CREDIT_RE = re.compile(r"^(?:dpa|afp|ap|epd|kna|sid|reuters|imago|getty images|picture alliance)"
                              r"(?:\s*[/|,]\s*[\w .-]{0,40})?$", re.I)
_READ_ALSO_RE = re.compile(
    r"^(?:(?:lesen sie auch|lies auch|lesetipp|hier lesen sie|das könnte sie auch interessieren"
    r"|empfehlung der redaktion)\b"
    # phrases that can also open a real sentence ("Zum Thema Verkehr sagte ...") need a colon or dash
    r"|(?:auch interessant|mehr zum thema|zum thema|weiterlesen|zum weiterlesen|mehr dazu|mehr lesen|passend dazu|siehe auch)"
    r"\s*(?:[:\-–—]|$))",
    re.I,
)
_TEASER_PHRASES = (
    "jetzt abonnieren", "weiterlesen mit", "sie haben bereits ein abo", "jetzt weiterlesen",
    "newsletter abonnieren", "zum newsletter", "jetzt registrieren", "jetzt anmelden", "mit plus weiterlesen",
    "abo abschließen", "jetzt kostenlos registrieren", "dieser artikel ist exklusiv", "exklusiv für abonnenten",
    "wir verwenden cookies", "cookie-einstellungen", "artikel teilen", "artikel drucken", "artikel merken",
    "hier geht es zum newsletter", "hier geht's zum newsletter", "kostenlosen newsletter",
)

# "Mehr aus dem Ressort Lokales", "Mehr zum Thema: ...", "Alle Artikel aus Essen": link lines closing an article.
MORE_LINE_RE = re.compile(
    r"^(?:mehr\s+(?:aus|zum|zu|von|über|ueber|news|nachrichten|artikel|themen|lesen|dazu|infos?)\b"
    r"|weitere\s+(?:artikel|nachrichten|themen|news|infos?|meldungen)\b|alle\s+(?:artikel|nachrichten|news|meldungen)\b"
    r"|zur(?:ück zur)?\s+(?:übersicht|startseite|ressort)|zurück\b)",
    re.I,
)
# Live-blog entry chrome: "00:51 Uhr", "Heute, 14:05", "vor 5 Minuten", "Update 14:05 Uhr".
_TIME_LINE_RE = re.compile(
    r"^(?:(?:update|aktualisiert|neu|heute|gestern|vorgestern|montag|dienstag|mittwoch|donnerstag|freitag"
    r"|samstag|sonntag|mo|di|mi|do|fr|sa|so)\.?\s*[,:|·–-]?\s*)?(?:um\s+)?(?:[01]?\d|2[0-3])[:.][0-5]\d"
    r"(?:[:.][0-5]\d)?\s*(?:uhr|h)?\.?$"
    r"|^vor\s+(?:\d+|einer|einem|wenigen)\s+(?:sekunden?|minuten?|min\.?|stunden?|std\.?|tagen?)$",
    re.I,
)
# Calls to follow the site elsewhere or to get its app, in several languages ("Síguenos en Telegram ...",
# "Folgen Sie uns auf Twitter", "Subscribe now to our e-edition", "download our apps for iOS and Android"),
# and short lines that point to the site's channel ("¡Mira lo que tiene nuestro canal de YouTube!").
_CALL_TO_ACTION_RE = re.compile(
    r"^[¡¿]?\s*(?:s[ií]guenos|suivez[- ]nous|folg(?:en sie|e) uns|follow us|seguici|obserwuj(?:cie)? nas"
    r"|subscribe (?:now|to our|to the)|jetzt abonnieren|abonn(?:ieren sie|iere|ez-vous)|[úu]nete|join (?:us|our))\b"
    r"|\bapps? (?:for|für) (?:ios|android|iphone)\b",
    re.I,
)
_CHANNEL_RE = re.compile(r"\b(?:telegram|whatsapp|youtube|instagram|tiktok)[- ]?(?:kanal|channel)\b"
                         r"|\bcanal de (?:telegram|youtube|whatsapp|instagram)\b", re.I)
# Labels of page controls left as text: "Rezept drucken", "Bild anzeigen", "Quellen ausblenden", "Print recipe".
_CONTROL_LABEL_RE = re.compile(
    r"^(?:[^\W\d_]+\s+){0,2}(?:drucken|ausdrucken|anzeigen|ausblenden|einblenden|merken|speichern|herunterladen)$"
    r"|^(?:print|show|hide|save|jump to|skip to|download)\s+(?:[^\W\d_]+\s*){1,2}$",
    re.I,
)
# A contact line: a phone or fax number with its label, or an e-mail address ("Felix Losada E-Mail:
# f.losada@example.com Telefon: +49 40 300", "Pressekontakt: ... Tel. 0221 123").
_PHONE_RE = re.compile(r"\b(?:tel|telefon|phone|fax|mobil)\.?\s*:?\s*\+?\(?\d", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[a-z]", re.I)
# A rights notice closing an article ("This article is the copyrighted property of ...", "Alle Rechte
# vorbehalten", "Materiał chroniony prawem autorskim").
_RIGHTS_PHRASES = ("copyrighted", "all rights reserved", "alle rechte vorbehalten", "urheberrechtlich geschützt",
                   "droits réservés", "derechos reservados", "prawem autorskim", "diritti riservati")
# A label line of the article's filing: "Kategorie: News", "Category : Press Releases", "Tags: ...".
_FILING_LINE_RE = re.compile(r"^(?:kategorie|kategorien|category|categories|tags|schlagwörter|schlagworte|stichwörter"
                             r"|filed under|posted in|catégories?|categoría|kategoria)\s*:", re.I)
# A figure's label left in the text: "Abbildung 4: klassische Schwachschicht.", "Fig. 2 - ...", "Grafik: ...".
_FIGURE_LABEL_RE = re.compile(r"^\(?(?:abbildung|abb\.|figure|fig\.|grafik|grafico|gráfico|graphique|schaubild|diagramm)"
                              r"\s*\d{0,3}[a-z]?\s*[:.–—-]\s", re.I)
# An appeal for money or membership: "Unterstütze RosaMag bereits mit 2,50!", "Jede kleine Spende hilft",
# "We rely on your support to ...", "Help us continue to ...", "Wesprzyj nas", "Werden Sie Mitglied".
_APPEAL_RE = re.compile(
    r"^(?:unterstütze[n]?\b|unterstützen sie\b|jetzt spenden|jede (?:kleine )?spende|spenden sie\b|werden sie mitglied"
    r"|werde mitglied|support (?:us|our|independent)|we rely on your support|help us (?:continue|keep)|donate (?:now|today)"
    r"|become a (?:member|subscriber|supporter)|wesprzyj\b|soutenez\b|faites un don|apoya(?:nos)?\b|dona ahora)",
    re.I,
)
_APPEAL_PHRASES = ("wesprzyj nas", "we rely on your support")  # also inside a line
# Links between posts and the reader's login state: "Vorschau auf den nächsten Artikel", "Next post: ...",
# "Sie sind aktuell nicht eingeloggt.", "You must be logged in to post a comment."
_SITE_NAV_LINE_RE = re.compile(
    r"^(?:vorschau auf den |zum |go to )?(?:nächsten|vorherigen|nächster|vorheriger|next|previous|prev|older|newer)"
    r"\s+(?:artikel|beitrag|post|article|story|entry|eintrag)\b"
    r"|^(?:sie sind|du bist) (?:aktuell |derzeit )?nicht (?:eingeloggt|angemeldet)|^you (?:are not|must be) logged in",
    re.I,
)
# A line that is only a web address or a site's name as one ("BVINEWS.COM", "www.example.de"): a source label.
_DOMAIN_LINE_RE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/?$", re.I)
# A rating widget's text: "(Noch keine Bewertungen)", "No ratings yet", "3.65 von 1990 Bewertungen".
_RATING_LINE_RE = re.compile(r"^\(?(?:noch keine bewertungen|no ratings yet|be the first to rate)"
                             r"|^\d+(?:[.,]\d+)? (?:von|out of|/) \d+ (?:bewertungen|sternen|stars|ratings|votes)\b", re.I)
_AD_LINES = {"anzeige", "werbung", "advertisement", "sponsored", "- anzeige -", "– anzeige –"}
# "Anzeige: Ihre Werbung im Stadtanzeiger", "Werbung – ...": a labelled ad line (not "Anzeige erstattet")
_AD_LINE_RE = re.compile(r"^(?:anzeige|werbung|advertisement|sponsored)\s*[:|–—-]", re.I)


def is_box_heading(text: str) -> bool:
    """ "Meistgelesen", "Zum Thema", "Mehr zum Thema Verkehr", "Lesen Sie auch:" ..."""
    if len(text) > 200:
        return False
    key = norm_key(text)
    if not key or len(key) > 80:
        return False
    return key in _BOX_HEADINGS_SET or bool(_BOX_HEADING_PREFIX_RE.match(key))


def collect_captions(root: El) -> list[str]:
    """Collect image captions (without photo credits) and remove figures/caption elements."""
    captions: list[str] = []
    targets: list[El] = []
    for el in root.iter("figure", "figcaption"):
        targets.append(el)
    records = marked_records(root)
    caption_cids = matching(_CAPTION_CLASS_RE, {cid for _, _, cid, _ in records})
    for el, tag, cid, itemprop in records:
        if tag in ("figure", "figcaption", "body", "html", "article", "main") or tag in HEADING_TAGS:
            continue  # a heading is no caption (its id may be a slug of its words: "...-grundlegende-...")
        if (cid in caption_cids and cid.strip()) or itemprop == "caption":
            targets.append(el)
    for el in targets:
        nodes = [el] if el.tag != "figure" else []
        if el.tag == "figure":
            nodes = list(el.iter("figcaption")) or [
                d for d in el.iter() if is_element(d) and d is not el and class_hit(_CAPTION_CLASS_RE, classid(d))
            ]
        for node in nodes:
            text = _caption_text(node)
            if text:
                captions.append(text)
    for el in targets:
        if el.tag == "figure" or el.tag == "figcaption" or len(text_of(el)) < 600:
            drop(el)
    return dedupe(captions)


def _caption_text(node: El) -> str:
    parts: list[str] = []
    skip: set[El] = set()
    for d in node.iter():
        if not is_element(d) or d is node:
            continue
        if class_hit(_CREDIT_CLASS_RE, classid(d)):
            skip.add(d)
    if skip:
        # text of node without the credit subtrees
        for piece in _itertext_skipping(node, skip):
            parts.append(piece)
        text = norm(" ".join(parts))
    else:
        text = text_of(node)
    text = _CREDIT_TAIL_RE.sub("", text).strip()
    if _CREDIT_LINE_RE.match(text) or _SHORT_CREDIT_RE.match(text):
        return ""
    return text if len(text) >= 3 else ""


def _itertext_skipping(node: El, skip: set[El]) -> Iterator[str]:
    stack: list[tuple[El, bool]] = [(node, False)]
    while stack:
        el, tail_only = stack.pop()
        if tail_only:
            if el.tail:
                yield el.tail
            continue
        if el is not node:
            stack.append((el, True))
        if el in skip or not isinstance(el.tag, str):
            continue
        if el.text:
            yield el.text
        for child in reversed(list(el)):
            stack.append((child, False))


_TEXT_BLOCK_TAGS = ("div", "section", "td", "article", "main")


def text_totals(root: El) -> dict[El, float]:
    """Characters of running text under each element, in one pass: paragraphs of 25 characters or
    more, and text written straight into a block (``<div>`` text between ``<br>``, as blogs do) of
    100 or more. Elements without such text are absent."""
    def running_text() -> Iterator[tuple[El, int]]:
        for el in root.iter("p", *_TEXT_BLOCK_TAGS):
            n = len(norm(raw_text(el))) if el.tag == "p" else direct_text_len(el, 100)
            if n >= (25 if el.tag == "p" else 100):
                yield el, n

    return subtree_sums(running_text())


def _embeds_a_post(el: El, cid: str) -> bool:
    """A wrapper of a post embedded in the article (``<div class="social-media-embed"><blockquote
    class="twitter-tweet">``): a quote the article shows, which the "social" in its class does not make
    a share bar. A wrapper that holds only a consent notice in place of the post has no ``<blockquote>``."""
    return "embed" in cid and next(el.iter("blockquote"), None) is not None


def remove_boilerplate(root: El) -> None:
    """Remove navigation, site headers, forms, class-matched boxes (cookie, newsletter...)."""
    # in C, each with its subtree and without its tail text (as drop() does); <img> is harmless and kept
    if next(root.iter(*_STRIPPED_TAGS), None) is not None:
        mark_tree_changed()
        lxml.etree.strip_elements(root, *_STRIPPED_TAGS, with_tail=False)

    doc_total = 0.0
    weak: list[El] = []
    strong: list[El] = []
    forms: list[El] = []
    footers: list[El] = []
    records = marked_records(root)
    cids = matching(_ANY_BOILER_RE, {cid.strip() for _, _, cid, _ in records})
    strong_cids, weak_cids = matching(_STRONG_BOILER_RE, cids), matching(_WEAK_BOILER_RE, cids)
    footer_cids = matching(_FOOTER_CLASS_RE, cids)
    for el, tag, cid, itemprop in records:
        if tag in ("html", "body", "main", "article"):
            continue
        role = (el.get("role") or "").lower()
        if role in _DROP_ROLES:
            strong.append(el)
            continue
        if tag == "form":
            forms.append(el)  # some CMS (ASP.NET) wrap the whole page in a <form>
            continue
        if tag == "header" or role == "banner":
            if not any(a.tag in ("article", "main") for a in iter_ancestors(el)):
                has_h1 = next(el.iter("h1"), None) is not None
                if not has_h1 or next(el.iter("nav"), None) is not None:
                    strong.append(el)
                    continue
        if itemprop in ("articlebody", "text"):
            continue
        cid = cid.strip()
        if not cid:
            continue
        if el.get("hidden") is not None and tag not in ("div", "section"):
            strong.append(el)
        elif cid in strong_cids and not _embeds_a_post(el, cid):
            strong.append(el)
        elif cid in weak_cids:
            weak.append(el)
        elif cid in footer_cids:
            footers.append(el)
    totals = text_totals(root) if weak or strong or forms or footers else {}
    doc_total = totals.get(root, 0)

    def holds_the_article(el: El) -> bool:
        inside = totals.get(el, 0)
        return bool(doc_total) and inside >= 400 and inside >= 0.5 * doc_total

    for el in strong:
        if (el.getparent() is not None and not class_hit(_EXEMPT_BOILER_RE, classid(el)) and holds_the_article(el)):
            # e.g. <div class="content has-social-bar"> around the article, or a share bar that an
            # unclosed tag made the parent of the text
            continue
        drop(el)
    for el in weak:
        if el.getparent() is None or holds_the_article(el):
            continue  # e.g. a paywall wrapper around the article text itself
        drop(el)
    for el in footers:
        if el.getparent() is None or (doc_total and totals.get(el, 0) > 0.3 * doc_total):
            continue  # e.g. <div class="page has-sticky-footer"> around the article
        drop(el)
    for el in forms:
        if el.getparent() is None or (doc_total and totals.get(el, 0) >= 0.5 * doc_total):
            continue
        if next(el.iter("h1"), None) is None:
            drop(el)


def remove_boxes(root: El) -> None:
    """Remove blocks headed "Meistgelesen", "Zum Thema", "Lesen Sie auch" and the like."""
    candidates: list[El] = []
    for el in root.iter():
        if not is_element(el):
            continue
        if el.tag in HEADING_TAGS:
            candidates.append(el)
        elif el.tag in ("p", "strong", "b", "span", "div", "dt", "legend", "header") and len(el) <= 2:
            if len(el) == 0:
                if el.text and len(el.text) < 200 and is_box_heading(el.text):
                    candidates.append(el)
            elif "head" in classid(el) or "title" in classid(el):
                candidates.append(el)
    for el in candidates:
        if el.getparent() is None:
            continue
        text = text_of(el)
        if not is_box_heading(text):
            continue
        heading = el
        # climb through pure wrappers (<h2><span>Zum Thema</span></h2>)
        while True:
            parent = heading.getparent()
            if parent is None or parent.tag in ("body", "html", "main", "article") or text_of(parent) != text:
                break
            heading = parent
        box = heading.getparent()
        if box is None:
            continue
        box_text = text_of(box)
        box_plain = len(box_text) - link_text_len(box) - len(text)
        protected = box.tag in ("body", "html", "main", "article") or (box.get("itemprop") or "").lower() == "articlebody"
        before = 0  # article text ahead of the heading in the same parent: the heading is inside the body
        for sib in heading.itersiblings(preceding=True):
            if is_element(sib):
                before += len(text_of(sib)) - link_text_len(sib)
                if before >= 80:
                    break
        if not protected and box_plain < 300 and before < 80:
            drop(box)
            continue
        # heading inside the body: drop it and the link lists that follow it
        follower = heading.getnext()
        drop(heading)
        while follower is not None:
            nxt = follower.getnext()
            if not is_element(follower):
                follower = nxt
                continue
            ftext = text_of(follower)
            links = link_text_len(follower)
            if follower.tag in HEADING_TAGS:
                break
            linky = bool(ftext) and links / max(1, len(ftext)) > 0.4
            listy = follower.tag in ("ul", "ol", "dl")
            teaser_div = follower.tag in ("div", "section", "article", "aside") and links > 0 and len(ftext) - links < 300
            read_also = follower.tag == "p" and bool(_READ_ALSO_RE.match(ftext))
            if not (linky or listy or teaser_div or read_also):
                break
            drop(follower)
            follower = nxt


_LETTER_RE = re.compile(r"[^\W\d_]")
_NON_LETTER_RE = re.compile(r"[\W\d_]")


def _alpha_ratio(text: str) -> float:
    """Share of letters among the non-space characters (normalised text: single spaces)."""
    visible = len(text) - text.count(" ")
    if visible <= 0:
        return 0.0
    return (len(text) - len(_NON_LETTER_RE.findall(text))) / visible  # fewer matches than letters: faster


def _is_page_chrome_line(text: str, low: str, n: int) -> bool:
    """A line (under 300 characters; ``low`` casefolded) of the page around the article: a control's
    label, a web address or rating, a link to the next post, an appeal for money, a figure's label,
    contact data, a rights notice or a filing label."""
    if n <= 30 and _CONTROL_LABEL_RE.match(text):
        return True
    if n <= 60 and (_DOMAIN_LINE_RE.match(text) or _RATING_LINE_RE.match(text)):
        return True
    if n <= 120 and _SITE_NAV_LINE_RE.match(text):
        return True
    if n <= 250 and (_APPEAL_RE.match(text) or any(p in low for p in _APPEAL_PHRASES)):
        return True
    if _FIGURE_LABEL_RE.match(text):
        return True
    if n <= 160 and (("@" in text and _EMAIL_RE.search(text)) or (
            ("tel" in low or "fax" in low or "phone" in low or "mobil" in low) and _PHONE_RE.search(text))):
        return True
    if n <= 250 and any(p in low for p in _RIGHTS_PHRASES):
        return True
    return n <= 150 and bool(_FILING_LINE_RE.match(text))


def _credit_tail_start(text: str) -> int:
    """Where the photo credit that closes ``text`` starts (:data:`_CREDIT_TAIL_RE`: "| © Stadt Essen",
    "Foto: dpa"), or -1. Every credit tail holds a "©", a "(c)" or a colon; without one nothing is
    searched. The search finds the first key ("Foto:", "©", "(c) ") and extends it to the left over
    spaces, one bracket or bar and spaces: where :data:`_CREDIT_TAIL_RE`, which may start anywhere,
    would start (its ``.*$`` holds in a text without line breaks), at 40 % of its cost."""
    if "©" not in text and ":" not in text and "(c" not in text and "(C" not in text:
        return -1
    if "\n" in text:
        m = _CREDIT_TAIL_RE.search(text)
        return -1 if m is None else m.start()
    key = _CREDIT_TAIL_KEY_RE.search(text)
    if key is None:
        return -1
    start = key.start()
    while start and text[start - 1].isspace():
        start -= 1
    if start and text[start - 1] in _CREDIT_TAIL_LEAD:
        start -= 1
        while start and text[start - 1].isspace():
            start -= 1
    return start


def is_boilerplate_paragraph(text: str, key: str, caption_keys: set[str], figures: bool = False) -> bool:
    """Credits, "Lesen Sie auch", newsletter/paywall teasers, repeated captions, date lines, garbage.
    ``figures``: a table row, where figures ("10.000 € | 36 Monate | 2,0 %") are content, not garbage."""
    n = len(text)
    if key in _AD_LINES or key in _BOX_HEADINGS_SET or (n < 200 and _AD_LINE_RE.match(text)):
        return True
    if n < 200 and (_CREDIT_LINE_RE.match(text) or _SHORT_CREDIT_RE.match(text)):
        return True
    if n < 300:
        if _READ_ALSO_RE.match(text):
            return True
        low = text.casefold()
        if any(phrase in low for phrase in _TEASER_PHRASES):
            return True
        # each search only where the words it needs are there (a search tries every position)
        if n < 250 and (_CALL_TO_ACTION_RE.match(text) or ("app" in low and _CALL_TO_ACTION_RE.search(text))):
            return True
        if n < 130 and ("kanal" in low or "channel" in low or "canal" in low) and _CHANNEL_RE.search(text):
            return True
        if _is_page_chrome_line(text, low, n):
            return True
    tail = _credit_tail_start(text) if n <= 300 or caption_keys else -1
    if n <= 300 and tail >= 10 and n - tail <= 60:
        # an image caption that no markup names: a short line ending in a photo credit ("Lee Elder und
        # Gary Player. | © Augusta National/Getty Images"); article text does not end a paragraph in one
        return True
    if caption_keys and (key in caption_keys or (
            tail >= 0 and norm_key(_CREDIT_TAIL_RE.sub("", text)) in caption_keys)):
        return True  # a caption repeated in the text, with or without its credit
    if n <= 90 and is_date_line(text):
        return True
    if n <= 40 and _TIME_LINE_RE.match(text):
        return True
    if figures:
        return not _LETTER_RE.search(text)  # figures with units or labels are content; a calendar is not
    return n >= 3 and _alpha_ratio(text) < 0.5
