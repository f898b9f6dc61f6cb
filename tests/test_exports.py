"""Exports: JSONL / CSV / Parquet round-trips and the generated schema doc."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from realpolitik.exports import event_schema_doc, write_records
from realpolitik.records import ActorRef, Article, Event


def make_events() -> list[Event]:
    src = ActorRef(country="USA", sector="GOV", name="United States", text="Washington")
    tgt = ActorRef(country="IRN", sector=None, name="Iran", text="Tehran")
    common = {"article_id": "a1", "quad_class": "VERBAL_CONFLICT", "cameo_root": "13",
              "sentence": "Washington threatened Tehran.", "start": 0, "end": 29,
              "rule": "r1"}
    return [
        Event(id="e1", source=src, target=tgt, type="THREATEN", trigger="threatened",
              attributed_to=["Reuters", "AP"], date=dt.date(2024, 5, 2), confidence=0.9,
              **common),
        Event(id="e2", source=tgt, target=None, type="REJECT", **common),
    ]


def test_jsonl_round_trip() -> None:
    events = make_events()
    buf = io.BytesIO()
    assert write_records(events, "jsonl", buf) == 2
    lines = buf.getvalue().decode("utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["date"] == "2024-05-02"
    assert first["source"]["country"] == "USA"
    assert json.loads(lines[1])["target"] is None
    assert [Event.model_validate_json(line) for line in lines] == events


def test_csv_flattens(tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    write_records(make_events(), "csv", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == 2
    assert rows[0]["source_country"] == "USA"
    assert rows[0]["target_name"] == "Iran"
    assert rows[0]["attributed_to"] == "Reuters; AP"
    assert rows[0]["date"] == "2024-05-02"
    # a null target still has (empty) flattened columns
    assert rows[1]["target_country"] == "" and rows[1]["source_name"] == "Iran"
    assert "target" not in rows[0] and "source" not in rows[0]


def test_csv_leaves_stream_open() -> None:
    buf = io.BytesIO()
    write_records(make_events(), "csv", buf)
    assert not buf.closed
    assert buf.getvalue().startswith(b"id,article_id,source_country")


def test_parquet_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    assert write_records(make_events(), "parquet", out) == 2
    table = pq.read_table(out)
    rows = table.to_pylist()
    assert rows[0]["source"]["country"] == "USA"
    assert rows[0]["attributed_to"] == ["Reuters", "AP"]
    assert rows[0]["date"] == dt.date(2024, 5, 2)
    assert rows[1]["target"] is None
    assert [Event.model_validate(r) for r in rows] == make_events()


def test_parquet_to_stream_and_articles() -> None:
    arts = [Article(id="a1", text="body", published=None, cites=[]),
            Article(id="a2", text="body 2", dateline=["PARIS"])]
    buf = io.BytesIO()
    write_records(arts, "parquet", buf)
    table = pq.read_table(io.BytesIO(buf.getvalue()))
    assert table.column("dateline").to_pylist() == [[], ["PARIS"]]
    assert str(table.schema.field("published").type) == "date32[day]"


def test_empty_and_bad_format() -> None:
    buf = io.BytesIO()
    assert write_records([], "jsonl", buf) == 0
    assert write_records([], "parquet", io.BytesIO()) == 0
    with pytest.raises(ValueError, match="unknown export format"):
        write_records([], "xml", buf)  # type: ignore[arg-type]


def test_event_schema_doc_covers_fields() -> None:
    doc = event_schema_doc()
    assert doc.startswith("| field | type | description |")
    for name in Event.model_fields:
        assert f"| `{name}` |" in doc
    assert "`source.country` / `target.country`" in doc
    # every table row has exactly 3 cells
    for line in doc.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 2, line


def test_readme_schema_section_is_the_generated_doc() -> None:
    """The README's export schema section is exactly what `realpolitik schema` prints."""
    from tests.helpers import REPO, run_cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    heading = "### Event export schema (`realpolitik schema`)\n"
    assert heading in readme
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    printed = run_cli(["schema"])
    assert printed.exit_code == 0
    assert section.strip() == printed.stdout.strip()
    assert printed.stdout.strip() == event_schema_doc().strip()


def test_every_record_field_is_documented() -> None:
    from realpolitik.records import Happening

    for model in (Event, ActorRef, Article, Happening):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
