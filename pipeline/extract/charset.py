"""Bytes to text: byte order marks, declared charsets checked against the data, a windows-1252
fallback for invalid bytes, and repair of UTF-8 that was decoded as windows-1252 (mojibake)."""

from __future__ import annotations

import codecs
import re

from .record import MAX_INPUT_CHARS

# windows-1252 as browsers decode it: the five undefined bytes map to C1 controls.
_CP1252_TABLE: tuple[str, ...] = tuple(
    bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in range(256)
)


def _cp1252_error_handler(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode offending bytes one by one as windows-1252."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    chunk = err.object[err.start:err.end]
    return "".join(_CP1252_TABLE[b] for b in chunk), err.end


codecs.register_error("newsmine-cp1252", _cp1252_error_handler)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_:.+-]{1,40})""", re.I)
_UTF8_SEQ_RE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")
_LATIN1_ALIASES = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "us-ascii", "ascii",
                   "iso-ir-100", "ibm819", "cp819", "csisolatin1", "iso_8859-1:1987", "x-cp1252"}


def _normalize_charset(name: str | None) -> str | None:
    """Return a Python codec name for a declared charset label, or None if unusable."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _LATIN1_ALIASES or label in ("windows-1252", "cp1252"):
        return "windows-1252"  # as browsers do (WHATWG encoding standard)
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8", "utf8mb4", "x-unicode20utf8"):
        return "utf-8"
    if label in ("utf-7", "utf7", "x-user-defined", "replacement"):
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return "windows-1252" if info.name == "cp1252" else info.name


def _sniff_charset(data: bytes) -> str | None:
    """The charset named by an XML declaration or ``<meta charset>``/http-equiv, if any."""
    head = data[:65536]
    m = _XML_DECL_RE.search(head) or _META_CHARSET_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def decode_bytes(data: bytes, declared_charset: str | None) -> tuple[str, str, list[str]]:
    """Decode page bytes; return ``(text, charset, warnings)``. Never raises."""
    warnings: list[str] = []
    if len(data) > MAX_INPUT_CHARS:
        data = data[:MAX_INPUT_CHARS]
        warnings.append(f"input truncated to {MAX_INPUT_CHARS} bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding, warnings

    declared: list[str] = []
    for label, from_meta in ((declared_charset, False), (_sniff_charset(data), True)):
        if not label:
            continue
        codec = _normalize_charset(label)
        if codec is None:
            warnings.append(f"unknown charset {label.strip()[:40]!r} ignored")
            continue
        if from_meta and codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"  # a page that can declare it in ASCII is not UTF-16
        if codec not in declared:
            declared.append(codec)

    # Encodings that are not ASCII-compatible must be tried first (UTF-8 would "work").
    for codec in declared:
        if codec.startswith(("utf-16", "utf-32")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                text = ""
            if "<" in text[:2048]:
                return text, codec, warnings
            warnings.append(f"declared charset {codec} does not match the data")

    # UTF-8 that decodes strictly is almost never anything else.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        others = [c for c in declared if c != "utf-8" and not c.startswith(("utf-16", "utf-32"))]
        if others and _HIGH_BYTE_RE.search(data):
            warnings.append(f"declared charset {others[0]} ignored: data is valid utf-8")
        return text, "utf-8", warnings

    for codec in declared:
        if codec == "utf-8" or codec.startswith(("utf-16", "utf-32")):
            continue
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if "utf-8" in declared:
            warnings.append(f"declared charset utf-8 does not match the data; using {codec}")
        return text, codec, warnings

    valid = len(_UTF8_SEQ_RE.findall(data))
    high = len(_HIGH_BYTE_RE.findall(data))
    invalid = high - 2 * valid  # rough: most valid sequences are two bytes long
    if valid and valid >= invalid:
        warnings.append("charset fallback utf-8 with windows-1252 for invalid bytes")
        return data.decode("utf-8", errors="newsmine-cp1252"), "utf-8", warnings
    warnings.append("charset fallback windows-1252")
    return data.decode("cp1252", errors="newsmine-cp1252"), "windows-1252", warnings


def decode_html(data: bytes, declared_charset: str | None = None) -> tuple[str, str]:
    """Decode the bytes of an HTML page; return ``(text, charset used)``.

    Order: byte order mark, then the declared charset (``declared_charset``, e.g. from
    the HTTP header, then ``<meta charset>``/http-equiv), validated against the data:
    bytes that decode strictly as UTF-8 are taken as UTF-8 whatever the page claims,
    and bytes that claim UTF-8 but are not valid UTF-8 fall back to windows-1252
    (a superset of ISO-8859-1, so ``ä ö ü ß`` come out right). Never raises.
    """
    if isinstance(data, str):
        return data, "unicode"
    try:
        text, charset, _ = decode_bytes(bytes(data), declared_charset)
    except Exception:  # noqa: BLE001 - decoding must never fail
        return bytes(data).decode("utf-8", errors="replace"), "utf-8"
    return text, charset


# Mojibake: UTF-8 bytes decoded as windows-1252 ("Ã¤" for "ä", "â€ž" for "„").
_CONT_CHARS = "".join(re.escape(_CP1252_TABLE[b]) for b in range(0x80, 0xC0))
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00f4](?:(?<=[\u00c2-\u00df])[{_CONT_CHARS}]|(?<=[\u00e0-\u00ef])[{_CONT_CHARS}]{{2}}"
    f"|(?<=[\u00f0-\u00f4])[{_CONT_CHARS}]{{3}})"
)
"""A lead byte's character and its continuation bytes' characters. Written with one character class first
(the lead, then which lead it was), which the regex engine scans for at the speed of a string search:
as three alternatives it tried each at every position, five times slower on the pages that reach it."""
_CP1252_REVERSE = {ch: i for i, ch in enumerate(_CP1252_TABLE) if i >= 0x80}


def _repair_one(m: re.Match[str]) -> str:
    s = m.group(0)
    try:
        fixed = bytes(_CP1252_REVERSE[c] for c in s).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return s
    cp = ord(fixed)
    # Only characters a German page plausibly contains (avoids "ß«" -> an N'Ko letter).
    if 0xA0 <= cp <= 0x24F or 0x2000 <= cp <= 0x206F or cp in (0x20AC, 0x2122):
        return fixed
    return s


def repair_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8-read-as-windows-1252 sequences; return ``(text, number repaired)``."""
    count = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal count
        fixed = _repair_one(m)
        if fixed != m.group(0):
            count += 1
        return fixed

    if "\u00c3" not in text and "\u00c2" not in text and "\u00e2" not in text and "\u00c5" not in text:
        return text, 0
    return _MOJIBAKE_RE.sub(sub, text), count
