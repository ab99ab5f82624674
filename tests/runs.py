"""Pages and runs for the hardening suites (issue #23): five German texts with nothing in common (the
near-duplicate check must not link them), an article page for one, and a run of a ``urls`` source as
`newsmine run --config` does it. Shared by tests/test_hardening_run.py and tests/test_hardening_disk.py.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import run as runner
from pipeline.fetch import FetchSettings
from pipeline.sources import Source
from pipeline.store import open_db

SETTINGS = FetchSettings(min_delay=0.0, timeout=5.0, retries=0)

# Texts with nothing in common (the near-duplicate check must not link them).
TEXTS = [
    ["Der Rat der Stadt Duisburg hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
     "Oberbürgermeister Sören Link sprach von einem schwierigen, aber soliden Plan für die Stadt.",
     "Die Opposition kritisierte die hohen Kosten für den Umbau des Rathauses am Burgplatz."],
    ["In Essen-Rüttenscheid eröffnet im Frühjahr eine neue Bäckerei mit eigenem Café im Hinterhof.",
     "Die Inhaberin backt nach alten Rezepten ihrer Großmutter aus dem Sauerland, sagt sie.",
     "Nachbarn freuen sich über frische Brötchen schon ab sechs Uhr morgens an jedem Werktag."],
    ["Der MSV Duisburg verliert das Heimspiel gegen Rot-Weiss Essen knapp mit eins zu zwei Toren.",
     "Trainer und Mannschaft zeigten sich nach dem Abpfiff enttäuscht über die vergebenen Chancen.",
     "Im Stadion an der Wedau sahen mehr als zwanzigtausend Zuschauer ein kampfbetontes Derby."],
    ["Die Rheinbahn stellt in Düsseldorf ab Montag zwölf neue Straßenbahnen in Dienst, heißt es.",
     "Die Fahrzeuge sind barrierefrei, klimatisiert und bieten Platz für zweihundert Fahrgäste.",
     "Fahrgastverbände begrüßen die Anschaffung, fordern aber dichtere Takte am Abend und nachts."],
    ["Im Landschaftspark Nord in Meiderich beginnt am Wochenende das Sommerfestival mit Konzerten.",
     "Veranstalter erwarten an drei Tagen Besucher aus dem ganzen Ruhrgebiet und den Niederlanden.",
     "Der Eintritt ist frei, für einige Konzerte in der Gießhalle werden aber Karten verkauft."],
]


def page(title: str, paragraphs: list[str], canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>{link}</head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


def run_urls(db_path: Path, nlp, name: str, urls: list[str]) -> runner.RunStats:
    db = open_db(db_path)
    source = Source(name=name, kind="urls", urls=urls, allow_private=True, min_delay=0.0)
    stats = runner.run(db, [source], nlp, config_label="test", settings=SETTINGS)
    db.close()
    return stats
