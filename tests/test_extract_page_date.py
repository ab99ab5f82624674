"""The last tier of the date cascade (pipeline/extract/page_date.py): the day a page shows where its
metadata, ``<time>`` elements and dateline name none. Each page here is built so that the step under
test decides the outcome; the pages go through ``extract`` unless a unit of the module is tested."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.extract import extract
from pipeline.extract.page_date import EARLIEST, first_day, published_day, url_day

TODAY = date(2026, 12, 7)
TEXT = ("<p>Der Rat der Stadt Duisburg hat am Montag den Haushalt für das kommende Jahr beschlossen, "
        "nach einer langen Debatte über die Grundsteuer und die Schulden der Stadt.</p>") * 3


def _page(body: str, head: str = "<title>Haushalt</title>", lang: str = "de") -> str:
    return f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


@pytest.mark.parametrize(("text", "day"), [
    ("Veröffentlicht am 9. Mai 2020, 14:05 Uhr", "2020-05-09"),
    ("Heiko Sauer Do 9 Apr 2020", "2020-04-09"),
    ("Paddy · April 19, 2019 · Mac · 7 comments", "2019-04-19"),
    ("December 29th 2019 Tweet This", "2019-12-29"),
    ("Viernes, 22 de Abril de 2022", "2022-04-22"),
    ("jeudi 13 juin 2019, par Attac France", "2019-06-13"),
    ("1er juin 2019", "2019-06-01"),
    ("15 августа 2016, 13:43", "2016-08-15"),
    ("Gespeichert von rasos am 24. Juli 2017 - 18:55", "2017-07-24"),
    ("Mittwoch, Mai 10, 2017 4:14:00 PM", "2017-05-10"),
    ("28.01.22 / 0 Kommentare", "2022-01-28"),
    ("Beitrag von r23 » 21.01.2009, 05:42", "2009-01-21"),
    ("von lupa am 26/10/13, 03:48 pm", "2013-10-26"),
    ("2013-04-04T18:52:11+00:00", "2013-04-04"),
    ("Stand 2022/01/26", "2022-01-26"),
])
def test_days_in_the_forms_pages_write(text: str, day: str) -> None:
    assert first_day(text, TODAY) == date.fromisoformat(day)


@pytest.mark.parametrize("text", [
    "Tel. 0203 12.34.56",  # no month 34
    "Version 2.1.14 vom Server",  # a version number: a two-digit year comes with a two-digit day and month
    "Am 31.02.2020 war nichts",  # no such day
    "Ausgabe 8/2021 der Zeitschrift",  # a month, no day
    "© 2016 Turnverein Moers e.V.",  # a year, no day
    "Gegründet am 3. Oktober 1990",  # before EARLIEST
    "Die Sitzung am 14.12.2026 fällt aus",  # after today
    "Am 192.168.10.20 antwortet niemand",  # an address, no day
])
def test_no_day_where_none_is_written(text: str) -> None:
    assert first_day(text, TODAY) is None


def test_the_first_day_in_the_text_wins_whatever_its_form() -> None:
    assert first_day("Erstellt 3. März 2021, geändert 2021-04-01", TODAY) == date(2021, 3, 3)
    assert first_day("geändert 2021-04-01, erstellt 3. März 2021", TODAY) == date(2021, 4, 1)


@pytest.mark.parametrize(("text", "day"), [
    ("Letzte Änderung: 31.10.2023 - 14:49:39 Erschienen am: 01.11.2023", "2023-11-01"),
    ("Aktualisiert am 03.02.2022, veröffentlicht am 01.02.2022", "2022-02-01"),
    ("Updated on March 4, 2021 · Published March 1, 2021", "2021-03-01"),
    ("Zuletzt geändert am 29. Januar 2020", "2020-01-29"),  # no other day: the change is all the page says
    ("Erstellt: 12.05.2021 | Stand: 14.05.2021", "2021-05-12"),
])
def test_a_day_marked_as_a_change_yields_to_one_that_is_not(text: str, day: str) -> None:
    assert published_day(text, TODAY) == date.fromisoformat(day)


def test_slashes_are_day_first_except_in_us_english() -> None:
    assert first_day("04/10/2020", TODAY) == date(2020, 10, 4)
    assert first_day("04/10/2020", TODAY, month_first=True) == date(2020, 4, 10)
    assert first_day("04.10.2020", TODAY, month_first=True) == date(2020, 10, 4)  # dots are German


def test_the_earliest_day_is_a_bound() -> None:
    assert first_day(f"{EARLIEST:%d.%m.%Y}", TODAY) == EARLIEST


@pytest.mark.parametrize(("url", "day"), [
    ("https://lemire.me/blog/2019/08/02/json-parsing/", "2019-08-02"),
    ("https://www.bundesfeuerwehrverband.at/2021/10/20/zentrum/", "2021-10-20"),
    ("https://weisser-ring.de/media-news/meldungen/29-10-2021", "2021-10-29"),
    ("https://www.biathlon-antholz.it/de/newsroom/23-01-2022-dorothea", "2022-01-23"),
    ("https://example.org/2019/13/02/", None),  # no month 13
    ("https://example.org/archiv/2019/", None),
    ("https://example.org/artikel-12345.html", None),
    (None, None),
])
def test_days_in_urls(url: str | None, day: str | None) -> None:
    found = url_day(url, TODAY)
    assert (found.isoformat() if found else None) == day


def test_a_footer_that_cleaning_removes_still_gives_the_day() -> None:
    page = _page(f"<article><h1>Haushalt</h1>{TEXT}</article>"
                 '<footer><p>Copyright © 19.12.2019 - 12:14 h by Stadtwerke Duisburg</p></footer>')
    ex = extract(page)
    assert ex.published == "2019-12-19"
    assert "Copyright" not in ex.text


_HEAD = "<title>Haushalt</title>"


@pytest.mark.parametrize(("body", "head", "day"), [
    pytest.param(f'<article><h1>Haushalt</h1><div class="entry-meta">Anna Schmidt · 26. Mai 2008</div>{TEXT}'
                 '</article><div class="comments"><div class="comment-meta">Peter sagt: 24. August 2019 um 03:36 Uhr'
                 "</div><p>Gut so.</p></div>", _HEAD, "2008-05-26", id="meta bar before a comment below"),
    pytest.param(f"<article><h1>Haushalt</h1>{TEXT}</article><footer><p>Letzte Änderung: 31.10.2023 - 14:49 "
                 "Erschienen am: 01.11.2023 © bei der Autorin</p></footer>", _HEAD, "2023-11-01",
                 id="footer naming the last change first"),
    pytest.param(f'<article><h1>Haushalt</h1><span itemprop="dateCreated">02.02.2022</span>{TEXT}</article>', _HEAD,
                 "2022-02-02", id="element marked by its itemprop alone"),
    pytest.param(f"<article><h1>Newsroom 23.01.2022: Dorothea Wierer gewinnt</h1>{TEXT}</article>", _HEAD,
                 "2022-01-23", id="day in the headline"),
    pytest.param(f"<article><h1>Haushalt</h1>{TEXT}</article>",
                 _HEAD + '<script>var product = {"title": "Kaffee", "published_at":"2019-03-02T06:22:28+01:00", '
                 '"vendor": "Happy Coffee"};</script>', "2019-03-02", id="publication date in a script"),
    pytest.param(f"<article><h1>Arbeitsmarkt</h1><p><strong>01.02.2022 – Der Arbeitsmarkt ist gut in das Jahr "
                 f"gestartet, sagte die Vorsitzende der Bundesagentur am Dienstag in Nürnberg.</strong></p>{TEXT}"
                 "</article>", _HEAD, "2022-02-01", id="dateline opening a paragraph"),
    # a signature line under the text and a later event date: the page was written before the event
    pytest.param(f"<article><h1>Fest</h1>{TEXT}<p>Benni<br>10. September 2017</p>"
                 "<ul><li>Nächster Termin: 12.10.2017</li></ul></article>", _HEAD, "2017-09-10",
                 id="oldest day among short lines"),
    # far below the headline (where tier 3, the lines next to it, does not reach): what a sentence tells about
    pytest.param(f"<article><h1>Fest</h1>{TEXT}{TEXT}<p>Das nächste Stadtfest findet am 14. September 2019 auf dem "
                 "Burgplatz statt, wie die Veranstalter am Montag mitteilten.</p></article>", _HEAD, None,
                 id="no day from a sentence"),
    pytest.param(f'<article><h1>Haushalt</h1><div class="entry-meta">26. Mai 2008</div>{TEXT}</article>',
                 _HEAD + '<meta property="article:published_time" content="2021-03-04T10:00:00+01:00">',
                 "2021-03-04T10:00:00+01:00", id="metadata comes first"),
])
def test_the_day_a_page_shows(body: str, head: str, day: str | None) -> None:
    assert extract(_page(body, head=head)).published == day


def test_us_pages_read_slashes_month_first() -> None:
    body = f'<article><h1>Budget</h1><span class="post-date">04/10/2020</span>{TEXT}</article>'
    assert extract(_page(body, lang="en-US")).published == "2020-04-10"
    assert extract(_page(body, lang="en-GB")).published == "2020-10-04"
