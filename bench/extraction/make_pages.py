"""Generate the extraction benchmark pages and their snippet lists.

Deterministic: ``python bench/extraction/make_pages.py`` rewrites ``pages/*.html`` and
``expected.json`` byte for byte the same on every run (fixed seed, no clock).

All stories, names and sites are fictional. Eight page layouts modelled on typical German
regional-news CMS output (6 pages each):

A  JSON-LD ``NewsArticle`` with ``articleBody`` + HTML article, "Meistgelesen" rail
B  meta tags only (og:/article:), one ``<article>``, "Zum Thema" aside, share bar
C  div soup (``artikel__text``/``story-text``), "Aus dem Ressort"/"Neueste Artikel" teaser
   lists with long teaser texts, captions inside the text area
D  paywall: visible teaser paragraphs, then "Weiterlesen mit Plus" box (rest not delivered)
E  live blog: timestamped entries, "Ticker aktualisieren" controls
F  windows-1252 encoded, old table layout, ``<br><br>`` paragraphs
G  everything: cookie banner, newsletter box, captions + photo credits in the text,
   "Meistgelesen", "Zum Thema", "Aus dem Ressort", "Neueste Artikel", comments
H  WordPress-style local blog (``entry-content``) with inline "Lesen Sie auch" teasers

``expected.json`` maps file name -> {"url", "layout", "must", "must_not"}: ``must`` are
sentences of the main text (always the first and the last paragraph), ``must_not`` are
boilerplate snippets that really occur on the page.
"""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
SEED = 20261125

CITIES = {
    "Duisburg": ["Marxloh", "Hochfeld", "Rheinhausen", "Walsum", "Homberg", "Neudorf"],
    "Essen": ["Rüttenscheid", "Steele", "Altenessen", "Kettwig", "Borbeck", "Frohnhausen"],
    "Köln": ["Ehrenfeld", "Nippes", "Kalk", "Porz", "Deutz", "Sülz"],
    "Bochum": ["Wattenscheid", "Langendreer", "Ehrenfeld", "Weitmar", "Gerthe"],
    "Dortmund": ["Hörde", "Aplerbeck", "Eving", "Huckarde", "Mengede"],
    "Oberhausen": ["Sterkrade", "Osterfeld", "Alstaden", "Schmachtendorf"],
    "Mülheim": ["Styrum", "Saarn", "Dümpten", "Heißen", "Speldorf"],
    "Gelsenkirchen": ["Buer", "Ückendorf", "Erle", "Horst", "Schalke"],
    "Krefeld": ["Uerdingen", "Fischeln", "Hüls", "Bockum"],
    "Bonn": ["Beuel", "Bad Godesberg", "Endenich", "Duisdorf"],
}
STREETS = ["Kaiserstraße", "Bahnhofstraße", "Weseler Straße", "Mühlenweg", "Parkstraße",
           "Lindenallee", "Hochfelder Straße", "Friedrich-Ebert-Straße", "Zechenstraße",
           "Rheinstraße", "Schillerstraße", "Gartenstraße", "Hafenstraße", "Kirchstraße"]
FIRST = ["Anna", "Jörg", "Sabine", "Mehmet", "Claudia", "Thomas", "Ayşe", "Frank", "Petra",
         "Dirk", "Katrin", "Stefan", "Monika", "Lukas", "Ursula", "Kemal", "Birgit", "Jan"]
LAST = ["Schmidt", "Kowalski", "Yilmaz", "Hoffmann", "Brüggemann", "Wienand", "Becker",
        "Lehmkuhl", "Schulte", "Özdemir", "Hagedorn", "Terhorst", "Nowak", "Peters",
        "Krämer", "Bergmann", "Szymański", "Rademacher"]
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
PHOTOGRAPHERS = ["Lars Heidrich / FUNKE Foto Services", "Kai Kitschenberg / FUNKE Foto Services",
                 "Oliver Müller", "dpa", "Christoph Reichwein", "Fabian Strauch / Archiv",
                 "Hans Blossey", "Ralf Rottmann"]
USERS = ["Ruhrpottler58", "MSV_Zebra", "KalleAusKalk", "Nachbarin_R", "Stadtkind91",
         "Grubenlampe", "Rheinblick", "WattenscheiderJung", "Elfriede_K", "Pendler_A40"]

# --------------------------------------------------------------------------- stories
# Each topic: title templates, paragraph templates (each a list of alternatives), caption
# templates. Slots: {city} {district} {street} {p1} {p2} {p3} {n1}..{n4} {wd} {wd2} {club}

TOPICS = {
    "brand": {
        "ressort": "Blaulicht",
        "titles": ["Feuer in Mehrfamilienhaus in {city}-{district}: {n1} Bewohner gerettet",
                   "Großbrand an der {street}: Rauchsäule über {district} weithin sichtbar"],
        "paras": [
            ["In der Nacht zu {wd} ist in {city}-{district} ein Feuer in einem Mehrfamilienhaus an der {street} ausgebrochen. Die Feuerwehr rettete {n1} Bewohnerinnen und Bewohner über Drehleitern aus den oberen Etagen.",
             "Ein Brand in einer Lagerhalle an der {street} hat am {wd}abend einen Großeinsatz in {city}-{district} ausgelöst. Die dunkle Rauchsäule war noch in mehreren Kilometern Entfernung zu sehen."],
            ["Gegen 2.40 Uhr hatte ein Nachbar den Notruf gewählt, weil aus einem Kellerfenster dichter Qualm drang. Als die ersten Einsatzkräfte eintrafen, stand das Treppenhaus bereits voller Rauch.",
             "Die Leitstelle erhielt kurz nach 19 Uhr die ersten Anrufe von Passanten. Beim Eintreffen der Feuerwehr schlugen die Flammen bereits aus dem Dach der Halle."],
            ["Nach Angaben von Einsatzleiter {p1} waren insgesamt {n2} Kräfte von Berufsfeuerwehr und Freiwilliger Feuerwehr vor Ort. {n3} Menschen wurden mit Verdacht auf eine Rauchvergiftung in umliegende Krankenhäuser gebracht.",
             "Einsatzleiter {p1} berichtete von {n2} Kräften, die zeitweise gleichzeitig im Einsatz waren. Verletzt wurde nach bisherigen Erkenntnissen niemand, ein Mitarbeiter erlitt einen Schock."],
            ["Die Stadt warnte die Anwohnerinnen und Anwohner über die Warn-App Nina und bat darum, Fenster und Türen geschlossen zu halten. Die {street} blieb bis in die Morgenstunden gesperrt.",
             "Über die Warn-App Nina wurden Menschen in {district} aufgefordert, Lüftungen abzuschalten. Messfahrzeuge stellten nach Angaben der Stadt keine erhöhten Schadstoffwerte fest."],
            ["Das Haus ist vorerst nicht bewohnbar, die Stadt brachte die betroffenen Familien in einem Hotel unter. Der Sachschaden wird auf rund {n4}.000 Euro geschätzt.",
             "Die Halle gilt als einsturzgefährdet und darf nicht betreten werden. Den Schaden beziffert der Eigentümer auf einen sechsstelligen Betrag."],
            ["Zur Brandursache konnte die Polizei am {wd2} noch keine Angaben machen. Ein Brandsachverständiger soll das Gebäude in den kommenden Tagen untersuchen, Hinweise nimmt die Kripo unter der Rufnummer der Wache {district} entgegen.",
             "Die Kriminalpolizei hat die Ermittlungen zur Brandursache aufgenommen und schließt Brandstiftung bislang nicht aus. Zeugen, die am {wd}abend verdächtige Beobachtungen an der {street} gemacht haben, sollen sich melden."],
        ],
        "captions": ["Die Feuerwehr war mit einem Großaufgebot an der {street} im Einsatz.",
                     "Dichter Rauch über {district}: Einsatzkräfte beim Löschangriff am {wd}."],
    },
    "rat": {
        "ressort": "Politik",
        "titles": ["Stadtrat {city} beschließt Haushalt: Grundsteuer steigt um {n1} Punkte",
                   "Streit um Sparliste: Rat in {city} vertagt Entscheidung über Bäder"],
        "paras": [
            ["Der Rat der Stadt {city} hat am {wd} nach einer fast siebenstündigen Sitzung den Doppelhaushalt für die kommenden zwei Jahre verabschiedet. Die Grundsteuer B steigt dabei um {n1} Punkte.",
             "Nach heftiger Debatte hat der Rat der Stadt {city} am {wd} die Entscheidung über die Zukunft von zwei Hallenbädern vertagt. Die Verwaltung soll bis zum Frühjahr neue Zahlen vorlegen."],
            ["Kämmerer {p1} sprach von einem „Haushalt der bitteren Wahrheiten“. Ohne zusätzliche Einnahmen fehlten der Stadt allein im kommenden Jahr rund {n2} Millionen Euro.",
             "Die Sparliste von Kämmerer {p1} sah ursprünglich vor, das Bad in {district} Ende nächsten Jahres zu schließen. Dagegen hatten Schwimmvereine mehr als {n3}.000 Unterschriften gesammelt."],
            ["Die Fraktionen von SPD und CDU stimmten dem Entwurf zu, Grüne und Linke lehnten ihn ab. {p2} von der Opposition kritisierte, dass bei Jugendzentren und Stadtteilbibliotheken gekürzt werde.",
             "Ratsfrau {p2} hielt der Verwaltung vor, Sanierungskosten zu hoch angesetzt zu haben. Ein unabhängiges Gutachten komme für das Bad in {district} auf deutlich niedrigere Summen."],
            ["Für Hauseigentümer bedeutet die Erhöhung im Schnitt Mehrkosten von etwa {n4} Euro pro Jahr, die in vielen Fällen auf die Mieten umgelegt werden dürften. Der Mieterverein kündigte bereits Widerstand an.",
             "Der Stadtsportbund begrüßte die Vertagung als „ersten Erfolg der Vereine“. Gleichzeitig warnte er davor, dass jedes weitere Jahr ohne Sanierung die Kosten weiter in die Höhe treibe."],
            ["Investiert werden soll trotz der angespannten Lage vor allem in Schulen und Kitas. Für den Neubau der Gesamtschule an der {street} sind {n2} Millionen Euro eingeplant.",
             "Unterdessen prüft die Verwaltung, ob Fördermittel des Landes für die Modernisierung genutzt werden können. Ein entsprechender Antrag müsste bis Ende März gestellt werden."],
            ["Der Haushalt muss nun noch von der Bezirksregierung genehmigt werden. Oberbürgermeister {p3} zeigte sich zuversichtlich, dass die Genehmigung noch vor Ostern vorliegt.",
             "Die nächste Sitzung des Sportausschusses ist für den {wd2} in zwei Wochen angesetzt. Oberbürgermeister {p3} kündigte an, die Vereine vorher zu einem runden Tisch einzuladen."],
        ],
        "captions": ["Blick in den Ratssaal: Die Sitzung dauerte bis in den späten Abend.",
                     "Kämmerer {p1} stellte die Zahlen im Rat vor."],
    },
    "verkehr": {
        "ressort": "Verkehr",
        "titles": ["Vollsperrung in {city}: {street} ab {wd} für {n1} Wochen dicht",
                   "Brücke in {district} marode: Lkw müssen ab sofort große Umwege fahren"],
        "paras": [
            ["Autofahrer in {city} müssen sich auf längere Wege einstellen: Ab {wd} wird die {street} in {district} für voraussichtlich {n1} Wochen voll gesperrt. Grund sind Kanalarbeiten der Wirtschaftsbetriebe.",
             "Die Brücke über die Bahngleise in {city}-{district} ist so marode, dass sie ab sofort nur noch von Fahrzeugen bis 3,5 Tonnen befahren werden darf. Das hat eine Sonderprüfung ergeben."],
            ["Die Umleitung führt über die {street2} und ist ausgeschildert. Nach Angaben der Stadt sind an Werktagen rund {n2}.000 Fahrzeuge betroffen.",
             "Bei der Prüfung hatten Gutachter Risse in mehreren Spannbetonträgern entdeckt. Täglich fuhren bislang etwa {n2}.000 Fahrzeuge über das Bauwerk, darunter viele Lkw aus dem Hafengebiet."],
            ["Auch der Busverkehr ist betroffen. Die Linien {n3} und {n4} fahren während der Bauzeit eine Umleitung, die Haltestelle {district} Mitte wird in die Nebenstraße verlegt.",
             "Für Busse gilt eine Ausnahme nur für die Linie {n3}, deren Fahrzeuge leichter sind. Die Verkehrsbetriebe prüfen derzeit, ob weitere Linien umgeleitet werden müssen."],
            ["Anwohnerin {p1} ärgert sich über die Informationspolitik: „Wir haben von der Sperrung aus der Zeitung erfahren.“ Geschäftsleute an der Straße befürchten Umsatzeinbußen.",
             "Spediteur {p1} rechnet mit erheblichen Mehrkosten: „Jede Tour dauert jetzt eine halbe Stunde länger.“ Die Industrie- und Handelskammer fordert eine schnelle Lösung."],
            ["Die Stadt verspricht, dass Rettungswagen und Müllabfuhr die Grundstücke weiterhin erreichen. Fußgänger können die Baustelle auf einem abgesicherten Weg passieren.",
             "Ein Neubau der Brücke ist ohnehin geplant, war aber erst für das Ende des Jahrzehnts vorgesehen. Baudezernent {p2} will den Zeitplan nun vorziehen lassen."],
            ["Wenn alles nach Plan läuft, soll die {street} noch vor den Sommerferien wieder freigegeben werden. Aktuelle Informationen veröffentlicht die Stadt {city} auf ihrer Internetseite.",
             "Bis dahin kontrollieren Polizei und Ordnungsamt verstärkt, ob sich Lkw-Fahrer an das Verbot halten. Wer erwischt wird, muss mit einem Bußgeld von bis zu {n4}0 Euro rechnen."],
        ],
        "captions": ["Ab {wd} geht hier nichts mehr: Die {street} wird voll gesperrt.",
                     "Schilder weisen auf die neue Gewichtsbeschränkung hin."],
    },
    "fussball": {
        "ressort": "Lokalsport",
        "titles": ["{club} dreht Spiel in der Nachspielzeit: {n1}:{n2} gegen den Tabellenführer",
                   "Bittere Heimpleite für {club}: Trainer {p1} stellt Mannschaft in Frage"],
        "paras": [
            ["Was für ein Nachmittag an der {street}: {club} hat am {wd} vor {n3}.000 Zuschauern den Tabellenführer mit {n1}:{n2} besiegt. Der entscheidende Treffer fiel in der vierten Minute der Nachspielzeit.",
             "Die Serie ist gerissen: {club} hat am {wd} vor heimischer Kulisse mit 0:{n2} verloren. Nach dem Abpfiff gab es vereinzelte Pfiffe von den Rängen."],
            ["Dabei hatte die Partie für die Gastgeber denkbar schlecht begonnen. Schon nach zwölf Minuten lag die Mannschaft nach einem Abwehrfehler zurück.",
             "Von Beginn an fehlte der Mannschaft die Ordnung im Mittelfeld. Die Gäste nutzten die Räume konsequent und gingen nach einer halben Stunde verdient in Führung."],
            ["Trainer {p1} reagierte zur Pause mit einem Doppelwechsel und stellte auf Dreierkette um. „Wir mussten etwas riskieren“, sagte er nach dem Spiel.",
             "Trainer {p1} fand nach dem Spiel deutliche Worte: „So eine Leistung darf sich nicht wiederholen, das war in allen Belangen zu wenig.“"],
            ["Der eingewechselte {p2} traf zunächst per Kopf zum Ausgleich, ehe Kapitän {p3} in der Schlussphase einen Freistoß direkt verwandelte. Die Fans feierten die Mannschaft noch lange nach dem Abpfiff.",
             "Kapitän {p3} stellte sich nach dem Spiel den Fans in der Kurve. Er habe die Enttäuschung verstanden, sagte er, die Mannschaft werde im Training eine Antwort geben."],
            ["Mit dem Sieg rückt {club} bis auf {n4} Punkte an die Aufstiegsplätze heran. Die Stimmung im Umfeld dürfte das vor den schweren Wochen im Dezember deutlich verbessern.",
             "In der Tabelle rutscht {club} damit auf Rang {n4} ab. Der Abstand nach oben wächst, die Vereinsführung kündigte Gespräche mit dem Trainerteam an."],
            ["Weiter geht es am kommenden {wd2} mit dem Auswärtsspiel in Wuppertal. Anstoß ist um 14 Uhr, der Verein setzt einen Fanbus ein.",
             "Am {wd2} steht bereits das Pokalspiel in Velbert auf dem Programm. Dort soll es nach dem Willen des Trainers ein anderes Gesicht der Mannschaft zu sehen geben."],
        ],
        "captions": ["Jubel nach dem späten Treffer: Die Spieler feiern vor der Kurve.",
                     "Trainer {p1} an der Seitenlinie."],
    },
    "kultur": {
        "ressort": "Kultur",
        "titles": ["Festival im Landschaftspark: {n1}.000 Besucher feiern in {city}",
                   "Neues Theater in alter Zeche: Premiere in {district} ausverkauft"],
        "paras": [
            ["Drei Tage Musik, Kunst und Essen: Das Sommerfestival im Park an der {street} in {city} hat nach Angaben der Veranstalter rund {n1}.000 Besucherinnen und Besucher angezogen. Das ist ein neuer Rekord.",
             "In der ehemaligen Waschkaue der Zeche in {city}-{district} hat am {wd} das neue Stadtteiltheater seine erste Premiere gefeiert. Alle {n3}0 Plätze waren seit Wochen ausverkauft."],
            ["Auf vier Bühnen traten mehr als {n2}0 Bands und Künstlerinnen auf, viele davon aus der Region. Höhepunkt war der Auftritt einer Dortmunder Indie-Band am Samstagabend.",
             "Gezeigt wurde eine Bearbeitung von Gerhart Hauptmanns „Die Weber“, die das Ensemble in die Gegenwart des Ruhrgebiets verlegt hat. Das Publikum dankte mit minutenlangem Applaus."],
            ["Festivalleiterin {p1} zeigte sich zufrieden: „Wir wollten zeigen, was die freie Szene hier auf die Beine stellen kann.“ Der Eintritt war an allen Tagen frei.",
             "Intendantin {p1} hat das Projekt über drei Jahre vorbereitet: „Wir wollten Theater dorthin bringen, wo die Menschen wohnen.“ Gespielt wird im Wechsel mit Lesungen und Konzerten."],
            ["Möglich gemacht haben das Festival vor allem Ehrenamtliche. Mehr als {n3}0 Helferinnen und Helfer kümmerten sich um Aufbau, Getränke und Sicherheit.",
             "Finanziert wurde der Umbau aus Mitteln der Städtebauförderung und von einer örtlichen Stiftung. Die Stadt übernimmt in den ersten drei Jahren einen Teil der Betriebskosten."],
            ["Die Polizei meldete einen weitgehend friedlichen Verlauf. Lediglich am Sonntag musste der Sanitätsdienst mehrere Besucher wegen der Hitze versorgen.",
             "Nachbar {p2}, der als Kind noch die Kohlezüge an der Zeche gesehen hat, war sichtlich gerührt. „Dass hier jetzt Theater gespielt wird, hätte ich nie gedacht.“"],
            ["Ob es im nächsten Jahr eine Neuauflage gibt, hängt von der Förderung ab. Die Veranstalter wollen bis zum Herbst mit der Stadt {city} über eine dauerhafte Finanzierung sprechen.",
             "Weitere Vorstellungen sind an den kommenden Wochenenden geplant. Karten gibt es an der Abendkasse und im Bürgerbüro {district}, Schülerinnen und Schüler zahlen {n4} Euro."],
        ],
        "captions": ["Volles Gelände am Samstagabend vor der Hauptbühne.",
                     "Szene aus der Premiere: Das Ensemble in der alten Waschkaue."],
    },
    "polizei": {
        "ressort": "Blaulicht",
        "titles": ["Einbrecherbande in {city} gefasst: Polizei findet Beute in Garage",
                   "Überfall auf Kiosk in {district}: Polizei sucht mit Fotos nach Täter"],
        "paras": [
            ["Der Polizei in {city} ist ein Schlag gegen eine mutmaßliche Einbrecherbande gelungen. Bei Durchsuchungen in {district} nahmen Beamte am {wd} {n1} Männer fest.",
             "Nach einem Überfall auf einen Kiosk an der {street} in {city}-{district} sucht die Polizei mit Bildern aus einer Überwachungskamera nach dem Täter. Die Tat liegt bereits mehrere Wochen zurück."],
            ["Den Ermittlern zufolge sollen die Verdächtigen seit dem Frühjahr für mindestens {n2} Einbrüche in Einfamilienhäuser verantwortlich sein. Sie hatten es vor allem auf Schmuck und Bargeld abgesehen.",
             "Der Mann hatte den {n3}-jährigen Inhaber kurz vor Ladenschluss mit einem Messer bedroht und die Herausgabe der Tageseinnahmen gefordert. Anschließend flüchtete er zu Fuß in Richtung Stadtpark."],
            ["In einer angemieteten Garage an der {street} stellten die Beamten zahlreiche Uhren, Laptops und Werkzeuge sicher. Der Wert der Beute wird auf mehr als {n4}0.000 Euro geschätzt.",
             "Der Inhaber blieb unverletzt, stand aber unter Schock. Die Beute soll sich auf einen niedrigen dreistelligen Betrag belaufen haben."],
            ["Polizeisprecher {p1} lobte die Zusammenarbeit mit den Nachbarbehörden: „Ohne die Hinweise aus der Bevölkerung wären wir nicht so schnell vorangekommen.“",
             "Polizeisprecher {p1} beschreibt den Gesuchten als etwa 1,80 Meter groß und schlank. Er trug eine dunkle Kapuzenjacke und eine auffällige weiße Sporttasche."],
            ["Die Festgenommenen wurden einem Haftrichter vorgeführt, gegen drei von ihnen erging Haftbefehl. Die Staatsanwaltschaft prüft, ob weitere Taten im Umland auf ihr Konto gehen.",
             "Weil die bisherigen Ermittlungen keine Spur ergeben haben, hat ein Richter nun die Veröffentlichung der Bilder angeordnet. Sie sind auf dem Fahndungsportal der Polizei zu sehen."],
            ["Geschädigte, die Gegenstände wiedererkennen möchten, können sich beim Kriminalkommissariat melden. Eine Übersicht der sichergestellten Beute will die Polizei in den nächsten Tagen online stellen.",
             "Hinweise zur Identität des Mannes nimmt das Kriminalkommissariat in {city} rund um die Uhr entgegen. Auch Beobachtungen aus der Nacht zum {wd2} könnten den Ermittlern helfen."],
        ],
        "captions": ["Ein Teil der sichergestellten Beute im Polizeipräsidium.",
                     "Der Kiosk an der {street} wurde kurz vor Ladenschluss überfallen."],
    },
    "wirtschaft": {
        "ressort": "Wirtschaft",
        "titles": ["{n1}0 neue Jobs: Logistiker baut Zentrum im Hafen {city}",
                   "Traditionsbäckerei aus {district} schließt nach {n2}0 Jahren"],
        "paras": [
            ["Im Hafen von {city} entsteht ein neues Logistikzentrum: Ein mittelständischer Versandhändler will an der {street} rund {n1}0 Arbeitsplätze schaffen. Baubeginn soll im Frühjahr sein.",
             "Nach {n2}0 Jahren ist Schluss: Die Bäckerei {p1} an der {street} in {city}-{district} schließt Ende des Monats. Für viele Stammkunden ist das ein Stück Heimat, das verloren geht."],
            ["Auf dem rund {n3} Hektar großen Gelände einer früheren Kohlenhalde sollen zwei Hallen mit modernen Verladerampen entstehen. Die Fläche war jahrelang ungenutzt.",
             "Inhaber {p1} führt den Betrieb in dritter Generation. Schon sein Großvater stand hier jeden Morgen um drei Uhr in der Backstube."],
            ["Wirtschaftsförderer {p2} spricht von einem wichtigen Signal für den Standort: „Hier entstehen auch Stellen für Menschen ohne Hochschulabschluss.“ Das sei in der Region besonders wichtig.",
             "Gründe für die Schließung gibt es mehrere: Die Energiekosten haben sich verdoppelt, und seit Monaten findet {p1} keine Fachkräfte mehr. „Irgendwann geht es einfach nicht mehr“, sagt er."],
            ["Anwohner in {district} sehen das Projekt dagegen kritisch. Sie befürchten zusätzlichen Lkw-Verkehr, zumal die Zufahrt über Wohnstraßen führt.",
             "Die Kundschaft reagiert mit Bestürzung. Viele haben in den vergangenen Tagen Karten und Blumen vorbeigebracht, eine Stammkundin hat sogar ein Gedicht geschrieben."],
            ["Das Unternehmen verspricht, den Verkehr über eine neue Anbindung an die Bundesstraße zu führen. Ein Verkehrsgutachten soll im Bebauungsplanverfahren vorgelegt werden.",
             "Die {n4} Mitarbeiterinnen und Mitarbeiter haben nach Angaben des Inhabers bereits neue Stellen gefunden. Ein Nachfolger für das Ladenlokal ist bislang nicht in Sicht."],
            ["Der Rat muss dem Bebauungsplan noch zustimmen, eine Entscheidung wird für den Sommer erwartet. Ende nächsten Jahres sollen die ersten Pakete das Zentrum verlassen.",
             "Am letzten Verkaufstag, dem {wd2}, will {p1} noch einmal alle Sorten backen, die es im Laufe der Jahrzehnte gab. Danach bleibt die Ladentür an der {street} geschlossen."],
        ],
        "captions": ["Auf dieser Fläche im Hafen soll das Logistikzentrum entstehen.",
                     "Bäckermeister {p1} in seiner Backstube."],
    },
    "schule": {
        "ressort": "Bildung",
        "titles": ["Schulplatz-Mangel in {city}: {n1}0 Kinder ohne Wunschschule",
                   "Digitalisierung an Schulen in {city}: Tablets liegen ungenutzt im Keller"],
        "paras": [
            ["Für viele Familien in {city} ist der Start an der weiterführenden Schule mit einer Enttäuschung verbunden: {n1}0 Kinder haben keinen Platz an ihrer Wunschschule bekommen. Besonders betroffen sind die Gesamtschulen.",
             "An mehreren Schulen in {city} liegen neu angeschaffte Tablets seit Monaten ungenutzt in Kellerräumen. Grund ist fehlendes WLAN in den Klassenzimmern, wie eine Anfrage im Schulausschuss ergab."],
            ["Allein an der Gesamtschule in {district} gab es {n2}0 Anmeldungen mehr als Plätze. Die Schulleitung musste per Losverfahren entscheiden.",
             "Insgesamt geht es um rund {n2}00 Geräte, die aus Mitteln des Digitalpakts gekauft wurden. Die Ausschreibung für die Netzwerktechnik hatte sich wegen eines Rechtsstreits verzögert."],
            ["Mutter {p1} hat für ihre Tochter eine Absage erhalten: „Sie soll jetzt jeden Tag mit zwei Buslinien quer durch die Stadt fahren.“ Sie überlegt, Widerspruch einzulegen.",
             "Lehrerin {p1} ist frustriert: „Wir haben die Fortbildungen gemacht, die Konzepte geschrieben – und dann fehlt das Netz.“ Im Unterricht behelfe man sich mit privaten Handys."],
            ["Schuldezernent {p2} räumt ein, dass die Planung mit dem Zuzug nicht Schritt gehalten hat. Mittelfristig sollen zwei neue Schulen entstehen, eine davon an der {street}.",
             "Schuldezernent {p2} verweist auf Lieferengpässe bei den Handwerksbetrieben. Bis zu den Osterferien sollen aber mindestens {n3} Schulen vollständig ausgestattet sein."],
            ["Bis dahin helfen Container-Klassen. Die Stadt hat bereits {n3} Einheiten bestellt, die zum neuen Schuljahr aufgestellt werden sollen.",
             "Die Elternvertretung fordert einen verbindlichen Zeitplan für alle Standorte. Sonst verliere die Stadt bei der Digitalisierung weiter an Boden."],
            ["Eltern, die mit der Zuweisung nicht einverstanden sind, können bis zum {wd2} nächster Woche Widerspruch einlegen. Die Bezirksregierung bietet dazu eine telefonische Beratung an.",
             "Der Schulausschuss will sich in seiner nächsten Sitzung erneut mit dem Thema befassen. Bis dahin soll die Verwaltung eine Liste aller betroffenen Schulen in {city} vorlegen."],
        ],
        "captions": ["Container-Klassen wie diese sollen die Engpässe überbrücken.",
                     "Originalverpackte Tablets in einem Kellerraum."],
    },
}
# Background paragraphs shared by all topics (two of them are added to every story).
GENERIC = [
    "Schon im vergangenen Jahr hatte das Thema in {district} für Gesprächsstoff gesorgt. Damals hatten sich bei einer Bürgerversammlung im Gemeindezentrum an der {street2} mehr als {n3}0 Menschen zu Wort gemeldet.",
    "Bezirksbürgermeisterin {p4} kündigte an, die Entwicklung in der nächsten Sitzung der Bezirksvertretung {district} zur Sprache zu bringen. „Die Menschen im Stadtteil haben ein Recht auf klare Informationen“, sagte sie am {wd2}.",
    "Auch in den sozialen Netzwerken wurde am {wd2} lebhaft über die Ereignisse in {city}-{district} diskutiert. Viele Nutzerinnen und Nutzer teilten eigene Beobachtungen, andere riefen zu Besonnenheit auf.",
    "Wie es in den kommenden Wochen weitergeht, ist nach Einschätzung von {p4} noch offen. Klar sei nur, dass {district} einen langen Atem brauche und die Stadt {city} die Anwohner nicht allein lassen dürfe.",
]
CLUBS = {"Duisburg": "der MSV", "Essen": "Rot-Weiss Essen", "Köln": "Fortuna Köln",
         "Bochum": "die SG Wattenscheid 09", "Dortmund": "der ASC 09 Dortmund",
         "Oberhausen": "RW Oberhausen", "Mülheim": "der 1. FC Mülheim",
         "Gelsenkirchen": "die SpVgg Erkenschwick", "Krefeld": "der KFC Uerdingen",
         "Bonn": "der Bonner SC"}

# --------------------------------------------------------------------------- boilerplate

COOKIE = [
    "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und Zugriffe zu analysieren. Mit einem Klick auf „Alle akzeptieren“ stimmen Sie der Verarbeitung zu.",
    "Diese Website nutzt Cookies und Daten von Drittanbietern für Werbung und Reichweitenmessung. Ihre Einwilligung können Sie jederzeit in den Datenschutz-Einstellungen widerrufen.",
]
NEWSLETTER = [
    "Jeden Morgen die wichtigsten Nachrichten aus Ihrer Stadt direkt ins Postfach – melden Sie sich jetzt kostenlos für unseren Newsletter an.",
    "Bleiben Sie informiert: Unser Newsletter bringt Ihnen die Top-Themen des Tages aus Ihrer Region, werktags um 6 Uhr.",
]
PAYWALL = ["Weiterlesen mit Plus",
           "Jetzt einen Monat für 0,99 € testen und alle Artikel lesen.",
           "Sie sind bereits Abonnent? Hier anmelden."]
COMMENTS = [
    "Das war doch abzusehen, seit Jahren passiert hier nichts und dann wundern sich alle.",
    "Ich wohne seit 30 Jahren im Viertel und kann das nur bestätigen, danke für den Bericht!",
    "Wer soll das am Ende bezahlen? Natürlich wieder der kleine Bürger.",
    "Endlich mal eine gute Nachricht aus unserer Stadt, weiter so!",
    "Hat jemand Infos, ob die Buslinie am Wochenende auch betroffen ist?",
    "Typisch, erst wird gespart und dann ist das Geschrei groß.",
    "Respekt an alle Helferinnen und Helfer, die da im Einsatz waren.",
    "Man sollte mal die Verantwortlichen fragen, warum das so lange gedauert hat.",
]
FOOTER = "© 2026 Ruhr Medien GmbH & Co. KG – Alle Rechte vorbehalten. Impressum · Datenschutz · AGB · Kontakt"


def _fmt(t: str, s: dict) -> str:
    return t.format(**s)


def make_stories(rng: random.Random, n: int) -> list[dict]:
    topics = list(TOPICS)
    cities = list(CITIES)
    stories = []
    for i in range(n):
        topic = topics[(i + i // len(LAYOUTS)) % len(topics)]  # rotate topics across layouts
        city = cities[(i * 3 + i // len(topics)) % len(cities)]
        names = rng.sample([f"{first} {last}" for first in FIRST for last in LAST], 4)
        s = {
            "city": city, "district": rng.choice(CITIES[city]), "street": rng.choice(STREETS),
            "street2": rng.choice(STREETS), "p1": names[0], "p2": names[1], "p3": names[2], "p4": names[3],
            "n1": rng.randint(2, 9), "n2": rng.randint(2, 9), "n3": rng.randint(11, 19),
            "n4": rng.randint(3, 9), "wd": rng.choice(WEEKDAYS[:5]), "wd2": rng.choice(WEEKDAYS[:5]),
            "club": CLUBS[city],
        }
        if s["street2"] == s["street"]:
            s["street2"] = STREETS[(STREETS.index(s["street"]) + 1) % len(STREETS)]
        t = TOPICS[topic]
        v = (i // len(topics)) % 2  # variant 0/1 of every paragraph and the title
        title = _fmt(t["titles"][v], s)
        title = title[0].upper() + title[1:]
        paras = [_fmt(p[v], s) for p in t["paras"]]
        g = rng.sample(GENERIC, 2)
        paras[4:4] = [_fmt(x, s) for x in g]
        stories.append({
            "topic": topic, "ressort": t["ressort"], "slots": s, "title": title, "paras": paras,
            "caption": _fmt(t["captions"][v], s), "credit": "Foto: " + rng.choice(PHOTOGRAPHERS),
            "author": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "day": 3 + i % 22, "hour": 5 + (i * 7) % 16, "minute": (i * 13) % 60,
        })
    return stories


def sentences(p: str) -> list[str]:
    parts = re.split(r"(?<=[.!?“])\s+(?=[A-ZÄÖÜ„])", p)
    return [x for x in parts if len(x) > 25]


def slug(s: str) -> str:
    s = s.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ş", "s"), ("ń", "n")):
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:70]


E = html.escape


def teaser_title(st: dict) -> str:
    return st["title"]


def teaser_text(st: dict) -> str:
    return st["paras"][0]


# --------------------------------------------------------------------------- layouts
# Each layout returns (html_text, main_paragraphs, boilerplate_snippets).

def head(st, url, extra="", charset="utf-8", site="WAZ-Lokal"):
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="{charset}">
<title>{E(st['title'])} | {site}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/css/main.4f2a9c.css">
<script src="/static/js/consent.min.js" async></script>
{extra}</head>
"""


def date_str(st):
    return f"2026-11-{st['day']:02d}T{st['hour']:02d}:{st['minute']:02d}:00+01:00"


def de_date(st):
    return f"{st['day']:02d}.11.2026, {st['hour']:02d}:{st['minute']:02d} Uhr"


def nav(city):
    return f"""<header class="site-header"><a class="logo" href="/">Startseite</a>
<nav class="main-nav"><ul><li><a href="/{slug(city)}/">{E(city)}</a></li><li><a href="/region/">Region</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/politik/">Politik</a></li><li><a href="/wirtschaft/">Wirtschaft</a></li>
<li><a href="/kultur/">Kultur</a></li><li><a href="/plus/">Plus</a></li><li><a href="/abo/">Abo</a></li></ul></nav>
<div class="header-actions"><a href="/login/">Anmelden</a> <a href="/epaper/">E-Paper</a></div></header>
"""


def cookie_banner(k):
    return f"""<div id="cmp-banner" class="consent-layer" role="dialog" aria-label="Datenschutz-Einstellungen">
<h2>Wir brauchen Ihre Zustimmung</h2><p>{E(COOKIE[k])}</p>
<button class="cmp-accept">Alle akzeptieren</button> <button class="cmp-settings">Einstellungen</button></div>
"""


def newsletter_box(k):
    return f"""<div class="newsletter-box"><h3>Newsletter</h3><p>{E(NEWSLETTER[k])}</p>
<form action="/newsletter/"><input type="email" placeholder="Ihre E-Mail-Adresse"><button>Jetzt anmelden</button></form></div>
"""


def teaser_list(heading, items, cls, long_text=True):
    out = [f'<section class="{cls}"><h2 class="teaser-list__title">{E(heading)}</h2>']
    for j, t in enumerate(items, 1):
        txt = f'<p class="teaser__text">{E(teaser_text(t))}</p>' if long_text else ""
        out.append(f'<article class="teaser"><a href="/{slug(t["slots"]["city"])}/{slug(t["title"])}-id{4100 + j}.html">'
                   f'<span class="teaser__kicker">{E(t["slots"]["city"])}</span>'
                   f'<h3 class="teaser__headline">{E(teaser_title(t))}</h3>{txt}</a></article>')
    out.append("</section>\n")
    return "\n".join(out)


def figure(st, cls="figure"):
    return (f'<figure class="{cls}"><img src="/img/{slug(st["title"])[:30]}.jpg" alt="{E(st["caption"])}" width="1200" height="675">'
            f'<figcaption>{E(st["caption"])} <span class="credit">{E(st["credit"])}</span></figcaption></figure>\n')


def comments_section(rng, k=3):
    cs = rng.sample(COMMENTS, k)
    us = rng.sample(USERS, k)
    out = [f'<section id="kommentare" class="comments"><h2>Kommentare ({k})</h2>']
    for u, c in zip(us, cs):
        out.append(f'<div class="comment"><div class="comment__meta"><span class="comment__user">{E(u)}</span> '
                   f'<span class="comment__date">vor 2 Stunden</span></div><p class="comment__text">{E(c)}</p>'
                   f'<a href="#" class="comment__reply">Antworten</a></div>')
    out.append('<p class="comments__rules">Bitte beachten Sie unsere Netiquette.</p></section>\n')
    return "\n".join(out), cs


def footer():
    return f'<footer class="site-footer"><p>{E(FOOTER)}</p></footer>\n</body>\n</html>\n'


def layout_a(st, url, ctx):
    """JSON-LD NewsArticle with articleBody, HTML article, Meistgelesen rail."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": st["title"],
          "datePublished": date_str(st), "dateModified": date_str(st),
          "author": [{"@type": "Person", "name": st["author"]}],
          "publisher": {"@type": "Organization", "name": "WAZ-Lokal"},
          "articleSection": st["ressort"], "description": st["paras"][0],
          "mainEntityOfPage": url, "isAccessibleForFree": True,
          "image": {"@type": "ImageObject", "url": f"https://www.example-lokal.de/img/{slug(st['title'])[:30]}.jpg",
                    "caption": st["caption"]},
          "articleBody": "\n\n".join(st["paras"])}
    ldj = json.dumps(ld, ensure_ascii=False, indent=1).replace("</", "<\\/")
    extra = (f'<meta property="og:title" content="{E(st["title"])}">\n'
             f'<meta property="og:description" content="{E(st["paras"][0])}">\n'
             f'<script type="application/ld+json">{ldj}</script>\n')
    meist = ctx["others"][:5]
    body = [head(st, url, extra), '<body class="article-page">\n', cookie_banner(ctx["k"]), nav(st["slots"]["city"])]
    body.append('<main class="content"><article class="article">\n')
    body.append(f'<header class="article__header"><span class="article__kicker">{E(st["slots"]["city"])}</span>'
                f'<h1 class="article__headline">{E(st["title"])}</h1>'
                f'<p class="article__meta">Von {E(st["author"])} · <time datetime="{date_str(st)}">{de_date(st)}</time> · 3 Minuten Lesezeit</p></header>\n')
    body.append(figure(st, "article__image"))
    body.append('<div class="article__body">\n')
    for j, p in enumerate(st["paras"]):
        cls = ' class="article__intro"' if j == 0 else ""
        body.append(f"<p{cls}>{E(p)}</p>\n")
        if j == 2:
            body.append('<div class="ad-slot" data-ad="mrec">Anzeige</div>\n')
    body.append("</div>\n")
    body.append('<div class="article__share"><span>Artikel teilen:</span> <a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">E-Mail</a></div>\n')
    body.append("</article>\n")
    body.append('<aside class="sidebar">' + teaser_list("Meistgelesen", meist, "most-read", long_text=False) + "</aside>\n")
    body.append("</main>\n" + footer())
    bp = [COOKIE[ctx["k"]], st["credit"], st["caption"]] + [teaser_title(t) for t in meist[:3]] + [FOOTER[:40]]
    return "".join(body), st["paras"], bp


def layout_b(st, url, ctx):
    """Meta tags only, <article>, Zum Thema aside, share bar."""
    extra = (f'<meta name="description" content="{E(st["paras"][0][:150])}">\n'
             f'<meta property="og:type" content="article">\n<meta property="og:title" content="{E(st["title"])}">\n'
             f'<meta property="og:url" content="{url}">\n<meta property="og:site_name" content="Rheinischer Anzeiger">\n'
             f'<meta property="article:published_time" content="{date_str(st)}">\n'
             f'<meta property="article:section" content="{E(st["ressort"])}">\n<meta name="author" content="{E(st["author"])}">\n')
    rel = ctx["others"][5:8]
    body = [head(st, url, extra, site="Rheinischer Anzeiger"), "<body>\n", nav(st["slots"]["city"])]
    body.append('<div class="breadcrumb"><a href="/">Startseite</a> › <a href="/lokales/">Lokales</a> › '
                f'{E(st["slots"]["city"])}</div>\n')
    body.append('<div class="page"><article>\n')
    body.append(f'<h1>{E(st["title"])}</h1>\n<div class="byline">{E(st["author"])} | {de_date(st)}</div>\n')
    body.append('<div class="share-bar"><a href="#">Teilen</a> <a href="#">Merken</a> <a href="#">Drucken</a> <a href="#">Vorlesen</a></div>\n')
    for j, p in enumerate(st["paras"]):
        if j == 0:
            body.append(f"<p><strong>{E(p)}</strong></p>\n")
        else:
            body.append(f"<p>{E(p)}</p>\n")
        if j == 3:
            body.append('<h2>Wie es jetzt weitergeht</h2>\n')
    body.append('<p class="article-footer">Mehr aus dem Ressort <a href="/lokales/">Lokales</a></p>\n')
    body.append("</article>\n")
    body.append('<aside class="related">' + teaser_list("Zum Thema", rel, "related-box", long_text=True) + "</aside>\n")
    body.append("</div>\n" + footer())
    bp = [teaser_title(t) for t in rel] + [teaser_text(rel[0]), "Mehr aus dem Ressort", FOOTER[:40]]
    return "".join(body), st["paras"], bp


def layout_c(st, url, ctx):
    """Div soup, no <article>, captions in the text area, teaser lists with long texts."""
    extra = f'<meta property="og:title" content="{E(st["title"])}">\n'
    ress = ctx["others"][8:11]
    neu = ctx["others"][11:14]
    use_p = ctx["i"] % 2 == 0
    body = [head(st, url, extra, site="NRZ-Stadtteil"), "<body>\n", '<div id="wrapper">', nav(st["slots"]["city"])]
    body.append('<div class="container"><div class="row"><div class="col-8">\n<div class="story">\n')
    body.append(f'<div class="story-head"><div class="story-kicker">{E(st["ressort"])}</div>'
                f'<div class="story-title h1">{E(st["title"])}</div>'
                f'<div class="story-meta"><span class="autor">{E(st["author"])}</span> <span class="datum">{de_date(st)}</span></div></div>\n')
    body.append('<div class="story-text artikel__text">\n')
    for j, p in enumerate(st["paras"]):
        if use_p:
            body.append(f'<div class="text-block"><p>{E(p)}</p></div>\n')
        else:
            body.append(f'<div class="absatz">{E(p)}</div>\n')
        if j == 1:
            body.append(f'<div class="bild"><img src="/b/{ctx["i"]}.jpg" alt=""><div class="bildunterschrift">{E(st["caption"])}</div>'
                        f'<div class="bildquelle">{E(st["credit"])}</div></div>\n')
    body.append("</div>\n</div>\n</div>\n")
    body.append('<div class="col-4">' + teaser_list("Aus dem Ressort", ress, "ressort-list") + "</div></div>\n")
    body.append('<div class="row">' + teaser_list("Neueste Artikel", neu, "latest-list") + "</div></div>\n")
    body.append("</div>\n" + footer())
    bp = [st["caption"], st["credit"]] + [teaser_title(t) for t in ress + neu] + [teaser_text(ress[0]), teaser_text(neu[1])]
    return "".join(body), st["paras"], bp


def layout_d(st, url, ctx):
    """Paywall: three visible paragraphs, then the Plus box; the rest is not delivered."""
    visible = st["paras"][:3]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": st["title"],
          "datePublished": date_str(st), "author": {"@type": "Person", "name": st["author"]},
          "description": st["paras"][0], "isAccessibleForFree": False,
          "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}}
    ldj = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    extra = f'<script type="application/ld+json">{ldj}</script>\n'
    meist = ctx["others"][14:18]
    body = [head(st, url, extra, site="WAZ"), '<body class="plus-article">\n', cookie_banner(ctx["k"]), nav(st["slots"]["city"])]
    body.append('<main><article class="article article--plus">\n')
    body.append(f'<span class="plus-badge">Plus</span><h1>{E(st["title"])}</h1>\n<p class="meta">{de_date(st)} · {E(st["author"])}</p>\n')
    body.append('<div class="article-body">\n')
    for p in visible:
        body.append(f"<p>{E(p)}</p>\n")
    body.append(f'</div>\n<div class="paywall"><div class="paywall__fade"></div><h2>{E(PAYWALL[0])}</h2>'
                f'<p>{E(PAYWALL[1])}</p><a class="btn" href="/abo/">Jetzt testen</a> <p class="paywall__login">{E(PAYWALL[2])}</p>'
                '<ul class="paywall__benefits"><li>Alle Plus-Artikel auf allen Geräten</li><li>Monatlich kündbar</li></ul></div>\n')
    body.append("</article>\n")
    body.append(teaser_list("Meistgelesen", meist, "most-read", long_text=ctx["i"] % 2 == 1))
    body.append("</main>\n" + footer())
    bp = PAYWALL[:2] + ["Alle Plus-Artikel auf allen Geräten"] + [teaser_title(t) for t in meist[:3]]
    return "".join(body), visible, bp


def layout_e(st, url, ctx):
    """Live blog: entries newest first with time stamps."""
    s = st["slots"]
    extra = (f'<meta property="og:title" content="{E("Live: " + st["title"])}">\n'
             '<script type="application/ld+json">' + json.dumps(
                 {"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": "Live: " + st["title"],
                  "coverageStartTime": date_str(st), "about": {"@type": "Event", "name": st["title"]}},
                 ensure_ascii=False) + "</script>\n")
    times = [f"{(st['hour'] + k) % 24:02d}:{(st['minute'] + 17 * k) % 60:02d}" for k in range(len(st["paras"]))]
    entries = list(zip(times, st["paras"]))[::-1]  # newest first
    neu = ctx["others"][18:21]
    body = [head(st, url, extra, site="Lokalkompass Live"), "<body>\n", cookie_banner(ctx["k"]), nav(s["city"])]
    body.append('<main class="liveblog">\n')
    body.append(f'<h1><span class="live-badge">Live</span> {E(st["title"])}</h1>\n')
    body.append(f'<p class="liveblog__intro">Wir berichten laufend über die Entwicklungen in {E(s["city"])}. '
                'Diese Seite wird automatisch aktualisiert.</p>\n')
    body.append('<div class="liveblog__controls"><button>Ticker aktualisieren</button> <label><input type="checkbox" checked> Automatisch neu laden</label></div>\n')
    body.append('<div class="liveblog__entries">\n')
    for k, (t, p) in enumerate(entries):
        body.append(f'<div class="liveblog-entry" id="entry-{k}"><div class="liveblog-entry__time">{t} Uhr</div>'
                    f'<div class="liveblog-entry__content"><p>{E(p)}</p></div>'
                    '<div class="liveblog-entry__share"><a href="#">Eintrag teilen</a></div></div>\n')
    body.append('</div>\n<button class="liveblog__more">Ältere Einträge laden</button>\n</main>\n')
    body.append(teaser_list("Neueste Artikel", neu, "latest", long_text=True))
    body.append(footer())
    # main text in page order = newest first
    main = [p for _, p in entries]
    bp = ["Ticker aktualisieren", "Ältere Einträge laden", COOKIE[ctx["k"]]] + [teaser_title(t) for t in neu] + [teaser_text(neu[0])]
    return "".join(body), main, bp


def layout_f(st, url, ctx):
    """windows-1252, table layout, <br><br> paragraphs, Meistgelesen in a side cell."""
    meist = ctx["others"][21:26]
    rows = "".join(f'<tr><td class="ml"><a href="/artikel/{4200 + j}.html">{E(t["title"])}</a></td></tr>\n'
                   for j, t in enumerate(meist))
    text = "<br><br>\n".join(E(p) for p in st["paras"])
    page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>{E(st['title'])} - Stadtanzeiger {E(st['slots']['city'])}</title>
<meta name="keywords" content="{E(st['slots']['city'])}, {E(st['ressort'])}, Nachrichten">
</head>
<body bgcolor="#ffffff">
<table width="980" cellpadding="0" cellspacing="0" border="0">
<tr><td colspan="2" class="kopf"><img src="/img/logo.gif" alt="Stadtanzeiger"> <a href="/">Startseite</a> | <a href="/lokales.html">Lokales</a> | <a href="/sport.html">Sport</a> | <a href="/kontakt.html">Kontakt</a></td></tr>
<tr>
<td width="200" valign="top" class="links">
<table class="meistgelesen" width="100%"><tr><td class="kasten_titel"><b>Meistgelesen</b></td></tr>
{rows}</table>
<p class="werbung">Anzeige: Ihre Werbung im Stadtanzeiger &ndash; Mediadaten anfordern</p>
</td>
<td width="780" valign="top" class="inhalt">
<font class="rubrik">{E(st['ressort'])}</font><br>
<font class="titel" size="5"><b>{E(st['title'])}</b></font><br>
<font class="datum" size="1">{st['day']:02d}.11.2026 &middot; von {E(st['author'])}</font><br><br>
<div class="artikeltext">
{text}
</div>
<br><br><a href="javascript:window.print()">Artikel drucken</a> | <a href="/empfehlen.html">Artikel weiterempfehlen</a>
</td>
</tr>
<tr><td colspan="2" class="fuss">&copy; 2026 Stadtanzeiger Verlag &ndash; Impressum &ndash; Datenschutzerkl&auml;rung</td></tr>
</table>
</body>
</html>
"""
    bp = [t["title"] for t in meist[:3]] + ["Ihre Werbung im Stadtanzeiger", "Artikel weiterempfehlen"]
    return page, st["paras"], bp


def layout_g(st, url, ctx):
    """Everything: cookie, newsletter, captions + credits in the text, four teaser boxes, comments."""
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Ruhr Nachrichten Lokal", "url": "https://www.example-ruhr.de/"},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Startseite"},
            {"@type": "ListItem", "position": 2, "name": st["slots"]["city"]}]},
        {"@type": "NewsArticle", "headline": st["title"], "datePublished": date_str(st),
         "author": {"@type": "Person", "name": st["author"]}, "description": st["paras"][0][:160]}]}
    extra = '<script type="application/ld+json">' + json.dumps(ld, ensure_ascii=False) + "</script>\n"
    o = ctx["others"]
    meist, thema, ress, neu = o[0:4], o[26:28], o[28:31], o[31:34]
    com_html, com = comments_section(ctx["rng"])
    st2 = dict(st, caption=ctx["caption2"], credit=ctx["credit2"])
    body = [head(st, url, extra, site="Ruhr Nachrichten Lokal"), "<body>\n", cookie_banner(ctx["k"]), nav(st["slots"]["city"])]
    body.append('<div class="layout"><main id="main"><article class="article">\n')
    body.append(f'<h1 class="article-title">{E(st["title"])}</h1>\n<div class="article-author">Von {E(st["author"])}</div>'
                f'<time datetime="{date_str(st)}">{de_date(st)}</time>\n')
    body.append(figure(st, "article-image article-image--lead"))
    body.append('<div class="article-content">\n')
    for j, p in enumerate(st["paras"]):
        body.append(f"<p>{E(p)}</p>\n")
        if j == 1:
            body.append(teaser_list("Zum Thema", thema, "inline-related", long_text=False))
        if j == 2:
            body.append(figure(st2, "article-image"))
            # caption of the lead image repeated in the text area (gallery strip)
            body.append(f'<div class="gallery-strip"><p class="gallery-caption">{E(st["caption"])}</p>'
                        f'<p class="gallery-credit">{E(st["credit"])}</p><a href="#">Zur Bildergalerie</a></div>\n')
        if j == 3:
            body.append(newsletter_box(ctx["k"]))
    body.append("</div>\n</article>\n")
    body.append(com_html)
    body.append(teaser_list("Aus dem Ressort", ress, "ressort-teasers"))
    body.append('</main>\n<aside class="rail">' + teaser_list("Meistgelesen", meist, "most-read", long_text=False)
                + teaser_list("Neueste Artikel", neu, "newest") + "</aside></div>\n")
    body.append(footer())
    bp = ([COOKIE[ctx["k"]], NEWSLETTER[ctx["k"]], st["caption"], st["credit"], st2["caption"], st2["credit"]]
          + com + [teaser_title(t) for t in thema + ress[:2] + meist[:2] + neu[:2]] + [teaser_text(ress[0])])
    return "".join(body), st["paras"], bp


def layout_h(st, url, ctx):
    """WordPress local blog: entry-content, inline 'Lesen Sie auch' links, sharing, widgets."""
    extra = (f'<meta name="generator" content="WordPress 6.7">\n<meta property="og:title" content="{E(st["title"])}">\n'
             f'<meta property="og:type" content="article">\n')
    inl = ctx["others"][34:36]
    wid = ctx["others"][36:40]
    body = [head(st, url, extra, site="Stadtteilblog " + st["slots"]["district"]),
            '<body class="post-template-default single single-post">\n', '<div id="page" class="site">',
            '<header id="masthead" class="site-header"><p class="site-title"><a href="/">Stadtteilblog '
            f'{E(st["slots"]["district"])}</a></p><p class="site-description">Nachrichten aus dem Veedel</p>'
            '<nav id="site-navigation"><ul id="primary-menu"><li><a href="/">Start</a></li><li><a href="/termine/">Termine</a></li>'
            '<li><a href="/ueber-uns/">Über uns</a></li></ul></nav></header>\n']
    body.append('<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">\n')
    body.append(f'<article id="post-{1000 + ctx["i"]}" class="post type-post status-publish format-standard">\n'
                f'<header class="entry-header"><h1 class="entry-title">{E(st["title"])}</h1>'
                f'<div class="entry-meta"><span class="posted-on">Veröffentlicht am <time class="entry-date published" datetime="{date_str(st)}">'
                f'{st["day"]}. November 2026</time></span> <span class="byline">von <span class="author vcard">{E(st["author"])}</span></span></div></header>\n')
    body.append('<div class="entry-content">\n')
    for j, p in enumerate(st["paras"]):
        body.append(f"<p>{E(p)}</p>\n")
        if j in (1, 3):
            t = inl[0 if j == 1 else 1]
            body.append(f'<p class="read-also"><strong>Lesen Sie auch:</strong> <a href="/{slug(t["title"])}/">{E(t["title"])}</a></p>\n')
    body.append('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Teilen mit:</h3><ul><li><a href="#">Facebook</a></li>'
                '<li><a href="#">WhatsApp</a></li><li><a href="#">Drucken</a></li></ul></div>\n')
    body.append('</div>\n<footer class="entry-footer"><span class="cat-links">Veröffentlicht in <a href="/kategorie/lokales/">Lokales</a></span></footer>\n')
    body.append('</article>\n<nav class="post-navigation"><div class="nav-previous"><a href="#">Vorheriger Beitrag</a></div>'
                '<div class="nav-next"><a href="#">Nächster Beitrag</a></div></nav>\n')
    body.append('<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3>Schreibe einen Kommentar</h3>'
                '<p class="comment-notes">Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert.</p></div></div>\n')
    body.append('</main></div>\n<aside id="secondary" class="widget-area">')
    body.append('<section class="widget widget_recent_entries"><h2 class="widget-title">Neueste Beiträge</h2><ul>'
                + "".join(f'<li><a href="/{slug(t["title"])}/">{E(t["title"])}</a></li>' for t in wid) + "</ul></section>")
    body.append('<section class="widget widget_text"><h2 class="widget-title">Unterstützen</h2><div class="textwidget"><p>'
                'Der Stadtteilblog ist unabhängig und werbefrei. Wenn Ihnen unsere Arbeit gefällt, unterstützen Sie uns mit einer Spende.</p></div></section>')
    body.append("</aside></div>\n<footer id=\"colophon\" class=\"site-footer\"><div class=\"site-info\">Stolz präsentiert von WordPress</div></footer></div>\n</body>\n</html>\n")
    bp = ([t["title"] for t in inl] + ["Lesen Sie auch"] + [t["title"] for t in wid[:2]]
          + ["Deine E-Mail-Adresse wird nicht veröffentlicht.", "Der Stadtteilblog ist unabhängig und werbefrei.", "Teilen mit:"])
    return "".join(body), st["paras"], bp


LAYOUTS = {"A": ("jsonld", layout_a), "B": ("meta-article", layout_b), "C": ("div-soup", layout_c),
           "D": ("paywall", layout_d), "E": ("liveblog", layout_e), "F": ("cp1252-table", layout_f),
           "G": ("boilerplate-heavy", layout_g), "H": ("wordpress", layout_h)}
PER_LAYOUT = 6


def main() -> None:
    rng = random.Random(SEED)
    n = len(LAYOUTS) * PER_LAYOUT
    stories = make_stories(rng, n)
    PAGES.mkdir(exist_ok=True)
    for old in PAGES.glob("*.html"):
        old.unlink()
    expected = {}
    for idx, st in enumerate(stories):
        key = list(LAYOUTS)[idx % len(LAYOUTS)]
        lname, fn = LAYOUTS[key]
        # the other stories, in a page-specific deterministic order (teasers come from them)
        others = [stories[(idx + 1 + j * 5) % n] for j in range(n - 1)]
        others = [o for o in others if o is not st]
        others = list(dict.fromkeys(id(o) for o in others))
        others = [next(s for s in stories if id(s) == oid) for oid in others]
        while len(others) < 40:
            others += others
        o2 = stories[(idx + 7) % n]
        ctx = {"i": idx, "k": idx % 2, "others": others, "rng": random.Random(SEED + idx),
               "caption2": o2["caption"].replace(o2["slots"]["street"], st["slots"]["street"]).replace(
                   o2["slots"]["p1"], st["slots"]["p1"]) if o2["topic"] != st["topic"] else
               "Ein Blick auf den Ort des Geschehens am Tag danach.",
               "credit2": "Foto: " + PHOTOGRAPHERS[(idx + 3) % len(PHOTOGRAPHERS)]}
        if ctx["credit2"] == st["credit"]:
            ctx["credit2"] = "Foto: " + PHOTOGRAPHERS[(idx + 4) % len(PHOTOGRAPHERS)]
        url = f"https://www.example-{slug(lname)}.de/{slug(st['slots']['city'])}/{slug(st['title'])}-id{240000 + idx}.html"
        page, main_paras, bp = fn(st, url, ctx)
        name = f"{idx + 1:02d}_{key}_{lname}_{slug(st['slots']['city'])}.html"
        data = page.encode("cp1252", "xmlcharrefreplace") if key == "F" else page.encode("utf-8")
        (PAGES / name).write_bytes(data)
        # must: first and last paragraph (first + last sentence), plus one sentence from the middle
        first, last = main_paras[0], main_paras[-1]
        must = [sentences(first)[0], sentences(last)[-1]]
        if len(main_paras) > 2:
            mid = main_paras[len(main_paras) // 2]
            must.append(sentences(mid)[-1])
        if len(main_paras) > 3:
            must.append(sentences(main_paras[1])[0])
        # the whole last paragraph's first sentence too, when it differs
        s_last = sentences(last)
        if len(s_last) > 1:
            must.append(s_last[0])
        must = list(dict.fromkeys(must))
        main_text = " ".join(" ".join(p.split()) for p in main_paras)
        must_not = list(dict.fromkeys(x for x in bp if x))
        for m in must:
            assert m in main_text, (name, m)
        for b in must_not:
            assert " ".join(b.split()) not in main_text, (name, b)
            # sanity: the boilerplate really occurs on the page
            assert E(b, quote=False) in page or b in page or E(b) in page, (name, b)
        words = len(main_text.split())
        expected[name] = {"url": url, "layout": lname, "words": words, "must": must, "must_not": must_not}
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(expected)} pages to {PAGES}")


if __name__ == "__main__":
    main()
