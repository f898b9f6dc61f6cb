"""The store's one transaction context manager."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from realpolitik.store.errors import StoreError


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, failure: str) -> Iterator[None]:
    """Commit when the block ends; on any error roll back and raise a StoreError
    ``"{failure}: {error}"``, so nothing of the block is ever half-written."""
    con.begin()
    try:
        yield
        con.commit()
    except Exception as exc:
        con.rollback()
        raise StoreError(f"{failure}: {exc}") from exc
