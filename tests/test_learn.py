"""`newsmine learn` (#25): reviewers' corrections teach the model, never making it worse elsewhere.

A site's articles name an organisation the shipped model does not know (``Tannhauser Runde``: missed
in every sentence below). A reviewer marks it ORG in four articles through the review server; `newsmine
learn` (its defaults: a learn takes a few seconds with so little to learn from) writes a new model;
`newsmine reextract --model` then finds the organisation in a fifth article nobody corrected, and the
review page says which model found it. A reviewer who makes every place an organisation gets a refusal
in one line with the figures, and the current model stays as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from serving import TOKEN, datasette, rows, soup
from sites import copy_database

from pipeline import review, store
from pipeline.cli import cli as newsmine_cli
from pipeline.nlp.model import DEFAULT_MODEL, load

NAME = "Tannhauser Runde"
SOURCE = "rundbrief"
BASE_URL = "https://www.rundbrief.example/artikel"
REVIEWED = [
    "Die Tannhauser Runde hat am Montag in Duisburg neue Pläne für den Stadtpark vorgestellt. "
    "Oberbürgermeister Sören Link begrüßte den Vorschlag.",
    "Wie die Tannhauser Runde mitteilte, beginnen die Arbeiten an der Brücke in Essen im Mai. "
    "Die Stadt Essen zahlt dafür 2,5 Millionen Euro.",
    "Der Vorstand der Tannhauser Runde kündigte an, die Beiträge im kommenden Jahr zu erhöhen. "
    "Die Mitglieder treffen sich dazu in Oberhausen.",
    "Die Tannhauser Runde hat am Freitag in Bochum einen Wettbewerb für junge Musiker ausgeschrieben. "
    "Die Sieger treten im Herbst im Schauspielhaus auf.",
]
UNREVIEWED = ("Die Tannhauser Runde hat am Dienstag in Mülheim ein Konzept für den Hafen vorgestellt. "
              "Die Politik will im Sommer darüber beraten.")


def newsmine(*args: str) -> subprocess.CompletedProcess:
    """`newsmine ARGS` in this process (click's CliRunner) as a finished process; an exception that
    escaped the command (a traceback in a real process) fails the test here."""
    result = CliRunner().invoke(newsmine_cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(["newsmine", *args], result.exit_code, result.stdout, result.stderr)


def _page(title: str, text: str, url: str) -> bytes:
    return (f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>{title}</title>"
            f"<link rel='canonical' href='{url}'></head><body><main><article><h1>{title}</h1><p>{text}</p>"
            "</article></main></body></html>").encode()


def _tree_digest(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _name_mentions(db_path: Path, url: str) -> list[dict]:
    return rows(db_path, 'SELECT m.start, m."end", m.label, m.model, a.id AS article_id FROM mentions m '
                         "JOIN articles a ON a.id = m.article_id WHERE a.url = ? AND m.text = ?", (url, NAME))


def _post_corrections(db_path: Path, bodies: list[dict]) -> list:
    """Corrections through the review server's write path (Datasette's test client, the write token)."""
    async def go():
        ds = datasette(db_path)
        return [await ds.client.post("/-/newsmine/corrections", json=body,
                                     headers={"Authorization": f"Bearer {TOKEN}"}) for body in bodies]

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(review.TOKEN_ENV, TOKEN)
        return asyncio.run(go())


@pytest.fixture(scope="module")
def site_db(demo_db, nlp, tmp_path_factory) -> Path:
    """The demo database plus five stored articles of a site that names the organisation (processed by the
    shipped model: it misses the name in all of them); no corrections yet. Tests copy it."""
    from pipeline import run
    from pipeline.nlp.model import model_info

    path = copy_database(demo_db, tmp_path_factory.mktemp("learn") / "site.db")
    db = store.open_db(path)
    store.upsert_source(db, SOURCE, "urls", None)
    for i, text in enumerate([*REVIEWED, UNREVIEWED]):
        url = f"{BASE_URL}/{i}.html"
        store.save_page(db, url=url, source=SOURCE, status=200, body=_page(f"Rundbrief {i}", text, url), final_url=url)
    run.process_pending(db, nlp, model_info(nlp).tag, run.RunStats())
    db.conn.close()
    for i in range(len(REVIEWED) + 1):
        assert all(m["label"] != "ORG" for m in _name_mentions(path, f"{BASE_URL}/{i}.html")), \
            "the shipped model already finds the name: pick another one"
    return path


def _copy(site_db: Path, tmp_path: Path) -> Path:
    return copy_database(site_db, tmp_path / "newsmine.db")


def _articles(db_path: Path) -> dict[str, dict]:
    return {r["url"]: r for r in rows(db_path, "SELECT id, url, text FROM articles WHERE url LIKE ?",
                                      (BASE_URL + "/%",))}


def test_corrections_through_the_review_server_teach_the_model(site_db, tmp_path):
    db_path = _copy(site_db, tmp_path)
    base_digest = _tree_digest(DEFAULT_MODEL)
    articles = _articles(db_path)
    bodies = []
    for i in range(len(REVIEWED)):
        art = articles[f"{BASE_URL}/{i}.html"]
        start = art["text"].index(NAME)
        bodies.append({"article_id": art["id"], "start": start, "end": start + len(NAME), "label": "ORG", "text": NAME})
    responses = _post_corrections(db_path, bodies)
    assert [r.status_code for r in responses] == [201] * len(REVIEWED), [r.text for r in responses]

    out = tmp_path / "learned"
    result = newsmine("learn", "--db", str(db_path), "--out", str(out), "--germeval-limit", "500", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "F1 before -> after: held-out reviewed" in result.stdout and "GermEval dev" in result.stdout
    assert f"{NAME} (ORG)" in result.stdout  # the name list learned it too
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == "0.3.4+learn.1"
    prov = meta["newsmine_learn"]
    assert prov["reviewed_articles"] == len(REVIEWED) and prov["corrections"] == len(REVIEWED)
    assert prov["database"] == str(db_path) and prov["base"]["version"] == "0.3.4" and prov["seed"] == 0
    assert prov["after"]["reviewed"] > prov["before"]["reviewed"]
    assert ["ORG", NAME] in prov["names_added"]
    assert "learned from reviews" in (out / "README.md").read_text(encoding="utf-8")
    assert _tree_digest(DEFAULT_MODEL) == base_digest  # the current model is only read

    # re-extract with the new model: the article nobody corrected now has the organisation
    unreviewed = f"{BASE_URL}/{len(REVIEWED)}.html"
    result = newsmine("reextract", "--db", str(db_path), "--model", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    found = _name_mentions(db_path, unreviewed)
    assert [(m["label"], m["model"]) for m in found] == [("ORG", "de_news@0.3.4+learn.1")]
    start = UNREVIEWED.index(NAME)
    assert (found[0]["start"], found[0]["end"]) == (start, start + len(NAME))
    learned = load(out)
    with learned.select_pipes(disable=["known_names"]):  # the ner's weights learned it, not only the list
        assert (NAME, "ORG") in [(e.text, e.label_) for e in learned(UNREVIEWED).ents]

    # the review page says which model produced each mention
    async def page():
        return await datasette(db_path).client.get(f"/-/newsmine/article/{found[0]['article_id']}")

    doc = soup(asyncio.run(page()).text)
    [link] = doc.select(f'#article-text a[data-start="{start}"]')
    assert link.get_text() == NAME and link["data-label"] == "ORG"
    assert link["data-model"] == "de_news@0.3.4+learn.1" and link["title"].endswith("· model de_news@0.3.4+learn.1")
    assert "mentions by de_news@0.3.4+learn.1" in doc.select_one(".newsmine-side").get_text(" ", strip=True)


def test_learn_refuses_an_update_that_makes_the_general_sets_worse(site_db, tmp_path):
    """A reviewer who marks every place of every article as an organisation: the held-out reviewed
    articles get "better", GermEval dev and corpus dev get worse; learn refuses in one line, exit 1."""
    db_path = _copy(site_db, tmp_path)
    base_digest = _tree_digest(DEFAULT_MODEL)
    bodies = [{"article_id": m["article_id"], "start": m["start"], "end": m["end"], "label": "ORG", "text": m["text"]}
              for m in rows(db_path, 'SELECT article_id, start, "end", text FROM mentions WHERE label = ? '
                                     "ORDER BY article_id, start", ("LOC",))]
    assert len(bodies) >= 50
    responses = _post_corrections(db_path, bodies)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201][:3]

    out = tmp_path / "learned"
    # the first 500 GermEval dev sentences: this test is about the refusal, not the figure;
    # relabelling every place costs about 27 points there either way
    result = newsmine("learn", "--db", str(db_path), "--out", str(out), "--rehearsal", "0", "--germeval-limit", "500",
                      "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == "", result.stdout + result.stderr
    assert lines[0].startswith("Error: kept the current model: worse on GermEval dev and corpus dev"), lines[0]
    assert "held-out reviewed" in lines[0] and "GermEval dev" in lines[0] and "corpus dev" in lines[0]
    assert not out.exists() and not list(tmp_path.glob(".learned*"))
    assert _tree_digest(DEFAULT_MODEL) == base_digest


def test_learn_needs_reviewed_articles_and_never_writes_over_a_model(site_db, tmp_path):
    db_path = _copy(site_db, tmp_path)
    result = newsmine("learn", "--db", str(db_path), "--quiet")
    assert result.returncode == 1 and "no reviewed articles" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_split_versions_and_default_folder(tmp_path):
    from pipeline.training.learn import default_out, learned_version, split_reviewed, verdict

    records = [{"url": f"https://x.example/{i}"} for i in range(40)]
    trained, held = split_reviewed(records)
    assert 5 <= len(held) <= 15 and len(trained) + len(held) == 40
    assert split_reviewed(list(reversed(records)))[1] == held  # by URL hash, not order
    assert len(split_reviewed(records[:2])[1]) == 1
    assert learned_version("0.3.4") == "0.3.4+learn.1" and learned_version("0.3.4+learn.1") == "0.3.4+learn.2"
    (tmp_path / "de_news-learned-1").mkdir()
    assert default_out(tmp_path / "de_news", "0.3.4+learn.1") == tmp_path / "de_news-learned-2"
    before = {"reviewed": 0.8, "germeval": 0.76, "corpus": 0.96}
    assert verdict(before, {**before, "reviewed": 0.9, "germeval": 0.756}, 0.005)[0]
    assert not verdict(before, {**before, "reviewed": 0.9, "corpus": 0.95}, 0.005)[0]
    assert not verdict(before, before, 0.005)[0]
