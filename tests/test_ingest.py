"""Ingest: formats, plain-text layouts, datelines, cites, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import yaml

from realpolitik.ingest import (
    IngestLimits,
    find_cites,
    find_datelines,
    guess_language,
    iter_sources,
    parse_date,
    read_source,
)
from realpolitik.ingest.plaintext import boilerplate_patterns, is_boilerplate, is_trailer
from realpolitik.records import content_id

FIX = Path(__file__).parent / "fixtures" / "ingest"
SHARED = Path(__file__).parents[1].parent / "shared"


def one(name: str):
    """The single article of a fixture that must read cleanly."""
    result = read_source(str(FIX / name))
    assert result.problem is None, result.problem
    assert len(result.articles) == 1
    return result.articles[0]


def problem(path: Path | str, **kw) -> str:
    result = read_source(str(path), **kw)
    assert result.articles == []
    assert result.problem is not None
    assert str(path) in result.problem.problem
    return result.problem.problem


# --- plain-text layouts -------------------------------------------------------------------

def test_layout1_trailing_title_summary_and_midtext_dateline():
    a = one("layout1_dump.txt")
    assert a.title == "Portugal Recalls Ambassador as Fishing Talks With Spain Collapse"
    assert a.summary.startswith("Portugal withdrew its envoy")
    assert a.outlet == "Iberian Wire Service"
    assert a.published == dt.date(2024, 3, 4)
    assert a.dateline == ["Lisbon", "Madrid"]
    assert a.cites == ["Financial Times"]
    assert a.title not in a.text and "Portugal withdrew" not in a.text
    assert "IWS" not in a.text and "March 4, 2024" not in a.text  # dateline prefix removed
    assert "both governments had quietly prepared contingency plans. Portugal recalled" in a.text
    assert a.id == content_id(a.text, a.outlet)


def test_layout2_header_lines_and_trailer():
    a = one("layout2_blog.txt")
    assert a.title.startswith("Harbor Dispute Deepens: Officials Say")
    assert a.outlet == "Harbor Herald"
    assert a.published == dt.date(2024, 3, 4)
    assert a.summary is None
    assert a.cites == ["Coastal Times"]
    for junk in ("3 min read", "Harbor Herald", "Comments", "Share this", "Great article"):
        assert junk not in a.text
    assert a.text.startswith("After months of quiet diplomacy")
    assert a.text.endswith("until a permanent agreement is signed.")


def test_hard_wrapped_article_with_byline_and_agency_dateline():
    a = one("normal.txt")
    assert a.title == "Kenya and Uganda Agree to Reopen Border Crossing"
    assert a.published == dt.date(2023, 4, 10)
    assert a.dateline == ["Nairobi", "Kenya"]
    assert a.outlet == "Reuters"  # no header outlet, so the dateline credit
    assert a.text.startswith("Kenya and Uganda agreed on Monday to reopen the main border")
    for junk in ("By Jane Roe", "Advertisement", "Editing by"):
        assert junk not in a.text


def test_reading_twice_is_identical():
    first = read_source(str(FIX / "layout2_blog.txt"))
    assert first == read_source(str(FIX / "layout2_blog.txt"))


def test_language_guess():
    assert one("spanish.txt").language == "es"
    assert one("normal.txt").language == "en"
    assert guess_language("Тегеран и Москва подписали соглашение " * 5) == "ru"
    assert guess_language("— 12 —") == "und"


# --- other formats ------------------------------------------------------------------------

def test_html_page():
    a = one("page.html")
    assert a.title == "Island States Sign Climate Pact"
    assert a.outlet == "The Pacific Ledger"
    assert a.published == dt.date(2024, 6, 15)
    assert a.dateline == ["Suva"]
    assert a.text.startswith("Leaders of twelve Pacific island states")
    for junk in ("Great news for the islands", "All rights reserved", "Sports"):
        assert junk not in a.text


def test_malformed_html_with_real_text_is_rescued():
    a = one("malformed.html")
    assert a.title == "Border talks resume"
    assert a.text.startswith("Officials from Armenia and Azerbaijan met in Geneva")
    assert "<" not in a.text


def test_html_without_text_is_a_problem():
    assert "no article text found" in problem(FIX / "garbage.html")


def test_rss_feed():
    result = read_source(str(FIX / "feed.rss"))
    assert result.problem is None
    first, second = result.articles
    assert first.outlet == second.outlet == "Andean Daily"
    assert first.title == "Bolivia and Peru Sign Lake Water Accord"
    assert first.url == "https://andean.example/lake-accord"
    assert first.published == dt.date(2024, 3, 5)
    assert first.text.endswith("officials said.\n\nThe deal ends a decade of disputes.")
    assert second.dateline == ["Quito"] and second.cites == ["Reuters"]
    assert result.source_ids == ["andean-1", "andean-2"]


def test_atom_feed_prefers_content_and_keeps_summary():
    result = read_source(str(FIX / "feed.atom"))
    first, second = result.articles
    assert first.outlet == "Baltic Monitor"
    assert first.text.startswith("Estonia summoned a foreign envoy on Thursday")
    assert first.summary == "Estonia summoned an envoy after an airspace breach."
    assert first.published == dt.date(2024, 2, 1)
    assert second.published == dt.date(2024, 2, 2)  # falls back to <updated>
    assert second.cites == ["The Baltic Times"]


def test_jsonl_records():
    result = read_source(str(FIX / "records.jsonl"))
    assert result.problem is None
    a, b, c = result.articles
    assert (a.title, a.outlet, a.published, a.url) == (
        "Ghana and Togo Agree to Joint Patrols", "West Africa Wire", dt.date(2024, 1, 20),
        "https://wa.example/1")
    assert a.dateline == ["Accra"] and a.id == content_id(a.text, a.outlet) != "src-1"
    assert b.published == dt.date(2024, 1, 22)
    assert b.title == "Senegal Welcomes Election Observers"  # no title field: first line
    assert c.cites == ["The Guardian"]
    assert result.source_ids == ["src-1", None, "7"]


def test_csv_records():
    result = read_source(str(FIX / "records.csv"))
    assert result.problem is None
    a, b = result.articles
    assert (a.title, a.outlet, a.published) == ("Chad Closes Border", "Sahel Post",
                                                dt.date(2024, 5, 2))
    assert b.title is None and b.cites == ["Associated Press"]
    assert result.source_ids == ["c1", "c2"]


def test_stdin_is_sniffed():
    feed = (FIX / "feed.rss").read_text()
    result = read_source("-", stdin=io.StringIO(feed))
    assert result.articles[0].title == "Bolivia and Peru Sign Lake Water Accord"
    text = read_source("-", stdin=io.StringIO("Just one line of plain text about talks here."))
    assert text.articles[0].text == "Just one line of plain text about talks here."
    assert "stdin: is empty" in read_source("-", stdin=io.StringIO("  \n")).problem.problem


# --- bad input ----------------------------------------------------------------------------

def test_empty_and_missing(tmp_path):
    assert "is empty" in problem(FIX / "empty.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text("   \n\n\t\n")
    assert "is empty" in problem(blank)
    assert "no such file" in problem(tmp_path / "nope.txt")


def test_binary_file(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    assert "looks like a binary file, not text" in problem(path)


def test_unknown_encoding(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(bytes((i * 7919) % 128 + 128 for i in range(3000)))
    assert "unknown text encoding" in problem(path)


def test_legacy_and_bom_encodings(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le président a déclaré à Paris que la réunion était reportée.".encode(
        "cp1252"))
    assert "président" in read_source(str(latin)).articles[0].text
    utf16 = tmp_path / "wide.txt"
    utf16.write_text("Officials met in Oslo on Monday to discuss the treaty.", encoding="utf-16")
    assert read_source(str(utf16)).articles[0].text.startswith("Officials met in Oslo")


def test_size_limits_checked_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse 50 MB file: stat says 50 MB, nothing is read
        fh.truncate(50_000_000)
    msg = problem(big)
    assert "50,000,000 bytes" in msg and "5,000,000-byte limit" in msg
    small = IngestLimits(max_text_bytes=100, max_stream_bytes=200)
    assert "limit" in problem(FIX / "layout1_dump.txt", limits=small)
    assert "limit" in problem(FIX / "records.jsonl", limits=small)


def test_jsonl_one_broken_line_rejects_whole_file():
    msg = problem(FIX / "broken.jsonl")
    assert "line 3: invalid JSON" in msg


def test_record_without_text():
    assert "line 2: record has no text" in problem(FIX / "notext.jsonl")
    assert "no 'text' column" in problem(FIX / "notext.csv")


def test_jsonl_bad_date_and_non_object(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": "Talks resumed in Doha.", "date": "someday"}) + "\n")
    assert "line 1: cannot read the date 'someday'" in problem(path)
    path.write_text("[1, 2]\n")
    assert "line 1: expected a JSON object" in problem(path)


def test_malformed_feed(tmp_path):
    path = tmp_path / "bad.rss"
    path.write_text("<?xml version='1.0'?><rss><channel><title>X</title><item><title>A")
    assert "feed" in problem(path)


def test_iter_sources(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    got = list(iter_sources([str(tmp_path), "-", str(tmp_path / "missing.txt")]))
    assert got == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "z.txt"), "-",
                   str(tmp_path / "missing.txt")]


# --- pieces -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "places", "date", "agency"), [
    ("CARACAS, Dec 2 (Reuters) - Venezuela said.", ["Caracas"], None, "Reuters"),
    ("Intro. KYIV, Ukraine (AP) — Drones hit.", ["Kyiv", "Ukraine"], None, "AP"),
    ("LONDON, 3 March 2024 (AFP) - It said.", ["London"], dt.date(2024, 3, 3), "AFP"),
    ("Rome / Berlin, May 5, 2022 – Euro Wire-EW– Leaders met.", ["Rome", "Berlin"],
     dt.date(2022, 5, 5), "Euro Wire"),
    ("BOGOTÁ — The president said.", ["Bogotá"], None, None),
])
def test_datelines(text, places, date, agency):
    (d,) = find_datelines(text)
    assert (d.places, d.date, d.agency) == (places, date, agency)
    assert text[d.end:][0].isupper()


@pytest.mark.parametrize("text", [
    "He went to Paris - and left.", "Jean-Pierre Dupont said.",
    "Ministers met in Geneva, Switzerland, on Monday - it said.",
])
def test_no_false_datelines(text):
    assert find_datelines(text) == []


def test_parse_date_never_guesses_missing_parts():
    assert parse_date("Dec 2, 2025") == dt.date(2025, 12, 2)
    assert parse_date("2024-01-05T10:00:00Z") == dt.date(2024, 1, 5)
    assert parse_date("Dec 2") is None
    assert parse_date("yesterday") is None


@pytest.mark.parametrize(("text", "cites"), [
    ('A report by the American newspaper "Daily Courier" says so.', ["Daily Courier"]),
    ("according to a recent report cited by The Evening Post, talks failed.",
     ["The Evening Post"]),
    ("According to Reuters, the talks failed.", ["Reuters"]),
    ("The minister told the Financial Times on Monday.", ["Financial Times"]),
    ("Al Jazeera reported on Sunday that troops moved.", ["Al Jazeera"]),
    ("According to President Smith, all is fine. He told Jones so.", []),
    ("according to officials", []),
])
def test_find_cites(text, cites):
    assert find_cites(text) == cites


def test_find_cites_uses_normaliser():
    media = {"Daily Courier": "The Daily Courier", "DC": "The Daily Courier"}
    text = 'A report by the newspaper "Daily Courier". Later, DC reported more.'
    assert find_cites(text, media.get) == ["The Daily Courier"]


def test_boilerplate_word_list():
    lines, trailers = boilerplate_patterns()
    raw = yaml.safe_load((FIX.parents[1].parent / "src" / "realpolitik" / "ingest" / "data"
                          / "boilerplate.yaml").read_text())
    assert raw["lines"] and raw["trailers"] and lines.pattern and trailers.pattern
    for line in ("- 2 min read", "Share this", "Subscribe", "Advertisement",
                 "Click here to read more", "Follow us on Twitter",
                 "© 2024 Some Media. All rights reserved."):
        assert is_boilerplate(line), line
    for line in ("Comments", "Related articles", "Leave a comment"):
        assert is_trailer(line), line
    for line in ("The minister will share this plan with parliament on Monday.",
                 "Comments by the minister angered the opposition."):
        assert not is_boilerplate(line) and not is_trailer(line)


# --- the real seeds (read from ../shared, never copied) -----------------------------------

@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds not available")
def test_real_seeds_match_gold():
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text())["articles"]
    media = {"Wall Street Journal": "The Wall Street Journal"}
    for name, want in gold.items():
        result = read_source(str(SHARED / "seeds" / name),
                             normalise_cite=lambda s: media.get(s, s))
        assert result.problem is None, result.problem
        (a,) = result.articles
        assert a.outlet == want["outlet"]
        assert a.published == dt.date.fromisoformat(want["published"])
        assert a.title == want["title"]
        assert (a.summary is not None) == want["has_summary"]
        if "dateline_places" in want:
            assert a.dateline == want["dateline_places"]
        assert a.cites == want["cites"]
        for junk in want.get("not_in_body", []):
            assert junk not in a.text
        assert a.title not in a.text
        if a.summary:
            assert a.summary not in a.text
