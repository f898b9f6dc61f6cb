"""Records to table rows and back (the column shapes are in ``store.tables``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from realpolitik.records import ActorMention, ActorRef, Article, Event, Happening


def now() -> dt.datetime:
    """The current UTC time, naive, as stored in TIMESTAMP columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def actor_id(country: str | None, sector: str | None, name: str) -> str:
    """Deterministic actor id, so bulk inserts need no sequence round-trips."""
    key = f"{country or ''}|{sector or ''}|{name}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def article_row(a: Article, source_path: str, at: dt.datetime) -> dict[str, Any]:
    row = a.model_dump()
    row["source_path"] = source_path
    row["ingested_at"] = at
    return row


def actor_cols(prefix: str, ref: ActorRef | None, with_id: bool = True) -> dict[str, Any]:
    sep = f"{prefix}_" if prefix else ""
    cols: dict[str, Any] = {f"{prefix}_actor_id" if prefix else "actor_id":
                            actor_id(ref.country, ref.sector, ref.name) if ref else None}
    if not with_id:
        cols = {}
    for name in ActorRef.model_fields:
        cols[f"{sep}{name}"] = getattr(ref, name) if ref is not None else None
    return cols


def event_row(e: Event, published: dt.date | None) -> dict[str, Any]:
    """An event's row; ``day`` is its date, else its article's ``published``."""
    row = e.model_dump(exclude={"source", "target", "outlets", "origins"})
    row["day"] = e.date or published
    row.update(actor_cols("source", e.source))
    row.update(actor_cols("target", e.target))
    return row


def mention_row(article_id: str, m: ActorMention) -> dict[str, Any]:
    row = {"article_id": article_id, **m.model_dump(exclude={"actor"})}
    row.update(actor_cols("", m.actor))
    return row


def happening_row(h: Happening) -> dict[str, Any]:
    row = h.model_dump(exclude={"source", "target"})
    row.update(actor_cols("source", h.source, with_id=False))
    row.update(actor_cols("target", h.target, with_id=False))
    return row


def actor_from(r: dict[str, Any], prefix: str) -> ActorRef | None:
    sep = f"{prefix}_" if prefix else ""
    if r[f"{sep}name"] is None:
        return None
    return ActorRef(country=r[f"{sep}country"], sector=r[f"{sep}sector"],
                    name=r[f"{sep}name"], text=r[f"{sep}text"] or "")


def row_to_event(r: dict[str, Any]) -> Event:
    source = actor_from(r, "source")
    assert source is not None
    fields = {k: r[k] for k in Event.model_fields if k not in ("source", "target")}
    for key in ("attributed_to", "outlets", "origins"):
        fields[key] = fields[key] or []
    fields["mentions"] = fields["mentions"] or 1
    return Event(source=source, target=actor_from(r, "target"), **fields)


def row_to_article(r: dict[str, Any]) -> Article:
    fields = {k: r[k] for k in Article.model_fields}
    for key in ("dateline", "cites", "origins"):
        fields[key] = fields[key] or []
    return Article(**fields)


def row_to_mention(r: dict[str, Any]) -> ActorMention:
    actor = actor_from(r, "")
    assert actor is not None
    return ActorMention(actor=actor, section=r["section"], start=r["start"], end=r["end"],
                   rule=r["rule"])


def row_to_happening(r: dict[str, Any]) -> Happening:
    fields = {k: r[k] for k in Happening.model_fields if k not in ("source", "target")}
    source = actor_from(r, "source")
    assert source is not None
    return Happening(source=source, target=actor_from(r, "target"), **fields)
