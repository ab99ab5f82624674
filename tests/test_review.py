"""Review in Datasette: the newsmine plugin's pages, canned queries, map tiles, corrections
(token, CSRF, views, CLI, re-extraction, export to training data) and `newsmine serve`.

Everything runs against a real database made by `newsmine run` on the bundled demo site,
through Datasette's own test client (``ds.client``) or the command line: in this process through
click's CliRunner, and `newsmine serve` as a real process on a free port.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import struct
import subprocess
import zlib
from collections import Counter
from itertools import combinations
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from serving import TOKEN, article_with_all_labels, datasette, free_words, rows, soup, start_serve, stop_serve
from sites import copy_database

from pipeline import corrections, review, store
from pipeline.cli import cli as newsmine_cli


def newsmine(*args: str) -> subprocess.CompletedProcess:
    """`newsmine ARGS` in this process (click's CliRunner), as a finished process: exit code, stdout, stderr.
    An exception that escaped the command (a traceback in a real process) fails the test here."""
    result = CliRunner().invoke(newsmine_cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(["newsmine", *args], result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def db_path(demo_db, tmp_path) -> Path:
    """A private copy of the demo database, schema upgraded (corrections, review views)."""
    path = copy_database(demo_db, tmp_path / "newsmine.db")
    store.open_db(path).conn.close()
    return path


def fetch(path: Path, *requests: tuple) -> list[httpx.Response]:
    """Run ``(method, url, kwargs)`` requests against a fresh Datasette on ``path``."""
    async def go():
        ds = datasette(path)
        return [await getattr(ds.client, method)(url, **kwargs) for method, url, kwargs in requests]

    return asyncio.run(go())


def get(path: Path, url: str, **kwargs) -> httpx.Response:
    return fetch(path, ("get", url, kwargs))[0]


# --- schema ----------------------------------------------------------------------------


def test_schema_has_corrections_views_indexes_and_consistent_pair_counts(db_path):
    db = store.open_db(db_path)
    assert store.schema_version(db) == store.SCHEMA_VERSION
    assert {"article_url", "start", "end", "text", "label", "action", "original_label", "reviewer",
            "created_at", "note"} <= set(db["corrections"].columns_dict)
    assert {"corrections_effective", "corrected_mentions", "mentions_reviewed", "places_map"} <= set(db.view_names())
    indexes = {tuple(i.columns) for i in db["mentions"].indexes}
    assert ("label", "article_id", "entity_id") in indexes and ("article_id", "label", "entity_id") in indexes

    def brute_force_pairs() -> Counter:
        per_article: dict[int, set[int]] = {}
        for r in db.query("SELECT article_id, entity_id FROM mentions"):
            per_article.setdefault(r["article_id"], set()).add(r["entity_id"])
        return Counter(p for ids in per_article.values() for p in combinations(sorted(ids), 2))

    stored = {(r["a_id"], r["b_id"]): r["articles"] for r in db.query("SELECT * FROM entity_pairs")}
    assert stored and stored == dict(brute_force_pairs())
    # re-processing an article (mentions deleted and written again, one fewer) keeps the counts exact
    art = article_with_all_labels(db_path)
    record = store.ArticleRecord(url=rows(db_path, "SELECT url FROM articles WHERE id = ?", (art["id"],))[0]["url"],
                                 title=art["title"], text=art["text"])
    record.entities = [{"start": m["start"], "end": m["end"], "label": m["label"], "text": m["text"]}
                       for m in db.query("SELECT * FROM mentions WHERE article_id = ? ORDER BY start", [art["id"]])][1:]
    store.save_article(db, record)
    stored = {(r["a_id"], r["b_id"]): r["articles"] for r in db.query("SELECT * FROM entity_pairs")}
    assert stored == dict(brute_force_pairs())


# --- pages -----------------------------------------------------------------------------


def test_article_page_highlights_every_mention_and_amount(db_path):
    art = article_with_all_labels(db_path)
    resp = get(db_path, f"/-/newsmine/article/{art['id']}")
    assert resp.status_code == 200
    doc = soup(resp.text)
    body = doc.find(id="article-text")
    assert body.get_text() == art["text"]  # the page shows the stored text exactly, offsets intact
    mentions = rows(db_path, "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (art["id"],))
    for m in mentions:
        [a] = body.select(f'a.ent[data-start="{m["start"]}"]')
        assert a["data-end"] == str(m["end"]) and a.get_text() == m["text"]
        assert a["class"] == ["ent", f"ent-{m['label']}"]
        assert a["href"] == f"/-/newsmine/entity/{m['entity_id']}"
    for m in rows(db_path, "SELECT * FROM money WHERE article_id = ?", (art["id"],)):
        [a] = body.select(f'a.ent-MONEY[data-start="{m["start"]}"]')
        assert float(a["data-value"]) == m["value_eur"]
        assert f"value_eur = {m['value_eur']}" in a["title"]
        if m["value_eur"] == 2_500_000:
            assert a["title"].startswith("2.500.000 €")
    # one colour per label, from the plugin's stylesheet (the page links it)
    css_url = doc.find("link", href=re.compile("review.css"))["href"]
    css = get(db_path, css_url).text
    colours = {label: re.search(rf"\.ent-{label} {{ background-color: ([^;]+);", css).group(1)
               for label in ("PER", "LOC", "ORG", "MONEY")}
    assert len(set(colours.values())) == 4
    # read-only visitors get no correction script
    assert "review.js" not in resp.text


def test_articles_table_links_to_the_review_page(db_path):
    art = article_with_all_labels(db_path)
    doc = soup(get(db_path, f"/{db_path.stem}/articles").text)
    assert doc.find("a", href=f"/-/newsmine/article/{art['id']}").get_text() == art["title"]


# --- newcomer paths (#24) ----------------------------------------------------------------


def test_wrong_review_urls_are_404_not_500(db_path):
    stem = db_path.stem
    urls = ["/-/newsmine/article/abc", "/-/newsmine/articles/1", f"/{stem}/articles/1/x",
            "/-/newsmine/entity/abc", "/-/newsmine/articles/x", f"/{stem}/articles/abc", "/-/newsmine"]
    for url, resp in zip(urls, fetch(db_path, *[("get", url, {}) for url in urls])):
        assert resp.status_code == 404, (url, resp.status_code, resp.text[:200])


def test_front_page_and_database_page_lead_to_the_review_pages_map_and_queries(db_path):
    stem = db_path.stem
    front, database, listing = fetch(db_path, ("get", "/", {}), ("get", f"/{stem}", {}),
                                     ("get", "/-/newsmine/articles", {}))
    for resp in (front, database):
        assert resp.status_code == 200
        hrefs = {a["href"] for a in soup(resp.text).select("a[href]")}
        assert "/-/newsmine/articles" in hrefs, resp.url
        assert f"/{stem}/places_map" in hrefs, resp.url
        assert {f"/{stem}/{name}" for name in review.QUERIES} <= hrefs, resp.url
    # the review list: every article, newest first, each linking to its review page
    assert listing.status_code == 200
    items = soup(listing.text).select("#articles li")
    expected = rows(db_path, "SELECT id, title FROM articles ORDER BY published DESC, id DESC")
    assert [(li.a["href"], li.a.get_text()) for li in items] == [
        (f"/-/newsmine/article/{r['id']}", r["title"]) for r in expected]
    assert fetch(db_path, ("get", items[0].a["href"], {}))[0].status_code == 200
    # and Datasette's menu links it
    assert "/-/newsmine/articles" in {a["href"] for a in soup(front.text).select(".nav-menu a[href]")}


def test_articles_table_shows_a_shortened_text_and_the_json_all_of_it(db_path):
    stem = db_path.stem
    html, data = fetch(db_path, ("get", f"/{stem}/articles?_sort=id", {}),
                       ("get", f"/{stem}/articles.json?_shape=array&_sort=id", {}))
    texts = {r["id"]: r["text"] for r in rows(db_path, "SELECT id, text FROM articles")}
    assert {r["id"]: r["text"] for r in data.json()} == texts  # JSON: the full text
    cells = soup(html.text).select("td.col-text")
    assert len(cells) == len(texts)
    for cell, (article_id, text) in zip(cells, sorted(texts.items())):
        shown = cell.select_one(".newsmine-preview").get_text()
        assert len(text) > 300 and 100 <= len(shown) <= 205 and shown.endswith("…"), shown
        assert text.startswith(shown[:-1].rstrip()), shown
        assert cell.find("a", string="full text")["href"] == f"/-/newsmine/article/{article_id}"


def test_canned_queries_link_entity_names_and_article_titles(db_path):
    stem = db_path.stem
    names = {r["id"]: r["name"] for r in rows(db_path, "SELECT id, name FROM entities")}
    titles = {r["id"]: r["title"] for r in rows(db_path, "SELECT id, title FROM articles")}
    checks = {"top_entities_per_month": [("name", "entity_id")], "top_entities_per_state": [("name", "entity_id")],
              "cooccurrence_pairs": [("entity_a", "a_id"), ("entity_b", "b_id")],
              "quotes_by_speaker": [("speaker", "entity_id")]}
    responses = fetch(db_path, *[("get", f"/{stem}/{query}", {}) for query in checks],
                      ("get", f"/{stem}/quotes_by_speaker.json?_shape=array", {}))
    for (query, columns), resp in zip(checks.items(), responses):
        assert resp.status_code == 200, query
        table = soup(resp.text).select_one("table.rows-and-columns")
        for column, _ in columns:
            links = [td.a for td in table.select(f"td.col-{column}") if td.a]
            assert links, (query, column)
            for a in links:
                entity_id = int(a["href"].removeprefix("/-/newsmine/entity/"))
                assert names[entity_id] == a.get_text(), (query, column)
    doc = soup(responses[3].text)
    named = [r for r in responses[-1].json() if r["entity_id"] is not None]
    assert len(doc.select("td.col-speaker a")) == len(named)  # unresolved speakers stay text
    for a in doc.select("td.col-title a"):
        assert titles[int(a["href"].removeprefix("/-/newsmine/article/"))] == a.get_text()
    assert doc.select("td.col-title a")


def test_search_shows_the_sentence_around_each_hit(db_path):
    resp = get(db_path, "/-/newsmine/articles?q=dezernen")
    assert resp.status_code == 200
    items = soup(resp.text).select("#articles li")
    texts = {r["id"]: r["text"] for r in rows(db_path, "SELECT id, text FROM articles WHERE text LIKE '%dezernen%'")}
    assert len(items) == len(texts) >= 2
    for li in items:
        article_id = int(li.a["href"].removeprefix("/-/newsmine/article/"))
        snippet = li.select_one(".snippet")
        assert li.find("mark").get_text().lower() == "dezernen"
        shown = snippet.get_text()
        assert shown.strip("…") in texts[article_id]  # a piece of the text, hit in place
        assert len(shown) >= 60 and len(shown.split()) >= 8, shown  # a sentence, not `…Umwelt[dezernen]…`
    # the sentence is cut at abbreviations only where it ends
    assert any("Dr." in li.select_one(".snippet").get_text() for li in items)
    short, none, odd = fetch(db_path, ("get", "/-/newsmine/articles?q=CD", {}),
                             ("get", "/-/newsmine/articles?q=zzzqqq", {}),
                             ("get", '/-/newsmine/articles?q="%27)%20OR&page=abc', {}))
    assert short.status_code == 200 and soup(short.text).select("#articles li mark")
    assert none.status_code == 200 and soup(none.text).find(id="no-results")
    assert odd.status_code == 200


def test_money_reads_as_german_readers_read_it(db_path):
    from pipeline.review_plugin.pages import euros_short

    assert euros_short(5_500_000_000) == "5,5 Mrd. €" and euros_short(1_250_000.0) == "1,25 Mio. €"
    assert euros_short(12_500) == "12.500 €" and euros_short(999.5) == "999,50 €" and euros_short(3e6) == "3 Mio. €"
    stem = db_path.stem
    big = rows(db_path, "SELECT id, article_id, value_eur FROM money ORDER BY value_eur DESC LIMIT 1")[0]
    assert big["value_eur"] >= 1e9
    html, data, query, article = fetch(
        db_path, ("get", f"/{stem}/money?_sort_desc=value_eur", {}),
        ("get", f"/{stem}/money.json?_shape=array&_sort_desc=value_eur", {}),
        ("get", f"/{stem}/money_by_article", {}), ("get", f"/-/newsmine/article/{big['article_id']}", {}))
    cell = soup(html.text).select_one("td.col-value_eur span")
    assert cell.get_text() == euros_short(big["value_eur"]) and " Mrd. €" in cell.get_text()
    assert cell["title"] == f"{big['value_eur']} €"
    assert data.json()[0]["value_eur"] == big["value_eur"]  # the JSON keeps the exact number
    totals = soup(query.text).select("td.col-total_eur span")
    assert totals and all(re.fullmatch(r"[0-9.]+(,[0-9]+)?( Mio\.| Mrd\.)? €", s.get_text()) for s in totals)
    values = [td.get_text() for td in soup(article.text).select(".newsmine-side td.newsmine-eur")]
    assert any(v.startswith(euros_short(big["value_eur"])) for v in values), values


def test_entity_page_lists_mentions_aliases_roles_cooccurrence_and_timeline(db_path):
    person = rows(db_path, """SELECT e.id, e.name, e.aliases, count(*) AS n FROM entities e
        JOIN mentions m ON m.entity_id = e.id JOIN roles r ON r.entity_id = e.id
        WHERE e.label = 'PER' AND e.aliases != '[]' GROUP BY e.id ORDER BY n DESC LIMIT 1""")[0]
    resp = get(db_path, f"/-/newsmine/entity/{person['id']}")
    assert resp.status_code == 200
    doc = soup(resp.text)
    assert person["name"] in doc.find(id="entity-name").get_text()
    assert {li.get_text() for li in doc.select("#aliases li")} == set(json.loads(person["aliases"]))
    mentions = rows(db_path, "SELECT m.*, a.published FROM mentions m JOIN articles a ON a.id = m.article_id "
                             "WHERE m.entity_id = ?", (person["id"],))
    items = doc.select("#mentions li")
    assert len(items) == len(mentions)
    assert sorted(li.find("mark").get_text() for li in items) == sorted(m["text"] for m in mentions)
    assert all(len(li.select_one(".snippet").get_text()) > len(li.find("mark").get_text()) + 20 for li in items)
    roles = {r["text"] for r in rows(db_path, "SELECT text FROM roles WHERE entity_id = ?", (person["id"],))}
    assert {tr.find("td").get_text() for tr in doc.select("#roles tbody tr")} == roles
    months = Counter((m["published"] or "")[:7] for m in mentions)
    shown = {tr.select_one(".month").get_text(): tr.find_all("td")[2].get_text() for tr in doc.select("#timeline tr")}
    assert {m: int(v.split()[0]) for m, v in shown.items()} == dict(months)
    articles = {m["article_id"] for m in mentions}
    expected = {r["entity_id"] for r in rows(
        db_path, f"SELECT DISTINCT entity_id FROM mentions WHERE article_id IN ({','.join(map(str, articles))}) "
                 "AND entity_id != ?", (person["id"],))}
    linked = {int(a["href"].rsplit("/", 1)[1]) for a in doc.select("#cooccurring a")}
    assert linked and linked <= expected and len(linked) == min(len(expected), 25)
    assert get(db_path, "/-/newsmine/entity/999999").status_code == 404
    assert get(db_path, "/-/newsmine/article/999999").status_code == 404


def test_article_and_entity_text_is_html_escaped(db_path):
    db = store.open_db(db_path)
    evil = '<script>alert("x")</script>'
    text = f"Bürgermeister <b>Kuno</b> {evil} sprach in Essen. Der Verein <img src=x onerror=alert(1)> e.V. zahlte 5 Euro."
    org = "<img src=x onerror=alert(1)> e.V."
    article_id = store.save_article(db, store.ArticleRecord(
        url="https://evil.example/a", title=f"Titel {evil}", text=text, authors=[evil],
        entities=[{"start": text.index("<b>Kuno</b>"), "end": text.index("<b>Kuno</b>") + 11, "label": "PER",
                   "text": "<b>Kuno</b>"},
                  {"start": text.index(org), "end": text.index(org) + len(org), "label": "ORG", "text": org}],
        money=[{"start": text.index("5 Euro"), "end": text.index("5 Euro") + 6, "text": "5 Euro", "value_eur": 5.0}]))
    entity_id = rows(db_path, "SELECT id FROM entities WHERE name = ?", (org,))[0]["id"]
    pages = [get(db_path, f"/-/newsmine/article/{article_id}"), get(db_path, f"/-/newsmine/entity/{entity_id}"),
             get(db_path, f"/{db_path.stem}/articles?id={article_id}")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>Kuno" not in page.text
        assert "&lt;script&gt;alert" in page.text or "&lt;img src=x" in page.text
    doc = soup(pages[0].text)
    assert doc.find(id="article-title").get_text() == f"Titel {evil}"
    assert doc.find(id="article-text").get_text() == text
    assert not doc.find(id="article-text").find_all(["script", "img", "b"])


def test_canned_queries_return_rows_and_count_right(db_path):
    db = store.open_db(db_path)
    store.save_page(db, url="https://example.org/weg", source=None, status=404, body=None, error="http 404")
    art = article_with_all_labels(db_path)
    first = rows(db_path, "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (art["id"],))[0]
    corrections.add_correction(db, art["id"], first["start"], first["end"], None, reviewer="t")
    name = review.QUERIES
    responses = fetch(db_path, *[("get", f"/{db_path.stem}/{q}.json?_shape=array", {}) for q in name])
    results = dict(zip(name, responses))
    for query, resp in results.items():
        assert resp.status_code == 200, (query, resp.text[:300])
        assert resp.json(), f"{query} returned no rows"
    assert results["failed_fetches"].json()[0]["url"] == "https://example.org/weg"
    assert results["corrections_log"].json()[0]["applied"] == 1
    # money by year equals `newsmine query money --year` for each year
    from pipeline import query as q

    for row in results["money_by_year"].json():
        amounts = q.money(db, year=row["year"], limit=100_000)
        assert row["amounts"] == len(amounts)
        assert row["total_eur"] == pytest.approx(sum(m["value_eur"] for m in amounts))
    # top people per month: the reviewed mention counts
    month_rows = results["top_entities_per_month"].json()
    top = month_rows[0]
    expected = rows(db_path, "SELECT count(*) AS n FROM mentions_reviewed m JOIN articles a ON a.id = m.article_id "
                             "WHERE m.entity_id = ? AND substr(a.published, 1, 7) = ?", (top["entity_id"], top["month"]))
    assert top["label"] == "PER" and top["mentions"] == expected[0]["n"]
    places = fetch(db_path, ("get", f"/{db_path.stem}/top_entities_per_month.json?_shape=array&label=LOC&month="
                                    f"{top['month']}", {}))[0].json()
    assert places and {r["label"] for r in places} == {"LOC"} and {r["month"] for r in places} == {top["month"]}


def test_cooccurrence_pairs_apply_corrections_exactly(db_path):
    """The pair counts (kept by triggers) plus the corrected articles' delta equal a brute-force count."""
    db = store.open_db(db_path)
    art = article_with_all_labels(db_path)
    ments = corrections.reviewed_mentions(db, art["id"])
    corrections.add_correction(db, art["id"], ments[0]["start"], ments[0]["end"], None)  # delete
    org = next(m for m in ments if m["label"] == "ORG")
    corrections.add_correction(db, art["id"], org["start"], org["end"], "LOC")  # relabel: another entity
    start, end, _ = free_words(db_path, art)
    corrections.add_correction(db, art["id"], start, end, "ORG")  # add: a new entity, new pairs
    per_article: dict[int, set[int]] = {}
    for r in db.query("SELECT article_id, entity_id FROM mentions_reviewed"):
        per_article.setdefault(r["article_id"], set()).add(r["entity_id"])
    expected = Counter(p for ids in per_article.values() for p in combinations(sorted(ids), 2))
    expected = {p: n for p, n in expected.items() if n >= 2}
    resp = get(db_path, f"/{db_path.stem}/cooccurrence_pairs.json?_shape=array")
    got = {(r["a_id"], r["b_id"]): r["articles"] for r in resp.json()}
    assert got == expected
    name = rows(db_path, "SELECT name FROM entities WHERE id = ?", (next(iter(expected))[0],))[0]["name"]
    filtered = get(db_path, f"/{db_path.stem}/cooccurrence_pairs.json?_shape=array&name={name}").json()
    assert filtered and all(name in (r["entity_a"], r["entity_b"]) for r in filtered)


def test_places_map_uses_local_tiles(db_path):
    meta = review.metadata("x")
    config = meta["plugins"]["datasette-cluster-map"]
    assert config["tile_layer"].startswith("/-/newsmine/tiles/")
    page = get(db_path, f"/{db_path.stem}/places_map")
    assert page.status_code == 200
    assert "datasette-cluster-map.js" in page.text and "/-/newsmine/tiles/{z}/{x}/{y}.png" in page.text
    assert "openstreetmap" not in page.text.lower()
    places = get(db_path, f"/{db_path.stem}/places_map.json?_shape=array").json()
    assert places and all(p["latitude"] and p["longitude"] for p in places)
    tile = get(db_path, "/-/newsmine/tiles/7/66/42.png")
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png"
    png = tile.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    idat_len = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41:41 + idat_len])
    assert (width, height) == (256, 256) and len(raw) == 256 * (1 + 3 * 256)


# --- corrections: permission, CSRF, validation ----------------------------------------


def test_writes_need_the_token(db_path, token):
    art = article_with_all_labels(db_path)
    m = rows(db_path, "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (art["id"],))[0]
    body = {"article_id": art["id"], "start": m["start"], "end": m["end"], "label": None, "text": m["text"]}
    url = "/-/newsmine/corrections"
    anonymous, wrong_bearer, wrong_cookie, bearer, again, meta = fetch(
        db_path,
        ("post", url, {"json": body}),
        ("post", url, {"json": body, "headers": {"Authorization": "Bearer " + TOKEN[:-1] + "x"}}),
        ("post", url, {"json": body, "cookies": {"newsmine_token": "nope" * 8}}),
        ("post", url, {"json": body, "headers": {"Authorization": f"Bearer {TOKEN}"}}),
        ("post", url, {"json": body, "headers": {"Authorization": f"Bearer {TOKEN}"}}),
        ("get", "/-/metadata.json", {}),
    )
    assert anonymous.status_code == 403 and wrong_bearer.status_code == 403 and wrong_cookie.status_code == 403
    assert bearer.status_code == 201, bearer.text
    assert bearer.json()["correction"]["action"] == "delete"
    assert again.status_code == 409  # the span is no entity any more
    assert TOKEN not in meta.text and "NEWSMINE_TOKEN" in meta.text
    stored = rows(db_path, "SELECT * FROM corrections")
    assert len(stored) == 1 and stored[0]["text"] == m["text"] and stored[0]["label"] is None


def test_without_a_configured_token_everything_is_read_only(db_path, monkeypatch):
    monkeypatch.delenv(review.TOKEN_ENV, raising=False)
    art = article_with_all_labels(db_path)
    resp = fetch(db_path, ("post", "/-/newsmine/corrections", {
        "json": {"article_id": art["id"], "start": 0, "end": 1, "label": "PER"},
        "headers": {"Authorization": f"Bearer {TOKEN}"}}))[0]
    assert resp.status_code == 403
    assert rows(db_path, "SELECT count(*) AS n FROM corrections")[0]["n"] == 0


def test_login_checks_the_token_sets_no_cookie_and_csrf_stays_on(db_path, token):
    art = article_with_all_labels(db_path)
    m = rows(db_path, "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (art["id"],))[0]
    body = {"article_id": art["id"], "start": m["start"], "end": m["end"], "label": "ORG" if m["label"] != "ORG"
            else "PER", "text": m["text"]}
    url = "/-/newsmine/corrections"

    async def go():
        ds = datasette(db_path)
        form = await ds.client.get("/-/newsmine/login?next=/-/newsmine/article/1")
        csrf = soup(form.text).find("input", attrs={"name": "csrftoken"})["value"]
        jar = {"ds_csrftoken": form.cookies["ds_csrftoken"]}
        wrong = await ds.client.post("/-/newsmine/login", data={"csrftoken": csrf, "token": "wrong"}, cookies=jar)
        no_csrf = await ds.client.post("/-/newsmine/login", data={"token": TOKEN}, cookies=jar)
        no_script = await ds.client.post("/-/newsmine/login", data={"csrftoken": csrf, "token": TOKEN}, cookies=jar)
        # what review.js sends: the token as Bearer, the name and next in JSON
        login = await ds.client.post("/-/newsmine/login", cookies=jar, headers={"Authorization": f"Bearer {TOKEN}"},
                                     json={"name": "Erika <b>", "next": "https://evil.example/"})
        page = await ds.client.get(f"/-/newsmine/article/{art['id']}", cookies=jar)
        reviewer = {"Authorization": f"Bearer {TOKEN}", "x-newsmine-reviewer": quote(login.json()["reviewer"])}
        cookie_only = await ds.client.post(url, json=body, cookies={**jar, "newsmine_token": TOKEN},
                                           headers={"x-csrftoken": jar["ds_csrftoken"]})
        with_bearer = await ds.client.post(url, json=body, cookies=jar, headers=reviewer)
        form_fields = {"article_id": str(art["id"]), "start": str(m["start"]), "end": str(m["end"]), "label": ""}
        form_without = await ds.client.post(url, data=form_fields, cookies=jar)
        form_csrf_only = await ds.client.post(url, data={**form_fields, "csrftoken": csrf}, cookies=jar)
        form_bearer = await ds.client.post(url, data=form_fields, cookies=jar, headers=reviewer)
        return (wrong, no_csrf, no_script, login, page, cookie_only, with_bearer, form_without, form_csrf_only,
                form_bearer)

    (wrong, no_csrf, no_script, login, page, cookie_only, with_bearer, form_without, form_csrf_only,
     form_bearer) = asyncio.run(go())
    assert wrong.status_code == 403 and "wrong token" in wrong.text
    assert no_csrf.status_code == 403  # Datasette's CSRF protection is on for the form
    assert no_script.status_code == 400 and "needs JavaScript" in no_script.text
    assert login.status_code == 200, login.text
    assert login.json() == {"ok": True, "reviewer": "Erika b", "next": "/"}  # no open redirect
    for response in (wrong, no_script, login):  # the token is never put in a cookie
        assert TOKEN not in str(response.headers.multi_items())
    # the page is the same for everyone; review.js shows the correction UI when its tab holds the token
    assert "review.js" in page.text and 'id="review-hint" hidden' in page.text and TOKEN not in page.text
    assert cookie_only.status_code == 403  # a cookie (even the old newsmine_token) authenticates nothing
    assert with_bearer.status_code == 201, with_bearer.text
    assert form_without.status_code == 403  # a cookie-bearing form without the csrftoken field: CSRF
    assert form_csrf_only.status_code == 403  # CSRF token but no write token
    assert form_bearer.status_code == 302 and form_bearer.headers["location"] == f"/-/newsmine/article/{art['id']}"
    stored = rows(db_path, "SELECT reviewer, action, label FROM corrections ORDER BY id")
    assert stored == [{"reviewer": "Erika b", "action": "relabel", "label": body["label"]},
                      {"reviewer": "Erika b", "action": "delete", "label": None}]


def test_add_correction_checks_its_input(db_path):
    db = store.open_db(db_path)
    art = article_with_all_labels(db_path)
    ments = corrections.reviewed_mentions(db, art["id"])
    m = ments[0]
    text = art["text"]
    start, end, wider_end = free_words(db_path, art)
    cases = [
        ((art["id"], m["start"], m["end"], "MISC"), {}, 400),
        ((999999, 0, 3, "PER"), {}, 404),
        ((art["id"], 5, len(text) + 1, "PER"), {}, 400),
        ((art["id"], "x", 3, "PER"), {}, 400),
        ((art["id"], m["start"], m["end"], "LOC" if m["label"] != "LOC" else "PER"), {"text": "anders"}, 409),
        ((art["id"], start - 1, end, "ORG"), {}, 400),  # starts with whitespace
        ((art["id"], start + 1, end, "ORG"), {}, 400),  # splits a word
        ((art["id"], start, end, None), {}, 409),  # nothing to delete there
        ((art["id"], m["start"], m["end"], m["label"]), {}, 409),  # no change
    ]
    for args, kwargs, status in cases:
        with pytest.raises(corrections.CorrectionError) as err:
            corrections.add_correction(db, *args, **kwargs)
        assert err.value.status == status, (args, str(err.value))
    assert db["corrections"].count == 0
    # a new span over a corrected one supersedes it (no overlapping spans remain)
    first = corrections.add_correction(db, art["id"], start, end, "ORG")
    assert first["action"] == "add"
    second = corrections.add_correction(db, art["id"], start, wider_end, "LOC")
    spans = [(x["start"], x["end"], x["label"]) for x in corrections.reviewed_mentions(db, art["id"])
             if x["origin"] == "review"]
    assert spans == [(start, wider_end, "LOC")]
    superseded = rows(db_path, "SELECT * FROM corrections WHERE note LIKE 'superseded%'")
    assert len(superseded) == 1 and superseded[0]["start"] == first["start"] and second["id"] < superseded[0]["id"]


# --- corrections: applied everywhere, kept across re-extraction, exported ------------


def _three_corrections(db_path: Path) -> dict:
    """Delete the first mention, relabel the first ORG as LOC, add a free word as ORG."""
    db = store.open_db(db_path)
    art = article_with_all_labels(db_path)
    ments = corrections.reviewed_mentions(db, art["id"])
    gone = ments[0]
    org = next(m for m in ments if m["label"] == "ORG" and m is not gone)
    start, end, _ = free_words(db_path, art)
    corrections.add_correction(db, art["id"], gone["start"], gone["end"], None, reviewer="t")
    corrections.add_correction(db, art["id"], org["start"], org["end"], "LOC", reviewer="t")
    corrections.add_correction(db, art["id"], start, end, "ORG", reviewer="t")
    db.conn.close()
    return {"article": art, "gone": (gone["start"], gone["end"]), "relabelled": (org["start"], org["end"]),
            "added": (start, end), "before": ments}


def _spans(entities: list[dict]) -> dict[tuple[int, int], str]:
    return {(e["start"], e["end"]): e["label"] for e in entities}


def test_corrections_apply_in_views_pages_and_cli_and_survive_reextract(db_path):
    c = _three_corrections(db_path)
    art = c["article"]
    expected = _spans(c["before"])
    del expected[c["gone"]]
    expected[c["relabelled"]] = "LOC"
    expected[c["added"]] = "ORG"
    view = rows(db_path, "SELECT start, \"end\", label FROM mentions_reviewed WHERE article_id = ?", (art["id"],))
    assert _spans(view) == expected

    cli = newsmine("query", "article", str(art["id"]), "--db", str(db_path), "--json")
    assert cli.returncode == 0, cli.stderr
    assert _spans(json.loads(cli.stdout)["entities"]) == expected

    page = soup(get(db_path, f"/-/newsmine/article/{art['id']}").text)
    shown = {(int(a["data-start"]), int(a["data-end"])): a["data-label"]
             for a in page.select("#article-text a.ent") if a["data-label"] != "MONEY"}
    assert shown == expected
    added = page.select_one(f'#article-text a[data-start="{c["added"][0]}"]')
    assert added["data-origin"] == "review" and "ent-reviewed" in added["class"]
    assert len(page.select("#corrections tbody tr")) == 3

    mention_ids = {r["id"] for r in rows(db_path, "SELECT id FROM mentions")}
    result = newsmine("reextract", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert not mention_ids & {r["id"] for r in rows(db_path, "SELECT id FROM mentions")}  # all rewritten
    view = rows(db_path, "SELECT start, \"end\", label FROM mentions_reviewed WHERE article_id = ?", (art["id"],))
    assert _spans(view) == expected

    # the article text changes under a correction: it is stale, reported, never misapplied
    con = sqlite3.connect(db_path)
    con.execute("UPDATE articles SET text = 'Neu: ' || text WHERE id = ?", (art["id"],))
    con.commit()
    con.close()
    applied = rows(db_path, "SELECT count(*) AS n FROM corrections_effective")[0]["n"]
    assert applied == 0
    log = get(db_path, f"/{db_path.stem}/corrections_log.json?_shape=array").json()
    assert [r["applied"] for r in log] == [0, 0, 0]


def test_corrections_follow_the_article_url_when_it_is_stored_again(db_path):
    c = _three_corrections(db_path)
    art = c["article"]
    before = rows(db_path, 'SELECT start, "end", label, origin FROM mentions_reviewed WHERE article_id = ? '
                           "ORDER BY start", (art["id"],))
    con = sqlite3.connect(db_path)
    url, = con.execute("SELECT url FROM articles WHERE id = ?", (art["id"],)).fetchone()
    kept = [dict(zip(("start", "end", "label", "text"), r)) for r in con.execute(
        'SELECT start, "end", label, text FROM mentions WHERE article_id = ? ORDER BY start', (art["id"],))]
    for table in ("mentions", "money", "roles", "quotes"):
        con.execute(f"DELETE FROM {table} WHERE article_id = ?", (art["id"],))
    con.execute("DELETE FROM articles WHERE id = ?", (art["id"],))
    con.commit()
    con.close()
    assert rows(db_path, "SELECT count(*) AS n FROM corrections WHERE article_id IS NOT NULL")[0]["n"] == 0
    db = store.open_db(db_path)
    new_id = store.save_article(db, store.ArticleRecord(url=url, title=art["title"], text=art["text"],
                                                        entities=kept))
    assert new_id != art["id"]
    after = rows(db_path, 'SELECT start, "end", label, origin FROM mentions_reviewed WHERE article_id = ? '
                          "ORDER BY start", (new_id,))
    assert after == before


def test_export_corrections_gives_training_data_with_the_corrected_spans(db_path, tmp_path):
    from spacy.tokens import DocBin

    from pipeline.training.train import TrainSpec, prepare_data

    c = _three_corrections(db_path)
    out = tmp_path / "corrections.jsonl"
    result = newsmine("export-corrections", "--db", str(db_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == c["article"]["text"]
    spans = {(s, e): label for s, e, label in record["entities"]}
    assert c["gone"] not in spans and spans[c["relabelled"]] == "LOC" and spans[c["added"]] == "ORG"
    assert len(spans) == len(c["before"]) + 1 - 1  # one deleted, one added, the rest kept
    ends = sorted(record["entities"])
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))  # no overlaps

    spacy_out = tmp_path / "corrections.spacy"
    assert newsmine("export-corrections", "--db", str(db_path), "--out", str(spacy_out)).returncode == 0

    # `newsmine train --extra-data`: the reviewed article becomes training docs with the corrected entities
    shared = tmp_path / "shared"
    (shared / "germeval2014").mkdir(parents=True)
    for name in ("NER-de-train.outer.tsv", "NER-de-dev.outer.tsv"):
        (shared / "germeval2014" / name).write_text("Sören\tB-PER\nLink\tI-PER\nsprach\tO\n\n", encoding="utf-8")
    spec = TrainSpec(shared=shared, workdir=tmp_path / "work", extra_data=[out, spacy_out], extra_repeat=2)
    for flag in ("use_smartdata", "use_mobie", "use_corpus"):  # GermEval (faked above) + the extra data only
        setattr(spec, flag, False)
    train_path, _, counts = prepare_data(spec)
    assert counts["extra-corrections.jsonl"] == 1 and counts["extra-corrections.spacy"] == 1
    import spacy

    docs = list(DocBin().from_disk(train_path / "base.spacy").get_docs(spacy.blank("de").vocab))
    reviewed = [d for d in docs if d.text == record["text"]]
    assert len(reviewed) == 4  # two files, repeated twice
    for doc in reviewed:
        got = {(e.start_char, e.end_char): e.label_ for e in doc.ents}
        # a span that ends inside a token (the number of "am Mühlenweg 21." is the token "21.")
        # covers the whole token in training data, as corpus.py aligns the gold files
        aligned = {}
        for (start, end), label in spans.items():
            span = doc.char_span(start, end, alignment_mode="expand")
            aligned[(span.start_char, span.end_char)] = label
        assert got == aligned
        assert all(doc.text[s:e].startswith(doc.text[s2:e2]) for (s, e), (s2, e2) in zip(sorted(got), sorted(spans)))


def test_train_cli_rejects_bad_extra_data(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Essen", "entities": [[0, 9, "LOC"]]}\n', encoding="utf-8")
    shared = tmp_path / "shared"
    (shared / "germeval2014").mkdir(parents=True)
    result = newsmine("train", "--extra-data", str(bad), "--shared", str(shared), "--baseline")
    assert result.returncode != 0 and "bad span" in result.stderr and "Traceback" not in result.stderr


# --- newsmine serve ---------------------------------------------------------------------


def test_serve_binds_localhost_prints_a_token_and_accepts_it(db_path):
    proc, base, token = start_serve(db_path)
    try:
        assert token and len(token) >= 40
        art = article_with_all_labels(db_path)
        m = rows(db_path, "SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (art["id"],))[0]
        body = {"article_id": art["id"], "start": m["start"], "end": m["end"], "label": None}
        assert httpx.post(base + "/-/newsmine/corrections", json=body).status_code == 403
        ok = httpx.post(base + "/-/newsmine/corrections", json=body, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 201, ok.text
        assert token not in httpx.get(base + "/-/metadata.json").text
        queries = httpx.get(base + f"/{db_path.stem}.json").json()["queries"]
        assert {q["name"] for q in queries} == set(review.QUERIES)
    finally:
        stop_serve(proc)
    assert rows(db_path, "SELECT action FROM corrections") == [{"action": "delete"}]
    # --read-only: no token at all
    proc, base, token = start_serve(db_path, "--read-only")
    try:
        assert token is None
        assert httpx.get(base + "/-/newsmine/login").text.count("read-only") >= 1
    finally:
        stop_serve(proc)
