"""URL helpers: canonical form for de-duplication, scheme and private-address checks."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "article_url", "canonicalize", "is_http_url", "is_private_host", "same_site"]

DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters (compared lower-case) that only track the reader; dropped by :func:`canonicalize`.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "wt_mc", "wt.mc_id", "wt_zmc", "wtmc", "ref", "ref_src", "referrer", "cmp", "icid", "ito", "xtor",
    "at_medium", "at_campaign", "at_format", "at_creation", "at_link", "at_platform", "at_variant",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "s_cid", "sc_cid", "smid",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "ns_", "wt_")
#: Query parameters that only ask for the AMP rendering of a page.
AMP_PARAMS = frozenset({"amp", "outputtype"})

_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def _drop_param(key: str, value: str) -> bool:
    k = unquote_plus(key).strip().lower()
    if k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES):
        return True
    if k == "amp":
        return value.lower() in {"", "1", "true", "yes"}
    if k == "outputtype":
        return unquote_plus(value).lower() == "amp"
    return False


def _strip_amp_path(path: str) -> str:
    while True:
        before = path
        lower = path.lower()
        if lower.endswith(".amp.html"):
            path = path[: -len(".amp.html")] + ".html"
        elif lower.endswith(".amp.htm"):
            path = path[: -len(".amp.htm")] + ".htm"
        elif lower.endswith("/amp/"):
            path = path[: -len("amp/")]
        elif lower.endswith("/amp"):
            path = path[: -len("/amp")] or "/"
        if path == before:
            return path


def canonicalize(url: str) -> str:
    """Canonical form of an http(s) URL, for de-duplication.

    Lower-cases scheme and host, drops default ports, the fragment, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, ``ref``, ...) and AMP markers (``/amp``, ``?amp=1``,
    ``.amp.html``, ``outputType=amp``), and sorts the remaining query parameters without
    re-encoding them. Other URLs are returned stripped of surrounding whitespace.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    path = _strip_amp_path(parts.path or "/") or "/"
    params = []
    for item in parts.query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        if not _drop_param(key, value):
            params.append(item)
    params.sort()
    return urlunsplit((scheme, netloc, path, "&".join(params), ""))


def _site(url: str) -> tuple[str, int | None] | None:
    """(host without a leading ``www.``, port) of an http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    return host.removeprefix("www."), port or DEFAULT_PORTS[parts.scheme.lower()]


def same_site(url: str, other: str) -> bool:
    """True when two http(s) URLs are on one site: the same host (``www.`` ignored) or one a subdomain
    of the other (``m.waz.de`` and ``www.waz.de``), on the same port. IP addresses must be equal."""
    a, b = _site(url), _site(other)
    if a is None or b is None or a[1] != b[1]:
        return False
    if a[0] == b[0]:
        return True
    if _literal_ip(a[0]) is not None or _literal_ip(b[0]) is not None:
        return False
    return a[0].endswith("." + b[0]) or b[0].endswith("." + a[0])


def _is_ancestor_path(path: str, of: str) -> bool:
    """True when ``path`` names a folder above ``of`` (``/lokales/duisburg/`` above ``/lokales/duisburg/a.html``)."""
    folder = path if path.endswith("/") else path + "/"
    return of != path and of.startswith(folder)


def article_url(page_url: str, claimed: str | None) -> str:
    """The URL an article is stored under: the page's own URL (canonical form), or the canonical URL the
    page names (``<link rel=canonical>``, ``og:url``, JSON-LD) where that claim can be trusted.

    A claim is trusted only on the page's own site (:func:`same_site`; a page on another host cannot
    take over an article's URL) and not when it names a folder above the page (a section page such as
    ``/lokales/duisburg/`` that every article of the section names). A local file (``file:``) may name
    any http(s) URL: it is a saved copy of that page. Whether the URL already holds a different text
    is decided where the database is (:class:`pipeline.run.Writer`).
    """
    own = canonicalize(page_url) if is_http_url(page_url) else page_url
    if not claimed or not is_http_url(claimed):
        return own
    canonical = canonicalize(claimed)
    if not is_http_url(page_url):
        return canonical if page_url.lower().startswith("file:") else own
    if not same_site(own, canonical):
        return own
    if _is_ancestor_path(urlsplit(canonical).path, urlsplit(own).path):
        return own
    return canonical


def is_http_url(url: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Shorthand IPv4 forms that the C resolver accepts without DNS: 127.1, 0x7f000001, 2130706433.
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def ip_is_private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for loopback, private, link-local, shared, reserved, multicast or unspecified addresses."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip_is_private(ip.ipv4_mapped)
        if ip.sixtofour is not None and ip_is_private(ip.sixtofour):
            return True
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def is_private_host(host: str) -> bool:
    """True if ``host`` is ``localhost`` or a literal IP that is not publicly routable.

    Accepts a bare host, a bracketed IPv6 literal or ``host:port``-free netlocs; names other
    than ``localhost`` (and ``*.localhost``) are not resolved and count as public.
    """
    h = (host or "").strip().lower().rstrip(".")
    if h.startswith("[") and "]" in h:
        h = h[1:h.index("]")]
    h = h.split("%", 1)[0]  # IPv6 zone id
    if not h:
        return False
    if h == "localhost" or h.endswith(".localhost"):
        return True
    ip = _literal_ip(h)
    return ip is not None and ip_is_private(ip)
