"""Acceptance on the founding example: ../shared/seeds against ../shared/gold/seeds.json.

Runs the real CLI (ingest, events, articles, report) into a temporary database and
checks every required gold event for each of its sources, every must-not reading,
the article metadata, and the support/pressure report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SHARED, run_cli

SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold" / "seeds.json"

pytestmark = pytest.mark.skipif(
    not GOLD.exists(), reason="../shared/gold/seeds.json is not present (only in the dev workspace)"
)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').lower().split())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    result = run_cli(["ingest", str(SEEDS), "--db", str(db)])
    assert result.exit_code == 0, result.output
    events = [json.loads(x) for x in run_cli(["events", "--db", str(db), "--format", "jsonl"])
              .stdout.splitlines()]
    articles = [json.loads(x) for x in run_cli(["articles", "--db", str(db), "--format",
                                                "jsonl"]).stdout.splitlines()]
    report = json.loads(run_cli(["report", "--country", "VEN", "--db", str(db), "--format",
                                 "json"]).stdout)
    by_file = {Path(a["path"]).name: a for a in articles}
    return {"db": db, "events": events, "articles": by_file, "report": report,
            "gold": json.loads(GOLD.read_text())}


def _target_ok(event: dict, gold_target: str | list | None) -> bool:
    allowed = gold_target if isinstance(gold_target, list) else [gold_target]
    got = event["target"]["country"] if event["target"] else None
    return got in allowed


def _matches(event: dict, item: dict, source: str) -> bool:
    return (
        event["source"]["country"] == source
        and _target_ok(event, item["target"])
        and [event["type"], event["negated"]] in item["readings"]
        and event["modality"] in item["modality"]
        and _norm(item["anchor"]) in _norm(event["sentence"])
        and ("attributed_to" not in item or item["attributed_to"] in event["attributed_to"])
    )


def test_article_metadata(seeded: dict) -> None:
    for name, expected in seeded["gold"]["articles"].items():
        article = seeded["articles"][name]
        assert article["outlet"] == expected["outlet"]
        assert article["published"] == expected["published"]
        assert article["title"] == expected["title"]
        assert bool(article["summary"]) == expected["has_summary"]
        for cited in expected["cites"]:
            assert cited in article["cites"]
        for place in expected.get("dateline_places", []):
            assert place in article["dateline"]
        lines = [line.strip() for line in article["text"].splitlines()]
        for junk in expected.get("not_in_body", []):
            assert junk not in lines, f"{junk!r} left in the body of {name}"
        assert expected["title"] not in article["text"]


REQUIRED = ([e for e in json.loads(GOLD.read_text())["events"] if e["required"]]
            if GOLD.exists() else [])


@pytest.mark.parametrize("item", REQUIRED, ids=[e["anchor"][:40] for e in REQUIRED])
def test_required_events(seeded: dict, item: dict) -> None:
    article_id = seeded["articles"][item["article"]]["id"]
    mine = [e for e in seeded["events"] if e["article_id"] == article_id]
    for source in item["sources"]:
        assert any(_matches(e, item, source) for e in mine), (
            f"missing {source} in {item['anchor']!r}; have "
            + json.dumps([(e["source"]["country"], e["type"], e["negated"], e["modality"],
                           e["trigger"]) for e in mine if _norm(item["anchor"])[:20]
                          in _norm(e["sentence"])]))


def test_no_must_not_reading(seeded: dict) -> None:
    for rule in seeded["gold"]["must_not"]:
        for event in seeded["events"]:
            if (event["source"]["country"] in rule["sources"]
                    and _target_ok(event, rule["target"])
                    and event["type"] in rule["types"]
                    and event["modality"] in rule["modality"]
                    and ("negated" not in rule or event["negated"] == rule["negated"])):
                sentence = _norm(event["sentence"])
                hit = [a for a in rule["anchors"] if _norm(a) in sentence]
                assert not hit, f"{rule['why']}: {event['trigger']!r} in {event['sentence']!r}"


def test_report_picture(seeded: dict) -> None:
    stances = {c["country"]: c for c in seeded["report"]["counterparts"]}
    expected = seeded["gold"]["isolation"]
    for code in expected["withdrawing_or_declining"]:
        assert stances[code]["stance"] == "withdrawing", stances.get(code)
        assert stances[code]["events"] and all(e["sentence"] for e in stances[code]["events"])
    for code in expected["pressuring"]:
        assert stances[code]["stance"] == "pressuring", stances.get(code)
        assert stances[code]["events"]


def test_reingest_stores_nothing_new(seeded: dict) -> None:
    before = len(seeded["events"])
    result = run_cli(["ingest", str(SEEDS), "--db", str(seeded["db"])])
    assert result.exit_code == 0
    after = run_cli(["events", "--db", str(seeded["db"]), "--format", "jsonl"]).stdout
    assert len(after.splitlines()) == before
