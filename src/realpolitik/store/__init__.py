"""DuckDB store: articles, actors, mentions and events, one transaction per source file."""

from realpolitik.store.db import DEFAULT_DB, Store
from realpolitik.store.errors import SchemaVersionError, StoreError, StoreLockedError
from realpolitik.store.queries import ActorRow
from realpolitik.store.rows import actor_id
from realpolitik.store.schema import MIGRATIONS, SCHEMA_VERSION
from realpolitik.store.writes import SaveResult, file_hash

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
