"""The `realpolitik` command: ingest and code news, query the store, report, evaluate."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator
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

from realpolitik.nlp import NlpSettings
from realpolitik.records import Article, Event

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Source-aware political event data from news articles.")
err = Console(stderr=True, soft_wrap=True)
out = Console()


def _error(message: str) -> None:
    """One problem per line, never wrapped, so the file name and the problem stay together."""
    err.print(f"[red]error:[/red] {escape(message)}")

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file (created if missing).")]
DEFAULT_DB_PATH = Path("realpolitik.duckdb")
WorkersOption = Annotated[int, typer.Option("--workers", min=1,
                                            help="spaCy parser processes.")]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1,
                                          help="Articles coded per parser batch.")]


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


@lru_cache(maxsize=2)
def _pipeline(workers: int = 1):
    """Load models and data once per process (commands run in-process by tests reuse it)."""
    from realpolitik.pipeline import Pipeline

    with err.status("Loading spaCy model and gazetteers..."):
        return Pipeline(NlpSettings(workers=workers))


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False,
                    disable=not err.is_terminal)


@lru_cache(maxsize=1)
def _embedder():
    from realpolitik.stories import Embedder

    return Embedder()


def ingest_paths(paths: list[str], db: Path, workers: int = 1, batch_size: int = 64,
                 cpu_per_file: int = 30) -> int:
    """Ingest and code sources into the store, then group stories; returns failed sources."""
    from realpolitik.ingest.sandbox import Budget
    from realpolitik.store import Store, StoreError
    from realpolitik.workflow import StoryUpdate, ingest_sources, update_stories

    pipe = _pipeline(workers)
    with Store(db) as store, _progress() as progress:
        task = progress.add_task("Ingesting", total=None)
        report = ingest_sources(paths, store, pipe, batch_size, on_problem=_error,
                                advance=lambda n: progress.advance(task, n),
                                budget=Budget(cpu_seconds=cpu_per_file))
        progress.update(task, total=report.sources, completed=report.sources)
        try:
            with err.status("Grouping stories..."):
                stories = update_stories(store, pipe.gazetteer, pipe.plover, _embedder())
        except StoreError as exc:  # articles stay stored; the next run groups them
            _error(str(exc))
            report.problems.append((str(db), str(exc)))
            stories = StoryUpdate()
    failed = len(report.problems)
    err.print(f"Stored {report.new_articles} new articles and {report.new_events} events from "
              f"{report.sources - failed - report.unchanged} sources ({report.unchanged} "
              f"unchanged, {failed} failed) in {db}; {stories.stories_total} stories "
              f"({stories.stories_touched} updated).")
    return failed


@app.command()
def ingest(paths: Annotated[list[str], typer.Argument(help="Files, directories or - (stdin).")],
           db: DbOption = DEFAULT_DB_PATH, workers: WorkersOption = 1,
           batch_size: BatchOption = 64,
           cpu_per_file: Annotated[int, typer.Option(
               "--cpu-per-file", min=1, help="CPU seconds a file may take to read.")] = 30,
           ) -> None:
    """Ingest news files (text, HTML, RSS/Atom, JSONL, CSV) and code their events."""
    failures = ingest_paths(paths, db, workers, batch_size, cpu_per_file)
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
def code(workers: WorkersOption = 1, batch_size: BatchOption = 256) -> None:
    """Code JSONL documents from stdin to event JSONL on stdout (no database)."""
    pipe = _pipeline(workers)
    failures = 0
    batch: list[Article] = []

    def flush() -> None:
        for coded in pipe.code(batch):
            for event in coded.events:
                sys.stdout.write(event.model_dump_json() + "\n")
        batch.clear()

    for item in _read_code_input(sys.stdin):
        if isinstance(item, str):
            failures += 1
            _error(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    flush()
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


def _open_store(db: Path):
    from realpolitik.store import Store

    if not db.exists():
        _error(f"{db}: no such database; run `realpolitik ingest` first")
        raise typer.Exit(2)
    return Store(db, read_only=True)


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
        rows = store.events(country=country, since=day, type=type_.upper() if type_ else None,
                            story_id=story)
    _emit(rows, fmt, [("date", "date"), ("source", "source_name"), ("type", "type"),
                      ("neg", "negated"), ("modality", "modality"), ("target", "target_name"),
                      ("attributed to", "attributed_to"), ("sentence", "sentence")], output)


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
def report(country: Annotated[str, typer.Option("--country", help="ISO3 code, e.g. VEN.")],
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

        index = _indices_for(db, code, None, 90, 365)
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
    from realpolitik.workflow import country_index

    with _open_store(db) as store:
        return country_index(store, country, load_plover(), Gazetteer.load().country_name,
                             as_of, window, baseline)


@app.command()
def indices(country: Annotated[str, typer.Option("--country", help="ISO3 code, e.g. VEN.")],
            db: DbOption = DEFAULT_DB_PATH,
            as_of: Annotated[dt.datetime | None, typer.Option(
                "--as-of", formats=["%Y-%m-%d"], help="End of the window (default: the "
                "latest event toward the country).")] = None,
            window: Annotated[int, typer.Option(min=1, help="Window in days.")] = 90,
            baseline: Annotated[int, typer.Option(min=1, help="Baseline in days.")] = 365,
            fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text) -> None:
    """Isolation and pressure indices, support network and stance changes, with evidence."""
    result = _indices_for(db, country.upper(), as_of.date() if as_of else None, window,
                          baseline)
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
    from realpolitik.relations.indices import dyad_series

    if period not in ("day", "week"):
        _error(f"--period must be day or week, not {period!r}")
        raise typer.Exit(2)
    with _open_store(db) as store:
        happenings = store.happenings()
    for point in dyad_series(happenings, load_plover(), period,  # type: ignore[arg-type]
                             source=source.upper() if source else None,
                             target=target.upper() if target else None):
        sys.stdout.write(point.model_dump_json() + "\n")


@app.command("eval")
def evaluate(gold: Annotated[Path, typer.Argument(help="Gold JSONL (PLOVER GSR shape).")],
             fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text,
             errors: Annotated[bool, typer.Option(help="List every miss.")] = False) -> None:
    """Score `realpolitik code` against a gold file: per-type P/R/F1, accuracy, confusion."""
    from realpolitik.evaluate import load_gold, score

    if not gold.exists():
        _error(f"{gold}: no such file")
        raise typer.Exit(2)
    rows = load_gold(gold)
    pipe = _pipeline()
    articles_ = [Article(id=row.id, text=row.text) for row in rows]
    predicted: dict[str, list[Event]] = {a.id: [] for a in articles_}
    with _progress() as progress:
        task = progress.add_task("Coding gold sentences", total=len(articles_))
        for start in range(0, len(articles_), 64):
            chunk = articles_[start:start + 64]
            for coded in pipe.code(chunk):
                predicted[coded.article.id] = coded.events
            progress.advance(task, len(chunk))
    result = score(rows, predicted, pipe.gazetteer.is_igo)
    if fmt is ReportFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.to_text(errors=errors))


def demo_corpus() -> Path:
    return Path(str(resources.files("realpolitik.demo").joinpath("corpus")))


@app.command()
def demo(db: DbOption = DEFAULT_DB_PATH,
         country: Annotated[str, typer.Option("--country")] = "VEN") -> None:
    """Ingest the bundled demo corpus and print the report for its main country."""
    corpus = demo_corpus()
    err.print(f"Demo corpus: {corpus}")
    failures = ingest_paths([str(corpus)], db)
    result = build_country_report(db, country, None)
    sys.stdout.write(result.to_text())
    sys.stdout.write(f"\nOpen the dashboard: realpolitik serve --db {db}  then visit "
                     f"http://127.0.0.1:8000/country/{country}\n")
    raise typer.Exit(1 if failures else 0)


@app.command()
def serve(db: DbOption = DEFAULT_DB_PATH,
          host: Annotated[str, typer.Option(help="Interface to bind (loopback by default).")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535)] = 8000) -> None:
    """Serve the REST API (/api, docs at /docs) and the dashboard from one app.

    Writes (POST /api/articles) need the token in $REALPOLITIK_API_TOKEN; without one,
    writes are refused.
    """
    import uvicorn

    from realpolitik.api import ApiSettings, create_app
    from realpolitik.web import mount_dashboard

    app_ = create_app(ApiSettings(db=db))
    mount_dashboard(app_)
    err.print(f"Dashboard: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command()
def schema() -> None:
    """Print the event export schema (Markdown)."""
    from realpolitik.exports import event_schema_doc

    sys.stdout.write(event_schema_doc())


if __name__ == "__main__":
    app()
