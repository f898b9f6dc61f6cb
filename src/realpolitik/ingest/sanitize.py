"""Make untrusted strings safe to store and to print: names, text fields, URLs.

* ``display_name``: a file name as one printable line (newlines, escape codes, CR, BEL,
  bidirectional overrides and undecodable bytes shown as escapes), for error lines and logs.
* ``clean_text``: lone surrogates (from JSON ``\\ud800`` or ``&#xD800;``) become U+FFFD, so
  text always encodes as UTF-8.
* ``bounded``: a metadata field on one line and at most a given length.
* ``http_url``: the URL if it is http(s) and of sane length, else None.
"""

from __future__ import annotations

import os
import re
import unicodedata

# Lone surrogates: in a Python str every code point in this range is unpaired.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Format characters that reorder or hide text (Unicode category Cf covers the bidi
# controls, zero-width characters and the BOM), plus line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
MAX_URL = 2_000
FIELD_LIMITS = {"title": 1_000, "summary": 5_000, "outlet": 200, "date": 60}


def display_name(path: str) -> str:
    """``path`` as one printable line: unprintable characters and backslashes escaped."""
    raw = os.fsencode(path).decode("utf-8", "surrogateescape")
    if raw.isprintable() and "\\" not in raw:
        return raw
    return "".join(_escape(ch) for ch in raw)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if ch == "\\":
        return "\\\\"
    if unicodedata.category(ch) not in _INVISIBLE:
        return ch
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        ch, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (always encodable as UTF-8)."""
    return _SURROGATE.sub("\ufffd", text)


def bounded(value: str | None, limit: int) -> str | None:
    """A metadata value on one line, whitespace collapsed, cut to ``limit`` characters."""
    if value is None:
        return None
    value = " ".join(clean_text(value[: limit * 4]).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value or None


def http_url(value: str | None) -> str | None:
    """The URL when it is an http(s) URL without spaces or control characters, else None."""
    if not value:
        return None
    value = value.strip()
    if len(value) > MAX_URL or not value.isprintable() or " " in value:
        return None
    scheme, sep, rest = value.partition(":")
    if not sep or scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        return None
    return value
