"""Opening the database, its transactions and per-request read cursors."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb

from realpolitik.store.errors import StoreError, open_error
from realpolitik.store.schema import migrate, schema_version
from realpolitik.store.transaction import transaction


class Connection:
    """One DuckDB connection to the store file; a context manager.

    Opening applies any pending schema migrations (unless read_only), and refuses a
    database whose schema is newer than this code understands. A read-only connection
    shares the file with other read-only processes (the CLI beside ``realpolitik serve``).
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"database {self.path} does not exist (nothing ingested yet?)")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise open_error(self.path, exc) from exc
        try:
            migrate(self.con, self.path, read_only)
        except BaseException:
            self.con.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def schema_version(self) -> int:
        """Current schema version of the open database (0 = empty database)."""
        return schema_version(self.con)

    @contextmanager
    def reader(self) -> Iterator[Self]:
        """A read-only view on its own DuckDB cursor, for one request or thread.

        DuckDB cursors are separate connections to the same database: a reader sees the
        last committed state and never waits for a write transaction on ``self.con``.
        """
        view = copy.copy(self)
        view.con = self.con.cursor()
        view.read_only = True
        try:
            yield view
        finally:
            view.con.close()

    @contextmanager
    def writer(self) -> Iterator[Self]:
        """A read-write view on its own cursor (one per request; the caller serialises)."""
        if self.read_only:
            raise StoreError(f"database {self.path} is open read-only")
        view = copy.copy(self)
        view.con = self.con.cursor()
        try:
            yield view
        finally:
            view.con.close()

    @contextmanager
    def transaction(self, failure: str) -> Iterator[None]:
        """One transaction: committed when the block ends, rolled back on any error,
        which is raised as a StoreError starting with ``failure``."""
        if self.read_only:
            raise StoreError(f"database {self.path} is open read-only")
        with transaction(self.con, failure):
            yield

    def _dicts(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
               ) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        row = self.con.execute(sql, params).fetchone()
        return row[0] if row else None
