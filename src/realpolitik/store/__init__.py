"""DuckDB store: articles, actors, mentions and events, one transaction per source file."""

from realpolitik.store.db import (
    DEFAULT_DB,
    ActorRow,
    SaveResult,
    SchemaVersionError,
    Store,
    StoreError,
    StoreLockedError,
    actor_id,
    file_hash,
)
from realpolitik.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "DEFAULT_DB",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ActorRow",
    "SaveResult",
    "SchemaVersionError",
    "Store",
    "StoreError",
    "StoreLockedError",
    "actor_id",
    "file_hash",
]
