"""The `realpolitik` command: ingest and code news, query the store, report, evaluate."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from realpolitik.records import Article, Event
from realpolitik.settings import DEFAULTS, Settings, SettingsError, load_settings, parse_assignments

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Source-aware political event data from news articles.")
err = Console(stderr=True, soft_wrap=True)
out = Console()


def _error(message: str) -> None:
    """One problem per line, never wrapped, so the file name and the problem stay together."""
    err.print(f"[red]error:[/red] {escape(message)}")

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file (created if missing).")]
DEFAULT_DB_PATH = Path("realpolitik.duckdb")
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="spaCy parser processes (setting model.workers).")]
BatchOption = Annotated[int | None, typer.Option("--batch-size", min=1,
                                                 help="Articles coded per parser batch.")]


@dataclass(frozen=True)
class _Root:
    """The global options: the config file and ``--set`` overrides."""

    config: Path | None = None
    assignments: tuple[str, ...] = ()


@app.callback()
def _root(ctx: typer.Context,
          config: Annotated[Path | None, typer.Option(
              "--config", help="TOML settings file (also $REALPOLITIK_CONFIG); see "
              "`realpolitik config`.")] = None,
          assignments: Annotated[list[str] | None, typer.Option(
              "--set", metavar="GROUP.FIELD=VALUE",
              help="Override one setting (repeatable), e.g. --set analysis.window_days=30."
              )] = None) -> None:
    """Source-aware political event data from news articles."""
    ctx.obj = _Root(config, tuple(assignments or ()))


def _settings(ctx: typer.Context | None, **options: object) -> Settings:
    """The effective settings: defaults < config file < environment < ``--set`` < the
    command's own ``options`` (``group__field=value``; None means not given)."""
    return _loaded(ctx, **options).settings


def _loaded(ctx: typer.Context | None, **options: object):
    root = ctx.find_object(_Root) if ctx is not None else None
    root = root or _Root()
    try:
        cli = parse_assignments(list(root.assignments))
        cli.update({key.replace("__", "."): value for key, value in options.items()
                    if value is not None})
        return load_settings(root.config, cli)
    except SettingsError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None


class ListFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class ReportFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


class CountryReportFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    html = "html"
    png = "png"


MinConfidenceOption = Annotated[float | None, typer.Option(
    "--min-confidence", min=0.0, max=1.0,
    help="Keep only events at least this sure (calibrated; see `realpolitik eval`).")]


@lru_cache(maxsize=4)
def _pipeline(workers: int = DEFAULTS.model.workers, model: str = DEFAULTS.model.spacy,
              parse_batch: int = DEFAULTS.model.parse_batch,
              parse_cache: int = DEFAULTS.model.parse_cache):
    """Load models and data once per process (commands run in-process by tests reuse it)."""
    from realpolitik.nlp import NlpSettings
    from realpolitik.pipeline import Pipeline, keep_loaded

    with err.status("Loading spaCy model and gazetteers..."):
        pipe = Pipeline(NlpSettings(model=model, batch_size=parse_batch, workers=workers,
                                    cache=parse_cache))
    keep_loaded()
    return pipe


def _pipeline_for(settings: Settings, workers: int | None = None):
    """The shared pipeline for the ``model`` settings (``workers`` overrides theirs)."""
    return _pipeline(settings.model.workers if workers is None else workers,
                     settings.model.spacy, settings.model.parse_batch,
                     settings.model.parse_cache)


def _nlp_settings(settings: Settings):
    """The ``model`` settings as a Ray worker's pipeline takes them (one process each)."""
    from realpolitik.nlp import NlpSettings

    return NlpSettings(model=settings.model.spacy, batch_size=settings.model.parse_batch,
                       workers=1, cache=settings.model.parse_cache)


def _service(settings: Settings, batch_size: int, store=None, stories=None,
             workers: int | None = None):
    """The ingest service over the shared pipeline (``stories``: the story updater)."""
    from realpolitik.workflow import IngestService, IngestSettings

    return IngestService(_pipeline_for(settings, workers), store,
                         IngestSettings(batch_size, settings.coder.min_confidence), stories)


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False,
                    disable=not err.is_terminal)


@lru_cache(maxsize=1)
def _embedder():
    from realpolitik.stories import Embedder

    return Embedder()


def ingest_paths(paths: list[str], db: Path, settings: Settings = DEFAULTS, ray: bool = False,
                 address: str | None = None) -> int:
    """Ingest and code sources into the store, then group stories; returns failed sources.

    With ``ray``, sources are read and coded by ``model.workers`` Ray actors (on the
    cluster at ``address``, or a local Ray instance) and stored here (realpolitik.cluster)."""
    from realpolitik.ingest.sandbox import Budget
    from realpolitik.stories.assembly import StoryStore, StoryUpdate, story_updater

    with _open_store(db, create=True) as store:  # before the models: a locked DB fails fast
        workers, batch_size = settings.model.workers, settings.ingest.batch_size
        cpu_per_file = settings.ingest.cpu_per_file
        if ray:
            from realpolitik.cluster import ClusterError, ray_ingest

            pipe = _pipeline_for(settings, 1)  # the writer's gazetteer and PLOVER table
            service = _service(settings, batch_size, store,
                               story_updater(pipe.gazetteer, pipe.plover, _embedder(),
                                             settings.stories), workers=1)
            try:
                with err.status(f"Coding on Ray ({address or 'local'}, {workers} workers)..."):
                    report = ray_ingest(paths, service, address, workers,
                                        on_problem=_error,
                                        budget=Budget(cpu_seconds=cpu_per_file),
                                        nlp=_nlp_settings(settings))
            except ClusterError as exc:
                _error(str(exc))
                raise typer.Exit(2) from None
        else:
            pipe = _pipeline_for(settings)
            updater = story_updater(pipe.gazetteer, pipe.plover, _embedder(), settings.stories)
            with _progress() as progress:
                task = progress.add_task("Ingesting", total=None)

                def grouping(target: StoryStore, vectors=None) -> StoryUpdate:
                    progress.update(task, description="Grouping stories")
                    return updater(target, vectors)

                service = _service(settings, batch_size, store, grouping)
                report = service.ingest_files(
                    paths, pipe.normalise_outlet, budget=Budget(cpu_seconds=cpu_per_file),
                    on_problem=_error, advance=lambda n: progress.advance(task, n))
                progress.update(task, total=report.sources, completed=report.sources)
    failed = len(report.problems)
    stories = report.stories
    total = stories.stories_total if stories else 0
    touched = stories.stories_touched if stories else 0
    err.print(f"Stored {report.new_articles} new articles and {report.new_events} events from "
              f"{report.sources - failed - report.unchanged} sources ({report.unchanged} "
              f"unchanged, {failed} failed) in {db}; {total} stories ({touched} updated).")
    return failed


@app.command()
def ingest(ctx: typer.Context,
           paths: Annotated[list[str], typer.Argument(help="Files, directories or - (stdin).")],
           db: DbOption = DEFAULT_DB_PATH, workers: WorkersOption = None,
           batch_size: BatchOption = None, min_confidence: MinConfidenceOption = None,
           cpu_per_file: Annotated[int | None, typer.Option(
               "--cpu-per-file", min=1, help="CPU seconds a file may take to read.")] = None,
           ray: Annotated[bool, typer.Option(
               "--ray", help="Read and code on Ray: --workers actors, one writer here.")] = False,
           address: Annotated[str | None, typer.Option(
               "--address", help="With --ray: a running cluster (host:port or 'auto'); "
                                 "default starts a local Ray with --workers CPUs.")] = None,
           ) -> None:
    """Ingest news files (text, HTML, RSS/Atom, JSONL, CSV) and code their events."""
    if address and not ray:
        _error("--address needs --ray")
        raise typer.Exit(2)
    settings = _settings(ctx, model__workers=workers, ingest__batch_size=batch_size,
                         coder__min_confidence=min_confidence,
                         ingest__cpu_per_file=cpu_per_file)
    failures = ingest_paths(paths, db, settings, ray, address)
    raise typer.Exit(1 if failures else 0)


def _read_code_input(stream: Iterable[str]) -> Iterator[Article | str]:
    """JSONL lines {"id", "text", "date"?, "title"?} to Articles, or an error string."""
    from realpolitik.ingest import parse_date
    from realpolitik.ingest.sanitize import clean_text

    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            date = rec.get("date") or rec.get("published")
            title = rec.get("title")
            yield Article(id=clean_text(str(rec.get("id") or number)),
                          text=clean_text(rec["text"]),
                          title=clean_text(title) if isinstance(title, str) else None,
                          published=parse_date(str(date)) if date else None)
        except RecursionError:
            yield f"stdin: line {number}: JSON nested too deeply"
        except ValueError as exc:
            yield f"stdin: line {number}: {exc}"


@app.command()
def code(ctx: typer.Context, workers: WorkersOption = None, batch_size: BatchOption = None,
         min_confidence: MinConfidenceOption = None) -> None:
    """Code JSONL documents from stdin to event JSONL on stdout (no database)."""
    settings = _settings(ctx, model__workers=workers, coder__batch_size=batch_size,
                         coder__min_confidence=min_confidence)
    service = _service(settings, settings.coder.batch_size)
    failures = 0

    def articles() -> Iterator[Article]:
        nonlocal failures
        for item in _read_code_input(sys.stdin):
            if isinstance(item, str):
                failures += 1
                _error(item)
            else:
                yield item

    with _progress() as progress:
        task = progress.add_task("Coding", total=None)
        for coded in service.code(articles()):
            for event in coded.events:
                sys.stdout.write(event.model_dump_json() + "\n")
            progress.advance(task, 1)
    sys.stdout.flush()
    raise typer.Exit(1 if failures else 0)


def _emit(records: list[BaseModel], fmt: ListFormat, columns: list[tuple[str, str]],
          output: Path | None) -> None:
    from realpolitik.exports import flatten_record, write_records

    if fmt is ListFormat.table:
        table = Table(show_lines=False)
        for header, _ in columns:
            table.add_column(header, overflow="fold")
        for record in records:
            flat = flatten_record(record)
            table.add_row(*[_cell(flat.get(key)) for _, key in columns])
        out.print(table)
        return
    if output is not None:
        write_records(records, fmt.value, output)
    else:
        write_records(records, fmt.value, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 90 else text[:89] + "\u2026"


def _open_store(db: Path, create: bool = False):
    """The store at ``db`` (read-only unless ``create``), or one error line and exit 2."""
    from realpolitik.store import Store, StoreError

    if not create and not db.exists():
        _error(f"{db}: no such database; run `realpolitik ingest` first")
        raise typer.Exit(2)
    try:
        return Store(db, read_only=not create)
    except StoreError as exc:
        _error(_store_problem(exc))
        raise typer.Exit(2) from None


def _store_problem(exc: Exception) -> str:
    """The store's one-line message, with a hint when another process holds the file."""
    from realpolitik.store import StoreLockedError

    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, StoreLockedError):
        return f"{first} (is `realpolitik serve` running?)"
    return first


CountryOption = Annotated[str | None, typer.Option("--country", help="ISO3 or IGO code.")]
SinceOption = Annotated[dt.datetime | None, typer.Option("--since", formats=["%Y-%m-%d"])]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o",
                                                   help="Write to a file instead of stdout.")]


@app.command()
def articles(db: DbOption = DEFAULT_DB_PATH, country: CountryOption = None,
             since: SinceOption = None,
             fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
             output: OutputOption = None) -> None:
    """List stored articles."""
    with _open_store(db) as store:
        rows = store.articles(country=country, since=since.date() if since else None)
    _emit(rows, fmt, [("id", "id"), ("published", "published"), ("outlet", "outlet"),
                      ("title", "title"), ("cites", "cites")], output)


class ConfigFormat(StrEnum):
    text = "text"
    json = "json"


EXPORT_MEMORY = "150MB"  # DuckDB's share of an export's memory (this process only)


class Level(StrEnum):
    mention = "mention"
    event = "event"


@app.command()
def events(db: DbOption = DEFAULT_DB_PATH, country: CountryOption = None,
           since: SinceOption = None,
           type_: Annotated[str | None, typer.Option("--type", help="PLOVER type.")] = None,
           story: Annotated[str | None, typer.Option("--story", help="Story id.")] = None,
           level: Annotated[Level, typer.Option(
               "--level", help="mention: one row per article sentence (with the totals of its "
               "event); event: one row per happening, mentions merged.")] = Level.mention,
           fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
           output: OutputOption = None) -> None:
    """List coded events, per mention (default) or per happening."""
    day = since.date() if since else None
    with _open_store(db) as store:
        if level is Level.event:
            rows = [h for h in store.happenings(story_id=story, country=country, since=day)
                    if type_ is None or h.type == type_.upper()]
            _emit(rows, fmt, [("date", "date"), ("source", "source_name"), ("type", "type"),
                              ("neg", "negated"), ("modality", "modality"),
                              ("target", "target_name"), ("mentions", "mentions"),
                              ("outlets", "outlets"), ("origins", "origins")], output)
            return
        filters = {"country": country, "since": day, "story_id": story,
                   "type": type_.upper() if type_ else None}
        if fmt is not ListFormat.table:  # streamed from DuckDB in Arrow batches
            from realpolitik.exports import write_batches

            store.con.execute(f"SET memory_limit='{EXPORT_MEMORY}'")  # DuckDB spills past it
            write_batches(store.event_batches(batch_rows=20_000, **filters), Event, fmt.value,
                          output if output is not None else sys.stdout.buffer)
            return
        rows = store.events(**filters)
    _emit(rows, fmt, [("date", "date"), ("source", "source_name"), ("type", "type"),
                      ("neg", "negated"), ("modality", "modality"), ("target", "target_name"),
                      ("attributed to", "attributed_to"), ("lang", "language"),
                      ("sentence", "sentence")], output)


class StoryFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


@app.command("stories")
def list_stories(db: DbOption = DEFAULT_DB_PATH, country: CountryOption = None,
                 since: SinceOption = None,
                 fmt: Annotated[StoryFormat, typer.Option("--format")] = StoryFormat.table
                 ) -> None:
    """List stories: id, label, dates, article count, outlets, origins."""
    with _open_store(db) as store:
        rows = store.stories(country=country, since=since.date() if since else None)
    if fmt is StoryFormat.jsonl:
        for story in rows:
            sys.stdout.write(story.model_dump_json() + "\n")
        return
    _emit(rows, ListFormat.table, [("id", "id"), ("label", "label"), ("first", "first_date"),
                                   ("last", "last_date"), ("articles", "article_count"),
                                   ("outlets", "outlets"), ("origins", "origins")], None)


@app.command("story")
def show_story(story_id: Annotated[str, typer.Argument(help="Story id (see `stories`).")],
               db: DbOption = DEFAULT_DB_PATH,
               fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text
               ) -> None:
    """Coverage comparison of one story: outlets, who reported what, conflicts, wording."""
    from realpolitik.events.lexicon import load_plover
    from realpolitik.stories import compare

    with _open_store(db) as store:
        found = store.stories(ids=[story_id])
        if not found:
            _error(f"{story_id}: no such story in {db}")
            raise typer.Exit(2)
        story = found[0]
        coverage = compare(story, store.articles(ids=story.articles),
                           store.happenings(story_id=story.id), load_plover())
    if fmt is ReportFormat.json:
        sys.stdout.write(coverage.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(coverage.to_text(markdown=fmt is ReportFormat.md))


def build_country_report(db: Path, country: str, since: dt.date | None):
    from realpolitik.actors.gazetteer import Gazetteer
    from realpolitik.events.lexicon import load_plover
    from realpolitik.workflow import country_report

    with _open_store(db) as store:
        return country_report(store, country, since, load_plover(),
                              Gazetteer.load().country_name)


@app.command()
def report(ctx: typer.Context,
           country: Annotated[str, typer.Option("--country", help="ISO3 code, e.g. VEN.")],
           db: DbOption = DEFAULT_DB_PATH, since: SinceOption = None,
           fmt: Annotated[CountryReportFormat, typer.Option(
               "--format", help="html: one self-contained page with the charts; png: "
               "PREFIX-timeline.png and PREFIX-network.png.")] = CountryReportFormat.text,
           output: OutputOption = None) -> None:
    """Who supports, withdraws from and pressures a country, with the evidence."""
    code = country.upper()
    result = build_country_report(db, code, since.date() if since else None)
    if fmt in (CountryReportFormat.html, CountryReportFormat.png):
        from realpolitik.web.render import report_html, report_pngs

        analysis = _settings(ctx).analysis
        index = _indices_for(db, code, None, analysis.window_days, analysis.baseline_days)
        if fmt is CountryReportFormat.html:
            target = output or Path(f"report-{code}.html")
            target.write_text(report_html(index, result), encoding="utf-8")
            err.print(f"Wrote {target}")
        else:
            prefix = output or Path(f"report-{code}")
            if prefix.suffix == ".png":
                prefix = prefix.with_suffix("")
            for written in report_pngs(index, result, prefix):
                err.print(f"Wrote {written}")
        return
    if fmt is CountryReportFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.to_text(markdown=fmt is CountryReportFormat.md))


def _indices_for(db: Path, country: str, as_of: dt.date | None, window: int,
                 baseline: int):
    from realpolitik.actors.gazetteer import Gazetteer
    from realpolitik.events.lexicon import load_plover
    from realpolitik.relations.indices import DateRangeError
    from realpolitik.workflow import country_index

    with _open_store(db) as store:
        try:
            return country_index(store, country, load_plover(), Gazetteer.load().country_name,
                                 as_of, window, baseline)
        except DateRangeError as exc:  # the dates fall off the calendar
            _error(str(exc))
            raise typer.Exit(2) from None


@app.command()
def indices(ctx: typer.Context,
            country: Annotated[str, typer.Option("--country", help="ISO3 code, e.g. VEN.")],
            db: DbOption = DEFAULT_DB_PATH,
            as_of: Annotated[dt.datetime | None, typer.Option(
                "--as-of", formats=["%Y-%m-%d"], help="End of the window (default: the "
                "latest event toward the country).")] = None,
            window: Annotated[int | None, typer.Option(
                min=1, help="Window in days (setting analysis.window_days, 90).")] = None,
            baseline: Annotated[int | None, typer.Option(
                min=1, help="Baseline in days (setting analysis.baseline_days, 365).")] = None,
            fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text) -> None:
    """Isolation and pressure indices, support network and stance changes, with evidence."""
    analysis = _settings(ctx, analysis__window_days=window,
                         analysis__baseline_days=baseline).analysis
    result = _indices_for(db, country.upper(), as_of.date() if as_of else None,
                          analysis.window_days, analysis.baseline_days)
    if fmt is ReportFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.to_text())


@app.command()
def relations(source: Annotated[str | None, typer.Option("--source")] = None,
              target: Annotated[str | None, typer.Option("--target")] = None,
              period: Annotated[str, typer.Option(help="day or week")] = "week",
              db: DbOption = DEFAULT_DB_PATH) -> None:
    """Dyad time series (JSONL): counts by type, quad class and polarity, and scores."""
    from realpolitik.events.lexicon import load_plover
    from realpolitik.relations.indices import dyad_point

    if period not in ("day", "week"):
        _error(f"--period must be day or week, not {period!r}")
        raise typer.Exit(2)
    dyad = {"source": source.upper() if source else None,
            "target": target.upper() if target else None}
    with _open_store(db) as store:  # the dyad's cells, counted in SQL
        cells = store.dyad_cells(**dyad, period=period)  # type: ignore[arg-type]
    plover = load_plover()
    for cell in cells:
        point = dyad_point(cell, plover, period)  # type: ignore[arg-type]
        sys.stdout.write(point.model_dump_json() + "\n")


@app.command("eval")
def evaluate(ctx: typer.Context,
             gold: Annotated[Path | None, typer.Argument(
                 help="Gold JSONL (PLOVER GSR shape), or a multilingual gold file or "
                      "directory (training schema + lang) for per-language figures.")] = None,
             dev: Annotated[bool, typer.Option(
                 "--dev", help="Score the dev split of training/data instead.")] = False,
             fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text,
             errors: Annotated[bool, typer.Option(help="List every miss.")] = False) -> None:
    """Score `realpolitik code` against a gold file: per-type P/R/F1, accuracy, confusion,
    and a reliability table of the events' confidence."""
    from realpolitik.evaluate import dev_gold, load_gold, score
    from realpolitik.events.training import CorpusError

    if dev:
        try:
            rows = dev_gold()
        except CorpusError as exc:
            _error(str(exc))
            raise typer.Exit(2) from None
    elif gold is None:
        _error("give a gold file, or --dev for the dev split of the training corpus")
        raise typer.Exit(2)
    elif not gold.exists():
        _error(f"{gold}: no such file")
        raise typer.Exit(2)
    else:
        from realpolitik.evaluate_languages import is_language_gold

        if is_language_gold(gold):
            _evaluate_languages(gold, fmt, _settings(ctx))
            return
        rows = load_gold(gold)
    # every event is scored, whatever coder.min_confidence says (the reliability table)
    settings = _settings(ctx, coder__min_confidence=0.0)
    service = _service(settings, settings.ingest.batch_size)
    articles_ = [Article(id=row.id, text=row.text) for row in rows]
    predicted: dict[str, list[Event]] = {a.id: [] for a in articles_}
    with _progress() as progress:
        task = progress.add_task("Coding gold sentences", total=len(articles_))
        for coded in service.code(articles_):
            predicted[coded.article.id] = coded.events
            progress.advance(task, 1)
    result = score(rows, predicted, _pipeline_for(settings).gazetteer.is_igo)
    if fmt is ReportFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.to_text(errors=errors))


def _evaluate_languages(gold: Path, fmt: ReportFormat, settings: Settings) -> None:
    """Per-language figures of the multilingual coder (gold in the training schema + lang)."""
    from realpolitik.evaluate_languages import load_language_gold, score_languages
    from realpolitik.events.training import CorpusError

    try:
        rows = load_language_gold(gold)
    except CorpusError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    pipe = _pipeline_for(settings)
    report = score_languages(rows, pipe.multilingual, pipe.gazetteer.is_igo)
    if fmt is ReportFormat.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(report.to_text())


def demo_corpus() -> Path:
    return Path(str(resources.files("realpolitik.demo").joinpath("corpus")))


@app.command()
def demo(ctx: typer.Context, db: DbOption = DEFAULT_DB_PATH,
         country: Annotated[str, typer.Option("--country")] = "VEN") -> None:
    """Ingest the bundled demo corpus and print the report for its main country."""
    corpus = demo_corpus()
    err.print(f"Demo corpus: {corpus}")
    failures = ingest_paths([str(corpus)], db, _settings(ctx))
    result = build_country_report(db, country, None)
    sys.stdout.write(result.to_text())
    sys.stdout.write(f"\nOpen the dashboard: realpolitik serve --db {db}  then visit "
                     f"http://127.0.0.1:8000/country/{country}\n")
    raise typer.Exit(1 if failures else 0)


@app.command()
def serve(ctx: typer.Context, db: DbOption = DEFAULT_DB_PATH,
          host: Annotated[str | None, typer.Option(
              help="Interface to bind (loopback by default; setting api.host).")] = None,
          port: Annotated[int | None, typer.Option(min=1, max=65535,
                                                   help="Port (setting api.port, 8000).")]
          = None,
          allow_host: Annotated[list[str] | None, typer.Option(
              "--allow-host", help="Another Host header name to answer (repeatable; also "
              "setting api.allowed_hosts or $REALPOLITIK_ALLOWED_HOSTS, comma-separated). "
              "Loopback names and --host are always allowed.")] = None,
          write_timeout: Annotated[float | None, typer.Option(
              "--write-timeout", min=1, help="Seconds one POST /api/articles may take "
              "(setting api.write_timeout, 120).")] = None) -> None:
    """Serve the REST API (/api, docs at /docs) and the dashboard from one app.

    Writes (POST /api/articles) need the token (setting api.token, or
    $REALPOLITIK_API_TOKEN); without one, writes are refused and the database is
    opened read-only, so other commands can read it meanwhile. Requests whose Host
    header is not an allowed name get 400.
    """
    import uvicorn

    from realpolitik.api import ApiSettings, create_app
    from realpolitik.api.deps import open_store, with_hosts
    from realpolitik.store import StoreError
    from realpolitik.web import mount_dashboard

    effective = _settings(ctx, api__host=host, api__port=port, api__write_timeout=write_timeout)
    api = effective.api
    settings = ApiSettings.from_settings(db, effective, warm_up=True)
    try:  # a locked or corrupt file: one line, not a trace
        open_store(db, settings.opens_read_only()).close()
    except StoreError as exc:
        _error(_store_problem(exc))
        raise typer.Exit(2) from None
    settings.allowed_hosts = with_hosts(settings.allowed_hosts, [api.host, *(allow_host or [])])
    host, port = api.host, api.port
    app_ = create_app(settings)
    mount_dashboard(app_)
    err.print(f"Dashboard: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _load_sources(path: Path):
    from realpolitik.live import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            _error(line)
        raise typer.Exit(2) from exc


@app.command()
def watch(ctx: typer.Context,
          sources: Annotated[Path, typer.Argument(help="Sources file (YAML).")],
          db: DbOption = DEFAULT_DB_PATH,
          once: Annotated[bool, typer.Option("--once", help="Poll every source once, then exit.")]
          = False,
          max_polls: Annotated[int | None, typer.Option(
              "--max-polls", min=1, help="Stop after N rounds (a round polls every due source).")]
          = None,
          serve_port: Annotated[int | None, typer.Option(
              "--serve-port", min=1, max=65535,
              help="Also serve the API and dashboard on 127.0.0.1:PORT from this process.")]
          = None) -> None:
    """Watch feeds and pages continuously: code new articles, group stories, fire alerts.

    SIGINT or SIGTERM finishes the current article and exits cleanly.
    """
    from realpolitik.live import watch as run_watch
    from realpolitik.live.status import make_reporter
    from realpolitik.workflow import IngestSettings

    _load_sources(sources)  # configuration errors before the models load
    settings = _settings(ctx)
    pipe = _pipeline_for(settings)
    embedder = _embedder()
    from realpolitik.store import StoreError

    try:
        with _dashboard_thread(db, serve_port, settings):
            summary = run_watch(sources, db, pipe, embedder, make_reporter(err, sys.stderr),
                                once=once, max_polls=max_polls,
                                ingest=IngestSettings(settings.ingest.batch_size,
                                                      settings.coder.min_confidence),
                                stories=settings.stories)
    except StoreError as exc:  # e.g. another process has the database open
        _error(str(exc))
        raise typer.Exit(1) from exc
    err.print(f"Stopped after {summary.rounds} rounds: {summary.stored} articles stored, "
              f"{summary.duplicates} duplicates, {summary.refused} refused, "
              f"{summary.failures} failed polls, {summary.alerts} alerts.")


@contextmanager
def _dashboard_thread(db: Path, port: int | None, settings: Settings) -> Iterator[None]:
    """The API and dashboard on 127.0.0.1:port in a thread (DuckDB: one writing process)."""
    if port is None:
        yield
        return
    import threading
    import time

    import uvicorn

    from realpolitik.api import ApiSettings, create_app
    from realpolitik.web import mount_dashboard

    api_settings = ApiSettings.from_settings(db, settings)
    api_settings.read_only = False  # the watcher writes here
    app_ = create_app(api_settings)
    mount_dashboard(app_)
    server = uvicorn.Server(uvicorn.Config(app_, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="dashboard", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    if server.started:
        err.print(f"Dashboard: http://127.0.0.1:{port}/alerts")
    else:
        _error(f"the dashboard did not start on 127.0.0.1:{port}; watching without it")
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


sources_app = typer.Typer(no_args_is_help=True, help="Check sources files for `watch`.")
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check(sources: Annotated[Path, typer.Argument(help="Sources file (YAML).")]) -> None:
    """Validate a sources file (errors with line numbers) and try each source once."""
    from realpolitik.live import check_sources

    config, alerts = _load_sources(sources)
    err.print(f"{sources}: valid ({len(config.sources)} sources, {len(alerts.rules)} "
              "alert rules)")
    checks = check_sources(config)
    if out.is_terminal:
        table = Table("url", "kind", "status", "entries", "last modified", "problem")
        for c in checks:
            table.add_row(c.url, c.kind, c.status, "" if c.entries is None else str(c.entries),
                          c.last_modified or "", c.problem or "")
        out.print(table)
    else:  # one line per source, never wrapped
        for c in checks:
            sys.stdout.write(f"{c.url}\t{c.kind}\tstatus={c.status}\tentries="
                             f"{'-' if c.entries is None else c.entries}\tlast_modified="
                             f"{c.last_modified or '-'}\tproblem={c.problem or '-'}\n")
    raise typer.Exit(1 if any(c.problem for c in checks) else 0)


@app.command("config")
def show_config(ctx: typer.Context,
                fmt: Annotated[ConfigFormat, typer.Option("--format")] = ConfigFormat.text
                ) -> None:
    """Print the effective settings and where each value came from."""
    loaded = _loaded(ctx)
    if fmt is ConfigFormat.json:
        sys.stdout.write(json.dumps({key: {"value": value, "from": layer}
                                     for key, value, layer in loaded.rows(json_values=True)},
                                    indent=2) + "\n")
        return
    file = f" (config file: {loaded.config_file})" if loaded.config_file else ""
    sys.stdout.write(f"# effective settings{file}; from = default | file | env | cli\n")
    group = ""
    for key, value, layer in loaded.rows():
        head, _, name = key.partition(".")
        if head != group:
            sys.stdout.write(f"{'' if not group else chr(10)}[{head}]\n")
            group = head
        line = f"# {name} unset" if value == "# unset" else f"{name} = {value}"
        sys.stdout.write(f"{line}  # {layer}\n")


@app.command()
def schema() -> None:
    """Print the event export schema (Markdown)."""
    from realpolitik.exports import event_schema_doc

    sys.stdout.write(event_schema_doc())


def main() -> None:
    """The console entry point: any failure a command did not report becomes one line.

    ``REALPOLITIK_DEBUG=1`` lets the traceback through for debugging.
    """
    import os

    from realpolitik.store import StoreError

    try:
        app()
    except StoreError as exc:
        if os.environ.get("REALPOLITIK_DEBUG"):
            raise
        _error(_store_problem(exc))
        sys.exit(2)
    except Exception as exc:  # the last guard before a user's terminal
        if os.environ.get("REALPOLITIK_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        _error(f"unexpected {type(exc).__name__}: {first} (REALPOLITIK_DEBUG=1 shows the "
               "traceback)")
        sys.exit(1)


if __name__ == "__main__":
    main()
