"""Declarative filters: a filter name maps to one SQL fragment with a named parameter.

``where(EVENT_FILTERS, {"country": "VEN", "since": day})`` gives the WHERE clause and
the parameters; filters whose value is None are left out, an unknown name is an error.
Every listing (``store.queries``) pages and counts in SQL with the same clause.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Filters = Mapping[str, str]

_EVENT_DATE = "e.day"  # the event's date, else its article's

EVENT_FILTERS: Filters = {
    "country": "(e.source_country = $country OR e.target_country = $country)",
    "source": "e.source_country = $source",
    "target": "e.target_country = $target",
    "since": f"{_EVENT_DATE} >= $since",
    "until": f"{_EVENT_DATE} <= $until",
    "article_id": "e.article_id = $article_id",
    "type": "e.type = $type",
    "story_id": "e.story_id = $story_id",
    "happening_id": "e.happening_id = $happening_id",
    "ids": "list_contains($ids, e.id)",
    "article_ids": "list_contains($article_ids, e.article_id)",
}

HAPPENING_FILTERS: Filters = {
    "country": "(h.source_country = $country OR h.target_country = $country)",
    "source": "h.source_country = $source",
    "target": "h.target_country = $target",
    "since": "COALESCE(h.last_date, h.date) >= $since",
    "until": "h.date <= $until",
    "type": "h.type = $type",
    "story_id": "h.story_id = $story_id",
    "ids": "list_contains($ids, h.id)",
}

ARTICLE_FILTERS: Filters = {
    # article_countries: the countries of an article's events and mentions (derived)
    "country": "a.id IN (SELECT article_id FROM article_countries WHERE country = $country)",
    "since": "a.published >= $since",
    "until": "a.published <= $until",
    "story_id": "a.story_id = $story_id",
    "ids": "list_contains($ids, a.id)",
}

STORY_FILTERS: Filters = {
    "country": ("s.id IN (SELECT story_id FROM events WHERE source_country = $country "
                "OR target_country = $country)"),
    "since": "s.last_date >= $since",
    "ids": "list_contains($ids, s.id)",
}

ACTOR_FILTERS: Filters = {
    "country": "ac.country = $country",
}


def where(filters: Filters, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`` WHERE ...`` (or "") and its named parameters for the filters that are set."""
    unknown = sorted(set(values) - set(filters))
    if unknown:
        raise ValueError(f"unknown filter(s): {', '.join(unknown)}")
    parts, params = [], {}
    for name, value in values.items():
        if value is None:
            continue
        parts.append(filters[name])
        params[name] = list(value) if name.endswith("ids") else value
    return (f" WHERE {' AND '.join(parts)}" if parts else ""), params
