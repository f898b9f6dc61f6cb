"""The store's errors: every failure to read or write it, with a one-line user message."""

from __future__ import annotations

from pathlib import Path

import duckdb


class StoreError(RuntimeError):
    """Any failure to read or write the store, with a message fit for users."""


class SchemaVersionError(StoreError):
    """The database was written by a newer (or incompatible) realpolitik."""


class SchemaTooOldError(SchemaVersionError):
    """A read-only open found a database that needs migrating first."""


class StoreLockedError(StoreError):
    """Another process holds the database file (DuckDB allows one writer process)."""


def open_error(path: Path, exc: duckdb.Error) -> StoreError:
    """A one-line, user-facing reason why DuckDB could not open ``path``."""
    text = str(exc)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return StoreLockedError(f"{path} is locked by another process")
    if "not a valid DuckDB database" in text:
        return StoreError(f"{path} is not a DuckDB database (corrupt, or another kind of file)")
    return StoreError(f"cannot open database {path}: {text.splitlines()[0] if text else exc}")
