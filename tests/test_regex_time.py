"""Every regular expression of the package runs in linear time: adversarial input, CPU bound.

Each pattern gets strings built from the pieces it is made of, repeated to 10,000
characters (the shapes that make a backtracking engine explode), and must finish in well
under a second of CPU. One test per pattern, so a regression names its pattern.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from realpolitik.events.polarity import event_date
from realpolitik.ingest import find_cites, find_datelines, read_source, sniff
from realpolitik.ingest.cites import clean_name
from realpolitik.ingest.datelines import _clean_agency
from realpolitik.ingest.html import _drop_hidden, _fallback
from realpolitik.ingest.language import guess_language
from realpolitik.ingest.plaintext import (
    cap_ratio,
    clean_body,
    is_boilerplate,
    is_trailer,
    parse_plaintext,
    unbullet,
)

SIZE = 10_000
BOUND = 1.0  # seconds of CPU for 10,000 characters: generous, linear code takes milliseconds

# Pieces of the patterns' alphabets: words, separators, dashes, digits, quotes, tags.
UNITS = ["A-", "A", "A ", "A.", "A'", "A’", "A / ", "A, ", "AB-", "A -", "Ab.&", "A and ",
         "A of ", "St. ", "\nA-A ", ". A", "\"A ", "(", "((", ") ", "-", "- ", "—", " ",
         "\n", "\t", "1", "1 ", "12 ", "Dec 1 ", "1 Dec ", "Dec. 1, ", "2025-", "Reuters ",
         "(Reuters) ", "report by the ", "the newspaper ", "according to ", "told ",
         "Monday ", "on Monday ", "this ", "newspaper ", "The ", "1 min ", "share ",
         "share on ", "© ", "copyright ", "read more ", "tags:", "comments ", "by ",
         "<", "<title", "<title>", "<script", "<script>", "</script", "<p>", "&amp;",
         "Aaaaaaaaaa", "aaaa ", "A-a-", "A.a.", "Ab ", "ÀÉ-"]
PREFIXES = ["", "\n", ". ", "CARACAS, "]


def adversarial() -> list[str]:
    """Every unit repeated to SIZE characters, behind every prefix, plus a closing tail."""
    out = []
    for unit in UNITS:
        body = unit * (SIZE // len(unit))
        out += [p + body for p in PREFIXES]
        out.append(body + " x")
        out.append(body + "\u2013 Officials said")
    return out


def assert_fast(fn: Callable[[str], object], bound: float = BOUND) -> None:
    for text in adversarial():
        start = time.process_time()
        fn(text)
        spent = time.process_time() - start
        assert spent < bound, f"{spent:.2f} s CPU on {text[:30]!r}... ({len(text)} chars)"


def test_dateline_pattern_is_linear():
    assert_fast(find_datelines)


def test_dateline_agency_cleaning_is_linear():
    assert_fast(_clean_agency)


def test_cite_patterns_are_linear():
    assert_fast(find_cites)


def test_cite_name_cleaning_is_linear():
    assert_fast(clean_name)


def test_boilerplate_line_patterns_are_linear():
    assert_fast(lambda s: [is_boilerplate(s[:n]) for n in (60, 120, 121, len(s))])


def test_boilerplate_trailer_patterns_are_linear():
    assert_fast(lambda s: [is_trailer(s[:n]) for n in (100, 200, 201, len(s))])


def test_bullet_and_capital_patterns_are_linear():
    assert_fast(lambda s: (unbullet(s), cap_ratio(s)))


def test_plaintext_layout_is_linear():
    assert_fast(lambda s: (parse_plaintext(s), clean_body(s)))


def test_html_fallback_patterns_are_linear():
    assert_fast(lambda s: (_drop_hidden(s), _fallback(s)))


def test_sniffing_and_language_are_linear():
    assert_fast(lambda s: (sniff(s), guess_language(s)))


def test_coder_date_patterns_are_linear():
    assert_fast(lambda s: event_date(s, dt.date(2025, 12, 2), "asserted"))


def test_datelines_still_found_after_the_rewrite():
    found = find_datelines("CARACAS, Dec. 2, 2025 (Reuters) - Venezuela said.")
    assert found[0].places == ["Caracas"] and found[0].agency == "Reuters"
    assert found[0].date == dt.date(2025, 12, 2)
    assert find_datelines("PORT-AU-PRINCE — Officials said.")[0].places == ["Port-Au-Prince"]
    assert find_datelines("ST. PETERSBURG, Dec 2 (TASS) - x")[0].places == ["St. Petersburg"]
    assert clean_name("Reuters on Monday") == "Reuters"
    assert clean_name("El País last Sunday") == "El País"


@pytest.mark.parametrize("suffix", [".txt", ""])
def test_dashed_dateline_file_is_read_in_under_a_second(tmp_path: Path, suffix: str):
    path = tmp_path / f"dashes{suffix}"
    path.write_text("A-" * (SIZE // 2) + "\n\nVenezuela said on Tuesday it would talk.\n")
    start = time.process_time()
    read_source(str(path))
    assert time.process_time() - start < BOUND
