"""Ingest on a Ray cluster: read and code sources in parallel, store them from one writer.

``ray_ingest`` splits the new sources (files whose bytes are not stored yet) into chunks
and hands them to Ray actors, one per worker, each holding one loaded coding pipeline
(spaCy, gazetteer, coder) and the story encoder for its whole life. An actor reads each
file of its chunk under the per-file budget (``ingest.sandbox``), codes its articles,
embeds them for story grouping and returns one Parquet partition through Ray's object
store: a row per source with its position, path, content hash, problem (if any), coded
articles (JSON of ``CodedArticle`` records) and their story vectors. The driver writes
each partition under ``partitions`` (a temporary folder by default) as it arrives and,
as the one writer, loads it into the store while the workers code the next ones (chunks
arrive in source order), one transaction per source as a local ingest does; it then
groups stories once with the workers' vectors. Reading, coding and embedding are
parallel; storing and story grouping are not (DuckDB has one writer; grouping is
incremental).

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
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from realpolitik.ingest import IngestLimits, iter_sources
from realpolitik.ingest.reader import DEFAULT_LIMITS, byte_limit
from realpolitik.ingest.sandbox import DEFAULT_BUDGET, Budget, SandboxedReader
from realpolitik.ingest.sanitize import display_name
from realpolitik.records import CodedArticle
from realpolitik.store import Store, file_hash
from realpolitik.stories.assembly import story_vectors
from realpolitik.workflow import IngestResult, IngestService, IngestSettings

if TYPE_CHECKING:
    from realpolitik.nlp import NlpSettings

PARTITION_SCHEMA = pa.schema([
    ("position", pa.int64()), ("path", pa.string()), ("digest", pa.string()),
    ("problem", pa.string()), ("coded", pa.list_(pa.string())),
    ("vectors", pa.list_(pa.list_(pa.float32()))),  # story embeddings, one per coded
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

    def __init__(self, settings: IngestSettings, limits: IngestLimits, budget: Budget,
                 nlp: NlpSettings | None = None) -> None:
        from realpolitik.ingest.language import load_identifier
        from realpolitik.pipeline import Pipeline, keep_loaded
        from realpolitik.stories.embed import Embedder

        self.pipeline = Pipeline(nlp)
        self.embedder = Embedder()
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
                       "digest": src.digest, "problem": None, "coded": [], "vectors": []}
                if result.problem is not None:
                    row["problem"] = result.problem.problem
                else:
                    coded = list(self.service.code(result.articles))
                    vectors = story_vectors(coded, self.embedder)
                    row["coded"] = [c.model_dump_json() for c in coded]
                    row["vectors"] = [vectors[c.article.id].tolist() for c in coded]
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


def load_partition(file: str | Path, service: IngestService, result: IngestResult,
                   on_problem: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
    """The single writer: store one partition's sources in source order, one transaction
    per source (``IngestService.store_coded``); returns the story vectors it carried."""
    store = service.store
    assert store is not None
    table = pq.read_table(file)
    result.worker_cpu += float((table.schema.metadata or {}).get(CPU_KEY, 0))
    vectors: dict[str, np.ndarray] = {}
    for row in sorted(table.to_pylist(), key=lambda r: r["position"]):
        problems = len(result.problems)
        if row["problem"] is not None:
            result.problems.append((row["path"], row["problem"]))
            with service.writer:
                store.log_problem(row["path"], row["problem"], row["digest"])
        else:
            coded = [CodedArticle.model_validate(json.loads(c)) for c in row["coded"]]
            vectors.update((c.article.id, np.asarray(v, dtype=np.float32))
                           for c, v in zip(coded, row["vectors"], strict=True))
            saved = service.store_coded(coded, row["path"], row["digest"])
            result.new_articles += saved.new_articles
            result.new_events += saved.new_events
            result.duplicates += saved.duplicates
            result.articles += saved.articles
            result.problems += saved.problems
        if on_problem:
            for _, problem in result.problems[problems:]:
                on_problem(problem)
    return vectors


def ray_ingest(paths: Sequence[str], service: IngestService, address: str | None = None,
               workers: int = 2, chunk_sources: int = 8, limits: IngestLimits = DEFAULT_LIMITS,
               budget: Budget = DEFAULT_BUDGET, on_problem: Callable[[str], None] | None = None,
               partitions: Path | None = None, nlp: NlpSettings | None = None
               ) -> IngestResult:
    """Code ``paths`` on Ray (``address`` of a running cluster, or a local instance with
    ``workers`` CPUs), store the results through ``service`` from this process (the one
    writer, each partition as it arrives), then update the stories as a local ingest does,
    with the story vectors the workers computed. ``nlp``: each worker's spaCy settings
    (model, parse batch and cache; the defaults when None)."""
    import ray

    store = service.store
    if store is None:
        raise ValueError("ray_ingest needs an IngestService with a store")
    todo, total, unchanged = new_sources(paths, store, limits)
    result = IngestResult(unchanged=unchanged)
    vectors: dict[str, np.ndarray] = {}
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
                pool = ray.util.ActorPool([actor.remote(service.settings, limits, budget, nlp)
                                           for _ in range(max(1, workers))])
                chunks = [todo[i:i + chunk_sources] for i in range(0, len(todo), chunk_sources)]
                # map yields in chunk order: each partition is stored while later ones code
                for number, data in enumerate(pool.map(
                        lambda a, chunk: a.code_chunk.remote(chunk), chunks)):
                    path = out_dir / f"part-{number:05d}.parquet"
                    path.write_bytes(data)
                    vectors.update(load_partition(path, service, result, on_problem))
        except ray.exceptions.RayError as exc:
            raise ClusterError(f"a Ray worker failed: {exc}") from exc
        finally:
            if started:
                ray.shutdown()
    problems = len(result.problems)
    service.update_stories(result, vectors)
    if on_problem:
        for _, problem in result.problems[problems:]:
            on_problem(problem)
    result.sources = total
    return result
