"""Ingest on a Ray cluster: read and code sources in parallel, store them from one writer.

``ray_ingest`` splits the new sources (files whose bytes are not stored yet) into chunks
and hands them to Ray actors, one per worker, each holding one loaded coding pipeline
(spaCy, gazetteer, coder) for its whole life. An actor reads each file of its chunk under
the per-file budget (``ingest.sandbox``), codes its articles and returns one Parquet
partition through Ray's object store: a row per source with its position, path, content
hash, problem (if any) and coded articles (JSON of ``CodedArticle`` records). The driver
writes the partitions under ``partitions`` (a temporary folder by default) and, as the
one writer, loads them in source order into the store, one transaction per source as a
local ingest does; the caller then groups stories once. Reading and coding are parallel;
storing and story grouping are not (DuckDB has one writer; grouping is incremental).

The result equals a local ``ingest`` of the same paths: same article ids, events and
stories (tests/test_cluster.py checks it on a two-worker local cluster).
"""

from __future__ import annotations

import json
import resource
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from realpolitik.ingest import IngestLimits, iter_sources
from realpolitik.ingest.reader import DEFAULT_LIMITS, byte_limit
from realpolitik.ingest.sandbox import DEFAULT_BUDGET, Budget, SandboxedReader
from realpolitik.ingest.sanitize import display_name
from realpolitik.records import CodedArticle
from realpolitik.store import Store, file_hash
from realpolitik.workflow import IngestResult, IngestService, IngestSettings

PARTITION_SCHEMA = pa.schema([
    ("position", pa.int64()), ("path", pa.string()), ("digest", pa.string()),
    ("problem", pa.string()), ("coded", pa.list_(pa.string())),
])


CPU_KEY = b"realpolitik.cpu_seconds"  # partition metadata: the worker's CPU s for it


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the reading children)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class ClusterError(RuntimeError):
    """Ray could not be started or reached, or a worker failed."""


@dataclass(frozen=True)
class Source:
    position: int
    path: str
    digest: str | None


class CodingWorker:
    """One loaded pipeline; codes chunks of sources into Parquet partitions (a Ray actor)."""

    def __init__(self, settings: IngestSettings, limits: IngestLimits, budget: Budget) -> None:
        from realpolitik.ingest.language import load_identifier
        from realpolitik.pipeline import Pipeline, keep_loaded

        self.pipeline = Pipeline()
        load_identifier()  # before the reading children fork, so each inherits it
        keep_loaded()
        self.service = IngestService(self.pipeline, None, settings)  # coding only
        self.limits, self.budget = limits, budget

    def code_chunk(self, sources: list[Source]) -> bytes:
        """One Parquet partition (as bytes, so it reaches the driver on any cluster)."""
        start = _cpu_seconds()
        rows: list[dict] = []
        with SandboxedReader(self.limits, self.budget, self.pipeline.normalise_outlet) as reader:
            for src in sources:
                result = reader.read(src.path, None)
                row = {"position": src.position, "path": display_name(src.path),
                       "digest": src.digest, "problem": None, "coded": []}
                if result.problem is not None:
                    row["problem"] = result.problem.problem
                else:
                    row["coded"] = [c.model_dump_json()
                                    for c in self.service.code(result.articles)]
                rows.append(row)
        table = pa.Table.from_pylist(rows, schema=PARTITION_SCHEMA)
        spent = _cpu_seconds() - start  # the reading child is joined by now
        table = table.replace_schema_metadata({CPU_KEY: f"{spent:.6f}"})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return sink.getvalue().to_pybytes()


def new_sources(paths: Sequence[str], store: Store, limits: IngestLimits = DEFAULT_LIMITS
                ) -> tuple[list[Source], int, int]:
    """Sources to code (not stored yet, in order), how many there are and how many unchanged."""
    if "-" in paths:
        raise ClusterError("--ray reads files and directories, not stdin ('-')")
    found = list(iter_sources(paths))
    todo, unchanged = [], 0
    for position, path in enumerate(found):
        digest = file_hash(path, byte_limit(path, limits))
        if digest is not None and store.seen_hash(digest):
            unchanged += 1
            continue
        todo.append(Source(position, path, digest))
    return todo, len(found), unchanged


def load_partitions(files: Sequence[str], service: IngestService, result: IngestResult,
                    on_problem: Callable[[str], None] | None = None) -> None:
    """The single writer: store each partition's sources in source order, one transaction
    per source (``IngestService.store_coded``)."""
    store = service.store
    assert store is not None
    tables = [pq.read_table(f) for f in files]
    result.worker_cpu += sum(float((t.schema.metadata or {}).get(CPU_KEY, 0)) for t in tables)
    rows = sorted((r for t in tables for r in t.to_pylist()), key=lambda r: r["position"])
    for row in rows:
        problems = len(result.problems)
        if row["problem"] is not None:
            result.problems.append((row["path"], row["problem"]))
            with service.writer:
                store.log_problem(row["path"], row["problem"], row["digest"])
        else:
            coded = [CodedArticle.model_validate(json.loads(c)) for c in row["coded"]]
            saved = service.store_coded(coded, row["path"], row["digest"])
            result.new_articles += saved.new_articles
            result.new_events += saved.new_events
            result.duplicates += saved.duplicates
            result.articles += saved.articles
            result.problems += saved.problems
        if on_problem:
            for _, problem in result.problems[problems:]:
                on_problem(problem)


def ray_ingest(paths: Sequence[str], service: IngestService, address: str | None = None,
               workers: int = 2, chunk_sources: int = 8, limits: IngestLimits = DEFAULT_LIMITS,
               budget: Budget = DEFAULT_BUDGET, on_problem: Callable[[str], None] | None = None,
               partitions: Path | None = None) -> IngestResult:
    """Code ``paths`` on Ray (``address`` of a running cluster, or a local instance with
    ``workers`` CPUs), store the results through ``service`` from this process (the one
    writer), then update the stories as a local ingest does."""
    import ray

    store = service.store
    if store is None:
        raise ValueError("ray_ingest needs an IngestService with a store")
    todo, total, unchanged = new_sources(paths, store, limits)
    result = IngestResult(unchanged=unchanged)
    if todo:
        started = not ray.is_initialized()
        try:
            if started and address:
                ray.init(address=address, log_to_driver=False)
            elif started:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # Ray raises many kinds; the CLI shows one line
            raise ClusterError(f"could not start or reach Ray ({address or 'local'}): "
                               f"{exc}") from exc
        try:
            with tempfile.TemporaryDirectory(prefix="rp-ray-") as tmp:
                out_dir = partitions or Path(tmp)
                out_dir.mkdir(parents=True, exist_ok=True)
                actor = ray.remote(num_cpus=1)(CodingWorker)
                pool = ray.util.ActorPool([actor.remote(service.settings, limits, budget)
                                           for _ in range(max(1, workers))])
                chunks = [todo[i:i + chunk_sources] for i in range(0, len(todo), chunk_sources)]
                files = []
                for number, data in enumerate(pool.map(
                        lambda a, chunk: a.code_chunk.remote(chunk), chunks)):
                    path = out_dir / f"part-{number:05d}.parquet"
                    path.write_bytes(data)
                    files.append(str(path))
                load_partitions(files, service, result, on_problem)
        except ray.exceptions.RayError as exc:
            raise ClusterError(f"a Ray worker failed: {exc}") from exc
        finally:
            if started:
                ray.shutdown()
    problems = len(result.problems)
    service.update_stories(result)
    if on_problem:
        for _, problem in result.problems[problems:]:
            on_problem(problem)
    result.sources = total
    return result
