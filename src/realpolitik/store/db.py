"""The project's database: DuckDB, one file, one transaction per source file.

Why DuckDB: a single local file, fast columnar scans for the analysis queries and
zero-copy Arrow import for bulk inserts. The store is split by concern: ``errors``,
``tables`` (shapes generated from the records), ``rows`` (record <-> row), ``schema``
(migrations), ``connection`` (opening, transactions, cursors), ``filters``, ``writes``
and ``queries``; ``Store`` is all of them on one connection.
"""

from __future__ import annotations

from realpolitik.store.queries import ActorRow
from realpolitik.store.queries import Queries as _Queries
from realpolitik.store.rows import now as _now
from realpolitik.store.writes import Writes as _Writes

DEFAULT_DB = "realpolitik.duckdb"

__all__ = ["DEFAULT_DB", "ActorRow", "Store", "_now"]


class Store(_Writes, _Queries):
    """The store: ``Store(path, read_only=False)``; use as a context manager.

    Opening applies pending migrations (unless read_only) and refuses a newer schema;
    ``reader()`` and ``writer()`` give views on their own cursors for one request.
    """
