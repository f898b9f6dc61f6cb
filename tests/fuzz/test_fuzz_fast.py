"""The fast fuzz slice (runs in `make test`): a few hundred hostile inputs, under 2 minutes.

Hypothesis drives ``read_source`` directly (never raises; either articles or one problem
line naming the file); one real `realpolitik ingest` run judges a generated corpus file by
file; three SIGKILLs at random moments leave a consistent database that resumes to the
state of one clean run. `make fuzz` runs the same checks on >= 10,000 inputs.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.ingest import read_source
from realpolitik.ingest.sanitize import display_name
from tests.fuzz.generators import ODD_NAMES, REGEX_UNITS, article_text, make_corpus
from tests.fuzz.harness import ingest, judge, kill_chain, state

SUFFIXES = [".txt", ".html", ".jsonl", ".csv", ".rss", ".atom", ".xml", ""]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def check_read(data: bytes, suffix: str, name: str = "in") -> None:
    """The property of one file: no exception; articles, or one problem line naming it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / f"{name}{suffix}")
        Path(path).write_bytes(data)
        result = read_source(path)
        if result.problem is None:
            assert result.articles
            for article in result.articles:
                article.text.encode("utf-8")  # storable
                assert article.url is None or article.url.startswith(("http://", "https://"))
        else:
            assert result.articles == []
            line = result.problem.problem
            assert "\n" not in line and "\r" not in line
            assert line.startswith(f"{display_name(path)}: ")


@FAST
@given(st.binary(max_size=5_000), st.sampled_from(SUFFIXES))
def test_random_bytes_never_raise(data: bytes, suffix: str):
    check_read(data, suffix)


@FAST
@given(st.lists(st.sampled_from([*REGEX_UNITS, "\n", "\u2028", "\x00", "\ud7ff", "é"]),
                max_size=400), st.sampled_from(SUFFIXES))
def test_pattern_soup_never_raises(units: list[str], suffix: str):
    check_read("".join(units).encode("utf-8", "surrogatepass"), suffix)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@FAST
@given(st.lists(st.one_of(
    JSON_VALUES.map(json.dumps),
    st.fixed_dictionaries({"text": st.text(max_size=300) | st.just(article_text(random.Random(1))),
                           "title": JSON_VALUES, "published": JSON_VALUES,
                           "outlet": JSON_VALUES, "url": JSON_VALUES}).map(json.dumps),
    st.text(max_size=40)), min_size=1, max_size=5), st.sampled_from([".jsonl", ".csv", ""]))
def test_records_with_wrong_types_never_raise(lines: list[str], suffix: str):
    check_read("\n".join(lines).encode("utf-8", "surrogatepass"), suffix)


@FAST
@given(st.sampled_from(ODD_NAMES),
       st.binary(max_size=3).filter(lambda b: b"\x00" not in b and b"/" not in b))
def test_odd_file_names_stay_one_line(name: str, raw: bytes):
    check_read(b"\x00binary", ".txt", name + raw.decode("utf-8", "surrogateescape"))


def test_generated_corpus_is_judged_file_by_file(tmp_path: Path):
    (tmp_path / "in").mkdir()
    made = make_corpus(tmp_path / "in", 70, seed=1)
    proc = ingest([str(tmp_path / "in")], tmp_path / "f.duckdb", "--cpu-per-file", "10")
    verdict = judge(made, proc, tmp_path / "f.duckdb")
    assert verdict.crashes == [] and verdict.hangs == []
    assert verdict.stored + verdict.refused == 70
    assert verdict.stored >= 10 and verdict.refused >= 10
    assert verdict.peak_rss_mb < 2048


def test_sigkill_three_times_then_resume_gives_one_clean_run(tmp_path: Path):
    rng = random.Random(3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(8):
        (corpus / f"a{n}.txt").write_text(article_text(rng, 3))
    clean_db = tmp_path / "clean.duckdb"
    ingest([str(corpus)], clean_db)
    clean = state(clean_db)
    assert clean["articles"] and clean["stories"]
    delays = [4.0 + rng.uniform(0, 8) for _ in range(3)]
    assert kill_chain([str(corpus)], tmp_path / "k.duckdb", clean, delays) == []
