"""The store's table shapes, generated from the records in ``records.py``.

Each stored table is a record with its nested actors flattened (``source`` becomes
``source_country``, ``source_sector``, ...), some fields left out (read by a join) and
a few store-only columns added. From that one description come the Arrow schemas the
bulk inserts use and the DDL a table would be created with; ``tests/test_store.py``
checks that the migrations in ``store/schema.py`` produce exactly these columns.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from realpolitik.records import ActorMention, ActorRef, Article, Event, Happening, Story


@dataclass(frozen=True)
class Column:
    """One stored column: its name, DuckDB type and Arrow type."""

    name: str
    sql: str
    arrow: pa.DataType


_SCALARS: dict[Any, tuple[str, pa.DataType]] = {
    str: ("VARCHAR", pa.string()), int: ("INTEGER", pa.int32()),
    float: ("DOUBLE", pa.float64()), bool: ("BOOLEAN", pa.bool_()),
    dt.date: ("DATE", pa.date32()), dt.datetime: ("TIMESTAMP", pa.timestamp("us")),
}


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        subs = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(subs) == 1:
            return subs[0]
    return annotation


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The record type of a (possibly optional) nested record field, else None."""
    inner = _strip_optional(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def column_type(annotation: Any) -> tuple[str, pa.DataType]:
    """DuckDB and Arrow type of a scalar or list field (Literals are strings)."""
    inner = _strip_optional(annotation)
    if typing.get_origin(inner) is typing.Literal:
        return _SCALARS[str]
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner) or (str,)
        sql, arrow = column_type(item)
        return f"{sql}[]", pa.list_(arrow)
    return _SCALARS[inner]


@dataclass(frozen=True)
class TableSpec:
    """A stored table: a record's fields (actors flattened) minus ``exclude``, plus
    ``extra`` columns; ``actor_ids`` adds ``<prefix>_actor_id`` before each actor."""

    name: str
    model: type[BaseModel] | None
    exclude: tuple[str, ...] = ()
    extra: tuple[Column, ...] = ()
    lead: tuple[Column, ...] = ()
    actor_ids: bool = False
    flatten: dict[str, str] = field(default_factory=dict)  # nested field -> column prefix

    def columns(self) -> list[Column]:
        cols = list(self.lead)
        if self.model is not None:
            for name, info in self.model.model_fields.items():
                if name in self.exclude:
                    continue
                sub = nested_model(info.annotation)
                if sub is None:
                    cols.append(Column(name, *column_type(info.annotation)))
                    continue
                prefix = self.flatten.get(name, name)
                if self.actor_ids:
                    cols.append(Column(f"{prefix}_actor_id" if prefix else "actor_id",
                                       *_SCALARS[str]))
                for sub_name, sub_info in sub.model_fields.items():
                    col = f"{prefix}_{sub_name}" if prefix else sub_name
                    cols.append(Column(col, *column_type(sub_info.annotation)))
        return cols + list(self.extra)

    def arrow(self) -> pa.Schema:
        """The Arrow schema of the table's rows, for bulk inserts."""
        return pa.schema([(c.name, c.arrow) for c in self.columns()])

    def ddl(self) -> str:
        """CREATE TABLE for this shape (columns and types; keys live in the migrations)."""
        body = ",\n    ".join(f'"{c.name}" {c.sql}' for c in self.columns())
        return f"CREATE TABLE {self.name} (\n    {body}\n)"


_S = _SCALARS[str]

ARTICLES = TableSpec("articles", Article, extra=(
    Column("source_path", *_S), Column("ingested_at", *_SCALARS[dt.datetime])))
ACTORS = TableSpec("actors", ActorRef, exclude=("text",), lead=(Column("id", *_S),))
MENTIONS = TableSpec("mentions", ActorMention, lead=(Column("article_id", *_S),), actor_ids=True,
                     flatten={"actor": ""})
# A mention's outlets and origins are its happening's: joined in when read, not stored.
# ``day``: the event's date, else its article's publication date (what listings sort on).
EVENTS = TableSpec("events", Event, exclude=("outlets", "origins"), actor_ids=True,
                   extra=(Column("day", *_SCALARS[dt.date]),))
HAPPENINGS = TableSpec("happenings", Happening)
STORIES = TableSpec("stories", Story)
PROFILES = TableSpec("article_profiles", None, lead=(
    Column("article_id", *_S), Column("published", *_SCALARS[dt.date]),
    Column("outlet", *_S), Column("vector", "FLOAT[]", pa.list_(pa.float32())),
    Column("signature", "UBIGINT[]", pa.list_(pa.uint64())),
    Column("actors", "VARCHAR[]", pa.list_(pa.string())),
    Column("types", "VARCHAR[]", pa.list_(pa.string()))))

# Derived: each country an article's events (source or target) or mentions name.
ARTICLE_COUNTRIES = TableSpec("article_countries", None, lead=(
    Column("article_id", *_S), Column("country", *_S)))

RECORD_TABLES: tuple[TableSpec, ...] = (ARTICLES, ACTORS, MENTIONS, EVENTS, HAPPENINGS,
                                        STORIES, PROFILES, ARTICLE_COUNTRIES)

ARTICLE_SCHEMA = ARTICLES.arrow()
ACTOR_SCHEMA = ACTORS.arrow()
MENTION_SCHEMA = MENTIONS.arrow()
EVENT_SCHEMA = EVENTS.arrow()
HAPPENING_SCHEMA = HAPPENINGS.arrow()
STORY_SCHEMA = STORIES.arrow()
PROFILE_SCHEMA = PROFILES.arrow()
ARTICLE_COUNTRY_SCHEMA = ARTICLE_COUNTRIES.arrow()
