"""Provenance text that is safe to store in a results file: no credentials, no API keys.

A layer's source (a QGIS data-source URI such as ``type=xyz&url=https://…?key=SECRET`` or
``contextualWMSLegend=0&crs=EPSG:3857&password=…&url=…``, or a plain URL or path) goes into
the GeoPackage's metadata, which analysts share. Everything here is pure stdlib so that it
can be tested without QGIS.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: URI keys and URL query parameters whose values are secrets (compared case-insensitively,
#: ignoring ``-`` and ``_``): passwords, tokens, API keys, signatures, auth configurations.
SECRET_NAMES = frozenset({
    "password", "passwd", "pwd", "pass", "username", "user", "authcfg", "token", "accesstoken",
    "apikey", "key", "apitoken", "secret", "clientsecret", "clientid", "signature", "sig",
    "subscriptionkey", "authkey", "auth", "session", "sessionid", "credential", "credentials",
    "xamzcredential", "xamzsignature", "xamzsecuritytoken", "code", "ticket", "privatetoken",
})
REDACTED = "REDACTED"


def is_secret_name(name: str) -> bool:
    """Whether a URI key or query parameter named ``name`` holds a secret."""
    plain = re.sub(r"[-_\s]", "", name).lower()
    return plain in SECRET_NAMES or plain.endswith(("password", "token", "secret", "apikey"))


def strip_url(url: str) -> str:
    """``url`` without user:password@ and with secret query parameters redacted."""
    parts = urlsplit(url)
    if not parts.scheme or not (parts.netloc or parts.scheme == "file"):
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    query = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, REDACTED if is_secret_name(k) and v else v) for k, v in query]
    # keep {z}/{x}/{y} placeholders readable
    new_query = urlencode(cleaned, safe="{}/:,") if query else parts.query
    return urlunsplit((parts.scheme, host, parts.path, new_query, parts.fragment))


def _looks_like_uri(source: str) -> bool:
    return "=" in source and not urlsplit(source).scheme.startswith("http") and (
        "url=" in source or "&" in source or source.startswith(("type=", "contextual")))


_QUOTED_PAIR = re.compile(r"([A-Za-z][\w:-]*)='((?:[^'\\]|\\.)*)'\s*")


def _strip_quoted_pairs(source: str) -> str:
    def clean(match: "re.Match[str]") -> str:
        key, value = match.group(1), match.group(2)
        if is_secret_name(key):
            return ""
        if key.lower() in ("url", "referer"):
            value = strip_url(value)
        return f"{key}='{value}' "

    return _QUOTED_PAIR.sub(clean, source).strip()


def strip_credentials(source: str) -> str:
    """A layer source (QGIS URI, URL or path) safe to share: secrets removed or redacted.

    QGIS data-source URIs are ``key=value`` pairs joined by ``&`` whose ``url`` value is
    percent-encoded; the URL inside is cleaned too.
    """
    source = source.strip()
    if _QUOTED_PAIR.search(source):  # QgsDataSourceUri style: key='value' key='value'
        return _strip_quoted_pairs(source)
    if not _looks_like_uri(source):
        return strip_url(source)
    kept: List[str] = []
    for item in source.split("&"):
        key, sep, value = item.partition("=")
        if not sep:
            kept.append(item)
            continue
        if is_secret_name(key):
            continue  # credentials of the connection itself: dropped
        if key.lower() == "url":
            value = quote(strip_url(unquote(value)), safe=":/{}@,")
        if key.lower() in ("http-header:referer", "referer"):
            value = strip_url(value)
        kept.append(f"{key}={value}")
    return "&".join(kept)


def round_gsd(gsd_m: Optional[float]) -> Optional[float]:
    """A GSD with two significant digits (0.07436600960392922 -> 0.074, 0.15 -> 0.15)."""
    if gsd_m is None or not isinstance(gsd_m, (int, float)) or gsd_m <= 0 or math.isnan(gsd_m):
        return None
    return float(f"{gsd_m:.2g}")


def history_lines(record: Mapping[str, Any]) -> List[str]:
    """``key: value`` lines of a provenance record, empty values left out."""
    lines = []
    for key, value in record.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        lines.append(f"{key}: {value}")
    return lines


def describe_source(name: str, source: str, provider: str) -> Dict[str, str]:
    """What the results came from, as stored in provenance."""
    return {"layer": name, "provider": provider, "source": strip_credentials(source)}


__all__ = ["strip_credentials", "strip_url", "is_secret_name", "round_gsd", "history_lines",
           "describe_source", "REDACTED"]
