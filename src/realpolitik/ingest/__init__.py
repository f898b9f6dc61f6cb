"""Ingest: news files (text, HTML, feeds, JSONL, CSV) to Article records.

A source is read whole or not at all: ``read_source`` returns either all its
articles or one IngestProblem saying, in a sentence naming the file, what is
wrong. It never raises for bad input, so a batch run can report and go on.
"""

from realpolitik.ingest.cites import find_cites
from realpolitik.ingest.datelines import Dateline, find_datelines, parse_date, strip_datelines
from realpolitik.ingest.language import guess_language
from realpolitik.ingest.plaintext import ParsedText, parse_plaintext
from realpolitik.ingest.reader import (
    IngestLimits,
    SourceResult,
    build_article,
    entry_article,
    entry_date,
    html_article,
    iter_sources,
    parse_feed,
    read_source,
    sniff,
)

__all__ = [
    "Dateline",
    "IngestLimits",
    "ParsedText",
    "SourceResult",
    "build_article",
    "entry_article",
    "entry_date",
    "find_cites",
    "find_datelines",
    "guess_language",
    "html_article",
    "iter_sources",
    "parse_date",
    "parse_feed",
    "parse_plaintext",
    "read_source",
    "sniff",
    "strip_datelines",
]
