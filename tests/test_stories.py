"""Stories: near-duplicates, grouping, arrival order, happenings, origins and conflicts.

Articles written for these tests are ingested through the real CLI (spaCy, gazetteer,
sentence embeddings) into temporary databases.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from realpolitik.records import Article
from realpolitik.store import SCHEMA_VERSION, Store
from realpolitik.store.schema import MIGRATIONS
from tests.helpers import SHARED, run_cli

CLASH = ("Thai and Cambodian troops exchanged fire on Monday near a disputed temple on the "
         "border, and at least two soldiers were wounded. Thailand accused Cambodia of "
         "opening fire first and said its forces had only responded. Cambodia rejected the "
         "accusation and accused Thailand of sending troops into its territory. The "
         "Association of Southeast Asian Nations urged both sides to show restraint and "
         "to return to talks.")
REWRITE = ("Cambodia has denied starting Monday's shooting at the frontier temple, where "
           "soldiers of both countries traded gunfire and two were hurt. Phnom Penh accused "
           "Thailand of moving troops across the line, while Bangkok blamed Cambodian "
           "units for firing first. ASEAN called on the two neighbours to exercise "
           "restraint. China declined to send military aid to Cambodia, a Chinese foreign "
           "ministry spokesperson said.")
CONFLICT = ("China will send military aid to Cambodia after the temple clash with Thailand, "
            "a Cambodian defence official said on Tuesday. Thai and Cambodian soldiers "
            "exchanged fire at the border temple on Monday, and Thailand accused Cambodia of "
            "firing first. Cambodia rejected the Thai accusation.")
LATER = ("Thailand and Cambodia signed a trade agreement on Friday to reopen two border "
         "markets and cut tariffs on rice and fuel. The commerce ministers of both "
         "countries met in Bangkok and agreed to hold talks on a new customs office next "
         "year. Business groups in both countries welcomed the deal.")


def _blog(title: str, outlet: str, day: str, body: str) -> str:
    return f"{title}\n- {outlet}\n- {day}\n\n{body}\n"


ARTICLES = {
    "clash_lakeside.txt": _blog("Thai and Cambodian Troops Clash at Border Temple",
                                "Lakeside Wire", "Mar 2, 2026", CLASH),
    "clash_delta_copy.txt": _blog("Border Temple Clash Leaves Two Soldiers Wounded",
                                  "Delta Herald", "Mar 2, 2026", CLASH),
    "clash_mekong.txt": _blog("Cambodia Denies Starting Temple Shooting", "Mekong Post",
                              "Mar 3, 2026", REWRITE),
    "clash_gulf.txt": _blog("China to Send Military Aid to Cambodia", "Gulf Ledger",
                            "Mar 3, 2026", CONFLICT),
    "trade_later.txt": _blog("Thailand and Cambodia Sign Border Trade Deal", "Lakeside Wire",
                             "Apr 10, 2026", LATER),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stories")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _by_file(db: Path) -> dict[str, dict]:
    out = run_cli(["articles", "--db", str(db), "--format", "jsonl"]).stdout
    return {Path(a["path"]).name: a for a in map(json.loads, out.splitlines())}


@pytest.fixture(scope="module")
def grouped(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("db") / "stories.duckdb"
    result = run_cli(["ingest", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    stories = [json.loads(x) for x in run_cli(["stories", "--db", str(db), "--format",
                                                "jsonl"]).stdout.splitlines()]
    return {"db": db, "articles": _by_file(db), "stories": stories}


def test_syndicated_copy_is_a_near_duplicate(grouped: dict) -> None:
    arts = grouped["articles"]
    original, copy = arts["clash_lakeside.txt"], arts["clash_delta_copy.txt"]
    assert original["id"] != copy["id"]  # another outlet: a separate article
    assert {original["duplicate_of"], copy["duplicate_of"]} == {None, original["id"]} or \
        {original["duplicate_of"], copy["duplicate_of"]} == {None, copy["id"]}
    assert original["story_id"] == copy["story_id"]


def test_rewrite_joins_and_later_happening_does_not(grouped: dict) -> None:
    arts = grouped["articles"]
    clash = arts["clash_lakeside.txt"]["story_id"]
    assert arts["clash_mekong.txt"]["story_id"] == clash
    assert arts["clash_gulf.txt"]["story_id"] == clash
    assert arts["trade_later.txt"]["story_id"] != clash
    story = next(s for s in grouped["stories"] if s["id"] == clash)
    assert story["article_count"] == 4
    assert set(story["outlets"]) == {"Lakeside Wire", "Delta Herald", "Mekong Post",
                                     "Gulf Ledger"}
    assert story["first_date"] == "2026-03-02" and story["last_date"] == "2026-03-03"
    assert "Thailand" in story["label"] or "Cambodia" in story["label"]


def test_arrival_order_does_not_change_the_stories(corpus: Path, grouped: dict,
                                                   tmp_path: Path) -> None:
    db = tmp_path / "one_by_one.duckdb"
    for name in sorted(ARTICLES, reverse=True):
        assert run_cli(["ingest", str(corpus / name), "--db", str(db)]).exit_code == 0
    again = _by_file(db)

    def partition(arts: dict[str, dict]) -> set[frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for name, art in arts.items():
            groups.setdefault(art["story_id"], set()).add(name)
        return {frozenset(g) for g in groups.values()}

    assert partition(again) == partition(grouped["articles"])
    assert {a["story_id"] for a in again.values()} == \
        {a["story_id"] for a in grouped["articles"].values()}


def test_happenings_merge_mentions_and_count_origins(grouped: dict) -> None:
    out = run_cli(["events", "--db", str(grouped["db"]), "--level", "event", "--format",
                   "jsonl"]).stdout
    happenings = [json.loads(x) for x in out.splitlines()]
    accusation = [h for h in happenings if h["type"] == "ACCUSE"
                  and h["source"]["country"] == "THA" and h["target"]
                  and h["target"]["country"] == "KHM" and not h["negated"]]
    assert accusation
    top = max(accusation, key=lambda h: h["mentions"])
    # the syndicated copy adds a mention and an outlet but not an independent origin
    assert {"Lakeside Wire", "Delta Herald"} <= set(top["outlets"])
    assert top["mentions"] >= 3
    assert len(top["origins"]) < len(top["outlets"])
    mentions = [json.loads(x) for x in run_cli(
        ["events", "--db", str(grouped["db"]), "--format", "jsonl"]).stdout.splitlines()]
    mine = [m for m in mentions if m["happening_id"] == top["id"]]
    assert len(mine) == top["mentions"] and all(m["story_id"] for m in mine)


def test_conflicting_claim_is_flagged(grouped: dict) -> None:
    arts = grouped["articles"]
    story = arts["clash_gulf.txt"]["story_id"]
    result = run_cli(["story", story, "--db", str(grouped["db"]), "--format", "json"])
    coverage = json.loads(result.stdout)
    conflicts = coverage["conflicts"]
    assert conflicts, coverage
    conflict = conflicts[0]
    assert conflict["source"] == "CHN" and conflict["target"] == "KHM"
    assert "Gulf Ledger" in conflict["backing_outlets"]
    assert "Mekong Post" in conflict["refusing_outlets"]
    outlets = {o["outlet"] for o in coverage["outlets"]}
    assert outlets == {"Lakeside Wire", "Delta Herald", "Mekong Post", "Gulf Ledger"}
    text = run_cli(["story", story, "--db", str(grouped["db"])]).stdout
    assert "Conflicts" in text and "Gulf Ledger" in text


def test_unknown_story_is_a_clear_error(grouped: dict) -> None:
    result = run_cli(["story", "s000000000000", "--db", str(grouped["db"])])
    assert result.exit_code == 2 and "no such story" in result.stderr


def test_loaded_words_are_counted_per_outlet(tmp_path: Path) -> None:
    folder = tmp_path / "words"
    folder.mkdir()
    body_loaded = ("The regime of the dictator in Minsk expelled two Lithuanian diplomats on "
                   "Monday. Lithuania condemned the regime and recalled its ambassador.")
    body_neutral = ("The government of Belarus expelled two Lithuanian diplomats on Monday. "
                    "Lithuania condemned the government and recalled its ambassador.")
    (folder / "a.txt").write_text(_blog("Minsk Expels Envoys", "Vilnius Echo", "May 4, 2026",
                                        body_loaded), encoding="utf-8")
    (folder / "b.txt").write_text(_blog("Belarus Expels Diplomats", "Baltic Wire",
                                        "May 4, 2026", body_neutral), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert run_cli(["ingest", str(folder), "--db", str(db)]).exit_code == 0
    stories = [json.loads(x) for x in run_cli(["stories", "--db", str(db), "--format",
                                                "jsonl"]).stdout.splitlines()]
    assert len(stories) == 1
    coverage = json.loads(run_cli(["story", stories[0]["id"], "--db", str(db), "--format",
                                   "json"]).stdout)
    by_outlet = {o["outlet"]: o for o in coverage["outlets"]}
    assert by_outlet["Vilnius Echo"]["loaded"] == {"regime": 2, "dictator": 1}
    assert by_outlet["Baltic Wire"]["loaded"] == {}
    assert by_outlet["Baltic Wire"]["neutral"]["government"] == 2


def test_version_one_database_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                "description VARCHAR, applied_at TIMESTAMP)")
    con.execute(MIGRATIONS[0][1])
    con.execute("INSERT INTO schema_version VALUES (1, 'initial', now())")
    con.execute("INSERT INTO articles (id, text, dateline, cites, language) VALUES "
                "('old1', 'Peru recalled its ambassador.', [], [], 'en')")
    con.close()
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [article] = store.articles()
        assert isinstance(article, Article) and article.id == "old1"
        assert store.unprofiled_articles() == ["old1"]


SEEDS = SHARED / "seeds"


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not present")
def test_seeds_are_one_story_with_one_origin(tmp_path: Path) -> None:
    db = tmp_path / "seeds.duckdb"
    assert run_cli(["ingest", str(SEEDS), "--db", str(db)]).exit_code == 0
    arts = list(_by_file(db).values())
    assert len({a["story_id"] for a in arts}) == 1
    for article in arts:
        assert "The Wall Street Journal" in article["origins"]
    happenings = [json.loads(x) for x in run_cli(
        ["events", "--db", str(db), "--level", "event", "--format", "jsonl"]
    ).stdout.splitlines()]
    # "Russia does not back Maduro": support withheld, or a refusal coded REJECT
    refusal = [h for h in happenings if h["source"]["country"] == "RUS" and h["target"]
               and h["target"]["country"] == "VEN" and len(h["outlets"]) == 2
               and ((h["negated"] and h["type"] in ("SUPPORT", "AID"))
                    or (h["type"] == "REJECT" and not h["negated"]))]
    assert refusal, happenings
    assert refusal[0]["origins"] == ["The Wall Street Journal"]
    assert set(refusal[0]["outlets"]) == {"Total News Agency", "Next News"}
