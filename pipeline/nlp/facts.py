"""Rule-based facts on top of NER spans: roles of people, quotes with speakers, mention linking.

Pure Python and model-free: the input is an article's text plus its PER/LOC/ORG entity
spans (dicts with ``start``, ``end``, ``label``, ``text``; objects with those attributes
work too). Spans follow the corpus convention (``corpus/README.md``):

- a *role* is the role/office noun written next to a named person, without article,
  party or affiliation (``Duisburgs [Integrationsdezernent] Dr. Tobias Reinartz (SPD)``,
  ``Holger Brandt, [Fraktionsvorsitzender] der FDP``); capitalised adjectives that are part
  of the title belong to it (``[Technische Beigeordnete]``, ``[Vorsitzende Richter]``);
- a *quote* is the text inside quotation marks („…“, "…", »…«, “…”) that someone said,
  with the full name of the speaker or ``None``; titles of programmes, exhibitions,
  prizes and works in quotation marks are not quotes.

``link_mentions`` maps each entity to a canonical name (surname-only mentions to the
full name introduced earlier, ORG abbreviations to the organisation they stand for);
roles and quotes report people by that canonical name.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.resolve import _Ent, _ent_one, _is_full_name, _strip_genitive, collect_aliases, link_mentions

FACTS_VERSION = "facts-1.1"

__all__ = [
    "FACTS_VERSION", "Role", "Quote", "find_roles", "find_quotes", "find_facts",
    "link_mentions", "collect_aliases", "is_role_word",
]


@dataclass(frozen=True)
class Role:
    """A role/office word next to a PER mention (character offsets into the text)."""

    start: int
    end: int
    text: str
    person_start: int
    person_end: int
    person: str
    party: str | None = None
    affiliation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Quote:
    """Text inside quotation marks and who said it.

    ``speaker_start``/``speaker_end`` are the offsets of the PER mention the speaker was
    resolved to (the name after ``sagte``, the antecedent of a pronoun, or the holder of a
    role), ``None`` when there is no speaker.
    """

    start: int
    end: int
    text: str
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entities(entities: Iterable[Any]) -> list[_Ent]:
    """Normalise dicts or objects with start/end/label/text, sorted by offset."""
    return sorted((_ent_one(e) for e in entities), key=lambda x: (x.start, x.end))


class _Index:
    """Constant-time lookups over entity spans: by start, by end, and covered characters."""

    def __init__(self, ents: Iterable[_Ent], length: int):
        self.by_start: dict[int, list[_Ent]] = {}
        self.by_end: dict[int, list[_Ent]] = {}
        self.covered = bytearray(length + 1)
        for e in ents:
            self.add(e)

    def add(self, e: _Ent) -> None:
        self.by_start.setdefault(e.start, []).append(e)
        self.by_end.setdefault(e.end, []).append(e)
        a, b = max(0, e.start), min(len(self.covered), e.end)
        if a < b:
            self.covered[a:b] = b"\x01" * (b - a)

    def free(self, a: int, b: int) -> bool:
        return not any(self.covered[a:b])

    def inside(self, pos: int) -> bool:
        return 0 <= pos < len(self.covered) and bool(self.covered[pos])


# ---------------------------------------------------------------------------
# Role words
# ---------------------------------------------------------------------------

# Heads of role nouns (masculine/base form, lower case). A word is a role word when its
# last hyphen part ends with one of these (or with a feminine/inflected form of one).
_ROLE_HEADS: tuple[str, ...] = (
    # administration and politics
    "dezernent", "minister", "sekretär", "bürgermeister", "beigeordneter", "beigeordnete",
    "kämmerer", "referent", "landrat", "stadtrat", "schulrat", "kreisrat", "regierungsrat",
    "ratsherr", "ratsfrau", "ratsmitglied", "abgeordneter", "abgeordnete", "kanzler",
    "präsident", "direktor", "beauftragter", "beauftragte", "bevollmächtigter", "bevollmächtigte",
    "vorsitzender", "vorsitzende", "vorsteher", "politiker", "fraktionschef", "stadtdirektor",
    "staatsrat", "stadtverordneter", "stadtverordnete", "bezirksvertreter", "amtsleiter",
    "baurat", "studienrat", "amtsrat", "polizeirat", "ministerialrat", "kandidat", "inspektor",
    # organisations and business
    "geschäftsführer", "führer", "leiter", "sprecher", "chef", "manager", "vorstand",
    "vorständin", "vorstandsmitglied", "aufsichtsratschef", "inhaber", "gründer", "betreiber",
    "unternehmer", "berater", "entwickler", "kassierer", "meister", "förderer", "förderin",
    "experte", "expertin", "koordinator", "planer", "architekt", "ingenieur", "redakteur",
    "moderator", "kurator", "intendant", "dramaturg", "dirigent", "regisseur", "obmann",
    "vertrauensmann", "personalrat", "betriebsrat", "makler", "wirt", "eigentümer", "förster",
    "küster", "torjäger", "chefredakteur", "volontär", "stadtführer",
    # law and police
    "staatsanwalt", "anwalt", "richter", "verteidiger", "kommissar", "polizist", "notar",
    "ermittler", "kommandant", "hauptmann",
    # health, church, education, science
    "arzt", "mediziner", "apotheker", "therapeut", "psychologe", "psychologin", "pfleger",
    "hebamme", "pfarrer", "pastor", "bischof", "dekan", "superintendent", "imam", "rabbiner",
    "kaplan", "diakon", "professor", "dozent", "rektor", "lehrer", "erzieher", "pädagoge",
    "pädagogin", "wissenschaftler", "forscher", "historiker", "archäologe", "archäologin",
    "biologe", "biologin", "ökonom", "soziologe", "soziologin", "sozialarbeiter",
    # sports
    "trainer", "kapitän", "stürmer", "torwart", "torhüter", "angreifer", "spieler", "keeper",
    "verteidiger", "schiedsrichter", "sportdirektor",
    # culture and media
    "künstler", "bildhauer", "maler", "musiker", "sänger", "autor", "schriftsteller",
    "journalist", "kabarettist", "komponist", "pianist", "schauspieler", "fotograf", "designer",
    "galerist",
)

# "-in" forms with umlaut, and other irregular feminine forms.
_IRREGULAR_FEMININE = {
    "arzt": "ärztin", "staatsanwalt": "staatsanwältin", "anwalt": "anwältin", "landrat": "landrätin",
    "stadtrat": "stadträtin", "schulrat": "schulrätin", "kreisrat": "kreisrätin",
    "regierungsrat": "regierungsrätin", "vorstand": "vorständin", "baurat": "baurätin",
    "studienrat": "studienrätin", "amtsrat": "amtsrätin", "polizeirat": "polizeirätin",
    "ministerialrat": "ministerialrätin", "hauptmann": "hauptfrau",
    "obmann": "obfrau", "vertrauensmann": "vertrauensfrau", "kämmerer": "kämmerin",
    "förderer": "förderin", "wirt": "wirtin", "personalrat": "personalrätin",
    "betriebsrat": "betriebsrätin", "staatsrat": "staatsrätin", "ratsherr": "ratsfrau",
    "koch": "köchin", "bischof": "bischöfin",
}


def _role_suffixes() -> tuple[str, ...]:
    """All accepted endings: heads, their feminine forms, nominalised -e/-er variants."""
    forms: set[str] = set()
    for head in _ROLE_HEADS:
        forms.add(head)
        if head in _IRREGULAR_FEMININE:
            forms.add(_IRREGULAR_FEMININE[head])
        elif head.endswith("e"):
            forms.add(head + "r")  # Vorsitzende -> Vorsitzender, Beigeordnete -> Beigeordneter
        elif not head.endswith(("in", "frau", "mitglied")):
            forms.add(head + "in")
    forms |= {"vorsitzenden", "beigeordneten", "abgeordneten"}
    return tuple(sorted(forms, key=len, reverse=True))


_ROLE_SUFFIXES = _role_suffixes()

# Words that end like a role head but are not roles of a person next to a name.
_NOT_ROLES = {
    "anwohner", "anwohnerin", "bewohner", "bewohnerin", "einwohner", "einwohnerin", "besucher",
    "besucherin", "kunde", "kundin", "nachbar", "nachbarin", "kollege", "kollegin", "parteikollege",
    "parteikollegin", "partner", "partnerin", "mieter", "mieterin", "pendler", "pendlerin",
    "schüler", "schülerin", "bruder", "schwester", "mutter", "vater", "tochter", "sohn", "gatte",
    "leiter", "führer",  # bare heads are handled below (Leiter/Leiterin are roles themselves)
    "fahrer", "fahrerin", "opfer", "täter", "täterin", "zeuge", "zeugin", "angeklagte", "angeklagter",
    "meisterschaft", "weltmeister", "liga", "wähler", "wählerin",
}
_ROLE_ABBREVIATIONS = {"OB", "MdB", "MdL", "MdEP"}
_BARE_ROLE_OK = {"leiter", "leiterin", "führer"}
_ROLE_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_ABBREV_PREFIX_RE = re.compile(r"^[A-ZÄÖÜ0-9][A-ZÄÖÜ0-9&]+$")


@functools.lru_cache(maxsize=8192)
def is_role_word(word: str) -> bool:
    """True if ``word`` is a German role/office/profession noun (``Integrationsdezernentin``,
    ``NRW-Verkehrsministerin``, ``Kämmerer``, ``Vorsitzende``, ``Sparkassen-Chef``)."""
    if word in _ROLE_ABBREVIATIONS:
        return True
    if not word or not word[0].isupper() or not _ROLE_WORD_RE.fullmatch(word):
        return False
    head = word.rsplit("-", 1)[-1].lower()
    if not head:
        return False
    if head in _NOT_ROLES and head not in _BARE_ROLE_OK:
        return False
    return head.endswith(_ROLE_SUFFIXES)


# Capitalised adjectives that are part of a title ("Technische Beigeordnete").
_TITLE_ADJECTIVES = {
    "vorsitzende", "vorsitzender", "stellvertretende", "stellvertretender", "leitende", "leitender",
    "erste", "erster", "zweite", "zweiter", "dritte", "dritter", "amtierende", "amtierender",
    "geschäftsführende", "geschäftsführender", "designierte", "designierter", "regierende",
    "regierender", "beigeordnete", "beigeordneter", "kommissarische", "kommissarischer",
    "parlamentarische", "parlamentarischer", "ehrenamtliche", "ehrenamtlicher", "hauptamtliche",
    "hauptamtlicher", "ärztliche", "ärztlicher", "kaufmännische", "kaufmännischer",
}
_TITLE_ADJ_RE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+(?:isch|lich)e[r]?")

# Academic titles between role and name ("Schulleiterin Dr. Susanne Achterberg").
_ROLE_BEFORE_RE = re.compile(
    r"([^\W\d_]+(?:-[^\W\d_]+)*)"
    r"[ \u00a0]+(?:(?:Prof|Dr|Dipl|PD)\.(?:-Ing\.)?(?:[ \u00a0]*(?:med|rer\. ?nat|phil|jur|h\. ?c)\.)*[ \u00a0]+)*$")
_PARTY_RE = re.compile(r"\s*\(([^()\n]{1,40})\)")
_PARTIES = {
    "spd", "cdu", "csu", "fdp", "grüne", "die grünen", "grünen", "bündnis 90/die grünen", "linke",
    "die linke", "afd", "volt", "bsw", "ödp", "piraten", "die partei", "freie wähler", "fw", "uwg",
    "wir", "bürgerliste", "zentrum", "parteilos", "parteilose", "parteiloser",
}


# ---------------------------------------------------------------------------
# Entity clean-up (robustness against NER output)
# ---------------------------------------------------------------------------

_NAME_TOKEN = r"(?:[A-ZÄÖÜÇŞĞİ][^\W\d_A-ZÄÖÜ]+(?:-[A-ZÄÖÜ][^\W\d_A-ZÄÖÜ]+)?)"
_NAME_RUN = rf"{_NAME_TOKEN}(?:[ ](?:(?:van|von|de|ten|ter|van der|van den|de la)[ ])?{_NAME_TOKEN}){{1,2}}"
_TITLES = r"(?:(?:Prof|Dr|Dipl|PD)\.(?:-Ing\.)?[ ](?:(?:med|rer\. ?nat|phil|jur|h\. ?c)\.[ ])*)*"
_LEADING_TITLES_RE = re.compile(r"(?:(?:Prof|Dr|Dipl|PD)\.(?:-Ing\.)?\s+(?:(?:med|rer\. ?nat|phil|jur|h\. ?c)\.\s+)*)+")
_AFTER_NAME = r"(?=[\s.,;:!?)“”\"«]|$)"
_TITLED_NAME_RE = re.compile(rf"[ ]{_TITLES}({_NAME_RUN}){_AFTER_NAME}")
_TITLED_SURNAME_RE = re.compile(rf"[ ]{_TITLES}({_NAME_TOKEN}){_AFTER_NAME}")
_TITLE_NAME_RE = re.compile(rf"(?<![^\s(„])(?:Prof|Dr)\.[ ]{_TITLES}({_NAME_RUN}){_AFTER_NAME}")
_NAME_BEFORE_RE = re.compile(rf"(?<![^\W\d_])({_NAME_RUN})(?:[ ]\([^()\n]{{1,30}}\))?$")
_APPOSITION_RE = re.compile(r",[ ]([^\W\d_]+(?:-[^\W\d_]+)*)")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_NOT_NAME_WORDS = {
    "Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "Einer", "Im", "Am", "In", "An", "Auf", "Auch",
    "Aus", "Bei", "Beim", "Mit", "Nach", "Vor", "Von", "Vom", "Zum", "Zur", "Für", "Und", "Oder", "Aber",
    "Wie", "Wer", "Was", "Wir", "Ich", "Sie", "Er", "Es", "Ihr", "Ihre", "Sein", "Seine", "Deren", "Dessen",
    "Kritik", "Stadt", "Land", "Kreis", "Rat", "Euro", "Prozent", "Montag", "Dienstag", "Mittwoch",
    "Donnerstag", "Freitag", "Samstag", "Sonntag", "Herr", "Frau", "Dr", "Prof", "Uhr", "Jahr", "Jahre",
}


def _looks_like_name(run: str) -> bool:
    toks = [t for t in run.split() if t[:1].isupper()]
    return len(toks) >= 2 and not any(t in _NOT_NAME_WORDS or is_role_word(t) for t in toks)


def prepare_entities(text: str, entities: Iterable[Any]) -> list[_Ent]:
    """The spans roles and quotes are found at (see :func:`_prepare`); pass them to both finders."""
    return _prepare(text, entities)


def _prepare(text: str, entities: Iterable[Any]) -> list[_Ent]:
    """Entities made robust for the rules (a no-op on clean gold spans).

    PER spans lose leading academic titles and role words (``Schuldezernentin Dorothee
    Brinkhaus`` -> ``Dorothee Brinkhaus``) and trailing punctuation; a PER span that is
    only a role word is dropped; an ORG/LOC after ``Dr.``/``Prof.`` becomes PER; and
    names the NER missed are added where a role or title marks them (``Kämmerin Anna
    Beispiel``, ``Dr. Anna Beispiel``, ``Anna Beispiel, Vorsitzende``).
    """
    out: list[_Ent] = []
    for e in _entities(entities):
        start, end, label = e.start, e.end, e.label
        if not (0 <= start < end <= len(text)):
            continue
        if label in ("ORG", "LOC") and re.search(r"(?:^|\s)(?:Dr|Prof)\.\s+$", text[max(0, start - 6):start]) \
                and _is_full_name(e.text):
            label = "PER"
        if label == "PER":
            stripped = False
            while True:
                m = _LEADING_TITLES_RE.match(text, start, end)
                if m and m.end() < end:
                    start = m.end()
                    continue
                w = re.match(r"([^\W\d_]+(?:-[^\W\d_]+)*)\s+([^\W\d_]+(?:-[^\W\d_]+)*)?", text[start:end])
                if w and (is_role_word(w.group(1)) or (
                        w.group(2) and (_is_title_adjective(w.group(1)) or w.group(1).endswith("s"))
                        and is_role_word(w.group(2)))):
                    start += w.end(1)
                    while start < end and text[start].isspace():
                        start += 1
                    stripped = True
                    continue
                break
            paren = re.search(r"\s*\([^()]*\)?$", text[start:end])
            if paren and paren.start() > 0:
                end = start + paren.start()
            while end > start and text[end - 1] in ".,;:!?)“”\"«»„ \n\t":
                end -= 1
            if end <= start or (is_role_word(text[start:end]) and " " not in text[start:end]):
                continue
            if stripped and " " not in text[start:end]:
                nxt = re.match(rf"[ ]({_NAME_TOKEN})(?=[\s.,;:!?)“”\"«]|$)", text[end:end + 40])
                if nxt and nxt.group(1) not in _NOT_NAME_WORDS and not is_role_word(nxt.group(1)):
                    end += nxt.end()
        out.append(_Ent(start, end, label, text[start:end]))
    out.sort(key=lambda x: (x.start, x.end))
    # a one-word LOC/ORG that is the surname of a person in the article is that person
    surnames = {e.text.split()[-1] for e in out if e.label == "PER" and _is_full_name(e.text)}
    for k, e in enumerate(out):
        if e.label in ("LOC", "ORG") and e.text in surnames:
            out[k] = _Ent(e.start, e.end, "PER", e.text)
    # a one-word "PER" right before a role word is a genitive place ("Düsseldorfs Dezernent")
    for k, e in enumerate(out):
        if e.label == "PER" and " " not in e.text and e.text.endswith("s"):
            nxt = _WORD_RE.match(text, e.end + 1) if text[e.end:e.end + 1] == " " else None
            if nxt and is_role_word(nxt.group()):
                out[k] = _Ent(e.start, e.end, "LOC", e.text)
    extra: list[_Ent] = []
    index = _Index(out, len(text))

    def free(a: int, b: int) -> bool:
        return index.free(a, b)

    def add(e: _Ent) -> None:
        extra.append(e)
        index.add(e)

    surnames = {e.text.split()[-1] for e in out if e.label == "PER" and _is_full_name(e.text)}
    for w in _WORD_RE.finditer(text):
        word = w.group()
        if is_role_word(word):
            m = _TITLED_NAME_RE.match(text, w.end())
            if m and _looks_like_name(m.group(1)) and free(*m.span(1)):
                add(_Ent(m.start(1), m.end(1), "PER", m.group(1)))
                continue
            m = _TITLED_SURNAME_RE.match(text, w.end())
            if m and m.group(1) in surnames and free(*m.span(1)):
                add(_Ent(m.start(1), m.end(1), "PER", m.group(1)))
        elif word in surnames and word not in _NOT_NAME_WORDS and free(*w.span()):
            add(_Ent(w.start(), w.end(), "PER", word))
    for m in _TITLE_NAME_RE.finditer(text):
        if _looks_like_name(m.group(1)) and free(*m.span(1)):
            add(_Ent(m.start(1), m.end(1), "PER", m.group(1)))
    for m in _APPOSITION_RE.finditer(text):
        if not is_role_word(m.group(1)):
            continue
        b = _NAME_BEFORE_RE.search(text, max(0, m.start() - 70), m.start())
        if not b:
            continue
        run, r_start = b.group(1), b.start(1)
        toks = run.split(" ")
        if len(toks) == 3 and (toks[0] in _NOT_NAME_WORDS or is_role_word(toks[0])):
            r_start += len(toks[0]) + 1
            run = " ".join(toks[1:])
        if _looks_like_name(run) and free(r_start, r_start + len(run)):
            add(_Ent(r_start, r_start + len(run), "PER", run))
    return sorted(out + extra, key=lambda x: (x.start, x.end))


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------

_ABBREVIATIONS = {
    "dr", "prof", "st", "nr", "ca", "mio", "mrd", "tsd", "bzw", "str", "abs", "vgl", "evtl", "inkl",
    "zzgl", "ggf", "usw", "etc", "jh", "jhd", "u.a", "z.b", "d.h", "o.ä", "dipl", "ing", "med", "hl",
    "sog", "bspw", "max", "min", "mind", "rd", "tel", "mo", "di", "mi", "do", "fr", "sa", "so",
}
_MONTHS = {
    "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
    "november", "dezember", "minute", "spieltag", "platz", "stock", "jahrhundert", "geburtstag",
}
_BOUNDARY_RE = re.compile(r"[.!?…]+[“”\"«»]?(?=\s+[„\"»“(]?[A-ZÄÖÜ0-9])|\n|[“”«](?=\s+[A-ZÄÖÜ„])")


def _sentence_starts(text: str) -> list[int]:
    """Offsets where sentences begin (heuristic, abbreviation- and ordinal-aware)."""
    starts = [0]
    for m in _BOUNDARY_RE.finditer(text):
        tok = m.group()
        if tok[0] == ".":
            before = re.search(r"([\w.]+)$", text[max(0, m.start() - 12):m.start()])
            word = before.group(1).lower() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if word.isdigit():
                nxt = re.match(r"\s+([^\W\d_]+)", text[m.end():])
                if nxt and nxt.group(1).lower() in _MONTHS:
                    continue
        elif tok[0] in "“”«" and m.start() > 0 and text[m.start() - 1] in ".!?…":
            continue  # already handled by the punctuation rule
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end < len(text):
            starts.append(end)
    return sorted(set(starts))


# ---------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------

def _word_before(text: str, pos: int) -> tuple[int, int] | None:
    """Span of the word (letters and inner hyphens) ending right before ``pos``."""
    m = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)*)$", text[max(0, pos - 80):pos])
    if not m:
        return None
    start = pos - len(m.group(1))
    return start, pos


def _affiliation_after(text: str, pos: int, index: _Index) -> str | None:
    """``der Stadtwerke Duisburg`` / ``vom BLB`` / ``der Fraktion der SPD`` after ``pos``."""
    m = re.match(r"\s+(?:der|des|vom|von der|von|beim|bei der|bei|im|am|aus dem|aus der)\s+"
                 r"(?:(?:[A-ZÄÖÜ][\wäöüß-]+)\s+(?:der|des)\s+)?", text[pos:pos + 60])
    if not m:
        return None
    e = next((x for x in index.by_start.get(pos + m.end(), []) if x.label in ("ORG", "LOC")), None)
    return e.text if e else None


def _party_after(text: str, pos: int, index: _Index) -> tuple[str | None, int]:
    m = _PARTY_RE.match(text, pos)
    if not m:
        return None, pos
    content = m.group(1).strip()
    is_org = any(e.label == "ORG" and e.end == m.end(1) for e in index.by_start.get(m.start(1), []))
    if content.lower() in _PARTIES or is_org:
        return content, m.end()
    return None, pos


def find_roles(text: str, entities: Iterable[Any]) -> list[Role]:
    """Role/office nouns written next to PER mentions.

    Before the name (``Kämmerin Annette Steinkamp``, ``Duisburgs Integrationsdezernent
    Dr. Tobias Reinartz``, ``Der Vorsitzende Richter Hans-Peter Limbach``) or in apposition
    after it, directly after the comma (``Holger Brandt, Fraktionsvorsitzender der FDP``).
    At most one role per mention (the one before the name wins). ``person`` is the linked
    full name; ``party`` comes from brackets after the name; ``affiliation`` is a genitive
    place/organisation before the role, an abbreviation prefix (``NRW-``), or a place/
    organisation after the role or name (``Geschäftsführer der Stadtwerke Duisburg``).
    """
    ents = _prepare(text, entities)
    if not ents:
        return []
    canon = link_mentions(ents, text)
    index = _Index(ents, len(text))
    roles: list[Role] = []
    for i, per in enumerate(ents):
        if per.label != "PER":
            continue
        person = canon[i]
        party, after_party = _party_after(text, per.end, index)
        # ---- role before the name
        role: Role | None = None
        bm = _ROLE_BEFORE_RE.search(text, max(0, per.start - 80), per.start)
        if bm and is_role_word(bm.group(1)) and not index.inside(bm.start(1)):
            r_start, r_end = bm.span(1)
            adj = _word_before(text, r_start - 1) if r_start > 0 and text[r_start - 1] == " " else None
            if adj and _is_title_adjective(text[adj[0]:adj[1]]):
                r_start = adj[0]
            affiliation = (_genitive_before(text, r_start, index) or _hyphen_prefix(bm.group(1))
                           or _affiliation_after(text, after_party, index))
            role = Role(r_start, r_end, text[r_start:r_end], per.start, per.end, person, party, affiliation)
        # ---- apposition after the name
        if role is None:
            m = re.match(r",\s+([^\W\d_]+(?:-[^\W\d_]+)*)(?:\s+([^\W\d_]+(?:-[^\W\d_]+)*))?", text[after_party:])
            if m:
                w1 = m.group(1)
                r_start = after_party + m.start(1)
                r_end = after_party + m.end(1)
                if _is_title_adjective(w1) and m.group(2) and is_role_word(m.group(2)):
                    r_end = after_party + m.end(2)
                    ok = True
                elif w1.islower() and w1.endswith(("e", "er", "en")) and m.group(2) and is_role_word(m.group(2)):
                    # "Anna Berger, stellvertretende Vorsitzende": the lowercase adjective stays outside
                    r_start, r_end = after_party + m.start(2), after_party + m.end(2)
                    ok = True
                else:
                    ok = is_role_word(w1)
                if ok and not index.inside(r_start):
                    affiliation = _hyphen_prefix(text[r_start:r_end]) or _affiliation_after(text, r_end, index)
                    role = Role(r_start, r_end, text[r_start:r_end], per.start, per.end, person, party, affiliation)
        if role is not None:
            roles.append(role)
    return roles


def _is_title_adjective(word: str) -> bool:
    return word.lower() in _TITLE_ADJECTIVES or bool(_TITLE_ADJ_RE.fullmatch(word))


def _genitive_before(text: str, pos: int, index: _Index) -> str | None:
    """``Duisburgs`` in ``Duisburgs Integrationsdezernent`` (pos = role start)."""
    j = pos
    while j > 0 and text[j - 1] == " ":
        j -= 1
    for e in index.by_end.get(j, []):
        if j < pos and e.label in ("LOC", "ORG") and e.text.endswith(("s", "’", "'")):
            return e.text
    return None


def _hyphen_prefix(word: str) -> str | None:
    if "-" in word:
        prefix = word.split("-", 1)[0]
        if _ABBREV_PREFIX_RE.match(prefix):
            return prefix
    return None


# ---------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------

_OPEN_CLOSE = {"„": "“”\"", "»": "«", "«": "»", "“": "”", "\"": "\""}
_SPEECH_VERBS = {
    "sagte", "sagt", "sagten", "sagen", "erklärte", "erklärt", "erklärten", "betonte", "betont",
    "meinte", "meint", "ergänzte", "ergänzt", "erzählte", "erzählt", "berichtete", "berichtet",
    "lobte", "lobt", "kritisierte", "kritisiert", "warnte", "warnt", "mahnte", "mahnt",
    "versprach", "verspricht", "räumte", "räumt", "kündigte", "kündigt", "fügte", "fügt",
    "so", "hieß", "heißt", "schrieb", "schreibt", "teilte", "teilt", "fragte", "fragt",
    "antwortete", "antwortet", "bekräftigte", "unterstrich", "stellte", "resümierte", "bilanzierte",
    "forderte", "fordert", "verwies", "verweist", "sprach", "spricht", "bestätigte", "bestätigt",
    "gab", "gibt", "erinnerte", "erinnert", "klagte", "klagt", "beklagte", "beklagt", "rief",
    "ruft", "schimpfte", "freute", "freut", "urteilte", "begründete", "argumentierte",
    "zitierte", "ergänzten", "erläuterte", "erläutert", "findet", "fand", "glaubt", "glaubte",
    "weiß", "wusste", "bedauerte", "bedauert", "jubelte", "lachte", "seufzte",
    "gestand", "gesteht", "kommentierte", "kommentiert", "hofft", "hoffte", "mahnten",
    "appellierte", "appelliert", "unterstreicht", "bekräftigt", "stellt", "wies", "weist",
}
_PRONOUNS = {"er": "m", "sie": "f"}
_CONJUNCTIONS = {
    "aber", "dass", "jedoch", "zudem", "auch", "noch", "außerdem", "weiter", "dann", "und", "oder",
    "doch", "denn", "weil", "wenn", "ob", "wie", "als", "sich", "zugleich",
}
_NOT_VERBS = {
    "nicht", "jetzt", "seit", "bis", "damit", "selbst", "erst", "meist", "zuletzt", "fast", "oft", "mit",
    "statt", "trotzdem", "zunächst", "derzeit", "heute", "bereits", "nachdem", "sobald", "weit", "gut",
}
_INDEFINITE = {"ein", "eine", "einer", "einem", "eines"}
_ARTICLES = {"der", "die", "das", "den", "dem", "des"}
_TITLE_NOUNS = (
    "programm", "projekt", "ausstellung", "schau", "preis", "preises", "motto", "titel", "kampagne",
    "aktion", "festival", "reihe", "inszenierung", "stück", "stücks", "buch", "buchs", "film", "films",
    "roman", "album", "serie", "initiative", "wettbewerb", "slogan", "konzept", "veranstaltung",
    "tour", "show", "oper", "musical", "lied", "song", "theaterstück", "fonds", "plan", "pakt",
    "bündnis", "netzwerk", "modell", "strategie", "gesetz", "verordnung", "produktion", "premiere",
    "kunstwerk", "werk", "werks", "zeitschrift", "zeitung", "magazin", "podcast", "sendung", "format",
    "label", "marke", "name", "namen", "schriftzug", "spielzeit",
)
_FRAGMENT_CUE_RE = re.compile(
    r"(?:\b(?:sprach|spricht|sprachen|sprechen)\b[^.!?:„“]*\bvon\s+(?:einem|einer|einen|der|dem|den)?\s*"
    r"|\b(?:nannte|nennt|nannten|bezeichnete|bezeichnet)\b[^.!?:„“]*"
    r"|\b(?:hält|hielt|halten|hielten)\b[^.!?:„“]*\bfür\s*"
    r"|\b(?:sagte|sagt|rief|ruft|meinte|meint|erklärte|erklärt|betonte|betont|schrieb|antwortete)\s*)$")
_DESCRIPTOR_RE = re.compile(r"\d+-[Jj]ährige[rn]?|[A-ZÄÖÜ][a-zäöüß]*-?[Jj]ährige[rn]?")


def _find_quote_marks(text: str) -> list[tuple[int, int, str]]:
    """(inner start, inner end, opening mark) of quotation-mark pairs within one paragraph."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN_CLOSE:
            closers = _OPEN_CLOSE[ch]
            j = i + 1
            while j < n and text[j] not in closers and not (text[j] == "\n"):
                if ch == "„" and text[j] == "„":  # unclosed, a new quote starts
                    break
                j += 1
            if j < n and text[j] in closers and j > i + 1:
                out.append((i + 1, j, ch))
                i = j + 1
                continue
        i += 1
    return out


class _Context:
    """Per-article lookup tables shared by the quote rules."""

    def __init__(self, text: str, entities: Iterable[Any], roles: list[Role] | None):
        self.text = text
        self.ents = _prepare(text, entities)
        self.canon = link_mentions(self.ents, text)
        self.pers = [(e, c) for e, c in zip(self.ents, self.canon) if e.label == "PER"]
        self.per_starts = [e.start for e, _ in self.pers]
        self.per_by_start = {e.start: (e, c) for e, c in self.pers}
        self.roles = roles if roles is not None else find_roles(text, self.ents)
        self.sent_starts = _sentence_starts(text)
        self.quote_spans: list[tuple[int, int]] = []
        self.quote_starts: list[int] = []
        self.done: list[tuple[int, int, tuple[_Ent, str] | None]] = []
        self.gender: dict[str, str] = {}
        for r in self.roles:
            g = _gender_of_role(r.text)
            if g:
                self.gender.setdefault(r.person, g)

    def set_quotes(self, spans: list[tuple[int, int]]) -> None:
        self.quote_spans = sorted(spans)
        self.quote_starts = [s for s, _ in self.quote_spans]

    def sentence_start(self, pos: int) -> int:
        k = bisect.bisect_right(self.sent_starts, pos) - 1
        return self.sent_starts[max(0, k)]

    def in_quote(self, pos: int) -> bool:
        k = bisect.bisect_right(self.quote_starts, pos) - 1
        return k >= 0 and pos < self.quote_spans[k][1]

    def antecedent(self, pos: int, gender: str | None = None) -> tuple[_Ent, str] | None:
        """Last PER mention before ``pos`` (outside quotes), preferring matching gender."""
        cands: list[tuple[_Ent, str]] = []
        k = bisect.bisect_left(self.per_starts, pos) - 1
        while k >= 0 and len(cands) < 4:
            e, c = self.pers[k]
            if e.end <= pos and not self.in_quote(e.start):
                cands.append((e, c))
            k -= 1
        if not cands:
            return None
        if gender and self.gender.get(cands[0][1], gender) != gender:
            for e, c in cands:
                if self.gender.get(c) == gender:
                    return e, c
        return cands[0]

    def role_holder(self, noun: str, pos: int) -> tuple[_Ent, str] | None:
        """The person with a role ending in ``noun`` (most recent before ``pos``)."""
        key = noun.lower()
        keys = (key, key + "r") if key.endswith("e") else (key,)  # der Vorsitzende ~ Vorsitzender
        matches = [r for r in self.roles if r.text.lower().rsplit("-", 1)[-1].split()[-1].endswith(keys)]
        if not matches:
            return None
        before = [r for r in matches if r.start < pos]
        r = before[-1] if before else matches[0]
        found = self.per_by_start.get(r.person_start)
        return (found[0], r.person) if found else None

    def per_at(self, start: int, end: int) -> tuple[_Ent, str] | None:
        """First PER mention starting in ``[start, end)``."""
        k = bisect.bisect_left(self.per_starts, start)
        if k < len(self.pers) and self.pers[k][0].start < end:
            return self.pers[k]
        return None

    def pers_in(self, start: int, end: int) -> list[tuple[_Ent, str]]:
        a = bisect.bisect_left(self.per_starts, start)
        b = bisect.bisect_left(self.per_starts, end)
        return self.pers[a:b]

    def surname(self, word: str) -> tuple[_Ent, str] | None:
        """A capitalised word that is the surname of a known person (missed by NER)."""
        bases = _strip_genitive(word)
        for e, c in reversed(self.pers):
            if c != word and any(c.endswith(" " + b) for b in bases):
                return e, c
        return None


def _gender_of_role(role: str) -> str | None:
    head = role.split()[-1].lower()
    if head.endswith(("in", "frau")) and not head.endswith(("rabbin",)):
        return "f"
    if head.endswith(("er", "ent", "or", "ant", "at", "walt", "arzt", "herr", "chef", "ist", "mann")):
        return "m"
    return None


def _speaker_after(ctx: _Context, close_end: int, q_start: int) -> tuple[str, tuple[_Ent, str] | None] | None:
    """Attribution after the closing mark: ``“, sagte X`` / ``“, so X`` / ``“, erklärte sie``.

    Returns ``("found", speaker-or-None)`` or None when there is no attribution.
    """
    text = ctx.text
    m = re.match(r"\s*(?:,|[–—-])\s*([^\W\d_]+)\s+", text[close_end:close_end + 40])
    if not m:
        return None
    verb = m.group(1)
    known = verb in _SPEECH_VERBS
    if not known and not (verb.islower() and verb.endswith(("te", "t")) and verb not in _NOT_VERBS):
        return None
    pos = close_end + m.end()
    # window: until end of the sentence (or 90 chars)
    stop = pos + 90
    for k in ctx.sent_starts:
        if k > pos:
            stop = min(stop, k)
            break
    window = text[pos:stop]
    first = re.match(r"([^\W\d_]+(?:-[^\W\d_]+)*)", window)
    if not first:
        return None
    w = first.group(1)
    if w.lower() in _CONJUNCTIONS:
        return None  # "„…“, kritisierte aber, dass …": a new clause, not an attribution
    if w in _PRONOUNS:
        return "found", ctx.antecedent(q_start, _PRONOUNS[w])
    if w.lower() in _INDEFINITE:
        return "found", None
    per = ctx.per_at(pos, stop)
    if per is not None:
        between = text[pos:per[0].start]
        # the name must come before any comma/clause break (allow roles, articles, titles),
        # or follow "der Vorsitzende des Vereins, " as an apposition
        if "," not in between and ";" not in between and len(between) <= 70:
            return "found", per
        head = re.match(r"(?:der|die)\s+([^,;]{1,60}),\s+(?:(?:Prof|Dr)\.\s+)*$", between)
        if head and any(is_role_word(x) for x in head.group(1).split()[:3]):
            return "found", per
    if w.lower() in _ARTICLES:
        noun = re.match(r"[^\W\d_]+\s+(?:[a-zäöüß]+\s+|(?:[A-ZÄÖÜ][a-zäöüß]+er)\s+)*([^\W_]+(?:-[^\W\d_]+)*)", window)
        if noun:
            n = noun.group(1)
            if _DESCRIPTOR_RE.fullmatch(n):
                gender = "f" if w.lower() == "die" else "m"
                return "found", ctx.antecedent(q_start, gender)
            if is_role_word(n):
                return "found", ctx.role_holder(n, q_start)
        return "found", None
    if w[0].isupper():
        sur = ctx.surname(w)
        if sur:
            return "found", sur
    return ("found", None) if known else None


def _subject_before(ctx: _Context, q_open: int) -> tuple[_Ent, str] | None:
    """Speaker of ``X sagte: „…“`` or ``X sprach von einem „…“``: the subject of the sentence."""
    s = ctx.sentence_start(q_open)
    if s >= q_open:
        s = ctx.sentence_start(max(0, q_open - 1))
    clause = ctx.text[s:q_open]
    first = re.match(r"\s*([^\W\d_]+)", clause)
    if first and first.group(1) in ("Er", "Sie"):
        return ctx.antecedent(s, "m" if first.group(1) == "Er" else "f")
    for e, c in ctx.pers_in(s, q_open):
        if not ctx.in_quote(e.start):
            return e, c
    # "„…“, sagte er und fügte hinzu: „…“": the speaker of the earlier quote in this sentence
    for q_start, q_end, spk in reversed(ctx.done):
        if q_start < s:
            break
        if q_end < q_open:
            return spk
    pm = re.search(r"\b(er|sie)\b", clause)
    if pm:
        return ctx.antecedent(s + pm.start(), _PRONOUNS[pm.group(1)])
    rm = re.match(r"\s*(?:Der|Die)\s+(?:[a-zäöüß]+\s+)*([A-ZÄÖÜ][^\W\d_]+)", clause)
    if rm and is_role_word(rm.group(1)):
        return ctx.role_holder(rm.group(1), q_open)
    return None


def _is_title_noun(word: str) -> bool:
    w = word.lower()
    return any(x.endswith(_TITLE_NOUNS) for x in (w, w[:-1] if w.endswith("s") else w,
                                                   w[:-2] if w.endswith("es") else w))


def _is_title(text: str, q_open: int, inner: str) -> bool:
    """A quoted name of a programme, exhibition, prize or work (``Landesprogramm „…“``)."""
    if not inner[:1].isupper() and not inner[:1].isdigit():
        return False
    before = text[max(0, q_open - 60):q_open]
    words = re.findall(r"[^\W\d_]+", before)
    if words:
        last = words[-1]
        prev = [w.lower() for w in words[-3:]]
        if last[0].isupper() and _is_title_noun(last):
            return True
        if last.lower() in _ARTICLES | {"im", "zum", "zur", "beim", "vom"} and len(prev) >= 2 and \
                _is_title_noun(prev[-2]):
            return True
        # "der „Zauberflöte“": article right before a short capitalised name
        if last.lower() in _ARTICLES | {"im", "zum", "zur", "beim", "vom"} and len(inner.split()) <= 4 \
                and inner[:1].isupper() and not inner.rstrip().endswith((".", "!", "?")):
            return True
    return False


def find_quotes(text: str, entities: Iterable[Any], roles: list[Role] | None = None) -> list[Quote]:
    """Quotations („…“, "…", »…«, “…”) with their speakers.

    Attribution, in order: a speech verb after the closing mark (``“, sagte Reinartz``,
    ``“, so Baumeister``, ``“, erklärte sie``, ``“, betonte der Bürgermeister``); the subject
    of the sentence that introduces the quote with a colon or embeds a fragment
    (``Wienands betonte: „…“``, ``Brockhoff sprach von einem „…“``); otherwise the last
    person mentioned before the quote. Pronouns resolve to the last PER mention before the
    quote (a role's grammatical gender breaks ties), surnames to the full name, role-only
    speakers to the holder of that role in the article, ``ein Sprecher`` to ``None``.
    Quoted titles (programmes, exhibitions, prizes, works) and fragments without a verb
    of saying are not quotes. ``roles`` may be passed to avoid recomputing them.
    """
    ctx = _Context(text, entities, roles)
    marks = _find_quote_marks(text)
    ctx.set_quotes([(s, e) for s, e, _ in marks])
    out: list[Quote] = []
    for start, end, _mark in marks:
        inner = text[start:end]
        if not inner.strip() or not any(c.isalpha() for c in inner):
            continue
        q_open = start - 1
        close_end = end + 1
        after = _speaker_after(ctx, close_end, q_open)
        before_text = text[max(0, q_open - 120):q_open]
        colon = bool(re.search(r":\s*$", before_text))
        fragment = inner[:1].islower() or (not inner.rstrip().endswith((".", "!", "?", "…")) and not colon and
                                          after is None and bool(re.search(r"[^\W\d_],?\s*$", before_text)))
        speaker: tuple[_Ent, str] | None
        if after is not None:
            if _is_title(text, q_open, inner) and len(inner.split()) <= 6 and not inner.rstrip().endswith(
                    (".", "!", "?")):
                continue
            speaker = after[1]
        elif colon:
            speaker = _subject_before(ctx, q_open)
        elif fragment:
            if _is_title(text, q_open, inner):
                continue
            sent = text[max(ctx.sentence_start(q_open), q_open - 200):q_open]
            if not _FRAGMENT_CUE_RE.search(sent):
                continue
            speaker = _subject_before(ctx, q_open)
            if speaker is None:
                continue  # "Die Stadt nennt sich „Sportstadt“": a label, not something a person said
        else:
            if _is_title(text, q_open, inner):
                continue
            speaker = ctx.antecedent(q_open)
        ctx.done.append((start, end, speaker))
        if speaker is None:
            out.append(Quote(start, end, inner))
        else:
            ent, name = speaker
            out.append(Quote(start, end, inner, name, ent.start, ent.end))
    return out


def find_facts(text: str, entities: Iterable[Any]) -> dict[str, Any]:
    """Roles, quotes and canonical names of one article, as plain dicts (JSON-ready)."""
    ents = _prepare(text, entities)
    roles = find_roles(text, ents)
    quotes = find_quotes(text, ents, roles)
    canon = link_mentions(ents, text)
    return {
        "version": FACTS_VERSION,
        "roles": [r.to_dict() for r in roles],
        "quotes": [q.to_dict() for q in quotes],
        "mentions": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text, "canonical": c}
                     for e, c in zip(ents, canon)],
    }
