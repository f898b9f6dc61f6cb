"""Write records (events, articles, ...) as JSONL, CSV or Parquet, and document the schema.

One writer for every record type so the CLI, the API and the README agree on
the shapes: JSONL is exactly `model_dump(mode="json")`, CSV is the same data
flattened (`source_country`, lists joined with "; "), Parquet keeps the
nesting as Arrow structs and lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from pydantic import BaseModel

from realpolitik.records import ActorRef, Article, Event, Happening

if TYPE_CHECKING:  # pyarrow is imported where it is used: `schema` and `--help` stay light
    import pyarrow as pa

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
LIST_SEP = "; "

# ----------------------------------------------------------------------- flattening
def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}_{k}" if prefix else k, out)
    elif isinstance(value, list):
        out[prefix] = LIST_SEP.join(
            json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
            for v in value
        )
    else:
        out[prefix] = value


def _model_fields_flat(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Flat CSV column names of a model, so a null nested object still gets its columns."""
    cols: list[str] = []
    for name, info in model.model_fields.items():
        col = f"{prefix}_{name}" if prefix else name
        sub = _nested_model(info.annotation)
        if sub is not None:
            cols += _model_fields_flat(sub, col)
        else:
            cols.append(col)
    return cols


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        subs = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(subs) == 1:
            return _nested_model(subs[0])
    return None


def flatten_record(record: BaseModel) -> dict[str, Any]:
    """One CSV row: nested objects as `parent_field`, lists joined with "; "."""
    row = {c: None for c in _model_fields_flat(type(record))}
    _flatten(record.model_dump(mode="json"), "", row)
    return row


# -------------------------------------------------------------------------- writers
def _open_binary(out: BinaryIO | Path | str) -> tuple[BinaryIO, bool]:
    if isinstance(out, str | Path):
        return open(out, "wb"), True  # closed by write_records
    return out, False


def write_records(records: Iterable[BaseModel], fmt: Format, out: BinaryIO | Path | str) -> int:
    """Write records to a binary stream or file path; returns how many were written.

    All records should be of one model type (the first one fixes CSV columns).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    stream, owned = _open_binary(out)
    try:
        if fmt == "jsonl":
            return _write_jsonl(records, stream)
        if fmt == "csv":
            return _write_csv(records, stream)
        return _write_parquet(records, stream)
    finally:
        if owned:
            stream.close()
        else:
            stream.flush()


def _write_jsonl(records: Iterable[BaseModel], stream: BinaryIO) -> int:
    n = 0
    for r in records:
        stream.write(r.model_dump_json().encode("utf-8") + b"\n")
        n += 1
    return n


def _write_csv(records: Iterable[BaseModel], stream: BinaryIO) -> int:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    writer: csv.DictWriter[str] | None = None
    n = 0
    try:
        for r in records:
            row = flatten_record(r)
            if writer is None:
                writer = csv.DictWriter(text, fieldnames=list(row), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(row)
            n += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open
    return n


PARQUET_CHUNK = 10_000


def _write_parquet(records: Iterable[BaseModel], stream: BinaryIO) -> int:
    """Parquet in row groups of PARQUET_CHUNK records, so memory stays bounded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    n = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal writer
        table = pa.Table.from_pylist(chunk, schema=schema)
        if writer is None:
            writer = pq.ParquetWriter(stream, table.schema)
        writer.write_table(table)
        chunk.clear()

    for r in records:
        if schema is None:
            schema = arrow_schema(type(r))
        chunk.append(r.model_dump(mode="python"))
        n += 1
        if len(chunk) >= PARQUET_CHUNK:
            flush()
    if chunk or writer is None:
        flush()
    assert writer is not None
    writer.close()
    return n


def write_batches(batches: Iterable[pa.RecordBatch], model: type[BaseModel], fmt: Format,
                  out: BinaryIO | Path | str) -> int:
    """Write Arrow record batches shaped like ``model`` (e.g. ``Store.event_batches``):
    Parquet straight from the batches, JSONL and CSV through the records, one batch at a
    time. Memory is bounded by the batch size, whatever the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt != "parquet":
        def records() -> Iterable[BaseModel]:
            for batch in batches:
                for row in batch.to_pylist():
                    yield model.model_validate(row)
        return write_records(records(), fmt, out)
    schema = arrow_schema(model)
    stream, owned = _open_binary(out)
    n = 0
    try:
        with pq.ParquetWriter(stream, schema) as writer:
            for batch in batches:
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
                n += batch.num_rows
    finally:
        if owned:
            stream.close()
        else:
            stream.flush()
    return n


def _arrow_type(annotation: Any) -> pa.DataType:
    import pyarrow as pa

    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        subs = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _arrow_type(subs[0]) if len(subs) == 1 else pa.string()
    if origin is typing.Literal:
        return pa.string()
    if origin is list:
        (inner,) = typing.get_args(annotation) or (str,)
        return pa.list_(_arrow_type(inner))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([pa.field(n, _arrow_type(f.annotation))
                          for n, f in annotation.model_fields.items()])
    return {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string(),
            dt.date: pa.date32(), dt.datetime: pa.timestamp("us")}.get(annotation, pa.string())


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """Arrow schema of a record model, so all-null columns still get a real type."""
    import pyarrow as pa

    return pa.schema([pa.field(n, _arrow_type(f.annotation))
                      for n, f in model.model_fields.items()])


# ------------------------------------------------------------------------ schema doc
def _type_name(annotation: Any) -> str:
    """A short, JSON-ish type name for the docs table."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        names = [_type_name(a) for a in args if a is not type(None)]
        joined = " or ".join(names)  # not "|": it would split the Markdown cell
        return f"{joined} or null" if type(None) in args else joined
    if origin is typing.Literal:
        return "string (" + ", ".join(str(a) for a in typing.get_args(annotation)) + ")"
    if origin is list:
        (inner,) = typing.get_args(annotation) or (Any,)
        return f"list[{_type_name(inner)}]"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "object"
        return {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
                "date": "date (YYYY-MM-DD)"}.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def _field_rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    return [f"| `{prefix}{name}` | {_type_name(info.annotation)} | {info.description or ''} |"
            for name, info in model.model_fields.items()]


def event_schema_doc() -> str:
    """Markdown tables of the exported records (Event, its actors, Article, Happening),
    generated from the pydantic models and their field descriptions in ``records.py``.

    Generated rather than hand-written so the README cannot drift from the code (a test
    compares them).
    """
    head = ["| field | type | description |", "|---|---|---|"]
    lines = [*head, *_field_rows(Event)]
    for name, info in ActorRef.model_fields.items():
        lines.append(f"| `source.{name}` / `target.{name}` | {_type_name(info.annotation)} "
                     f"| {info.description or ''} |")
    lines += ["", "In CSV exports nested fields are flattened as `source_country`, "
              "`target_name`, ...; lists are joined with `; `.", "",
              "Articles (`articles --format jsonl|csv|parquet`, `GET /api/articles`):", "",
              *head, *_field_rows(Article), "",
              "Happenings, one per event in the world (`events --level event`, "
              "`GET /api/events?level=event`); their actors have the fields above:", "",
              *head, *_field_rows(Happening)]
    return "\n".join(lines) + "\n"
