"""Generate a benchmark database of German regional news pages (raw HTML), and process it.

    .venv/bin/python bench/make_db.py --articles 10000 --db build/bench/10k.db [--pages-only] [--workers 2]

Writes ``--articles`` pages into ``pages`` (gzip HTML, as a fetch would store them) under five
fictional NRW sites. Without ``--pages-only`` it then runs ``newsmine reextract --workers N`` on
them, so a fully populated database (articles, entities, mentions, money, roles, quotes, FTS)
exists, e.g. for canned-query timings.

The pages are deterministic for a seed (``--seed``, no clock). Every article is assembled from a
topic skeleton of ``bench/extraction/make_pages.py`` (fire, council, traffic, football, culture,
police, business ...) plus 10-28 sentences drawn from a combinatorial grammar (people with roles and
parties, ~60 NRW towns and districts, organisations, euro amounts in many notations, quotes),
rendered in one of the eight CMS layouts of the extraction benchmark. The texts differ enough that
SimHash near-duplicate detection (``pipeline/dedup.py``) keeps them apart: ``--check`` reports
the closest pair in a sample.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "extraction"))

import make_pages as mp  # noqa: E402  (bench/extraction/make_pages.py: topics and layouts)

from pipeline import store  # noqa: E402

SEED = 20261130
SITES = [  # name, host, layouts used by the site
    ("rheinruhr-anzeiger", "www.rheinruhr-anzeiger.example", "ABG"),
    ("niederrhein-post", "www.niederrhein-post.example", "BCD"),
    ("revier-kurier", "www.revier-kurier.example", "ACE"),
    ("stadtanzeiger-nrw", "www.stadtanzeiger-nrw.example", "FH"),
    ("lokalblog-ruhr", "lokalblog-ruhr.example", "HB"),
]
TOWNS = {
    "Duisburg": ["Marxloh", "Hochfeld", "Rheinhausen", "Walsum", "Homberg", "Neudorf", "Ruhrort", "Meiderich"],
    "Essen": ["Rüttenscheid", "Steele", "Altenessen", "Kettwig", "Borbeck", "Frohnhausen", "Werden"],
    "Düsseldorf": ["Bilk", "Oberkassel", "Benrath", "Gerresheim", "Flingern", "Kaiserswerth", "Eller"],
    "Köln": ["Ehrenfeld", "Nippes", "Kalk", "Porz", "Deutz", "Sülz", "Chorweiler", "Mülheim"],
    "Bochum": ["Wattenscheid", "Langendreer", "Weitmar", "Gerthe", "Linden"],
    "Dortmund": ["Hörde", "Aplerbeck", "Eving", "Huckarde", "Mengede", "Scharnhorst"],
    "Oberhausen": ["Sterkrade", "Osterfeld", "Alstaden", "Schmachtendorf"],
    "Mülheim an der Ruhr": ["Styrum", "Saarn", "Dümpten", "Heißen", "Speldorf"],
    "Gelsenkirchen": ["Buer", "Ückendorf", "Erle", "Horst", "Schalke"],
    "Krefeld": ["Uerdingen", "Fischeln", "Hüls", "Bockum"],
    "Moers": ["Repelen", "Kapellen", "Asberg", "Scherpenberg"],
    "Wesel": ["Büderich", "Flüren", "Blumenkamp", "Obrighoven"],
    "Dinslaken": ["Hiesfeld", "Lohberg", "Eppinghoven"],
    "Bottrop": ["Kirchhellen", "Fuhlenbrock", "Eigen"],
    "Herne": ["Wanne", "Eickel", "Sodingen"],
    "Hagen": ["Haspe", "Hohenlimburg", "Boele"],
    "Wuppertal": ["Elberfeld", "Barmen", "Vohwinkel", "Ronsdorf"],
    "Neuss": ["Grimlinghausen", "Holzheim", "Norf"],
    "Recklinghausen": ["Suderwich", "Hillerheide", "Speckhorn"],
    "Kleve": ["Kellen", "Materborn", "Rindern"],
}
FIRST = ["Anna", "Jörg", "Sabine", "Mehmet", "Claudia", "Thomas", "Ayşe", "Frank", "Petra", "Dirk", "Katrin",
         "Stefan", "Monika", "Lukas", "Ursula", "Kemal", "Birgit", "Jan", "Henrike", "Matthias", "Elif", "Bernd",
         "Svenja", "Christoph", "Gabriele", "Hakan", "Martina", "Volker", "Nadine", "Reinhard", "Yvonne",
         "Tobias", "Dorothee", "Wolfgang", "Leonie", "Sebastian", "Karin", "Ralf", "Jasmin", "Holger"]
LAST = ["Schmidt", "Kowalski", "Yilmaz", "Hoffmann", "Brüggemann", "Wienand", "Becker", "Lehmkuhl", "Schulte",
        "Özdemir", "Hagedorn", "Terhorst", "Nowak", "Peters", "Krämer", "Bergmann", "Szymański", "Rademacher",
        "Reinartz", "Brinkhaus", "Kaya", "Lindemann", "Overbeck", "Tenhagen", "Wißmann", "Janßen", "Pohlmann",
        "Kerkhoff", "Demir", "Holtkamp", "Vogelsang", "Große-Brauckmann", "Aydın", "Sommerfeld", "Küppers",
        "Wolters", "Heitkamp", "Baumann", "Trappmann", "Lueg"]
ROLES = ["Oberbürgermeister", "Kämmerer", "Baudezernent", "Stadtdirektor", "Landrat", "Bezirksbürgermeister",
         "Fraktionsvorsitzende", "Schuldezernentin", "Ordnungsdezernent", "Sozialdezernentin", "Ratsherr",
         "Ratsfrau", "Geschäftsführer", "Vorstandschef", "Polizeisprecher", "Stadtsprecherin", "Landtagsabgeordnete",
         "Planungsdezernent", "Kreisdirektorin", "Feuerwehrchef"]
PARTIES = ["SPD", "CDU", "Grüne", "FDP", "Linke", "Freie Wähler"]
ORGS_CITY = ["Stadtwerke {t}", "Sparkasse {t}", "Wirtschaftsbetriebe {t}", "Feuerwehr {t}", "Volkshochschule {t}",
             "Stadtbibliothek {t}", "Zoo {t}", "Theater {t}", "Jobcenter {t}", "Caritasverband {t}"]
ORGS = ["Bezirksregierung Düsseldorf", "Bezirksregierung Münster", "Ruhrverband", "Emschergenossenschaft",
        "Lippeverband", "IHK Niederrhein", "IHK zu Essen", "Universität Duisburg-Essen", "Ruhr-Universität Bochum",
        "Deutsche Bahn", "Ruhrbahn", "DVG", "Bogestra", "Verkehrsverbund Rhein-Ruhr", "Landschaftsverband Rheinland",
        "Regionalverband Ruhr", "Thyssenkrupp", "Evonik", "RWE", "Vonovia", "Verbraucherzentrale NRW",
        "Arbeiterwohlfahrt", "Diakonie Rheinland", "Deutscher Gewerkschaftsbund", "Handwerkskammer Düsseldorf",
        "NRW.Bank", "Landesbetrieb Straßen.NRW", "Ministerium für Heimat, Kommunales, Bau und Digitalisierung",
        "Technisches Hilfswerk", "Deutsches Rotes Kreuz", "Westdeutscher Rundfunk", "Gebag", "Allbau",
        "Hafen Duisburg AG", "Messe Essen", "Klinikum Westfalen", "Helios-Klinikum", "Emschertal-Museum"]
THINGS = ["die Sanierung der Gesamtschule", "den Neubau der Feuerwache", "das neue Hallenbad",
          "den Ausbau des Radwegs am Kanal", "die Modernisierung des Hauptbahnhofs", "die Erweiterung der Kita",
          "den Umbau des Marktplatzes", "die neue Stadtteilbibliothek", "die Sanierung der Rheinbrücke",
          "den Glasfaserausbau", "das Quartierszentrum", "die Renaturierung des Bachlaufs",
          "die Verlängerung der Straßenbahnlinie", "den Bau von Sozialwohnungen", "die Photovoltaikanlagen auf Schulen",
          "das Sportzentrum", "die Entsiegelung des Schulhofs", "den Lärmschutzwall an der Autobahn",
          "die digitale Ausstattung der Grundschulen", "die Umgestaltung der Fußgängerzone"]
STATEMENTS = ["Wir haben lange darauf gewartet", "Das ist ein wichtiges Signal für den ganzen Stadtteil",
              "So kann es nicht weitergehen", "Wir werden das sehr genau prüfen",
              "Die Menschen hier haben ein Recht auf Klarheit", "Ohne das Land wäre das nicht zu stemmen",
              "Wir liegen im Zeitplan, aber die Kosten machen uns Sorgen", "Das hat uns alle überrascht",
              "Ich bin froh, dass wir endlich eine Lösung gefunden haben", "Da ist noch viel Luft nach oben",
              "Wir brauchen jetzt schnelle Entscheidungen", "Das Geld ist gut angelegt",
              "Niemand soll am Ende auf der Strecke bleiben", "Wir lassen uns nicht unter Druck setzen"]
VERBS_SAY = ["sagte", "betonte", "erklärte", "kritisierte", "sagte am Rande der Sitzung", "teilte mit"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]
# "[a|b|c]" picks one alternative, "{slot}" is filled anew for every sentence
GRAMMAR = [
    "{role} {per} ({party}) [kündigte|gab|machte öffentlich] am {wd} in {town} [an|bekannt], dass für {thing} {amt} "
    "[bereitstehen|eingeplant sind|zur Verfügung stehen].",
    "Nach [Angaben|Berechnungen|Schätzungen] der {org} kostet der [erste|zweite|letzte] Bauabschnitt in {town}-{dist} {amt}.",
    "„{stmt}“, {say} {per} [bei einem Termin im Rathaus von {town}|am Rande der Ratssitzung|vor Journalisten in {dist}].",
    "Die {org} [rechnet inzwischen mit|geht mittlerweile von] Kosten von {amt} [aus|], ursprünglich waren {amt2} veranschlagt.",
    "[Kritik kommt|Widerspruch kam|Scharfe Worte kamen] von {per}, {role} der {party}: Die Verwaltung in {town} habe "
    "[die Risiken|die Mehrkosten|die Probleme] zu spät [offengelegt|eingeräumt|kommuniziert].",
    "Das Land stellt über die {org} [Fördermittel|Zuschüsse|Landesmittel] in Höhe von {amt} für {thing} zur Verfügung.",
    "[Anwohnerinnen und Anwohner|Eltern|Geschäftsleute|Vereine] in {dist} hatten sich bereits im {month} "
    "[mit einem Brief|mit einer Unterschriftenliste|per E-Mail] an {per} gewandt.",
    "Der [Rat der Stadt {town}|Hauptausschuss in {town}|Kreistag] soll im {month} über die Vorlage entscheiden, "
    "[teilte|sagte|bestätigte] {role} {per} [mit|].",
    "Bis zum Baubeginn müsse die {org} noch [mehrere Gutachten|ein Lärmgutachten|eine Umweltprüfung] vorlegen, "
    "[erklärte|betonte] {per} ({party}).",
    "Für [die Planung|die Gutachten|die Vorarbeiten] allein hat die Stadt {town} bereits {amt} ausgegeben.",
    "{per} von der {org} sprach von einem „{stmt2}“.",
    "Die Arbeiten an der {street} in {dist} sollen im {month} {year} beginnen und [rund|etwa|voraussichtlich] {n} Monate dauern.",
    "Insgesamt fließen {amt} in {thing}, davon trägt die {org} [knapp|gut|rund] ein [Drittel|Viertel|Fünftel].",
    "Mehr als {n}00 Menschen kamen am {wd}abend zur [Bürgerversammlung|Informationsveranstaltung|Einwohnerfragestunde] "
    "[in die Aula an der {street}|ins Gemeindezentrum {dist}|in die Stadthalle {town}].",
    "„{stmt}“, sagte {per}, der als {role} seit {n} Jahren für die {party} [im Rat sitzt|Politik macht|aktiv ist].",
    "Die Opposition um {per} ({party}) hält die Summe von {amt} für [deutlich zu hoch gegriffen|nicht belastbar|unseriös].",
    "Ein [Sprecher|Sprecherin|Vertreter] der {org} bestätigte am {wd}, dass sich [die Fertigstellung|der Umzug|die Eröffnung] "
    "bis {year} verzögert.",
    "Schon {year2} hatte die {org} in {town} {amt} in ein [ähnliches Projekt|vergleichbares Vorhaben|Pilotprojekt] investiert.",
    "Die Kosten pro [Haushalt|Einwohner|Familie] liegen nach Berechnungen der {org} bei etwa {small} Euro im Jahr.",
    "{role} {per} aus {town} will das Thema in der nächsten Sitzung des [Bauausschusses|Schulausschusses|"
    "Finanzausschusses|Umweltausschusses] ansprechen.",
    "In {dist} und im benachbarten {town2} hatten zuletzt {n}.{m}00 Menschen eine [Petition|Online-Petition|Resolution] "
    "unterschrieben.",
    "Zwischen {town} und {town2} gibt es seit [Jahren|Monaten|langem] Streit darüber, wer für {thing} aufkommt.",
    "Die {org} und die {org2} wollen bis Ende {year} [ein gemeinsames Konzept|einen Zeitplan|eine Machbarkeitsstudie] vorlegen.",
    "Laut {per}, {role} bei der {org}, fehlen derzeit rund {n}0 [Fachkräfte|Erzieherinnen|Busfahrer|Pflegekräfte].",
    "Wie die {org} am {wd} mitteilte, wurden bislang {amt} [abgerufen|ausgezahlt|verbaut].",
    "Der Förderbescheid über {amt} wurde am {wd} von {per} ({party}) in {town} [überreicht|übergeben].",
    "[Ab|Seit] {month} [gilt|läuft] in {dist} ein [Probebetrieb|Modellversuch|neues Konzept], das die {org} "
    "mit {amt} [unterstützt|fördert|finanziert].",
    "{per} [leitet|koordiniert|verantwortet] das Projekt für die {org}, [nachdem|seit] {per2} im {month} "
    "[nach {town2} gewechselt ist|in den Ruhestand gegangen ist|die Leitung abgegeben hat].",
    "Auf der {street} in {dist} kam es am {wd} [zu einem Unfall|zu langen Staus|zu einem Polizeieinsatz], "
    "[berichtete|meldete] die {org}.",
    "[Nach Einschätzung|Aus Sicht] von {role} {per} reichen {amt} [nicht aus|kaum aus|bei weitem nicht].",
    "Die Sparkasse {town} [unterstützt|fördert] [den Verein|die Initiative|das Festival] in {dist} mit {amt}.",
    "Im {month} [stellt|präsentiert] {per} die [Pläne|Entwürfe|Ergebnisse] im [Bürgerbüro|Rathaus|Stadtteilzentrum] {dist} vor.",
]
AMOUNT_FORMS = [
    lambda r: f"{r.randint(1, 99)},{r.randint(1, 9)} Millionen Euro",
    lambda r: f"rund {r.randint(2, 950)}.000 Euro",
    lambda r: f"{r.randint(2, 180)} Mio. Euro",
    lambda r: f"knapp {r.randint(11, 99)}.{r.randint(1, 9)}00 Euro",
    lambda r: f"zwischen {(a := r.randint(2, 9))} und {a + r.randint(1, 5)} Millionen Euro",
    lambda r: f"etwa {r.randint(1, 9)},{r.randint(1, 9)} Milliarden Euro",
    lambda r: f"{r.randint(10, 990)}.000 €",
    lambda r: f"mehr als {r.randint(2, 40)} Millionen Euro",
    lambda r: f"{r.randint(100, 999)}.{r.randint(100, 999)} Euro",
]


_ALT = re.compile(r"\[([^\]]*)\]")


def _person(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def sentence(r: random.Random, town: str, dist: str) -> str:
    """One sentence of the grammar, every slot drawn anew."""
    town2 = r.choice([t for t in TOWNS if t != town])
    org_pool = ORGS + [o.format(t=town) for o in ORGS_CITY]
    org, org2 = r.sample(org_pool, 2)
    slots = {"role": r.choice(ROLES), "per": _person(r), "party": r.choice(PARTIES), "wd": r.choice(mp.WEEKDAYS[:5]),
             "town": town, "town2": town2, "dist": dist, "thing": r.choice(THINGS), "amt": r.choice(AMOUNT_FORMS)(r),
             "amt2": r.choice(AMOUNT_FORMS)(r), "org": org, "org2": org2, "stmt": r.choice(STATEMENTS),
             "stmt2": r.choice(STATEMENTS).split(",")[0], "say": r.choice(VERBS_SAY), "month": r.choice(MONTHS),
             "street": r.choice(mp.STREETS), "year": r.randint(2026, 2031), "year2": r.randint(2015, 2025),
             "n": r.randint(2, 40), "m": r.randint(1, 9), "small": r.randint(12, 480)}
    slots["per2"] = _person(r)
    template = _ALT.sub(lambda m: r.choice(m.group(1).split("|")), r.choice(GRAMMAR))
    text = " ".join(template.format(**slots).split()).replace(" ,", ",")
    return text[0].upper() + text[1:]


def make_story(r: random.Random, i: int) -> dict:
    """A story dict as ``make_pages`` layouts expect it, with a varied text."""
    town = r.choice(list(TOWNS))
    dist = r.choice(TOWNS[town])
    names = [_person(r) for _ in range(4)]
    s = {"city": town, "district": dist, "street": r.choice(mp.STREETS), "street2": r.choice(mp.STREETS),
         "p1": names[0], "p2": names[1], "p3": names[2], "p4": names[3], "n1": r.randint(2, 9),
         "n2": r.randint(2, 9), "n3": r.randint(11, 19), "n4": r.randint(3, 9), "wd": r.choice(mp.WEEKDAYS[:5]),
         "wd2": r.choice(mp.WEEKDAYS[:5]), "club": mp.CLUBS.get(town, f"der SV {town}")}
    topic = r.choice(list(mp.TOPICS))
    t = mp.TOPICS[topic]
    v = r.randint(0, 1)
    title = mp._fmt(t["titles"][v], s)
    # 2-4 paragraphs of the topic skeleton (each alternative chosen on its own), the rest from the grammar
    skeleton = [mp._fmt(p[r.randint(0, 1)], s) for p in t["paras"]]
    keep = sorted(r.sample(range(len(skeleton)), r.randint(1, 3)))
    paras = [skeleton[k] for k in keep]
    for _ in range(r.randint(5, 7)):
        para = " ".join(sentence(r, town, dist) for _ in range(r.randint(2, 4)))
        paras.insert(r.randint(1, len(paras)), para)
    if r.random() < 0.5:
        paras.insert(r.randint(1, len(paras)), mp._fmt(r.choice(mp.GENERIC), s))
    return {"topic": topic, "ressort": t["ressort"], "slots": s, "title": title[0].upper() + title[1:],
            "paras": paras, "caption": mp._fmt(t["captions"][v], s), "credit": "Foto: " + r.choice(mp.PHOTOGRAPHERS),
            "author": _person(r), "day": 1 + i % 28, "hour": 5 + (i * 7) % 16, "minute": (i * 13) % 60}


def make_pages(n: int, seed: int = SEED) -> list[tuple[str, str, bytes]]:
    """``n`` pages as (source, url, html bytes)."""
    r = random.Random(seed)
    teasers = [make_story(random.Random(seed + 10_000 + k), k) for k in range(40)]
    out = []
    for i in range(n):
        st = make_story(r, i)
        source, host, layouts = SITES[i % len(SITES)]
        key = layouts[r.randrange(len(layouts))]
        _, render = mp.LAYOUTS[key]
        rot = i % len(teasers)
        ctx = {"i": i, "k": i % 2, "others": teasers[rot:] + teasers[:rot], "rng": random.Random(seed + i),
               "caption2": "Ein Blick auf den Ort des Geschehens am Tag danach.",
               "credit2": "Foto: " + mp.PHOTOGRAPHERS[(i + 3) % len(mp.PHOTOGRAPHERS)]}
        url = f"https://{host}/{mp.slug(st['slots']['city'])}/{mp.slug(st['title'])}-id{100000 + i}.html"
        page, _, _ = render(st, url, ctx)
        data = page.encode("cp1252", "xmlcharrefreplace") if key == "F" else page.encode("utf-8")
        out.append((source, url, data))
    return out


def write_pages(db_path: Path, pages: list[tuple[str, str, bytes]]) -> None:
    """Store the pages as a fetch would (gzip HTML, SHA-256), in one transaction."""
    db = store.open_db(db_path)
    for name, host, _ in SITES:
        store.upsert_source(db, name, "sitemap", f"https://{host}/sitemap.xml", ["NRW"])
    now = store.utcnow()
    rows = [{"url": url, "final_url": url, "source": source, "status": 200, "content_type": "text/html",
             "charset": "windows-1252" if b"charset=windows-1252" in data[:600] else "utf-8",
             "fetched_at": now, "content_sha256": hashlib.sha256(data).hexdigest(),
             "html_gz": gzip.compress(data, 6), "elapsed_ms": 12.0, "attempts": 1}
            for source, url, data in pages]
    with db.atomic():
        db["pages"].insert_all(rows, batch_size=500)
    db.conn.close()


def check_near_duplicates(pages: list[tuple[str, str, bytes]], sample: int = 2000) -> tuple[int, int]:
    """(closest SimHash distance, pairs within the near-duplicate bound) over a sample of extracted texts."""
    from pipeline import dedup
    from pipeline.extract import extract

    hashes = [dedup.simhash(extract(data, url).text) for _, url, data in pages[:sample]]
    best, close = 64, 0
    for i, a in enumerate(hashes):
        for b in hashes[i + 1:]:
            d = dedup.distance(a, b)
            best = min(best, d)
            close += d <= dedup.MAX_DISTANCE
    return best, close


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=ROOT / "build" / "bench" / "10k.db")
    ap.add_argument("--pages-only", action="store_true", help="store the pages only, do not process them")
    ap.add_argument("--workers", type=int, default=2, help="newsmine reextract --workers (default 2)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true", help="report the closest SimHash pair in a sample")
    args = ap.parse_args()

    args.db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    pages = make_pages(args.articles, args.seed)
    write_pages(args.db, pages)
    size = sum(len(p[2]) for p in pages)
    print(f"{len(pages)} pages ({size / 2**20:.1f} MiB HTML) -> {args.db} in {time.perf_counter() - t0:.1f} s")
    if args.check:
        best, close = check_near_duplicates(pages)
        print(f"SimHash over {min(len(pages), 2000)} texts: closest pair {best} bits, {close} pairs within bound")
    if args.pages_only:
        return 0
    cmd = [sys.executable, "-m", "pipeline.cli", "reextract", "--db", str(args.db), "--workers", str(args.workers)]
    print("+", " ".join(cmd[2:]))
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, cwd=ROOT).returncode
    print(f"processed in {time.perf_counter() - t0:.1f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
