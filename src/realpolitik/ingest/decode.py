"""Bytes to text, refusing binary files and text whose encoding cannot be trusted."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


class IngestError(Exception):
    """Why a source cannot be ingested; the message is a phrase, the file name is added later."""


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}
_SNIFF = 1 << 20
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 5% control characters in the first 8 KB."""
    head = data[:8192]
    return b"\x00" in data or sum(b in _CONTROL for b in head) > 0.05 * len(head)


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with BOM, or a clearly detected charset."""
    if not data.strip():
        raise IngestError("is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"unknown text encoding (bad {encoding}: {exc.reason})") from exc
    if looks_binary(data):
        raise IngestError("looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    results = from_bytes(data[:_SNIFF])
    best = results.best()
    encoding = best.encoding if best is not None else None
    if best is not None:  # near-ties are common on short text; Western European is likeliest
        near = (r for r in results if r.chaos <= best.chaos + 0.02)
        encoding = next((e for r in near for e in r.could_be_from_charset if e in _PREFERRED),
                        encoding)
    if best is None or encoding is None or best.chaos > 0.1:
        raise IngestError("unknown text encoding (not UTF-8 and no coherent charset detected)")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(f"unknown text encoding (guessed {encoding}, which fails)") from exc
    if not _looks_like_prose(text):
        raise IngestError(f"unknown text encoding (as {encoding} it decodes to no words)")
    return text


def _looks_like_prose(text: str) -> bool:
    """A guessed charset must give words: letters and spaces, not a run of symbols."""
    sample = text[:4096]
    wordish = sum(ch.isalpha() or ch.isspace() for ch in sample)
    return " " in sample and wordish >= 0.8 * len(sample)
