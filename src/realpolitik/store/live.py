"""What the live watcher keeps in the store: feed validators, seen entries and alerts.

Kept apart from ``db.Store`` (articles, events, stories) but on its connection, so the
watcher's state lives in the same file and survives restarts with the data it describes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from realpolitik.store.db import Store
from realpolitik.store.rows import now as _now


class FeedState(BaseModel):
    """The last poll of one URL: validators for the next conditional request."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    status: str | None = None
    problem: str | None = None
    entries: int | None = None
    polled_at: dt.datetime | None = None
    ok_at: dt.datetime | None = None


class StoredAlert(BaseModel):
    """A fired alert as the API and the dashboard list it."""

    key: str
    rule: str
    kind: str
    country: str | None
    counterpart: str | None
    title: str
    fired_at: dt.datetime
    payload: dict[str, Any]


class LiveState:
    """Watcher state on an open Store; every method is one short statement or transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.con = store.con

    # ------------------------------------------------------------------ feeds
    def feed(self, url: str) -> FeedState:
        rows = self.store._dicts("SELECT * FROM live_feeds WHERE url = ?", [url])
        return FeedState(**rows[0]) if rows else FeedState(url=url)

    def feeds(self) -> list[FeedState]:
        return [FeedState(**r) for r in self.store._dicts(
            "SELECT * FROM live_feeds ORDER BY url", [])]

    def save_feed(self, state: FeedState) -> None:
        row = state.model_dump()
        cols = list(row)
        self.con.execute(
            f"INSERT OR REPLACE INTO live_feeds ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})", [row[c] for c in cols])

    # ------------------------------------------------------------------- seen
    def seen(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` were dealt with already."""
        if not keys:
            return set()
        rows = self.con.execute("SELECT key FROM live_seen WHERE list_contains(?, key)",
                                [keys]).fetchall()
        return {r[0] for r in rows}

    def mark_seen(self, keys: list[str], source: str, article_id: str | None,
                  outcome: str) -> None:
        """Record keys as dealt with (stored, duplicate, or refused for good)."""
        at = _now()
        for key in dict.fromkeys(keys):
            self.con.execute("INSERT OR IGNORE INTO live_seen VALUES (?, ?, ?, ?, ?)",
                             [key, source, article_id, outcome, at])

    def seen_count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM live_seen").fetchone()
        return int(row[0]) if row else 0

    # ----------------------------------------------------------------- alerts
    def fired(self, key: str) -> bool:
        row = self.con.execute("SELECT count(*) FROM alerts WHERE key = ?", [key]).fetchone()
        return bool(row and row[0])

    def save_alert(self, key: str, rule: str, kind: str, country: str | None,
                   counterpart: str | None, title: str, payload: dict[str, Any]) -> bool:
        """Store a fired alert; False (and nothing stored) when its key fired before."""
        if self.fired(key):
            return False
        self.con.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [key, rule, kind, country, counterpart, title, _now(),
                          json.dumps(payload, default=str)])
        return True

    def alerts(self, country: str | None = None, limit: int = 100, offset: int = 0
               ) -> tuple[list[StoredAlert], int]:
        """Fired alerts, newest first, with the total count."""
        where, params = ("WHERE country = ? OR counterpart = ?", [country, country]) \
            if country else ("", [])
        total = self.con.execute(f"SELECT count(*) FROM alerts {where}", params).fetchone()
        rows = self.store._dicts(f"SELECT * FROM alerts {where} ORDER BY fired_at DESC, key "
                                 "LIMIT ? OFFSET ?", [*params, limit, offset])
        items = [StoredAlert(**{**r, "payload": json.loads(r["payload"])}) for r in rows]
        return items, int(total[0]) if total else 0

    def memory(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM alert_state WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def remember(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO alert_state VALUES (?, ?, ?)",
                         [key, value, _now()])

    # ------------------------------------------------------- what alerts look at
    def live_articles_since(self, after: dt.datetime | None) -> list[tuple[str, dt.datetime]]:
        """(id, ingested_at) of articles the watcher stored after ``after``."""
        sql = "SELECT id, ingested_at FROM articles WHERE source_path LIKE 'live:%'"
        params: list[Any] = []
        if after is not None:
            sql += " AND ingested_at > ?"
            params.append(after)
        return [(r[0], r[1]) for r in self.con.execute(sql, params).fetchall()]

    def event_links(self, event_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Article id, outlet, title and URL of each event's article."""
        if not event_ids:
            return {}
        rows = self.store._dicts(
            "SELECT e.id AS event_id, a.id AS article_id, a.outlet, a.title, a.url "
            "FROM events e JOIN articles a ON a.id = e.article_id "
            "WHERE list_contains(?, e.id)", [event_ids])
        return {r.pop("event_id"): r for r in rows}
