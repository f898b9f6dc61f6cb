"""Bad input in a batch: clear messages naming the file, good files stored, exit code set,
and re-running the batch stores nothing twice. Also `code`, exports and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DemoDb
from tests.helpers import run_cli

GOOD_ARTICLE = """Ankara Rebuffs Athens Over Aegean Patrols
- Aegean Monitor
- Nov 30, 2025

Turkey accused Greece on Sunday of violating its airspace over the Aegean Sea.
Greece rejected the accusation and said its patrols would continue.
"""

SECOND_GOOD = ("OSLO, Dec. 1, 2025 (Fjord Wire) - Norway will send medical supplies to Gaza next "
               "week, the foreign ministry said. The government also urged Israel to open more "
               "crossings.\n")


@pytest.fixture()
def batch(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "batch"
    folder.mkdir()
    files = {
        "good": folder / "aegean.txt",
        "good2": folder / "oslo.txt",
        "empty": folder / "empty.txt",
        "binary": folder / "blob.txt",
        "encoding": folder / "mystery.txt",
        "huge": folder / "huge.txt",
        "html": folder / "broken.html",
        "jsonl": folder / "wire.jsonl",
    }
    files["good"].write_text(GOOD_ARTICLE, encoding="utf-8")
    files["good2"].write_text(SECOND_GOOD, encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 64)
    files["encoding"].write_bytes(bytes([0x81, 0x8d, 0x8f, 0x90, 0x9d, 0xfe, 0xff, 0xa0]) * 300)
    with files["huge"].open("w", encoding="utf-8") as fh:
        line = "Officials met again to discuss the border and nothing changed that day.\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    files["html"].write_text("<html><head><title>x</title><body><div><p><b>", encoding="utf-8")
    files["jsonl"].write_text(
        json.dumps({"id": "a", "text": "Peru recalled its ambassador from Mexico."}) + "\n"
        + '{"id": "b", "text": "broken line\n'
        + json.dumps({"id": "c", "text": "Chile praised Peru for the agreement."}) + "\n",
        encoding="utf-8")
    return files


def test_bad_inputs_are_reported_and_good_files_stored(batch: dict[str, Path],
                                                       tmp_path: Path) -> None:
    db = tmp_path / "batch.duckdb"
    missing = tmp_path / "nowhere.txt"
    folder = batch["good"].parent
    result = run_cli(["ingest", str(folder), str(missing), "--db", str(db)])
    assert result.exit_code == 1
    messages = result.stderr
    expected = {
        "empty": "empty", "binary": "binary", "encoding": "encoding", "huge": "limit",
        "html": "no article text", "jsonl": "line 2",
    }
    for key, word in expected.items():
        lines = [m for m in messages.splitlines() if batch[key].name in m]
        assert lines, f"no message for {batch[key].name}:\n{messages}"
        assert any(word.lower() in m.lower() for m in lines), lines
    assert any(missing.name in m and "no such file" in m.lower() for m in messages.splitlines())

    con = duckdb.connect(str(db), read_only=True)
    paths = {row[0] for row in con.execute("select source_path from articles").fetchall()}
    events_before = con.execute("select count(*) from events").fetchone()[0]
    articles_before = con.execute("select count(*) from articles").fetchone()[0]
    con.close()
    assert {Path(p).name for p in paths} == {"aegean.txt", "oslo.txt"}
    assert events_before > 0

    again = run_cli(["ingest", str(folder), str(missing), "--db", str(db)])
    assert again.exit_code == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from articles").fetchone()[0] == articles_before
    assert con.execute("select count(*) from events").fetchone()[0] == events_before
    failed = con.execute("select count(*) from ingest_log where status = 'failed'").fetchone()[0]
    con.close()
    assert failed >= 7


def test_code_streams_events_keyed_by_input_id() -> None:
    lines = [
        json.dumps({"id": "doc-1", "text": "Cuba voiced support for Maduro.",
                    "date": "2025-12-05"}),
        "not json",
        json.dumps({"id": "doc-2", "text": "The weather was mild in Lima."}),
    ]
    result = run_cli(["code"], stdin="\n".join(lines) + "\n")
    assert result.exit_code == 1  # the broken line is reported, the rest coded
    assert "line 2" in result.stderr
    events = [json.loads(x) for x in result.stdout.splitlines()]
    assert events and {e["article_id"] for e in events} == {"doc-1"}
    event = events[0]
    assert event["source"]["country"] == "CUB" and event["type"] == "SUPPORT"
    assert event["date"] == "2025-12-05"
    for field in ("id", "article_id", "source", "target", "type", "quad_class", "cameo_root",
                  "negated", "modality", "attributed_to", "date", "sentence", "start", "end",
                  "confidence", "rule"):
        assert field in event


def test_exports_and_country_filter(batch: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "export.duckdb"
    run_cli(["ingest", str(batch["good"]), str(batch["good2"]), "--db", str(db)])
    turkey = [json.loads(x) for x in run_cli(["events", "--db", str(db), "--country", "TUR",
                                              "--format", "jsonl"]).stdout.splitlines()]
    assert turkey and all("TUR" in (e["source"]["country"],
                                    e["target"]["country"] if e["target"] else None)
                          for e in turkey)
    accusation = [e for e in turkey if e["type"] == "ACCUSE"]
    assert accusation and accusation[0]["target"]["country"] == "GRC"
    out = tmp_path / "events.parquet"
    result = run_cli(["events", "--db", str(db), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0 and out.stat().st_size > 0
    csv_text = run_cli(["articles", "--db", str(db), "--format", "csv"]).stdout
    assert csv_text.splitlines()[0].startswith("id,")
    articles = [json.loads(x) for x in run_cli(["articles", "--db", str(db), "--format",
                                                "jsonl"]).stdout.splitlines()]
    aegean = next(a for a in articles if a["path"].endswith("aegean.txt"))
    assert aegean["outlet"] == "Aegean Monitor" and aegean["published"] == "2025-11-30"
    assert "Aegean Monitor" not in aegean["text"]


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(["events", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "no such database" in result.stderr


def test_demo_prints_the_venezuela_picture(demo_db: DemoDb) -> None:
    assert demo_db.exit_code == 0, demo_db.stderr
    report = json.loads(run_cli(["report", "--country", "VEN", "--db", str(demo_db.path),
                                 "--format", "json"]).stdout)
    stance = {c["country"]: c["stance"] for c in report["counterparts"]}
    assert stance["USA"] == "pressuring"
    assert stance["CUB"] == "supporting"
    for code in ("RUS", "CHN", "IRN"):
        assert stance[code] == "withdrawing"
    assert "Venezuela (VEN)" in demo_db.stdout
